//! Every number of the spec, checked on both sides of its boundary: the 300 s cache lifetime
//! (299/300/301 s), the 900 s detection delay (899/900 s), archival at detection + 7 days and
//! `ARCHIVED` 300 s later, the 4th/5th key switch and the 6 h rule, the 7-30 day deletion window,
//! `MaxResults` 50, ListGrants `Limit` 100, ListKeys `Limit` 100/1000, ListAliases `Limit` 50/100, GenerateDataKey 1024 bytes, Encrypt 4096 bytes and
//! 256-character alias names.

use ddbsse_wire::time::{DAY, HOUR, SECOND};
use serde_json::json;

use super::support::{Driver, RATINGS, alice};

/// A customer managed key, the blog's table under it, one item written by the default caller
/// at the returned time (so the caller's cache entry is fetched then).
fn kms_table(d: &mut Driver) -> String {
    let key = d.create_key();
    let out = d.create_ratings(json!({"SSEType": "KMS", "KMSMasterKeyId": key}));
    assert!(out.result.is_ok());
    d.advance(1);
    let put = d.call("PutItem", json!({"TableName": RATINGS, "Item": alice()}));
    assert_eq!(Driver::decrypts(&put), 1);
    key
}

#[test]
fn cache_299_300_301_seconds() {
    //= spec/cache.md#boundary
    //= type=test
    //# An entry fetched at time `t0` MUST serve data-plane requests without any KMS call while `now - t0 < 300 s`, so a request 299 s after the fetch is served from the cache.
    for (age, expect) in [(299, 0), (300, 1), (301, 1)] {
        let mut d = Driver::new();
        kms_table(&mut d);
        d.advance(age);
        let out = d.get_ratings(RATINGS);
        assert!(out.result.is_ok());
        assert_eq!(Driver::decrypts(&out), expect, "age {age} s");
    }
    // One millisecond short of 300 s is still fresh.
    let mut d = Driver::new();
    kms_table(&mut d);
    d.advance_ms(300 * SECOND - 1);
    assert_eq!(Driver::decrypts(&d.get_ratings(RATINGS)), 0);
}

#[test]
fn cache_refresh_restarts_the_300_seconds() {
    //= spec/cache.md#boundary
    //= type=test
    //# A data-plane request at `now - t0 >= 300 s` MUST call KMS Decrypt again and, on success, replace the entry with one fetched at `now`, so a request 300 s after the fetch refreshes it.
    let mut d = Driver::new();
    kms_table(&mut d);
    d.advance(300);
    assert_eq!(Driver::decrypts(&d.get_ratings(RATINGS)), 1);
    d.advance(299);
    assert_eq!(
        Driver::decrypts(&d.get_ratings(RATINGS)),
        0,
        "refreshed at 300 s"
    );
    d.advance(1);
    assert_eq!(Driver::decrypts(&d.get_ratings(RATINGS)), 1);
}

#[test]
fn steady_traffic_does_not_extend_the_entry() {
    //= spec/cache.md#boundary
    //= type=test
    //# Serving a request from an entry MUST NOT extend its lifetime: under steady traffic the entry is refreshed every 300 s counted from its fetch.
    let mut d = Driver::new();
    kms_table(&mut d);
    let mut decrypts = 0;
    for _ in 0..10 {
        d.advance(60);
        decrypts += Driver::decrypts(&d.get_ratings(RATINGS));
    }
    // 600 s of traffic every 60 s: refreshes at 300 s and 600 s.
    assert_eq!(decrypts, 2);
}

