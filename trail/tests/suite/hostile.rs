//! Generated hostile trail files: real log files of CloudTrail's S3 layout (written by the
//! generator, as `ddbsse serve --trail-dir` and `ddbsse trail export` write them) damaged three
//! ways: the gzip bytes mutated at the byte level (flips, insertions, deletions, truncations,
//! duplicated slices), the JSON text mutated and gzipped again (so that the damage reaches the
//! JSON and record readers), or replaced by garbage; next to an intact file of the same day.
//!
//! Invariants for `trail stats` and `trail query`: no panic; without `--strict` the run succeeds,
//! every file is either read or skipped, a skipped file or record is named in the report, and the
//! intact file's records are all counted; with `--strict` the run either succeeds exactly when
//! the lenient run had nothing to skip, or refuses with a message naming the damaged file.
//!
//! The file readers are also checked alone, without the folder walk, at ten times the cases.
//!
//! Cases: `PROPTEST_CASES` (default 3000 for the file readers and 300 for whole folders, what CI
//! runs); `scripts/hostile-input.sh` runs a
//! longer campaign. Failing inputs are kept in `tests/proptest-regressions/hostile.txt`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ddbsse_trail::analyze::{folder_query, folder_stats};
use ddbsse_trail::decode::{FileProblem, ViewsOutcome, parse_views, read_gzip, split_records};
use ddbsse_trail::filter::Filter;
use ddbsse_trail::query::{Column, Order, Query};
use ddbsse_trail::record::{check_record, check_view};
use proptest::prelude::*;

use crate::support::{files_under, generated};

/// Cases of the file-level property: `PROPTEST_CASES`, else what CI runs.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(3000)
}

/// Cases of the folder-level property (four folder scans per case): a tenth of [`cases`].
fn folder_cases() -> u32 {
    (cases() / 10).max(1)
}

/// One of the generator's log files: (path under the root, gzip bytes, JSON text).
type Seed = (PathBuf, Vec<u8>, Vec<u8>);

/// The generator's log files.
fn seeds() -> &'static [Seed] {
    static SEEDS: OnceLock<Vec<Seed>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let (dir, _) = generated(120);
        files_under(dir.path())
            .into_iter()
            .filter(|p| p.to_string_lossy().ends_with(".json.gz"))
            .map(|p| {
                let gz = std::fs::read(&p).expect("readable");
                let mut text = Vec::new();
                flate2::read::GzDecoder::new(&gz[..])
                    .read_to_end(&mut text)
                    .expect("gzip");
                let rel = p
                    .strip_prefix(dir.path())
                    .expect("under root")
                    .to_path_buf();
                (rel, gz, text)
            })
            .take(12)
            .collect()
    })
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip")
}

/// One byte-level change.
#[derive(Clone, Debug)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize, usize),
    Truncate(usize),
    Duplicate(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (
            any::<usize>(),
            prop_oneof![
                any::<u8>(),
                Just(b'"'),
                Just(b'{'),
                Just(b'}'),
                Just(b'['),
                Just(b','),
                Just(b'\\'),
                Just(0xff)
            ]
        )
            .prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<usize>(), 1usize..16).prop_map(|(i, n)| Mutation::Delete(i, n)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let len = bytes.len();
    let at = |i: usize| if len == 0 { 0 } else { i % len };
    match *m {
        Mutation::Flip(i, b) if len > 0 => bytes[at(i)] ^= b,
        Mutation::Insert(i, b) => bytes.insert(i % (len + 1), b),
        Mutation::Delete(i, n) if len > 0 => {
            let start = at(i);
            bytes.drain(start..(start + n).min(len));
        }
        Mutation::Truncate(i) => bytes.truncate(i % (len + 1)),
        Mutation::Duplicate(i, n) if len > 0 => {
            let start = at(i);
            let end = (start + n).min(len);
            let slice = bytes[start..end].to_vec();
            bytes.splice(end..end, slice);
        }
        _ => {}
    }
}

/// Where the damage goes.
#[derive(Clone, Debug)]
enum Damage {
    /// The gzip stream itself.
    Gzip(Vec<Mutation>),
    /// The JSON inside, gzipped again.
    Json(Vec<Mutation>),
    /// Bytes that were never a log file.
    Garbage(Vec<u8>),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        2 => prop::collection::vec(mutation(), 1..5).prop_map(Damage::Gzip),
        3 => prop::collection::vec(mutation(), 1..5).prop_map(Damage::Json),
        1 => prop::collection::vec(any::<u8>(), 0..64).prop_map(Damage::Garbage),
    ]
}

/// The bytes of seed `bad` after the damage.
fn damaged(bad: usize, d: &Damage) -> Vec<u8> {
    let (_, bad_gz, bad_text) = &seeds()[bad % seeds().len()];
    match d {
        Damage::Gzip(ms) => {
            let mut b = bad_gz.clone();
            ms.iter().for_each(|m| apply(&mut b, m));
            b
        }
        Damage::Json(ms) => {
            let mut t = bad_text.clone();
            ms.iter().for_each(|m| apply(&mut t, m));
            gz(&t)
        }
        Damage::Garbage(b) => b.clone(),
    }
}

