//! Generated hostile expressions at the wire layer: every expression kind (condition, filter,
//! key condition, projection, update) with its `ExpressionAttributeNames` and
//! `ExpressionAttributeValues`, built two ways and then damaged:
//!
//! - structure-aware: trees from the grammar's generators (`tests.rs`), printed back to text;
//! - seeded: the expressions `scripts/e2e-awscli.sh` sends through the AWS CLI and boto3;
//!
//! then mutated at the byte level (flips, insertions of bytes and of grammar tokens, deletions,
//! truncations, duplicated slices, deep nesting), with generated maps that may miss, leave
//! unused, misname or mistype what the text refers to.
//!
//! Invariants: parsing, resolving, evaluating against generated items and applying updates never
//! panic; every refusal is a `ValidationException` with one of DynamoDB's texts, and a text that
//! names an expression member names one the request gave; a text that parses prints back to a
//! text that parses to the same tree.
//!
//! Cases: `PROPTEST_CASES` (default 3000 per property, what CI runs); `scripts/hostile-input.sh`
//! runs a longer campaign. Failing inputs are kept in `proptest-regressions/expression/`.

use proptest::prelude::*;

use super::generate::{gexpr, gitem, gmaps};
use super::*;
use crate::ErrorCode;
use crate::attribute::Item;

/// Cases per property: `PROPTEST_CASES`, else what CI runs.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(3000)
}

/// Texts of a refusal that concern the whole request rather than one expression.
const REQUEST_WIDE: &[&str] = &[
    "ExpressionAttributeNames must not be empty",
    "ExpressionAttributeValues must not be empty",
    "ExpressionAttributeNames can only be specified when using expressions",
    "ExpressionAttributeValues can only be specified when using expressions",
    "Value provided in ExpressionAttributeNames unused in expressions: keys: {",
    "Value provided in ExpressionAttributeValues unused in expressions: keys: {",
    "ExpressionAttributeValues contains invalid value: ",
];

/// Texts of a key condition's refusal that name no member: a key condition whose attributes do
/// not include an equality (DynamoDB words it without the `Invalid KeyConditionExpression: `
/// prefix; `engine::items` checks the engine's answer).
const KEY_CONDITION: &[&str] = &["Query condition missed key schema element"];

/// Texts of a refusal while an update is applied to an item.
const UPDATE_APPLY: &[&str] = &[
    "An operand in the update expression has an incorrect data type",
    "The provided expression refers to an attribute that does not exist in the item",
    "The document path provided in the update expression is invalid for update",
    "Item size to update has exceeded the maximum allowed size",
    "Invalid UpdateExpression: ",
];

/// A refusal is a `ValidationException` with one of DynamoDB's texts; one that names an
/// expression member names one of `given`.
fn check_refusal(e: &ApiError, given: &[Kind], also: &[&str]) -> Result<(), TestCaseError> {
    prop_assert_eq!(e.code, ErrorCode::Validation, "{}", e.message);
    let names_given = given
        .iter()
        .any(|k| e.message.starts_with(&format!("Invalid {}: ", k.member())));
    let known = REQUEST_WIDE
        .iter()
        .chain(also)
        .any(|p| e.message.starts_with(p));
    prop_assert!(
        names_given || known,
        "not one of DynamoDB's texts for this request: {:?}",
        e.message
    );
    Ok(())
}

/// A text that parses prints back to a text that parses to the same tree.
fn check_reprint(kind: Kind, text: &str) -> Result<(), TestCaseError> {
    match kind {
        Kind::Update => {
            if let Ok(u) = update::parse(text) {
                let printed = update::print(&u);
                prop_assert_eq!(
                    update::parse(&printed).ok(),
                    Some(u),
                    "{} -> {}",
                    text,
                    printed
                );
            }
        }
        Kind::Projection => {
            if let Ok(ps) = projection::parse(text) {
                let printed = projection::print(&ps);
                prop_assert_eq!(
                    projection::parse(&printed).ok(),
                    Some(ps),
                    "{} -> {}",
                    text,
                    printed
                );
            }
        }
        _ => {
            if let Ok(c) = condition::parse(text, kind) {
                let printed = condition::print(&c);
                prop_assert_eq!(
                    condition::parse(&printed, kind).ok(),
                    Some(c),
                    "{} -> {}",
                    text,
                    printed
                );
            }
        }
    }
    Ok(())
}

/// Runs `body` on a thread with a 64 MiB stack: in unoptimised test builds the composed
/// strategies' `new_tree` frames are large enough that generating one case overflows the test
/// harness's 2 MiB stack (a generator matter; the parser's own depth is bounded).
fn on_big_stack(body: impl FnOnce() + Send + 'static) {
    let thread = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(body)
        .expect("a test thread");
    if let Err(panic) = thread.join() {
        std::panic::resume_unwind(panic);
    }
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: cases(),
        ..ProptestConfig::default()
    }
}

/// Texts of a read request (key condition, filter, projection) and maps that fit them or not.
type ReadInput = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<Names>,
    Option<Values>,
);

