//! SSE configuration on CreateTable and UpdateTable, table status, DeleteTable and the data
//! plane (`spec/tables.md`), on the model.

use serde_json::{Value, json};

use super::support::{Driver, RATINGS, alice, names, ratings_table};

fn kms_events(events: &[ddbsse_wire::trail::TrailRecord]) -> usize {
    events
        .iter()
        .filter(|e| e.event_source == "kms.amazonaws.com")
        .count()
}

#[test]
fn owned_key_has_no_sse_description_and_no_kms_record() {
    //= spec/tables.md#sse-owned-key
    //= type=test
    //# A CreateTable request without `SSESpecification`, with `SSESpecification` equal to `{}`, or with `{"Enabled": false}` and no other member MUST create a table encrypted under the AWS owned key.
    //= spec/tables.md#sse-owned-key
    //= type=test
    //# The `TableDescription` of a table encrypted under the AWS owned key MUST NOT contain `SSEDescription` in any response, and a target MUST NOT produce a trail record with `eventSource` `kms.amazonaws.com` for any request on such a table.
    for sse in [Value::Null, json!({}), json!({"Enabled": false})] {
        let mut d = Driver::new();
        let out = d.create_ratings(sse.clone());
        let body = out.result.expect("created").body();
        assert!(
            body["TableDescription"].get("SSEDescription").is_none(),
            "{sse}"
        );
        let mut all = out.events.clone();
        d.advance(1);
        assert!(d.describe(RATINGS).get("SSEDescription").is_none());
        for _ in 0..3 {
            d.advance(400);
            all.extend(
                d.call("PutItem", json!({"TableName": RATINGS, "Item": alice()}))
                    .events,
            );
            all.extend(d.get_ratings(RATINGS).events);
        }
        let del = d.call("DeleteTable", json!({"TableName": RATINGS}));
        assert!(
            del.result.expect("deleted").body()["TableDescription"]
                .get("SSEDescription")
                .is_none()
        );
        all.extend(del.events);
        assert_eq!(kms_events(&all), 0, "{sse}");
        assert_eq!(d.model.key_state("alias/aws/dynamodb"), None);
        assert!(
            d.ok("ListKeys", json!({}))["Keys"]
                .as_array()
                .is_some_and(Vec::is_empty)
        );
    }
}

#[test]
fn managed_key_created_on_first_use_and_reused() {
    //= spec/tables.md#sse-managed-key
    //= type=test
    //# A CreateTable request whose `SSESpecification` is `{"Enabled": true}`, `{"Enabled": true, "SSEType": "KMS"}` or `{"SSEType": "KMS"}` MUST encrypt the table under the AWS managed key, creating that key first when it does not exist yet, as `spec/kms.md#aws-managed-key` describes.
    //= spec/tables.md#sse-managed-key
    //= type=test
    //# A CreateTable request whose `SSESpecification` is `{"Enabled": true}`, `{"Enabled": true, "SSEType": "KMS"}` or `{"SSEType": "KMS"}` MUST encrypt the table under the AWS managed key, creating that key first when it does not exist yet, as `spec/kms.md#aws-managed-key` describes.
    //= spec/kms.md#aws-managed-key
    //= type=test
    //# The first CreateTable or UpdateTable that selects the AWS managed key, or the first DescribeKey naming `alias/aws/dynamodb` or its alias ARN, MUST create one key with `KeyManager` `AWS` and `Description` `Default key that protects my DynamoDB data when no other key is defined`, and point `alias/aws/dynamodb` at it.
    let mut d = Driver::new();
    let aliases = d.ok("ListAliases", json!({}));
    assert!(
        aliases["Aliases"].as_array().is_some_and(Vec::is_empty),
        "no alias before first use"
    );
    let mut arns = Vec::new();
    for (i, sse) in [
        json!({"Enabled": true}),
        json!({"Enabled": true, "SSEType": "KMS"}),
        json!({"SSEType": "KMS"}),
    ]
    .into_iter()
    .enumerate()
    {
        let name = format!("table{i}");
        let out = d.ok("CreateTable", ratings_table(&name, sse));
        arns.push(out["TableDescription"]["SSEDescription"]["KMSMasterKeyArn"].clone());
    }
    assert!(arns.iter().all(|a| *a == arns[0]));
    let md = d.ok("DescribeKey", json!({"KeyId": "alias/aws/dynamodb"}))["KeyMetadata"].clone();
    assert_eq!(md["KeyManager"], "AWS");
    assert_eq!(
        md["Description"],
        "Default key that protects my DynamoDB data when no other key is defined"
    );
    assert_eq!(md["Arn"], arns[0]);
    assert_eq!(
        d.ok("ListKeys", json!({}))["Keys"].as_array().map(Vec::len),
        Some(1)
    );
    let aliases = d.ok("ListAliases", json!({}));
    assert_eq!(aliases["Aliases"][0]["AliasName"], "alias/aws/dynamodb");
    assert_eq!(aliases["Aliases"][0]["TargetKeyId"], md["KeyId"]);

    // DescribeKey of the alias ARN creates it too.
    let mut d = Driver::new();
    let md = d.ok(
        "DescribeKey",
        json!({"KeyId": "arn:aws:kms:us-east-1:123456789012:alias/aws/dynamodb"}),
    );
    assert_eq!(md["KeyMetadata"]["KeyManager"], "AWS");
}

