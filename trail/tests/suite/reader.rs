//! The streaming reader on bad input: corrupt, truncated, not CloudTrail, bad records; skip vs
//! strict; date pruning.

use std::io::Write;
use std::path::{Path, PathBuf};

use ddbsse_trail::analyze::folder_stats;
use ddbsse_trail::files::DayRange;
use ddbsse_trail::filter::Filter;
use ddbsse_wire::time::Day;
use serde_json::json;

use crate::support::{T0, record};

fn day_dir(root: &Path, day: &str) -> PathBuf {
    let d = root
        .join("AWSLogs/123456789012/CloudTrail/us-east-1")
        .join(day.replace('-', "/"));
    std::fs::create_dir_all(&d).expect("mkdir");
    d
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip")
}

fn put(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).expect("write");
}

fn records_file(n: u64) -> Vec<u8> {
    let records: Vec<_> = (0..n).map(|i| record(T0 + i * 1000, "Decrypt")).collect();
    gz(json!({"Records": records}).to_string().as_bytes())
}

/// One good file (3 records), one file with 2 bad records among 4, and every kind of bad file.
fn bad_folder() -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("tempdir");
    let d = day_dir(root.path(), "2019-03-11");
    put(&d, "a_good.json.gz", &records_file(3));
    let mut missing = record(T0, "Decrypt");
    missing.as_object_mut().expect("object").remove("eventName");
    let mut bad_time = record(T0, "Decrypt");
    bad_time["eventTime"] = json!("11/03/2019");
    let mixed = json!({"Records": [record(T0, "Decrypt"), missing, bad_time, record(T0, "GenerateDataKey")]});
    put(&d, "b_mixed.json.gz", &gz(mixed.to_string().as_bytes()));
    put(&d, "c_corrupt.json.gz", b"this is not gzip at all");
    let whole = records_file(50);
    put(&d, "d_truncated_gzip.json.gz", &whole[..whole.len() / 2]);
    let text = json!({"Records": [record(T0, "Decrypt"), record(T0, "Decrypt")]}).to_string();
    put(
        &d,
        "e_truncated_json.json.gz",
        &gz(&text.as_bytes()[..text.len() - 30]),
    );
    put(
        &d,
        "f_digest.json.gz",
        &gz(br#"{"awsAccountId":"123456789012","logFiles":[]}"#),
    );
    put(&d, "g_array.json.gz", &gz(b"[1,2,3]"));
    put(
        &d,
        "h_records_not_list.json.gz",
        &gz(br#"{"Records":{"a":1}}"#),
    );
    put(&d, "i_empty.json.gz", &gz(b""));
    root
}

#[test]
fn skips_bad_files_and_records_and_says_how_many_and_why() {
    let root = bad_folder();
    let (stats, report) =
        folder_stats(root.path(), &Filter::default(), 300_000, false, 2).expect("read");
    // 3 good + 2 good of the mixed file; nothing from any bad file, even the truncated ones.
    assert_eq!(stats.records, 5);
    assert_eq!(stats.by_event_name.get("Decrypt"), Some(&4));
    assert_eq!(report.files_read, 2);
    assert_eq!(report.records_read, 5);
    let skipped: Vec<(&str, u64)> = report
        .files_skipped
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(
        skipped,
        vec![
            ("corrupt or truncated JSON", 2),
            ("corrupt or truncated gzip", 2),
            ("not a CloudTrail log file", 3),
        ]
    );
    let records: Vec<(&str, u64)> = report
        .records_skipped
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(
        records,
        vec![("bad eventTime", 1), ("missing field eventName", 1)]
    );
    // Every problem names its file.
    for name in [
        "b_mixed",
        "c_corrupt",
        "d_truncated_gzip",
        "e_truncated_json",
        "f_digest",
        "g_array",
        "h_records_not_list",
        "i_empty",
    ] {
        assert!(
            report.messages.iter().any(|m| m.contains(name)),
            "{name} not reported: {:#?}",
            report.messages
        );
    }
    let summary = report.to_string();
    assert!(
        summary.contains("skipped 7 files") && summary.contains("2 records"),
        "{summary}"
    );
}

#[test]
fn strict_refuses_at_the_first_problem_naming_the_file() {
    let root = bad_folder();
    let err = folder_stats(root.path(), &Filter::default(), 300_000, true, 2)
        .expect_err("strict refuses")
        .to_string();
    assert!(
        err.contains("b_mixed.json.gz") && err.contains("record 1"),
        "{err}"
    );
    assert!(err.contains("eventName"), "{err}");
    // Only the corrupt file: strict names it.
    let root = tempfile::tempdir().expect("tempdir");
    let d = day_dir(root.path(), "2019-03-11");
    put(&d, "a_good.json.gz", &records_file(3));
    let whole = records_file(50);
    put(&d, "z_truncated.json.gz", &whole[..whole.len() - 9]);
    let err = folder_stats(root.path(), &Filter::default(), 300_000, true, 1)
        .expect_err("strict refuses")
        .to_string();
    assert!(
        err.contains("z_truncated.json.gz") && err.contains("gzip"),
        "{err}"
    );
}

#[test]
fn date_filters_prune_day_folders_without_opening_them() {
    let root = tempfile::tempdir().expect("tempdir");
    put(
        &day_dir(root.path(), "2019-03-10"),
        "x.json.gz",
        b"corrupt, but never opened",
    );
    put(
        &day_dir(root.path(), "2019-03-11"),
        "a.json.gz",
        &records_file(4),
    );
    put(
        &day_dir(root.path(), "2019-03-12"),
        "a.json.gz",
        &records_file(2),
    );
    put(
        &day_dir(root.path(), "2019-03-13"),
        "a.json.gz",
        &records_file(1),
    );
    let day = |s| Day::parse(s).expect("day");
    let filter = |from, to| Filter {
        days: DayRange { from, to },
        ..Filter::default()
    };
    let (stats, report) = folder_stats(
        root.path(),
        &filter(Some(day("2019-03-11")), Some(day("2019-03-11"))),
        300_000,
        true,
        2,
    )
    .expect("read");
    assert_eq!((stats.records, report.files_read), (4, 1));
    let (stats, _) = folder_stats(
        root.path(),
        &filter(Some(day("2019-03-11")), None),
        300_000,
        true,
        2,
    )
    .expect("read");
    assert_eq!(stats.records, 7);
    let (stats, _) = folder_stats(
        root.path(),
        &filter(None, Some(day("2019-03-12"))),
        300_000,
        false,
        2,
    )
    .expect("read");
    assert_eq!(stats.records, 6);
    // Without a filter the corrupt file is opened, and skipped with a reason.
    let (stats, report) =
        folder_stats(root.path(), &Filter::default(), 300_000, false, 2).expect("read");
    assert_eq!((stats.records, report.files_skipped_total()), (7, 1));
}

#[test]
fn reads_one_file_and_ignores_digest_folders_and_other_files() {
    let root = tempfile::tempdir().expect("tempdir");
    let d = day_dir(root.path(), "2019-03-11");
    put(
        &d,
        "123456789012_CloudTrail_us-east-1_20190311T0005Z_abcdefghijklmnop.json.gz",
        &records_file(2),
    );
    put(&d, "notes.txt", b"ignored");
    let digest = root
        .path()
        .join("AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2019/03/11");
    std::fs::create_dir_all(&digest).expect("mkdir");
    put(&digest, "digest.json.gz", &gz(br#"{"logFiles":[]}"#));
    let (stats, report) =
        folder_stats(root.path(), &Filter::default(), 300_000, true, 2).expect("read");
    assert_eq!((stats.records, report.files_read), (2, 1));
    // One file given directly, with a date filter: its day comes from the folders.
    let file = d.join("123456789012_CloudTrail_us-east-1_20190311T0005Z_abcdefghijklmnop.json.gz");
    let only = Filter {
        days: DayRange::single(Day::parse("2019-03-11").expect("day")),
        ..Filter::default()
    };
    let (stats, _) = folder_stats(&file, &only, 300_000, true, 1).expect("read");
    assert_eq!(stats.records, 2);
    let other = Filter {
        days: DayRange::single(Day::parse("2019-03-12").expect("day")),
        ..Filter::default()
    };
    let (stats, _) = folder_stats(&file, &other, 300_000, true, 1).expect("read");
    assert_eq!(stats.records, 0);
    assert!(
        folder_stats(
            &root.path().join("missing"),
            &Filter::default(),
            300_000,
            false,
            1
        )
        .is_err()
    );
}

#[test]
fn the_single_pass_and_the_record_by_record_paths_count_alike() {
    use ddbsse_trail::analyze::folder_query;
    use ddbsse_trail::query::{BLOG_COLUMNS, Order, Query};
    let root = tempfile::tempdir().expect("tempdir");
    let d = day_dir(root.path(), "2019-03-11");
    let mut wrong_type = record(T0, "Decrypt");
    wrong_type["userIdentity"] = json!("not an object");
    // A non-object element is handled in the single pass; a field of an impossible type makes
    // the reader check that file record by record. Either way only the bad records are skipped.
    let only_non_object = json!({"Records": [record(T0, "Decrypt"), 42, record(T0, "Decrypt")]});
    let with_wrong_type =
        json!({"Records": [record(T0, "Decrypt"), wrong_type, [1], record(T0, "Decrypt")]});
    put(&d, "a.json.gz", &gz(only_non_object.to_string().as_bytes()));
    put(&d, "b.json.gz", &gz(with_wrong_type.to_string().as_bytes()));
    let (stats, stats_report) =
        folder_stats(root.path(), &Filter::default(), 300_000, false, 2).expect("stats");
    let query = Query {
        filter: Filter::default(),
        columns: BLOG_COLUMNS.to_vec(),
        order: Order::Input,
        limit: None,
    };
    let (rows, query_report) = folder_query(root.path(), &query, false, 2).expect("query");
    assert_eq!((stats.records, rows.len()), (4, 4));
    for report in [&stats_report, &query_report] {
        assert_eq!(report.files_read, 2);
        assert_eq!(report.records_read, 4);
        assert_eq!(
            report.records_skipped.get("malformed record"),
            Some(&3),
            "{report}"
        );
    }
    let err = folder_stats(root.path(), &Filter::default(), 300_000, true, 1)
        .expect_err("strict")
        .to_string();
    assert!(
        err.contains("a.json.gz") && err.contains("record 1"),
        "{err}"
    );
}
