//! Proptest generators of expressions and of damage to them, shared by this crate's property
//! tests and by the endpoint's hostile-input tests (feature `generators`): trees from the
//! grammar (printable back to text), the expressions the end-to-end script sends, byte- and
//! token-level mutations of a text, and `ExpressionAttributeNames`/`ExpressionAttributeValues`
//! maps that may miss, misname, leave unused or mistype what a text refers to.
//!
//! Does: generate. Does not: check anything (the properties do).

use proptest::prelude::*;

use super::condition::{self, Condition};
use super::parser::Operand;
use super::path::{Path, PathElement};
use super::update::{self, Update};
use super::{Kind, Names, Values, projection};
use crate::attribute::{AttributeValue, Blob, Item};

pub fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("a"),
        Just("b"),
        Just("cc"),
        Just("d_1"),
        Just("#n"),
        Just("#m")
    ]
    .prop_map(str::to_owned)
}

pub fn gpath() -> impl Strategy<Value = Path> {
    (
        word(),
        prop::collection::vec(
            prop_oneof![
                word().prop_map(PathElement::Name),
                (0usize..3).prop_map(PathElement::Index)
            ],
            0..3,
        ),
    )
        .prop_map(|(h, rest)| std::iter::once(PathElement::Name(h)).chain(rest).collect())
}

pub fn gvalue_ph() -> impl Strategy<Value = String> {
    prop_oneof![Just(":x"), Just(":y"), Just(":z")].prop_map(str::to_owned)
}

pub fn goperand() -> impl Strategy<Value = Operand<String>> {
    prop_oneof![
        gpath().prop_map(Operand::Path),
        gvalue_ph().prop_map(Operand::Value),
        gpath().prop_map(Operand::Size),
    ]
}

pub fn gcondition() -> impl Strategy<Value = Condition<String>> {
    use condition::Cmp;
    let cmp = prop_oneof![
        Just(Cmp::Eq),
        Just(Cmp::Ne),
        Just(Cmp::Lt),
        Just(Cmp::Le),
        Just(Cmp::Gt),
        Just(Cmp::Ge)
    ];
    let leaf = prop_oneof![
        (cmp, goperand(), goperand()).prop_map(|(c, a, b)| Condition::Cmp(c, a, b)),
        (goperand(), goperand(), goperand()).prop_map(|(a, b, c)| Condition::Between(a, b, c)),
        (goperand(), prop::collection::vec(goperand(), 1..4))
            .prop_map(|(a, l)| Condition::In(a, l)),
        gpath().prop_map(Condition::Exists),
        gpath().prop_map(Condition::NotExists),
        (gpath(), gvalue_ph()).prop_map(|(p, v)| Condition::Type(p, Operand::Value(v))),
        (goperand(), goperand()).prop_map(|(a, b)| Condition::BeginsWith(a, b)),
        (goperand(), goperand()).prop_map(|(a, b)| Condition::Contains(a, b)),
    ];
    leaf.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| Condition::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| Condition::Or(Box::new(a), Box::new(b))),
            inner.prop_map(|a| Condition::Not(Box::new(a))),
        ]
    })
}

pub fn gset_value() -> impl Strategy<Value = Operand<String>> {
    let simple = prop_oneof![
        gpath().prop_map(Operand::Path),
        gvalue_ph().prop_map(Operand::Value)
    ];
    let func = simple.clone().prop_recursive(2, 6, 2, |inner| {
        prop_oneof![
            (gpath(), inner.clone()).prop_map(|(p, v)| Operand::IfNotExists(p, Box::new(v))),
            (inner.clone(), inner).prop_map(|(a, b)| Operand::ListAppend(Box::new(a), Box::new(b))),
        ]
    });
    prop_oneof![
        func.clone(),
        (func.clone(), func.clone()).prop_map(|(a, b)| Operand::Plus(Box::new(a), Box::new(b))),
        (func.clone(), func).prop_map(|(a, b)| Operand::Minus(Box::new(a), Box::new(b))),
    ]
}