#[test]
fn four_id_forms_give_the_same_key_arn() {
    //= spec/tables.md#sse-description
    //= type=test
    //# The `TableDescription` of a KMS table MUST contain `SSEDescription` with `Status` `ENABLED`, `SSEType` `KMS` and `KMSMasterKeyArn` equal to the table's key ARN, from the CreateTable response on, except while section 4.4 says otherwise.
    //= spec/tables.md#sse-customer-key
    //= type=test
    //# A `KMSMasterKeyId` given as a key id, a key ARN, an alias name (`alias/<name>`) or an alias ARN (`arn:aws:kms:<region>:<account>:alias/<name>`) MUST select the key it names, and all four forms of the same key MUST produce the same `KMSMasterKeyArn`, which is the key ARN `arn:aws:kms:<region>:<account>:key/<key id>`, never an alias ARN.
    //= spec/tables.md#sse-customer-key
    //= type=test
    //# A `KMSMasterKeyId` given as a key id, a key ARN, an alias name (`alias/<name>`) or an alias ARN (`arn:aws:kms:<region>:<account>:alias/<name>`) MUST select the key it names, and all four forms of the same key MUST produce the same `KMSMasterKeyArn`, which is the key ARN `arn:aws:kms:<region>:<account>:key/<key id>`, never an alias ARN.
    let mut d = Driver::new();
    let key = d.create_key();
    d.ok(
        "CreateAlias",
        json!({"AliasName": "alias/ratings", "TargetKeyId": key}),
    );
    let arn = Driver::key_arn(&key);
    let forms = [
        key.clone(),
        arn.clone(),
        "alias/ratings".to_owned(),
        "arn:aws:kms:us-east-1:123456789012:alias/ratings".to_owned(),
    ];
    for (i, form) in forms.iter().enumerate() {
        let out = d.ok(
            "CreateTable",
            ratings_table(
                &format!("t{i}xx"),
                json!({"SSEType": "KMS", "KMSMasterKeyId": form}),
            ),
        );
        assert_eq!(
            out["TableDescription"]["SSEDescription"]["KMSMasterKeyArn"], arn,
            "{form}"
        );
        assert_eq!(
            out["TableDescription"]["SSEDescription"]["Status"],
            "ENABLED"
        );
    }
}

#[test]
fn sse_validation_messages_in_order() {
    //= spec/tables.md#sse-validation-order
    //= type=test
    //# A target MUST apply the checks of sections 3.2 to 3.6 in that order and report only the first that fails.
    let cases = [
        //= spec/tables.md#sse-type-enum
        //= type=test
        //# An `SSEType` other than `AES256` or `KMS` (compared case-sensitively) MUST be rejected with the message `1 validation error detected: Value '<value>' at 'sSESpecification.sSEType' failed to satisfy constraint: Member must satisfy enum value set: [AES256, KMS]`.
        (
            json!({"Enabled": false, "SSEType": "kms", "KMSMasterKeyId": "k"}),
            "1 validation error detected: Value 'kms' at 'sSESpecification.sSEType' failed to satisfy constraint: Member must satisfy enum value set: [AES256, KMS]",
        ),
        //= spec/tables.md#sse-type-with-disabled
        //= type=test
        //# An `SSESpecification` with `Enabled` false and an `SSEType` MUST be rejected with the message `One or more parameter values were invalid: SSEType can not be specified if Enabled is false`.
        (
            json!({"Enabled": false, "SSEType": "KMS", "KMSMasterKeyId": "k"}),
            "One or more parameter values were invalid: SSEType can not be specified if Enabled is false",
        ),
        //= spec/tables.md#sse-key-with-disabled
        //= type=test
        //# An `SSESpecification` with `Enabled` false and a `KMSMasterKeyId` MUST be rejected with the message `One or more parameter values were invalid: KMSMasterKeyId can not be specified if Enabled is false`.
        (
            json!({"Enabled": false, "KMSMasterKeyId": "k"}),
            "One or more parameter values were invalid: KMSMasterKeyId can not be specified if Enabled is false",
        ),
        //= spec/tables.md#sse-type-aes256
        //= type=test
        //# An `SSESpecification` with `SSEType` `AES256` MUST be rejected with the message `One or more parameter values were invalid: SSEType AES256 is not supported`.
        (
            json!({"Enabled": true, "SSEType": "AES256", "KMSMasterKeyId": "k"}),
            "One or more parameter values were invalid: SSEType AES256 is not supported",
        ),
        //= spec/tables.md#sse-type-required
        //= type=test
        //# An `SSESpecification` with a `KMSMasterKeyId` and without `SSEType` MUST be rejected with the message `One or more parameter values were invalid: SSEType KMS is required if KMSMasterKeyId is specified`.
        (
            json!({"Enabled": true, "KMSMasterKeyId": "k"}),
            "One or more parameter values were invalid: SSEType KMS is required if KMSMasterKeyId is specified",
        ),
    ];
    for (sse, msg) in cases {
        let mut d = Driver::new();
        let out = d.create_ratings(sse);
        assert_eq!(kms_events(&out.events), 0);
        let e = out.result.expect_err("invalid");
        assert_eq!(e.name(), "ValidationException");
        assert_eq!(e.message, msg);
        assert!(d.model.table(RATINGS).is_none(), "nothing created");
    }
}

fn request_id_of(msg: &str) -> &str {
    let start = msg
        .find("Request ID: ")
        .map_or(0, |i| i + "Request ID: ".len());
    &msg[start..start + 36]
}

