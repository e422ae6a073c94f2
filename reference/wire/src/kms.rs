//! KMS request and response shapes (awsJson1_1, `TrentService.<Op>`), for the operations ddbsse
//! models. Blobs (`Plaintext`, `CiphertextBlob`) are base64 strings on the wire ([`Blob`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::attribute::Blob;

/// An encryption context.
pub type ContextMap = BTreeMap<String, String>;

/// The alias of the AWS managed key of DynamoDB.
pub const MANAGED_ALIAS: &str = "alias/aws/dynamodb";

/// The one key spec and encryption algorithm of a symmetric KMS key (`KeySpec`,
/// `CustomerMasterKeySpec` and `EncryptionAlgorithm`).
pub const SYMMETRIC_DEFAULT: &str = "SYMMETRIC_DEFAULT";

/// The encryption-context key under which DynamoDB puts the table name in its KMS calls (and so
/// in their CloudTrail records' `requestParameters.encryptionContext`).
pub const TABLE_NAME_CONTEXT_KEY: &str = "aws:dynamodb:tableName";
/// The encryption-context key under which DynamoDB puts the account id.
pub const SUBSCRIBER_ID_CONTEXT_KEY: &str = "aws:dynamodb:subscriberId";

/// KMS's `GrantOperation` enum: every value CreateGrant accepts in `Operations`.
pub const GRANT_OPERATIONS: &[&str] = &[
    "Decrypt",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "ReEncryptFrom",
    "ReEncryptTo",
    "Sign",
    "Verify",
    "GetPublicKey",
    "CreateGrant",
    "RetireGrant",
    "DescribeKey",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "GenerateMac",
    "VerifyMac",
    "DeriveSharedSecret",
];

//= spec/kms.md#dynamodb-grant
//# For each KMS table, a target MUST hold exactly one grant on the table's key with `GranteePrincipal` and `RetiringPrincipal` `dynamodb.<region>.amazonaws.com`, `Operations` `["DescribeKey", "GenerateDataKey", "Decrypt", "Encrypt", "ReEncryptFrom", "ReEncryptTo", "RetireGrant"]`, `Constraints` `{"EncryptionContextSubset": <the table's encryption context>}` and a UUID `Name`.
/// The operations of the grant DynamoDB creates for a table, in this order.
pub const DYNAMODB_GRANT_OPERATIONS: [&str; 7] = [
    "DescribeKey",
    "GenerateDataKey",
    "Decrypt",
    "Encrypt",
    "ReEncryptFrom",
    "ReEncryptTo",
    "RetireGrant",
];

/// `CreateKey` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateKeyInput {
    /// Description.
    pub description: Option<String>,
    /// `ENCRYPT_DECRYPT` only.
    pub key_usage: Option<String>,
    /// `SYMMETRIC_DEFAULT` only.
    pub key_spec: Option<String>,
    /// Deprecated spelling of `KeySpec`.
    pub customer_master_key_spec: Option<String>,
    /// `AWS_KMS` only.
    pub origin: Option<String>,
    /// Not supported (rejected when true).
    pub multi_region: Option<bool>,
    /// Key policy (kept, not evaluated; `spec/kms.md#key-policy`).
    pub policy: Option<String>,
    /// Accepted (policies are not evaluated).
    pub bypass_policy_lockout_safety_check: Option<bool>,
    /// Tags (`spec/kms.md#tags`).
    pub tags: Option<Vec<KmsTag>>,
}

/// `KeyMetadata`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyMetadata {
    /// Account.
    #[serde(rename = "AWSAccountId")]
    pub aws_account_id: String,
    /// Key id (UUID).
    pub key_id: String,
    /// Key ARN.
    pub arn: String,
    /// Creation (epoch seconds).
    pub creation_date: f64,
    /// True when `KeyState` is `Enabled`.
    pub enabled: bool,
    /// Description.
    pub description: String,
    /// `ENCRYPT_DECRYPT`.
    pub key_usage: String,
    /// `Enabled`, `Disabled`, `PendingDeletion`.
    pub key_state: String,
    /// Present when pending deletion (epoch seconds). `PendingDeletionWindowInDays` is not a
    /// member: AWS sends it only for a multi-Region primary key in `PendingReplicaDeletion`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub deletion_date: Option<f64>,
    /// `AWS_KMS`.
    pub origin: String,
    /// `AWS` or `CUSTOMER`.
    pub key_manager: String,
    /// `SYMMETRIC_DEFAULT`.
    pub customer_master_key_spec: String,
    /// `SYMMETRIC_DEFAULT`.
    pub key_spec: String,
    /// `["SYMMETRIC_DEFAULT"]`.
    pub encryption_algorithms: Vec<String>,
    /// False.
    pub multi_region: bool,
    /// The id of the key's material: 64 lowercase hex digits (`BackingKeyIdType`).
    #[serde(default)]
    pub current_key_material_id: String,
}

