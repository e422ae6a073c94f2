//! Validation of `SSESpecification` (`spec/tables.md#sse-validation`): every message, the order
//! of the checks, and the KMS-wrapped errors of unusable or unknown keys.

use serde_json::{Value, json};

use super::Case;
use crate::ctx::{CaseResult, Ctx, check};

/// Cases of this file.
pub const CASES: &[Case] = &[
    Case {
        id: "tables/sse-type-enum",
        title: "SSEType outside [AES256, KMS] is rejected with the enum message",
        needs: &[],
        run: type_enum,
    },
    Case {
        id: "tables/sse-type-with-disabled",
        title: "SSEType with Enabled false is rejected",
        needs: &[],
        run: type_with_disabled,
    },
    Case {
        id: "tables/sse-key-with-disabled",
        title: "KMSMasterKeyId with Enabled false is rejected",
        needs: &[],
        run: key_with_disabled,
    },
    Case {
        id: "tables/sse-type-aes256",
        title: "SSEType AES256 is rejected",
        needs: &[],
        run: type_aes256,
    },
    Case {
        id: "tables/sse-type-required",
        title: "KMSMasterKeyId without SSEType is rejected",
        needs: &[],
        run: type_required,
    },
    Case {
        id: "tables/sse-validation-order",
        title: "only the first failing check of 3.2 to 3.6 is reported",
        needs: &[],
        run: order,
    },
    Case {
        id: "tables/sse-validation/rejected-creates-nothing",
        title: "a rejected CreateTable creates no table and calls no KMS operation",
        needs: &[],
        run: rejected_creates_nothing,
    },
    Case {
        id: "tables/sse-key-unusable/disabled",
        title: "CreateTable with a disabled key: the wrapped DisabledException message",
        needs: &[],
        run: key_disabled,
    },
    Case {
        id: "tables/sse-key-unusable/pending-deletion",
        title: "CreateTable with a key pending deletion: the wrapped KMSInvalidStateException",
        needs: &[],
        run: key_pending,
    },
    Case {
        id: "tables/sse-key-unusable/unknown-key-id",
        title: "CreateTable with an unknown key id: the wrapped NotFoundException",
        needs: &[],
        run: unknown_key_id,
    },
    Case {
        id: "tables/sse-key-unusable/unknown-key-arn",
        title: "CreateTable with an unknown key ARN: the wrapped NotFoundException",
        needs: &[],
        run: unknown_key_arn,
    },
    Case {
        id: "tables/sse-key-unusable/unknown-alias",
        title: "CreateTable with an unknown alias: the wrapped alias NotFoundException",
        needs: &[],
        run: unknown_alias,
    },
];

fn rejected(ctx: &mut Ctx<'_>, sse: Value, message: &str) -> CaseResult {
    let (_, reply) = ctx.create_table("invalid", Some(sse))?;
    reply.expect_error("ValidationException", Some(message))
}

//= spec/tables.md#sse-type-enum
//= type=test
//# An `SSEType` other than `AES256` or `KMS` (compared case-sensitively) MUST be rejected with the message `1 validation error detected: Value '<value>' at 'sSESpecification.sSEType' failed to satisfy constraint: Member must satisfy enum value set: [AES256, KMS]`.
fn type_enum(ctx: &mut Ctx<'_>) -> CaseResult {
    rejected(
        ctx,
        json!({"Enabled": true, "SSEType": "kms"}),
        "1 validation error detected: Value 'kms' at 'sSESpecification.sSEType' failed to satisfy constraint: Member must satisfy enum value set: [AES256, KMS]",
    )
}

//= spec/tables.md#sse-type-with-disabled
//= type=test
//# An `SSESpecification` with `Enabled` false and an `SSEType` MUST be rejected with the message `One or more parameter values were invalid: SSEType can not be specified if Enabled is false`.
fn type_with_disabled(ctx: &mut Ctx<'_>) -> CaseResult {
    rejected(
        ctx,
        json!({"Enabled": false, "SSEType": "KMS"}),
        "One or more parameter values were invalid: SSEType can not be specified if Enabled is false",
    )
}

//= spec/tables.md#sse-key-with-disabled
//= type=test
//# An `SSESpecification` with `Enabled` false and a `KMSMasterKeyId` MUST be rejected with the message `One or more parameter values were invalid: KMSMasterKeyId can not be specified if Enabled is false`.
fn key_with_disabled(ctx: &mut Ctx<'_>) -> CaseResult {
    rejected(
        ctx,
        json!({"Enabled": false, "KMSMasterKeyId": "alias/anything"}),
        "One or more parameter values were invalid: KMSMasterKeyId can not be specified if Enabled is false",
    )
}

//= spec/tables.md#sse-type-aes256
//= type=test
//# An `SSESpecification` with `SSEType` `AES256` MUST be rejected with the message `One or more parameter values were invalid: SSEType AES256 is not supported`.
fn type_aes256(ctx: &mut Ctx<'_>) -> CaseResult {
    rejected(
        ctx,
        json!({"Enabled": true, "SSEType": "AES256"}),
        "One or more parameter values were invalid: SSEType AES256 is not supported",
    )
}

//= spec/tables.md#sse-type-required
//= type=test
//# An `SSESpecification` with a `KMSMasterKeyId` and without `SSEType` MUST be rejected with the message `One or more parameter values were invalid: SSEType KMS is required if KMSMasterKeyId is specified`.
fn type_required(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    rejected(
        ctx,
        json!({"Enabled": true, "KMSMasterKeyId": key.id}),
        "One or more parameter values were invalid: SSEType KMS is required if KMSMasterKeyId is specified",
    )
}