#[test]
fn unusable_or_unknown_key_on_create() {
    let mut d = Driver::new();
    let key = d.create_key();
    let arn = Driver::key_arn(&key);
    d.ok("DisableKey", json!({"KeyId": key}));
    //= spec/tables.md#sse-key-unusable
    //= type=test
    //# A CreateTable or UpdateTable that selects a disabled key MUST fail with `ValidationException` and the message below:
    let out = d.create_ratings(json!({"SSEType": "KMS", "KMSMasterKeyId": key}));
    assert_eq!(names(&out.events), ["DescribeKey", "CreateTable"]);
    let e = out.result.expect_err("disabled");
    assert_eq!(e.name(), "ValidationException");
    let rid = request_id_of(&e.message).to_owned();
    assert_eq!(
        e.message,
        format!(
            "KMS key disabled error: com.amazonaws.services.kms.model.DisabledException: {arn} is disabled. (Service: AWSKMS; Status Code: 400; Error Code: DisabledException; Request ID: {rid}; Proxy: null)"
        )
    );
    assert!(d.model.table(RATINGS).is_none());
    //= spec/tables.md#sse-key-unusable
    //= type=test
    //# A CreateTable or UpdateTable that selects a key pending deletion MUST fail with `ValidationException` and the message below:
    d.ok(
        "ScheduleKeyDeletion",
        json!({"KeyId": key, "PendingWindowInDays": 7}),
    );
    let e = d
        .create_ratings(json!({"SSEType": "KMS", "KMSMasterKeyId": arn}))
        .result
        .expect_err("pending");
    let rid = request_id_of(&e.message).to_owned();
    assert_eq!(
        e.message,
        format!(
            "KMS validation error: com.amazonaws.services.kms.model.KMSInvalidStateException: {arn} is pending deletion. (Service: AWSKMS; Status Code: 400; Error Code: KMSInvalidStateException; Request ID: {rid}; Proxy: null)"
        )
    );
    //= spec/tables.md#sse-key-unusable
    //= type=test
    //# A CreateTable or UpdateTable that names an unknown key id or key ARN MUST fail with `ValidationException` and the message `KMS validation error: com.amazonaws.services.kms.model.NotFoundException: Key '<key arn>' does not exist (Service: AWSKMS; Status Code: 400; Error Code: NotFoundException; Request ID: <uuid>; Proxy: null)`.
    let missing = "11111111-2222-4333-8444-555555555555";
    let out = d.create_ratings(json!({"SSEType": "KMS", "KMSMasterKeyId": missing}));
    let describe = out.events[0].clone();
    assert_eq!(describe.error_code.as_deref(), Some("NotFoundException"));
    let e = out.result.expect_err("unknown");
    assert_eq!(
        e.message,
        format!(
            "KMS validation error: com.amazonaws.services.kms.model.NotFoundException: Key 'arn:aws:kms:us-east-1:123456789012:key/{missing}' does not exist (Service: AWSKMS; Status Code: 400; Error Code: NotFoundException; Request ID: {}; Proxy: null)",
            describe.request_id
        )
    );
    //= spec/tables.md#sse-key-unusable
    //= type=test
    //# A CreateTable or UpdateTable that names an unknown alias MUST fail with `ValidationException` and the message below:
    let e = d
        .create_ratings(json!({"SSEType": "KMS", "KMSMasterKeyId": "alias/nope"}))
        .result
        .expect_err("alias");
    let rid = request_id_of(&e.message).to_owned();
    assert_eq!(
        e.message,
        format!(
            "KMS validation error: com.amazonaws.services.kms.model.NotFoundException: Alias arn:aws:kms:us-east-1:123456789012:alias/nope is not found. (Service: AWSKMS; Status Code: 400; Error Code: NotFoundException; Request ID: {rid}; Proxy: null)"
        )
    );
}

fn update(d: &mut Driver, sse: Value) -> ddbsse_model::Outcome {
    d.call(
        "UpdateTable",
        json!({"TableName": RATINGS, "SSESpecification": sse}),
    )
}