#[test]
fn disabled_key_served_until_300_seconds_then_fails() {
    //= spec/cache.md#serve-while-unusable
    //= type=test
    //# An entry that is still fresh (`now - t0 < 300 s`) MUST keep serving data-plane requests after the table's key is disabled, scheduled for deletion or loses its grant, and the first request at `now - t0 >= 300 s` MUST fail as section 5 says.
    for action in ["disable", "schedule", "revoke"] {
        let mut d = Driver::new();
        let key = kms_table(&mut d);
        match action {
            "disable" => {
                d.ok("DisableKey", json!({"KeyId": key}));
            }
            "schedule" => {
                d.ok(
                    "ScheduleKeyDeletion",
                    json!({"KeyId": key, "PendingWindowInDays": 7}),
                );
            }
            _ => {
                let grants = d.ok("ListGrants", json!({"KeyId": key}));
                let id = grants["Grants"][0]["GrantId"]
                    .as_str()
                    .expect("grant")
                    .to_owned();
                d.ok("RevokeGrant", json!({"KeyId": key, "GrantId": id}));
            }
        }
        d.advance(299);
        let out = d.get_ratings(RATINGS);
        assert!(out.result.is_ok(), "{action}: served from the fresh entry");
        assert_eq!(Driver::decrypts(&out), 0);
        d.advance(1);
        let out = d.get_ratings(RATINGS);
        assert_eq!(Driver::decrypts(&out), 1, "{action}");
        let e = out.result.expect_err("past the cache window");
        let arn = Driver::key_arn(&key);
        match action {
            "disable" => assert!(e.message.starts_with(&format!("KMS key disabled error: com.amazonaws.services.kms.model.DisabledException: {arn} is disabled. (Service: AWSKMS; Status Code: 400; Error Code: DisabledException; Request ID: "))),
            "schedule" => assert!(e.message.starts_with(&format!("KMS validation error: com.amazonaws.services.kms.model.KMSInvalidStateException: {arn} is pending deletion. (Service: AWSKMS; Status Code: 400; Error Code: KMSInvalidStateException; Request ID: "))),
            _ => {
                assert_eq!(e.name(), "AccessDeniedException");
                assert!(e.message.starts_with("KMS key access denied error: com.amazonaws.services.kms.model.AWSKMSException: The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access. (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException; Request ID: "));
            }
        }
        if action != "revoke" {
            assert_eq!(e.name(), "ValidationException");
        }
    }
}

/// Disables the table's key at the current time and returns the key id.
fn disable_at_start(d: &mut Driver) -> String {
    let key = kms_table(d);
    d.ok("DisableKey", json!({"KeyId": key}));
    key
}

#[test]
fn detection_at_899_and_900_seconds() {
    //= spec/tables.md#status-inaccessible
    //= type=test
    //# A KMS table whose key has been unusable for at least 900 s (15 minutes) MUST report `TableStatus` `INACCESSIBLE_ENCRYPTION_CREDENTIALS`, and one whose key has been unusable for less than 900 s MUST report the status it had before.
    let mut d = Driver::new();
    disable_at_start(&mut d);
    let disabled_at = d.now;
    d.advance(899);
    assert_eq!(d.status(RATINGS), "ACTIVE");
    assert!(
        d.describe(RATINGS)["SSEDescription"]
            .get("InaccessibleEncryptionDateTime")
            .is_none()
    );
    d.advance(1);
    let t = d.describe(RATINGS);
    assert_eq!(t["TableStatus"], "INACCESSIBLE_ENCRYPTION_CREDENTIALS");
    //= spec/tables.md#status-inaccessible
    //= type=test
    //# While a table is `INACCESSIBLE_ENCRYPTION_CREDENTIALS`, `ARCHIVING` or `ARCHIVED`, its `SSEDescription` MUST keep `Status` `ENABLED` and its `KMSMasterKeyArn`, and MUST add `InaccessibleEncryptionDateTime` equal to the unusable-since time plus 900 s, in epoch seconds.
    assert_eq!(t["SSEDescription"]["Status"], "ENABLED");
    assert_eq!(
        t["SSEDescription"]["InaccessibleEncryptionDateTime"].as_f64(),
        Some(disabled_at.plus(900 * SECOND).epoch_seconds())
    );
}

#[test]
fn recovery_after_enable_key() {
    //= spec/tables.md#status-recovery
    //= type=test
    //# When the key of an `INACCESSIBLE_ENCRYPTION_CREDENTIALS` table becomes usable again, the next response describing the table MUST carry `TableStatus` `ACTIVE` and no `InaccessibleEncryptionDateTime`.
    let mut d = Driver::new();
    let key = disable_at_start(&mut d);
    d.advance(3600);
    assert_eq!(d.status(RATINGS), "INACCESSIBLE_ENCRYPTION_CREDENTIALS");
    d.ok("EnableKey", json!({"KeyId": key}));
    let t = d.describe(RATINGS);
    assert_eq!(t["TableStatus"], "ACTIVE");
    assert!(
        t["SSEDescription"]
            .get("InaccessibleEncryptionDateTime")
            .is_none()
    );
    // Recovery before 900 s keeps ACTIVE; a later loss starts a new unusable-since time.
    d.ok("DisableKey", json!({"KeyId": key}));
    d.advance(600);
    d.ok("EnableKey", json!({"KeyId": key}));
    d.ok("DisableKey", json!({"KeyId": key}));
    d.advance(600);
    assert_eq!(d.status(RATINGS), "ACTIVE", "only 600 s since the new loss");
    d.advance(300);
    assert_eq!(d.status(RATINGS), "INACCESSIBLE_ENCRYPTION_CREDENTIALS");
}