/// `CreateKey` / `DescribeKey` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyMetadataOutput {
    /// The key.
    pub key_metadata: KeyMetadata,
}

/// Input naming one key (`DescribeKey`, `EnableKey`, `DisableKey`, `CancelKeyDeletion`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyIdInput {
    /// Key id, key ARN, alias name or alias ARN (which forms are allowed depends on the operation).
    pub key_id: Option<String>,
    /// Grant tokens (accepted).
    pub grant_tokens: Option<Vec<String>>,
}

/// `CancelKeyDeletion` output.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyIdOutput {
    /// The key ARN.
    pub key_id: String,
}

/// Pagination input (`ListKeys`, `ListAliases`, `ListGrants`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListInput {
    /// Filter by key (ListAliases, ListGrants).
    pub key_id: Option<String>,
    /// ListKeys 1-1000 (default 100); ListAliases and ListGrants 1-100 (default 50).
    pub limit: Option<i64>,
    /// From a previous `NextMarker`.
    pub marker: Option<String>,
    /// ListGrants filter.
    pub grant_id: Option<String>,
    /// ListGrants filter.
    pub grantee_principal: Option<String>,
    /// ListGrants filter (not together with `grantee_principal`).
    pub grantee_service_principal: Option<String>,
}

/// One entry of `ListKeys`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyListEntry {
    /// Key id.
    pub key_id: String,
    /// Key ARN.
    pub key_arn: String,
}

/// `ListKeys` output.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListKeysOutput {
    /// Keys.
    pub keys: Vec<KeyListEntry>,
    /// Next page marker.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub next_marker: Option<String>,
    /// More pages follow.
    pub truncated: bool,
}

/// `CreateAlias` input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateAliasInput {
    /// `alias/...`.
    pub alias_name: Option<String>,
    /// Key id or ARN.
    pub target_key_id: Option<String>,
}

/// One entry of `ListAliases`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AliasListEntry {
    /// `alias/...`.
    pub alias_name: String,
    /// Alias ARN.
    pub alias_arn: String,
    /// Key id; absent for predefined aliases not yet associated.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub target_key_id: Option<String>,
    /// Creation (epoch seconds).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub creation_date: Option<f64>,
    /// Last update (epoch seconds).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub last_updated_date: Option<f64>,
}

/// `ListAliases` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListAliasesOutput {
    /// Aliases.
    pub aliases: Vec<AliasListEntry>,
    /// Next page marker.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub next_marker: Option<String>,
    /// More pages follow.
    pub truncated: bool,
}

/// `ScheduleKeyDeletion` input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScheduleKeyDeletionInput {
    /// Key id or ARN.
    pub key_id: Option<String>,
    /// 7-30, default 30.
    pub pending_window_in_days: Option<i64>,
}

/// `ScheduleKeyDeletion` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScheduleKeyDeletionOutput {
    /// Key ARN.
    pub key_id: String,
    /// When the key is deleted (epoch seconds).
    pub deletion_date: f64,
    /// `PendingDeletion`.
    pub key_state: String,
    /// The window.
    pub pending_window_in_days: i64,
}

/// `GrantConstraints`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GrantConstraints {
    /// The request's context must include these pairs.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub encryption_context_subset: Option<ContextMap>,
    /// The request's context must equal this.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub encryption_context_equals: Option<ContextMap>,
}