#[test]
fn switching_between_every_pair_of_key_kinds() {
    //= spec/tables.md#update-switch
    //= type=test
    //# An UpdateTable whose `SSESpecification` selects a different key kind or a different key MUST be accepted, subject to sections 3, 4.2, 4.3, 4.5 and 4.6, for every pair among the AWS owned key, the AWS managed key and customer managed keys.
    //= spec/tables.md#update-switch
    //= type=test
    //# An accepted switch MUST create a grant on the new key and a new table key under it when the new key is a KMS key, and MUST retire the table's grant on the old key when the table used a KMS key, as `spec/trail.md#ddb-kms-calls` lists.
    let mut d = Driver::new();
    let k1 = d.create_key();
    let k2 = d.create_key();
    d.create_ratings(Value::Null);
    let steps: [(Value, &[&str]); 6] = [
        (
            json!({"Enabled": true}),
            &[
                "DescribeKey",
                "CreateGrant",
                "GenerateDataKey",
                "UpdateTable",
            ],
        ),
        (
            json!({"SSEType": "KMS", "KMSMasterKeyId": k1}),
            &[
                "DescribeKey",
                "CreateGrant",
                "GenerateDataKey",
                "RetireGrant",
                "UpdateTable",
            ],
        ),
        (
            json!({"SSEType": "KMS", "KMSMasterKeyId": k2}),
            &[
                "DescribeKey",
                "CreateGrant",
                "GenerateDataKey",
                "RetireGrant",
                "UpdateTable",
            ],
        ),
        (json!({"Enabled": false}), &["RetireGrant", "UpdateTable"]),
        (
            json!({"SSEType": "KMS", "KMSMasterKeyId": k1}),
            &[
                "DescribeKey",
                "CreateGrant",
                "GenerateDataKey",
                "UpdateTable",
            ],
        ),
        (
            json!({"Enabled": true, "SSEType": "KMS"}),
            &[
                "DescribeKey",
                "CreateGrant",
                "GenerateDataKey",
                "RetireGrant",
                "UpdateTable",
            ],
        ),
    ];
    let mut previous: Option<String> = None;
    for (i, (sse, expect)) in steps.into_iter().enumerate() {
        d.advance(7 * 3600);
        let out = update(&mut d, sse.clone());
        assert_eq!(names(&out.events), expect, "step {i}: {sse}");
        let body = out.result.expect("switch").body();
        let desc = &body["TableDescription"];
        //= spec/tables.md#update-status
        //= type=test
        //# The `TableStatus` of a table MUST stay `ACTIVE` during and after an accepted SSE switch.
        assert_eq!(desc["TableStatus"], "ACTIVE");
        //= spec/tables.md#update-status
        //= type=test
        //# The UpdateTable response of an accepted switch MUST carry `SSEDescription` with `Status` `UPDATING`, and with `SSEType` `KMS` and the old `KMSMasterKeyArn` when the table used a KMS key before the switch, or with `Status` alone when it used the AWS owned key.
        match &previous {
            Some(old) => assert_eq!(
                desc["SSEDescription"],
                json!({"Status": "UPDATING", "SSEType": "KMS", "KMSMasterKeyArn": old})
            ),
            None => assert_eq!(desc["SSEDescription"], json!({"Status": "UPDATING"})),
        }
        let updating_old = desc["SSEDescription"].clone();
        //= spec/tables.md#update-status
        //= type=test
        //# A description of the table made before `t0` + 8 s (8000 ms) MUST carry the same `SSEDescription` as the UpdateTable response.
        d.advance_ms(7999);
        assert_eq!(
            d.describe(RATINGS)["SSEDescription"],
            updating_old,
            "step {i}"
        );
        //= spec/tables.md#update-status
        //= type=test
        //# A description of the table made at or after `t0` + 8 s and before `t0` + 22 s (22000 ms) MUST carry `SSEDescription` with `Status` `UPDATING`, and with `SSEType` `KMS` and the new key ARN when the new key is a KMS key, or with `Status` alone when the new key is the AWS owned key.
        d.advance_ms(1);
        let mid = d.describe(RATINGS)["SSEDescription"].clone();
        d.advance_ms(13_999);
        assert_eq!(d.describe(RATINGS)["SSEDescription"], mid, "step {i}");
        assert_eq!(mid["Status"], "UPDATING", "step {i}");
        d.advance_ms(1);
        //= spec/tables.md#update-status
        //= type=test
        //# A description of the table made at or after `t0` + 22 s MUST describe the new key: `SSEDescription` with `Status` `ENABLED` and the new key ARN for a KMS key, or no `SSEDescription` for the AWS owned key.
        let now = d.describe(RATINGS);
        match now["SSEDescription"]["KMSMasterKeyArn"].as_str() {
            Some(arn) => assert_eq!(
                mid,
                json!({"Status": "UPDATING", "SSEType": "KMS", "KMSMasterKeyArn": arn})
            ),
            None => assert_eq!(mid, json!({"Status": "UPDATING"})),
        }
        assert_eq!(now["TableStatus"], "ACTIVE");
        previous = now["SSEDescription"]["KMSMasterKeyArn"]
            .as_str()
            .map(str::to_owned);
        if now.get("SSEDescription").is_some() {
            assert_eq!(now["SSEDescription"]["Status"], "ENABLED");
        }
        // Only the table's current key holds a DynamoDB grant for it.
        for k in [&k1, &k2] {
            let grants = d.ok("ListGrants", json!({"KeyId": k}));
            let n = grants["Grants"].as_array().map_or(0, Vec::len);
            let current = previous.as_deref() == Some(Driver::key_arn(k).as_str());
            assert_eq!(n, usize::from(current), "step {i}");
        }
    }
}

#[test]
fn sse_change_must_be_alone() {
    //= spec/tables.md#update-sse-only
    //= type=test
    //# An UpdateTable that carries `SSESpecification` together with any other member besides `TableName` MUST fail with `ValidationException` and the message `One or more parameter values were invalid: Server-Side Encryption modification must be the only operation in the request`.
    let mut d = Driver::new();
    d.create_ratings(Value::Null);
    let e = d.err(
        "UpdateTable",
        json!({"TableName": RATINGS, "SSESpecification": {"Enabled": true}, "DeletionProtectionEnabled": true}),
    );
    assert_eq!(
        e.message,
        "One or more parameter values were invalid: Server-Side Encryption modification must be the only operation in the request"
    );
}

#[test]
fn re_sending_the_current_key() {
    let mut d = Driver::new();
    let key = d.create_key();
    d.ok(
        "CreateAlias",
        json!({"AliasName": "alias/r", "TargetKeyId": key}),
    );
    d.create_ratings(json!({"SSEType": "KMS", "KMSMasterKeyId": key}));
    //= spec/tables.md#update-resend
    //= type=test
    //# On a table already using key X, an UpdateTable whose `KMSMasterKeyId` is X's key ARN MUST fail with `ValidationException` and the message below:
    let out = update(
        &mut d,
        json!({"SSEType": "KMS", "KMSMasterKeyId": Driver::key_arn(&key)}),
    );
    assert_eq!(kms_events(&out.events), 0);
    assert_eq!(
        out.result.expect_err("same arn").message,
        "One or more parameter values were invalid: Table is already encrypted with given KMSMasterKeyId. Use KMSMasterKeyId parameter if you want to change Master Key"
    );
    //= spec/tables.md#update-resend
    //= type=test
    //# On a table already using key X, an UpdateTable that selects X without naming its key ARN (by key id, alias name, alias ARN, or `Enabled` true when X is the AWS managed key) MUST be accepted as a switch to X that counts against the quota of section 4.6.
    let gen0 = d.model.table(RATINGS).expect("t").generation;
    for form in [
        key.clone(),
        "alias/r".to_owned(),
        "arn:aws:kms:us-east-1:123456789012:alias/r".to_owned(),
    ] {
        let out = update(&mut d, json!({"SSEType": "KMS", "KMSMasterKeyId": form}));
        assert_eq!(
            names(&out.events),
            [
                "DescribeKey",
                "CreateGrant",
                "GenerateDataKey",
                "RetireGrant",
                "UpdateTable"
            ]
        );
    }
    assert_eq!(d.model.table(RATINGS).expect("t").generation, gen0 + 3);
    let mut d = Driver::new();
    d.create_ratings(json!({"Enabled": true}));
    for _ in 0..4 {
        assert!(update(&mut d, json!({"Enabled": true})).result.is_ok());
    }
    let e = update(&mut d, json!({"Enabled": true}))
        .result
        .expect_err("5th change");
    assert_eq!(
        e.name(),
        "LimitExceededException",
        "re-sends count against the quota"
    );
    //= spec/tables.md#update-resend
    //= type=test
    //# On a table using the AWS owned key, an UpdateTable whose `SSESpecification` selects the AWS owned key MUST fail with `ValidationException` and the message `One or more parameter values were invalid: Table is already encrypted by default`.
    let mut d = Driver::new();
    d.create_ratings(Value::Null);
    for sse in [json!({"Enabled": false}), json!({})] {
        let e = update(&mut d, sse).result.expect_err("already default");
        assert_eq!(
            e.message,
            "One or more parameter values were invalid: Table is already encrypted by default"
        );
    }
}

