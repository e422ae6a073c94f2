//! Choosing the key on CreateTable (`spec/tables.md#sse-choice`) and the AWS managed key
//! (`spec/kms.md#aws-managed-key`).

use serde_json::{Value, json};

use super::Case;
use super::util::{expect_kms_sse, expect_no_sse, managed_key_arn};
use crate::ctx::{CaseResult, Ctx, check, check_eq};
use crate::normalize::short;

/// Cases of this file.
pub const CASES: &[Case] = &[
    Case {
        id: "tables/sse-owned-key/absent",
        title: "no SSESpecification: AWS owned key, no SSEDescription",
        needs: &[],
        run: owned_absent,
    },
    Case {
        id: "tables/sse-owned-key/empty",
        title: "SSESpecification {}: AWS owned key, no SSEDescription",
        needs: &[],
        run: owned_empty,
    },
    Case {
        id: "tables/sse-owned-key/enabled-false",
        title: "SSESpecification {Enabled: false}: AWS owned key, no SSEDescription",
        needs: &[],
        run: owned_disabled,
    },
    Case {
        id: "tables/sse-owned-key/no-kms-records",
        title: "an owned-key table's whole life produces no kms.amazonaws.com record",
        needs: &[],
        run: owned_no_kms_records,
    },
    Case {
        id: "tables/sse-managed-key/enabled",
        title: "{Enabled: true}: the AWS managed key's ARN in SSEDescription",
        needs: &[],
        run: managed_enabled,
    },
    Case {
        id: "tables/sse-managed-key/enabled-kms",
        title: "{Enabled: true, SSEType: KMS}: the AWS managed key",
        needs: &[],
        run: managed_enabled_kms,
    },
    Case {
        id: "tables/sse-managed-key/ssetype-only",
        title: "{SSEType: KMS} without Enabled: the AWS managed key",
        needs: &[],
        run: managed_ssetype_only,
    },
    Case {
        id: "kms/aws-managed-key/shared",
        title: "every managed-key table names the same key, which has KeyManager AWS",
        needs: &[],
        run: managed_shared,
    },
    Case {
        id: "tables/sse-customer-key/key-id",
        title: "KMSMasterKeyId as a key id: SSEDescription names the key ARN",
        needs: &[],
        run: customer_key_id,
    },
    Case {
        id: "tables/sse-customer-key/key-arn",
        title: "KMSMasterKeyId as a key ARN",
        needs: &[],
        run: customer_key_arn,
    },
    Case {
        id: "tables/sse-customer-key/alias-name",
        title: "KMSMasterKeyId as an alias name: resolved to the key ARN",
        needs: &[],
        run: customer_alias_name,
    },
    Case {
        id: "tables/sse-customer-key/alias-arn",
        title: "KMSMasterKeyId as an alias ARN: resolved to the key ARN",
        needs: &[],
        run: customer_alias_arn,
    },
];

//= spec/tables.md#sse-owned-key
//= type=test
//# A CreateTable request without `SSESpecification`, with `SSESpecification` equal to `{}`, or with `{"Enabled": false}` and no other member MUST create a table encrypted under the AWS owned key.
//# The `TableDescription` of a table encrypted under the AWS owned key MUST NOT contain `SSEDescription` in any response, and a target MUST NOT produce a trail record with `eventSource` `kms.amazonaws.com` for any request on such a table.
fn owned(ctx: &mut Ctx<'_>, sse: Option<Value>) -> CaseResult {
    let (name, reply) = ctx.create_table("owned", sse)?;
    expect_no_sse("CreateTable", &reply.ok()?["TableDescription"])?;
    let d = ctx.describe(&name)?;
    expect_no_sse("DescribeTable", &d)
}

fn owned_absent(ctx: &mut Ctx<'_>) -> CaseResult {
    owned(ctx, None)
}

fn owned_empty(ctx: &mut Ctx<'_>) -> CaseResult {
    owned(ctx, Some(json!({})))
}

fn owned_disabled(ctx: &mut Ctx<'_>) -> CaseResult {
    owned(ctx, Some(json!({"Enabled": false})))
}