#[test]
fn cancel_key_deletion_alone_does_not_recover() {
    let mut d = Driver::new();
    let key = kms_table(&mut d);
    d.ok(
        "ScheduleKeyDeletion",
        json!({"KeyId": key, "PendingWindowInDays": 7}),
    );
    d.advance(900);
    assert_eq!(d.status(RATINGS), "INACCESSIBLE_ENCRYPTION_CREDENTIALS");
    d.ok("CancelKeyDeletion", json!({"KeyId": key}));
    assert_eq!(d.status(RATINGS), "INACCESSIBLE_ENCRYPTION_CREDENTIALS");
    d.ok("EnableKey", json!({"KeyId": key}));
    assert_eq!(d.status(RATINGS), "ACTIVE");
}

#[test]
fn archiving_at_seven_days_and_archived_300_seconds_later() {
    //= spec/tables.md#status-archival
    //= type=test
    //# A table that has been `INACCESSIBLE_ENCRYPTION_CREDENTIALS` for 7 days (604800 s) MUST report `TableStatus` `ARCHIVING`, whether or not its key has become usable since.
    let mut d = Driver::new();
    disable_at_start(&mut d);
    let detected = d.now.plus(900 * SECOND);
    d.advance(900);
    d.advance_ms(7 * DAY - 1);
    assert_eq!(d.status(RATINGS), "INACCESSIBLE_ENCRYPTION_CREDENTIALS");
    d.advance_ms(1);
    assert_eq!(d.status(RATINGS), "ARCHIVING");
    assert_eq!(604_800 * SECOND, 7 * DAY);
    //= spec/tables.md#status-archival
    //= type=test
    //# Data-plane requests on an `ARCHIVING` or `ARCHIVED` table MUST fail with `ValidationException` and the message `Table <table name> is archived`.
    let e = d.get_ratings(RATINGS).result.expect_err("archiving");
    assert_eq!(e.message, "Table ratings is archived");
    assert_eq!(e.name(), "ValidationException");
    //= spec/tables.md#status-archival
    //= type=test
    //# A table that has been `ARCHIVING` for 300 s MUST report `TableStatus` `ARCHIVED` and an `ArchivalSummary` with `ArchivalDateTime` equal to the start of `ARCHIVING` in epoch seconds, `ArchivalReason` `INACCESSIBLE_ENCRYPTION_CREDENTIALS` and an `ArchivalBackupArn`.
    d.advance(299);
    assert_eq!(d.status(RATINGS), "ARCHIVING");
    d.advance(1);
    let t = d.describe(RATINGS);
    assert_eq!(t["TableStatus"], "ARCHIVED");
    let archiving_start = detected.plus(7 * DAY);
    assert_eq!(
        t["ArchivalSummary"]["ArchivalDateTime"].as_f64(),
        Some(archiving_start.epoch_seconds())
    );
    assert_eq!(
        t["ArchivalSummary"]["ArchivalReason"],
        "INACCESSIBLE_ENCRYPTION_CREDENTIALS"
    );
    let backup = t["ArchivalSummary"]["ArchivalBackupArn"]
        .as_str()
        .expect("arn");
    let prefix = format!(
        "arn:aws:dynamodb:us-east-1:123456789012:table/ratings/backup/{:014}-",
        archiving_start.millis()
    );
    assert!(backup.starts_with(&prefix), "{backup}");
    assert_eq!(backup.len(), prefix.len() + 8);
    assert_eq!(
        t["SSEDescription"]["InaccessibleEncryptionDateTime"].as_f64(),
        Some(detected.epoch_seconds())
    );
    let e = d.get_ratings(RATINGS).result.expect_err("archived");
    assert_eq!(e.message, "Table ratings is archived");
    assert!(
        d.call("DeleteTable", json!({"TableName": RATINGS}))
            .result
            .is_ok()
    );
}

