//! Table status lifecycle (`spec/tables.md#status`), DeleteTable (`#delete`) and the data plane
//! while the key is unusable (`#data-plane`).

use ddbsse_wire::time::{DAY, SECOND};
use serde_json::json;

use super::util::{DELETING_MS, expect_status, finish_delete, finish_switch, status};
use super::{Case, Need};
use crate::ctx::{CaseResult, Ctx, Failure, Key, check, check_eq};

/// Cases of this file.
pub const CASES: &[Case] = &[
    Case {
        id: "tables/status-create",
        title: "CreateTable answers CREATING, the next request sees ACTIVE",
        needs: &[],
        run: create,
    },
    Case {
        id: "tables/status-inaccessible/900s",
        title: "a key disabled 899 s: ACTIVE; 900 s: INACCESSIBLE_ENCRYPTION_CREDENTIALS with the time",
        needs: &[Need::ManualClock],
        run: inaccessible,
    },
    Case {
        id: "tables/status-recovery",
        title: "EnableKey on an inaccessible table: ACTIVE, InaccessibleEncryptionDateTime cleared",
        needs: &[Need::ManualClock],
        run: recovery,
    },
    Case {
        id: "tables/status-archival/archiving-after-7-days",
        title: "7 days after detection: ARCHIVING; data plane says the table is archived, DeleteTable is refused",
        needs: &[Need::ManualClock],
        run: archiving,
    },
    Case {
        id: "tables/status-archival/archived-after-300s",
        title: "300 s after ARCHIVING: ARCHIVED with ArchivalSummary; DeleteTable succeeds",
        needs: &[Need::ManualClock],
        run: archived,
    },
    Case {
        id: "tables/delete",
        title: "DeleteTable answers DELETING, later requests ResourceNotFoundException",
        needs: &[],
        run: delete,
    },
    Case {
        id: "tables/delete/while-updating",
        title: "DeleteTable while SSEDescription is UPDATING: ResourceInUseException; after the switch it succeeds",
        needs: &[],
        run: delete_while_updating,
    },
    Case {
        id: "tables/delete/deleting-8s",
        title: "DELETING for 8 s: DescribeTable and DeleteTable answer DELETING, the name is taken; gone at 8 s",
        needs: &[Need::ManualClock],
        run: deleting_8s,
    },
    Case {
        id: "tables/data-plane-errors/disabled",
        title: "expired entry and disabled key: ValidationException, DisabledException wrapped",
        needs: &[Need::Clock],
        run: dp_disabled,
    },
    Case {
        id: "tables/data-plane-errors/pending-deletion",
        title: "expired entry and key pending deletion: the wrapped KMSInvalidStateException",
        needs: &[Need::Clock],
        run: dp_pending,
    },
    Case {
        id: "tables/data-plane-errors/grant-revoked",
        title: "expired entry and grant revoked: AccessDeniedException",
        needs: &[Need::Clock],
        run: dp_revoked,
    },
    Case {
        id: "tables/data-plane-durable",
        title: "items acknowledged before the key was disabled read back after recovery",
        needs: &[Need::ManualClock],
        run: durable,
    },
];

fn kms_table(ctx: &mut Ctx<'_>) -> Result<(Key, String), Failure> {
    let key = ctx.create_key()?;
    let table = ctx.created_table(
        "status",
        Some(json!({"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": key.id})),
    )?;
    Ok((key, table))
}

//= spec/tables.md#status-create
//= type=test
//# The CreateTable response MUST carry `TableStatus` `CREATING`, and every later request MUST observe the table as `ACTIVE` (unless section 5.2 applies).
fn create(ctx: &mut Ctx<'_>) -> CaseResult {
    let (name, r) = ctx.create_table("status", None)?;
    check_eq(
        "CreateTable TableStatus",
        &json!("CREATING"),
        &r.ok()?["TableDescription"]["TableStatus"],
    )?;
    expect_status(ctx, &name, "ACTIVE", "on the next DescribeTable")
}

/// Disables the key at the current time; returns that time.
fn disable(ctx: &mut Ctx<'_>, key: &Key) -> Result<ddbsse_wire::time::Timestamp, Failure> {
    ctx.kms("DisableKey", json!({"KeyId": key.id}))?.ok()?;
    Ok(ctx.now())
}