/// Writes the intact seed `good` and the damaged seed `bad` (renamed so that the two never
/// share a name) under a fresh root; returns the root and the damaged file's name.
fn folder(good: usize, bad: usize, d: &Damage) -> (tempfile::TempDir, String) {
    let seeds = seeds();
    let root = tempfile::tempdir().expect("tempdir");
    let (good_rel, good_gz, _) = &seeds[good % seeds.len()];
    let (bad_rel, _, _) = &seeds[bad % seeds.len()];
    let write = |rel: &Path, bytes: &[u8]| {
        let p = root.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, bytes).expect("write");
    };
    write(good_rel, good_gz);
    let name = format!("zz_damaged_{bad}.json.gz");
    let bytes = damaged(bad, d);
    write(&bad_rel.with_file_name(&name), &bytes);
    (root, name)
}

/// Records of the intact seed `good`.
fn good_records(good: usize) -> u64 {
    let (_, _, text) = &seeds()[good % seeds().len()];
    let v: serde_json::Value = serde_json::from_slice(text).expect("json");
    v["Records"].as_array().expect("Records").len() as u64
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    /// The file readers alone (gunzip, the `{"Records":[...]}` split, the one-pass views, the
    /// record checks): never a panic; the two ways of reading a file agree on whether it is
    /// usable; each record of a usable file is checked or refused with a reason.
    #[test]
    fn damaged_trail_files_are_read_or_refused_with_a_reason(bad in 0usize..12, d in damage()) {
        thread_local! {
            static DIR: tempfile::TempDir = tempfile::tempdir().expect("tempdir");
        }
        let path = DIR.with(|dir| dir.path().join("damaged.json.gz"));
        std::fs::write(&path, damaged(bad, &d)).expect("write");
        let mut buf = Vec::new();
        match read_gzip(&path, &mut buf) {
            Err(p) => prop_assert!(matches!(p, FileProblem::BadGzip(_) | FileProblem::TooLarge), "{}", p),
            Ok(()) => {
                let split = split_records(&buf);
                match (&split, parse_views(&buf)) {
                    (Ok(records), ViewsOutcome::Views(views)) => {
                        prop_assert_eq!(records.len(), views.len());
                        for view in views {
                            if let Ok(view) = view.0 {
                                let _ = check_view(view).map_err(|p| p.reason());
                            }
                        }
                    }
                    (_, ViewsOutcome::CheckRecordByRecord) => {}
                    (Err(a), ViewsOutcome::Problem(b)) => prop_assert_eq!(a.reason(), b.reason()),
                    (a, b) => prop_assert!(false, "the readers disagree: {:?} / {:?}", a.as_ref().map(Vec::len), b),
                }
                if let Ok(records) = split {
                    for raw in records {
                        if let Err(p) = check_record(raw.get()) {
                            prop_assert!(!p.reason().is_empty());
                        }
                    }
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: folder_cases(), ..ProptestConfig::default() })]

    #[test]
    fn damaged_trail_files_are_skipped_or_refused_by_name(
        good in 0usize..12,
        bad in 0usize..12,
        d in damage(),
    ) {
        let (root, name) = folder(good, bad, &d);
        let (stats, report) = folder_stats(root.path(), &Filter::default(), 300_000, false, 1)
            .map_err(|e| TestCaseError::fail(format!("lenient stats refused: {e}")))?;
        prop_assert_eq!(report.files_read + report.files_skipped_total(), 2, "{}", report);
        prop_assert!(stats.records >= good_records(good), "the intact file's records are counted");
        if !report.is_clean() {
            prop_assert!(
                report.messages.iter().any(|m| m.contains(&name)),
                "the report names {}: {:?}", name, report.messages
            );
        }
        match folder_stats(root.path(), &Filter::default(), 300_000, true, 1) {
            Ok((strict, _)) => {
                prop_assert!(report.is_clean(), "strict passed what lenient skipped: {}", report);
                prop_assert_eq!(strict.records, stats.records);
            }
            Err(e) => {
                let e = e.to_string();
                prop_assert!(!report.is_clean(), "strict refused a clean folder: {}", e);
                prop_assert!(e.contains(&name), "the refusal names {}: {}", name, e);
            }
        }
        let query = Query {
            filter: Filter::default(),
            columns: vec![Column::by_name("eventname").expect("a column"), Column::by_name("eventtime").expect("a column")],
            order: Order::Time,
            limit: Some(50),
        };
        let (_, qreport) = folder_query(root.path(), &query, false, 1)
            .map_err(|e| TestCaseError::fail(format!("lenient query refused: {e}")))?;
        prop_assert_eq!(qreport.files_read + qreport.files_skipped_total(), 2);
        if let Err(e) = folder_query(root.path(), &query, true, 1) {
            prop_assert!(e.to_string().contains(&name), "the refusal names {}: {}", name, e);
        }
    }
}
