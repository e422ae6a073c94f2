//! `ddbsse trail`: arguments and entry point (`query`, `stats`, `export`, hidden `generate`).
//!
//! Does: parse arguments, find files (or connect to `--endpoint`), run the analysis, print the
//! result to stdout and the input summary (what was read, what was skipped and why) to stderr.
//! Exit status: 0 on success (even if input was skipped: the summary says so), 1 on an error or a
//! `--strict` refusal, 2 on a usage error.
//! Does not: read the endpoint's durable store itself: `export` calls [`Hooks::read_trail`],
//! which the `ddbsse` binary fills with `ddbsse_server::storage::read_trail` (see
//! [`run_with_hooks`]).

use std::io::{self, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use rand::SeedableRng;
use serde_json::Value;

use crate::export::export;
use crate::files::{DayRange, discover};
use crate::filter::Filter;
use crate::generate::{GenerateOptions, generate};
use crate::lookup::{LookupClient, LookupRequest};
use crate::output::{Format, RowWriter, stats_json, write_stats_text};
use crate::query::{BLOG_COLUMNS, BLOG_TABLE_COLUMNS, Column, Order, Query, QueryCollector};
use crate::scan::{Analysis, ScanReport, scan_files};
use crate::sigv4::Credentials;
use crate::stats::{Stats, StatsQuery};
use crate::timefmt::{Day, parse_interval};
use crate::writer::{DEFAULT_INTERVAL_MILLIS, DeliveryConfig};

/// Arguments of `ddbsse trail`.
#[derive(Debug, Args)]
pub struct TrailArgs {
    #[command(subcommand)]
    command: TrailCommand,
}

#[derive(Debug, Subcommand)]
enum TrailCommand {
    /// List the records matching filters (the blog's Athena queries), as a table, JSON lines or CSV.
    Query(QueryArgs),
    /// Count calls by event name, per table, key, principal and time interval.
    Stats(StatsArgs),
    /// Write a durable endpoint's stored trail in the CloudTrail S3 delivery layout.
    Export(ExportArgs),
    /// Development tool: write a realistic synthetic DynamoDB-SSE trail.
    #[command(hide = true)]
    Generate(GenerateArgs),
}

/// Where records come from and which ones count.
#[derive(Debug, Args)]
struct SourceArgs {
    /// Delivery folder (the bucket root, any folder below it, or one .json.gz file).
    #[arg(required_unless_present = "endpoint")]
    dir: Option<PathBuf>,
    /// Read a live endpoint through CloudTrail LookupEvents instead of a folder
    /// (e.g. http://127.0.0.1:8000).
    #[arg(long, conflicts_with = "dir")]
    endpoint: Option<String>,
    /// Region to sign LookupEvents requests for.
    #[arg(long, default_value = "us-east-1", env = "AWS_REGION")]
    region: String,
    /// Partition day (the YYYY/MM/DD folder), like the blog's year/month/day.
    #[arg(long, value_parser = parse_day, conflicts_with_all = ["from", "to"])]
    date: Option<Day>,
    /// First partition day, inclusive.
    #[arg(long, value_parser = parse_day)]
    from: Option<Day>,
    /// Last partition day, inclusive.
    #[arg(long, value_parser = parse_day)]
    to: Option<Day>,
    /// eventSource, e.g. kms.amazonaws.com or dynamodb.amazonaws.com.
    #[arg(long)]
    event_source: Option<String>,
    /// eventName (repeat or separate with commas for several).
    #[arg(long, value_delimiter = ',')]
    event_name: Vec<String>,
    /// Only calls DynamoDB made on a caller's behalf (sourceIPAddress or userIdentity.invokedBy
    /// is dynamodb.amazonaws.com).
    #[arg(long)]
    via_dynamodb: bool,
    /// sourceIPAddress, exactly.
    #[arg(long)]
    source_ip: Option<String>,
    /// Table name in requestParameters.encryptionContext."aws:dynamodb:tableName".
    #[arg(long)]
    table: Option<String>,
    /// KMS key ARN of the first resource (Athena's resources[1].arn).
    #[arg(long)]
    key_arn: Option<String>,
    /// Refuse the whole input at the first unreadable file or record instead of skipping it.
    #[arg(long)]
    strict: bool,
    /// Worker threads (default: the number of cores).
    #[arg(long)]
    threads: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OrderArg {
    /// ORDER BY eventtime.
    Time,
    /// ORDER BY ddbtbl (nulls last).
    Table,
}

#[derive(Debug, Args)]
struct QueryArgs {
    #[command(flatten)]
    source: SourceArgs,
    /// Maximum number of rows (0: no limit).
    #[arg(long, default_value_t = 1000)]
    limit: usize,
    /// Order of the rows (default: input order).
    #[arg(long, value_enum)]
    order: Option<OrderArg>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Columns, comma-separated, or `all` for every column of the Athena table plus
    /// year, month, day. Default: the blog's (eventtime, eventname, sourceipaddress, useridentity,
    /// requestparameters; eventtime, eventname, ddbtbl with --order table).
    #[arg(long, value_delimiter = ',')]
    columns: Vec<String>,
}

#[derive(Debug, Args)]
struct StatsArgs {
    #[command(flatten)]
    source: SourceArgs,
    /// Length of the time intervals (e.g. 1m, 5m, 1h).
    #[arg(long, default_value = "5m", value_parser = parse_interval_arg)]
    interval: u64,
    /// Also draw calls over time stacked by event name into this SVG file.
    #[arg(long)]
    svg: Option<PathBuf>,
    /// Print JSON instead of text tables.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct ExportArgs {
    /// Data folder of a durable endpoint (`ddbsse serve --data-dir`).
    #[arg(long)]
    data_dir: PathBuf,
    /// Delivery root to write the layout under.
    #[arg(long)]
    out: PathBuf,
    /// Account id in the layout.
    #[arg(long, default_value = "123456789012")]
    account: String,
    /// Region in the layout.
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// Delivery window length.
    #[arg(long, default_value = "5m", value_parser = parse_interval_arg)]
    interval: u64,
    /// Seed of the files' unique strings.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

#[derive(Debug, Args)]
struct GenerateArgs {
    /// Delivery root to write under.
    #[arg(long)]
    out: PathBuf,
    /// Exact number of records.
    #[arg(long)]
    records: u64,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Number of days, from --start.
    #[arg(long, default_value_t = 2)]
    days: u32,
    /// First day.
    #[arg(long, value_parser = parse_day, default_value = "2019-03-11")]
    start: Day,
    /// gzip level 0-9.
    #[arg(long, default_value_t = 6)]
    level: u32,
}

fn parse_day(s: &str) -> Result<Day, String> {
    Day::parse(s).ok_or_else(|| format!("{s:?} is not a date YYYY-MM-DD"))
}

fn parse_interval_arg(s: &str) -> Result<u64, String> {
    parse_interval(s).ok_or_else(|| format!("{s:?} is not an interval like 30s, 5m, 1h or 1d"))
}

/// Functions the `ddbsse` binary provides from crates this one cannot depend on.
#[derive(Default)]
pub struct Hooks {
    /// Reads a durable endpoint's stored trail records, in time order
    /// (`ddbsse_server::storage::read_trail`).
    #[allow(clippy::type_complexity)]
    pub read_trail: Option<Box<dyn Fn(&Path) -> Result<Box<dyn Iterator<Item = Value>>, String>>>,
}

/// Runs `ddbsse trail` without hooks (`export` then reports that it is not wired).
pub fn run(args: TrailArgs) -> ExitCode {
    run_with_hooks(args, &Hooks::default())
}

/// Runs `ddbsse trail` with the binary's hooks.
pub fn run_with_hooks(args: TrailArgs, hooks: &Hooks) -> ExitCode {
    let result = match args.command {
        TrailCommand::Query(a) => run_query(a),
        TrailCommand::Stats(a) => run_stats(a),
        TrailCommand::Export(a) => run_export(a, hooks),
        TrailCommand::Generate(a) => run_generate(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("ddbsse trail: {message}");
            ExitCode::FAILURE
        }
    }
}

impl SourceArgs {
    fn days(&self) -> DayRange {
        match self.date {
            Some(d) => DayRange::single(d),
            None => DayRange {
                from: self.from,
                to: self.to,
            },
        }
    }

    fn filter(&self) -> Filter {
        Filter {
            days: self.days(),
            event_source: self.event_source.clone(),
            event_names: self.event_name.clone(),
            via_dynamodb: self.via_dynamodb,
            source_ip: self.source_ip.clone(),
            table: self.table.clone(),
            key_arn: self.key_arn.clone(),
        }
    }

    /// Runs `analysis` over the folder or the endpoint, giving partial results to `consume`.
    fn scan<A: Analysis>(
        &self,
        analysis: &A,
        report: &mut ScanReport,
        consume: impl FnMut(A::Partial) -> ControlFlow<()>,
    ) -> Result<(), String> {
        if let Some(url) = &self.endpoint {
            let credentials = Credentials {
                access_key_id: std::env::var("AWS_ACCESS_KEY_ID")
                    .unwrap_or_else(|_| "AKIAIOSFODNN7EXAMPLE".to_owned()),
                secret_access_key: std::env::var("AWS_SECRET_ACCESS_KEY")
                    .unwrap_or_else(|_| "ddbsse-local-secret".to_owned()),
            };
            let client =
                LookupClient::new(url, &self.region, credentials).map_err(|e| e.to_string())?;
            let days = self.days();
            let request = LookupRequest {
                start_secs: days.from.map(|d| d.start_millis() / 1000),
                end_secs: days.to.map(|d| d.next().start_millis() / 1000),
                attribute: self
                    .event_source
                    .as_ref()
                    .map(|s| ("EventSource".to_owned(), s.clone()))
                    .or_else(|| match self.event_name.as_slice() {
                        [one] => Some(("EventName".to_owned(), one.clone())),
                        _ => None,
                    }),
                max_results: 50,
            };
            let wall_clock = || {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_millis() as u64)
                    .unwrap_or(0)
            };
            return client
                .scan(
                    analysis,
                    &request,
                    self.strict,
                    report,
                    &wall_clock,
                    consume,
                )
                .map_err(|e| e.to_string());
        }
        let dir = self
            .dir
            .as_ref()
            .ok_or_else(|| "give a delivery folder or --endpoint".to_owned())?;
        let found = discover(dir, &self.days()).map_err(|e| format!("cannot read {e}"))?;
        for (path, why) in &found.skipped {
            if self.strict {
                return Err(format!("refused (--strict): {}: {why}", path.display()));
            }
            report.skip_file(&path.display().to_string(), "no partition day", why.clone());
        }
        let threads = self.threads.unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        });
        scan_files(
            analysis,
            &found.files,
            threads,
            self.strict,
            report,
            consume,
        )
        .map_err(|e| e.to_string())
    }
}

