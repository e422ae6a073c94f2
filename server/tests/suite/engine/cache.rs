//! The table-key cache through the engine: one Decrypt per (principal, connection, table,
//! generation), the 300 s boundary, failure and recovery, and the deliberate faults.

use ddbsse_server::engine::Faults;
use ddbsse_wire::caller::Caller;
use serde_json::json;

use super::support::H;

fn kms_table(h: &H) -> (String, String) {
    let (id, arn) = h.create_key();
    h.create_table("cat", Some(json!({"SSEType": "KMS", "KMSMasterKeyId": id})));
    (id, arn)
}

#[test]
//= spec/cache.md#boundary
//= type=test
//# A data-plane request at `now - t0 >= 300 s` MUST call KMS Decrypt again and, on success, replace the entry with one fetched at `now`, so a request 300 s after the fetch refreshes it.
fn decrypt_at_first_use_and_every_300_seconds() {
    let h = H::new();
    kms_table(&h);
    assert_eq!(h.decrypts(), 0, "CreateTable creates no entry");
    h.put("cat", "a", 1, "x");
    assert_eq!(h.decrypts(), 1);
    h.advance_secs(299);
    h.get("cat", "a", 1);
    assert_eq!(h.decrypts(), 1, "299 s: served from the cache");
    h.advance_secs(1);
    h.get("cat", "a", 1);
    assert_eq!(h.decrypts(), 2, "300 s: refreshed");
    // Steady traffic does not extend the entry.
    for _ in 0..3 {
        h.advance_secs(100);
        h.get("cat", "a", 1);
    }
    assert_eq!(h.decrypts(), 3);
    let rec = &h.events("Decrypt")[0];
    assert_eq!(rec["userIdentity"]["accessKeyId"], "AKIDALICE");
    assert_eq!(rec["userIdentity"]["invokedBy"], "dynamodb.amazonaws.com");
    assert_eq!(rec["sourceIPAddress"], "dynamodb.amazonaws.com");
    assert_eq!(
        rec["requestParameters"]["encryptionContext"],
        json!({"aws:dynamodb:subscriberId": "123456789012", "aws:dynamodb:tableName": "cat"})
    );
}

#[test]
//= spec/cache.md#scope
//= type=test
//# A data-plane request MUST NOT use an entry created for another principal, another connection, another table or another table-key generation.
fn entries_are_per_principal_connection_and_generation() {
    let h = H::new();
    kms_table(&h);
    h.put("cat", "a", 1, "x");
    let bob = Caller::new("AKIDBOB", 1);
    let alice2 = Caller::new("AKIDALICE", 2);
    h.ok_as(
        &bob,
        "GetItem",
        json!({"TableName": "cat", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}}),
    );
    assert_eq!(h.decrypts(), 2);
    h.ok_as(
        &alice2,
        "GetItem",
        json!({"TableName": "cat", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}}),
    );
    assert_eq!(h.decrypts(), 3);
    h.get("cat", "a", 1);
    assert_eq!(h.decrypts(), 3);
    // A key switch starts a new generation: the next request decrypts the new table key.
    let (k2, _) = h.create_key();
    h.ok(
        "UpdateTable",
        json!({"TableName": "cat", "SSESpecification": {"SSEType": "KMS", "KMSMasterKeyId": k2}}),
    );
    h.get("cat", "a", 1);
    assert_eq!(h.decrypts(), 4);
}

