//! Checks several case files share: the `SSEDescription` of a table and the AWS managed key.

use serde_json::{Value, json};

use crate::ctx::{CaseResult, Ctx, Failure, check, check_eq};
use crate::normalize::short;

/// The SSEDescription a KMS table with key `arn` must show (`spec/tables.md#sse-description`).
pub fn kms_sse(arn: &str) -> Value {
    json!({"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": arn})
}

/// Fails unless `description` (a TableDescription) carries exactly `kms_sse(arn)`.
pub fn expect_kms_sse(what: &str, description: &Value, arn: &str) -> CaseResult {
    check_eq(
        &format!("{what} SSEDescription"),
        &kms_sse(arn),
        description.get("SSEDescription").unwrap_or(&Value::Null),
    )
}

/// Fails unless `description` has no SSEDescription.
pub fn expect_no_sse(what: &str, description: &Value) -> CaseResult {
    check(
        description.get("SSEDescription").is_none_or(Value::is_null),
        format!("{what}: no SSEDescription (AWS owned key)"),
        format!(
            "{what}: SSEDescription {}",
            short(description.get("SSEDescription").unwrap_or(&Value::Null))
        ),
    )
}

/// The ARN of the AWS managed key (DescribeKey `alias/aws/dynamodb`).
pub fn managed_key_arn(ctx: &mut Ctx<'_>) -> Result<String, Failure> {
    let r = ctx.kms("DescribeKey", json!({"KeyId": "alias/aws/dynamodb"}))?;
    let arn = r.ok()?["KeyMetadata"]["Arn"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    check(
        !arn.is_empty(),
        "DescribeKey alias/aws/dynamodb returns KeyMetadata.Arn",
        short(&r.body),
    )?;
    Ok(arn)
}

/// The key's grants (ListGrants, one page of up to 100).
pub fn grants(ctx: &mut Ctx<'_>, key: &str) -> Result<Vec<Value>, Failure> {
    let r = ctx.kms("ListGrants", json!({"KeyId": key, "Limit": 100}))?;
    Ok(r.ok()?["Grants"].as_array().cloned().unwrap_or_default())
}

/// The grants of `key` whose encryption-context constraint names `table`.
pub fn table_grants(ctx: &mut Ctx<'_>, key: &str, table: &str) -> Result<Vec<Value>, Failure> {
    Ok(grants(ctx, key)?
        .into_iter()
        .filter(|g| g["Constraints"]["EncryptionContextSubset"]["aws:dynamodb:tableName"] == table)
        .collect())
}

/// The table's status.
pub fn status(ctx: &mut Ctx<'_>, table: &str) -> Result<String, Failure> {
    Ok(ctx.describe(table)?["TableStatus"]
        .as_str()
        .unwrap_or("(none)")
        .to_owned())
}

/// Fails unless the table's status is `expected`.
pub fn expect_status(ctx: &mut Ctx<'_>, table: &str, expected: &str, when: &str) -> CaseResult {
    let s = status(ctx, table)?;
    check(
        s == expected,
        format!("TableStatus {expected} {when}"),
        format!("TableStatus {s} {when}"),
    )
}

/// How long a key switch shows `SSEDescription.Status` `UPDATING` (`spec/tables.md#update-status`:
/// "before `t0` + 22 s (22000 ms)").
pub const SWITCH_MS: u64 = 22_000;

/// How long a deleted table stays `DELETING` (`spec/tables.md#delete`: "Before `d` + 8 s (8000
/// ms)").
pub const DELETING_MS: u64 = 8_000;

/// Polls of a client waiting on a target whose clock the harness cannot move, 2 s apart.
const POLLS: usize = 45;

/// Sleeps between polls on a target without a manual clock (`--real-time` waits through the
/// target; without a clock capability the harness itself waits).
fn pause(ctx: &mut Ctx<'_>) -> CaseResult {
    match ctx.clock() {
        crate::target::ClockControl::None => {
            std::thread::sleep(std::time::Duration::from_secs(2));
            Ok(())
        }
        _ => ctx.advance(2_000),
    }
}

/// Lets an accepted key switch on `table` finish: on a manual clock the clock moves 22 s; on any
/// other target the case polls DescribeTable until `SSEDescription.Status` is no longer
/// `UPDATING`, as a client does (at most 90 s).
pub fn finish_switch(ctx: &mut Ctx<'_>, table: &str) -> CaseResult {
    if ctx.clock() == crate::target::ClockControl::Manual {
        return ctx.advance(SWITCH_MS);
    }
    for _ in 0..POLLS {
        let d = ctx.describe(table)?;
        if d["SSEDescription"]["Status"] != "UPDATING" {
            return Ok(());
        }
        pause(ctx)?;
    }
    Err(crate::ctx::mismatch(
        "SSEDescription.Status leaves UPDATING within 90 s of the switch",
        format!("{table} still UPDATING"),
    ))
}

/// Waits until a deleted `table` is gone: on a manual clock the clock moves 8 s; on any other
/// target the case polls DescribeTable until it answers `ResourceNotFoundException` (at most 90 s).
pub fn finish_delete(ctx: &mut Ctx<'_>, table: &str) -> CaseResult {
    if ctx.clock() == crate::target::ClockControl::Manual {
        return ctx.advance(DELETING_MS);
    }
    for _ in 0..POLLS {
        let r = ctx.ddb("DescribeTable", json!({"TableName": table}))?;
        if r.error_code() == Some("ResourceNotFoundException") {
            return Ok(());
        }
        pause(ctx)?;
    }
    Err(crate::ctx::mismatch(
        "a deleted table is gone within 90 s",
        format!("{table} still described"),
    ))
}

/// Every entry of a KMS List operation, page by page with `limit` (the default when `None`), as
/// the values of `field` of each element of `list`, and the number of pages; `base` holds the
/// operation's other members (`KeyId` of ListGrants). Fails when a page is longer than `max`,
/// when a truncated page has no `NextMarker`, or after 1000 pages.
pub fn kms_pages(
    ctx: &mut Ctx<'_>,
    op: &str,
    base: &Value,
    list: &str,
    field: &str,
    limit: Option<usize>,
    max: usize,
) -> Result<(Vec<String>, usize), Failure> {
    let (mut out, mut count, mut marker) = (Vec::new(), 0, None::<Value>);
    loop {
        let mut body = base.clone();
        if let Some(l) = limit {
            body["Limit"] = json!(l);
        }
        if let Some(m) = &marker {
            body["Marker"] = m.clone();
        }
        let page = ctx.kms(op, body)?.ok()?.clone();
        count += 1;
        let entries = page[list].as_array().cloned().unwrap_or_default();
        check(
            entries.len() <= max,
            format!("{op} returns at most {max} entries"),
            format!("{op} returned {}", entries.len()),
        )?;
        out.extend(
            entries
                .iter()
                .map(|e| e[field].as_str().unwrap_or_default().to_owned()),
        );
        if page["Truncated"] != json!(true) {
            return Ok((out, count));
        }
        let next = page.get("NextMarker").cloned().unwrap_or(Value::Null);
        check(
            next.is_string(),
            format!("a truncated {op} page carries NextMarker"),
            short(&page),
        )?;
        check(
            count < 1000,
            format!("{op} paging ends"),
            "more than 1000 pages",
        )?;
        marker = Some(next);
    }
}