pub fn gupdate() -> impl Strategy<Value = Update<String>> {
    (
        prop::collection::vec((gpath(), gset_value()), 0..3),
        prop::collection::vec(gpath(), 0..3),
        prop::collection::vec((gpath(), gvalue_ph().prop_map(Operand::Value)), 0..2),
        prop::collection::vec((gpath(), gvalue_ph().prop_map(Operand::Value)), 0..2),
    )
        .prop_filter("an update has an action", |(a, b, c, d)| {
            !(a.is_empty() && b.is_empty() && c.is_empty() && d.is_empty())
        })
        .prop_map(|(set, remove, add, delete)| Update {
            set,
            remove,
            add,
            delete,
        })
}

pub fn gscalar() -> impl Strategy<Value = AttributeValue> {
    prop_oneof![
        (-20i64..20).prop_map(|i| AttributeValue::N(i.to_string())),
        prop_oneof![Just("a"), Just("ab"), Just("b"), Just("")]
            .prop_map(|x| AttributeValue::S(x.to_owned())),
        any::<bool>().prop_map(AttributeValue::BOOL),
        Just(AttributeValue::NULL(true)),
        prop::collection::btree_set(prop_oneof![Just("a"), Just("b")], 1..3)
            .prop_map(|s| AttributeValue::SS(s.into_iter().map(str::to_owned).collect())),
        prop::collection::vec(
            (-3i64..3).prop_map(|i| AttributeValue::N(i.to_string())),
            0..3
        )
        .prop_map(AttributeValue::L),
    ]
}

/// The expressions of the end-to-end script (AWS CLI and boto3 calls), by kind.
pub const SEED_CONDITIONS: &[&str] = &[
    "attribute_exists(player) AND begins_with(note, :m)",
    "attribute_not_exists(player)",
    "plays > :big",
    "attribute_exists(plays)",
];
pub const SEED_KEYS: &[&str] = &["pk = :p AND sk BETWEEN :a AND :b", "pk = :p"];
pub const SEED_UPDATES: &[&str] = &[
    "SET wins = if_not_exists(wins, :zero) + :one, #s = :s",
    "ADD wins :one",
    "ADD plays :one SET tags = list_append(if_not_exists(tags, :empty), :t)",
    "SET plays = :z",
];
pub const SEED_PROJECTIONS: &[&str] = &["wins, note", "wins", "pk, sk, plays"];

/// Text a mutation may insert: single bytes, and the grammar's own tokens so that a mutation
/// reaches past the lexer.
pub const TOKENS: &[&str] = &[
    " AND ",
    " OR ",
    "NOT ",
    " BETWEEN ",
    " IN ",
    "SET ",
    " REMOVE ",
    " ADD ",
    " DELETE ",
    "size(",
    "attribute_type(",
    "begins_with(",
    "contains(",
    "if_not_exists(",
    "list_append(",
    "(",
    ")",
    ",",
    "[",
    "]",
    "[99999999999999999999]",
    ".",
    "#n",
    "#s",
    "#undefined",
    ":x",
    ":one",
    ":undefined",
    "=",
    "<>",
    "<=",
    "+",
    "-",
    "status",
    "\u{0}",
    "\u{feff}",
    "é",
];

/// One change to an expression's text.
#[derive(Clone, Debug)]
#[allow(missing_docs)]
pub enum Mutation {
    Flip(usize, u8),
    InsertByte(usize, u8),
    InsertToken(usize, usize),
    Delete(usize, usize),
    Truncate(usize),
    Duplicate(usize, usize),
    /// `n` opening parentheses (or `NOT `s) at a position: nesting far past any limit.
    Nest(usize, usize, bool),
}

pub fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        1 => (any::<usize>(), 1u8..=255).prop_map(|(i, b)| Mutation::Flip(i, b)),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::InsertByte(i, b)),
        3 => (any::<usize>(), 0..TOKENS.len()).prop_map(|(i, t)| Mutation::InsertToken(i, t)),
        1 => (any::<usize>(), 1usize..8).prop_map(|(i, n)| Mutation::Delete(i, n)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        1 => (any::<usize>(), 1usize..32).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
        1 => (any::<usize>(), 1usize..3000, any::<bool>()).prop_map(|(i, n, not)| Mutation::Nest(i, n, not)),
    ]
}