#[test]
//= spec/cache.md#serve-while-unusable
//= type=test
//# An entry that is still fresh (`now - t0 < 300 s`) MUST keep serving data-plane requests after the table's key is disabled, scheduled for deletion or loses its grant, and the first request at `now - t0 >= 300 s` MUST fail as section 5 says.
fn disabled_key_fails_after_the_entry_expires_and_recovers() {
    let h = H::new();
    let (id, arn) = kms_table(&h);
    h.put("cat", "a", 1, "x");
    h.ok("DisableKey", json!({"KeyId": id}));
    h.advance_secs(299);
    h.get("cat", "a", 1);
    h.advance_secs(1);
    let (n, m) = h.err(
        "GetItem",
        json!({"TableName": "cat", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}}),
    );
    assert_eq!(n, "ValidationException");
    assert!(m.starts_with(&format!("KMS key disabled error: com.amazonaws.services.kms.model.DisabledException: {arn} is disabled.")), "{m}");
    let failed = h.events("Decrypt");
    assert_eq!(failed.last().unwrap()["errorCode"], "DisabledException");
    //= spec/cache.md#failure
    //= type=test
    //# When the Decrypt of a fetch or refresh fails, the request MUST fail with the error of `spec/tables.md#data-plane-errors`, the entry MUST be dropped, and the next data-plane request of the same principal, connection and table MUST call Decrypt again.
    let before = h.decrypts();
    h.err(
        "PutItem",
        json!({"TableName": "cat", "Item": {"pk": {"S": "b"}, "sk": {"N": "1"}}}),
    );
    assert_eq!(h.decrypts(), before + 1);
    h.ok("EnableKey", json!({"KeyId": id}));
    assert_eq!(h.get("cat", "a", 1)["Item"]["v"]["S"], "x");
    // Pending deletion and a revoked grant.
    h.ok(
        "ScheduleKeyDeletion",
        json!({"KeyId": id, "PendingWindowInDays": 7}),
    );
    h.advance_secs(300);
    let (_, m) = h.err(
        "GetItem",
        json!({"TableName": "cat", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}}),
    );
    assert!(m.contains("KMSInvalidStateException"), "{m}");
    h.ok("CancelKeyDeletion", json!({"KeyId": id}));
    h.ok("EnableKey", json!({"KeyId": id}));
    let grants = h.ok("ListGrants", json!({"KeyId": id}));
    let gid = grants["Grants"][0]["GrantId"].as_str().unwrap().to_owned();
    h.ok("RevokeGrant", json!({"KeyId": id, "GrantId": gid}));
    h.advance_secs(300);
    let (n, m) = h.err(
        "GetItem",
        json!({"TableName": "cat", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}}),
    );
    assert_eq!(n, "AccessDeniedException");
    assert!(m.starts_with("KMS key access denied error: com.amazonaws.services.kms.model.AWSKMSException: The ciphertext refers to a customer master key that does not exist"), "{m}");
    // Re-creating a grant restores access.
    h.ok("CreateGrant", json!({"KeyId": id, "GranteePrincipal": "dynamodb.us-east-1.amazonaws.com", "Operations": ["Decrypt"]}));
    assert_eq!(h.get("cat", "a", 1)["Item"]["v"]["S"], "x");
}

#[test]
fn owned_tables_never_call_kms() {
    let h = H::new();
    h.create_table("own", None);
    h.put("own", "a", 1, "x");
    h.advance_secs(1000);
    h.get("own", "a", 1);
    assert_eq!(h.decrypts(), 0);
}

#[test]
fn fault_cache_never_expires() {
    let h = H::with_faults(Faults {
        cache_never_expires: true,
        ..Faults::default()
    });
    let (id, _) = kms_table(&h);
    h.put("cat", "a", 1, "x");
    h.ok("DisableKey", json!({"KeyId": id}));
    h.advance_secs(10_000);
    h.get("cat", "a", 1);
    assert_eq!(h.decrypts(), 1);
}

#[test]
fn fault_trail_drops_decrypt_and_wrong_arn() {
    let h = H::with_faults(Faults {
        trail_drops_decrypt: true,
        wrong_sse_key_arn: true,
        ..Faults::default()
    });
    let (_, arn) = kms_table(&h);
    h.put("cat", "a", 1, "x");
    assert_eq!(h.decrypts(), 0);
    let d = h.ok("DescribeTable", json!({"TableName": "cat"}));
    let shown = d["Table"]["SSEDescription"]["KMSMasterKeyArn"]
        .as_str()
        .unwrap();
    assert_ne!(shown, arn);
    assert_eq!(shown.len(), arn.len());
}
