//! At-rest checks through the test-only introspection API: rows hold only envelopes, and an
//! edited or moved envelope does not open.

use serde_json::json;

use super::support::H;

#[test]
fn rows_are_envelopes_bound_to_row_and_table() {
    let h = H::new();
    h.create_table("rowa", Some(json!({"Enabled": true})));
    h.create_table("rowb", Some(json!({"Enabled": true})));
    h.put("rowa", "alpha", 1, "first-secret");
    h.put("rowa", "beta", 2, "second-secret");
    h.put("rowb", "gamma", 3, "third-secret");
    let rows = h.engine.at_rest().raw_rows("rowa").unwrap();
    assert_eq!(rows.len(), 2);
    for (key, env) in &rows {
        assert_eq!(key.len(), 48);
        //= spec/key-hierarchy.md#envelope-layout
        //= type=test
        //# The version byte MUST be `0x01`.
        assert_eq!(env[0], 1, "envelope version");
        for needle in [&b"secret"[..], b"alpha", b"beta"] {
            assert!(!env.windows(needle.len()).any(|w| w == needle));
            assert!(!key.windows(needle.len()).any(|w| w == needle));
        }
    }
    let wrapped = h.engine.at_rest().wrapped_table_key("rowa").unwrap();
    assert!(wrapped.len() > 32 + 16);
    h.engine
        .at_rest()
        .move_envelope("rowb", 0, "rowa", 0)
        .unwrap();
    h.engine
        .at_rest()
        .move_envelope("rowa", 1, "rowa", 0)
        .unwrap_or(());
    let r0 = h.call("Scan", json!({"TableName": "rowa"}));
    assert_eq!(r0.0, 500, "a moved envelope must not open: {}", r0.1);
    assert_eq!(
        r0.1["__type"],
        "com.amazonaws.dynamodb.v20120810#InternalServerError"
    );
    // Flip a bit in the other table's only row.
    h.engine
        .at_rest()
        .tamper_flip_bit("rowb", 0, 8 * 40)
        .unwrap();
    let (s, _) = h.call(
        "GetItem",
        json!({"TableName": "rowb", "Key": {"pk": {"S": "gamma"}, "sk": {"N": "3"}}}),
    );
    assert_eq!(s, 500);
    //= spec/key-hierarchy.md#item-open
    //= type=test
    //# An envelope shorter than 45 bytes, or whose version byte is not `0x01`, MUST be rejected.
    let before: Vec<Vec<u8>> = h
        .engine
        .at_rest()
        .raw_rows("rowb")
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    h.put("rowb", "delta", 4, "fourth-secret");
    let rows = h.engine.at_rest().raw_rows("rowb").unwrap();
    let fresh = rows.iter().position(|(k, _)| !before.contains(k)).unwrap();
    assert_eq!(h.get("rowb", "delta", 4)["Item"]["v"]["S"], "fourth-secret");
    h.engine
        .at_rest()
        .tamper_flip_bit("rowb", fresh, 1)
        .unwrap();
    let (s, v) = h.call(
        "GetItem",
        json!({"TableName": "rowb", "Key": {"pk": {"S": "delta"}, "sk": {"N": "4"}}}),
    );
    assert_eq!(s, 500, "{v}");
    assert!(!v.to_string().contains("secret"));
}
