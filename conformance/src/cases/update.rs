//! UpdateTable: switching keys, re-sending the current key, the old key unusable, and the switch
//! quota (`spec/tables.md#update`).

use ddbsse_wire::time::{HOUR, Timestamp};
use serde_json::{Value, json};

use super::util::{expect_kms_sse, expect_no_sse, finish_switch, managed_key_arn, table_grants};
use super::{Case, Need};
use crate::ctx::{CaseResult, Ctx, Failure, Key, check, check_eq};

/// Cases of this file.
pub const CASES: &[Case] = &[
    Case {
        id: "tables/update-status/owned-to-managed",
        title: "owned -> managed: UPDATING with Status alone, then ENABLED with the managed key",
        needs: &[],
        run: owned_to_managed,
    },
    Case {
        id: "tables/update-status/phases-customer",
        title: "customer A -> B: old key UPDATING until 8 s, new key UPDATING until 22 s, then ENABLED",
        needs: &[Need::ManualClock],
        run: phases_customer,
    },
    Case {
        id: "tables/update-status/phases-owned",
        title: "customer -> owned: old key UPDATING until 8 s, Status alone until 22 s, then none",
        needs: &[Need::ManualClock],
        run: phases_owned,
    },
    Case {
        id: "tables/update-status/data-plane-new-key",
        title: "during the switch the data plane uses the new key: disabling the old key changes nothing",
        needs: &[],
        run: data_plane_new_key,
    },
    Case {
        id: "tables/update-switch/managed-to-customer",
        title: "managed -> customer: UPDATING with the old ARN, then the new key and its grant",
        needs: &[],
        run: managed_to_customer,
    },
    Case {
        id: "tables/update-switch/customer-to-customer",
        title: "customer -> customer: grant on the new key, the old key's grant retired",
        needs: &[],
        run: customer_to_customer,
    },
    Case {
        id: "tables/update-switch/customer-to-owned",
        title: "customer -> owned: no SSEDescription afterwards, the grant retired",
        needs: &[],
        run: customer_to_owned,
    },
    Case {
        id: "tables/update-sse-only",
        title: "SSESpecification with another change is rejected",
        needs: &[],
        run: sse_only,
    },
    Case {
        id: "tables/update-resend/key-arn-rejected",
        title: "re-sending the current key's ARN is rejected",
        needs: &[],
        run: resend_arn,
    },
    Case {
        id: "tables/update-resend/key-id-accepted",
        title: "re-sending the current key by id is a switch",
        needs: &[],
        run: resend_id,
    },
    Case {
        id: "tables/update-resend/owned-rejected",
        title: "selecting the owned key on an owned-key table is rejected",
        needs: &[],
        run: resend_owned,
    },
    Case {
        id: "tables/update-old-key-unusable",
        title: "a switch while the current key is disabled fails naming the current key",
        needs: &[],
        run: old_key_unusable,
    },
    Case {
        id: "tables/update-quota/fifth-change-rejected",
        title: "4 changes in a window are accepted, the 5th within 6 h is LimitExceededException",
        needs: &[],
        run: quota_fifth,
    },
    Case {
        id: "tables/update-quota/owned-always-allowed",
        title: "after 4 changes a switch to the owned key is still accepted",
        needs: &[],
        run: quota_owned,
    },
    Case {
        id: "tables/update-quota/rejected-do-not-count",
        title: "the quota check runs before key checks; rejected requests do not count",
        needs: &[],
        run: quota_rejected,
    },
    Case {
        id: "tables/update-quota/after-6h",
        title: "after 4 changes, one more is accepted 21600 s after the last, not 1 s earlier",
        needs: &[Need::ManualClock],
        run: quota_after_6h,
    },
];

fn update(ctx: &mut Ctx<'_>, table: &str, sse: Value) -> Result<crate::ctx::Reply, Failure> {
    ctx.ddb(
        "UpdateTable",
        json!({"TableName": table, "SSESpecification": sse}),
    )
}

fn to_key(key: &str) -> Value {
    json!({"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": key})
}

fn customer_table(ctx: &mut Ctx<'_>, key: &Key) -> Result<String, Failure> {
    ctx.created_table("customer", Some(to_key(&key.id)))
}