#[test]
fn archival_is_final_and_recovery_just_before_cancels_it() {
    //= spec/tables.md#status-archival
    //= type=test
    //# Archival is final: a key that becomes usable again after `ARCHIVING` has started changes nothing.
    let mut d = Driver::new();
    let key = disable_at_start(&mut d);
    d.advance_ms(900 * SECOND + 7 * DAY);
    d.ok("EnableKey", json!({"KeyId": key}));
    assert_eq!(d.status(RATINGS), "ARCHIVING");
    d.advance(300);
    assert_eq!(d.status(RATINGS), "ARCHIVED");

    let mut d = Driver::new();
    let key = disable_at_start(&mut d);
    d.advance_ms(900 * SECOND + 7 * DAY - 1);
    d.ok("EnableKey", json!({"KeyId": key}));
    d.advance(3600);
    assert_eq!(d.status(RATINGS), "ACTIVE");
}

/// Switches the table's key to a fresh customer key (by key id) and returns the result.
fn switch(d: &mut Driver) -> Result<serde_json::Value, ddbsse_wire::ApiError> {
    let key = d.create_key();
    d.call(
        "UpdateTable",
        json!({"TableName": RATINGS, "SSESpecification": {"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": key}}),
    )
    .result
    .map(|r| r.body())
}

#[test]
fn quota_fourth_and_fifth_switch_and_the_6_hour_rule() {
    //= spec/tables.md#update-quota
    //= type=test
    //# Within one 24-hour window counted from table creation, a target MUST accept the first 4 changes to a KMS key, and after those MUST accept a further change to a KMS key only when at least 6 hours (21600 s) have passed since the most recent change, rejecting it otherwise.
    let mut d = Driver::new();
    let created = d.now;
    d.create_ratings(serde_json::Value::Null);
    for n in 1..=4 {
        d.advance(60);
        assert!(switch(&mut d).is_ok(), "switch {n} is within the first 4");
    }
    let last = d.now;
    d.advance(60);
    //= spec/tables.md#update-quota
    //= type=test
    //# A rejected switch MUST fail with `LimitExceededException` (HTTP 400) and the message below:
    let e = switch(&mut d).expect_err("5th switch within 6 h");
    assert_eq!(e.name(), "LimitExceededException");
    assert_eq!(e.http_status(), 400);
    assert_eq!(
        e.message,
        format!(
            "Subscriber limit exceeded: Encryption mode changes are limited in the 24h window ending at {}. After the first 4 change, each subsequent change in the same window can be performed at most once every 21600 seconds. Number of updates today: 4. Last change at {}",
            created.plus(DAY).iso_millis(),
            last.iso_millis()
        )
    );
    // 6 h minus 1 ms after the last change: still refused; at 6 h: accepted.
    d.now = last.plus(6 * HOUR - 1);
    assert!(switch(&mut d).is_err());
    d.now = last.plus(6 * HOUR);
    assert!(
        switch(&mut d).is_ok(),
        "21600 s after the most recent change"
    );
    // The next one needs another 6 h.
    d.advance(HOUR / SECOND);
    assert!(switch(&mut d).is_err());
    //= spec/tables.md#update-quota
    //= type=test
    //# A switch to the AWS owned key MUST always be accepted by the quota check, and it counts as a change.
    let out = d.call(
        "UpdateTable",
        json!({"TableName": RATINGS, "SSESpecification": {"Enabled": false}}),
    );
    assert!(out.result.is_ok(), "owned key always allowed");
    // A new window starts 24 h after creation: 4 free changes again.
    d.now = created.plus(DAY);
    for _ in 0..4 {
        d.advance(1);
        assert!(switch(&mut d).is_ok());
    }
    d.advance(1);
    assert!(switch(&mut d).is_err());
}

#[test]
fn quota_rejections_do_not_count() {
    //= spec/tables.md#update-quota
    //= type=test
    //# The quota check MUST run after the checks of sections 3, 4.2 and 4.3 and before the key checks of sections 4.5 and 3.7 (in that order), and a request rejected by any check MUST NOT count as a change.
    let mut d = Driver::new();
    d.create_ratings(serde_json::Value::Null);
    for _ in 0..4 {
        // Unknown key: rejected by the key check, not counted.
        let e = d.err(
            "UpdateTable",
            json!({"TableName": RATINGS, "SSESpecification": {"SSEType": "KMS", "KMSMasterKeyId": "alias/nope"}}),
        );
        assert!(e.message.contains("NotFoundException"));
    }
    for _ in 0..4 {
        assert!(switch(&mut d).is_ok());
    }
    // Now over quota: the quota error comes before the unknown-key error.
    let e = d.err(
        "UpdateTable",
        json!({"TableName": RATINGS, "SSESpecification": {"SSEType": "KMS", "KMSMasterKeyId": "alias/nope"}}),
    );
    assert_eq!(e.name(), "LimitExceededException");
    // ... and after the validation checks of section 3.
    let e = d.err(
        "UpdateTable",
        json!({"TableName": RATINGS, "SSESpecification": {"SSEType": "AES256"}}),
    );
    assert_eq!(e.name(), "ValidationException");
}