//= spec/tables.md#status-inaccessible
//= type=test
//# A KMS table whose key has been unusable for at least 900 s (15 minutes) MUST report `TableStatus` `INACCESSIBLE_ENCRYPTION_CREDENTIALS`, and one whose key has been unusable for less than 900 s MUST report the status it had before.
//# While a table is `INACCESSIBLE_ENCRYPTION_CREDENTIALS`, `ARCHIVING` or `ARCHIVED`, its `SSEDescription` MUST keep `Status` `ENABLED` and its `KMSMasterKeyArn`, and MUST add `InaccessibleEncryptionDateTime` equal to the unusable-since time plus 900 s, in epoch seconds.
fn inaccessible(ctx: &mut Ctx<'_>) -> CaseResult {
    let (key, table) = kms_table(ctx)?;
    let since = disable(ctx, &key)?;
    ctx.advance(899 * SECOND)?;
    expect_status(ctx, &table, "ACTIVE", "899 s after DisableKey")?;
    ctx.advance(SECOND)?;
    let d = ctx.describe(&table)?;
    check_eq(
        "TableStatus 900 s after DisableKey",
        &json!("INACCESSIBLE_ENCRYPTION_CREDENTIALS"),
        &d["TableStatus"],
    )?;
    check_eq(
        "SSEDescription of the inaccessible table",
        &json!({"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": key.arn, "InaccessibleEncryptionDateTime": since.plus(900 * SECOND).epoch_seconds()}),
        &d["SSEDescription"],
    )
}

//= spec/tables.md#status-recovery
//= type=test
//# When the key of an `INACCESSIBLE_ENCRYPTION_CREDENTIALS` table becomes usable again, the next response describing the table MUST carry `TableStatus` `ACTIVE` and no `InaccessibleEncryptionDateTime`.
fn recovery(ctx: &mut Ctx<'_>) -> CaseResult {
    let (key, table) = kms_table(ctx)?;
    disable(ctx, &key)?;
    ctx.advance(1000 * SECOND)?;
    expect_status(
        ctx,
        &table,
        "INACCESSIBLE_ENCRYPTION_CREDENTIALS",
        "1000 s after DisableKey",
    )?;
    ctx.kms("EnableKey", json!({"KeyId": key.id}))?.ok()?;
    let d = ctx.describe(&table)?;
    check_eq(
        "TableStatus after EnableKey",
        &json!("ACTIVE"),
        &d["TableStatus"],
    )?;
    check(
        d["SSEDescription"]
            .get("InaccessibleEncryptionDateTime")
            .is_none(),
        "no InaccessibleEncryptionDateTime after recovery",
        format!("SSEDescription {}", d["SSEDescription"]),
    )
}

//= spec/tables.md#status-archival
//= type=test
//# A table that has been `INACCESSIBLE_ENCRYPTION_CREDENTIALS` for 7 days (604800 s) MUST report `TableStatus` `ARCHIVING`, whether or not its key has become usable since.
//= spec/tables.md#status-archival
//= type=test
//# Data-plane requests on an `ARCHIVING` or `ARCHIVED` table MUST fail with `ValidationException` and the message `Table <table name> is archived`.
fn archiving(ctx: &mut Ctx<'_>) -> CaseResult {
    let (key, table) = kms_table(ctx)?;
    disable(ctx, &key)?;
    ctx.advance(900 * SECOND)?;
    expect_status(
        ctx,
        &table,
        "INACCESSIBLE_ENCRYPTION_CREDENTIALS",
        "at detection",
    )?;
    ctx.advance(7 * DAY - SECOND)?;
    expect_status(
        ctx,
        &table,
        "INACCESSIBLE_ENCRYPTION_CREDENTIALS",
        "1 s before 7 days after detection",
    )?;
    ctx.advance(SECOND)?;
    expect_status(ctx, &table, "ARCHIVING", "7 days after detection")?;
    ctx.kms("EnableKey", json!({"KeyId": key.id}))?.ok()?;
    expect_status(
        ctx,
        &table,
        "ARCHIVING",
        "after EnableKey (archival is final)",
    )?;
    ctx.get(&table, "a")?.expect_error(
        "ValidationException",
        Some(&format!("Table {table} is archived")),
    )?;
    //= spec/tables.md#delete
    //= type=test
    //# DeleteTable on an `ARCHIVING` table MUST fail with `ResourceInUseException` and the message below:
    ctx.ddb("DeleteTable", json!({"TableName": table}))?.expect_error(
        "ResourceInUseException",
        Some(&format!(
            "Attempt to change a resource which is still in use: Table: {table} is being archived."
        )),
    )
}