pub fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let len = bytes.len();
    let at = |i: usize| if len == 0 { 0 } else { i % len };
    let gap = |i: usize| i % (len + 1);
    match *m {
        Mutation::Flip(i, b) if len > 0 => bytes[at(i)] ^= b,
        Mutation::InsertByte(i, b) => bytes.insert(gap(i), b),
        Mutation::InsertToken(i, t) => {
            let at = gap(i);
            bytes.splice(at..at, TOKENS[t].bytes());
        }
        Mutation::Delete(i, n) if len > 0 => {
            let start = at(i);
            bytes.drain(start..(start + n).min(len));
        }
        Mutation::Truncate(i) => bytes.truncate(gap(i)),
        Mutation::Duplicate(i, n) if len > 0 => {
            let start = at(i);
            let end = (start + n).min(len);
            let slice = bytes[start..end].to_vec();
            bytes.splice(end..end, slice);
        }
        Mutation::Nest(i, n, not) => {
            let at = gap(i);
            let open: &[u8] = if not { b"NOT " } else { b"(" };
            let text: Vec<u8> = open.iter().copied().cycle().take(open.len() * n).collect();
            bytes.splice(at..at, text);
        }
        _ => {}
    }
}

/// The text after the mutations; the wire only ever sees UTF-8 (a JSON string), so invalid
/// sequences become U+FFFD as a JSON decoder would refuse or replace them.
pub fn mutated(text: &str, ms: &[Mutation]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for m in ms {
        apply(&mut bytes, m);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// `ExpressionAttributeNames`: absent, empty, or some of the placeholders texts use, with
/// ordinary, reserved, empty and dotted attribute names, plus keys no text uses.
pub fn gnames() -> impl Strategy<Value = Option<Names>> {
    let key = prop_oneof![
        Just("#n"),
        Just("#m"),
        Just("#s"),
        Just("#unused"),
        Just("#"),
        Just("n")
    ];
    let value = prop_oneof![
        Just("a"),
        Just("b"),
        Just("status"),
        Just(""),
        Just("a.b"),
        Just("cc")
    ];
    proptest::option::weighted(
        0.8,
        prop::collection::btree_map(
            key.prop_map(str::to_owned),
            value.prop_map(str::to_owned),
            0..5,
        ),
    )
}

/// An attribute value, valid or not as an `ExpressionAttributeValues` entry (empty sets, bad
/// numbers, `NULL: false`, nested documents).
pub fn gany_value() -> impl Strategy<Value = AttributeValue> {
    let odd = prop_oneof![
        Just(AttributeValue::N("1e999".to_owned())),
        Just(AttributeValue::N("not a number".to_owned())),
        Just(AttributeValue::N(String::new())),
        Just(AttributeValue::NULL(false)),
        Just(AttributeValue::SS(vec![])),
        Just(AttributeValue::NS(vec!["1".to_owned(), "1".to_owned()])),
        Just(AttributeValue::BS(vec![Blob(vec![1]), Blob(vec![])])),
        Just(AttributeValue::B(Blob(vec![]))),
        Just(AttributeValue::S(String::new())),
    ];
    let leaf = prop_oneof![4 => gscalar(), 1 => odd];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(AttributeValue::L),
            prop::collection::btree_map(
                prop_oneof![Just("a"), Just("b"), Just("")].prop_map(str::to_owned),
                inner,
                0..3
            )
            .prop_map(AttributeValue::M),
        ]
    })
}

pub fn gvalues() -> impl Strategy<Value = Option<Values>> {
    let key = prop_oneof![
        Just(":x"),
        Just(":y"),
        Just(":z"),
        Just(":one"),
        Just(":p"),
        Just(":m"),
        Just(":unused"),
        Just(":"),
        Just("x")
    ];
    proptest::option::weighted(
        0.8,
        prop::collection::btree_map(key.prop_map(str::to_owned), gany_value(), 0..6),
    )
}

/// Items to evaluate conditions against and apply updates to.
pub fn gitem() -> impl Strategy<Value = Item> {
    prop::collection::btree_map(
        prop_oneof![
            Just("a"),
            Just("b"),
            Just("cc"),
            Just("status"),
            Just("d_1")
        ]
        .prop_map(str::to_owned),
        gstored_value(),
        0..4,
    )
}