//= spec/tables.md#sse-owned-key
//= type=test
//# The `TableDescription` of a table encrypted under the AWS owned key MUST NOT contain `SSEDescription` in any response, and a target MUST NOT produce a trail record with `eventSource` `kms.amazonaws.com` for any request on such a table.
fn owned_no_kms_records(ctx: &mut Ctx<'_>) -> CaseResult {
    let name = ctx.created_table("owned", None)?;
    ctx.describe(&name)?;
    ctx.put(&name, "a", "1")?.ok()?;
    ctx.get(&name, "a")?.ok()?;
    ctx.ddb("Scan", json!({"TableName": name}))?.ok()?;
    ctx.ddb(
        "UpdateTable",
        json!({"TableName": name, "BillingMode": "PROVISIONED", "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}),
    )?;
    ctx.ddb("DeleteTable", json!({"TableName": name}))?.ok()?;
    let trail = ctx.trail()?;
    let kms: Vec<&Value> = trail
        .iter()
        .filter(|r| r["eventSource"] == "kms.amazonaws.com")
        .collect();
    let ddb = trail
        .iter()
        .filter(|r| r["eventSource"] == "dynamodb.amazonaws.com")
        .count();
    check(
        kms.is_empty() && ddb > 0,
        "DynamoDB records of the table and no kms.amazonaws.com record",
        format!(
            "{ddb} dynamodb record(s), {} kms record(s): {}",
            kms.len(),
            kms.iter()
                .map(|r| r["eventName"].as_str().unwrap_or("?"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
}

//= spec/tables.md#sse-managed-key
//= type=test
//# A CreateTable request whose `SSESpecification` is `{"Enabled": true}`, `{"Enabled": true, "SSEType": "KMS"}` or `{"SSEType": "KMS"}` MUST encrypt the table under the AWS managed key, creating that key first when it does not exist yet, as `spec/kms.md#aws-managed-key` describes.
fn managed(ctx: &mut Ctx<'_>, sse: Value) -> CaseResult {
    let (name, reply) = ctx.create_table("managed", Some(sse))?;
    let created = reply.ok()?["TableDescription"].clone();
    let arn = managed_key_arn(ctx)?;
    //= spec/tables.md#sse-description
    //= type=test
    //# The `TableDescription` of a KMS table MUST contain `SSEDescription` with `Status` `ENABLED`, `SSEType` `KMS` and `KMSMasterKeyArn` equal to the table's key ARN, from the CreateTable response on, except while section 4.4 says otherwise.
    expect_kms_sse("CreateTable", &created, &arn)?;
    let d = ctx.describe(&name)?;
    expect_kms_sse("DescribeTable", &d, &arn)
}

fn managed_enabled(ctx: &mut Ctx<'_>) -> CaseResult {
    managed(ctx, json!({"Enabled": true}))
}

fn managed_enabled_kms(ctx: &mut Ctx<'_>) -> CaseResult {
    managed(ctx, json!({"Enabled": true, "SSEType": "KMS"}))
}

fn managed_ssetype_only(ctx: &mut Ctx<'_>) -> CaseResult {
    managed(ctx, json!({"SSEType": "KMS"}))
}

//= spec/kms.md#aws-managed-key
//= type=test
//# The first CreateTable or UpdateTable that selects the AWS managed key, or the first DescribeKey naming `alias/aws/dynamodb` or its alias ARN, MUST create one key with `KeyManager` `AWS` and `Description` `Default key that protects my DynamoDB data when no other key is defined`, and point `alias/aws/dynamodb` at it.
fn managed_shared(ctx: &mut Ctx<'_>) -> CaseResult {
    let (a, ra) = ctx.create_table("managed-a", Some(json!({"Enabled": true})))?;
    let (b, rb) = ctx.create_table(
        "managed-b",
        Some(json!({"Enabled": true, "SSEType": "KMS"})),
    )?;
    let arn_a = ra.ok()?["TableDescription"]["SSEDescription"]["KMSMasterKeyArn"].clone();
    let arn_b = rb.ok()?["TableDescription"]["SSEDescription"]["KMSMasterKeyArn"].clone();
    check_eq(
        &format!("KMSMasterKeyArn of {b} equals that of {a}"),
        &arn_a,
        &arn_b,
    )?;
    let r = ctx.kms("DescribeKey", json!({"KeyId": "alias/aws/dynamodb"}))?;
    let meta = r.ok()?["KeyMetadata"].clone();
    check_eq(
        "KMSMasterKeyArn is alias/aws/dynamodb's key",
        &meta["Arn"],
        &arn_a,
    )?;
    check_eq(
        "KeyMetadata of alias/aws/dynamodb",
        &json!({"KeyManager": "AWS", "Description": "Default key that protects my DynamoDB data when no other key is defined", "KeyState": "Enabled"}),
        &json!({"KeyManager": meta["KeyManager"], "Description": meta["Description"], "KeyState": meta["KeyState"]}),
    )?;
    let aliases = ctx.kms("ListAliases", json!({}))?;
    let listed = aliases.ok()?["Aliases"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|x| x["AliasName"] == "alias/aws/dynamodb")
                .cloned()
        })
        .unwrap_or(Value::Null);
    check(
        listed["TargetKeyId"] == meta["KeyId"],
        format!("ListAliases shows alias/aws/dynamodb -> {}", meta["KeyId"]),
        format!("ListAliases shows {}", short(&listed)),
    )
}

//= spec/tables.md#sse-customer-key
//= type=test
//# A `KMSMasterKeyId` given as a key id, a key ARN, an alias name (`alias/<name>`) or an alias ARN (`arn:aws:kms:<region>:<account>:alias/<name>`) MUST select the key it names, and all four forms of the same key MUST produce the same `KMSMasterKeyArn`, which is the key ARN `arn:aws:kms:<region>:<account>:key/<key id>`, never an alias ARN.
fn customer(
    ctx: &mut Ctx<'_>,
    form: fn(&mut Ctx<'_>, &crate::ctx::Key) -> Result<String, crate::ctx::Failure>,
) -> CaseResult {
    let key = ctx.create_key()?;
    let id = form(ctx, &key)?;
    let (name, reply) = ctx.create_table(
        "customer",
        Some(json!({"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": id})),
    )?;
    expect_kms_sse("CreateTable", &reply.ok()?["TableDescription"], &key.arn)?;
    let d = ctx.describe(&name)?;
    expect_kms_sse("DescribeTable", &d, &key.arn)
}

fn customer_key_id(ctx: &mut Ctx<'_>) -> CaseResult {
    customer(ctx, |_, k| Ok(k.id.clone()))
}

fn customer_key_arn(ctx: &mut Ctx<'_>) -> CaseResult {
    customer(ctx, |_, k| Ok(k.arn.clone()))
}

fn customer_alias_name(ctx: &mut Ctx<'_>) -> CaseResult {
    customer(ctx, |ctx, k| ctx.create_alias(k))
}

fn customer_alias_arn(ctx: &mut Ctx<'_>) -> CaseResult {
    customer(ctx, |ctx, k| {
        let alias = ctx.create_alias(k)?;
        Ok(ctx.alias_arn(&alias))
    })
}
