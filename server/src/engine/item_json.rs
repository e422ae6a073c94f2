//! Items as JSON, byte for byte what `serde_json::to_vec` writes, only faster.
//!
//! Why: every PutItem encodes its item before sealing it, and GetItem sends those sealed bytes
//! back unchanged, so the encoding must be exactly serde_json's. serde_json escapes strings one
//! byte at a time; a 1 KiB string value then cost about as much as sealing it. Here strings are
//! scanned eight bytes at a time for the only bytes JSON escapes (`"`, `\` and control characters
//! below 0x20), and the runs between them are copied whole. A property test pins the output to
//! serde_json's for arbitrary items.
//!
//! What it does not do: decode, validate or normalize items (see `ddbsse_wire`).

use base64::Engine as _;
use ddbsse_wire::{AttributeValue, Blob, Item};

/// `item` as compact JSON, exactly as `serde_json::to_vec(item)`, in a buffer allocated once at
/// its exact length: a buffer that grew would leave copies of the plaintext behind in freed
/// memory, where the caller's zeroizing cannot reach them.
pub fn item_to_vec(item: &Item) -> Vec<u8> {
    let mut out = Vec::with_capacity(encoded_len(item));
    encode_item(item, &mut out);
    out
}

/// The length of `item`'s JSON.
pub fn encoded_len(item: &Item) -> usize {
    2 + item.len().saturating_sub(1)
        + item
            .iter()
            .map(|(name, value)| string_len(name) + 1 + attribute_len(value))
            .sum::<usize>()
}

fn attribute_len(value: &AttributeValue) -> usize {
    // `{"` tag `":` value `}`
    let tagged = |tag: usize, inner: usize| 5 + tag + inner;
    let list = |n: usize, total: usize| 2 + n.saturating_sub(1) + total;
    match value {
        AttributeValue::S(s) | AttributeValue::N(s) => tagged(1, string_len(s)),
        AttributeValue::B(b) => tagged(1, blob_len(b)),
        AttributeValue::BOOL(b) => tagged(4, if *b { 4 } else { 5 }),
        AttributeValue::NULL(b) => tagged(4, if *b { 4 } else { 5 }),
        AttributeValue::M(m) => tagged(1, encoded_len(m)),
        AttributeValue::L(l) => tagged(1, list(l.len(), l.iter().map(attribute_len).sum())),
        AttributeValue::SS(ss) | AttributeValue::NS(ss) => {
            tagged(2, list(ss.len(), ss.iter().map(|s| string_len(s)).sum()))
        }
        AttributeValue::BS(bs) => tagged(2, list(bs.len(), bs.iter().map(blob_len).sum())),
    }
}

fn blob_len(b: &Blob) -> usize {
    2 + b.0.len().div_ceil(3) * 4
}

/// The length of `s` as a JSON string, quotes included.
fn string_len(s: &str) -> usize {
    let bytes = s.as_bytes();
    let mut len = bytes.len() + 2;
    let mut i = 0;
    while let Some(at) = next_escape(bytes, i) {
        len += match escape(bytes[at]) {
            Escape::Short(_) => 1,
            Escape::Unicode => 5,
        };
        i = at + 1;
    }
    len
}

/// Appends `item` to `out` as compact JSON, exactly as `serde_json::to_vec(item)`.
pub fn encode_item(item: &Item, out: &mut Vec<u8>) {
    out.push(b'{');
    for (i, (name, value)) in item.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        string(name, out);
        out.push(b':');
        attribute(value, out);
    }
    out.push(b'}');
}

fn attribute(value: &AttributeValue, out: &mut Vec<u8>) {
    let tagged = |tag: &[u8], out: &mut Vec<u8>| {
        out.extend_from_slice(b"{\"");
        out.extend_from_slice(tag);
        out.extend_from_slice(b"\":");
    };
    match value {
        AttributeValue::S(s) => {
            tagged(b"S", out);
            string(s, out);
        }
        AttributeValue::N(n) => {
            tagged(b"N", out);
            string(n, out);
        }
        AttributeValue::B(b) => {
            tagged(b"B", out);
            blob(b, out);
        }
        AttributeValue::BOOL(b) => {
            tagged(b"BOOL", out);
            boolean(*b, out);
        }
        AttributeValue::NULL(b) => {
            tagged(b"NULL", out);
            boolean(*b, out);
        }
        AttributeValue::M(m) => {
            tagged(b"M", out);
            encode_item(m, out);
        }
        AttributeValue::L(l) => {
            tagged(b"L", out);
            list(l, out, attribute);
        }
        AttributeValue::SS(ss) => {
            tagged(b"SS", out);
            list(ss, out, |s, out| string(s, out));
        }
        AttributeValue::NS(ns) => {
            tagged(b"NS", out);
            list(ns, out, |s, out| string(s, out));
        }
        AttributeValue::BS(bs) => {
            tagged(b"BS", out);
            list(bs, out, blob);
        }
    }
    out.push(b'}');
}

fn list<T>(items: &[T], out: &mut Vec<u8>, each: impl Fn(&T, &mut Vec<u8>)) {
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        each(item, out);
    }
    out.push(b']');
}

fn boolean(b: bool, out: &mut Vec<u8>) {
    out.extend_from_slice(if b { b"true" } else { b"false" });
}