//= spec/tables.md#sse-validation-order
//= type=test
//# A target MUST apply the checks of sections 3.2 to 3.6 in that order and report only the first that fails.
fn order(ctx: &mut Ctx<'_>) -> CaseResult {
    rejected(
        ctx,
        json!({"Enabled": false, "SSEType": "bogus", "KMSMasterKeyId": "alias/x"}),
        "1 validation error detected: Value 'bogus' at 'sSESpecification.sSEType' failed to satisfy constraint: Member must satisfy enum value set: [AES256, KMS]",
    )?;
    rejected(
        ctx,
        json!({"Enabled": false, "SSEType": "KMS", "KMSMasterKeyId": "alias/x"}),
        "One or more parameter values were invalid: SSEType can not be specified if Enabled is false",
    )?;
    rejected(
        ctx,
        json!({"Enabled": true, "SSEType": "AES256", "KMSMasterKeyId": "alias/x"}),
        "One or more parameter values were invalid: SSEType AES256 is not supported",
    )
}

fn rejected_creates_nothing(ctx: &mut Ctx<'_>) -> CaseResult {
    let (name, reply) = ctx.create_table(
        "invalid",
        Some(json!({"Enabled": true, "SSEType": "AES256"})),
    )?;
    reply.expect_error("ValidationException", None)?;
    let d = ctx.ddb("DescribeTable", json!({"TableName": name}))?;
    d.expect_error("ResourceNotFoundException", None)?;
    let kms: Vec<String> = ctx
        .trail()?
        .iter()
        .filter(|r| r["eventSource"] == "kms.amazonaws.com")
        .map(|r| r["eventName"].as_str().unwrap_or("?").to_owned())
        .collect();
    check(
        kms.is_empty(),
        "no KMS record for a request rejected by validation",
        format!("KMS records: {}", kms.join(", ")),
    )
}

fn key_arn(ctx: &Ctx<'_>, id: &str) -> String {
    format!("arn:aws:kms:{}:{}:key/{id}", ctx.region(), ctx.account())
}

//= spec/tables.md#sse-key-unusable
//= type=test
//# A CreateTable or UpdateTable that selects a disabled key MUST fail with `ValidationException` and the message below:
fn key_disabled(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    ctx.kms("DisableKey", json!({"KeyId": key.id}))?.ok()?;
    let (_, r) = ctx.create_table(
        "disabled",
        Some(json!({"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": key.id})),
    )?;
    r.expect_error(
        "ValidationException",
        Some(&format!("KMS key disabled error: com.amazonaws.services.kms.model.DisabledException: {} is disabled. (Service: AWSKMS; Status Code: 400; Error Code: DisabledException; Request ID: x; Proxy: null)", key.arn)),
    )
}

//= spec/tables.md#sse-key-unusable
//= type=test
//# A CreateTable or UpdateTable that selects a key pending deletion MUST fail with `ValidationException` and the message below:
fn key_pending(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    ctx.kms(
        "ScheduleKeyDeletion",
        json!({"KeyId": key.id, "PendingWindowInDays": 7}),
    )?
    .ok()?;
    let (_, r) = ctx.create_table(
        "pending",
        Some(json!({"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": key.arn})),
    )?;
    r.expect_error(
        "ValidationException",
        Some(&format!("KMS validation error: com.amazonaws.services.kms.model.KMSInvalidStateException: {} is pending deletion. (Service: AWSKMS; Status Code: 400; Error Code: KMSInvalidStateException; Request ID: x; Proxy: null)", key.arn)),
    )
}

//= spec/tables.md#sse-key-unusable
//= type=test
//# A CreateTable or UpdateTable that names an unknown key id or key ARN MUST fail with `ValidationException` and the message `KMS validation error: com.amazonaws.services.kms.model.NotFoundException: Key '<key arn>' does not exist (Service: AWSKMS; Status Code: 400; Error Code: NotFoundException; Request ID: <uuid>; Proxy: null)`.
fn unknown(ctx: &mut Ctx<'_>, id: String) -> CaseResult {
    let unknown = "0badc0de-0000-4000-8000-00000000beef";
    let arn = key_arn(ctx, unknown);
    let (_, r) = ctx.create_table(
        "unknown",
        Some(json!({"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": id})),
    )?;
    r.expect_error(
        "ValidationException",
        Some(&format!("KMS validation error: com.amazonaws.services.kms.model.NotFoundException: Key '{arn}' does not exist (Service: AWSKMS; Status Code: 400; Error Code: NotFoundException; Request ID: x; Proxy: null)")),
    )
}

fn unknown_key_id(ctx: &mut Ctx<'_>) -> CaseResult {
    unknown(ctx, "0badc0de-0000-4000-8000-00000000beef".to_owned())
}

fn unknown_key_arn(ctx: &mut Ctx<'_>) -> CaseResult {
    let arn = key_arn(ctx, "0badc0de-0000-4000-8000-00000000beef");
    unknown(ctx, arn)
}

//= spec/tables.md#sse-key-unusable
//= type=test
//# A CreateTable or UpdateTable that names an unknown alias MUST fail with `ValidationException` and the message below:
fn unknown_alias(ctx: &mut Ctx<'_>) -> CaseResult {
    let alias = format!("alias/{}", ctx.name("missing"));
    let alias_arn = ctx.alias_arn(&alias);
    let (_, r) = ctx.create_table(
        "unknown-alias",
        Some(json!({"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": alias})),
    )?;
    r.expect_error(
        "ValidationException",
        Some(&format!("KMS validation error: com.amazonaws.services.kms.model.NotFoundException: Alias {alias_arn} is not found. (Service: AWSKMS; Status Code: 400; Error Code: NotFoundException; Request ID: x; Proxy: null)")),
    )
}
