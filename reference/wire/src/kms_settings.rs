//! The member checks of the KMS operations that change or read a key's settings (key policy,
//! rotation, tags, description) and of UpdateAlias, DeleteAlias, ReEncrypt and
//! ListRetirableGrants, with KMS's limits from its model (`spec/kms.md` sections 8 to 11), and the
//! two key policy documents a key can start with.
//!
//! Does: refuse a request whose members break a limit, before any key is looked at, with the same
//! code and text for the model and the endpoint. Does not: look at state (which key, its state,
//! whether an alias exists); that is behaviour, implemented separately by the model and the
//! endpoint. Key policies are stored and returned, never evaluated.

use std::collections::BTreeMap;

use crate::error::{ApiError, ErrorCode};
use crate::kms::KmsTag;
use crate::kms_errors::{constraint, null_member};

/// The one name a key policy has (`PolicyName`).
pub const DEFAULT_POLICY_NAME: &str = "default";
/// `PolicyType` length limit.
pub const POLICY_MAX_LEN: usize = 131_072;
/// The default of `RotationPeriodInDays`.
pub const DEFAULT_ROTATION_DAYS: i64 = 365;
/// The bounds of `RotationPeriodInDays` (`RotationPeriodInDaysType`).
pub const ROTATION_DAYS: std::ops::RangeInclusive<i64> = 90..=2560;
/// How many tags a key may carry.
pub const MAX_TAGS: usize = 50;
/// `TagKeyType` length limit, in characters.
pub const TAG_KEY_MAX: usize = 128;
/// `TagValueType` length limit, in characters.
pub const TAG_VALUE_MAX: usize = 256;
/// `DescriptionType` length limit, in characters.
pub const DESCRIPTION_MAX: usize = 8192;
/// `DryRunOperationException`'s text (decided here).
pub const DRY_RUN_TEXT: &str = "The request would have succeeded, but the DryRun option is set.";

//= spec/kms.md#key-policy
//# A key created without a `Policy` MUST have the default key policy: `{"Version": "2012-10-17", "Id": "key-default-1", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::<account>:root"}, "Action": "kms:*", "Resource": "*"}]}`.
/// The key policy KMS gives a key created through the API without one, laid out as KMS returns
/// it (the document of the KMS guide's `ct-put-key-policy` example).
pub fn default_key_policy(account: &str) -> String {
    format!(
        "{{\n  \"Version\" : \"2012-10-17\",\n  \"Id\" : \"key-default-1\",\n  \"Statement\" : [ {{\n    \"Sid\" : \"Enable IAM User Permissions\",\n    \"Effect\" : \"Allow\",\n    \"Principal\" : {{\n      \"AWS\" : \"arn:aws:iam::{account}:root\"\n    }},\n    \"Action\" : \"kms:*\",\n    \"Resource\" : \"*\"\n  }} ]\n}}"
    )
}

/// The key policy of the AWS managed key `alias/aws/dynamodb` (D-USE, aws-facts 3.6), laid out
/// as that page prints it.
pub fn managed_key_policy(account: &str, region: &str) -> String {
    format!(
        "{{\n  \"Version\" : \"2012-10-17\",\n  \"Id\" : \"auto-dynamodb-1\",\n  \"Statement\" : [ {{\n    \"Sid\" : \"Allow access through Amazon DynamoDB for all principals in the account that are authorized to use Amazon DynamoDB\",\n    \"Effect\" : \"Allow\",\n    \"Principal\" : {{\n      \"AWS\" : \"*\"\n    }},\n    \"Action\" : [ \"kms:Encrypt\", \"kms:Decrypt\", \"kms:ReEncrypt*\", \"kms:GenerateDataKey*\", \"kms:CreateGrant\", \"kms:DescribeKey\" ],\n    \"Resource\" : \"*\",\n    \"Condition\" : {{\n      \"StringEquals\" : {{\n        \"kms:CallerAccount\" : \"{account}\",\n        \"kms:ViaService\" : \"dynamodb.{region}.amazonaws.com\"\n      }}\n    }}\n  }}, {{\n    \"Sid\" : \"Allow direct access to key metadata to the account\",\n    \"Effect\" : \"Allow\",\n    \"Principal\" : {{\n      \"AWS\" : \"arn:aws:iam::{account}:root\"\n    }},\n    \"Action\" : [ \"kms:Describe*\", \"kms:Get*\", \"kms:List*\", \"kms:RevokeGrant\" ],\n    \"Resource\" : \"*\"\n  }}, {{\n    \"Sid\" : \"Allow DynamoDB Service with service principal name dynamodb.amazonaws.com to describe the key directly\",\n    \"Effect\" : \"Allow\",\n    \"Principal\" : {{\n      \"Service\" : \"dynamodb.amazonaws.com\"\n    }},\n    \"Action\" : [ \"kms:Describe*\", \"kms:Get*\", \"kms:List*\" ],\n    \"Resource\" : \"*\"\n  }} ]\n}}"
    )
}

