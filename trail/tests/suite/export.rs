//! `export`: stored records to the delivery layout, windows by event time.

use ddbsse_trail::analyze::folder_stats;
use ddbsse_trail::export::export;
use ddbsse_trail::filter::Filter;
use ddbsse_trail::writer::DeliveryConfig;
use rand::SeedableRng;

use crate::support::{T0, files_under, read_log, trail_record as record};

#[test]
fn export_writes_the_layout_one_file_per_window_of_event_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 30 records, one every 40 s: 20 minutes, 4 windows of 5 minutes.
    let records: Vec<_> = (0..30u64)
        .map(|i| record(T0 + i * 40_000, "Decrypt"))
        .collect();
    let summary = export(
        records.clone(),
        DeliveryConfig::new(dir.path(), "123456789012", "us-east-1"),
        Box::new(rand_chacha::ChaCha8Rng::seed_from_u64(1)),
    )
    .expect("export");
    assert_eq!(summary.records, 30);
    let stamps: Vec<String> = summary
        .files
        .iter()
        .map(|d| {
            d.path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .split('_')
                .nth(3)
                .expect("stamp")
                .to_owned()
        })
        .collect();
    assert_eq!(
        stamps,
        [
            "20190311T0005Z",
            "20190311T0010Z",
            "20190311T0015Z",
            "20190311T0020Z"
        ]
    );
    let back: Vec<_> = files_under(dir.path())
        .iter()
        .flat_map(|f| read_log(f)["Records"].as_array().expect("records").clone())
        .collect();
    let records: Vec<serde_json::Value> = records
        .iter()
        .map(|r| serde_json::to_value(r).expect("a record is JSON"))
        .collect();
    assert_eq!(back, records);
    let (stats, report) =
        folder_stats(dir.path(), &Filter::default(), 300_000, true, 2).expect("read back");
    assert_eq!((stats.records, report.files_read), (30, 4));
}

#[test]
fn export_stops_at_an_invalid_stored_record_with_its_position() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bad = record(T0, "Decrypt");
    bad.event_time = "yesterday".to_owned();
    let err = export(
        vec![record(T0, "Decrypt"), bad],
        DeliveryConfig::new(dir.path(), "123456789012", "us-east-1"),
        Box::new(rand_chacha::ChaCha8Rng::seed_from_u64(1)),
    )
    .expect_err("invalid record");
    assert!(
        err.to_string().contains("stored record 1") && err.to_string().contains("eventTime"),
        "{err}"
    );
}

#[test]
fn cli_export_writes_the_records_it_is_given() {
    use clap::Parser;
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: ddbsse_trail::cli::ExportArgs,
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let cli = Cli::try_parse_from([
        "export",
        "--data-dir",
        dir.path().to_str().expect("utf8"),
        "--out",
        dir.path().join("out").to_str().expect("utf8"),
    ])
    .expect("arguments parse");
    assert_eq!(cli.args.data_dir(), dir.path());
    ddbsse_trail::cli::run_export(&cli.args, vec![record(T0, "Decrypt")]).expect("export");
    assert_eq!(files_under(&dir.path().join("out")).len(), 1);
}
