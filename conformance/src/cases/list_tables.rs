//! ListTables: the `Limit` range and its messages, the order of the names, where
//! `ExclusiveStartTableName` starts a page, and when a page carries `LastEvaluatedTableName`
//! (`spec/tables.md#list-tables`). The cases make their own tables under one fresh name and read
//! only names at or after it, except the last-page case, which reads the whole listing.

use serde_json::{Value, json};

use super::Case;
use crate::ctx::{CaseResult, Ctx, Failure, check, check_eq};
use crate::normalize::short;

/// Cases of this file.
pub const CASES: &[Case] = &[
    Case {
        id: "tables/list-tables-limit/bounds",
        title: "Limit 0 and 101 are refused with the message naming the bound; 1 and 100 are served",
        needs: &[],
        run: limit_bounds,
    },
    Case {
        id: "tables/list-tables-pages/order-and-start",
        title: "names in byte order, strictly after ExclusiveStartTableName, a page of Limit names says where it ended",
        needs: &[],
        run: order_and_start,
    },
    Case {
        id: "tables/list-tables-pages/full-last-page",
        title: "the page ending with the greatest name carries no LastEvaluatedTableName, even when full",
        needs: &[],
        run: full_last_page,
    },
];

/// `TableNames` and `LastEvaluatedTableName` of a ListTables answer.
fn page(ctx: &mut Ctx<'_>, body: Value) -> Result<(Vec<String>, Option<String>), Failure> {
    let r = ctx.ddb("ListTables", body.clone())?;
    let out = r.ok()?;
    let names = out["TableNames"].as_array().map(|a| {
        a.iter()
            .filter_map(|n| n.as_str().map(str::to_owned))
            .collect::<Vec<_>>()
    });
    let Some(names) = names else {
        return Err(crate::ctx::mismatch(
            format!("ListTables {body} answers TableNames"),
            short(out),
        ));
    };
    let last = out
        .get("LastEvaluatedTableName")
        .and_then(Value::as_str)
        .map(str::to_owned);
    Ok((names, last))
}

/// Creates a table of each of `names` (in the order given).
fn create_all(ctx: &mut Ctx<'_>, names: &[&String]) -> CaseResult {
    for name in names {
        ctx.ddb("CreateTable", Ctx::table_body(name, None))?.ok()?;
    }
    Ok(())
}

//= spec/tables.md#list-tables-limit
//= type=test
//# A ListTables whose `Limit` is less than 1 MUST fail with `ValidationException` and the message `1 validation error detected: Value '<limit>' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`.
//# A ListTables whose `Limit` is greater than 100 MUST fail with `ValidationException` and the message `1 validation error detected: Value '<limit>' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100`.
//# A ListTables whose `Limit` is between 1 and 100 MUST answer at most `Limit` names.
fn limit_bounds(ctx: &mut Ctx<'_>) -> CaseResult {
    let base = ctx.name("list");
    let (a, b) = (format!("{base}-a"), format!("{base}-b"));
    create_all(ctx, &[&a, &b])?;
    ctx.ddb("ListTables", json!({"Limit": 0}))?.expect_error(
        "ValidationException",
        Some("1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"),
    )?;
    ctx.ddb("ListTables", json!({"Limit": 101}))?.expect_error(
        "ValidationException",
        Some("1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100"),
    )?;
    let (one, _) = page(ctx, json!({"Limit": 1, "ExclusiveStartTableName": base}))?;
    check_eq(
        "ListTables Limit 1 after the case's start name",
        &json!([a]),
        &json!(one),
    )?;
    let (hundred, _) = page(ctx, json!({"Limit": 100, "ExclusiveStartTableName": base}))?;
    check(
        hundred.len() <= 100 && hundred.starts_with(&[a.clone(), b.clone()]),
        format!("ListTables Limit 100 after {base}: at most 100 names, starting {a}, {b}"),
        format!("{hundred:?}"),
    )
}