//= spec/kms.md#key-policy
//# A `PolicyName` other than `default` MUST fail with `NotFoundException` and the message `Policy <name> is not found.`, and one that breaks `PolicyNameType` (1 to 128 word characters) with `ValidationException`.
/// Checks an optional `PolicyName`.
pub fn policy_name(name: Option<&str>) -> Result<(), ApiError> {
    let Some(name) = name else { return Ok(()) };
    if name.is_empty() || name.chars().count() > 128 {
        return Err(constraint(
            name,
            "policyName",
            "Member must have length between 1 and 128",
        ));
    }
    if !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return Err(constraint(
            name,
            "policyName",
            "Member must satisfy regular expression pattern: [\\w]+",
        ));
    }
    if name != DEFAULT_POLICY_NAME {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            format!("Policy {name} is not found."),
        ));
    }
    Ok(())
}

//= spec/kms.md#key-policy
//# A `Policy` MUST be 1 to 131072 characters of tab, line feed, carriage return and U+0020 to U+00FF (else `ValidationException`) and MUST parse as a JSON object (else `MalformedPolicyDocumentException`).
/// Checks a `Policy` document (CreateKey's optional one, PutKeyPolicy's required one).
pub fn policy_document(policy: Option<&str>) -> Result<&str, ApiError> {
    let policy = policy.ok_or_else(|| null_member("policy"))?;
    let len = policy.chars().count();
    if len == 0 || len > POLICY_MAX_LEN {
        return Err(constraint(
            "***",
            "policy",
            &format!("Member must have length between 1 and {POLICY_MAX_LEN}"),
        ));
    }
    if !policy
        .chars()
        .all(|c| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{ff}'))
    {
        return Err(constraint(
            "***",
            "policy",
            "Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+",
        ));
    }
    match serde_json::from_str::<serde_json::Value>(policy) {
        Ok(serde_json::Value::Object(_)) => Ok(policy),
        _ => Err(ApiError::new(
            ErrorCode::MalformedPolicyDocument,
            "The new key policy will not allow you to update the key policy in the future.",
        )),
    }
}

//= spec/kms.md#rotation
//# `RotationPeriodInDays` MUST be 90 to 2560 (else `ValidationException`) and defaults to 365.
/// `RotationPeriodInDays`, checked, with its default.
pub fn rotation_period(days: Option<i64>) -> Result<i64, ApiError> {
    let days = days.unwrap_or(DEFAULT_ROTATION_DAYS);
    if days < *ROTATION_DAYS.start() {
        return Err(constraint(
            &days.to_string(),
            "rotationPeriodInDays",
            "Member must have value greater than or equal to 90",
        ));
    }
    if days > *ROTATION_DAYS.end() {
        return Err(constraint(
            &days.to_string(),
            "rotationPeriodInDays",
            "Member must have value less than or equal to 2560",
        ));
    }
    Ok(days)
}

//= spec/kms.md#tags
//# Each `TagKey` MUST be 1 to 128 characters and each `TagValue` 0 to 256 characters (else `ValidationException`), and a `TagKey` beginning with `aws:` MUST fail with `TagException`.
/// Checks `Tags` (TagResource's required list, CreateKey's optional one) and returns the pairs.
pub fn tags(tags: Option<&[KmsTag]>) -> Result<BTreeMap<String, String>, ApiError> {
    let tags = tags.ok_or_else(|| null_member("tags"))?;
    let mut out = BTreeMap::new();
    for (i, t) in tags.iter().enumerate() {
        let n = i + 1;
        let key = t
            .tag_key
            .as_deref()
            .ok_or_else(|| null_member(&format!("tags.{n}.member.tagKey")))?;
        let value = t
            .tag_value
            .as_deref()
            .ok_or_else(|| null_member(&format!("tags.{n}.member.tagValue")))?;
        tag_key(key, &format!("tags.{n}.member.tagKey"))?;
        if value.chars().count() > TAG_VALUE_MAX {
            return Err(constraint(
                value,
                &format!("tags.{n}.member.tagValue"),
                "Member must have length less than or equal to 256",
            ));
        }
        out.insert(key.to_owned(), value.to_owned());
    }
    Ok(out)
}

fn tag_key(key: &str, member: &str) -> Result<(), ApiError> {
    let len = key.chars().count();
    if len == 0 || len > TAG_KEY_MAX {
        return Err(constraint(
            key,
            member,
            "Member must have length between 1 and 128",
        ));
    }
    if key.starts_with("aws:") {
        return Err(ApiError::new(
            ErrorCode::Tag,
            format!("Tag keys beginning with aws: are reserved: {key}"),
        ));
    }
    Ok(())
}

/// Checks UntagResource's `TagKeys`.
pub fn tag_keys(keys: Option<&[String]>) -> Result<&[String], ApiError> {
    let keys = keys.ok_or_else(|| null_member("tagKeys"))?;
    for (i, k) in keys.iter().enumerate() {
        tag_key(k, &format!("tagKeys.{}.member", i + 1))?;
    }
    Ok(keys)
}

//= spec/kms.md#tags
//# A TagResource or CreateKey that would leave a key with more than 50 tags MUST fail with `LimitExceededException` and change nothing.
/// `LimitExceededException` when a key would carry more than [`MAX_TAGS`] tags.
pub fn tag_count(count: usize, key_arn: &str) -> Result<(), ApiError> {
    if count > MAX_TAGS {
        return Err(ApiError::new(
            ErrorCode::KmsLimitExceeded,
            format!("{key_arn} would have {count} tags; a KMS key can have at most {MAX_TAGS}"),
        ));
    }
    Ok(())
}

//= spec/kms.md#update-key-description
//# UpdateKeyDescription MUST require `KeyId` and `Description` (0 to 8192 characters, else `ValidationException`) and set the key's `Description`.
/// Checks a `Description` (UpdateKeyDescription's required one, CreateKey's optional one).
pub fn description(description: Option<&str>) -> Result<&str, ApiError> {
    let d = description.ok_or_else(|| null_member("description"))?;
    if d.chars().count() > DESCRIPTION_MAX {
        return Err(constraint(
            "***",
            "description",
            "Member must have length less than or equal to 8192",
        ));
    }
    Ok(d)
}

//= spec/kms.md#alias-updates
//# The `AliasName` of UpdateAlias and DeleteAlias MUST be 1 to 256 characters matching `^[a-zA-Z0-9:/_-]+$` (else `ValidationException`).
/// Checks the `AliasName` of UpdateAlias and DeleteAlias (its shape only).
pub fn alias_name(name: Option<&str>) -> Result<&str, ApiError> {
    let name = name.ok_or_else(|| null_member("aliasName"))?;
    if name.is_empty() || name.len() > 256 {
        return Err(constraint(
            name,
            "aliasName",
            "Member must have length between 1 and 256",
        ));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'/' | b'_' | b'-'))
    {
        return Err(constraint(
            name,
            "aliasName",
            "Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$",
        ));
    }
    Ok(name)
}