//= spec/tables.md#status-archival
//= type=test
//# A table that has been `ARCHIVING` for 300 s MUST report `TableStatus` `ARCHIVED` and an `ArchivalSummary` with `ArchivalDateTime` equal to the start of `ARCHIVING` in epoch seconds, `ArchivalReason` `INACCESSIBLE_ENCRYPTION_CREDENTIALS` and an `ArchivalBackupArn`.
fn archived(ctx: &mut Ctx<'_>) -> CaseResult {
    let (key, table) = kms_table(ctx)?;
    disable(ctx, &key)?;
    ctx.advance(900 * SECOND + 7 * DAY)?;
    let archiving_since = ctx.now();
    ctx.advance(299 * SECOND)?;
    expect_status(ctx, &table, "ARCHIVING", "299 s after ARCHIVING began")?;
    ctx.advance(SECOND)?;
    let d = ctx.describe(&table)?;
    check_eq(
        "TableStatus 300 s after ARCHIVING began",
        &json!("ARCHIVED"),
        &d["TableStatus"],
    )?;
    let summary = &d["ArchivalSummary"];
    check_eq(
        "ArchivalSummary ArchivalDateTime and ArchivalReason",
        &json!([
            archiving_since.epoch_seconds(),
            "INACCESSIBLE_ENCRYPTION_CREDENTIALS"
        ]),
        &json!([summary["ArchivalDateTime"], summary["ArchivalReason"]]),
    )?;
    let prefix = format!(
        "arn:aws:dynamodb:{}:{}:table/{table}/backup/{:014}-",
        ctx.region(),
        ctx.account(),
        archiving_since.0
    );
    let arn = summary["ArchivalBackupArn"].as_str().unwrap_or_default();
    let suffix = arn.strip_prefix(prefix.as_str()).unwrap_or_default();
    check(
        suffix.len() == 8
            && suffix
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        format!("ArchivalBackupArn {prefix}<8 lowercase hex>"),
        format!("ArchivalBackupArn {arn}"),
    )?;
    ctx.ddb("DeleteTable", json!({"TableName": table}))?.ok()?;
    Ok(())
}

//= spec/tables.md#delete
//= type=test
//# DeleteTable MUST succeed on a table whose `TableStatus` is `ACTIVE`, `INACCESSIBLE_ENCRYPTION_CREDENTIALS` or `ARCHIVED` and whose `SSEDescription.Status` is not `UPDATING`, with a response carrying the table's description and `TableStatus` `DELETING`.
//= spec/tables.md#delete
//= type=test
//# From `d` + 8 s on, every request naming the table MUST fail with `ResourceNotFoundException`, ListTables MUST NOT list it, and a CreateTable naming it MUST be accepted.
fn delete(ctx: &mut Ctx<'_>) -> CaseResult {
    let (_, table) = kms_table(ctx)?;
    let r = ctx.ddb("DeleteTable", json!({"TableName": table}))?;
    check_eq(
        "DeleteTable TableStatus",
        &json!("DELETING"),
        &r.ok()?["TableDescription"]["TableStatus"],
    )?;
    finish_delete(ctx, &table)?;
    ctx.ddb("DescribeTable", json!({"TableName": table}))?
        .expect_error(
            "ResourceNotFoundException",
            Some(&format!(
                "Requested resource not found: Table: {table} not found"
            )),
        )?;
    ctx.get(&table, "a")?
        .expect_error("ResourceNotFoundException", None)
}