//= spec/tables.md#update-status
//= type=test
//# The `TableStatus` of a table MUST stay `ACTIVE` during and after an accepted SSE switch.
//# The UpdateTable response of an accepted switch MUST carry `SSEDescription` with `Status` `UPDATING`, and with `SSEType` `KMS` and the old `KMSMasterKeyArn` when the table used a KMS key before the switch, or with `Status` alone when it used the AWS owned key.
//= spec/tables.md#update-status
//= type=test
//# A description of the table made at or after `t0` + 22 s MUST describe the new key: `SSEDescription` with `Status` `ENABLED` and the new key ARN for a KMS key, or no `SSEDescription` for the AWS owned key.
fn owned_to_managed(ctx: &mut Ctx<'_>) -> CaseResult {
    let table = ctx.created_table("owned", None)?;
    ctx.describe(&table)?;
    let r = update(ctx, &table, json!({"Enabled": true}))?;
    let desc = r.ok()?["TableDescription"].clone();
    check_eq(
        "UpdateTable SSEDescription",
        &json!({"Status": "UPDATING"}),
        &desc["SSEDescription"],
    )?;
    check_eq(
        "UpdateTable TableStatus",
        &json!("ACTIVE"),
        &desc["TableStatus"],
    )?;
    let arn = managed_key_arn(ctx)?;
    finish_switch(ctx, &table)?;
    let d = ctx.describe(&table)?;
    check_eq(
        "DescribeTable TableStatus",
        &json!("ACTIVE"),
        &d["TableStatus"],
    )?;
    expect_kms_sse("DescribeTable after the switch", &d, &arn)
}

/// Describes `table` at `t0 + at_ms` (the clock is at `t0 + from_ms`) and checks its
/// `SSEDescription` (`Value::Null`: none) and that `TableStatus` is `ACTIVE`.
fn sse_at(
    ctx: &mut Ctx<'_>,
    table: &str,
    from_ms: u64,
    at_ms: u64,
    expected: &Value,
) -> CaseResult {
    ctx.advance(at_ms - from_ms)?;
    let d = ctx.describe(table)?;
    check_eq(
        &format!("TableStatus {at_ms} ms after the switch"),
        &json!("ACTIVE"),
        &d["TableStatus"],
    )?;
    check_eq(
        &format!("SSEDescription {at_ms} ms after the switch"),
        expected,
        d.get("SSEDescription").unwrap_or(&Value::Null),
    )
}

//= spec/tables.md#update-status
//= type=test
//# A description of the table made before `t0` + 8 s (8000 ms) MUST carry the same `SSEDescription` as the UpdateTable response.
//# A description of the table made at or after `t0` + 8 s and before `t0` + 22 s (22000 ms) MUST carry `SSEDescription` with `Status` `UPDATING`, and with `SSEType` `KMS` and the new key ARN when the new key is a KMS key, or with `Status` alone when the new key is the AWS owned key.
//# A description of the table made at or after `t0` + 22 s MUST describe the new key: `SSEDescription` with `Status` `ENABLED` and the new key ARN for a KMS key, or no `SSEDescription` for the AWS owned key.
fn phases_customer(ctx: &mut Ctx<'_>) -> CaseResult {
    let a = ctx.create_key()?;
    let b = ctx.create_key()?;
    let table = customer_table(ctx, &a)?;
    ctx.advance(1000)?;
    let r = update(ctx, &table, to_key(&b.id))?;
    let old = json!({"Status": "UPDATING", "SSEType": "KMS", "KMSMasterKeyArn": a.arn});
    check_eq(
        "UpdateTable SSEDescription",
        &old,
        &r.ok()?["TableDescription"]["SSEDescription"],
    )?;
    let new = json!({"Status": "UPDATING", "SSEType": "KMS", "KMSMasterKeyArn": b.arn});
    sse_at(ctx, &table, 0, 7999, &old)?;
    sse_at(ctx, &table, 7999, 8000, &new)?;
    sse_at(ctx, &table, 8000, 21_999, &new)?;
    sse_at(
        ctx,
        &table,
        21_999,
        22_000,
        &json!({"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": b.arn}),
    )
}

//= spec/tables.md#update-status
//= type=test
//# A description of the table made at or after `t0` + 8 s and before `t0` + 22 s (22000 ms) MUST carry `SSEDescription` with `Status` `UPDATING`, and with `SSEType` `KMS` and the new key ARN when the new key is a KMS key, or with `Status` alone when the new key is the AWS owned key.
fn phases_owned(ctx: &mut Ctx<'_>) -> CaseResult {
    let a = ctx.create_key()?;
    let table = customer_table(ctx, &a)?;
    ctx.advance(1000)?;
    update(ctx, &table, json!({"Enabled": false}))?.ok()?;
    let old = json!({"Status": "UPDATING", "SSEType": "KMS", "KMSMasterKeyArn": a.arn});
    sse_at(ctx, &table, 0, 7999, &old)?;
    sse_at(ctx, &table, 7999, 8000, &json!({"Status": "UPDATING"}))?;
    sse_at(ctx, &table, 8000, 21_999, &json!({"Status": "UPDATING"}))?;
    sse_at(ctx, &table, 21_999, 22_000, &Value::Null)
}

