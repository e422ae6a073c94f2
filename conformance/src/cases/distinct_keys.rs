//! Items whose keys differ only in a Number or a Binary value stay distinct items, in the table
//! and in a global index (`spec/key-hierarchy.md#item-aad`: distinct key attributes give
//! distinct `primary_key` bytes). The other cases key their tables by a String, so a target that
//! lost the value of a Number or Binary key on the way to its storage key would pass them all.

use serde_json::{Value, json};

use super::Case;
use crate::ctx::{CaseResult, Ctx, check_eq};

/// Cases of this file.
pub const CASES: &[Case] = &[Case {
    id: "key-hierarchy/item-aad/distinct-keys",
    title: "items keyed by Numbers and Binaries that differ only in one key value stay distinct",
    needs: &[],
    run: distinct_keys,
}];

//= spec/key-hierarchy.md#item-aad
//= type=test
//# Two items MUST have different `primary_key` bytes whenever their key attributes differ.
fn distinct_keys(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    let table = ctx.name("numbers");
    ctx.ddb(
        "CreateTable",
        json!({
            "TableName": table,
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "N"},
                                     {"AttributeName": "sk", "AttributeType": "B"},
                                     {"AttributeName": "g", "AttributeType": "N"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                          {"AttributeName": "sk", "KeyType": "RANGE"}],
            "GlobalSecondaryIndexes": [{"IndexName": "byG",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"}}],
            "BillingMode": "PAY_PER_REQUEST",
            "SSESpecification": {"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": key.id}
        }),
    )?
    .ok()?;
    // (pk, sk, g): pairs that differ in the Number only, in the Binary only, and in the index key.
    let items = [("1", "AQ==", "1"), ("2", "AQ==", "2"), ("1", "Ag==", "2")];
    for (i, (pk, sk, g)) in items.iter().enumerate() {
        ctx.ddb(
            "PutItem",
            json!({"TableName": table, "Item": {"pk": {"N": pk}, "sk": {"B": sk}, "g": {"N": g},
                   "which": {"N": i.to_string()}}}),
        )?
        .ok()?;
    }
    for (i, (pk, sk, g)) in items.iter().enumerate() {
        let got = ctx.ddb(
            "GetItem",
            json!({"TableName": table, "Key": {"pk": {"N": pk}, "sk": {"B": sk}}, "ConsistentRead": true}),
        )?;
        check_eq(
            &format!("GetItem pk {pk}, sk {sk}"),
            &json!({"pk": {"N": pk}, "sk": {"B": sk}, "g": {"N": g}, "which": {"N": i.to_string()}}),
            &got.ok()?["Item"],
        )?;
    }
    for g in ["1", "2"] {
        let r = ctx.ddb(
            "Query",
            json!({"TableName": table, "IndexName": "byG", "KeyConditionExpression": "g = :g",
                   "ExpressionAttributeValues": {":g": {"N": g}}}),
        )?;
        let mut which: Vec<String> = r.ok()?["Items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|item| item["which"]["N"].as_str().unwrap_or_default().to_owned())
            .collect();
        which.sort();
        let expected: Vec<String> = items
            .iter()
            .enumerate()
            .filter(|(_, it)| it.2 == g)
            .map(|(i, _)| i.to_string())
            .collect();
        check_eq(
            &format!("the items of index byG with g = {g}"),
            &Value::from(expected),
            &Value::from(which),
        )?;
    }
    Ok(())
}
