//! Control plane: CreateTable with each key kind, SSE validation, UpdateTable switches and the
//! quota, DeleteTable, ListTables.

use serde_json::{Value, json};

use super::support::{ACCOUNT, H, REGION};

fn sse(v: &Value) -> &Value {
    &v["TableDescription"]["SSEDescription"]
}

#[test]
//= spec/tables.md#sse-owned-key
//= type=test
//# The `TableDescription` of a table encrypted under the AWS owned key MUST NOT contain `SSEDescription` in any response, and a target MUST NOT produce a trail record with `eventSource` `kms.amazonaws.com` for any request on such a table.
fn owned_key_table_has_no_sse_description_and_no_kms_events() {
    let h = H::new();
    for (i, spec) in [None, Some(json!({})), Some(json!({"Enabled": false}))]
        .into_iter()
        .enumerate()
    {
        let name = format!("owned{i}");
        let v = h.create_table(&name, spec);
        assert_eq!(v["TableDescription"]["TableStatus"], "CREATING");
        assert!(v["TableDescription"].get("SSEDescription").is_none());
        let d = h.ok("DescribeTable", json!({"TableName": name}));
        assert_eq!(d["Table"]["TableStatus"], "ACTIVE");
        assert!(d["Table"].get("SSEDescription").is_none());
        h.put(&name, "a", 1, "x");
        assert_eq!(h.get(&name, "a", 1)["Item"]["v"]["S"], "x");
    }
    let kms_events = h
        .engine
        .trail_records()
        .iter()
        .filter(|r| r.event_source == "kms.amazonaws.com")
        .count();
    assert_eq!(kms_events, 0);
}

#[test]
//= spec/tables.md#sse-managed-key
//= type=test
//# A CreateTable request whose `SSESpecification` is `{"Enabled": true}`, `{"Enabled": true, "SSEType": "KMS"}` or `{"SSEType": "KMS"}` MUST encrypt the table under the AWS managed key, creating that key first when it does not exist yet, as `spec/kms.md#aws-managed-key` describes.
fn managed_key_created_on_first_use_and_shared() {
    let h = H::new();
    let a = h.ok("ListAliases", json!({}));
    assert_eq!(a["Aliases"].as_array().unwrap().len(), 0);
    let t1 = h.create_table("mt1", Some(json!({"Enabled": true})));
    let t2 = h.create_table("mt2", Some(json!({"Enabled": true, "SSEType": "KMS"})));
    let t3 = h.create_table("mt3", Some(json!({"SSEType": "KMS"})));
    let arn = sse(&t1)["KMSMasterKeyArn"].as_str().unwrap().to_owned();
    assert_eq!(sse(&t1)["Status"], "ENABLED");
    assert_eq!(sse(&t1)["SSEType"], "KMS");
    assert_eq!(sse(&t2)["KMSMasterKeyArn"], arn.as_str());
    assert_eq!(sse(&t3)["KMSMasterKeyArn"], arn.as_str());
    let d = h.ok("DescribeKey", json!({"KeyId": "alias/aws/dynamodb"}));
    assert_eq!(d["KeyMetadata"]["Arn"], arn.as_str());
    assert_eq!(d["KeyMetadata"]["KeyManager"], "AWS");
    assert_eq!(
        d["KeyMetadata"]["Description"],
        "Default key that protects my DynamoDB data when no other key is defined"
    );
    let grants = h.ok("ListGrants", json!({"KeyId": arn}));
    assert_eq!(grants["Grants"].as_array().unwrap().len(), 3);
}