/// `CreateGrant` input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateGrantInput {
    /// Key id or ARN.
    pub key_id: Option<String>,
    /// Who may use the grant (an IAM principal); exactly one of this and
    /// `GranteeServicePrincipal`.
    pub grantee_principal: Option<String>,
    /// Who may use the grant (an AWS service principal).
    pub grantee_service_principal: Option<String>,
    /// Who may retire it.
    pub retiring_principal: Option<String>,
    /// Operations allowed.
    pub operations: Option<Vec<String>>,
    /// Constraints.
    pub constraints: Option<GrantConstraints>,
    /// Optional name.
    pub name: Option<String>,
    /// Grant tokens (accepted).
    pub grant_tokens: Option<Vec<String>>,
}

/// What a CreateGrant must carry, once its members are checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantRequest<'a> {
    /// `KeyId`, in any of its forms.
    pub key_id: &'a str,
    /// `GranteePrincipal` or `GranteeServicePrincipal`, whichever was given.
    pub grantee: &'a str,
    /// True when the grantee came as `GranteeServicePrincipal`.
    pub service_grantee: bool,
    /// `Operations`: non-empty, every value a `GrantOperation`.
    pub operations: &'a [String],
}

impl CreateGrantInput {
    /// The member checks KMS makes before it looks at any key (`spec/kms.md#create-grant`):
    /// `KeyId` and a non-empty list of `GrantOperation` values (the required members, with
    /// KMS's Coral messages), then exactly one of `GranteePrincipal` and
    /// `GranteeServicePrincipal`.
    pub fn checked(&self) -> Result<GrantRequest<'_>, crate::ApiError> {
        use crate::kms_errors::{constraint, null_member};
        let key_id = self.key_id.as_deref().ok_or_else(|| null_member("keyId"))?;
        let operations = self
            .operations
            .as_deref()
            .ok_or_else(|| null_member("operations"))?;
        if operations.is_empty() {
            return Err(constraint(
                "[]",
                "operations",
                "Member must have length greater than or equal to 1",
            ));
        }
        if let Some(bad) = operations
            .iter()
            .find(|o| !GRANT_OPERATIONS.contains(&o.as_str()))
        {
            return Err(constraint(
                &format!("[{bad}]"),
                "operations",
                &format!(
                    "Member must satisfy constraint: [Member must satisfy enum value set: [{}]]",
                    GRANT_OPERATIONS.join(", ")
                ),
            ));
        }
        let (grantee, service_grantee) = match (
            self.grantee_principal.as_deref(),
            self.grantee_service_principal.as_deref(),
        ) {
            (Some(p), None) => (p, false),
            (None, Some(s)) => (s, true),
            _ => return Err(crate::kms_errors::one_grantee()),
        };
        Ok(GrantRequest {
            key_id,
            grantee,
            service_grantee,
            operations,
        })
    }
}

/// `CreateGrant` output.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateGrantOutput {
    /// Token.
    pub grant_token: String,
    /// 64 hex characters.
    pub grant_id: String,
}

/// `GrantListEntry`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GrantListEntry {
    /// Key ARN... key id as AWS shows it.
    pub key_id: String,
    /// Grant id.
    pub grant_id: String,
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
    /// Creation (epoch seconds).
    pub creation_date: f64,
    /// Grantee, when CreateGrant named an IAM principal.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub grantee_principal: Option<String>,
    /// Grantee, when CreateGrant named an AWS service principal.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub grantee_service_principal: Option<String>,
    /// Retiring principal.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub retiring_principal: Option<String>,
    /// `arn:aws:iam::<account>:root`.
    pub issuing_account: String,
    /// Operations.
    pub operations: Vec<String>,
    /// Constraints.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub constraints: Option<GrantConstraints>,
}

/// `ListGrants` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListGrantsOutput {
    /// Grants.
    pub grants: Vec<GrantListEntry>,
    /// Next page marker.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub next_marker: Option<String>,
    /// More pages follow.
    pub truncated: bool,
}

/// `RetireGrant` / `RevokeGrant` input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GrantRefInput {
    /// RetireGrant: the token.
    pub grant_token: Option<String>,
    /// Key id or ARN.
    pub key_id: Option<String>,
    /// Grant id.
    pub grant_id: Option<String>,
}

/// `Encrypt` input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EncryptInput {
    /// Key id, ARN, alias name or alias ARN.
    pub key_id: Option<String>,
    /// 1-4096 bytes.
    pub plaintext: Option<Blob>,
    /// Context.
    pub encryption_context: Option<ContextMap>,
    /// `SYMMETRIC_DEFAULT`.
    pub encryption_algorithm: Option<String>,
    /// Grant tokens (accepted).
    pub grant_tokens: Option<Vec<String>>,
}

