//! The delivery writer: layout, names, content, roll interval, atomicity, validation.

use std::collections::BTreeSet;

use ddbsse_trail::writer::{DeliveryConfig, DeliveryWriter, WriteError};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::support::{T0, files_under, read_log, trail_record as record};

fn writer(root: &std::path::Path, seed: u64) -> DeliveryWriter {
    DeliveryWriter::new(
        DeliveryConfig::new(root, "123456789012", "us-east-1"),
        Box::new(ChaCha8Rng::seed_from_u64(seed)),
    )
}

//= spec/trail.md#delivery-path
//= type=test
//# A delivery file MUST be written at
//# `AWSLogs/<account>/CloudTrail/<region>/<YYYY>/<MM>/<DD>/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz`
//# below the delivery directory, where the date and time are the file's delivery time in UTC and
//# `<unique>` is 16 characters from `[A-Za-z0-9]`.
//= spec/trail.md#delivery-body
//= type=test
//# A delivery file MUST be the gzip of one line of JSON, `{"Records":[...]}`, holding its records
//# in recording order, each identical to the `CloudTrailEvent` LookupEvents returns for it.
#[test]
fn delivers_one_minified_gzipped_records_file_per_window_at_the_window_end() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut w = writer(dir.path(), 1);
    let records = [
        record(T0, "Decrypt"),
        record(T0 + 10_000, "Decrypt"),
        record(T0 + 299_000, "GenerateDataKey"),
    ];
    for r in &records {
        assert_eq!(w.append(T0 + 1, r).expect("append"), None);
    }
    assert_eq!(
        w.tick(T0 + 299_999).expect("tick"),
        None,
        "window not over yet"
    );
    let d = w
        .tick(T0 + 300_000)
        .expect("tick")
        .expect("delivered at the window end");
    assert_eq!(d.records, 3);
    assert_eq!(d.delivery_millis, T0 + 300_000);
    let rel = d.path.strip_prefix(dir.path()).expect("under root");
    let rel = rel.to_str().expect("utf8");
    let prefix = "AWSLogs/123456789012/CloudTrail/us-east-1/2019/03/11/123456789012_CloudTrail_us-east-1_20190311T0005Z_";
    assert!(rel.starts_with(prefix), "{rel}");
    let unique = rel
        .strip_prefix(prefix)
        .and_then(|s| s.strip_suffix(".json.gz"))
        .expect("suffix");
    assert_eq!(unique.len(), 16);
    assert!(
        unique.chars().all(|c| c.is_ascii_alphanumeric()),
        "{unique}"
    );
    // Content: one line, `{"Records":[...]}`, records as given.
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(std::fs::File::open(&d.path).expect("open")),
        &mut text,
    )
    .expect("gunzip");
    assert!(text.starts_with("{\"Records\":["), "{}", &text[..20]);
    assert!(!text.contains('\n'));
    let doc = read_log(&d.path);
    assert_eq!(doc.as_object().expect("object").len(), 1);
    let expected: Vec<serde_json::Value> = records
        .iter()
        .map(|r| serde_json::to_value(r).expect("a record is JSON"))
        .collect();
    assert_eq!(doc["Records"].as_array().expect("array"), &expected);
    assert_eq!(w.pending_records(), 0);
}

//= spec/trail.md#delivery-roll
//= type=test
//# A target MUST put each record in the window `[k * 300 s, (k + 1) * 300 s)` of the endpoint
//# clock that contains its time, and MUST deliver a window's file, named with the window's end as
//# delivery time, once the clock reaches that end; a window without records produces no file.
#[test]
fn rolls_on_the_callers_clock_and_never_writes_empty_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = DeliveryConfig::new(dir.path(), "111122223333", "us-west-2");
    assert_eq!(
        config.interval_millis, 300_000,
        "5-minute windows by default"
    );
    let mut w = DeliveryWriter::new(config, Box::new(ChaCha8Rng::seed_from_u64(2)));
    let m = 60_000;
    // Windows are aligned to the epoch: 00:02 opens the window [00:00, 00:05).
    assert!(
        w.append(T0 + 2 * m, &record(T0, "Decrypt"))
            .expect("append")
            .is_none()
    );
    // A clock that goes backwards stays in the open window.
    assert!(
        w.append(T0 + m, &record(T0, "Decrypt"))
            .expect("append")
            .is_none()
    );
    let rolled = w
        .append(T0 + 5 * m, &record(T0 + 5 * m, "Decrypt"))
        .expect("append");
    let rolled = rolled.expect("reaching the window end delivers the previous window");
    assert_eq!((rolled.records, rolled.delivery_millis), (2, T0 + 5 * m));
    // An hour idle: one file for the open window, named with its end; no empty files.
    let idle = w.tick(T0 + 60 * m).expect("tick").expect("delivered");
    assert_eq!((idle.records, idle.delivery_millis), (1, T0 + 10 * m));
    assert_eq!(w.tick(T0 + 100 * m).expect("tick"), None);
    // close delivers at `now`.
    w.append(T0 + 101 * m, &record(T0 + 101 * m, "Decrypt"))
        .expect("append");
    let last = w
        .close(T0 + 102 * m + 30_000)
        .expect("close")
        .expect("delivered");
    assert!(
        last.path.to_string_lossy().contains("_20190311T0142Z_"),
        "{}",
        last.path.display()
    );
    assert_eq!(files_under(dir.path()).len(), 3);
    // Another interval is honoured too.
    let other =
        DeliveryConfig::new(dir.path(), "111122223333", "us-west-2").with_interval_millis(m);
    let mut w = DeliveryWriter::new(other, Box::new(ChaCha8Rng::seed_from_u64(3)));
    w.append(T0, &record(T0, "Decrypt")).expect("append");
    assert_eq!(
        w.tick(T0 + m).expect("tick").map(|d| d.delivery_millis),
        Some(T0 + m)
    );
}