#[test]
fn deletion_window_7_to_30_days() {
    //= spec/kms.md#deletion
    //= type=test
    //# A `PendingWindowInDays` from 1 to 6 or from 31 to 365 MUST fail with `ValidationException` and the message `PendingWindowInDays must be between 7 and 30`.
    let mut d = Driver::new();
    let key = d.create_key();
    for days in [1, 6, 31, 365] {
        let e = d.err(
            "ScheduleKeyDeletion",
            json!({"KeyId": key, "PendingWindowInDays": days}),
        );
        assert_eq!(
            (e.name(), e.message.as_str()),
            (
                "ValidationException",
                "PendingWindowInDays must be between 7 and 30"
            ),
            "{days}"
        );
    }
    //= spec/kms.md#deletion
    //= type=test
    //# A `PendingWindowInDays` below 1 or above 365 MUST fail with `ValidationException` and the message `1 validation error detected: Value '<n>' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 1` or `1 validation error detected: Value '<n>' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 365` respectively.
    let e = d.err(
        "ScheduleKeyDeletion",
        json!({"KeyId": key, "PendingWindowInDays": 0}),
    );
    assert_eq!(e.name(), "ValidationException");
    assert_eq!(
        e.message,
        "1 validation error detected: Value '0' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 1"
    );
    let e = d.err(
        "ScheduleKeyDeletion",
        json!({"KeyId": key, "PendingWindowInDays": 366}),
    );
    assert_eq!(
        e.message,
        "1 validation error detected: Value '366' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 365"
    );
    //= spec/kms.md#deletion
    //= type=test
    //# ScheduleKeyDeletion MUST accept a `PendingWindowInDays` from 7 to 30 inclusive, use 30 when it is absent, and return `KeyId` (the key ARN), `DeletionDate` (now plus the window in days, epoch seconds), `KeyState` `PendingDeletion` and `PendingWindowInDays`.
    for (days, expect) in [(Some(7), 7), (Some(30), 30), (None, 30)] {
        let mut d = Driver::new();
        let key = d.create_key();
        let body = match days {
            Some(n) => json!({"KeyId": key, "PendingWindowInDays": n}),
            None => json!({"KeyId": key}),
        };
        let out = d.ok("ScheduleKeyDeletion", body);
        assert_eq!(out["KeyId"], Driver::key_arn(&key));
        assert_eq!(out["KeyState"], "PendingDeletion");
        assert_eq!(out["PendingWindowInDays"], expect);
        assert_eq!(
            out["DeletionDate"].as_f64(),
            Some(d.now.plus(expect * DAY).epoch_seconds())
        );
    }
}

#[test]
fn key_deleted_exactly_at_deletion_date() {
    //= spec/kms.md#deletion
    //= type=test
    //# Once the clock reaches `DeletionDate`, the key and its aliases MUST be gone: every request naming the key fails with `NotFoundException` and no key material remains.
    let mut d = Driver::new();
    let key = d.create_key();
    d.ok(
        "CreateAlias",
        json!({"AliasName": "alias/doomed", "TargetKeyId": key}),
    );
    d.ok(
        "ScheduleKeyDeletion",
        json!({"KeyId": key, "PendingWindowInDays": 7}),
    );
    d.advance_ms(7 * DAY - 1);
    assert_eq!(
        d.ok("DescribeKey", json!({"KeyId": key}))["KeyMetadata"]["KeyState"],
        "PendingDeletion"
    );
    d.advance_ms(1);
    let e = d.err("DescribeKey", json!({"KeyId": key}));
    assert_eq!(e.name(), "NotFoundException");
    assert_eq!(
        e.message,
        format!("Key '{}' does not exist", Driver::key_arn(&key))
    );
    let e = d.err("DescribeKey", json!({"KeyId": "alias/doomed"}));
    assert_eq!(
        e.message,
        "Alias arn:aws:kms:us-east-1:123456789012:alias/doomed is not found."
    );
    let aliases = d.ok("ListAliases", json!({}));
    assert_eq!(aliases["Aliases"].as_array().map(Vec::len), Some(0));
    let keys = d.ok("ListKeys", json!({}));
    assert_eq!(keys["Keys"].as_array().map(Vec::len), Some(0));
}