fn print_report(report: &ScanReport) {
    for m in &report.messages {
        eprintln!("ddbsse trail: {m}");
    }
    if report.messages_dropped > 0 {
        eprintln!(
            "ddbsse trail: ... and {} more problems",
            report.messages_dropped
        );
    }
    eprintln!("ddbsse trail: {report}");
}

fn run_query(a: QueryArgs) -> Result<(), String> {
    let order = match a.order {
        None => Order::Input,
        Some(OrderArg::Time) => Order::Time,
        Some(OrderArg::Table) => Order::Table,
    };
    let columns: Vec<Column> = match a.columns.as_slice() {
        [] if order == Order::Table => BLOG_TABLE_COLUMNS.to_vec(),
        [] => BLOG_COLUMNS.to_vec(),
        [all] if all == "all" || all == "*" => crate::query::ATHENA_COLUMNS.to_vec(),
        names => names
            .iter()
            .map(|n| {
                Column::by_name(n).ok_or_else(|| {
                    format!(
                        "unknown column {n:?}; known: all, {}",
                        Column::all_names().join(", ")
                    )
                })
            })
            .collect::<Result<_, _>>()?,
    };
    let query = Query {
        filter: a.source.filter(),
        columns: columns.clone(),
        order,
        limit: (a.limit > 0).then_some(a.limit),
    };
    let stdout = io::stdout().lock();
    let mut writer = RowWriter::new(
        io::BufWriter::new(stdout),
        a.format,
        columns.iter().map(|c| c.name()).collect(),
    );
    let mut collector = QueryCollector::new(&query);
    let mut report = ScanReport::default();
    let mut write_error: Option<io::Error> = None;
    let mut emit = |row| {
        if write_error.is_none()
            && let Err(e) = writer.row(row)
        {
            write_error = Some(e);
        }
    };
    let scanned = a.source.scan(&query, &mut report, |partial| {
        collector.take(partial, &mut emit)
    });
    if let Err(e) = scanned {
        print_report(&report);
        return Err(e);
    }
    let rows = collector.finish(&mut emit);
    if let Some(e) = write_error {
        return Err(format!("cannot write output: {e}"));
    }
    writer
        .finish()
        .map_err(|e| format!("cannot write output: {e}"))?;
    print_report(&report);
    eprintln!("ddbsse trail: {rows} rows");
    Ok(())
}

