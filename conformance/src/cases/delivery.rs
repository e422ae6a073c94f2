//! The trail's delivery files (`spec/trail.md#delivery`): one window's records, delivered once
//! the clock reaches the window's end, in the S3 layout, as one line of JSON holding the very
//! records LookupEvents returns. Runs on targets whose delivery folder the harness can read (the
//! embedded engine, `ddbsse serve --trail-dir` with `ddbsse check --delivery-dir`); on others it
//! is skipped with the reason.

use std::io::Read;

use ddbsse_wire::time::{SECOND, Timestamp};
use serde_json::{Value, json};

use super::{Case, Need};
use crate::ctx::{CaseResult, Ctx, Failure, check, check_eq, mismatch};
use crate::normalize::short;
use crate::target::DeliveryFile;

/// Cases of this file.
pub const CASES: &[Case] = &[Case {
    id: "trail/delivery-roll/one-window",
    title: "a window's records are delivered once the clock reaches its end, in the S3 layout, as LookupEvents returns them",
    needs: &[Need::ManualClock],
    run: window,
}];

/// The delivery window (`spec/trail.md#delivery-roll`: `[k * 300 s, (k + 1) * 300 s)`).
const WINDOW_MS: u64 = 300 * SECOND;

/// How long the harness waits for a target whose delivery runs in the background to write a
/// window's file once its clock has passed the window's end: 100 looks, 100 ms apart.
const LOOKS: usize = 100;

//= spec/trail.md#delivery-roll
//= type=test
//# A target MUST put each record in the window `[k * 300 s, (k + 1) * 300 s)` of the endpoint clock that contains its time, and MUST deliver a window's file, named with the window's end as delivery time, once the clock reaches that end; a window without records produces no file.
fn window(ctx: &mut Ctx<'_>) -> CaseResult {
    let before: Vec<String> = ctx.delivery_files()?.into_iter().map(|f| f.path).collect();
    // Start at the beginning of a window, so that every record of the case falls in it.
    let now = ctx.now().0;
    let start = (now / WINDOW_MS + 1) * WINDOW_MS;
    ctx.advance(start - now)?;
    let key = ctx.create_key()?;
    let table = ctx.created_table(
        "delivered",
        Some(json!({"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": key.id})),
    )?;
    ctx.put(&table, "a", "1")?.ok()?;
    ctx.get(&table, "a")?.ok()?;
    let records = ctx.trail()?;
    check(
        !records.is_empty(),
        "LookupEvents returns the case's records",
        "no records",
    )?;
    let end = Timestamp(start + WINDOW_MS);
    ctx.advance(end.0 - ctx.now().0)?;
    let stamp = name_stamp(end);
    let mut fresh = Vec::new();
    for look in 0..LOOKS {
        fresh = ctx
            .delivery_files()?
            .into_iter()
            .filter(|f| !before.contains(&f.path) && f.path.contains(&format!("_{stamp}_")))
            .collect::<Vec<DeliveryFile>>();
        if !fresh.is_empty() || look + 1 == LOOKS {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    check(
        fresh.len() == 1,
        format!("one file delivered for the window ending {stamp} once the clock reached it"),
        format!(
            "{} file(s): {:?}",
            fresh.len(),
            fresh.iter().map(|f| &f.path).collect::<Vec<_>>()
        ),
    )?;
    let file = &fresh[0];
    check_path(ctx, &file.path, end)?;
    check_body(file, &records)
}

/// `YYYYMMDDTHHmmZ` of `t` (UTC).
fn name_stamp(t: Timestamp) -> String {
    let (y, mo, d, h, mi, _) = t.civil();
    format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}Z")
}

//= spec/trail.md#delivery-path
//= type=test
//# A delivery file MUST be written at `AWSLogs/<account>/CloudTrail/<region>/<YYYY>/<MM>/<DD>/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz` below the delivery directory, where the date and time are the file's delivery time in UTC and `<unique>` is 16 characters from `[A-Za-z0-9]`.
fn check_path(ctx: &Ctx<'_>, path: &str, delivered: Timestamp) -> CaseResult {
    let (y, mo, d, _, _, _) = delivered.civil();
    let (account, region) = (ctx.account(), ctx.region());
    let folder = format!("AWSLogs/{account}/CloudTrail/{region}/{y:04}/{mo:02}/{d:02}/");
    let prefix = format!(
        "{folder}{account}_CloudTrail_{region}_{}_",
        name_stamp(delivered)
    );
    let unique = path
        .strip_prefix(&prefix)
        .and_then(|rest| rest.strip_suffix(".json.gz"));
    check(
        unique.is_some_and(|u| u.len() == 16 && u.bytes().all(|b| b.is_ascii_alphanumeric())),
        format!("a file at {prefix}<16 of [A-Za-z0-9]>.json.gz"),
        path.to_owned(),
    )
}

//= spec/trail.md#delivery-body
//= type=test
//# A delivery file MUST be the gzip of one line of JSON, `{"Records":[...]}`, holding its records in recording order, each identical to the `CloudTrailEvent` LookupEvents returns for it.
fn check_body(file: &DeliveryFile, records: &[Value]) -> CaseResult {
    let mut text = String::new();
    flate2::read::GzDecoder::new(file.bytes.as_slice())
        .read_to_string(&mut text)
        .map_err(|e| mismatch("a gzip file of UTF-8 JSON", format!("{}: {e}", file.path)))?;
    let line = text.strip_suffix('\n').unwrap_or(&text);
    check(
        !line.contains('\n'),
        "one line of JSON",
        format!("{} lines", text.lines().count()),
    )?;
    let body: Value = serde_json::from_str(line).map_err(|e| -> Failure {
        mismatch(
            "JSON",
            format!("{e}: {}", short(&Value::String(line.to_owned()))),
        )
    })?;
    let keys: Vec<&String> = body
        .as_object()
        .map(|m| m.keys().collect())
        .unwrap_or_default();
    check(
        keys == ["Records"],
        "an object with Records only",
        short(&body),
    )?;
    check_eq(
        "the delivered records, in recording order (as LookupEvents' CloudTrailEvent)",
        &Value::Array(records.to_vec()),
        &body["Records"],
    )
}