/// A value an item can hold: valid, as every stored item was validated when written (so never
/// an empty set or a number that does not parse), nested in lists and maps.
pub fn gstored_value() -> impl Strategy<Value = AttributeValue> {
    gscalar().prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(AttributeValue::L),
            prop::collection::btree_map(
                prop_oneof![Just("a"), Just("b"), Just("")].prop_map(str::to_owned),
                inner,
                0..3
            )
            .prop_map(AttributeValue::M),
        ]
    })
}

/// An expression text of one kind, before mutation: printed from a generated tree, or a seed.
pub fn gtext(kind: Kind) -> BoxedStrategy<String> {
    let pick = |seeds: &'static [&'static str]| {
        prop::sample::select(seeds).prop_map(str::to_owned).boxed()
    };
    match kind {
        Kind::Condition | Kind::Filter => prop_oneof![
            gcondition().prop_map(|c| condition::print(&c)),
            pick(SEED_CONDITIONS)
        ]
        .boxed(),
        Kind::KeyCondition => prop_oneof![
            gcondition().prop_map(|c| condition::print(&c)),
            pick(SEED_KEYS)
        ]
        .boxed(),
        Kind::Update => prop_oneof![
            gupdate().prop_map(|u| update::print(&u)),
            pick(SEED_UPDATES)
        ]
        .boxed(),
        Kind::Projection => prop_oneof![
            prop::collection::vec(gpath(), 1..4).prop_map(|ps| projection::print(&ps)),
            pick(SEED_PROJECTIONS)
        ]
        .boxed(),
    }
}

/// A generated, then mutated, text of one kind (absent a tenth of the time).
pub fn gexpr(kind: Kind) -> impl Strategy<Value = Option<String>> {
    let damage = prop_oneof![
        2 => Just(Vec::new()),
        3 => prop::collection::vec(mutation(), 1..4),
    ];
    proptest::option::weighted(
        0.9,
        (gtext(kind), damage).prop_map(|(text, ms)| mutated(&text, &ms)),
    )
}

/// The placeholders (`#name`, `:value`) a text refers to, in order of first use.
fn placeholders(text: &str, sigil: char) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(sigil) {
        let after = &rest[i + sigil.len_utf8()..];
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let p = format!("{sigil}{}", &after[..end]);
        if end > 0 && !out.contains(&p) {
            out.push(p);
        }
        rest = &after[end..];
    }
    out
}

/// Maps that define exactly the placeholders of `texts` (names to the attribute names items
/// use, values from `values` in turn), so that a request gets past substitution and reaches
/// evaluation; `None` for a map that would be empty.
pub fn fitting(
    texts: &[Option<String>],
    values: &[AttributeValue],
) -> (Option<Names>, Option<Values>) {
    const ATTRIBUTES: &[&str] = &["a", "b", "cc", "status", "wins", "plays"];
    let all: String = texts.iter().flatten().map(|t| format!("{t} ")).collect();
    let names: Names = placeholders(&all, '#')
        .into_iter()
        .enumerate()
        .map(|(i, p)| (p, ATTRIBUTES[i % ATTRIBUTES.len()].to_owned()))
        .collect();
    let vals: Values = placeholders(&all, ':')
        .into_iter()
        .enumerate()
        .filter_map(|(i, p)| values.get(i % values.len().max(1)).map(|v| (p, v.clone())))
        .collect();
    (
        (!names.is_empty()).then_some(names),
        (!vals.is_empty()).then_some(vals),
    )
}

/// The maps of a request with these texts: mostly [`fitting`] ones (valid values), otherwise
/// generated ones ([`gnames`], [`gvalues`]) that may miss, misname or mistype.
pub fn gmaps(texts: Vec<Option<String>>) -> impl Strategy<Value = (Option<Names>, Option<Values>)> {
    prop_oneof![
        3 => prop::collection::vec(gscalar(), 1..4).prop_map(move |vs| fitting(&texts, &vs)),
        1 => (gnames(), gvalues()),
    ]
}