//= spec/tables.md#update-status
//= type=test
//# From `t0` on, data-plane requests on the table MUST use the new table key and only the new key, so disabling the old key after `t0` MUST NOT make a data-plane request on the table fail.
fn data_plane_new_key(ctx: &mut Ctx<'_>) -> CaseResult {
    let a = ctx.create_key()?;
    let b = ctx.create_key()?;
    let table = customer_table(ctx, &a)?;
    ctx.put(&table, "before", "1")?.ok()?;
    update(ctx, &table, to_key(&b.id))?.ok()?;
    ctx.kms("DisableKey", json!({"KeyId": a.id}))?.ok()?;
    let got = ctx.get(&table, "before")?;
    check_eq(
        "item written before the switch, read during it with the old key disabled",
        &json!({"S": "1"}),
        &got.ok()?["Item"]["v"],
    )?;
    ctx.put(&table, "during", "2")?.ok()?;
    let got = ctx.get(&table, "during")?;
    check_eq(
        "item written during the switch",
        &json!({"S": "2"}),
        &got.ok()?["Item"]["v"],
    )
}

//= spec/tables.md#update-switch
//= type=test
//# An UpdateTable whose `SSESpecification` selects a different key kind or a different key MUST be accepted, subject to sections 3, 4.2, 4.3, 4.5 and 4.6, for every pair among the AWS owned key, the AWS managed key and customer managed keys.
//# An accepted switch MUST create a grant on the new key and a new table key under it when the new key is a KMS key, and MUST retire the table's grant on the old key when the table used a KMS key, as `spec/trail.md#ddb-kms-calls` lists.
fn managed_to_customer(ctx: &mut Ctx<'_>) -> CaseResult {
    let table = ctx.created_table("managed", Some(json!({"Enabled": true})))?;
    let managed = managed_key_arn(ctx)?;
    let key = ctx.create_key()?;
    let r = update(ctx, &table, to_key(&key.arn))?;
    let desc = r.ok()?["TableDescription"].clone();
    check_eq(
        "UpdateTable SSEDescription",
        &json!({"Status": "UPDATING", "SSEType": "KMS", "KMSMasterKeyArn": managed}),
        &desc["SSEDescription"],
    )?;
    finish_switch(ctx, &table)?;
    let d = ctx.describe(&table)?;
    expect_kms_sse("DescribeTable after the switch", &d, &key.arn)?;
    let new = table_grants(ctx, &key.id, &table)?;
    check(
        new.len() == 1,
        "one grant for the table on the new key",
        format!("{} grant(s)", new.len()),
    )?;
    let old = table_grants(ctx, &managed, &table)?;
    check(
        old.is_empty(),
        "no grant for the table left on the managed key",
        format!("{} grant(s)", old.len()),
    )
}

fn customer_to_customer(ctx: &mut Ctx<'_>) -> CaseResult {
    let a = ctx.create_key()?;
    let b = ctx.create_key()?;
    let table = customer_table(ctx, &a)?;
    let r = update(ctx, &table, to_key(&b.id))?;
    let desc = r.ok()?["TableDescription"].clone();
    check_eq(
        "UpdateTable SSEDescription",
        &json!({"Status": "UPDATING", "SSEType": "KMS", "KMSMasterKeyArn": a.arn}),
        &desc["SSEDescription"],
    )?;
    finish_switch(ctx, &table)?;
    let d = ctx.describe(&table)?;
    expect_kms_sse("DescribeTable after the switch", &d, &b.arn)?;
    let new = table_grants(ctx, &b.id, &table)?;
    check(
        new.len() == 1,
        "one grant for the table on the new key",
        format!("{} grant(s)", new.len()),
    )?;
    let old = table_grants(ctx, &a.id, &table)?;
    check(
        old.is_empty(),
        "the old key's grant retired",
        format!("{} grant(s) left", old.len()),
    )?;
    ctx.put(&table, "after-switch", "1")?.ok()?;
    let got = ctx.get(&table, "after-switch")?;
    check_eq(
        "item written after the switch",
        &json!({"S": "1"}),
        &got.ok()?["Item"]["v"],
    )
}