#[test]
fn lookup_max_results_50() {
    //= spec/trail.md#lookup-paging
    //= type=test
    //# LookupEvents MUST return at most `MaxResults` events, where `MaxResults` is 1 to 50 and defaults to 50, and MUST fail with `InvalidMaxResultsException` for a value outside 1 to 50.
    let mut d = Driver::new();
    for _ in 0..60 {
        d.ok("ListKeys", json!({}));
    }
    for bad in [0, 51] {
        let e = d.err("LookupEvents", json!({"MaxResults": bad}));
        assert_eq!(e.name(), "InvalidMaxResultsException");
    }
    let out = d.ok("LookupEvents", json!({"MaxResults": 50}));
    assert_eq!(out["Events"].as_array().map(Vec::len), Some(50));
    let out = d.ok("LookupEvents", json!({}));
    assert_eq!(
        out["Events"].as_array().map(Vec::len),
        Some(50),
        "default 50"
    );
    let out = d.ok("LookupEvents", json!({"MaxResults": 1}));
    assert_eq!(out["Events"].as_array().map(Vec::len), Some(1));
}

#[test]
fn list_grants_limit_1_to_100_default_50() {
    //= spec/kms.md#list-grants
    //= type=test
    //# ListGrants MUST return at most `Limit` entries (1 to 100, default 50) and, when more remain, `Truncated` true and a `NextMarker` that, passed as `Marker`, continues the listing.
    let mut d = Driver::new();
    let key = d.create_key();
    let mut created = Vec::new();
    for _ in 0..101 {
        let g = d.ok(
            "CreateGrant",
            json!({"KeyId": key, "GranteePrincipal": "arn:aws:iam::123456789012:user/x", "Operations": ["Decrypt"]}),
        );
        created.push(g["GrantId"].as_str().expect("id").to_owned());
    }
    for bad in [0, 101] {
        let e = d.err("ListGrants", json!({"KeyId": key, "Limit": bad}));
        assert_eq!(e.name(), "ValidationException");
    }
    let page = d.ok("ListGrants", json!({"KeyId": key, "Limit": 1}));
    assert_eq!(page["Grants"].as_array().map(Vec::len), Some(1));
    let page = d.ok("ListGrants", json!({"KeyId": key}));
    assert_eq!(page["Grants"].as_array().map(Vec::len), Some(50));
    assert_eq!(page["Truncated"], true);
    let page = d.ok("ListGrants", json!({"KeyId": key, "Limit": 100}));
    assert_eq!(page["Grants"].as_array().map(Vec::len), Some(100));
    let marker = page["NextMarker"].as_str().expect("marker").to_owned();
    let rest = d.ok(
        "ListGrants",
        json!({"KeyId": key, "Limit": 100, "Marker": marker}),
    );
    assert_eq!(rest["Grants"].as_array().map(Vec::len), Some(1));
    assert_eq!(rest["Truncated"], false);
    assert_eq!(rest["Grants"][0]["GrantId"], created[100]);
}

/// Follows `NextMarker` until `Truncated` is false; the entries of every page, by `field`.
fn all_pages(
    d: &mut Driver,
    op: &str,
    list: &str,
    field: &str,
    limit: Option<i64>,
) -> (Vec<String>, usize) {
    let mut out = Vec::new();
    let mut marker: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut body = json!({});
        if let Some(l) = limit {
            body["Limit"] = json!(l);
        }
        if let Some(m) = &marker {
            body["Marker"] = json!(m);
        }
        let page = d.ok(op, body);
        pages += 1;
        // The listings here hold at most a few hundred entries: a thousand pages means a
        // `NextMarker` that does not continue the listing (a mutant that pages forever fails
        // here instead of hanging the test).
        assert!(pages <= 1000, "{op}: the paging makes no progress");
        for e in page[list].as_array().expect("list") {
            out.push(e[field].as_str().expect("field").to_owned());
        }
        if page["Truncated"] != true {
            assert!(page.get("NextMarker").is_none(), "{page}");
            return (out, pages);
        }
        marker = Some(page["NextMarker"].as_str().expect("marker").to_owned());
    }
}

