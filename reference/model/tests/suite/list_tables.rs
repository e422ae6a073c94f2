//! ListTables on the model: the `Limit` range and its messages, the order of the names, where
//! `ExclusiveStartTableName` starts a page and when a page carries `LastEvaluatedTableName`
//! (`spec/tables.md#list-tables`).

use serde_json::{Value, json};

use super::support::{Driver, ratings_table};

/// A model with a table of each name, in the order given.
fn with_tables(names: &[&str]) -> Driver {
    let mut d = Driver::new();
    for name in names {
        d.ok("CreateTable", ratings_table(name, Value::Null));
    }
    d
}

/// `TableNames` and `LastEvaluatedTableName` of a ListTables with `body`.
fn page(d: &mut Driver, body: Value) -> (Vec<String>, Option<String>) {
    let out = d.ok("ListTables", body);
    let names = out["TableNames"]
        .as_array()
        .expect("TableNames")
        .iter()
        .map(|n| n.as_str().expect("a name").to_owned())
        .collect();
    let last = out
        .get("LastEvaluatedTableName")
        .map(|n| n.as_str().expect("a name").to_owned());
    (names, last)
}

fn strings(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

#[test]
fn limit_out_of_range_names_the_bound_it_broke() {
    //= spec/tables.md#list-tables-limit
    //= type=test
    //# A ListTables whose `Limit` is less than 1 MUST fail with `ValidationException` and the message `1 validation error detected: Value '<limit>' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`.
    //= spec/tables.md#list-tables-limit
    //= type=test
    //# A ListTables whose `Limit` is greater than 100 MUST fail with `ValidationException` and the message `1 validation error detected: Value '<limit>' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100`.
    let mut d = with_tables(&["tab"]);
    for (limit, bound) in [
        (0, "greater than or equal to 1"),
        (-1, "greater than or equal to 1"),
        (101, "less than or equal to 100"),
    ] {
        let e = d.err("ListTables", json!({"Limit": limit}));
        assert_eq!(e.name(), "ValidationException");
        assert_eq!(
            e.message,
            format!(
                "1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value {bound}"
            )
        );
    }
    assert_eq!(page(&mut d, json!({"Limit": 1})).0, strings(&["tab"]));
    assert_eq!(page(&mut d, json!({"Limit": 100})).0, strings(&["tab"]));
}

#[test]
fn a_page_holds_at_most_limit_names_and_100_without_limit() {
    //= spec/tables.md#list-tables-limit
    //= type=test
    //# A ListTables without `Limit` MUST answer at most 100 names per page.
    //= spec/tables.md#list-tables-limit
    //= type=test
    //# A ListTables whose `Limit` is between 1 and 100 MUST answer at most `Limit` names.
    let names: Vec<String> = (0..101).map(|i| format!("t{i:03}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut d = with_tables(&refs);
    let (first, last) = page(&mut d, json!({}));
    assert_eq!(first, names[..100].to_vec());
    assert_eq!(last.as_deref(), Some("t099"));
    let (rest, last) = page(&mut d, json!({"ExclusiveStartTableName": "t099"}));
    assert_eq!(rest, strings(&["t100"]));
    assert_eq!(last, None);
}

#[test]
fn names_in_byte_order_strictly_after_the_start_name() {
    //= spec/tables.md#list-tables-pages
    //= type=test
    //# A ListTables MUST answer the names of the tables it lists in ascending byte order, and only names greater than `ExclusiveStartTableName` when that member is present, whether or not it names a table.
    let mut d = with_tables(&["beta", "Zed", "alpha", "a.b", "a-b", "a_b", "gamma"]);
    let all = strings(&["Zed", "a-b", "a.b", "a_b", "alpha", "beta", "gamma"]);
    assert_eq!(page(&mut d, json!({})), (all.clone(), None));
    // A start name that names a table: that table is not on the page, the next one is.
    assert_eq!(
        page(&mut d, json!({"ExclusiveStartTableName": "alpha"})).0,
        strings(&["beta", "gamma"])
    );
    // A start name that names no table: the page starts at the first greater name.
    assert_eq!(
        page(&mut d, json!({"ExclusiveStartTableName": "alp"})).0,
        strings(&["alpha", "beta", "gamma"])
    );
    assert_eq!(
        page(&mut d, json!({"ExclusiveStartTableName": "zzz"})),
        (Vec::new(), None)
    );
    assert_eq!(
        page(&mut d, json!({"ExclusiveStartTableName": "Zzz"})).0,
        all[1..].to_vec()
    );
}

#[test]
fn last_evaluated_name_only_when_more_names_follow() {
    //= spec/tables.md#list-tables-pages
    //= type=test
    //# A ListTables MUST answer `LastEvaluatedTableName`, equal to the last name of its page, exactly when at least one listed name is greater than that last name; a page that ends with the greatest listed name MUST NOT carry `LastEvaluatedTableName`, even when it holds `Limit` names.
    let mut d = with_tables(&["ccc", "aaa", "bbb"]);
    // More names follow: the page says where it ended.
    assert_eq!(
        page(&mut d, json!({"Limit": 2})),
        (strings(&["aaa", "bbb"]), Some("bbb".to_owned()))
    );
    // The rest fits exactly: a full last page, no LastEvaluatedTableName.
    assert_eq!(
        page(
            &mut d,
            json!({"Limit": 1, "ExclusiveStartTableName": "bbb"})
        ),
        (strings(&["ccc"]), None)
    );
    assert_eq!(
        page(&mut d, json!({"Limit": 3})),
        (strings(&["aaa", "bbb", "ccc"]), None)
    );
    // A page shorter than Limit.
    assert_eq!(
        page(
            &mut d,
            json!({"Limit": 5, "ExclusiveStartTableName": "aaa"})
        ),
        (strings(&["bbb", "ccc"]), None)
    );
    // Walking the pages with Limit 1 visits every name once.
    let mut seen = Vec::new();
    let mut start: Option<String> = None;
    loop {
        let mut body = json!({"Limit": 1});
        if let Some(s) = &start {
            body["ExclusiveStartTableName"] = json!(s);
        }
        let (names, last) = page(&mut d, body);
        seen.extend(names);
        match last {
            Some(l) => start = Some(l),
            None => break,
        }
    }
    assert_eq!(seen, strings(&["aaa", "bbb", "ccc"]));
}
