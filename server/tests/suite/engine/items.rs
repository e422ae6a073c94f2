//! Data plane: every attribute type kept exactly, key checks, the item size limit, Query with
//! each operator and pagination, Scan, batches.

use serde_json::{Value, json};

use super::support::H;

#[test]
fn every_attribute_type_round_trips_with_canonical_numbers() {
    let h = H::new();
    h.create_table("types", Some(json!({"Enabled": true})));
    let item = json!({
        "pk": {"S": "k"}, "sk": {"N": "001.50"},
        "s": {"S": "héllo"}, "n": {"N": "-0012.3400"}, "b": {"B": "AAEC/w=="},
        "t": {"BOOL": true}, "z": {"NULL": true},
        "m": {"M": {"x": {"L": [{"N": "1e2"}, {"S": "y"}]}}},
        "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2.50"]}, "bs": {"BS": ["AA==", "AQ=="]}
    });
    h.ok("PutItem", json!({"TableName": "types", "Item": item}));
    let got = h.ok(
        "GetItem",
        json!({"TableName": "types", "Key": {"pk": {"S": "k"}, "sk": {"N": "1.5"}}}),
    );
    let it = &got["Item"];
    assert_eq!(it["sk"], json!({"N": "1.5"}));
    assert_eq!(it["n"], json!({"N": "-12.34"}));
    assert_eq!(it["b"], json!({"B": "AAEC/w=="}));
    assert_eq!(it["s"], json!({"S": "héllo"}));
    assert_eq!(
        it["m"],
        json!({"M": {"x": {"L": [{"N": "100"}, {"S": "y"}]}}})
    );
    assert_eq!(it["ns"], json!({"NS": ["1", "2.5"]}));
    assert_eq!(it["z"], json!({"NULL": true}));
    assert_eq!(it["bs"], json!({"BS": ["AA==", "AQ=="]}));
    let proj = h.ok(
        "GetItem",
        json!({"TableName": "types", "Key": {"pk": {"S": "k"}, "sk": {"N": "1.5"}},
        "ProjectionExpression": "#s, m.x[1]", "ExpressionAttributeNames": {"#s": "s"}}),
    );
    assert_eq!(
        proj["Item"],
        json!({"s": {"S": "héllo"}, "m": {"M": {"x": {"L": [{"S": "y"}]}}}})
    );
}

#[test]
fn bad_items_and_keys_get_aws_errors() {
    let h = H::new();
    h.create_table("bad", None);
    let (n, m) = h.err(
        "PutItem",
        json!({"TableName": "bad", "Item": {"pk": {"S": "a"}}}),
    );
    assert_eq!(n, "ValidationException");
    assert!(m.contains("Missing the key sk in the item"), "{m}");
    let (_, m) = h.err(
        "PutItem",
        json!({"TableName": "bad", "Item": {"pk": {"N": "1"}, "sk": {"N": "1"}}}),
    );
    assert!(
        m.contains("Type mismatch for key pk expected: S actual: N"),
        "{m}"
    );
    let (_, m) = h.err(
        "GetItem",
        json!({"TableName": "bad", "Key": {"pk": {"S": "a"}}}),
    );
    assert_eq!(m, "The provided key element does not match the schema");
    let big = "x".repeat(400 * 1024);
    let (_, m) = h.err(
        "PutItem",
        json!({"TableName": "bad", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"S": big}}}),
    );
    assert_eq!(m, "Item size has exceeded the maximum allowed size");
    let (n, m) = h.err(
        "PutItem",
        json!({"TableName": "nope", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}}}),
    );
    assert_eq!(n, "ResourceNotFoundException");
    assert_eq!(m, "Requested resource not found: Table: nope not found");
    let (_, m) = h.err(
        "PutItem",
        json!({"TableName": "bad", "Item": {"pk": {"S": "a"}, "sk": {"N": "x1"}}}),
    );
    assert!(m.contains("cannot be converted to a numeric value"), "{m}");
    let (_, m) = h.err("PutItem", json!({"TableName": "bad"}));
    assert!(m.contains("Value null at 'item'"), "{m}");
}