#[test]
fn list_keys_100_and_list_aliases_50_per_page() {
    //= spec/kms.md#list-keys
    //= type=test
    //# ListKeys MUST return at most `Limit` entries (1 to 1000, default 100) and, when more remain, `Truncated` true and a `NextMarker` that, passed as `Marker`, continues the listing.
    let mut d = Driver::new();
    let keys: Vec<String> = (0..101).map(|_| d.create_key()).collect();
    for bad in [0, 1001] {
        let e = d.err("ListKeys", json!({"Limit": bad}));
        assert_eq!(e.name(), "ValidationException");
    }
    let page = d.ok("ListKeys", json!({}));
    assert_eq!(page["Keys"].as_array().map(Vec::len), Some(100));
    assert_eq!(page["Truncated"], true);
    assert_eq!(
        d.ok("ListKeys", json!({"Limit": 1000}))["Keys"]
            .as_array()
            .map(Vec::len),
        Some(101)
    );
    assert_eq!(
        all_pages(&mut d, "ListKeys", "Keys", "KeyId", None),
        (keys.clone(), 2)
    );
    assert_eq!(
        all_pages(&mut d, "ListKeys", "Keys", "KeyId", Some(7)).0,
        keys
    );
    //= spec/kms.md#aliases
    //= type=test
    //# ListAliases MUST return at most `Limit` entries (1 to 100, default 50) and, when more remain, `Truncated` true and a `NextMarker` that, passed as `Marker`, continues the listing.
    let mut names: Vec<String> = (0..51).map(|n| format!("alias/a{n:03}")).collect();
    for name in &names {
        d.ok(
            "CreateAlias",
            json!({"AliasName": name, "TargetKeyId": keys[0]}),
        );
    }
    names.sort();
    for bad in [0, 101] {
        let e = d.err("ListAliases", json!({"Limit": bad}));
        assert_eq!(e.name(), "ValidationException");
    }
    let page = d.ok("ListAliases", json!({}));
    assert_eq!(page["Aliases"].as_array().map(Vec::len), Some(50));
    assert_eq!(page["Truncated"], true);
    assert_eq!(
        all_pages(&mut d, "ListAliases", "Aliases", "AliasName", None),
        (names.clone(), 2)
    );
    assert_eq!(
        all_pages(&mut d, "ListAliases", "Aliases", "AliasName", Some(100)),
        (names, 1)
    );
}

#[test]
fn generate_data_key_1_to_1024_bytes_and_encrypt_4096() {
    //= spec/kms.md#generate-data-key
    //= type=test
    //# GenerateDataKey MUST take exactly one of `NumberOfBytes` (1 to 1024) and `KeySpec` (`AES_256` for 32 bytes, `AES_128` for 16 bytes), and MUST fail with `ValidationException` when both or neither are given or `NumberOfBytes` is outside 1 to 1024.
    let mut d = Driver::new();
    let key = d.create_key();
    for n in [1, 1024] {
        let out = d.ok("GenerateDataKey", json!({"KeyId": key, "NumberOfBytes": n}));
        let plain = out["Plaintext"].as_str().expect("plaintext");
        assert_eq!(base64_len(plain), n);
    }
    for (spec, n) in [("AES_256", 32), ("AES_128", 16)] {
        let out = d.ok("GenerateDataKey", json!({"KeyId": key, "KeySpec": spec}));
        assert_eq!(base64_len(out["Plaintext"].as_str().expect("p")), n);
    }
    for bad in [
        json!({"KeyId": key, "NumberOfBytes": 0}),
        json!({"KeyId": key, "NumberOfBytes": 1025}),
        json!({"KeyId": key}),
        json!({"KeyId": key, "NumberOfBytes": 32, "KeySpec": "AES_256"}),
    ] {
        let e = d.err("GenerateDataKey", bad);
        assert_eq!(e.name(), "ValidationException");
    }
    //= spec/kms.md#encrypt-decrypt
    //= type=test
    //# Encrypt MUST accept a `Plaintext` of 1 to 4096 bytes and return a `CiphertextBlob` and `KeyId` as the key ARN, and Decrypt of that blob MUST return the same `Plaintext` and `KeyId` without the request naming the key.
    use base64::Engine as _;
    let b64 = |n: usize| base64::engine::general_purpose::STANDARD.encode(vec![7u8; n]);
    for n in [1, 4096] {
        let out = d.ok("Encrypt", json!({"KeyId": key, "Plaintext": b64(n)}));
        assert_eq!(out["KeyId"], Driver::key_arn(&key));
        let back = d.ok("Decrypt", json!({"CiphertextBlob": out["CiphertextBlob"]}));
        assert_eq!(back["Plaintext"], b64(n));
        assert_eq!(back["KeyId"], Driver::key_arn(&key));
    }
    let e = d.err("Encrypt", json!({"KeyId": key, "Plaintext": b64(4097)}));
    assert_eq!(e.name(), "ValidationException");
}

