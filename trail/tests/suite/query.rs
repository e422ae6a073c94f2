//! The blog's four queries on a generated trail, against a naive scan of the same files.

use ddbsse_trail::analyze::folder_query;
use ddbsse_trail::files::DayRange;
use ddbsse_trail::filter::Filter;
use ddbsse_trail::query::{ATHENA_COLUMNS, BLOG_COLUMNS, BLOG_TABLE_COLUMNS, Order, Query};
use ddbsse_wire::time::Day;
use serde_json::Value;

use crate::support::{generated, naive_records};

const DAY: &str = "2019-03-11";

fn day_filter() -> Filter {
    Filter {
        days: DayRange::single(Day::parse(DAY).expect("day")),
        ..Filter::default()
    }
}

fn s<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}

fn table_of(r: &Value) -> Option<&str> {
    r.get("requestParameters")?
        .get("encryptionContext")?
        .get("aws:dynamodb:tableName")?
        .as_str()
}

/// Records of the blog's day with eventsource and sourceipaddress as in queries 2-4.
fn kms_via_dynamodb(records: &[(String, Value)]) -> Vec<&Value> {
    records
        .iter()
        .filter(|(d, r)| {
            d == DAY
                && s(r, "eventSource") == Some("kms.amazonaws.com")
                && s(r, "sourceIPAddress") == Some("dynamodb.amazonaws.com")
        })
        .map(|(_, r)| r)
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn query_1_dynamodb_calls_of_the_day() {
    let (dir, _) = generated(3000);
    let all = naive_records(dir.path());
    let expected: Vec<String> = all
        .iter()
        .filter(|(d, r)| d == DAY && s(r, "eventSource") == Some("dynamodb.amazonaws.com"))
        .map(|(_, r)| s(r, "eventID").expect("id").to_owned())
        .collect();
    assert!(expected.len() > 10, "the generated day has DynamoDB calls");
    let query = Query {
        filter: Filter {
            event_source: Some("dynamodb.amazonaws.com".into()),
            ..day_filter()
        },
        columns: ATHENA_COLUMNS.to_vec(),
        order: Order::Input,
        limit: Some(1000),
    };
    let (rows, report) = folder_query(dir.path(), &query, true, 2).expect("query");
    assert!(report.is_clean());
    let id = ATHENA_COLUMNS
        .iter()
        .position(|c| c.name() == "eventid")
        .expect("eventid column");
    let got: Vec<String> = rows
        .iter()
        .map(|r| r[id].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(got, expected, "same rows, in file then record order");
    // Partition columns come from the folders; requestparameters is the raw JSON text.
    let year = ATHENA_COLUMNS
        .iter()
        .position(|c| c.name() == "year")
        .expect("year");
    assert!(
        rows.iter()
            .all(|r| r[year] == "2019" && r[year + 1] == "03" && r[year + 2] == "11")
    );
    let rp = ATHENA_COLUMNS
        .iter()
        .position(|c| c.name() == "requestparameters")
        .expect("rp");
    assert!(rows.iter().any(|r| {
        r[rp]
            .as_str()
            .is_some_and(|t| t.starts_with("{\"tableName\""))
    }));
    // LIMIT applies.
    let (rows, _) = folder_query(
        dir.path(),
        &Query {
            limit: Some(3),
            ..query
        },
        true,
        2,
    )
    .expect("query");
    assert_eq!(rows.len(), 3);
}

#[test]
fn query_2_kms_calls_made_by_dynamodb() {
    let (dir, _) = generated(3000);
    let all = naive_records(dir.path());
    let expected: Vec<String> = kms_via_dynamodb(&all)
        .iter()
        .map(|r| s(r, "eventTime").expect("t").to_owned())
        .collect();
    let query = Query {
        filter: Filter {
            event_source: Some("kms.amazonaws.com".into()),
            via_dynamodb: true,
            ..day_filter()
        },
        columns: BLOG_COLUMNS.to_vec(),
        order: Order::Input,
        limit: None,
    };
    let (rows, _) = folder_query(dir.path(), &query, true, 2).expect("query");
    let got: Vec<String> = rows
        .iter()
        .map(|r| r[0].as_str().expect("eventtime").to_owned())
        .collect();
    assert_eq!(got, expected);
    assert!(rows.iter().all(|r| r[2] == "dynamodb.amazonaws.com"));
    // The admin's own KMS calls (from its IP) are not included.
    assert!(all.iter().any(|(d, r)| d == DAY
        && s(r, "eventSource") == Some("kms.amazonaws.com")
        && s(r, "sourceIPAddress") == Some("192.0.2.10")));
}

#[test]
fn query_3_kms_calls_for_one_table_in_time_order() {
    let (dir, _) = generated(3000);
    let all = naive_records(dir.path());
    let expected = sorted(
        kms_via_dynamodb(&all)
            .into_iter()
            .filter(|r| table_of(r) == Some("Books"))
            .map(|r| r.to_string())
            .collect(),
    );
    let query = Query {
        filter: Filter {
            event_source: Some("kms.amazonaws.com".into()),
            via_dynamodb: true,
            table: Some("Books".into()),
            ..day_filter()
        },
        columns: vec![
            ddbsse_trail::query::Column::by_name("eventtime").expect("col"),
            ddbsse_trail::query::Column::by_name("eventid").expect("col"),
        ],
        order: Order::Time,
        limit: Some(1000),
    };
    let (rows, _) = folder_query(dir.path(), &query, true, 2).expect("query");
    assert_eq!(rows.len(), expected.len());
    assert!(
        rows.windows(2)
            .all(|w| w[0][0].as_str() <= w[1][0].as_str()),
        "ordered by eventtime"
    );
    let by_id: std::collections::HashMap<&str, &Value> = all
        .iter()
        .map(|(_, r)| (s(r, "eventID").expect("id"), r))
        .collect();
    let got = sorted(
        rows.iter()
            .map(|r| by_id[r[1].as_str().expect("id")].to_string())
            .collect(),
    );
    assert_eq!(got, expected);
    // With a small limit, the earliest rows.
    let (few, _) = folder_query(
        dir.path(),
        &Query {
            limit: Some(4),
            ..query
        },
        true,
        1,
    )
    .expect("query");
    assert_eq!(few, rows[..4].to_vec());
}

#[test]
fn query_4_tables_using_one_key_ordered_by_table_nulls_last() {
    let (dir, summary) = generated(3000);
    let key = summary.key_arns[1].clone();
    let all = naive_records(dir.path());
    let first_arn = |r: &Value| {
        r.get("resources")
            .and_then(|x| x.get(0))
            .and_then(|x| x.get("ARN"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let matching: Vec<&Value> = kms_via_dynamodb(&all)
        .into_iter()
        .filter(|r| first_arn(r).as_deref() == Some(key.as_str()))
        .collect();
    let query = Query {
        filter: Filter {
            event_source: Some("kms.amazonaws.com".into()),
            via_dynamodb: true,
            key_arn: Some(key.clone()),
            ..day_filter()
        },
        columns: BLOG_TABLE_COLUMNS.to_vec(),
        order: Order::Table,
        limit: Some(1000),
    };
    let (rows, _) = folder_query(dir.path(), &query, true, 2).expect("query");
    assert_eq!(rows.len(), matching.len());
    let tables: Vec<Option<&str>> = rows.iter().map(|r| r[2].as_str()).collect();
    let mut expected: Vec<Option<&str>> = matching.iter().map(|r| table_of(r)).collect();
    expected.sort_by_key(|t| (t.is_none(), *t));
    assert_eq!(tables, expected, "ddbtbl ascending, nulls last");
    assert!(
        tables.contains(&None)
            && tables.contains(&Some("Orders"))
            && tables.contains(&Some("Services"))
    );
}