/// `Encrypt` output.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EncryptOutput {
    /// The blob.
    pub ciphertext_blob: Blob,
    /// Key ARN.
    pub key_id: String,
    /// `SYMMETRIC_DEFAULT`.
    pub encryption_algorithm: String,
}

/// `Decrypt` input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DecryptInput {
    /// 1-6144 bytes.
    pub ciphertext_blob: Option<Blob>,
    /// Context.
    pub encryption_context: Option<ContextMap>,
    /// Optional for symmetric keys; must match the blob's key when given.
    pub key_id: Option<String>,
    /// `SYMMETRIC_DEFAULT`.
    pub encryption_algorithm: Option<String>,
    /// Grant tokens (accepted).
    pub grant_tokens: Option<Vec<String>>,
}

/// `Decrypt` output.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DecryptOutput {
    /// Key ARN.
    pub key_id: String,
    /// The plaintext.
    pub plaintext: Blob,
    /// `SYMMETRIC_DEFAULT`.
    pub encryption_algorithm: String,
    /// The key's `CurrentKeyMaterialId` (the material that opened the blob).
    #[serde(default)]
    pub key_material_id: String,
}

/// `GenerateDataKey` input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateDataKeyInput {
    /// Key id, ARN, alias name or alias ARN.
    pub key_id: Option<String>,
    /// Context.
    pub encryption_context: Option<ContextMap>,
    /// 1-1024, exclusive with `KeySpec`.
    pub number_of_bytes: Option<i64>,
    /// `AES_256` or `AES_128`.
    pub key_spec: Option<String>,
    /// Grant tokens (accepted).
    pub grant_tokens: Option<Vec<String>>,
}

/// `GenerateDataKey` output.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateDataKeyOutput {
    /// The wrapped key.
    pub ciphertext_blob: Blob,
    /// The plaintext key.
    pub plaintext: Blob,
    /// Key ARN.
    pub key_id: String,
    /// The key's `CurrentKeyMaterialId` (the material that sealed the blob).
    #[serde(default)]
    pub key_material_id: String,
}

// Key policy, rotation, tags, alias updates, descriptions, and the data-key operations without
// plaintext (issue 15: what Terraform's AWS provider calls). Their checks are in
// `kms_settings.rs`, the policy documents in `kms_policy.rs`.

/// `GetKeyPolicy` input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetKeyPolicyInput {
    /// Key id or key ARN.
    pub key_id: Option<String>,
    /// `default` (the only name a key policy has).
    pub policy_name: Option<String>,
}

/// `GetKeyPolicy` output.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetKeyPolicyOutput {
    /// The key policy document, a JSON string.
    pub policy: String,
    /// `default`.
    pub policy_name: String,
}

/// `PutKeyPolicy` input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutKeyPolicyInput {
    /// Key id or key ARN.
    pub key_id: Option<String>,
    /// `default`.
    pub policy_name: Option<String>,
    /// The document, 1 to 131072 characters of JSON.
    pub policy: Option<String>,
    /// Accepted (policies are not evaluated).
    pub bypass_policy_lockout_safety_check: Option<bool>,
}

/// `EnableKeyRotation` input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EnableKeyRotationInput {
    /// Key id or key ARN.
    pub key_id: Option<String>,
    /// 90 to 2560, default 365.
    pub rotation_period_in_days: Option<i64>,
}

/// `GetKeyRotationStatus` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetKeyRotationStatusOutput {
    /// Whether automatic rotation is enabled.
    pub key_rotation_enabled: bool,
    /// The key ARN.
    pub key_id: String,
    /// The period, when rotation is enabled.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rotation_period_in_days: Option<i64>,
    /// When the next rotation is due (epoch seconds), when rotation is enabled.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub next_rotation_date: Option<f64>,
}

/// One `Tag` of a KMS key (`TagKey` 1 to 128 characters, `TagValue` 0 to 256).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KmsTag {
    /// The key.
    pub tag_key: Option<String>,
    /// The value.
    pub tag_value: Option<String>,
}