//= spec/tables.md#delete
//= type=test
//# DeleteTable on a table whose `SSEDescription.Status` is `UPDATING` (section 4.4) MUST fail with `ResourceInUseException` and the message below:
fn delete_while_updating(ctx: &mut Ctx<'_>) -> CaseResult {
    let table = ctx.created_table("status", None)?;
    ctx.ddb(
        "UpdateTable",
        json!({"TableName": table, "SSESpecification": {"Enabled": true}}),
    )?
    .ok()?;
    ctx.ddb("DeleteTable", json!({"TableName": table}))?.expect_error(
        "ResourceInUseException",
        Some(&format!(
            "Attempt to change a resource which is still in use: Table: {table} is in the process of being updated."
        )),
    )?;
    finish_switch(ctx, &table)?;
    let r = ctx.ddb("DeleteTable", json!({"TableName": table}))?;
    check_eq(
        "DeleteTable TableStatus after the switch",
        &json!("DELETING"),
        &r.ok()?["TableDescription"]["TableStatus"],
    )
}

//= spec/tables.md#delete
//= type=test
//# Before `d` + 8 s (8000 ms), DescribeTable and DeleteTable naming the table MUST answer the description of that DeleteTable response, with `TableStatus` `DELETING`, and such a DeleteTable MUST make no KMS call.
//# Before `d` + 8 s, ListTables MUST list the table, a CreateTable naming it MUST fail with `ResourceInUseException` and the message `Table already exists: <table name>`, and every other request naming it MUST fail with `ResourceNotFoundException`.
//# From `d` + 8 s on, every request naming the table MUST fail with `ResourceNotFoundException`, ListTables MUST NOT list it, and a CreateTable naming it MUST be accepted.
fn deleting_8s(ctx: &mut Ctx<'_>) -> CaseResult {
    let (_, table) = kms_table(ctx)?;
    ctx.put(&table, "a", "1")?.ok()?;
    let r = ctx.ddb("DeleteTable", json!({"TableName": table}))?;
    let deleted = r.ok()?["TableDescription"].clone();
    ctx.advance(DELETING_MS - 1)?;
    let d = ctx.describe(&table)?;
    check_eq("DescribeTable 7999 ms after DeleteTable", &deleted, &d)?;
    let before = ctx.trail()?.len();
    let again = ctx.ddb("DeleteTable", json!({"TableName": table}))?;
    check_eq(
        "a second DeleteTable 7999 ms after the first",
        &deleted,
        &again.ok()?["TableDescription"],
    )?;
    let kms_after: Vec<String> = ctx.trail()?[before..]
        .iter()
        .filter(|r| r["eventSource"] == "kms.amazonaws.com")
        .map(|r| r["eventName"].as_str().unwrap_or("?").to_owned())
        .collect();
    check(
        kms_after.is_empty(),
        "the second DeleteTable makes no KMS call",
        format!("KMS records {kms_after:?}"),
    )?;
    let listed = ctx.ddb(
        "ListTables",
        json!({"ExclusiveStartTableName": &table[..table.len() - 1]}),
    )?;
    check(
        listed.ok()?["TableNames"]
            .as_array()
            .is_some_and(|a| a.iter().any(|n| n == table.as_str())),
        "ListTables lists the DELETING table",
        crate::normalize::short(&listed.body),
    )?;
    ctx.ddb("CreateTable", Ctx::table_body(&table, None))?
        .expect_error(
            "ResourceInUseException",
            Some(&format!("Table already exists: {table}")),
        )?;
    ctx.get(&table, "a")?
        .expect_error("ResourceNotFoundException", None)?;
    ctx.advance(1)?;
    ctx.ddb("DescribeTable", json!({"TableName": table}))?
        .expect_error("ResourceNotFoundException", None)?;
    let listed = ctx.ddb(
        "ListTables",
        json!({"ExclusiveStartTableName": &table[..table.len() - 1]}),
    )?;
    check(
        !listed.ok()?["TableNames"]
            .as_array()
            .is_some_and(|a| a.iter().any(|n| n == table.as_str())),
        "ListTables no longer lists the table 8 s after DeleteTable",
        crate::normalize::short(&listed.body),
    )?;
    ctx.ddb("CreateTable", Ctx::table_body(&table, None))?
        .ok()
        .map(|_| ())
}