/// Checks an `EncryptionAlgorithm` member (`member` is its Coral name): only
/// `SYMMETRIC_DEFAULT` is served.
pub fn encryption_algorithm(member: &str, value: Option<&str>) -> Result<(), ApiError> {
    match value {
        None | Some(crate::kms::SYMMETRIC_DEFAULT) => Ok(()),
        Some(other) => Err(constraint(
            other,
            member,
            "Member must satisfy enum value set: [SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE]",
        )),
    }
}

/// The length of a data key from `NumberOfBytes` xor `KeySpec` (`spec/kms.md#generate-data-key`).
pub fn data_key_length(
    number_of_bytes: Option<i64>,
    key_spec: Option<&str>,
) -> Result<usize, ApiError> {
    let validation = |m: String| ApiError::new(ErrorCode::KmsValidation, m);
    match (number_of_bytes, key_spec) {
        (Some(_), Some(_)) | (None, None) => Err(validation(
            crate::kms_errors::BYTES_OR_KEY_SPEC_TEXT.to_owned(),
        )),
        (Some(n), None) if n < 1 => Err(validation(format!(
            "1 validation error detected: Value '{n}' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1"
        ))),
        (Some(n), None) if n > 1024 => Err(validation(format!(
            "1 validation error detected: Value '{n}' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024"
        ))),
        (Some(n), None) => Ok(usize::try_from(n).unwrap_or(32)),
        (None, Some("AES_256")) => Ok(32),
        (None, Some("AES_128")) => Ok(16),
        (None, Some(other)) => Err(validation(format!(
            "1 validation error detected: Value '{other}' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]"
        ))),
    }
}

