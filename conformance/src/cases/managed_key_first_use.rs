//! The AWS managed key before and at its first use (`spec/kms.md#aws-managed-key`). It runs
//! first in the suite, because a target makes that key once per account: later cases find it
//! made. On a target where it exists already (most AWS accounts) the case is skipped with the
//! reason.

use serde_json::{Value, json};

use super::Case;
use crate::ctx::{CaseResult, Ctx, Failure, check, check_eq};

/// Cases of this file (the suite puts them first).
pub const CASES: &[Case] = &[Case {
    id: "kms/aws-managed-key/first-use",
    title: "before it exists, naming another key never makes the AWS managed key; the first DescribeKey of its alias does",
    needs: &[],
    run: first_use,
}];

const MANAGED_ALIAS: &str = "alias/aws/dynamodb";

/// Every alias name of the account (ListAliases, every page).
fn alias_names(ctx: &mut Ctx<'_>) -> Result<Vec<(String, Value)>, Failure> {
    let mut out = Vec::new();
    let mut marker: Option<Value> = None;
    for _ in 0..1000 {
        let mut body = json!({"Limit": 100});
        if let Some(m) = &marker {
            body["Marker"] = m.clone();
        }
        let page = ctx.kms("ListAliases", body)?.ok()?.clone();
        for a in page["Aliases"].as_array().cloned().unwrap_or_default() {
            out.push((
                a["AliasName"].as_str().unwrap_or_default().to_owned(),
                a["TargetKeyId"].clone(),
            ));
        }
        if page["Truncated"] != json!(true) {
            return Ok(out);
        }
        marker = Some(page["NextMarker"].clone());
    }
    Err(crate::ctx::mismatch(
        "ListAliases paging ends",
        "more than 1000 pages",
    ))
}

fn managed_alias(ctx: &mut Ctx<'_>) -> Result<Option<Value>, Failure> {
    Ok(alias_names(ctx)?
        .into_iter()
        .find(|(n, _)| n == MANAGED_ALIAS)
        .map(|(_, target)| target))
}

//= spec/kms.md#aws-managed-key
//= type=test
//# The first CreateTable or UpdateTable that selects the AWS managed key, or the first DescribeKey naming `alias/aws/dynamodb` or its alias ARN, MUST create one key with `KeyManager` `AWS` and `Description` `Default key that protects my DynamoDB data when no other key is defined`, and point `alias/aws/dynamodb` at it.
fn first_use(ctx: &mut Ctx<'_>) -> CaseResult {
    if managed_alias(ctx)?.is_some() {
        return Err(Failure::Skip(
            "the AWS managed key for DynamoDB exists already on this target; this case needs one where it does not"
                .to_owned(),
        ));
    }
    // A customer managed key, named before the AWS managed key exists, is the key selected.
    let key = ctx.create_key()?;
    let described = ctx.kms("DescribeKey", json!({"KeyId": key.id}))?;
    check_eq(
        "DescribeKey of a customer managed key before the AWS managed key exists",
        &json!({"KeyId": key.id, "KeyManager": "CUSTOMER"}),
        &json!({"KeyId": described.ok()?["KeyMetadata"]["KeyId"],
                "KeyManager": described.ok()?["KeyMetadata"]["KeyManager"]}),
    )?;
    customer_key_selected(ctx, &key)?;
    no_alias_before(ctx)?;
    // The first DescribeKey of the alias makes the key.
    let r = ctx.kms("DescribeKey", json!({"KeyId": MANAGED_ALIAS}))?;
    let meta = r.ok()?["KeyMetadata"].clone();
    check_eq(
        "the key the first DescribeKey of alias/aws/dynamodb makes",
        &json!({"KeyManager": "AWS",
                "Description": "Default key that protects my DynamoDB data when no other key is defined"}),
        &json!({"KeyManager": meta["KeyManager"], "Description": meta["Description"]}),
    )?;
    let target = managed_alias(ctx)?;
    check(
        target.as_ref() == Some(&meta["KeyId"]),
        format!("ListAliases: {MANAGED_ALIAS} points at {}", meta["KeyId"]),
        format!("{MANAGED_ALIAS} -> {target:?}"),
    )
}

//= spec/tables.md#sse-customer-key
//= type=test
//# A `KMSMasterKeyId` given as a key id, a key ARN, an alias name (`alias/<name>`) or an alias ARN (`arn:aws:kms:<region>:<account>:alias/<name>`) MUST select the key it names, and all four forms of the same key MUST produce the same `KMSMasterKeyArn`, which is the key ARN `arn:aws:kms:<region>:<account>:key/<key id>`, never an alias ARN.
fn customer_key_selected(ctx: &mut Ctx<'_>, key: &crate::ctx::Key) -> CaseResult {
    let table = ctx.created_table(
        "before-managed",
        Some(json!({"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": key.id})),
    )?;
    let arn = ctx.describe(&table)?["SSEDescription"]["KMSMasterKeyArn"].clone();
    check_eq(
        "KMSMasterKeyArn of a table created with a customer managed key before the AWS managed key exists",
        &json!(key.arn),
        &arn,
    )
}

//= spec/kms.md#aliases
//= type=test
//# ListAliases MUST return, for every alias, `AliasName`, `AliasArn` (`arn:aws:kms:<region>:<account>:<AliasName>`), `TargetKeyId` (the key id), `CreationDate` and `LastUpdatedDate`, and MUST NOT list `alias/aws/dynamodb` before the AWS managed key exists.
fn no_alias_before(ctx: &mut Ctx<'_>) -> CaseResult {
    let target = managed_alias(ctx)?;
    check(
        target.is_none(),
        format!("no {MANAGED_ALIAS} after naming only a customer managed key"),
        format!("{MANAGED_ALIAS} -> {target:?}"),
    )
}
