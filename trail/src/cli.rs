//! `ddbsse trail`: arguments and entry point (`query`, `stats`, `export`, hidden `generate`).
//!
//! Does: parse arguments, find files (or connect to `--endpoint`), run the analysis, print the
//! result to stdout and the input summary (what was read, what was skipped and why) to stderr.
//! Exit status: 0 on success (even if input was skipped: the summary says so), 1 on an error or a
//! `--strict` refusal, 2 on a usage error.
//! Does not: read the endpoint's durable store: that store is the server crate's, which depends on
//! this one. The `ddbsse` binary adds `export` ([`ExportArgs`]) next to [`TrailCommand`], reads the
//! stored records with `ddbsse_server::storage::read_trail` and hands them to [`run_export`].

use std::io::{self, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use ddbsse_wire::trail::TrailRecord;
use rand::SeedableRng;

use crate::analyze::{ReadError, scan_folder};
use crate::export::{ExportError, export};
use crate::files::DayRange;
use crate::filter::Filter;
use crate::generate::{GenerateOptions, generate};
use crate::lookup::{LookupClient, LookupRequest};
use crate::output::{Format, RowWriter, stats_json, write_stats_text};
use crate::query::{BLOG_COLUMNS, BLOG_TABLE_COLUMNS, Column, Order, Query, QueryCollector};
use crate::scan::{Analysis, ScanReport};
use crate::stats::{Stats, StatsQuery};
use crate::svg::SvgError;
use crate::writer::{DeliveryConfig, WriteError};
use ddbsse_wire::time::{DAY, Day, HOUR, MINUTE, SECOND};

/// The `ddbsse trail` subcommands this crate runs on its own; the binary adds `export`
/// ([`ExportArgs`], [`run_export`]).
#[derive(Debug, Subcommand)]
pub enum TrailCommand {
    /// List the records matching filters (the blog's Athena queries), as a table, JSON lines or CSV.
    Query(QueryArgs),
    /// Count calls by event name, per table, key, principal and time interval.
    Stats(StatsArgs),
    /// Development tool: write a realistic synthetic DynamoDB-SSE trail.
    #[command(hide = true)]
    Generate(GenerateArgs),
}

/// Why a `ddbsse trail` command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Neither a folder nor `--endpoint` (clap normally refuses this first).
    #[error("give a delivery folder or --endpoint")]
    NoSource,
    /// `--columns` names a column that does not exist.
    #[error("unknown column {name:?}; known: all, {known}")]
    UnknownColumn {
        /// The name given.
        name: String,
        /// The known names, comma-separated.
        known: String,
    },
    /// Reading the trail failed.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// Writing to stdout failed.
    #[error("cannot write output: {0}")]
    Output(#[source] io::Error),
    /// `--svg` failed.
    #[error(transparent)]
    Svg(#[from] SvgError),
    /// `export` failed.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// `generate` failed.
    #[error(transparent)]
    Generate(#[from] WriteError),
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

/// Arguments of `trail query`.
#[derive(Debug, Args)]
pub struct QueryArgs {
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

/// Arguments of `trail stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
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

/// Arguments of `trail export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
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

/// Arguments of `trail generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
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

/// Parses a duration such as `30s`, `5m`, `1h` or `1d` into milliseconds (must be > 0).
fn parse_interval(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit())?);
    let n: u64 = num.parse().ok()?;
    let unit_ms = match unit {
        "s" => SECOND,
        "m" => MINUTE,
        "h" => HOUR,
        "d" => DAY,
        _ => return None,
    };
    n.checked_mul(unit_ms).filter(|&ms| ms > 0)
}

fn parse_interval_arg(s: &str) -> Result<u64, String> {
    parse_interval(s).ok_or_else(|| format!("{s:?} is not an interval like 30s, 5m, 1h or 1d"))
}

/// Runs one `ddbsse trail` subcommand.
pub fn run(command: TrailCommand) -> ExitCode {
    exit(match command {
        TrailCommand::Query(a) => run_query(a),
        TrailCommand::Stats(a) => run_stats(a),
        TrailCommand::Generate(a) => run_generate(a),
    })
}

/// The exit status of a command, after printing its error.
pub fn exit(result: Result<(), impl std::fmt::Display>) -> ExitCode {
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
    ) -> Result<(), CliError> {
        if let Some(url) = &self.endpoint {
            let credentials = ddbsse_client::Credentials {
                access_key_id: std::env::var("AWS_ACCESS_KEY_ID")
                    .unwrap_or_else(|_| "AKIAIOSFODNN7EXAMPLE".to_owned()),
                secret_access_key: std::env::var("AWS_SECRET_ACCESS_KEY")
                    .unwrap_or_else(|_| "ddbsse-local-secret".to_owned()),
                session_token: std::env::var("AWS_SESSION_TOKEN").ok(),
            };
            let client =
                LookupClient::new(url, &self.region, credentials).map_err(ReadError::from)?;
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
                .map_err(|e| CliError::Read(e.into()));
        }
        let dir = self.dir.as_ref().ok_or(CliError::NoSource)?;
        let threads = self.threads.unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        });
        scan_folder(
            dir,
            analysis,
            &self.days(),
            self.strict,
            threads,
            report,
            consume,
        )
        .map_err(CliError::Read)
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

fn run_query(a: QueryArgs) -> Result<(), CliError> {
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
                Column::by_name(n).ok_or_else(|| CliError::UnknownColumn {
                    name: n.clone(),
                    known: Column::all_names().join(", "),
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
        return Err(CliError::Output(e));
    }
    writer.finish().map_err(CliError::Output)?;
    print_report(&report);
    eprintln!("ddbsse trail: {rows} rows");
    Ok(())
}

fn run_stats(a: StatsArgs) -> Result<(), CliError> {
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
        .map_err(CliError::Output)?;
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

impl ExportArgs {
    /// The data folder whose stored trail is exported (`--data-dir`).
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }
}

/// `trail export`: writes `records`, the stored trail of [`ExportArgs::data_dir`] (read by the
/// caller), in the delivery layout.
pub fn run_export(
    a: &ExportArgs,
    records: impl IntoIterator<Item = TrailRecord>,
) -> Result<(), CliError> {
    let config =
        DeliveryConfig::new(&a.out, &a.account, &a.region).with_interval_millis(a.interval);
    let rng = Box::new(rand_chacha::ChaCha8Rng::seed_from_u64(a.seed));
    let summary = export(records, config, rng)?;
    eprintln!(
        "ddbsse trail: exported {} records in {} files under {}",
        summary.records,
        summary.files.len(),
        a.out.display()
    );
    Ok(())
}

fn run_generate(a: GenerateArgs) -> Result<(), CliError> {
    let opts = GenerateOptions {
        start_millis: a.start.start_millis(),
        days: a.days,
        compression_level: a.level,
        ..GenerateOptions::new(&a.out, a.records, a.seed)
    };
    let summary = generate(&opts)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_intervals() {
        assert_eq!(parse_interval("5m"), Some(300_000));
        assert_eq!(parse_interval("30s"), Some(30_000));
        assert_eq!(parse_interval("0m"), None);
        assert_eq!(parse_interval("5x"), None);
        assert_eq!(parse_interval("m"), None);
    }
}