//= spec/kms.md#reencrypt
//# ReEncrypt MUST require `DestinationKeyId` and `CiphertextBlob` (1 to 6144 bytes) and accept only `SYMMETRIC_DEFAULT` as either algorithm, each failing with `ValidationException`.
/// ReEncrypt's member checks: the destination named, a blob of 1 to 6144 bytes, and the two
/// algorithms.
pub fn reencrypt_members(input: &crate::kms::ReEncryptInput) -> Result<(&str, &[u8]), ApiError> {
    let blob = input
        .ciphertext_blob
        .as_ref()
        .ok_or_else(|| null_member("ciphertextBlob"))?;
    let dest = input
        .destination_key_id
        .as_deref()
        .ok_or_else(|| null_member("destinationKeyId"))?;
    if blob.0.is_empty() || blob.0.len() > 6144 {
        return Err(ApiError::new(
            ErrorCode::KmsValidation,
            "1 validation error detected: Value at 'ciphertextBlob' failed to satisfy constraint: Member must have length between 1 and 6144",
        ));
    }
    encryption_algorithm(
        "sourceEncryptionAlgorithm",
        input.source_encryption_algorithm.as_deref(),
    )?;
    encryption_algorithm(
        "destinationEncryptionAlgorithm",
        input.destination_encryption_algorithm.as_deref(),
    )?;
    Ok((dest, &blob.0))
}

//= spec/kms.md#retirable-grants
//# ListRetirableGrants MUST require `RetiringPrincipal` or `RetiringServicePrincipal` (else `ValidationException`) and return, in key and then grant creation order, every grant of a live key whose retiring principal equals it, paged by `Limit` (1 to 100, default 50).
/// The retiring principal ListRetirableGrants lists the grants of.
pub fn retiring_principal(input: &crate::kms::ListRetirableGrantsInput) -> Result<&str, ApiError> {
    input
        .retiring_principal
        .as_deref()
        .or(input.retiring_service_principal.as_deref())
        .ok_or_else(|| null_member("retiringPrincipal"))
}

//= spec/kms.md#generate-data-key-without-plaintext
//# A GenerateDataKeyWithoutPlaintext or ReEncrypt with `DryRun` true that passes every check MUST fail with `DryRunOperationException` and change nothing.
/// `DryRunOperationException` when `dry_run` is set, once every check passed.
pub fn dry_run(dry_run: Option<bool>) -> Result<(), ApiError> {
    if dry_run == Some(true) {
        return Err(ApiError::new(ErrorCode::DryRunOperation, DRY_RUN_TEXT));
    }
    Ok(())
}

//= spec/kms.md#rotation
//# `NextRotationDate` MUST be the first instant after `now` that is a whole number (at least one) of rotation periods after rotation was enabled (after creation for the AWS managed key).
/// When the next rotation of a key whose rotation of `period_days` started at `since` is due,
/// seen at `now`.
pub fn next_rotation(
    since: crate::time::Timestamp,
    period_days: i64,
    now: crate::time::Timestamp,
) -> crate::time::Timestamp {
    let period = u64::try_from(period_days)
        .unwrap_or(365)
        .max(1)
        .saturating_mul(crate::time::DAY);
    let periods = (now.since(since) / period).saturating_add(1);
    since.plus(periods.saturating_mul(period))
}