#[test]
fn put_get_delete_with_return_values() {
    let h = H::new();
    h.create_table("rvt", None);
    h.put("rvt", "a", 1, "one");
    let old = h.ok(
        "PutItem",
        json!({"TableName": "rvt", "ReturnValues": "ALL_OLD",
        "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"S": "uno"}}}),
    );
    assert_eq!(old["Attributes"]["v"]["S"], "one");
    let del = h.ok(
        "DeleteItem",
        json!({"TableName": "rvt", "ReturnValues": "ALL_OLD",
        "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}}),
    );
    assert_eq!(del["Attributes"]["v"]["S"], "uno");
    assert!(h.get("rvt", "a", 1).get("Item").is_none());
    assert_eq!(
        h.ok("DescribeTable", json!({"TableName": "rvt"}))["Table"]["ItemCount"],
        0
    );
}

fn sks(v: &Value) -> Vec<i64> {
    v["Items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["sk"]["N"].as_str().unwrap().parse().unwrap())
        .collect()
}

#[test]
fn query_operators_order_and_pages() {
    let h = H::new();
    h.create_table("qtab", Some(json!({"Enabled": true})));
    for sk in [5, -3, 10, 0, 7, 100, 2] {
        h.put("qtab", "p", sk, "x");
    }
    h.put("qtab", "other", 1, "y");
    let q = |cond: &str, vals: Value| {
        let mut v = vals;
        v[":p"] = json!({"S": "p"});
        h.ok("Query", json!({"TableName": "qtab", "KeyConditionExpression": cond, "ExpressionAttributeValues": v}))
    };
    assert_eq!(sks(&q("pk = :p", json!({}))), [-3, 0, 2, 5, 7, 10, 100]);
    assert_eq!(
        sks(&q("pk = :p AND sk < :a", json!({":a": {"N": "5"}}))),
        [-3, 0, 2]
    );
    assert_eq!(
        sks(&q("pk = :p AND sk <= :a", json!({":a": {"N": "5"}}))),
        [-3, 0, 2, 5]
    );
    assert_eq!(
        sks(&q("pk = :p AND sk > :a", json!({":a": {"N": "7"}}))),
        [10, 100]
    );
    assert_eq!(
        sks(&q("pk = :p AND sk >= :a", json!({":a": {"N": "7"}}))),
        [7, 10, 100]
    );
    assert_eq!(
        sks(&q("pk = :p AND sk = :a", json!({":a": {"N": "7"}}))),
        [7]
    );
    assert_eq!(
        sks(&q(
            "pk = :p AND sk BETWEEN :a AND :b",
            json!({":a": {"N": "0"}, ":b": {"N": "7"}})
        )),
        [0, 2, 5, 7]
    );
    let desc = h.ok(
        "Query",
        json!({"TableName": "qtab", "KeyConditionExpression": "#k = :p",
        "ExpressionAttributeNames": {"#k": "pk"}, "ExpressionAttributeValues": {":p": {"S": "p"}},
        "ScanIndexForward": false, "Limit": 3}),
    );
    assert_eq!(sks(&desc), [100, 10, 7]);
    assert_eq!(
        desc["LastEvaluatedKey"],
        json!({"pk": {"S": "p"}, "sk": {"N": "7"}})
    );
    let next = h.ok(
        "Query",
        json!({"TableName": "qtab", "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": "p"}}, "ScanIndexForward": false, "Limit": 3,
        "ExclusiveStartKey": desc["LastEvaluatedKey"].clone()}),
    );
    assert_eq!(sks(&next), [5, 2, 0]);
    let count = h.ok(
        "Query",
        json!({"TableName": "qtab", "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": "p"}}, "Select": "COUNT"}),
    );
    assert_eq!(count["Count"], 7);
    assert!(count.get("Items").is_none());
    let (n, m) = h.err(
        "Query",
        json!({"TableName": "qtab", "KeyConditionExpression": "sk = :p",
        "ExpressionAttributeValues": {":p": {"N": "1"}}}),
    );
    //= spec/expressions.md#key-condition
    //= type=test
    //# A key condition whose equality names an attribute other than the partition key of the table (or of the index read) MUST be refused with `ValidationException` and the message `Query condition missed key schema element: <partition key attribute>`.
    assert_eq!(n, "ValidationException");
    assert_eq!(m, "Query condition missed key schema element: pk");
}

#[test]
fn begins_with_on_string_sort_keys() {
    let h = H::new();
    h.ok("CreateTable", json!({"TableName": "bwt",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        "BillingMode": "PAY_PER_REQUEST"}));
    for sk in [
        "2019-03-11#a",
        "2019-03-12#b",
        "2019-03-11#c",
        "2020-01-01#d",
    ] {
        h.ok(
            "PutItem",
            json!({"TableName": "bwt", "Item": {"pk": {"S": "u"}, "sk": {"S": sk}}}),
        );
    }
    let v = h.ok("Query", json!({"TableName": "bwt", "KeyConditionExpression": "pk = :p AND begins_with(sk, :d)",
        "ExpressionAttributeValues": {":p": {"S": "u"}, ":d": {"S": "2019-03-11"}}, "ProjectionExpression": "sk"}));
    assert_eq!(
        v["Items"],
        json!([{"sk": {"S": "2019-03-11#a"}}, {"sk": {"S": "2019-03-11#c"}}])
    );
}

#[test]
fn scan_pages_cover_every_item_once() {
    let h = H::new();
    h.create_table("sct", None);
    for i in 0..23 {
        h.put("sct", &format!("p{}", i % 5), i, "v");
    }
    let mut seen = Vec::new();
    let mut start: Option<Value> = None;
    loop {
        let mut body = json!({"TableName": "sct", "Limit": 7});
        if let Some(s) = &start {
            body["ExclusiveStartKey"] = s.clone();
        }
        let v = h.ok("Scan", body);
        seen.extend(sks(&v));
        match v.get("LastEvaluatedKey") {
            Some(k) => start = Some(k.clone()),
            None => break,
        }
    }
    seen.sort();
    assert_eq!(seen, (0..23).collect::<Vec<i64>>());
}

#[test]
fn batch_write_and_get_across_tables() {
    let h = H::new();
    h.create_table("bt1", Some(json!({"Enabled": true})));
    h.create_table("bt2", None);
    let put = |pk: &str, sk: i64| json!({"PutRequest": {"Item": {"pk": {"S": pk}, "sk": {"N": sk.to_string()}, "v": {"S": "x"}}}});
    h.ok(
        "BatchWriteItem",
        json!({"RequestItems": {"bt1": [put("a", 1), put("a", 2)], "bt2": [put("z", 9)]}}),
    );
    h.ok("BatchWriteItem", json!({"RequestItems": {"bt1": [{"DeleteRequest": {"Key": {"pk": {"S": "a"}, "sk": {"N": "2"}}}}]}}));
    let v = h.ok("BatchGetItem", json!({"RequestItems": {
        "bt1": {"Keys": [{"pk": {"S": "a"}, "sk": {"N": "1"}}, {"pk": {"S": "a"}, "sk": {"N": "2"}}]},
        "bt2": {"Keys": [{"pk": {"S": "z"}, "sk": {"N": "9"}}], "ProjectionExpression": "pk"}}}));
    assert_eq!(v["Responses"]["bt1"].as_array().unwrap().len(), 1);
    assert_eq!(v["Responses"]["bt2"], json!([{"pk": {"S": "z"}}]));
    assert_eq!(v["UnprocessedKeys"], json!({}));
    let (_, m) = h.err(
        "BatchWriteItem",
        json!({"RequestItems": {"bt1": [put("a", 1), put("a", 1)]}}),
    );
    assert_eq!(m, "Provided list of item keys contains duplicates");
    let many: Vec<Value> = (0..26).map(|i| put("m", i)).collect();
    assert_eq!(
        h.err("BatchWriteItem", json!({"RequestItems": {"bt1": many}}))
            .0,
        "ValidationException"
    );
}

#[test]
fn pages_stop_at_one_megabyte() {
    let h = H::new();
    h.create_table("big", None);
    let blob = "z".repeat(100 * 1024);
    for i in 0..15 {
        h.put("big", "p", i, &blob);
    }
    for op in ["Scan", "Query"] {
        let mut seen = Vec::new();
        let mut start: Option<Value> = None;
        let mut pages = 0;
        loop {
            let mut body = json!({"TableName": "big"});
            if op == "Query" {
                body["KeyConditionExpression"] = json!("pk = :p");
                body["ExpressionAttributeValues"] = json!({":p": {"S": "p"}});
            }
            if let Some(s) = &start {
                body["ExclusiveStartKey"] = s.clone();
            }
            let v = h.ok(op, body);
            pages += 1;
            let n = v["Items"].as_array().unwrap().len();
            assert!(
                n <= 11,
                "{op}: a page holds at most about 1 MB, got {n} items"
            );
            seen.extend(sks(&v));
            match v.get("LastEvaluatedKey") {
                Some(k) => start = Some(k.clone()),
                None => break,
            }
        }
        seen.sort();
        assert_eq!(seen, (0..15).collect::<Vec<i64>>(), "{op}");
        assert!(pages >= 2, "{op}");
    }
}