#[test]
fn switching_away_from_an_unusable_key() {
    //= spec/tables.md#update-old-key-unusable
    //= type=test
    //# While a table's current key is disabled or pending deletion, an UpdateTable with `SSESpecification` MUST fail with the message of section 3.7 that names the current key, whatever key the request selects.
    let mut d = Driver::new();
    let k1 = d.create_key();
    let k2 = d.create_key();
    d.create_ratings(json!({"SSEType": "KMS", "KMSMasterKeyId": k1}));
    d.ok("DisableKey", json!({"KeyId": k1}));
    for sse in [
        json!({"SSEType": "KMS", "KMSMasterKeyId": k2}),
        json!({"Enabled": false}),
        json!({"Enabled": true}),
    ] {
        let out = update(&mut d, sse);
        assert_eq!(names(&out.events), ["DescribeKey", "UpdateTable"]);
        let e = out.result.expect_err("old key disabled");
        assert!(e.message.starts_with(&format!("KMS key disabled error: com.amazonaws.services.kms.model.DisabledException: {} is disabled.", Driver::key_arn(&k1))));
    }
    // Only the grant missing: a switch to another usable key heals the table.
    let mut d = Driver::new();
    let k1 = d.create_key();
    let k2 = d.create_key();
    d.create_ratings(json!({"SSEType": "KMS", "KMSMasterKeyId": k1}));
    let grant = d
        .model
        .table(RATINGS)
        .and_then(|t| t.grant_id)
        .expect("grant");
    d.ok("RevokeGrant", json!({"KeyId": k1, "GrantId": grant}));
    d.advance(900);
    assert_eq!(d.status(RATINGS), "INACCESSIBLE_ENCRYPTION_CREDENTIALS");
    let out = update(&mut d, json!({"SSEType": "KMS", "KMSMasterKeyId": k2}));
    assert_eq!(
        names(&out.events),
        [
            "DescribeKey",
            "CreateGrant",
            "GenerateDataKey",
            "UpdateTable"
        ],
        "the revoked grant is not retired again"
    );
    assert_eq!(
        out.result.expect("heals").body()["TableDescription"]["TableStatus"],
        "ACTIVE"
    );
    assert_eq!(d.status(RATINGS), "ACTIVE");
}

#[test]
fn revoke_grant_makes_the_table_inaccessible() {
    let mut d = Driver::new();
    d.create_ratings(json!({"Enabled": true}));
    let t = d.model.table(RATINGS).expect("t");
    let arn = t.key_arn.expect("kms");
    d.ok(
        "RevokeGrant",
        json!({"KeyId": arn, "GrantId": t.grant_id.expect("grant")}),
    );
    d.advance(899);
    assert_eq!(d.status(RATINGS), "ACTIVE");
    d.advance(1);
    assert_eq!(d.status(RATINGS), "INACCESSIBLE_ENCRYPTION_CREDENTIALS");
    let e = d.get_ratings(RATINGS).result.expect_err("no grant");
    assert_eq!(e.name(), "AccessDeniedException");
    //= spec/kms.md#grant-table-access
    //= type=test
    //# A target MUST treat a table's key as usable by DynamoDB only while some grant on it has grantee `dynamodb.<region>.amazonaws.com`, includes `Decrypt`, and has an `EncryptionContextSubset` contained in the table's encryption context (or an `EncryptionContextEquals` equal to it, or no constraint).
    // A grant for another table does not help; one with the table's context does.
    let grant = |ctx_table: &str| json!({"KeyId": arn, "GranteePrincipal": "dynamodb.us-east-1.amazonaws.com", "Operations": ["Decrypt"], "Constraints": {"EncryptionContextSubset": {"aws:dynamodb:tableName": ctx_table}}});
    // CreateGrant directly on the AWS managed key is refused, so use a customer key table.
    let mut d2 = Driver::new();
    let k = d2.create_key();
    d2.create_ratings(json!({"SSEType": "KMS", "KMSMasterKeyId": k}));
    let g = d2
        .model
        .table(RATINGS)
        .and_then(|t| t.grant_id)
        .expect("grant");
    d2.ok("RevokeGrant", json!({"KeyId": k, "GrantId": g}));
    let mut other = grant("other");
    other["KeyId"] = json!(k);
    d2.ok("CreateGrant", other);
    d2.advance(900);
    assert_eq!(d2.status(RATINGS), "INACCESSIBLE_ENCRYPTION_CREDENTIALS");
    let mut mine = grant(RATINGS);
    mine["KeyId"] = json!(k);
    d2.ok("CreateGrant", mine);
    assert_eq!(d2.status(RATINGS), "ACTIVE");
    assert!(d2.get_ratings(RATINGS).result.is_ok());
    let e = d.err("CreateGrant", grant(RATINGS));
    assert_eq!(e.name(), "AccessDeniedException");
}

