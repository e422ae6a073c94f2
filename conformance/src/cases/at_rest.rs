//! Encryption at rest, white-box (`spec/key-hierarchy.md`): only for in-process targets that
//! expose their storage; reported not applicable for remote targets. No plaintext in storage (item
//! rows and secondary-index entries), a
//! flipped bit is detected and never returns wrong data, an envelope moved to another item or
//! table does not open.

use serde_json::json;

use super::{Case, Need};
use crate::ctx::{CaseResult, Ctx, Failure, check};

/// Cases of this file.
pub const CASES: &[Case] = &[
    Case {
        id: "key-hierarchy/table-key/no-plaintext",
        title: "stored rows and the stored table key hold no plaintext of the items",
        needs: &[Need::AtRest],
        run: no_plaintext,
    },
    Case {
        id: "key-hierarchy/item-open/flipped-bit",
        title: "a flipped bit in a stored envelope fails the read, never returns other data",
        needs: &[Need::AtRest],
        run: flipped_bit,
    },
    Case {
        id: "key-hierarchy/item-aad/moved-to-other-item",
        title: "an envelope copied over another item's row does not open there",
        needs: &[Need::AtRest],
        run: moved_item,
    },
    Case {
        id: "key-hierarchy/item-aad/moved-to-other-table",
        title: "an envelope copied into another table does not open there",
        needs: &[Need::AtRest],
        run: moved_table,
    },
    Case {
        id: "key-hierarchy/item-aad/reopened-by-the-harness",
        title: "the harness opens a stored item with the crypto core and the spec's AAD; another primary key fails",
        needs: &[Need::AtRest],
        run: reopened_by_the_harness,
    },
];

const MARKER: &str = "PLAINTEXT-MARKER-7d1e";

