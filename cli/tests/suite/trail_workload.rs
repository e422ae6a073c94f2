//! Issue 6, "Shown by" #1: a scripted workload with the manual clock (tables on the AWS owned,
//! AWS managed and customer managed keys; reads by two principals on three connections across
//! five 5-minute windows; the customer key disabled, its table read from the cache and then
//! refused, and the key enabled again), run against the in-repo engine and the reference model.
//! The engine's trail is exported with `ddbsse trail export`; `trail stats` over the folder must
//! count exactly what LookupEvents returns and what the model recorded, per event name, table,
//! key, principal and interval, and show one Decrypt per principal, connection and KMS table in
//! each window of reads.

use std::collections::BTreeMap;

use ddbsse_trail::analyze::folder_stats;
use ddbsse_trail::filter::Filter;
use ddbsse_wire::caller::Caller;
use ddbsse_wire::time::{MANUAL_CLOCK_START, Timestamp};
use serde_json::{Value, json};

use crate::counts::{Counts, count, key_labels, time_millis};
use crate::trail_export::{WINDOW_MILLIS, check_layout, ddbsse_output, export, read_delivery};
use crate::workload::{Side, Twin};

const P1: &str = "AKIDDDBSSEPRINCIPAL1";
const P2: &str = "AKIDDDBSSEPRINCIPAL2";
const WINDOWS: u64 = 5;
/// Offsets (seconds into a window) of the reads; the first read of a window comes exactly 300 s
/// after the first read of the previous one, so each window refreshes each cache entry once.
const READ_OFFSETS: [u64; 3] = [30, 90, 200];

fn at(window: u64, seconds: u64) -> Timestamp {
    MANUAL_CLOCK_START.plus(window * WINDOW_MILLIS + seconds * 1000)
}

fn create_table(name: &str, sse: Option<Value>) -> Value {
    let mut body = json!({
        "TableName": name,
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
    });
    if let Some(sse) = sse {
        body["SSESpecification"] = sse;
    }
    body
}

fn get_item(table: &str) -> Value {
    json!({"TableName": table, "Key": {"pk": {"S": "k1"}}})
}