//= spec/tables.md#list-tables-pages
//= type=test
//# A ListTables MUST answer the names of the tables it lists in ascending byte order, and only names greater than `ExclusiveStartTableName` when that member is present, whether or not it names a table.
//# A ListTables MUST answer `LastEvaluatedTableName`, equal to the last name of its page, exactly when at least one listed name is greater than that last name; a page that ends with the greatest listed name MUST NOT carry `LastEvaluatedTableName`, even when it holds `Limit` names.
fn order_and_start(ctx: &mut Ctx<'_>) -> CaseResult {
    let base = ctx.name("list");
    let (a, b, c) = (
        format!("{base}-a"),
        format!("{base}-b"),
        format!("{base}-c"),
    );
    create_all(ctx, &[&c, &a, &b])?;
    // The case's start name names no table.
    let first = page(ctx, json!({"Limit": 2, "ExclusiveStartTableName": base}))?;
    check_eq(
        &format!("ListTables Limit 2 after {base} (no such table)"),
        &json!([[a, b], b]),
        &json!([first.0, first.1]),
    )?;
    // A start name that names a table: the page starts after it.
    let next = page(ctx, json!({"Limit": 1, "ExclusiveStartTableName": a}))?;
    check_eq(
        &format!("ListTables Limit 1 after {a}"),
        &json!([[b], b]),
        &json!([next.0, next.1]),
    )?;
    let (after_b, _) = page(ctx, json!({"Limit": 1, "ExclusiveStartTableName": b}))?;
    check_eq(
        &format!("ListTables Limit 1 after {b}"),
        &json!([c]),
        &json!(after_b),
    )
}

//= spec/tables.md#list-tables-pages
//= type=test
//# A ListTables MUST answer the names of the tables it lists in ascending byte order, and only names greater than `ExclusiveStartTableName` when that member is present, whether or not it names a table.
//# A ListTables MUST answer `LastEvaluatedTableName`, equal to the last name of its page, exactly when at least one listed name is greater than that last name; a page that ends with the greatest listed name MUST NOT carry `LastEvaluatedTableName`, even when it holds `Limit` names.
fn full_last_page(ctx: &mut Ctx<'_>) -> CaseResult {
    let base = ctx.name("list");
    let (a, b) = (format!("{base}-a"), format!("{base}-b"));
    create_all(ctx, &[&b, &a])?;
    // The whole listing, page by page.
    let mut all: Vec<String> = Vec::new();
    let mut start: Option<String> = None;
    for _ in 0..1000 {
        let mut body = json!({});
        if let Some(s) = &start {
            body["ExclusiveStartTableName"] = json!(s);
        }
        let (names, last) = page(ctx, body)?;
        if let Some(l) = &last {
            check(
                names.last() == Some(l),
                "LastEvaluatedTableName is the last name of its page",
                format!("page ending {:?}, LastEvaluatedTableName {l}", names.last()),
            )?;
        }
        all.extend(names);
        match last {
            Some(l) => start = Some(l),
            None => break,
        }
    }
    check(
        all.windows(2).all(|w| w[0] < w[1]),
        "the whole listing is in ascending byte order, each name once",
        format!("{all:?}"),
    )?;
    let [.., before, greatest] = all.as_slice() else {
        return Err(crate::ctx::mismatch(
            format!("at least the case's two tables {a}, {b} listed"),
            format!("{all:?}"),
        ));
    };
    // A full page that ends with the greatest name: nothing more, so no LastEvaluatedTableName.
    let last_page = page(ctx, json!({"Limit": 1, "ExclusiveStartTableName": before}))?;
    check_eq(
        &format!("ListTables Limit 1 after {before}, the second greatest name"),
        &json!([[greatest], null]),
        &json!([last_page.0, last_page.1]),
    )?;
    // A full page with a name after it says where it ended.
    let (first, _) = page(ctx, json!({"Limit": 1}))?;
    let more = page(ctx, json!({"Limit": 1}))?;
    check_eq(
        "ListTables Limit 1 from the start, with more names after",
        &json!([first, first.first()]),
        &json!([more.0, more.1]),
    )
}