fn customer_to_owned(ctx: &mut Ctx<'_>) -> CaseResult {
    let a = ctx.create_key()?;
    let table = customer_table(ctx, &a)?;
    let r = update(ctx, &table, json!({"Enabled": false}))?;
    let desc = r.ok()?["TableDescription"].clone();
    check_eq(
        "UpdateTable SSEDescription",
        &json!({"Status": "UPDATING", "SSEType": "KMS", "KMSMasterKeyArn": a.arn}),
        &desc["SSEDescription"],
    )?;
    finish_switch(ctx, &table)?;
    let d = ctx.describe(&table)?;
    expect_no_sse("DescribeTable after the switch to the owned key", &d)?;
    let old = table_grants(ctx, &a.id, &table)?;
    check(
        old.is_empty(),
        "the old key's grant retired",
        format!("{} grant(s) left", old.len()),
    )
}

//= spec/tables.md#update-sse-only
//= type=test
//# An UpdateTable that carries `SSESpecification` together with any other member besides `TableName` MUST fail with `ValidationException` and the message `One or more parameter values were invalid: Server-Side Encryption modification must be the only operation in the request`.
fn sse_only(ctx: &mut Ctx<'_>) -> CaseResult {
    let table = ctx.created_table("owned", None)?;
    let r = ctx.ddb(
        "UpdateTable",
        json!({"TableName": table, "SSESpecification": {"Enabled": true}, "BillingMode": "PAY_PER_REQUEST"}),
    )?;
    r.expect_error(
        "ValidationException",
        Some("One or more parameter values were invalid: Server-Side Encryption modification must be the only operation in the request"),
    )
}

//= spec/tables.md#update-resend
//= type=test
//# On a table already using key X, an UpdateTable whose `KMSMasterKeyId` is X's key ARN MUST fail with `ValidationException` and the message below:
fn resend_arn(ctx: &mut Ctx<'_>) -> CaseResult {
    let a = ctx.create_key()?;
    let table = customer_table(ctx, &a)?;
    update(ctx, &table, to_key(&a.arn))?.expect_error(
        "ValidationException",
        Some("One or more parameter values were invalid: Table is already encrypted with given KMSMasterKeyId. Use KMSMasterKeyId parameter if you want to change Master Key"),
    )
}

//= spec/tables.md#update-resend
//= type=test
//# On a table already using key X, an UpdateTable that selects X without naming its key ARN (by key id, alias name, alias ARN, or `Enabled` true when X is the AWS managed key) MUST be accepted as a switch to X that counts against the quota of section 4.6.
fn resend_id(ctx: &mut Ctx<'_>) -> CaseResult {
    let a = ctx.create_key()?;
    let table = customer_table(ctx, &a)?;
    let r = update(ctx, &table, to_key(&a.id))?;
    check_eq(
        "UpdateTable SSEDescription",
        &json!({"Status": "UPDATING", "SSEType": "KMS", "KMSMasterKeyArn": a.arn}),
        &r.ok()?["TableDescription"]["SSEDescription"],
    )?;
    finish_switch(ctx, &table)?;
    let d = ctx.describe(&table)?;
    expect_kms_sse("DescribeTable after the re-send", &d, &a.arn)?;
    let g = table_grants(ctx, &a.id, &table)?;
    check(
        g.len() == 1,
        "exactly one grant for the table (new one made, old retired)",
        format!("{} grant(s)", g.len()),
    )
}

//= spec/tables.md#update-resend
//= type=test
//# On a table using the AWS owned key, an UpdateTable whose `SSESpecification` selects the AWS owned key MUST fail with `ValidationException` and the message `One or more parameter values were invalid: Table is already encrypted by default`.
fn resend_owned(ctx: &mut Ctx<'_>) -> CaseResult {
    let table = ctx.created_table("owned", None)?;
    update(ctx, &table, json!({"Enabled": false}))?.expect_error(
        "ValidationException",
        Some("One or more parameter values were invalid: Table is already encrypted by default"),
    )
}

//= spec/tables.md#update-old-key-unusable
//= type=test
//# While a table's current key is disabled or pending deletion, an UpdateTable with `SSESpecification` MUST fail with the message of section 3.7 that names the current key, whatever key the request selects.
fn old_key_unusable(ctx: &mut Ctx<'_>) -> CaseResult {
    let a = ctx.create_key()?;
    let b = ctx.create_key()?;
    let table = customer_table(ctx, &a)?;
    ctx.kms("DisableKey", json!({"KeyId": a.id}))?.ok()?;
    update(ctx, &table, to_key(&b.id))?.expect_error(
        "ValidationException",
        Some(&format!("KMS key disabled error: com.amazonaws.services.kms.model.DisabledException: {} is disabled. (Service: AWSKMS; Status Code: 400; Error Code: DisabledException; Request ID: x; Proxy: null)", a.arn)),
    )
}