fn table(ctx: &mut Ctx<'_>, hint: &str) -> Result<String, Failure> {
    let key = ctx.create_key()?;
    ctx.created_table(
        hint,
        Some(json!({"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": key.id})),
    )
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

//= spec/key-hierarchy.md#table-key
//= type=test
//# A target MUST store the table key only in wrapped form, as the KMS blob (section 5) that GenerateDataKey returned.
fn no_plaintext(ctx: &mut Ctx<'_>) -> CaseResult {
    let t = table(ctx, "at-rest")?;
    ctx.put(&t, &format!("{MARKER}-key"), &format!("{MARKER}-value"))?
        .ok()?;
    let rows = ctx.at_rest()?.rows(&t)?;
    check(!rows.is_empty(), "a stored row for the item", "no row")?;
    for (k, v) in &rows {
        check(
            !contains(v, MARKER.as_bytes()) && !contains(k, MARKER.as_bytes()),
            "no plaintext of the item in its stored row",
            "the marker text appears in storage",
        )?;
    }
    // A table with a global index on `v`: its index entries (row keys and values) hold no
    // plaintext either (spec/items.md#index-at-rest).
    let key = ctx.create_key()?;
    let mut body = Ctx::table_body(&ctx.name("at-rest-gsi"), None);
    let indexed = body["TableName"].as_str().unwrap_or_default().to_owned();
    body["AttributeDefinitions"] = json!([{"AttributeName": "pk", "AttributeType": "S"},
                                          {"AttributeName": "v", "AttributeType": "S"}]);
    body["GlobalSecondaryIndexes"] = json!([{"IndexName": "byV",
        "KeySchema": [{"AttributeName": "v", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]);
    body["SSESpecification"] = json!({"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": key.id});
    ctx.ddb("CreateTable", body)?.ok()?;
    ctx.put(
        &indexed,
        &format!("{MARKER}-key"),
        &format!("{MARKER}-value"),
    )?
    .ok()?;
    let entries = ctx.at_rest()?.index_rows(&indexed)?;
    check(
        !entries.is_empty(),
        "a stored index entry for the item",
        "no index row",
    )?;
    for (k, v) in &entries {
        check(
            !contains(v, MARKER.as_bytes()) && !contains(k, MARKER.as_bytes()),
            "no plaintext of the item in its stored index entry",
            "the marker text appears in an index row",
        )?;
    }
    let wrapped = ctx.at_rest()?.stored_table_key(&t)?;
    check(
        wrapped.len() > 32 + 28,
        "the table key stored as a KMS blob (longer than key plus nonce and tag)",
        format!("{} stored bytes", wrapped.len()),
    )
}

//= spec/key-hierarchy.md#item-open
//= type=test
//# The opener MUST derive the data key from the envelope's data-key id (section 9), rebuild the AAD from the header, the table ARN and the primary key it expects (section 13), and return the plaintext only if AES-256-GCM verification succeeds.
fn flipped_bit(ctx: &mut Ctx<'_>) -> CaseResult {
    let t = table(ctx, "at-rest")?;
    ctx.put(&t, "a", "original")?.ok()?;
    let original = ctx
        .at_rest()?
        .rows(&t)?
        .first()
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let len = original.len();
    // The first byte (the header), byte 20 and the last byte (the GCM tag).
    for bit in [0, 8 * 20 + 3, 8 * len.saturating_sub(1)] {
        ctx.at_rest()?.flip_bit(&t, 0, bit)?;
        // The hook must flip exactly the bit named, or the case would not test the envelope
        // region it claims to.
        let mut expected = original.clone();
        if let Some(b) = expected.get_mut(bit / 8) {
            *b ^= 1 << (bit % 8);
        }
        let stored = ctx.at_rest()?.rows(&t)?.first().map(|(_, v)| v.clone());
        check(
            stored.as_ref() == Some(&expected),
            format!("stored envelope with exactly bit {bit} flipped"),
            "another change of the stored envelope".to_owned(),
        )?;
        let r = ctx.get(&t, "a")?;
        check(
            r.status != 200,
            format!("GetItem fails after bit {bit} of the envelope was flipped"),
            format!("GetItem answered {} {}", r.status, r.body),
        )?;
        ctx.at_rest()?.flip_bit(&t, 0, bit)?;
        let back = ctx.get(&t, "a")?;
        check(
            back.status == 200 && back.body["Item"]["v"] == json!({"S": "original"}),
            "the restored envelope opens again",
            format!("{} {}", back.status, back.body),
        )?;
    }
    Ok(())
}

//= spec/key-hierarchy.md#item-aad
//= type=test
//# Two items MUST have different `primary_key` bytes whenever their key attributes differ.
fn moved_item(ctx: &mut Ctx<'_>) -> CaseResult {
    let t = table(ctx, "at-rest")?;
    ctx.put(&t, "a", "value-a")?.ok()?;
    ctx.put(&t, "b", "value-b")?.ok()?;
    ctx.at_rest()?.move_envelope(&t, 0, &t, 1)?;
    let ra = ctx.get(&t, "a")?;
    let rb = ctx.get(&t, "b")?;
    let ok_a = ra.status == 200 && ra.body["Item"]["v"] == json!({"S": "value-a"});
    let ok_b = rb.status == 200 && rb.body["Item"]["v"] == json!({"S": "value-b"});
    let failed = [&ra, &rb].iter().filter(|r| r.status != 200).count();
    check(
        failed == 1 && (ok_a || ok_b),
        "the overwritten item fails to open, the other reads back unchanged",
        format!("a: {} {}; b: {} {}", ra.status, ra.body, rb.status, rb.body),
    )
}

//= spec/key-hierarchy.md#item-aad
//= type=test
//# The AAD MUST be `header || u32be(len(table_arn)) || table_arn || u32be(len(primary_key)) || primary_key`.
fn moved_table(ctx: &mut Ctx<'_>) -> CaseResult {
    let a = table(ctx, "at-rest-a")?;
    let b = table(ctx, "at-rest-b")?;
    ctx.put(&a, "same", "value-a")?.ok()?;
    ctx.put(&b, "same", "value-b")?.ok()?;
    ctx.at_rest()?.move_envelope(&a, 0, &b, 0)?;
    let r = ctx.get(&b, "same")?;
    check(
        r.status != 200,
        "GetItem of the table that received another table's envelope fails",
        format!("GetItem answered {} {}", r.status, r.body),
    )
}

/// The harness unwraps the stored table key with KMS Decrypt (the table's encryption context),
/// and opens the stored envelope of an item itself, with the crypto core and the AAD of section 13
/// built from the table ARN and the primary-key bytes of ddbsse's storage layout (the 32 hash
/// bytes of the row key, `server/src/engine/table_crypto.rs`): it must open and hold the item,
/// and must not open with any other primary key. The engine's own key checks after opening
/// would hide an AAD that left the primary key out; this does not go through them.
//= spec/key-hierarchy.md#item-aad
//= type=test
//# The AAD MUST be `header || u32be(len(table_arn)) || table_arn || u32be(len(primary_key)) || primary_key`.
fn reopened_by_the_harness(ctx: &mut Ctx<'_>) -> CaseResult {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let t = table(ctx, "at-rest-aad")?;
    ctx.put(&t, "a", MARKER)?.ok()?;
    let table_arn = ctx.describe(&t)?["TableArn"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let wrapped = ctx.at_rest()?.stored_table_key(&t)?;
    let r = ctx.kms(
        "Decrypt",
        json!({"CiphertextBlob": b64.encode(&wrapped),
               "EncryptionContext": {"aws:dynamodb:tableName": t, "aws:dynamodb:subscriberId": ctx.account()}}),
    )?;
    let plaintext = b64
        .decode(r.ok()?["Plaintext"].as_str().unwrap_or_default())
        .unwrap_or_default();
    let table_key = ddbsse_crypto::TableKey::from_plaintext(&plaintext).map_err(|_| {
        crate::ctx::mismatch(
            "KMS Decrypt of the stored table key gives 32 bytes",
            format!("{} bytes", plaintext.len()),
        )
    })?;
    let rows = ctx.at_rest()?.rows(&t)?;
    check(
        rows.len() == 1,
        "one stored row",
        format!("{} rows", rows.len()),
    )?;
    let (row_key, envelope) = &rows[0];
    let primary_key = row_key.get(16..).unwrap_or_default();
    let opened = ddbsse_crypto::open_item(&table_key, &table_arn, primary_key, envelope);
    let text = opened
        .as_deref()
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .unwrap_or_default();
    check(
        opened.is_ok() && text.contains(MARKER),
        "the envelope opens with the spec's AAD (table ARN and the row's primary-key bytes) and holds the item",
        if opened.is_ok() {
            "it opens, without the item's value".to_owned()
        } else {
            "it does not open".to_owned()
        },
    )?;
    let mut other = primary_key.to_vec();
    if let Some(b) = other.last_mut() {
        *b ^= 1;
    }
    check(
        ddbsse_crypto::open_item(&table_key, &table_arn, &other, envelope).is_err(),
        "the envelope does not open with another primary key in its AAD",
        "it opens",
    )
}