#[test]
//= spec/tables.md#sse-customer-key
//= type=test
//# A `KMSMasterKeyId` given as a key id, a key ARN, an alias name (`alias/<name>`) or an alias ARN (`arn:aws:kms:<region>:<account>:alias/<name>`) MUST select the key it names, and all four forms of the same key MUST produce the same `KMSMasterKeyArn`, which is the key ARN `arn:aws:kms:<region>:<account>:key/<key id>`, never an alias ARN.
fn customer_key_in_four_forms() {
    let h = H::new();
    let (id, arn) = h.create_key();
    h.ok(
        "CreateAlias",
        json!({"AliasName": "alias/app", "TargetKeyId": id}),
    );
    let forms = [
        id.clone(),
        arn.clone(),
        "alias/app".to_owned(),
        format!("arn:aws:kms:{REGION}:{ACCOUNT}:alias/app"),
    ];
    for (i, form) in forms.iter().enumerate() {
        let v = h.create_table(
            &format!("cf{i}"),
            Some(json!({"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": form})),
        );
        assert_eq!(sse(&v)["KMSMasterKeyArn"], arn.as_str(), "{form}");
    }
}

#[test]
//= spec/tables.md#sse-validation-order
//= type=test
//# A target MUST apply the checks of sections 3.2 to 3.6 in that order and report only the first that fails.
fn sse_validation_messages() {
    let h = H::new();
    let cases = [
        (
            json!({"SSEType": "kms"}),
            "Member must satisfy enum value set: [AES256, KMS]",
        ),
        (
            json!({"Enabled": false, "SSEType": "KMS", "KMSMasterKeyId": "k"}),
            "SSEType can not be specified if Enabled is false",
        ),
        (
            json!({"Enabled": false, "KMSMasterKeyId": "k"}),
            "KMSMasterKeyId can not be specified if Enabled is false",
        ),
        (
            json!({"SSEType": "AES256"}),
            "SSEType AES256 is not supported",
        ),
        (
            json!({"Enabled": true, "KMSMasterKeyId": "k"}),
            "SSEType KMS is required if KMSMasterKeyId is specified",
        ),
    ];
    for (spec, msg) in cases {
        let mut body = json!({"TableName": "vtt",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST"});
        body["SSESpecification"] = spec;
        let (name, m) = h.err("CreateTable", body);
        assert_eq!(name, "ValidationException");
        assert!(m.ends_with(msg), "{m}");
    }
    assert_eq!(
        h.err("DescribeTable", json!({"TableName": "vtt"})).0,
        "ResourceNotFoundException"
    );
}

#[test]
//= spec/tables.md#sse-key-unusable
//= type=test
//# A CreateTable or UpdateTable that selects a disabled key MUST fail with `ValidationException` and the message below:
fn unusable_or_unknown_keys_are_refused_with_wrapped_kms_messages() {
    let h = H::new();
    let (id, arn) = h.create_key();
    let spec = |k: &str| Some(json!({"SSEType": "KMS", "KMSMasterKeyId": k}));
    let body = |name: &str, k: &str| {
        let mut b = json!({"TableName": name,
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST"});
        b["SSESpecification"] = spec(k).unwrap();
        b
    };
    let missing = "11111111-2222-4333-8444-555555555555";
    let (n, m) = h.err("CreateTable", body("ut1", missing));
    assert_eq!(n, "ValidationException");
    assert!(m.starts_with(&format!(
        "KMS validation error: com.amazonaws.services.kms.model.NotFoundException: Key 'arn:aws:kms:{REGION}:{ACCOUNT}:key/{missing}' does not exist (Service: AWSKMS; Status Code: 400; Error Code: NotFoundException; Request ID: "
    )), "{m}");
    let (_, m) = h.err("CreateTable", body("ut1", "alias/nope"));
    assert!(
        m.contains(&format!(
            "NotFoundException: Alias arn:aws:kms:{REGION}:{ACCOUNT}:alias/nope is not found."
        )),
        "{m}"
    );
    h.ok("DisableKey", json!({"KeyId": id}));
    let (_, m) = h.err("CreateTable", body("ut1", &id));
    assert!(m.starts_with(&format!("KMS key disabled error: com.amazonaws.services.kms.model.DisabledException: {arn} is disabled. (Service: AWSKMS; Status Code: 400; Error Code: DisabledException; Request ID: ")), "{m}");
    assert!(m.ends_with("; Proxy: null)"));
    h.ok(
        "ScheduleKeyDeletion",
        json!({"KeyId": id, "PendingWindowInDays": 7}),
    );
    let (_, m) = h.err("CreateTable", body("ut1", &id));
    assert!(m.starts_with(&format!("KMS validation error: com.amazonaws.services.kms.model.KMSInvalidStateException: {arn} is pending deletion.")), "{m}");
    assert_eq!(
        h.err("DescribeTable", json!({"TableName": "ut1"})).0,
        "ResourceNotFoundException"
    );
}

#[test]
fn create_table_kms_calls_are_trailed_in_order_with_documented_shapes() {
    let h = H::new();
    let (_, arn) = h.create_key();
    let before = h.engine.trail_records().len();
    h.create_table(
        "books",
        Some(json!({"SSEType": "KMS", "KMSMasterKeyId": arn})),
    );
    let recs: Vec<Value> = h.engine.trail_records()[before..]
        .iter()
        .map(|r| serde_json::to_value(r).unwrap())
        .collect();
    let names: Vec<&str> = recs
        .iter()
        .map(|r| r["eventName"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "DescribeKey",
            "CreateGrant",
            "GenerateDataKey",
            "CreateTable"
        ]
    );
    let ctx = json!({"aws:dynamodb:subscriberId": ACCOUNT, "aws:dynamodb:tableName": "books"});
    let grant = &recs[1];
    assert_eq!(grant["userIdentity"]["invokedBy"], "dynamodb.amazonaws.com");
    assert_eq!(grant["userIdentity"]["accessKeyId"], "AKIDALICE");
    assert_eq!(grant["sourceIPAddress"], "dynamodb.amazonaws.com");
    assert_eq!(
        grant["requestParameters"]["granteePrincipal"],
        "dynamodb.us-east-1.amazonaws.com"
    );
    assert_eq!(
        grant["requestParameters"]["constraints"]["encryptionContextSubset"],
        ctx
    );
    assert_eq!(
        grant["responseElements"]["grantId"].as_str().unwrap().len(),
        64
    );
    //= spec/key-hierarchy.md#table-key
    //= type=test
    //# The table key MUST be the 32-byte `Plaintext` of a GenerateDataKey request with `KeySpec` `AES_256` under the table's KMS key.
    //= spec/key-hierarchy.md#table-key
    //= type=test
    //# The encryption context of every KMS operation on a table key MUST be exactly the two pairs `aws:dynamodb:tableName` = the table name and `aws:dynamodb:subscriberId` = the account id.
    let gdk = &recs[2];
    assert_eq!(
        gdk["userIdentity"],
        json!({"type": "AWSService", "invokedBy": "dynamodb.amazonaws.com"})
    );
    assert_eq!(gdk["requestParameters"]["keySpec"], "AES_256");
    assert_eq!(gdk["requestParameters"]["encryptionContext"], ctx);
    assert_eq!(gdk["resources"][0]["ARN"], arn.as_str());
    assert_eq!(gdk["readOnly"], true);
    let ct = &recs[3];
    assert_eq!(ct["eventSource"], "dynamodb.amazonaws.com");
    assert_eq!(
        ct["requestParameters"]["sSESpecification"]["kMSMasterKeyId"],
        arn.as_str()
    );
    assert_eq!(
        ct["responseElements"]["tableDescription"]["tableStatus"],
        "CREATING"
    );
    // The grant DynamoDB holds is listed with the documented fields.
    let g = h.ok("ListGrants", json!({"KeyId": arn}));
    let g = &g["Grants"][0];
    assert_eq!(g["RetiringPrincipal"], "dynamodb.us-east-1.amazonaws.com");
    assert_eq!(g["IssuingAccount"], format!("arn:aws:iam::{ACCOUNT}:root"));
    assert_eq!(
        g["Operations"],
        json!([
            "DescribeKey",
            "GenerateDataKey",
            "Decrypt",
            "Encrypt",
            "ReEncryptFrom",
            "ReEncryptTo",
            "RetireGrant"
        ])
    );
    assert_eq!(g["Name"].as_str().unwrap().len(), 36);
}

#[test]
//= spec/tables.md#update-status
//= type=test
//# The UpdateTable response of an accepted switch MUST carry `SSEDescription` with `Status` `UPDATING`, and with `SSEType` `KMS` and the old `KMSMasterKeyArn` when the table used a KMS key before the switch, or with `Status` alone when it used the AWS owned key.
fn update_table_switches_keys_and_keeps_items() {
    let h = H::new();
    let (k1, arn1) = h.create_key();
    let (_, arn2) = h.create_key();
    h.create_table("swt", None);
    for i in 0..5 {
        h.put("swt", "p", i, &format!("v{i}"));
    }
    let upd = |spec: Value| {
        h.ok(
            "UpdateTable",
            json!({"TableName": "swt", "SSESpecification": spec}),
        )
    };
    let v = upd(json!({"SSEType": "KMS", "KMSMasterKeyId": k1}));
    assert_eq!(
        v["TableDescription"]["SSEDescription"],
        json!({"Status": "UPDATING"})
    );
    assert_eq!(v["TableDescription"]["TableStatus"], "ACTIVE");
    let sse = |h: &H| {
        h.ok("DescribeTable", json!({"TableName": "swt"}))["Table"]["SSEDescription"].clone()
    };
    //= spec/tables.md#update-status
    //= type=test
    //# A description of the table made before `t0` + 8 s (8000 ms) MUST carry the same `SSEDescription` as the UpdateTable response.
    h.advance_ms(7999);
    assert_eq!(sse(&h), json!({"Status": "UPDATING"}));
    //= spec/tables.md#update-status
    //= type=test
    //# A description of the table made at or after `t0` + 8 s and before `t0` + 22 s (22000 ms) MUST carry `SSEDescription` with `Status` `UPDATING`, and with `SSEType` `KMS` and the new key ARN when the new key is a KMS key, or with `Status` alone when the new key is the AWS owned key.
    h.advance_ms(1);
    let updating_new = json!({"Status": "UPDATING", "SSEType": "KMS", "KMSMasterKeyArn": arn1});
    assert_eq!(sse(&h), updating_new);
    h.advance_ms(13_999);
    assert_eq!(sse(&h), updating_new);
    //= spec/tables.md#update-status
    //= type=test
    //# A description of the table made at or after `t0` + 22 s MUST describe the new key: `SSEDescription` with `Status` `ENABLED` and the new key ARN for a KMS key, or no `SSEDescription` for the AWS owned key.
    h.advance_ms(1);
    assert_eq!(
        sse(&h),
        json!({"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": arn1})
    );
    let v = upd(json!({"SSEType": "KMS", "KMSMasterKeyId": arn2}));
    assert_eq!(
        v["TableDescription"]["SSEDescription"],
        json!({"Status": "UPDATING", "SSEType": "KMS", "KMSMasterKeyArn": arn1})
    );
    // The old grant was retired, the new one exists.
    assert_eq!(
        h.ok("ListGrants", json!({"KeyId": arn1}))["Grants"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        h.ok("ListGrants", json!({"KeyId": arn2}))["Grants"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(h.events("RetireGrant").len(), 1);
    for i in 0..5 {
        assert_eq!(h.get("swt", "p", i)["Item"]["v"]["S"], format!("v{i}"));
    }
    //= spec/tables.md#update-resend
    //= type=test
    //# On a table already using key X, an UpdateTable whose `KMSMasterKeyId` is X's key ARN MUST fail with `ValidationException` and the message below:
    let (n, m) = h.err(
        "UpdateTable",
        json!({"TableName": "swt", "SSESpecification": {"SSEType": "KMS", "KMSMasterKeyId": arn2}}),
    );
    assert_eq!(n, "ValidationException");
    assert!(m.contains("Table is already encrypted with given KMSMasterKeyId"));
    let (_, m) = h.err("UpdateTable", json!({"TableName": "swt", "BillingMode": "PAY_PER_REQUEST", "SSESpecification": {"Enabled": false}}));
    assert!(m.ends_with(
        "Server-Side Encryption modification must be the only operation in the request"
    ));
    let v = upd(json!({"Enabled": false}));
    assert_eq!(
        v["TableDescription"]["SSEDescription"]["KMSMasterKeyArn"],
        arn2.as_str()
    );
    h.advance_ms(8000);
    assert_eq!(sse(&h), json!({"Status": "UPDATING"}));
    h.advance_ms(14_000);
    let d = h.ok("DescribeTable", json!({"TableName": "swt"}));
    assert!(d["Table"].get("SSEDescription").is_none());
    let (_, m) = h.err(
        "UpdateTable",
        json!({"TableName": "swt", "SSESpecification": {"Enabled": false}}),
    );
    assert!(m.ends_with("Table is already encrypted by default"));
    assert_eq!(h.get("swt", "p", 3)["Item"]["v"]["S"], "v3");
}

#[test]
//= spec/tables.md#update-quota
//= type=test
//# A rejected switch MUST fail with `LimitExceededException` (HTTP 400) and the message below:
fn switch_quota_through_the_engine() {
    let h = H::new();
    let (k1, _) = h.create_key();
    let (k2, _) = h.create_key();
    h.create_table("qtab", None);
    for i in 0..4 {
        let k = if i % 2 == 0 { &k1 } else { &k2 };
        h.advance_secs(60);
        h.ok(
            "UpdateTable",
            json!({"TableName": "qtab", "SSESpecification": {"SSEType": "KMS", "KMSMasterKeyId": k}}),
        );
    }
    h.advance_secs(60);
    let (n, m) = h.err(
        "UpdateTable",
        json!({"TableName": "qtab", "SSESpecification": {"SSEType": "KMS", "KMSMasterKeyId": k2}}),
    );
    assert_eq!(n, "LimitExceededException");
    assert!(m.starts_with("Subscriber limit exceeded: Encryption mode changes are limited in the 24h window ending at 2019-03-12T00:00:00.000Z."), "{m}");
    assert!(
        m.contains("Number of updates today: 4. Last change at 2019-03-11T00:04:00.000Z"),
        "{m}"
    );
    // To the owned key: always allowed.
    h.ok(
        "UpdateTable",
        json!({"TableName": "qtab", "SSESpecification": {"Enabled": false}}),
    );
    h.advance_secs(6 * 3600 - 1);
    assert_eq!(
        h.err(
            "UpdateTable",
            json!({"TableName": "qtab", "SSESpecification": {"Enabled": true}})
        )
        .0,
        "LimitExceededException"
    );
    h.advance_secs(1);
    h.ok(
        "UpdateTable",
        json!({"TableName": "qtab", "SSESpecification": {"Enabled": true}}),
    );
}

#[test]
//= spec/tables.md#delete
//= type=test
//# DeleteTable on a KMS table whose grant still exists MUST retire that grant, whatever the key state.
fn delete_table_retires_the_grant_and_forgets_the_table() {
    let h = H::new();
    let (id, arn) = h.create_key();
    h.create_table(
        "gone",
        Some(json!({"SSEType": "KMS", "KMSMasterKeyId": id})),
    );
    h.put("gone", "a", 1, "x");
    h.ok("DisableKey", json!({"KeyId": id}));
    let v = h.ok("DeleteTable", json!({"TableName": "gone"}));
    assert_eq!(v["TableDescription"]["TableStatus"], "DELETING");
    assert_eq!(
        h.ok("ListGrants", json!({"KeyId": arn}))["Grants"],
        json!([])
    );
    //= spec/tables.md#delete
    //= type=test
    //# Before `d` + 8 s (8000 ms), DescribeTable and DeleteTable naming the table MUST answer the description of that DeleteTable response, with `TableStatus` `DELETING`, and such a DeleteTable MUST make no KMS call.
    h.advance_ms(7999);
    assert_eq!(
        h.ok("DescribeTable", json!({"TableName": "gone"}))["Table"],
        v["TableDescription"]
    );
    assert_eq!(h.ok("DeleteTable", json!({"TableName": "gone"})), v);
    //= spec/tables.md#delete
    //= type=test
    //# Before `d` + 8 s, ListTables MUST list the table, a CreateTable naming it MUST fail with `ResourceInUseException` and the message `Table already exists: <table name>`, and every other request naming it MUST fail with `ResourceNotFoundException`.
    assert_eq!(h.ok("ListTables", json!({}))["TableNames"], json!(["gone"]));
    assert_eq!(
        h.err(
            "GetItem",
            json!({"TableName": "gone", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}})
        )
        .0,
        "ResourceNotFoundException"
    );
    let body = json!({"TableName": "gone", "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}], "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"});
    assert_eq!(
        h.err("CreateTable", body),
        (
            "ResourceInUseException".to_owned(),
            "Table already exists: gone".to_owned()
        )
    );
    //= spec/tables.md#delete
    //= type=test
    //# From `d` + 8 s on, every request naming the table MUST fail with `ResourceNotFoundException`, ListTables MUST NOT list it, and a CreateTable naming it MUST be accepted.
    h.advance_ms(1);
    assert_eq!(h.ok("ListTables", json!({}))["TableNames"], json!([]));
    let rg = h.events("RetireGrant");
    assert_eq!(rg.len(), 1, "the second DeleteTable made no KMS call");
    assert_eq!(rg[0]["userIdentity"]["invokedBy"], "dynamodb.amazonaws.com");
    assert_eq!(rg[0]["requestParameters"], Value::Null);
    assert_eq!(
        rg[0]["additionalEventData"]["grantId"]
            .as_str()
            .unwrap()
            .len(),
        64
    );
    assert_eq!(
        h.err("DescribeTable", json!({"TableName": "gone"})).0,
        "ResourceNotFoundException"
    );
    assert_eq!(
        h.err(
            "GetItem",
            json!({"TableName": "gone", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}})
        )
        .0,
        "ResourceNotFoundException"
    );
    // A table re-created under the same name starts empty.
    h.create_table("gone", None);
    assert!(h.get("gone", "a", 1).get("Item").is_none());
}

#[test]
fn list_tables_pages_in_name_order() {
    let h = H::new();
    for n in ["tac", "taa", "tab"] {
        h.create_table(n, None);
    }
    let p1 = h.ok("ListTables", json!({"Limit": 2}));
    assert_eq!(p1["TableNames"], json!(["taa", "tab"]));
    assert_eq!(p1["LastEvaluatedTableName"], "tab");
    let p2 = h.ok("ListTables", json!({"ExclusiveStartTableName": "tab"}));
    assert_eq!(p2["TableNames"], json!(["tac"]));
    assert!(p2.get("LastEvaluatedTableName").is_none());
    assert_eq!(
        h.err("ListTables", json!({"Limit": 0})).0,
        "ValidationException"
    );
}

#[test]
fn create_table_input_errors() {
    let h = H::new();
    let (n, m) = h.err("CreateTable", json!({"TableName": "xt1"}));
    assert_eq!(n, "ValidationException");
    assert!(m.starts_with("2 validation errors detected"), "{m}");
    let (_, m) = h.err("CreateTable", json!({"TableName": "xt1",
        "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "b", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"}));
    assert!(
        m.contains("Some index key attributes are not defined"),
        "{m}"
    );
    let (_, m) = h.err(
        "CreateTable",
        json!({"TableName": "xt1",
        "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}]}),
    );
    assert!(
        m.contains("ReadCapacityUnits and WriteCapacityUnits must both be specified"),
        "{m}"
    );
    h.create_table("dup", None);
    assert_eq!(h.err("CreateTable", json!({"TableName": "dup",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"})).0,
        "ResourceInUseException");
}