fn blob(b: &Blob, out: &mut Vec<u8>) {
    // Base64 needs no escaping.
    out.push(b'"');
    let start = out.len();
    out.resize(start + b.0.len().div_ceil(3) * 4, 0);
    let written = base64::engine::general_purpose::STANDARD
        .encode_slice(&b.0, &mut out[start..])
        .unwrap_or(0);
    out.truncate(start + written);
    out.push(b'"');
}

const LOW: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Whether any of the eight bytes of `w` needs escaping: below 0x20, `"` or `\`.
fn needs_escape(w: u64) -> bool {
    let has_zero = |x: u64| x.wrapping_sub(LOW) & !x & HIGH;
    // Bytes below 0x20: (b - 0x20) borrows, and b had its high bit clear.
    let below = w.wrapping_sub(LOW * 0x20) & !w & HIGH;
    (below | has_zero(w ^ (LOW * u64::from(b'"'))) | has_zero(w ^ (LOW * u64::from(b'\\')))) != 0
}

/// How serde_json escapes a byte that needs it.
enum Escape {
    /// A two-byte escape such as `\n`.
    Short(&'static [u8; 2]),
    /// `\u00XX`, lowercase hex.
    Unicode,
}

/// The escape of a byte below 0x20, `"` or `\`.
fn escape(b: u8) -> Escape {
    match b {
        b'"' => Escape::Short(b"\\\""),
        b'\\' => Escape::Short(b"\\\\"),
        0x08 => Escape::Short(b"\\b"),
        0x09 => Escape::Short(b"\\t"),
        0x0A => Escape::Short(b"\\n"),
        0x0C => Escape::Short(b"\\f"),
        0x0D => Escape::Short(b"\\r"),
        _ => Escape::Unicode,
    }
}

/// The index of the first byte at or after `from` that needs escaping, skipping eight clean
/// bytes at a time.
fn next_escape(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i < bytes.len() {
        if let Some(chunk) = bytes.get(i..i + 8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            if !needs_escape(u64::from_le_bytes(word)) {
                i += 8;
                continue;
            }
        }
        if matches!(bytes[i], 0x00..=0x1F | b'"' | b'\\') {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Appends `s` as a JSON string, escaped as serde_json escapes.
fn string(s: &str, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    out.push(b'"');
    let mut run = 0; // start of the bytes not yet copied
    while let Some(at) = next_escape(bytes, run) {
        out.extend_from_slice(&bytes[run..at]);
        let b = bytes[at];
        match escape(b) {
            Escape::Short(pair) => out.extend_from_slice(pair),
            Escape::Unicode => {
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xF)]);
            }
        }
        run = at + 1;
    }
    out.extend_from_slice(&bytes[run..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn any_text() -> impl Strategy<Value = String> {
        prop_oneof![
            ".{0,40}",
            "[\\x00-\\x7f]{0,40}",
            "[x\"\\\\\\x00-\\x1f\\x7f]{0,20}",
            Just("x".repeat(1000)),
        ]
    }

    fn any_blob() -> impl Strategy<Value = Blob> {
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(Blob)
    }

    fn any_value() -> impl Strategy<Value = AttributeValue> {
        let leaf = prop_oneof![
            any_text().prop_map(AttributeValue::S),
            "-?[0-9]{1,10}(\\.[0-9]{1,5})?".prop_map(AttributeValue::N),
            any_blob().prop_map(AttributeValue::B),
            any::<bool>().prop_map(AttributeValue::BOOL),
            any::<bool>().prop_map(AttributeValue::NULL),
            proptest::collection::vec(any_text(), 0..4).prop_map(AttributeValue::SS),
            proptest::collection::vec("[0-9]{1,5}", 0..4).prop_map(AttributeValue::NS),
            proptest::collection::vec(any_blob(), 0..4).prop_map(AttributeValue::BS),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(AttributeValue::L),
                proptest::collection::btree_map(any_text(), inner, 0..4)
                    .prop_map(AttributeValue::M),
            ]
        })
    }

    proptest! {
        #[test]
        fn encodes_exactly_as_serde_json(item in proptest::collection::btree_map(any_text(), any_value(), 0..6)) {
            let ours = item_to_vec(&item);
            let theirs = serde_json::to_vec(&item).unwrap();
            prop_assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&theirs));
            prop_assert_eq!(encoded_len(&item), ours.len());
            prop_assert_eq!(ours.capacity(), ours.len(), "allocated once, at the exact length");
        }
    }

    #[test]
    fn every_byte_that_needs_escaping_is_found_at_every_position() {
        for b in 0u8..=0x7f {
            for at in 0..8 {
                let mut word = [b'a'; 8];
                word[at] = b;
                let expected = b < 0x20 || b == b'"' || b == b'\\';
                assert_eq!(
                    needs_escape(u64::from_le_bytes(word)),
                    expected,
                    "{b:#x} at {at}"
                );
            }
        }
        for b in 0x80u8..=0xff {
            assert!(!needs_escape(u64::from_le_bytes([b; 8])), "{b:#x}");
        }
        let item: Item = BTreeMap::from([(
            "k\u{1}".to_owned(),
            AttributeValue::S("tab\there \"q\" \\ é \u{7f} \u{1f}".to_owned()),
        )]);
        let ours = item_to_vec(&item);
        assert_eq!(ours, serde_json::to_vec(&item).unwrap());
        assert_eq!(ours.len(), encoded_len(&item));
    }
}