fn run_stats(a: StatsArgs) -> Result<(), String> {
    let analysis = StatsQuery {
        filter: a.source.filter(),
        interval_millis: a.interval,
    };
    let mut stats = Stats::new(a.interval);
    let mut report = ScanReport::default();
    let scanned = a.source.scan(&analysis, &mut report, |partial| {
        stats.merge(partial);
        ControlFlow::Continue(())
    });
    if let Err(e) = scanned {
        print_report(&report);
        return Err(e);
    }
    let mut out = io::BufWriter::new(io::stdout().lock());
    let written = if a.json {
        serde_json::to_writer_pretty(&mut out, &stats_json(&stats, &report))
            .map_err(io::Error::other)
            .and_then(|()| writeln!(out))
    } else {
        write_stats_text(&mut out, &stats, &report)
    };
    written
        .and_then(|()| out.flush())
        .map_err(|e| format!("cannot write output: {e}"))?;
    if let Some(svg) = &a.svg {
        let title = format!(
            "calls per {} s, stacked by event name ({} records)",
            a.interval / 1000,
            stats.records
        );
        crate::svg::write_svg(&stats, svg, &title)?;
        eprintln!("ddbsse trail: wrote {}", svg.display());
    }
    print_report(&report);
    Ok(())
}

fn run_export(a: ExportArgs, hooks: &Hooks) -> Result<(), String> {
    let Some(read_trail) = &hooks.read_trail else {
        return Err(format!(
            "export of {} is not available in this build: the durable store reader \
             (ddbsse_server::storage::read_trail) is not wired into `ddbsse trail export` yet",
            a.data_dir.display()
        ));
    };
    let records = read_trail(&a.data_dir)?;
    let config =
        DeliveryConfig::new(&a.out, &a.account, &a.region).with_interval_millis(a.interval);
    let rng = Box::new(rand_chacha::ChaCha8Rng::seed_from_u64(a.seed));
    let summary = export(records, config, rng).map_err(|e| e.to_string())?;
    eprintln!(
        "ddbsse trail: exported {} records in {} files under {}",
        summary.records,
        summary.files.len(),
        a.out.display()
    );
    Ok(())
}

fn run_generate(a: GenerateArgs) -> Result<(), String> {
    let opts = GenerateOptions {
        start_millis: a.start.start_millis(),
        days: a.days,
        compression_level: a.level,
        ..GenerateOptions::new(&a.out, a.records, a.seed)
    };
    let summary = generate(&opts).map_err(|e| e.to_string())?;
    let _ = DEFAULT_INTERVAL_MILLIS;
    println!(
        "{}",
        serde_json::json!({
            "files": summary.files,
            "records": summary.records,
            "keyArns": summary.key_arns,
            "kmsTables": summary.kms_tables,
        })
    );
    Ok(())
}