#[test]
fn delete_table_retires_the_grant_in_any_status() {
    //= spec/tables.md#delete
    //= type=test
    //# DeleteTable on a KMS table whose grant still exists MUST retire that grant, whatever the key state.
    //= spec/tables.md#delete
    //= type=test
    //# DeleteTable MUST succeed on a table whose `TableStatus` is `ACTIVE`, `INACCESSIBLE_ENCRYPTION_CREDENTIALS` or `ARCHIVED` and whose `SSEDescription.Status` is not `UPDATING`, with a response carrying the table's description and `TableStatus` `DELETING`.
    let mut d = Driver::new();
    let key = d.create_key();
    d.create_ratings(json!({"SSEType": "KMS", "KMSMasterKeyId": key}));
    d.ok("DisableKey", json!({"KeyId": key}));
    d.advance(1000);
    assert_eq!(d.status(RATINGS), "INACCESSIBLE_ENCRYPTION_CREDENTIALS");
    let out = d.call("DeleteTable", json!({"TableName": RATINGS}));
    assert_eq!(names(&out.events), ["RetireGrant", "DeleteTable"]);
    let retire = &out.events[0];
    assert_eq!(
        retire.user_identity.invoked_by.as_deref(),
        Some("dynamodb.amazonaws.com")
    );
    assert_eq!(retire.request_parameters, Value::Null);
    let body = out.result.expect("deleted").body();
    assert_eq!(body["TableDescription"]["TableStatus"], "DELETING");
    assert_eq!(
        d.ok("ListGrants", json!({"KeyId": key}))["Grants"],
        json!([])
    );
    let deleted = body["TableDescription"].clone();
    //= spec/tables.md#delete
    //= type=test
    //# Before `d` + 8 s (8000 ms), DescribeTable and DeleteTable naming the table MUST answer the description of that DeleteTable response, with `TableStatus` `DELETING`, and such a DeleteTable MUST make no KMS call.
    d.advance_ms(7999);
    assert_eq!(d.describe(RATINGS), deleted);
    let again = d.call("DeleteTable", json!({"TableName": RATINGS}));
    assert_eq!(names(&again.events), ["DeleteTable"]);
    assert_eq!(
        again.result.expect("DELETING").body()["TableDescription"],
        deleted
    );
    //= spec/tables.md#delete
    //= type=test
    //# Before `d` + 8 s, ListTables MUST list the table, a CreateTable naming it MUST fail with `ResourceInUseException` and the message `Table already exists: <table name>`, and every other request naming it MUST fail with `ResourceNotFoundException`.
    assert_eq!(
        d.ok("ListTables", json!({}))["TableNames"],
        json!([RATINGS])
    );
    let e = d
        .create_ratings(Value::Null)
        .result
        .expect_err("still DELETING");
    assert_eq!(
        (e.name(), e.message.as_str()),
        ("ResourceInUseException", "Table already exists: ratings")
    );
    let e = d.get_ratings(RATINGS).result.expect_err("DELETING");
    assert_eq!(e.name(), "ResourceNotFoundException");
    let e = d.err(
        "UpdateTable",
        json!({"TableName": RATINGS, "SSESpecification": {"Enabled": true}}),
    );
    assert_eq!(e.name(), "ResourceNotFoundException");
    //= spec/tables.md#delete
    //= type=test
    //# From `d` + 8 s on, every request naming the table MUST fail with `ResourceNotFoundException`, ListTables MUST NOT list it, and a CreateTable naming it MUST be accepted.
    d.advance_ms(1);
    for op in ["DescribeTable", "DeleteTable"] {
        let e = d.err(op, json!({"TableName": RATINGS}));
        assert_eq!(e.name(), "ResourceNotFoundException");
        assert_eq!(
            e.message,
            "Requested resource not found: Table: ratings not found"
        );
    }
    let e = d.get_ratings(RATINGS).result.expect_err("gone");
    assert_eq!(e.name(), "ResourceNotFoundException");
    assert_eq!(d.ok("ListTables", json!({}))["TableNames"], json!([]));
    d.create_ratings(Value::Null)
        .result
        .expect("the name is free again");
}

#[test]
fn delete_table_refused_while_updating_or_archiving() {
    //= spec/tables.md#delete
    //= type=test
    //# DeleteTable on a table whose `SSEDescription.Status` is `UPDATING` (section 4.4) MUST fail with `ResourceInUseException` and the message below:
    let mut d = Driver::new();
    let key = d.create_key();
    d.create_ratings(Value::Null);
    d.advance(1);
    d.ok(
        "UpdateTable",
        json!({"TableName": RATINGS, "SSESpecification": {"SSEType": "KMS", "KMSMasterKeyId": key}}),
    );
    d.advance_ms(21_999);
    let out = d.call("DeleteTable", json!({"TableName": RATINGS}));
    assert_eq!(names(&out.events), ["DeleteTable"], "no RetireGrant");
    let e = out.result.expect_err("UPDATING");
    assert_eq!(
        (e.name(), e.message.as_str()),
        (
            "ResourceInUseException",
            "Attempt to change a resource which is still in use: Table: ratings is in the process of being updated."
        )
    );
    d.advance_ms(1);
    d.ok("DeleteTable", json!({"TableName": RATINGS}));

    //= spec/tables.md#delete
    //= type=test
    //# DeleteTable on an `ARCHIVING` table MUST fail with `ResourceInUseException` and the message below:
    let mut d = Driver::new();
    let key = d.create_key();
    d.create_ratings(json!({"SSEType": "KMS", "KMSMasterKeyId": key}));
    d.ok("DisableKey", json!({"KeyId": key}));
    d.advance(900 + 7 * 86_400);
    assert_eq!(d.status(RATINGS), "ARCHIVING");
    let e = d.err("DeleteTable", json!({"TableName": RATINGS}));
    assert_eq!(
        (e.name(), e.message.as_str()),
        (
            "ResourceInUseException",
            "Attempt to change a resource which is still in use: Table: ratings is being archived."
        )
    );
    d.advance(300);
    assert_eq!(d.status(RATINGS), "ARCHIVED");
    d.ok("DeleteTable", json!({"TableName": RATINGS}));
}

