//! The model's own checks of what CreateTable keeps besides SSE: its secondary indexes (described,
//! counted, and the table `UPDATING` while an added index builds) and its tags
//! (`spec/control-plane.md`). The conformance cases check the same against a target; these make
//! the model's tests catch a model that drops them.

use serde_json::json;

use super::support::Driver;

const PEOPLE: &str = "people";

fn key(name: &str, kind: &str) -> serde_json::Value {
    json!({"AttributeName": name, "KeyType": kind})
}

#[test]
fn create_table_keeps_its_indexes_and_tags() {
    let mut d = Driver::new();
    // Only a global index (no local one): CreateTable must still see that the table has indexes.
    let created = d.ok(
        "CreateTable",
        json!({
            "TableName": PEOPLE,
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [
                {"AttributeName": "id", "AttributeType": "S"},
                {"AttributeName": "city", "AttributeType": "S"},
                {"AttributeName": "name", "AttributeType": "S"}
            ],
            "KeySchema": [key("id", "HASH")],
            "GlobalSecondaryIndexes": [
                {"IndexName": "byCity", "KeySchema": [key("city", "HASH")],
                 "Projection": {"ProjectionType": "KEYS_ONLY"}},
                {"IndexName": "byName", "KeySchema": [key("name", "HASH")],
                 "Projection": {"ProjectionType": "KEYS_ONLY"}}
            ],
            "Tags": [{"Key": "team", "Value": "blue"}]
        }),
    );
    let arn = created["TableDescription"]["TableArn"]
        .as_str()
        .expect("arn")
        .to_owned();
    for (id, city, name) in [
        ("1", Some("Oslo"), Some("Ada")),
        ("2", Some("Oslo"), None),
        ("3", None, None),
    ] {
        let mut item = json!({"id": {"S": id}});
        if let Some(c) = city {
            item["city"] = json!({"S": c});
        }
        if let Some(n) = name {
            item["name"] = json!({"S": n});
        }
        d.ok("PutItem", json!({"TableName": PEOPLE, "Item": item}));
    }
    //= spec/control-plane.md#index-describe
    //= type=test
    //# A table with local secondary indexes MUST be described with `LocalSecondaryIndexes`, and one with global secondary indexes with `GlobalSecondaryIndexes`, each entry with the index's name, key schema and projection as created, `ItemCount` and `IndexSizeBytes` as section 2.4.1 says, and `IndexArn` `<table ARN>/index/<index name>`; global entries add `IndexStatus` and `ProvisionedThroughput`; a table without indexes of a kind MUST NOT carry that member.
    //= spec/control-plane.md#index-figures
    //= type=test
    //# A described index's `ItemCount` MUST be the number of the table's items that are in the index at the time of the request (for an index UpdateTable added, from the first read of the index on).
    let table = d.describe(PEOPLE);
    let described: Vec<(String, i64)> = table["GlobalSecondaryIndexes"]
        .as_array()
        .expect("GlobalSecondaryIndexes")
        .iter()
        .map(|i| {
            assert_eq!(
                i["IndexArn"],
                format!("{arn}/index/{}", i["IndexName"].as_str().expect("name"))
            );
            (
                i["IndexName"].as_str().expect("name").to_owned(),
                i["ItemCount"].as_i64().expect("ItemCount"),
            )
        })
        .collect();
    assert_eq!(
        described,
        [("byCity".to_owned(), 2), ("byName".to_owned(), 1)],
        "each index counts its own items"
    );
    assert!(table.get("LocalSecondaryIndexes").is_none());
    //= spec/control-plane.md#tags
    //= type=test
    //# The `Tags` of a CreateTable MUST be checked as TagResource checks them, before `SSESpecification`, and MUST become the new table's tags.
    let tags = d.ok(
        "DynamoDB_20120810.ListTagsOfResource",
        json!({"ResourceArn": arn}),
    );
    assert_eq!(tags["Tags"], json!([{"Key": "team", "Value": "blue"}]));
    //= spec/control-plane.md#index-status
    //= type=test
    //# While a global index of the table is `CREATING` or `DELETING`, a table that would otherwise be described as `ACTIVE` MUST be described with `TableStatus` `UPDATING`.
    assert_eq!(d.status(PEOPLE), "ACTIVE");
    d.ok(
        "UpdateTable",
        json!({"TableName": PEOPLE, "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "byName"}}]}),
    );
    assert_eq!(d.status(PEOPLE), "UPDATING", "while byName is DELETING");
    d.advance(5);
    assert_eq!(d.status(PEOPLE), "ACTIVE", "once byName is gone");
}