#[test]
fn the_last_window_of_a_day_lands_in_the_next_days_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut w = writer(dir.path(), 3);
    let t = T0 + 86_400_000 - 120_000; // 2019-03-11T23:58:00Z
    w.append(t, &record(t, "Decrypt")).expect("append");
    let d = w.tick(t + 120_000).expect("tick").expect("delivered");
    let rel = d
        .path
        .strip_prefix(dir.path())
        .expect("under root")
        .to_string_lossy()
        .into_owned();
    assert!(
        rel.contains("/2019/03/12/") && rel.contains("_20190312T0000Z_"),
        "{rel}"
    );
}

//= spec/trail.md#delivery-atomic
//= type=test
//# A delivery file MUST appear under its final name only when complete, by writing a temporary
//# name that does not end in `.json.gz` and renaming it.
#[test]
fn files_appear_atomically_and_temporary_files_are_not_left_behind() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut w = writer(dir.path(), 4);
    for i in 0..20u64 {
        let t = T0 + i * 150_000;
        w.append(t, &record(t, "Decrypt")).expect("append");
    }
    w.close(T0 + 3_000_000).expect("close");
    let files = files_under(dir.path());
    assert_eq!(files.len(), 10);
    for f in &files {
        let name = f.file_name().and_then(|n| n.to_str()).expect("name");
        assert!(
            !name.starts_with('.') && name.ends_with(".json.gz"),
            "{name}"
        );
        read_log(f); // every delivered file is complete
    }
    // A temporary file left by a crash mid-delivery is not read (and not reported).
    let day = files[0].parent().expect("day folder");
    std::fs::write(
        day.join(".123_CloudTrail_x.json.gz.tmp"),
        b"\x1f\x8b partial",
    )
    .expect("write");
    let (stats, report) =
        ddbsse_trail::analyze::folder_stats(dir.path(), &Default::default(), 300_000, true, 2)
            .expect("strict read succeeds: the temporary file is ignored");
    assert_eq!(stats.records, 20);
    assert!(report.is_clean());
}

#[test]
fn refuses_records_that_would_not_read_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut w = writer(dir.path(), 5);
    for bad in ["2019-03-11 00:00:00", "", "2019-02-29T00:00:00Z"] {
        let mut r = record(T0, "Decrypt");
        r.event_time = bad.to_owned();
        assert!(matches!(w.append(T0, &r), Err(WriteError::BadEventTime(_))));
    }
    assert_eq!(w.pending_records(), 0);
    assert_eq!(w.close(T0).expect("close"), None);
    assert!(files_under(dir.path()).is_empty());
}

#[test]
fn unique_strings_come_from_the_given_generator() {
    let names = |seed| {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut w = writer(dir.path(), seed);
        let mut out = Vec::new();
        for i in 0..5u64 {
            let t = T0 + i * 300_000;
            w.append(t, &record(t, "Decrypt")).expect("append");
            out.extend(w.tick(t + 300_000).expect("tick").map(|d| {
                d.path
                    .file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned()
            }));
        }
        out
    };
    assert_eq!(names(9), names(9), "same seed, same names");
    assert_ne!(names(9), names(10));
    assert_eq!(names(9).into_iter().collect::<BTreeSet<_>>().len(), 5);
}