#[test]
fn create_then_active_and_resource_errors() {
    //= spec/tables.md#status-create
    //= type=test
    //# The CreateTable response MUST carry `TableStatus` `CREATING`, and every later request MUST observe the table as `ACTIVE` (unless section 5.2 applies).
    let mut d = Driver::new();
    let out = d.create_ratings(json!({"Enabled": true}));
    assert_eq!(
        out.result.expect("c").body()["TableDescription"]["TableStatus"],
        "CREATING"
    );
    assert_eq!(d.status(RATINGS), "ACTIVE", "same instant, later request");
    //= spec/errors.md#resource-errors
    //= type=test
    //# A CreateTable naming a table that exists MUST fail with `ResourceInUseException` and the message `Table already exists: <table name>`.
    let e = d.create_ratings(Value::Null).result.expect_err("exists");
    assert_eq!(e.name(), "ResourceInUseException");
    assert_eq!(e.message, "Table already exists: ratings");
}

#[test]
fn acknowledged_items_survive_an_outage() {
    //= spec/tables.md#data-plane-durable
    //= type=test
    //# Every item a target acknowledged while the table was accessible MUST read back unchanged once the table's key is usable again, as long as the table is not `ARCHIVING` or `ARCHIVED`.
    let mut d = Driver::new();
    let key = d.create_key();
    d.create_ratings(json!({"SSEType": "KMS", "KMSMasterKeyId": key}));
    let mut written = Vec::new();
    for i in 0..20 {
        let item = json!({"player": {"S": format!("p{}", i % 4)}, "rating": {"N": format!("{i}")}, "blob": {"B": "AAEC"}, "tags": {"SS": ["a", "b"]}, "nested": {"M": {"l": {"L": [{"N": "1.50"}, {"NULL": true}, {"BOOL": false}]}}}});
        d.ok("PutItem", json!({"TableName": RATINGS, "Item": item}));
        written.push(item);
    }
    d.ok("DisableKey", json!({"KeyId": key}));
    d.advance(2 * 86_400);
    assert!(d.get_ratings(RATINGS).result.is_err());
    d.ok("EnableKey", json!({"KeyId": key}));
    for item in &written {
        let got = d.ok("GetItem", json!({"TableName": RATINGS, "Key": {"player": item["player"], "rating": item["rating"]}}));
        let mut expect = item.clone();
        expect["nested"]["M"]["l"]["L"][0] = json!({"N": "1.5"});
        assert_eq!(got["Item"], expect);
    }
}

#[test]
fn query_order_pages_and_projection() {
    let mut d = Driver::new();
    d.create_ratings(Value::Null);
    for r in ["10", "9", "-1", "2.5", "100"] {
        d.ok("PutItem", json!({"TableName": RATINGS, "Item": {"player": {"S": "bob"}, "rating": {"N": r}, "x": {"S": r}}}));
    }
    d.ok(
        "PutItem",
        json!({"TableName": RATINGS, "Item": {"player": {"S": "zed"}, "rating": {"N": "1"}}}),
    );
    let q = |forward: bool, start: Option<Value>| {
        let mut body = json!({"TableName": RATINGS, "KeyConditionExpression": "player = :p AND rating > :r", "ExpressionAttributeValues": {":p": {"S": "bob"}, ":r": {"N": "0"}}, "Limit": 2, "ScanIndexForward": forward, "ProjectionExpression": "rating"});
        if let Some(s) = start {
            body["ExclusiveStartKey"] = s;
        }
        body
    };
    let mut seen = Vec::new();
    let mut start = None;
    loop {
        let page = d.ok("Query", q(true, start.clone()));
        for item in page["Items"].as_array().expect("items") {
            assert!(item.get("x").is_none(), "projected");
            seen.push(item["rating"]["N"].as_str().expect("n").to_owned());
        }
        match page.get("LastEvaluatedKey") {
            Some(k) => start = Some(k.clone()),
            None => break,
        }
    }
    assert_eq!(seen, ["2.5", "9", "10", "100"]);
    let back = d.ok("Query", q(false, None));
    assert_eq!(back["Items"][0]["rating"]["N"], "100");
    assert_eq!(back["Count"], 2);
    let scan = d.ok("Scan", json!({"TableName": RATINGS}));
    assert_eq!(scan["Count"], 6);
    let tables = d.ok("ListTables", json!({}));
    assert_eq!(tables["TableNames"], json!([RATINGS]));
}

