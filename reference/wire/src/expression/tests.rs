//! Tests of the expression language: examples with DynamoDB's texts, and property tests (printed
//! trees parse back to themselves, the evaluator agrees with a direct reference on generated
//! items, arbitrary text never panics, updates compute what a direct reference computes).

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::generate::{gcondition, gpath, gscalar, gupdate};
use super::*;
use crate::attribute::{AttributeValue as A, Item};

fn vals(pairs: &[(&str, A)]) -> Values {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn names(pairs: &[(&str, &str)]) -> Names {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn n(x: &str) -> A {
    A::N(x.to_owned())
}

fn s(x: &str) -> A {
    A::S(x.to_owned())
}

fn item(json: &str) -> Item {
    serde_json::from_str(json).unwrap()
}

/// A condition resolved against `v` (entries it leaves unused are allowed here).
fn cond(src: &str, v: &Values) -> Condition<A> {
    let c = condition::parse(src, Kind::Condition).unwrap();
    let mut sub = Subst::new(None, (!v.is_empty()).then_some(v), true).unwrap();
    condition::resolve(c, &mut sub, Kind::Condition).unwrap()
}

//= spec/expressions.md#key-condition
//= type=test
//# A key condition MUST be an equality on the partition key, optionally joined with `AND` to one condition on the sort key (`=`, `<`, `<=`, `>`, `>=`, `BETWEEN` or `begins_with`); `OR`, `NOT`, `IN`, `<>` and the other functions MUST be refused with `Invalid operator used in KeyConditionExpression: <operator>`.
#[test]
fn key_conditions() {
    let v = vals(&[(":p", s("alice")), (":a", n("1")), (":b", n("5"))]);
    let nm = names(&[("#r", "rating")]);
    let k =
        parse_key_condition("player = :p AND #r BETWEEN :a AND :b", Some(&nm), Some(&v)).unwrap();
    assert_eq!(k.hash.0, "player");
    let (name, c) = k.range.unwrap();
    assert_eq!(name, "rating");
    assert!(c.matches(&n("3")));
    assert!(!c.matches(&n("6")));
    let v1 = vals(&[(":p", s("alice")), (":a", n("1"))]);
    let k = parse_key_condition("#r >= :a and player = :p", Some(&nm), Some(&v1)).unwrap();
    assert_eq!(k.hash.0, "player");
    let vp = vals(&[(":p", s("alice"))]);
    let k = parse_key_condition("(player = :p)", None, Some(&vp)).unwrap();
    assert!(k.range.is_none());
    let v2 = vals(&[(":p", s("a")), (":s", s("ab"))]);
    let k = parse_key_condition("player = :p AND begins_with(sk, :s)", None, Some(&v2)).unwrap();
    assert!(k.range.unwrap().1.matches(&s("abc")));
    assert!(parse_key_condition("player = :missing", None, Some(&vp)).is_err());
    let e = parse_key_condition("player <> :p", None, Some(&vp)).unwrap_err();
    assert_eq!(
        e.message,
        "Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: <>"
    );
    assert!(parse_key_condition("", None, Some(&vp)).is_err());
}

//= spec/expressions.md#projection
//= type=test
//# A projection MUST return, of each item, exactly the parts its paths name that exist: a top-level attribute whole, a map key inside its enclosing maps, a list element inside its enclosing lists (elements of one list kept in index order), and nothing for a path that names nothing.
#[test]
fn projections() {
    let it = item(
        r#"{"a":{"S":"x"},"m":{"M":{"k":{"N":"1"},"z":{"N":"2"}}},"l":{"L":[{"S":"p"},{"S":"q"},{"S":"r"}]}}"#,
    );
    let nm = names(&[("#m", "m")]);
    let p = parse_projection("a, #m.k, l[2], l[0]", Some(&nm)).unwrap();
    let out = project(&it, &p);
    assert_eq!(
        serde_json::to_string(&out).unwrap(),
        r#"{"a":{"S":"x"},"l":{"L":[{"S":"p"},{"S":"r"}]},"m":{"M":{"k":{"N":"1"}}}}"#
    );
    assert!(parse_projection("a,,b", None).is_err());
    assert_eq!(
        parse_projection("#nope", None).unwrap_err().message,
        "Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; attribute name: #nope"
    );
}

//= spec/expressions.md#names-values
//= type=test
//# A `#name` that `ExpressionAttributeNames` does not define MUST be refused with `An expression attribute name used in the document path is not defined; attribute name: <#name>`, and a plain attribute name that is a DynamoDB reserved word (compared without regard to case) MUST be refused with `Attribute name is a reserved keyword; reserved keyword: <word>`.
#[test]
fn reserved_words_and_undefined_names() {
    let e = parse_projection("pk, Status", None).unwrap_err();
    assert_eq!(
        e.message,
        "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: Status"
    );
    assert!(parse_projection("#s", Some(&names(&[("#s", "status")]))).is_ok());
    assert!(
        names::is_reserved("zone") && names::is_reserved("ABORT") && !names::is_reserved("player")
    );
    let e = write_expressions(
        Some("SET #x = :v"),
        None,
        None,
        Some(&vals(&[(":v", n("1"))])),
    )
    .unwrap_err();
    assert_eq!(
        e.message,
        "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #x"
    );
}

//= spec/expressions.md#names-values
//= type=test
//# An entry of `ExpressionAttributeNames` or `ExpressionAttributeValues` that none of the request's expressions uses MUST be refused with `Value provided in ExpressionAttributeNames unused in expressions: keys: {<keys>}` or `Value provided in ExpressionAttributeValues unused in expressions: keys: {<keys>}`, the unused keys in order and separated by `, `.
//= spec/expressions.md#names-values
//= type=test
//# A `:value` that `ExpressionAttributeValues` does not define MUST be refused with `An expression attribute value used in expression is not defined; attribute value: <:value>`.
#[test]
fn unused_and_undefined_values() {
    let v = vals(&[(":a", n("1")), (":b", n("2")), (":c", n("3"))]);
    let e = write_expressions(Some("SET x = :a"), None, None, Some(&v)).unwrap_err();
    assert_eq!(
        e.message,
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:b, :c}"
    );
    let e = write_expressions(
        Some("SET x = :a"),
        None,
        Some(&names(&[("#u", "u")])),
        Some(&vals(&[(":a", n("1"))])),
    )
    .unwrap_err();
    assert_eq!(
        e.message,
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#u}"
    );
    // Shared between the update and the condition of one request.
    assert!(
        write_expressions(
            Some("SET x = :a"),
            Some("y = :b"),
            None,
            Some(&vals(&[(":a", n("1")), (":b", n("2"))]))
        )
        .is_ok()
    );
    let e = write_expressions(
        Some("SET x = :zz"),
        None,
        None,
        Some(&vals(&[(":a", n("1"))])),
    )
    .unwrap_err();
    assert_eq!(
        e.message,
        "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :zz"
    );
}

//= spec/expressions.md#names-values
//= type=test
//# An empty `ExpressionAttributeNames` or `ExpressionAttributeValues` MUST be refused with the message `ExpressionAttributeNames must not be empty` or `ExpressionAttributeValues must not be empty`, and either map in a request without any expression MUST be refused with `ExpressionAttributeNames can only be specified when using expressions` or `ExpressionAttributeValues can only be specified when using expressions`.
#[test]
fn empty_maps_and_maps_without_expressions() {
    let e = write_expressions(None, Some("a = :a"), None, Some(&Values::new())).unwrap_err();
    assert_eq!(e.message, "ExpressionAttributeValues must not be empty");
    let e = write_expressions(None, Some("a = :a"), Some(&Names::new()), None).unwrap_err();
    assert_eq!(e.message, "ExpressionAttributeNames must not be empty");
    let e = write_expressions(None, None, None, Some(&vals(&[(":a", n("1"))]))).unwrap_err();
    assert_eq!(
        e.message,
        "ExpressionAttributeValues can only be specified when using expressions"
    );
    let e = read_expressions(None, None, None, Some(&names(&[("#a", "a")])), None).unwrap_err();
    assert_eq!(
        e.message,
        "ExpressionAttributeNames can only be specified when using expressions"
    );
}

//= spec/expressions.md#errors
//= type=test
//# Every error an expression causes MUST be a `ValidationException`, and an error that concerns one expression MUST have a message that starts with `Invalid <member>: ` where `<member>` is the request member that holds the expression (`ConditionExpression`, `FilterExpression`, `KeyConditionExpression`, `UpdateExpression` or `ProjectionExpression`).
//= spec/expressions.md#syntax
//= type=test
//# An expression that does not follow the grammar MUST be refused with `Invalid <member>: Syntax error; token: "<token>", near: "<text>"`, where `<token>` is the first token that cannot continue the expression, or `<EOF>` when the text ends too early.
//= spec/expressions.md#errors
//= type=test
//# An expression given as the empty string MUST be refused with `Invalid <member>: The expression can not be empty;`.
#[test]
fn syntax_errors_name_the_token() {
    let v = vals(&[(":incr", n("1"))]);
    let e = write_expressions(Some("ADD hits : incr"), None, None, Some(&v)).unwrap_err();
    assert_eq!(e.code, crate::ErrorCode::Validation);
    assert_eq!(
        e.message,
        "Invalid UpdateExpression: Syntax error; token: \":\", near: \"hits : incr\""
    );
    let e = write_expressions(None, Some("a = "), None, Some(&v)).unwrap_err();
    assert!(
        e.message
            .starts_with("Invalid ConditionExpression: Syntax error; token: \"<EOF>\""),
        "{}",
        e.message
    );
    let e = read_expressions(None, Some("a = :incr AND"), None, None, Some(&v)).unwrap_err();
    assert!(
        e.message
            .starts_with("Invalid FilterExpression: Syntax error"),
        "{}",
        e.message
    );
    let e = write_expressions(None, Some(""), None, None).unwrap_err();
    assert_eq!(
        e.message,
        "Invalid ConditionExpression: The expression can not be empty;"
    );
    let e =
        write_expressions(Some("SET a = :incr SET b = :incr"), None, None, Some(&v)).unwrap_err();
    assert_eq!(
        e.message,
        "Invalid UpdateExpression: The \"SET\" section can only be used once in an update expression;"
    );
    let e = write_expressions(None, Some("nope(a)"), None, None).unwrap_err();
    assert_eq!(
        e.message,
        "Invalid ConditionExpression: Invalid function name; function: nope"
    );
    let deep = format!("{}a = :incr{}", "(".repeat(200), ")".repeat(200));
    assert!(write_expressions(None, Some(&deep), None, Some(&v)).is_err());
}

//= spec/expressions.md#evaluation
//= type=test
//# A comparison with an operand that names no attribute MUST be false, except `<>`, which MUST be true; `<`, `<=`, `>`, `>=` and `BETWEEN` MUST be false unless their operands are all numbers, all strings or all binaries.
//= spec/expressions.md#syntax
//= type=test
//# In a condition, comparisons, `BETWEEN`, `IN` and the functions MUST bind tighter than `NOT`, `NOT` tighter than `AND`, and `AND` tighter than `OR`, and parentheses MUST group.
//= spec/expressions.md#evaluation
//= type=test
//# `=` MUST compare numbers by value, sets without regard to the order of their elements, and lists and maps element by element.
//= spec/expressions.md#functions
//= type=test
//# `begins_with(a, b)` MUST be true when `a` and `b` are both strings or both binaries and `b` is a prefix of `a`; `contains(a, b)` MUST be true when `a` is a string containing the string `b`, a set containing `b`, or a list with an element equal to `b`; `size(path)` MUST be the length of a string (in UTF-8 bytes) or binary, or the number of elements of a set, list or map.
#[test]
fn conditions_evaluate_with_precedence() {
    let it = item(
        r#"{"a":{"N":"5"},"s":{"S":"hello"},"ss":{"SS":["x","y"]},"l":{"L":[{"N":"1"}]},"m":{"M":{"k":{"BOOL":true}}}}"#,
    );
    let v = vals(&[
        (":one", n("1")),
        (":five", n("5.0")),
        (":ten", n("10")),
        (":he", s("he")),
        (":x", s("x")),
        (":t", s("M")),
        (":bool", A::BOOL(true)),
    ]);
    let t = |src: &str| cond(src, &v).eval(&it);
    let v1 = vals(&[(":one", n("1"))]);
    assert!(t(
        "a = :five AND NOT a = :one AND a BETWEEN :one AND :ten AND a IN (:one, :five) AND begins_with(s, :he) AND contains(ss, :x) AND attribute_type(m, :t) AND m.k = :bool AND size(s) = :five AND contains(l, :one) AND attribute_exists(l[0]) AND attribute_not_exists(l[1]) AND a <> :ten AND s > :he AND a >= :five"
    ));
    // AND binds tighter than OR; NOT tighter than AND.
    assert!(t("a = :one AND a = :ten OR a = :five"));
    assert!(!t("a = :one AND (a = :ten OR a = :five)"));
    assert!(t("NOT a = :one AND a = :five"));
    assert!(!t("NOT (a = :five AND a = :five)"));
    // Missing attributes: = false, <> true, order false.
    assert!(!cond("nope = :one", &v1).eval(&it));
    assert!(cond("nope <> :one", &v1).eval(&it));
    assert!(!cond("nope < :one", &v1).eval(&it));
    // Mixed types never order.
    assert!(!t("s < :ten") && !t("s >= :ten"));
}

//= spec/expressions.md#functions
//= type=test
//# `attribute_exists(path)` MUST be true exactly when the item has a value at the path, and `attribute_not_exists(path)` exactly when it has none.
#[test]
fn attribute_functions() {
    let it = item(r#"{"a":{"NULL":true}}"#);
    assert!(cond("attribute_type(a, :t)", &vals(&[(":t", s("NULL"))])).eval(&it));
    assert!(!cond("attribute_type(a, :t)", &vals(&[(":t", s("S"))])).eval(&it));
    let c = write_expressions(
        None,
        Some("attribute_exists(a) AND attribute_not_exists(b.c)"),
        None,
        None,
    )
    .unwrap()
    .condition
    .unwrap();
    assert!(c.eval(&it));
    assert!(!c.eval(&Item::new()));
}

//= spec/expressions.md#functions
//= type=test
//# The type operand of `attribute_type` MUST be one of `S`, `SS`, `N`, `NS`, `B`, `BS`, `BOOL`, `NULL`, `L` and `M` given as a string value; any other value MUST be refused.
#[test]
fn attribute_type_names_are_checked() {
    let e = write_expressions(
        None,
        Some("attribute_type(a, :t)"),
        None,
        Some(&vals(&[(":t", s("STRING"))])),
    )
    .unwrap_err();
    assert!(
        e.message
            .contains("Invalid attribute type name found; type: STRING"),
        "{}",
        e.message
    );
    assert!(
        write_expressions(
            None,
            Some("attribute_type(a, :t)"),
            None,
            Some(&vals(&[(":t", n("1"))]))
        )
        .is_err()
    );
}

/// An update resolved against `v` (entries it leaves unused are allowed here).
fn update(src: &str, v: &Values) -> Update<A> {
    let u = update::parse(src).unwrap();
    let mut sub = Subst::new(None, (!v.is_empty()).then_some(v), true).unwrap();
    update::resolve(u, &mut sub).unwrap()
}

//= spec/expressions.md#update-semantics
//= type=test
//# `a + b` and `a - b` MUST compute the exact decimal sum or difference of two numbers, and MUST fail with `An operand in the update expression has an incorrect data type` when an operand is not a number.
//= spec/expressions.md#condition-failed
//= type=test
//# A write whose condition evaluates to false MUST fail with `ConditionalCheckFailedException` and the message `The conditional request failed`, and MUST change nothing.
#[test]
fn a_failed_condition_carries_the_item_when_asked() {
    let e = errors::condition_failed(Some(item(r#"{"a":{"S":"x"}}"#)));
    assert_eq!(e.code, crate::ErrorCode::ConditionalCheckFailed);
    assert_eq!(e.message, "The conditional request failed");
    let body = e.body(crate::Service::DynamoDb);
    assert_eq!(body["Item"], serde_json::json!({"a": {"S": "x"}}));
    let bare = errors::condition_failed(None).body(crate::Service::DynamoDb);
    assert!(bare.get("Item").is_none());
}

#[test]
fn set_arithmetic_and_functions() {
    let old =
        item(r#"{"pk":{"S":"k"},"n":{"N":"10"},"l":{"L":[{"N":"1"}]},"s":{"S":"x"},"m":{"M":{}}}"#);
    let v = vals(&[(":d", n("0.5")), (":l", A::L(vec![n("2")])), (":z", n("7"))]);
    let new = update(
        "SET n = n + :d, l = list_append(l, :l), c = if_not_exists(c, :z), m.k = :z, x = n - :d",
        &v,
    )
    .apply(&old)
    .unwrap();
    assert_eq!(new["n"], n("10.5"));
    assert_eq!(new["x"], n("9.5"));
    assert_eq!(new["l"], A::L(vec![n("1"), n("2")]));
    assert_eq!(new["c"], n("7"));
    assert_eq!(new["m"], A::M(BTreeMap::from([("k".to_owned(), n("7"))])));
    let e = update("SET s = s + :d", &vals(&[(":d", n("1"))]))
        .apply(&old)
        .unwrap_err();
    assert_eq!(
        e.message,
        "An operand in the update expression has an incorrect data type"
    );
    let e = update("SET q = nope + :d", &vals(&[(":d", n("1"))]))
        .apply(&old)
        .unwrap_err();
    assert_eq!(
        e.message,
        "The provided expression refers to an attribute that does not exist in the item"
    );
    let e = update("SET a.b = :d", &vals(&[(":d", n("1"))]))
        .apply(&old)
        .unwrap_err();
    assert_eq!(
        e.message,
        "The document path provided in the update expression is invalid for update"
    );
    let e = write_expressions(
        Some("SET l = list_append(l, :m)"),
        None,
        None,
        Some(&vals(&[(":m", A::M(BTreeMap::new()))])),
    )
    .unwrap_err();
    assert_eq!(
        e.message,
        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: M"
    );
}

//= spec/expressions.md#update-semantics
//= type=test
//# `ADD` MUST add a number to a number attribute (a missing attribute counting as 0) or add the elements of a set to a set attribute of the same type (a missing attribute counting as the empty set); `DELETE` MUST remove the elements of a set from a set attribute of the same type, removing the attribute when it becomes empty, and do nothing when the attribute is missing; any other combination of types MUST fail with `An operand in the update expression has an incorrect data type`.
#[test]
fn add_delete_remove() {
    let old = item(
        r#"{"n":{"N":"1"},"ss":{"SS":["a","b"]},"l":{"L":[{"N":"0"},{"N":"1"},{"N":"2"}]},"gone":{"S":"x"}}"#,
    );
    let v = vals(&[
        (":one", n("1")),
        (":ab", A::SS(vec!["a".into(), "b".into()])),
        (":c", A::SS(vec!["c".into()])),
    ]);
    let new = update(
        "ADD n :one, fresh :one, ss :c DELETE nothing :ab REMOVE l[0], l[2], gone",
        &v,
    )
    .apply(&old)
    .unwrap();
    assert_eq!(new["n"], n("2"));
    assert_eq!(new["fresh"], n("1"));
    assert_eq!(new["ss"], A::SS(vec!["a".into(), "b".into(), "c".into()]));
    assert_eq!(new["l"], A::L(vec![n("1")]));
    assert!(!new.contains_key("gone"));
    let new = update(
        "DELETE ss :ab",
        &vals(&[(":ab", A::SS(vec!["a".into(), "b".into()]))]),
    )
    .apply(&old)
    .unwrap();
    assert!(!new.contains_key("ss"));
    let e = update("ADD ss :one", &vals(&[(":one", n("1"))]))
        .apply(&old)
        .unwrap_err();
    assert_eq!(
        e.message,
        "An operand in the update expression has an incorrect data type"
    );
}

//= spec/expressions.md#update-syntax
//= type=test
//# The value of an `ADD` action MUST be a number or a set, and the value of a `DELETE` action MUST be a set; any other literal MUST be refused with `Incorrect operand type for operator or function; operator: <ADD or DELETE>, operand type: <type>`.
#[test]
fn add_and_delete_operand_types() {
    let e = write_expressions(
        Some("ADD vs :v"),
        None,
        None,
        Some(&vals(&[(":v", A::L(vec![s("t")]))])),
    )
    .unwrap_err();
    assert_eq!(
        e.message,
        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: LIST"
    );
    let e = write_expressions(
        Some("DELETE vs :v"),
        None,
        None,
        Some(&vals(&[(":v", n("1"))])),
    )
    .unwrap_err();
    assert_eq!(
        e.message,
        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER"
    );
}

//= spec/expressions.md#update-syntax
//= type=test
//# Two paths of one update expression where one is the other or a prefix of it MUST be refused with `Two document paths overlap with each other; must remove or rewrite one of these paths; path one: <path>, path two: <path>`.
#[test]
fn overlapping_paths_are_refused() {
    let v = vals(&[(":v", n("1"))]);
    let e = write_expressions(Some("SET a = :v REMOVE a.b"), None, None, Some(&v)).unwrap_err();
    assert_eq!(
        e.message,
        "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"
    );
}

//= spec/expressions.md#update-syntax
//= type=test
//# Each of `SET`, `REMOVE`, `ADD` and `DELETE` MUST appear at most once in an update expression.
#[test]
fn clauses_once_each() {
    let v = vals(&[(":v", n("1"))]);
    assert!(write_expressions(Some("REMOVE a REMOVE b"), None, None, None).is_err());
    assert!(write_expressions(Some("set a = :v remove b"), None, None, Some(&v)).is_ok());
}

//= spec/expressions.md#update-semantics
//= type=test
//# An update whose resulting item is larger than 400 KB MUST fail with `Item size to update has exceeded the maximum allowed size`.
#[test]
fn updated_item_size_is_limited() {
    let big = s(&"x".repeat(300 * 1024));
    let old = item(r#"{"a":{"S":"x"}}"#);
    let u = update("SET b = :v, c = :v", &vals(&[(":v", big)]));
    assert_eq!(
        u.apply(&old).unwrap_err().message,
        "Item size to update has exceeded the maximum allowed size"
    );
}

//= spec/expressions.md#update-semantics
//= type=test
//# A SET operand that names an attribute the item lacks (outside `if_not_exists`) MUST fail the request with `The provided expression refers to an attribute that does not exist in the item`.
#[test]
fn set_reads_the_old_item() {
    let old = item(r#"{"a":{"N":"1"},"b":{"N":"2"}}"#);
    // Swapping reads both from the old item.
    let new = update("SET a = b, b = a", &Values::new())
        .apply(&old)
        .unwrap();
    assert_eq!((new["a"].clone(), new["b"].clone()), (n("2"), n("1")));
    assert!(update("SET c = zz", &Values::new()).apply(&old).is_err());
}

// ---- property tests ----

fn gitem() -> impl Strategy<Value = Item> {
    prop::collection::btree_map(
        prop_oneof![Just("a"), Just("b"), Just("cc")].prop_map(str::to_owned),
        gscalar(),
        0..3,
    )
}

/// A direct reference for flat comparisons: `attr <cmp> :x` on top-level attributes.
fn reference_cmp(item: &Item, attr: &str, cmp: condition::Cmp, x: &A) -> bool {
    use condition::Cmp::*;
    let Some(v) = item.get(attr) else {
        return cmp == Ne;
    };
    let num = |a: &A| match a {
        A::N(s) => s.parse::<i64>().ok(),
        _ => None,
    };
    let ord = match (v, x) {
        (A::N(_), A::N(_)) => num(v).zip(num(x)).map(|(a, b)| a.cmp(&b)),
        (A::S(a), A::S(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
        _ => None,
    };
    let eq = match (v, x) {
        (A::SS(a), A::SS(b)) => {
            let mut a = a.clone();
            let mut b = b.clone();
            a.sort();
            b.sort();
            a == b
        }
        (A::N(_), A::N(_)) => num(v) == num(x),
        _ => v == x,
    };
    match cmp {
        Eq => eq,
        Ne => !eq,
        Lt => ord == Some(std::cmp::Ordering::Less),
        Le => matches!(
            ord,
            Some(std::cmp::Ordering::Less | std::cmp::Ordering::Equal)
        ),
        Gt => ord == Some(std::cmp::Ordering::Greater),
        Ge => matches!(
            ord,
            Some(std::cmp::Ordering::Greater | std::cmp::Ordering::Equal)
        ),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn printed_conditions_parse_back(c in gcondition()) {
        let text = condition::print(&c);
        let back = condition::parse(&text, Kind::Condition);
        prop_assert_eq!(back.as_ref().ok(), Some(&c), "{}", text);
    }

    #[test]
    fn printed_updates_parse_back(u in gupdate()) {
        let text = update::print(&u);
        let back = update::parse(&text);
        prop_assert_eq!(back.as_ref().ok(), Some(&u), "{}", text);
    }

    #[test]
    fn printed_projections_parse_back(ps in prop::collection::vec(gpath(), 1..4)) {
        let text = projection::print(&ps);
        prop_assert_eq!(projection::parse(&text).ok(), Some(ps), "{}", text);
    }

    //= spec/expressions.md#syntax
    //= type=test
    //# A target MUST NOT fail in any other way than with a `ValidationException` on any expression text, however long or deeply nested.
    #[test]
    fn arbitrary_text_never_panics(src in "\\PC{0,40}", src2 in "[a-z#:()\\[\\]., =<>+\\-0-9]{0,40}") {
        let v = vals(&[(":x", n("1"))]);
        let nm = names(&[("#n", "a")]);
        for s in [&src, &src2] {
            let results = [
                write_expressions(Some(s), Some(s), Some(&nm), Some(&v)).map(|_| ()),
                read_expressions(Some(s), Some(s), Some(s), Some(&nm), Some(&v)).map(|_| ()),
                write_expressions(None, Some(s), None, None).map(|w| {
                    let _ = w.condition.map(|c| c.eval(&Item::new()));
                }),
            ];
            for r in results {
                if let Err(e) = r {
                    prop_assert_eq!(e.code, crate::ErrorCode::Validation);
                }
            }
        }
    }

    #[test]
    fn comparisons_agree_with_a_reference(it in gitem(), attr in prop_oneof![Just("a"), Just("b"), Just("cc")], x in gscalar(),
                                          cmp in prop_oneof![Just(condition::Cmp::Eq), Just(condition::Cmp::Ne), Just(condition::Cmp::Lt),
                                                             Just(condition::Cmp::Le), Just(condition::Cmp::Gt), Just(condition::Cmp::Ge)]) {
        let v = vals(&[(":x", x.clone())]);
        let c = cond(&format!("{attr} {} :x", cmp.text()), &v);
        prop_assert_eq!(c.eval(&it), reference_cmp(&it, attr, cmp, &x));
        // NOT, AND and OR agree with Rust's boolean operators.
        let not = cond(&format!("NOT {attr} {} :x", cmp.text()), &v);
        prop_assert_eq!(not.eval(&it), !c.eval(&it));
        let both = cond(&format!("attribute_exists({attr}) AND {attr} {} :x OR attribute_not_exists({attr})", cmp.text()), &v);
        prop_assert_eq!(both.eval(&it), (it.contains_key(attr) && c.eval(&it)) || !it.contains_key(attr));
    }

    //= spec/expressions.md#update-semantics
    //= type=test
    //# Every operand of an update MUST be read from the item as it was before the request, and the actions MUST apply together: the request either makes all of them or none.
    #[test]
    fn numeric_updates_agree_with_integers(a in -1_000_000i64..1_000_000, b in -1_000_000i64..1_000_000) {
        let old: Item = BTreeMap::from([("n".to_owned(), n(&a.to_string()))]);
        let v = vals(&[(":b", n(&b.to_string()))]);
        let plus = update("SET n = n + :b", &v).apply(&old).unwrap();
        prop_assert_eq!(&plus["n"], &n(&(a + b).to_string()));
        let minus = update("SET n = n - :b", &v).apply(&old).unwrap();
        prop_assert_eq!(&minus["n"], &n(&(a - b).to_string()));
        let add = update("ADD n :b", &v).apply(&old).unwrap();
        prop_assert_eq!(&add["n"], &n(&(a + b).to_string()));
    }
}