fn base64_len(s: &str) -> usize {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .expect("base64")
        .len()
}

#[test]
fn alias_names_up_to_256_characters() {
    //= spec/kms.md#aliases
    //= type=test
    //# CreateAlias MUST reject an `AliasName` that does not begin with `alias/`, does not match `^[a-zA-Z0-9:/_-]+$`, is longer than 256 characters, or begins with `alias/aws/`, with `InvalidAliasNameException`.
    let mut d = Driver::new();
    let key = d.create_key();
    let ok = format!("alias/{}", "a".repeat(250));
    assert_eq!(ok.len(), 256);
    d.ok("CreateAlias", json!({"AliasName": ok, "TargetKeyId": key}));
    let long = format!("alias/{}", "b".repeat(251));
    for bad in [long.as_str(), "nope/x", "alias/a b", "alias/aws/mine"] {
        let e = d.err("CreateAlias", json!({"AliasName": bad, "TargetKeyId": key}));
        assert_eq!(e.name(), "InvalidAliasNameException", "{bad}");
    }
}

/// The message of a `Limit` of `value` outside `bound` (`spec/kms.md#list-limit`).
fn limit_text(value: i64, bound: &str) -> String {
    format!(
        "1 validation error detected: Value '{value}' at 'limit' failed to satisfy constraint: Member must have value {bound}"
    )
}

#[test]
fn list_limit_messages() {
    //= spec/kms.md#list-limit
    //= type=test
    //# A `Limit` below 1 MUST fail with `ValidationException` and the message `1 validation error detected: Value '<n>' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`, and a `Limit` above 1000 with `ValidationException` and the message `1 validation error detected: Value '<n>' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000`.
    //= spec/kms.md#list-limit
    //= type=test
    //# A `Limit` from 101 to 1000 given to ListAliases, ListGrants or ListRetirableGrants MUST fail with `ValidationException` and the message `1 validation error detected: Value '<n>' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100`.
    let mut d = Driver::new();
    let key = d.create_key();
    let admin = "arn:aws:iam::123456789012:user/admin";
    d.ok(
        "CreateGrant",
        json!({"KeyId": key, "GranteePrincipal": admin, "RetiringPrincipal": admin, "Operations": ["Decrypt"]}),
    );
    let ops = [
        ("ListGrants", json!({"KeyId": key}), true),
        ("ListAliases", json!({}), true),
        (
            "ListRetirableGrants",
            json!({"RetiringPrincipal": admin}),
            true,
        ),
        ("ListKeys", json!({}), false),
        ("ListResourceTags", json!({"KeyId": key}), false),
    ];
    for (op, body, hundred) in ops {
        let mut with = |limit: i64| {
            let mut b = body.clone();
            b["Limit"] = json!(limit);
            d.call(op, b).result.map(|r| r.body())
        };
        let expected: [(i64, Option<String>); 7] = [
            (0, Some(limit_text(0, "greater than or equal to 1"))),
            (-1, Some(limit_text(-1, "greater than or equal to 1"))),
            (1, None),
            (100, None),
            (
                101,
                hundred.then(|| limit_text(101, "less than or equal to 100")),
            ),
            (
                1000,
                hundred.then(|| limit_text(1000, "less than or equal to 100")),
            ),
            (1001, Some(limit_text(1001, "less than or equal to 1000"))),
        ];
        for (limit, want) in expected {
            let got = with(limit);
            match want {
                None => assert!(got.is_ok(), "{op} Limit {limit}: {got:?}"),
                Some(text) => {
                    let e = got.expect_err(&format!("{op} Limit {limit} is refused"));
                    assert_eq!(
                        (e.name(), e.message.as_str()),
                        ("ValidationException", text.as_str()),
                        "{op} Limit {limit}"
                    );
                }
            }
        }
    }
}
