//! Table status from the key's history: detection at 900 s, recovery, archiving at 7 days and
//! archived 300 s later.

use serde_json::{Value, json};

use super::support::H;

fn describe(h: &H) -> Value {
    h.ok("DescribeTable", json!({"TableName": "life"}))["Table"].clone()
}

#[test]
//= spec/tables.md#status-inaccessible
//= type=test
//# A KMS table whose key has been unusable for at least 900 s (15 minutes) MUST report `TableStatus` `INACCESSIBLE_ENCRYPTION_CREDENTIALS`, and one whose key has been unusable for less than 900 s MUST report the status it had before.
fn detection_after_900_seconds_and_recovery() {
    let h = H::new();
    let (id, arn) = h.create_key();
    h.create_table(
        "life",
        Some(json!({"SSEType": "KMS", "KMSMasterKeyId": id})),
    );
    h.advance_secs(10);
    h.ok("DisableKey", json!({"KeyId": id}));
    let disabled_at = h.now.get();
    h.advance_secs(899);
    assert_eq!(describe(&h)["TableStatus"], "ACTIVE");
    assert!(
        describe(&h)["SSEDescription"]
            .get("InaccessibleEncryptionDateTime")
            .is_none()
    );
    h.advance_secs(1);
    let t = describe(&h);
    assert_eq!(t["TableStatus"], "INACCESSIBLE_ENCRYPTION_CREDENTIALS");
    assert_eq!(t["SSEDescription"]["Status"], "ENABLED");
    assert_eq!(t["SSEDescription"]["KMSMasterKeyArn"], arn.as_str());
    let expected = disabled_at.plus(900_000).epoch_seconds();
    assert_eq!(
        t["SSEDescription"]["InaccessibleEncryptionDateTime"].as_f64(),
        Some(expected)
    );
    //= spec/tables.md#status-recovery
    //= type=test
    //# When the key of an `INACCESSIBLE_ENCRYPTION_CREDENTIALS` table becomes usable again, the next response describing the table MUST carry `TableStatus` `ACTIVE` and no `InaccessibleEncryptionDateTime`.
    h.ok("EnableKey", json!({"KeyId": id}));
    let t = describe(&h);
    assert_eq!(t["TableStatus"], "ACTIVE");
    assert!(
        t["SSEDescription"]
            .get("InaccessibleEncryptionDateTime")
            .is_none()
    );
    // A short outage (under 900 s) never shows.
    h.ok("DisableKey", json!({"KeyId": id}));
    h.advance_secs(600);
    h.ok("EnableKey", json!({"KeyId": id}));
    h.advance_secs(600);
    assert_eq!(describe(&h)["TableStatus"], "ACTIVE");
}

#[test]
//= spec/tables.md#status-archival
//= type=test
//# A table that has been `INACCESSIBLE_ENCRYPTION_CREDENTIALS` for 7 days (604800 s) MUST report `TableStatus` `ARCHIVING`, whether or not its key has become usable since.
fn archiving_after_seven_days_then_archived() {
    let h = H::new();
    let (id, _) = h.create_key();
    h.create_table(
        "life",
        Some(json!({"SSEType": "KMS", "KMSMasterKeyId": id})),
    );
    h.put("life", "a", 1, "x");
    let grants = h.ok("ListGrants", json!({"KeyId": id}));
    let gid = grants["Grants"][0]["GrantId"].as_str().unwrap().to_owned();
    h.ok("RevokeGrant", json!({"KeyId": id, "GrantId": gid}));
    let lost = h.now.get();
    h.advance_ms(900_000 + 604_800_000 - 1);
    assert_eq!(
        describe(&h)["TableStatus"],
        "INACCESSIBLE_ENCRYPTION_CREDENTIALS"
    );
    h.advance_ms(1);
    assert_eq!(describe(&h)["TableStatus"], "ARCHIVING");
    // Archival is final: restoring access changes nothing.
    h.ok("CreateGrant", json!({"KeyId": id, "GranteePrincipal": "dynamodb.us-east-1.amazonaws.com", "Operations": ["Decrypt"]}));
    assert_eq!(describe(&h)["TableStatus"], "ARCHIVING");
    let (n, m) = h.err(
        "GetItem",
        json!({"TableName": "life", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}}),
    );
    assert_eq!(
        (n.as_str(), m.as_str()),
        ("ValidationException", "Table life is archived")
    );
    //= spec/tables.md#delete
    //= type=test
    //# DeleteTable on an `ARCHIVING` table MUST fail with `ResourceInUseException` and the message below:
    assert_eq!(
        h.err("DeleteTable", json!({"TableName": "life"})),
        (
            "ResourceInUseException".to_owned(),
            "Attempt to change a resource which is still in use: Table: life is being archived."
                .to_owned()
        )
    );
    h.advance_secs(299);
    assert_eq!(describe(&h)["TableStatus"], "ARCHIVING");
    h.advance_secs(1);
    let t = describe(&h);
    assert_eq!(t["TableStatus"], "ARCHIVED");
    let start = lost.plus(900_000 + 604_800_000);
    assert_eq!(
        t["ArchivalSummary"]["ArchivalDateTime"].as_f64(),
        Some(start.epoch_seconds())
    );
    assert_eq!(
        t["ArchivalSummary"]["ArchivalReason"],
        "INACCESSIBLE_ENCRYPTION_CREDENTIALS"
    );
    let backup = t["ArchivalSummary"]["ArchivalBackupArn"].as_str().unwrap();
    assert!(
        backup.starts_with(&format!(
            "arn:aws:dynamodb:us-east-1:123456789012:table/life/backup/{:014}-",
            start.millis()
        )),
        "{backup}"
    );
    assert_eq!(
        t["SSEDescription"]["InaccessibleEncryptionDateTime"].as_f64(),
        Some(lost.plus(900_000).epoch_seconds())
    );
    h.ok("DeleteTable", json!({"TableName": "life"}));
}

#[test]
//= spec/tables.md#delete
//= type=test
//# DeleteTable on a table whose `SSEDescription.Status` is `UPDATING` (section 4.4) MUST fail with `ResourceInUseException` and the message below:
fn delete_refused_while_a_switch_is_updating() {
    let h = H::new();
    let (a, _) = h.create_key();
    let (b, b_arn) = h.create_key();
    h.create_table("swx", Some(json!({"SSEType": "KMS", "KMSMasterKeyId": a})));
    h.put("swx", "a", 1, "x");
    h.ok(
        "UpdateTable",
        json!({"TableName": "swx", "SSESpecification": {"SSEType": "KMS", "KMSMasterKeyId": b}}),
    );
    //= spec/tables.md#update-status
    //= type=test
    //# From `t0` on, data-plane requests on the table MUST use the new table key and only the new key, so disabling the old key after `t0` MUST NOT make a data-plane request on the table fail.
    h.ok("DisableKey", json!({"KeyId": a}));
    assert_eq!(h.get("swx", "a", 1)["Item"]["v"]["S"], "x");
    let decrypts = h.events("Decrypt");
    assert_eq!(
        decrypts.last().unwrap()["resources"][0]["ARN"],
        b_arn.as_str()
    );
    h.advance_ms(21_999);
    let retired = h.events("RetireGrant").len();
    assert_eq!(
        h.err("DeleteTable", json!({"TableName": "swx"})),
        (
            "ResourceInUseException".to_owned(),
            "Attempt to change a resource which is still in use: Table: swx is in the process of being updated."
                .to_owned()
        )
    );
    assert_eq!(h.events("RetireGrant").len(), retired);
    h.advance_ms(1);
    h.ok("DeleteTable", json!({"TableName": "swx"}));
}