fn read_input() -> impl Strategy<Value = ReadInput> {
    (
        gexpr(Kind::KeyCondition),
        gexpr(Kind::Filter),
        gexpr(Kind::Projection),
    )
        .prop_flat_map(|(k, f, p)| {
            (
                Just(k.clone()),
                Just(f.clone()),
                Just(p.clone()),
                gmaps(vec![k, f, p]),
            )
        })
        .prop_map(|(k, f, p, (n, v))| (k, f, p, n, v))
}

/// Texts of a write request (update, condition) and maps that fit them or not.
type WriteInput = (
    Option<String>,
    Option<String>,
    Option<Names>,
    Option<Values>,
);

fn write_input() -> impl Strategy<Value = WriteInput> {
    (gexpr(Kind::Update), gexpr(Kind::Condition))
        .prop_flat_map(|(u, c)| (Just(u.clone()), Just(c.clone()), gmaps(vec![u, c])))
        .prop_map(|(u, c, (n, v))| (u, c, n, v))
}

fn read_case(input: &ReadInput, items: &[Item]) -> Result<(), TestCaseError> {
    let (key, filter, projection, names, values) = input;
    let texts = [
        (Kind::KeyCondition, key),
        (Kind::Filter, filter),
        (Kind::Projection, projection),
    ];
    for (kind, text) in texts {
        if let Some(t) = text {
            check_reprint(kind, t)?;
        }
    }
    let given: Vec<Kind> = texts
        .into_iter()
        .filter(|(_, t)| t.is_some())
        .map(|(k, _)| k)
        .collect();
    match read_expressions(
        key.as_deref(),
        filter.as_deref(),
        projection.as_deref(),
        names.as_ref(),
        values.as_ref(),
    ) {
        Ok(r) => {
            for item in items {
                if let Some(f) = &r.filter {
                    let _ = f.eval(item);
                }
                if let Some(ps) = &r.projection {
                    let _ = project(item, ps);
                }
                if let Some(k) = &r.key {
                    let _ = item.get(&k.hash.0).map(|v| v == &k.hash.1);
                    if let Some((name, sort)) = &k.range {
                        let _ = item.get(name).map(|v| sort.matches(v));
                    }
                }
            }
        }
        Err(e) => check_refusal(&e, &given, if key.is_some() { KEY_CONDITION } else { &[] })?,
    }
    // Each kind alone too, so that an error of one is not hidden behind another's.
    if let Some(Err(e)) = key
        .as_ref()
        .map(|k| parse_key_condition(k, names.as_ref(), values.as_ref()))
    {
        check_refusal(&e, &[Kind::KeyCondition], KEY_CONDITION)?;
    }
    if let Some(Err(e)) = projection
        .as_ref()
        .map(|p| parse_projection(p, names.as_ref()))
    {
        check_refusal(&e, &[Kind::Projection], &[])?;
    }
    Ok(())
}

fn write_case(input: &WriteInput, items: &[Item]) -> Result<(), TestCaseError> {
    let (update_text, condition_text, names, values) = input;
    let texts = [
        (Kind::Update, update_text),
        (Kind::Condition, condition_text),
    ];
    for (kind, text) in texts {
        if let Some(t) = text {
            check_reprint(kind, t)?;
        }
    }
    let given: Vec<Kind> = texts
        .into_iter()
        .filter(|(_, t)| t.is_some())
        .map(|(k, _)| k)
        .collect();
    match write_expressions(
        update_text.as_deref(),
        condition_text.as_deref(),
        names.as_ref(),
        values.as_ref(),
    ) {
        Ok(w) => {
            for item in items {
                if let Some(c) = &w.condition {
                    let _ = c.eval(item);
                }
                if let Some(u) = &w.update {
                    let _ = u.writes_any(&["a", "status"]);
                    if let Err(e) = u.apply(item) {
                        check_refusal(&e, &[Kind::Update], UPDATE_APPLY)?;
                    }
                }
            }
        }
        Err(e) => check_refusal(&e, &given, &[])?,
    }
    Ok(())
}

//= spec/expressions.md#syntax
//= type=test
//# A target MUST NOT fail in any other way than with a `ValidationException` on any expression text, however long or deeply nested.
#[test]
fn hostile_read_expressions_are_refused_with_dynamodb_texts() {
    on_big_stack(|| {
        proptest!(config(), |(input in read_input(), items in prop::collection::vec(gitem(), 0..3))| {
            read_case(&input, &items)?;
        });
    });
}

//= spec/expressions.md#syntax
//= type=test
//# A target MUST NOT fail in any other way than with a `ValidationException` on any expression text, however long or deeply nested.
#[test]
fn hostile_write_expressions_are_refused_with_dynamodb_texts() {
    on_big_stack(|| {
        proptest!(config(), |(input in write_input(), items in prop::collection::vec(gitem(), 0..3))| {
            write_case(&input, &items)?;
        });
    });
}
