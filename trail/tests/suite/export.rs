//! `export`: stored records to the delivery layout, windows by event time; the CLI refuses
//! clearly until the durable store hook is wired.

use ddbsse_trail::analyze::folder_stats;
use ddbsse_trail::export::export;
use ddbsse_trail::filter::Filter;
use ddbsse_trail::writer::DeliveryConfig;
use rand::SeedableRng;

use crate::support::{T0, files_under, read_log, record};

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
    assert_eq!(back, records);
    let (stats, report) =
        folder_stats(dir.path(), &Filter::default(), 300_000, true, 2).expect("read back");
    assert_eq!((stats.records, report.files_read), (30, 4));
}

#[test]
fn export_stops_at_an_invalid_stored_record_with_its_position() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bad = record(T0, "Decrypt");
    bad.as_object_mut().expect("object").remove("eventSource");
    let err = export(
        vec![record(T0, "Decrypt"), bad],
        DeliveryConfig::new(dir.path(), "123456789012", "us-east-1"),
        Box::new(rand_chacha::ChaCha8Rng::seed_from_u64(1)),
    )
    .expect_err("invalid record");
    assert!(
        err.to_string().contains("stored record 1") && err.to_string().contains("eventSource"),
        "{err}"
    );
}

#[test]
fn cli_export_without_the_store_hook_fails_clearly() {
    use clap::Parser;
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: ddbsse_trail::cli::TrailArgs,
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let cli = Cli::try_parse_from([
        "trail",
        "export",
        "--data-dir",
        dir.path().to_str().expect("utf8"),
        "--out",
        dir.path().join("out").to_str().expect("utf8"),
    ])
    .expect("arguments parse");
    assert_eq!(
        ddbsse_trail::cli::run(cli.args),
        std::process::ExitCode::FAILURE
    );
    assert!(!dir.path().join("out").exists());
    // With a hook, the same arguments export.
    let hooks = ddbsse_trail::cli::Hooks {
        read_trail: Some(Box::new(|_| {
            Ok(Box::new(vec![record(T0, "Decrypt")].into_iter()))
        })),
    };
    let cli = Cli::try_parse_from([
        "trail",
        "export",
        "--data-dir",
        dir.path().to_str().expect("utf8"),
        "--out",
        dir.path().join("out").to_str().expect("utf8"),
    ])
    .expect("arguments parse");
    assert_eq!(
        ddbsse_trail::cli::run_with_hooks(cli.args, &hooks),
        std::process::ExitCode::SUCCESS
    );
    assert_eq!(files_under(&dir.path().join("out")).len(), 1);
}