#[test]
fn batch_operations_use_one_entry_per_table() {
    let mut d = Driver::new();
    let key = d.create_key();
    d.create_ratings(json!({"SSEType": "KMS", "KMSMasterKeyId": key}));
    d.ok("CreateTable", ratings_table("plain", Value::Null));
    d.ok(
        "CreateTable",
        ratings_table("other", json!({"Enabled": true})),
    );
    let put = |p: &str| json!({"PutRequest": {"Item": {"player": {"S": p}, "rating": {"N": "1"}}}});
    let out = d.call(
        "BatchWriteItem",
        json!({"RequestItems": {RATINGS: [put("a"), put("b")], "plain": [put("a")], "other": [put("c")]}}),
    );
    assert!(out.result.is_ok());
    let tables: Vec<Value> = out
        .events
        .iter()
        .map(|e| e.request_parameters["encryptionContext"]["aws:dynamodb:tableName"].clone())
        .collect();
    assert_eq!(
        names(&out.events),
        ["Decrypt", "Decrypt"],
        "one Decrypt per KMS table, none for the owned-key table"
    );
    assert_eq!(tables, [json!("other"), json!(RATINGS)]);
    let key_of = |p: &str| json!({"player": {"S": p}, "rating": {"N": "1"}});
    let out = d.call(
        "BatchGetItem",
        json!({"RequestItems": {RATINGS: {"Keys": [key_of("a"), key_of("b"), key_of("zz")]}, "other": {"Keys": [key_of("c")]}}}),
    );
    assert!(out.events.is_empty(), "both entries are fresh");
    let body = out.result.expect("batch get").body();
    assert_eq!(body["Responses"][RATINGS].as_array().map(Vec::len), Some(2));
    assert_eq!(body["Responses"]["other"][0]["player"]["S"], "c");
    // One unusable table fails the whole batch, and nothing is written.
    d.ok("DisableKey", json!({"KeyId": key}));
    d.advance(300);
    let out = d.call(
        "BatchWriteItem",
        json!({"RequestItems": {RATINGS: [put("x")], "plain": [put("x")]}}),
    );
    assert!(out.result.is_err());
    let got = d.ok("GetItem", json!({"TableName": "plain", "Key": key_of("x")}));
    assert!(got.get("Item").is_none());
    let e = d.err("BatchWriteItem", json!({"RequestItems": {"plain": (0..26).map(|i| put(&format!("p{i}"))).collect::<Vec<_>>()}}));
    assert_eq!(e.name(), "ValidationException");
}

#[test]
fn update_table_settings_without_sse() {
    let mut d = Driver::new();
    d.create_ratings(json!({"Enabled": true}));
    let out = d.call("UpdateTable", json!({"TableName": RATINGS, "ProvisionedThroughput": {"ReadCapacityUnits": 7, "WriteCapacityUnits": 9}}));
    assert!(
        out.events
            .iter()
            .all(|e| e.event_source != "kms.amazonaws.com")
    );
    let desc = out.result.expect("update").body()["TableDescription"].clone();
    assert_eq!(desc["ProvisionedThroughput"]["ReadCapacityUnits"], 7);
    assert_eq!(desc["SSEDescription"]["Status"], "ENABLED");
    let e = d.err("UpdateTable", json!({"TableName": RATINGS}));
    assert_eq!(e.name(), "ValidationException");
    d.ok(
        "UpdateTable",
        json!({"TableName": RATINGS, "DeletionProtectionEnabled": true}),
    );
    assert_eq!(
        d.err("DeleteTable", json!({"TableName": RATINGS})).name(),
        "ValidationException"
    );
}

#[test]
fn debug_output_carries_no_key_material() {
    let mut d = Driver::new();
    let key = d.create_key();
    d.create_ratings(json!({"SSEType": "KMS", "KMSMasterKeyId": key}));
    d.get_ratings(RATINGS);
    let out = d.call(
        "GenerateDataKey",
        json!({"KeyId": key, "KeySpec": "AES_256"}),
    );
    let plain = match &out.result {
        Ok(ddbsse_wire::Response::GenerateDataKey(o)) => o.plaintext.0.clone(),
        other => panic!("{other:?}"),
    };
    let debug = format!("{:?} {:?}", d.model, out);
    let bytes = format!("{:?}", &plain[..8]);
    let inner = bytes.trim_matches(|c| c == '[' || c == ']');
    assert!(!debug.contains(inner), "Debug shows plaintext bytes");
    assert!(debug.contains("KeyMaterial(<redacted>)"));
    assert!(debug.contains("TableKey(<redacted>)"));
    assert!(debug.contains("SecretRng(<redacted>)"));
}

#[test]
fn data_plane_uses_the_new_key_during_the_switch() {
    //= spec/tables.md#update-status
    //= type=test
    //# From `t0` on, data-plane requests on the table MUST use the new table key and only the new key, so disabling the old key after `t0` MUST NOT make a data-plane request on the table fail.
    let mut d = Driver::new();
    let a = d.create_key();
    let b = d.create_key();
    d.create_ratings(json!({"SSEType": "KMS", "KMSMasterKeyId": a}));
    d.advance(1);
    d.ok("PutItem", json!({"TableName": RATINGS, "Item": alice()}));
    d.ok(
        "UpdateTable",
        json!({"TableName": RATINGS, "SSESpecification": {"SSEType": "KMS", "KMSMasterKeyId": b}}),
    );
    d.ok("DisableKey", json!({"KeyId": a}));
    d.advance(1);
    assert_eq!(d.describe(RATINGS)["SSEDescription"]["Status"], "UPDATING");
    let out = d.get_ratings(RATINGS);
    let decrypts: Vec<_> = out
        .events
        .iter()
        .filter(|e| e.event_name == "Decrypt")
        .collect();
    assert_eq!(decrypts.len(), 1);
    assert_eq!(decrypts[0].resources[0].arn, Driver::key_arn(&b));
    assert!(out.result.is_ok(), "the item reads back under the new key");
    d.ok("PutItem", json!({"TableName": RATINGS, "Item": alice()}));
}