/// `TagResource` input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KmsTagResourceInput {
    /// Key id or key ARN.
    pub key_id: Option<String>,
    /// The tags to add or overwrite.
    pub tags: Option<Vec<KmsTag>>,
}

/// `UntagResource` input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KmsUntagResourceInput {
    /// Key id or key ARN.
    pub key_id: Option<String>,
    /// The tag keys to remove.
    pub tag_keys: Option<Vec<String>>,
}

/// `ListResourceTags` input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListResourceTagsInput {
    /// Key id or key ARN.
    pub key_id: Option<String>,
    /// 1 to 1000, default 50.
    pub limit: Option<i64>,
    /// From a previous `NextMarker`.
    pub marker: Option<String>,
}

/// `ListResourceTags` output.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListResourceTagsOutput {
    /// The tags, by key.
    pub tags: Vec<KmsTag>,
    /// Next page marker.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub next_marker: Option<String>,
    /// More pages follow.
    pub truncated: bool,
}

/// `DeleteAlias` input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteAliasInput {
    /// `alias/...`.
    pub alias_name: Option<String>,
}

/// `UpdateKeyDescription` input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateKeyDescriptionInput {
    /// Key id or key ARN.
    pub key_id: Option<String>,
    /// 0 to 8192 characters.
    pub description: Option<String>,
}

/// `GenerateDataKeyWithoutPlaintext` input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateDataKeyWithoutPlaintextInput {
    /// Key id, ARN, alias name or alias ARN.
    pub key_id: Option<String>,
    /// Context.
    pub encryption_context: Option<ContextMap>,
    /// `AES_256` or `AES_128`.
    pub key_spec: Option<String>,
    /// 1-1024, exclusive with `KeySpec`.
    pub number_of_bytes: Option<i64>,
    /// Grant tokens (accepted).
    pub grant_tokens: Option<Vec<String>>,
    /// Check only: answer `DryRunOperationException` when the request would succeed.
    pub dry_run: Option<bool>,
}

/// `GenerateDataKeyWithoutPlaintext` output.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateDataKeyWithoutPlaintextOutput {
    /// The wrapped key.
    pub ciphertext_blob: Blob,
    /// Key ARN.
    pub key_id: String,
    /// The key's `CurrentKeyMaterialId`.
    #[serde(default)]
    pub key_material_id: String,
}

/// `ReEncrypt` input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReEncryptInput {
    /// 1-6144 bytes.
    pub ciphertext_blob: Option<Blob>,
    /// The context the blob was sealed under.
    pub source_encryption_context: Option<ContextMap>,
    /// Optional for symmetric keys; must name the blob's key when given.
    pub source_key_id: Option<String>,
    /// Key id, ARN, alias name or alias ARN.
    pub destination_key_id: Option<String>,
    /// The context of the new blob.
    pub destination_encryption_context: Option<ContextMap>,
    /// `SYMMETRIC_DEFAULT`.
    pub source_encryption_algorithm: Option<String>,
    /// `SYMMETRIC_DEFAULT`.
    pub destination_encryption_algorithm: Option<String>,
    /// Grant tokens (accepted).
    pub grant_tokens: Option<Vec<String>>,
    /// Check only.
    pub dry_run: Option<bool>,
}

/// `ReEncrypt` output.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReEncryptOutput {
    /// The new blob.
    pub ciphertext_blob: Blob,
    /// The ARN of the key that opened the old blob.
    pub source_key_id: String,
    /// The ARN of the key that sealed the new blob.
    pub key_id: String,
    /// `SYMMETRIC_DEFAULT`.
    pub source_encryption_algorithm: String,
    /// `SYMMETRIC_DEFAULT`.
    pub destination_encryption_algorithm: String,
    /// The source key's `CurrentKeyMaterialId`.
    #[serde(default)]
    pub source_key_material_id: String,
    /// The destination key's `CurrentKeyMaterialId`.
    #[serde(default)]
    pub destination_key_material_id: String,
}

/// `ListRetirableGrants` input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListRetirableGrantsInput {
    /// 1 to 1000, default 50.
    pub limit: Option<i64>,
    /// From a previous `NextMarker`.
    pub marker: Option<String>,
    /// The retiring principal to list grants of.
    pub retiring_principal: Option<String>,
    /// The retiring service principal to list grants of.
    pub retiring_service_principal: Option<String>,
}