fn expired_entry(ctx: &mut Ctx<'_>) -> Result<(Key, String), Failure> {
    let (key, table) = kms_table(ctx)?;
    ctx.put(&table, "a", "1")?.ok()?;
    Ok((key, table))
}

//= spec/tables.md#data-plane-errors
//= type=test
//# When the table's key is disabled, the request MUST fail with `ValidationException` and the message below:
fn dp_disabled(ctx: &mut Ctx<'_>) -> CaseResult {
    let (key, table) = expired_entry(ctx)?;
    ctx.kms("DisableKey", json!({"KeyId": key.id}))?.ok()?;
    ctx.advance(300 * SECOND)?;
    ctx.put(&table, "b", "2")?.expect_error(
        "ValidationException",
        Some(&format!("KMS key disabled error: com.amazonaws.services.kms.model.DisabledException: {} is disabled. (Service: AWSKMS; Status Code: 400; Error Code: DisabledException; Request ID: x; Proxy: null)", key.arn)),
    )
}

//= spec/tables.md#data-plane-errors
//= type=test
//# When the table's key is pending deletion, the request MUST fail with `ValidationException` and the message below:
fn dp_pending(ctx: &mut Ctx<'_>) -> CaseResult {
    let (key, table) = expired_entry(ctx)?;
    ctx.kms(
        "ScheduleKeyDeletion",
        json!({"KeyId": key.id, "PendingWindowInDays": 7}),
    )?
    .ok()?;
    ctx.advance(300 * SECOND)?;
    ctx.get(&table, "a")?.expect_error(
        "ValidationException",
        Some(&format!("KMS validation error: com.amazonaws.services.kms.model.KMSInvalidStateException: {} is pending deletion. (Service: AWSKMS; Status Code: 400; Error Code: KMSInvalidStateException; Request ID: x; Proxy: null)", key.arn)),
    )
}

//= spec/tables.md#data-plane-errors
//= type=test
//# When the table's grant is missing or the key is deleted, the request MUST fail with `AccessDeniedException` and the message below:
fn dp_revoked(ctx: &mut Ctx<'_>) -> CaseResult {
    let (key, table) = expired_entry(ctx)?;
    let grants = super::util::table_grants(ctx, &key.id, &table)?;
    let id = grants
        .first()
        .and_then(|g| g["GrantId"].as_str())
        .unwrap_or_default()
        .to_owned();
    check(
        !id.is_empty(),
        "a grant for the table to revoke",
        "no grant listed",
    )?;
    ctx.kms("RevokeGrant", json!({"KeyId": key.id, "GrantId": id}))?
        .ok()?;
    ctx.advance(300 * SECOND)?;
    ctx.get(&table, "a")?.expect_error(
        "AccessDeniedException",
        Some("KMS key access denied error: com.amazonaws.services.kms.model.AWSKMSException: The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access. (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException; Request ID: x; Proxy: null)"),
    )
}

//= spec/tables.md#data-plane-durable
//= type=test
//# Every item a target acknowledged while the table was accessible MUST read back unchanged once the table's key is usable again, as long as the table is not `ARCHIVING` or `ARCHIVED`.
fn durable(ctx: &mut Ctx<'_>) -> CaseResult {
    let (key, table) = kms_table(ctx)?;
    for i in 0..5 {
        ctx.put(&table, &format!("k{i}"), &format!("value {i}"))?
            .ok()?;
    }
    disable(ctx, &key)?;
    ctx.advance(2 * 3600 * SECOND)?;
    let s = status(ctx, &table)?;
    check(
        s == "INACCESSIBLE_ENCRYPTION_CREDENTIALS",
        "INACCESSIBLE_ENCRYPTION_CREDENTIALS after 2 h",
        s,
    )?;
    ctx.kms("EnableKey", json!({"KeyId": key.id}))?.ok()?;
    for i in 0..5 {
        let got = ctx.get(&table, &format!("k{i}"))?;
        check_eq(
            &format!("item k{i} after recovery"),
            &json!({"S": format!("value {i}")}),
            &got.ok()?["Item"]["v"],
        )?;
    }
    Ok(())
}