#[test]
fn trail_stats_of_the_exported_workload_equal_lookup_events_and_the_model() {
    let data = tempfile::tempdir().expect("temp dir");
    let out = tempfile::tempdir().expect("temp dir");
    let live = tempfile::tempdir().expect("temp dir");
    let mut twin = Twin::open(data.path());
    twin.deliver_live(live.path());

    let p1c1 = Caller::new(P1, 1);
    let p2c2 = Caller::new(P2, 2);
    let p1c3 = Caller::new(P1, 3);

    // Window 0: a customer managed key and three tables.
    let key = twin.call(at(0, 5), &p1c1, "TrentService.CreateKey", |_| json!({}));
    let engine_key = key.engine["KeyMetadata"]["Arn"].clone();
    let model_key = key.model["KeyMetadata"]["Arn"].clone();
    assert!(engine_key.is_string() && model_key.is_string(), "{key:?}");
    let key_for = |side: Side| match side {
        Side::Engine => engine_key.clone(),
        Side::Model => model_key.clone(),
    };
    let create = "DynamoDB_20120810.CreateTable";
    twin.call(at(0, 10), &p1c1, create, |_| create_table("owned", None));
    twin.call(at(0, 10), &p1c1, create, |_| {
        create_table("managed", Some(json!({"Enabled": true, "SSEType": "KMS"})))
    });
    twin.call(at(0, 10), &p1c1, create, |side| {
        create_table(
            "customer",
            Some(json!({"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": key_for(side)})),
        )
    });

    // Who reads what: (caller, table). Every KMS-table pair makes one Decrypt a window.
    let readers: [(&Caller, &str); 7] = [
        (&p1c1, "owned"),
        (&p1c1, "managed"),
        (&p1c1, "customer"),
        (&p2c2, "owned"),
        (&p2c2, "managed"),
        (&p2c2, "customer"),
        (&p1c3, "customer"),
    ];
    let kms_pairs = readers.iter().filter(|(_, t)| *t != "owned").count() as u64;

    for window in 0..WINDOWS {
        for (i, &offset) in READ_OFFSETS.iter().enumerate() {
            if window == 1 && i == 1 {
                // Between the reads at 30 s and 90 s of window 1: the customer key is disabled.
                let r = twin.call(
                    at(1, 60),
                    &p1c1,
                    "TrentService.DisableKey",
                    |side| json!({"KeyId": key_for(side)}),
                );
                assert_eq!(r.engine_status, 200);
            }
            if window == 3 && i == 0 {
                let r = twin.call(
                    at(3, 5),
                    &p1c1,
                    "TrentService.EnableKey",
                    |side| json!({"KeyId": key_for(side)}),
                );
                assert_eq!(r.engine_status, 200);
            }
            for &(caller, table) in &readers {
                let customer = table == "customer";
                // While the key is disabled, the customer table is read once a window (the first
                // read after the entry expires fails and drops it; another read would retry).
                if window == 2 && customer && i > 0 {
                    continue;
                }
                let now = at(window, offset);
                if window == 0 && i == 0 && caller == &p1c1 {
                    let put =
                        json!({"TableName": table, "Item": {"pk": {"S": "k1"}, "v": {"S": "x"}}});
                    twin.call(now, caller, "DynamoDB_20120810.PutItem", |_| put.clone());
                }
                let r = twin.call(now, caller, "DynamoDB_20120810.GetItem", |_| {
                    get_item(table)
                });
                if customer && window == 1 && i > 0 {
                    assert_eq!(
                        r.engine_status, 200,
                        "served from the cache after DisableKey"
                    );
                    assert_eq!(r.engine["Item"]["v"]["S"], "x");
                }
                if customer && window == 2 {
                    assert_ne!(r.engine_status, 200, "refused once the cached key expired");
                }
            }
        }
    }

    let end = at(WINDOWS, 0);
    let looked_up = twin.lookup_all(end);
    let model_events = twin.model_events();
    let delivered = twin.stop_live(end).expect("live delivery ran");
    assert_eq!(delivered.failed_records, 0, "{delivered:?}");
    drop(twin);

    // The stopped endpoint's trail, exported and read back.
    export(data.path(), out.path());
    let files = read_delivery(out.path());
    assert_eq!(
        files.len() as u64,
        WINDOWS,
        "one file per window of activity"
    );
    //= spec/trail.md#delivery-body
    //= type=test
    //# A delivery file MUST be the gzip of one line of JSON, `{"Records":[...]}`, holding its records in recording order, each identical to the `CloudTrailEvent` LookupEvents returns for it.
    assert_eq!(
        check_layout(&files),
        looked_up,
        "the delivered records are LookupEvents' CloudTrailEvents, in recording order"
    );

    // `ddbsse serve --trail-dir`'s live delivery wrote the same files (but for their unique
    // strings) with the same records.
    let live_files = read_delivery(live.path());
    assert_eq!(
        check_layout(&live_files),
        looked_up,
        "live delivery = LookupEvents"
    );
    let without_unique = |files: &[crate::trail_export::DeliveredFile]| -> Vec<String> {
        files
            .iter()
            .map(|f| {
                let name = f.relative.display().to_string();
                name[..name.len() - "_XXXXXXXXXXXXXXXX.json.gz".len()].to_owned()
            })
            .collect()
    };
    assert_eq!(without_unique(&live_files), without_unique(&files));
    assert_eq!(delivered.files, WINDOWS);
    assert_eq!(delivered.records, looked_up.len() as u64);

    let (stats, report) = folder_stats(out.path(), &Filter::default(), WINDOW_MILLIS, true, 2)
        .expect("trail stats reads the folder");
    assert!(report.is_clean(), "nothing skipped: {report:?}");
    assert_eq!(stats.records, looked_up.len() as u64);
    assert_eq!(stats.records, model_events.len() as u64);

    let from_stats = Counts::from_stats(&stats);

    // The command prints the same figures as the library call.
    let (ok, stdout, stderr) = ddbsse_output(&[
        "trail",
        "stats",
        &out.path().display().to_string(),
        "--json",
        "--strict",
    ]);
    assert!(ok, "ddbsse trail stats failed: {stderr}");
    let printed: Value = serde_json::from_str(&stdout).expect("trail stats --json prints JSON");
    assert_eq!(printed["records"], json!(stats.records));
    assert_eq!(printed["byEventName"], json!(stats.by_event_name));
    assert_eq!(printed["byTable"], json!(stats.by_table));
    assert_eq!(printed["byKey"], json!(stats.by_key));
    let from_lookup = count(&looked_up, WINDOW_MILLIS);
    assert_eq!(
        from_stats, from_lookup,
        "trail stats equal LookupEvents' counts"
    );

    let from_model =
        count(&model_events, WINDOW_MILLIS).with_key_labels(&key_labels(&model_events));
    let engine_labels = key_labels(&looked_up);
    assert_eq!(
        engine_labels.len(),
        2,
        "the managed and the customer key: {engine_labels:?}"
    );
    assert_eq!(
        from_stats.with_key_labels(&engine_labels),
        from_model,
        "trail stats equal the model's records (keys by order of first appearance)"
    );

    // The 5-minute rhythm: one Decrypt per principal, connection and KMS table each window.
    let decrypts: BTreeMap<u64, u64> = stats
        .by_interval
        .iter()
        .map(|(&start, names)| (start, names.get("Decrypt").copied().unwrap_or(0)))
        .collect();
    let expected: BTreeMap<u64, u64> = (0..WINDOWS).map(|w| (at(w, 0).0, kms_pairs)).collect();
    assert_eq!(decrypts, expected, "Decrypts per 5-minute interval");
    assert_eq!(stats.by_table["customer"]["Decrypt"], 3 * WINDOWS);
    assert_eq!(stats.by_table["managed"]["Decrypt"], 2 * WINDOWS);
    assert!(
        !stats.by_table.contains_key("owned"),
        "no KMS call names the owned-key table: {:?}",
        stats.by_table.keys()
    );
    // The refused refreshes are the customer table's Decrypts of window 2, and only those.
    let failed: Vec<u64> = looked_up
        .iter()
        .filter(|r| r["eventName"] == "Decrypt" && r.get("errorCode").is_some())
        .map(|r| time_millis(r) / WINDOW_MILLIS * WINDOW_MILLIS)
        .collect();
    assert_eq!(failed, vec![at(2, 0).0; 3], "failed Decrypts: {failed:?}");
}