/// Creates a table on key A and makes 4 accepted changes (A->B->A->B->A by key id); returns the
/// table, both keys and the table's creation time.
fn four_changes(ctx: &mut Ctx<'_>) -> Result<(String, Key, Key, Timestamp), Failure> {
    let a = ctx.create_key()?;
    let b = ctx.create_key()?;
    let table = customer_table(ctx, &a)?;
    let created = ctx.now();
    for (i, k) in [&b, &a, &b, &a].into_iter().enumerate() {
        let r = update(ctx, &table, to_key(&k.id))?;
        check(
            r.status == 200,
            format!("change {} of 4 in the window accepted", i + 1),
            format!("change {} answered {} {}", i + 1, r.status, r.body),
        )?;
    }
    Ok((table, a, b, created))
}

//= spec/tables.md#update-quota
//= type=test
//# Within one 24-hour window counted from table creation, a target MUST accept the first 4 changes to a KMS key, and after those MUST accept a further change to a KMS key only when at least 6 hours (21600 s) have passed since the most recent change, rejecting it otherwise.
//= spec/tables.md#update-quota
//= type=test
//# A rejected switch MUST fail with `LimitExceededException` (HTTP 400) and the message below:
fn quota_fifth(ctx: &mut Ctx<'_>) -> CaseResult {
    let (table, _a, b, created) = four_changes(ctx)?;
    let last = ctx.now();
    let r = update(ctx, &table, to_key(&b.id))?;
    let message = (ctx.clock() == crate::target::ClockControl::Manual).then(|| {
        format!(
            "Subscriber limit exceeded: Encryption mode changes are limited in the 24h window ending at {}. After the first 4 change, each subsequent change in the same window can be performed at most once every 21600 seconds. Number of updates today: 4. Last change at {}",
            created.plus(24 * HOUR).iso_millis(),
            last.iso_millis()
        )
    });
    r.expect_error("LimitExceededException", message.as_deref())
}

//= spec/tables.md#update-quota
//= type=test
//# A switch to the AWS owned key MUST always be accepted by the quota check, and it counts as a change.
fn quota_owned(ctx: &mut Ctx<'_>) -> CaseResult {
    let (table, ..) = four_changes(ctx)?;
    let r = update(ctx, &table, json!({"Enabled": false}))?;
    r.ok()?;
    finish_switch(ctx, &table)?;
    expect_no_sse(
        "DescribeTable after the switch to the owned key",
        &ctx.describe(&table)?,
    )
}

//= spec/tables.md#update-quota
//= type=test
//# Within one 24-hour window counted from table creation, a target MUST accept the first 4 changes to a KMS key, and after those MUST accept a further change to a KMS key only when at least 6 hours (21600 s) have passed since the most recent change, rejecting it otherwise.
fn quota_after_6h(ctx: &mut Ctx<'_>) -> CaseResult {
    let (table, _a, b, _) = four_changes(ctx)?;
    ctx.advance(6 * HOUR - 1000)?;
    update(ctx, &table, to_key(&b.id))?.expect_error("LimitExceededException", None)?;
    ctx.advance(1000)?;
    let r = update(ctx, &table, to_key(&b.id))?;
    r.ok()?;
    finish_switch(ctx, &table)?;
    expect_kms_sse(
        "DescribeTable after the 5th change",
        &ctx.describe(&table)?,
        &b.arn,
    )
}

//= spec/tables.md#update-quota
//= type=test
//# The quota check MUST run after the checks of sections 3, 4.2 and 4.3 and before the key checks of sections 4.5 and 3.7 (in that order), and a request rejected by any check MUST NOT count as a change.
fn quota_rejected(ctx: &mut Ctx<'_>) -> CaseResult {
    let a = ctx.create_key()?;
    let b = ctx.create_key()?;
    let table = customer_table(ctx, &a)?;
    let unknown = "0badc0de-0000-4000-8000-00000000beef";
    for (i, k) in [&b, &a, &b].into_iter().enumerate() {
        update(ctx, &table, to_key(&k.id))?.ok()?;
        // A rejected request between the changes: an unknown key fails the key check.
        let r = update(ctx, &table, to_key(unknown))?;
        check(
            r.status == 400 && r.error_code() == Some("ValidationException"),
            format!(
                "after change {}: an unknown key is rejected by the key check",
                i + 1
            ),
            format!("{} {}", r.status, r.body),
        )?;
    }
    update(ctx, &table, to_key(&a.id))?.ok()?;
    // Four changes made: now the quota check answers first, even for an unknown key.
    update(ctx, &table, to_key(unknown))?.expect_error("LimitExceededException", None)
}