/// The start index a numeric `Marker` encodes (ListResourceTags, ListRetirableGrants).
pub fn marker_start(marker: Option<&str>) -> Result<usize, ApiError> {
    match marker {
        None => Ok(0),
        Some(m) => m
            .parse::<usize>()
            .map_err(|_| ApiError::new(ErrorCode::InvalidMarker, "Invalid marker")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_is_the_documented_statement() {
        let p: serde_json::Value =
            serde_json::from_str(&default_key_policy("123456789012")).unwrap();
        assert_eq!(p["Statement"][0]["Sid"], "Enable IAM User Permissions");
        assert_eq!(
            p["Statement"][0]["Principal"]["AWS"],
            "arn:aws:iam::123456789012:root"
        );
        assert_eq!(p["Statement"][0]["Action"], "kms:*");
        assert!(policy_document(Some(&default_key_policy("1"))).is_ok());
        let m: serde_json::Value =
            serde_json::from_str(&managed_key_policy("1", "us-east-1")).unwrap();
        assert_eq!(m["Statement"][1]["Action"][3], "kms:RevokeGrant");
        assert_eq!(
            m["Statement"][0]["Condition"]["StringEquals"]["kms:ViaService"],
            "dynamodb.us-east-1.amazonaws.com"
        );
        // KMS's own layout, as the KMS guide's ct-put-key-policy example shows the default document.
        assert!(default_key_policy("1").starts_with("{\n  \"Version\" : \"2012-10-17\",\n  \"Id\" : \"key-default-1\",\n  \"Statement\" : [ {\n"));
    }

    #[test]
    fn policy_checks() {
        assert!(policy_name(None).is_ok());
        assert!(policy_name(Some("default")).is_ok());
        assert_eq!(
            policy_name(Some("other")).unwrap_err().code,
            ErrorCode::NotFound
        );
        assert_eq!(
            policy_name(Some("a-b")).unwrap_err().code,
            ErrorCode::KmsValidation
        );
        assert_eq!(
            policy_document(None).unwrap_err().code,
            ErrorCode::KmsValidation
        );
        assert_eq!(
            policy_document(Some("not json")).unwrap_err().code,
            ErrorCode::MalformedPolicyDocument
        );
        assert_eq!(
            policy_document(Some("[1]")).unwrap_err().code,
            ErrorCode::MalformedPolicyDocument
        );
        let long = format!("{{\"a\":\"{}\"}}", "x".repeat(POLICY_MAX_LEN));
        assert_eq!(
            policy_document(Some(&long)).unwrap_err().code,
            ErrorCode::KmsValidation
        );
        assert_eq!(
            policy_document(Some("{\"a\":\"\u{263a}\"}"))
                .unwrap_err()
                .code,
            ErrorCode::KmsValidation
        );
    }

    #[test]
    fn rotation_and_tag_limits() {
        assert_eq!(rotation_period(None).unwrap(), 365);
        assert_eq!(rotation_period(Some(90)).unwrap(), 90);
        assert_eq!(rotation_period(Some(2560)).unwrap(), 2560);
        assert!(rotation_period(Some(89)).is_err());
        assert!(rotation_period(Some(2561)).is_err());
        let tag = |k: &str, v: &str| KmsTag {
            tag_key: Some(k.into()),
            tag_value: Some(v.into()),
        };
        assert_eq!(tags(Some(&[tag("a", "")])).unwrap().len(), 1);
        assert_eq!(
            tags(Some(&[tag("aws:x", "1")])).unwrap_err().code,
            ErrorCode::Tag
        );
        assert!(tags(Some(&[tag("", "1")])).is_err());
        assert!(tags(Some(&[tag(&"k".repeat(129), "1")])).is_err());
        assert!(tags(Some(&[tag("k", &"v".repeat(257))])).is_err());
        assert!(tags(None).is_err());
        assert!(tag_count(50, "k").is_ok());
        assert_eq!(
            tag_count(51, "k").unwrap_err().code,
            ErrorCode::KmsLimitExceeded
        );
        assert!(description(Some(&"d".repeat(8193))).is_err());
        assert!(alias_name(Some("alias/a b")).is_err());
        assert_eq!(
            dry_run(Some(true)).unwrap_err().code,
            ErrorCode::DryRunOperation
        );
    }

    #[test]
    fn next_rotation_is_a_whole_number_of_periods_after_enabling() {
        use crate::time::{DAY, Timestamp};
        let t0 = Timestamp(1_000_000);
        assert_eq!(next_rotation(t0, 90, t0), t0.plus(90 * DAY));
        assert_eq!(
            next_rotation(t0, 90, t0.plus(90 * DAY - 1)),
            t0.plus(90 * DAY)
        );
        assert_eq!(next_rotation(t0, 90, t0.plus(90 * DAY)), t0.plus(180 * DAY));
    }
}
