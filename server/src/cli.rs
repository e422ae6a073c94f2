//! `ddbsse serve`: arguments and entry point.
//!
//! Builds the engine, the clock and (with `--trail-dir`) the trail delivery, binds the port,
//! prints `ddbsse listening on http://ADDR:PORT` on stdout once it accepts connections, and serves
//! until SIGINT or SIGTERM; then it finishes in-flight requests, delivers the open trail window
//! and exits 0. Logs go to stderr through `tracing` (`RUST_LOG`, default `info`).

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use crate::clock::{Clock, ClockKind};
use crate::engine::{Engine, EngineConfig, EngineError};
use crate::http::busy_poll::BusyPoll;
use crate::http::{Endpoint, Server};
use crate::trail_delivery::{TrailDelivery, TrailDeliveryConfig};

/// Arguments of `ddbsse serve`. Every flag can also be set by an environment variable named
/// `DDBSSE_` and the flag in capitals (`--data-dir`: `DDBSSE_DATA_DIR`); a flag on the command line
/// wins over the variable.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// TCP port to listen on (0 picks a free port; the line printed at start names it).
    #[arg(long, env = "DDBSSE_PORT", default_value_t = 8000)]
    pub port: u16,
    /// Address to bind.
    #[arg(long, env = "DDBSSE_BIND", default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Region the endpoint pretends to be in (ARNs, trail records).
    #[arg(long, env = "DDBSSE_REGION", default_value = "us-east-1")]
    pub region: String,
    /// Account id (ARNs, trail records).
    #[arg(long, env = "DDBSSE_ACCOUNT", default_value = "123456789012")]
    pub account: String,
    /// Keep keys, tables, items and the trail in this folder (redb); in memory when absent.
    #[arg(long, env = "DDBSSE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// `system`: the wall clock. `manual`: starts at 2019-03-11T00:00:00Z and moves only through
    /// `POST /_conformance/clock` (spec/conformance.md).
    #[arg(long, env = "DDBSSE_CLOCK", value_enum, default_value_t = ClockKind::System)]
    pub clock: ClockKind,
    /// How long a new table stays CREATING (such as `0`, `500ms`, `2s`).
    #[arg(long, env = "DDBSSE_CREATE_DELAY", default_value = "0", value_parser = parse_duration)]
    pub create_delay: Duration,
    /// Deliver the trail as CloudTrail log files in the S3 layout below this folder.
    #[arg(long, env = "DDBSSE_TRAIL_DIR")]
    pub trail_dir: Option<PathBuf>,
    /// Length of a trail delivery window on the endpoint's clock (such as `5m`, `300s`).
    #[arg(long, env = "DDBSSE_TRAIL_INTERVAL", default_value = "5m", value_parser = parse_duration)]
    pub trail_interval: Duration,
    /// How long a connection's thread polls for the next request before it sleeps, while the
    /// server is quiet (fewer open connections than cores); `0` turns it off. Saves a thread
    /// wakeup per request for clients that send one request after another.
    #[arg(long, env = "DDBSSE_BUSY_POLL", default_value = "50us", value_parser = parse_duration)]
    pub busy_poll: Duration,
    /// The most connections served at once (each has a thread); one more is answered with
    /// HTTP 503 and closed.
    #[arg(long, env = "DDBSSE_MAX_CONNECTIONS", default_value_t = crate::http::DEFAULT_MAX_CONNECTIONS, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,
    /// How long a request may take to arrive in full from its first byte (such as `60s`); one
    /// that takes longer is answered with HTTP 408 and its connection closed. Idle connections
    /// between requests are not timed.
    #[arg(long, env = "DDBSSE_REQUEST_TIMEOUT", default_value = "60s", value_parser = parse_duration)]
    pub request_timeout: Duration,
    /// Create keys (with fixed ids and key material), aliases, tables and items from this JSON
    /// file at start, for deterministic fixtures (docs/serve.md).
    #[arg(long, env = "DDBSSE_SEED")]
    pub seed: Option<PathBuf>,
    /// Verify SigV4 signatures against the access keys of this file (AWS shared credentials
    /// format: `[profile]` sections with aws_access_key_id, aws_secret_access_key and optionally
    /// aws_session_token). Without it any secret is accepted.
    #[arg(long, env = "DDBSSE_CREDENTIALS")]
    pub credentials: Option<PathBuf>,
    /// Serve on a non-loopback `--bind` address without `--credentials` (anyone who reaches the
    /// port can then call as anyone).
    #[arg(long, env = "DDBSSE_INSECURE_NO_AUTH")]
    pub insecure_no_auth: bool,
}

impl Default for ServeArgs {
    fn default() -> Self {
        Self {
            port: 8000,
            bind: IpAddr::from([127, 0, 0, 1]),
            region: "us-east-1".to_owned(),
            account: "123456789012".to_owned(),
            data_dir: None,
            clock: ClockKind::System,
            create_delay: Duration::ZERO,
            trail_dir: None,
            trail_interval: Duration::from_secs(300),
            busy_poll: crate::http::busy_poll::DEFAULT_BUDGET,
            max_connections: crate::http::DEFAULT_MAX_CONNECTIONS,
            request_timeout: crate::http::DEFAULT_REQUEST_TIMEOUT,
            seed: None,
            credentials: None,
            insecure_no_auth: false,
        }
    }
}

/// A command-line duration that does not read as one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a duration such as 300s, 5m or 500ms")]
pub struct DurationError(pub String);

/// Why `ddbsse serve` could not start, or did not stop cleanly.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// `--trail-interval 0`.
    #[error("--trail-interval must be more than 0")]
    ZeroTrailInterval,
    /// `--create-delay` other than 0.
    #[error("--create-delay other than 0 is not supported by this engine yet")]
    CreateDelayUnsupported,
    /// `--bind` to an address beyond loopback without `--credentials` or `--insecure-no-auth`.
    #[error(
        "--bind {0} reaches beyond this machine, and without --credentials anyone who reaches the port can call as anyone: give --credentials FILE to verify signatures, or --insecure-no-auth to serve anyway"
    )]
    UnauthenticatedBind(IpAddr),
    /// The credentials file cannot be used.
    #[error(transparent)]
    Credentials(#[from] crate::http::credentials::CredentialsError),
    /// The engine (its storage) did not open.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The seed file could not be applied.
    #[error(transparent)]
    Seed(#[from] crate::seed::SeedError),
    /// The trail delivery folder cannot be used.
    #[error("cannot deliver the trail to {}: {source}", dir.display())]
    TrailDir {
        /// `--trail-dir`.
        dir: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// The port cannot be bound.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address asked for.
        addr: SocketAddr,
        /// What failed.
        source: std::io::Error,
    },
    /// The bound address cannot be read back.
    #[error("cannot read the bound address: {0}")]
    LocalAddr(#[source] std::io::Error),
    /// The listening line cannot be printed.
    #[error("cannot write to stdout: {0}")]
    Stdout(#[source] std::io::Error),
    /// The trail delivery's last window was not written because its task failed.
    #[error("trail delivery did not stop: {0}")]
    DeliveryStop(#[source] tokio::task::JoinError),
    /// Records of the last window could not be delivered.
    #[error("{0} trail records could not be delivered")]
    Undelivered(u64),
}

/// Reads `0`, `50us`, `250ms`, `30s`, `5m` or `1h` (a bare number is seconds).
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: u64 = number.parse().map_err(|_| DurationError(text.to_owned()))?;
    let micros = match unit {
        "us" => Some(n),
        "ms" => n.checked_mul(1_000),
        "" | "s" => n.checked_mul(1_000_000),
        "m" => n.checked_mul(60_000_000),
        "h" => n.checked_mul(3_600_000_000),
        _ => None,
    }
    .ok_or_else(|| DurationError(text.to_owned()))?;
    Ok(Duration::from_micros(micros))
}

/// Runs `ddbsse serve` until SIGINT or SIGTERM.
pub fn run(args: ServeArgs) -> ExitCode {
    init_logging();
    // The runtime only accepts connections and waits for signals; each connection is served on
    // a thread of its own (`http::connection`), so one runtime thread is enough.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ddbsse serve: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(args, shutdown_signal())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("ddbsse serve: {message}");
            ExitCode::FAILURE
        }
    }
}

/// A running endpoint's parts, built from the arguments.
#[derive(Debug)]
pub struct Parts {
    /// The bound server.
    pub server: Server,
    /// The trail delivery, if `--trail-dir` was given.
    pub delivery: Option<Arc<TrailDelivery>>,
}

/// Builds the engine, clock, delivery and server for `args` and binds the port.
pub async fn build(args: &ServeArgs) -> Result<Parts, ServeError> {
    if args.trail_interval.is_zero() {
        return Err(ServeError::ZeroTrailInterval);
    }
    let config = EngineConfig {
        account: args.account.clone(),
        region: args.region.clone(),
        data_dir: args.data_dir.clone(),
        ..EngineConfig::default()
    };
    if !args.create_delay.is_zero() {
        return Err(ServeError::CreateDelayUnsupported);
    }
    //= spec/errors.md#unauthenticated-bind
    //# A target that does not verify signatures MUST NOT listen on an address beyond loopback unless its operator explicitly asks for it (`ddbsse serve --insecure-no-auth`).
    if args.credentials.is_none() && !args.bind.is_loopback() && !args.insecure_no_auth {
        return Err(ServeError::UnauthenticatedBind(args.bind));
    }
    let verifier = match &args.credentials {
        None => None,
        Some(path) => {
            let keys = crate::http::credentials::KeyStore::load(path).await?;
            tracing::info!(keys = keys.len(), file = %path.display(), "verifying signatures");
            Some(crate::http::sigv4::Verifier::new(keys, args.region.clone()))
        }
    };
    let engine = Arc::new(Engine::open(config)?);
    let clock = Arc::new(Clock::new(args.clock));
    if let Some(path) = &args.seed {
        let seeded = crate::seed::apply_file(&engine, path, clock.now())?;
        tracing::info!(
            seed = %path.display(),
            keys = seeded.keys,
            aliases = seeded.aliases,
            tables = seeded.tables,
            items = seeded.items,
            "seeded"
        );
    }
    let delivery = match &args.trail_dir {
        None => None,
        Some(dir) => {
            let config = TrailDeliveryConfig {
                dir: dir.clone(),
                account: args.account.clone(),
                region: args.region.clone(),
                interval_millis: u64::try_from(args.trail_interval.as_millis()).unwrap_or(u64::MAX),
            };
            let source = Arc::clone(&engine) as Arc<dyn crate::trail_delivery::TrailSource>;
            let delivery =
                TrailDelivery::start(config, source, Arc::clone(&clock)).map_err(|source| {
                    ServeError::TrailDir {
                        dir: dir.clone(),
                        source,
                    }
                })?;
            Some(Arc::new(delivery))
        }
    };
    if !clock.is_manual() {
        crate::ttl_sweeper::spawn(Arc::clone(&engine), Arc::clone(&clock));
    }
    let mut endpoint = Endpoint::new(engine, clock, delivery.clone());
    if let Some(verifier) = verifier {
        endpoint = endpoint.with_verifier(verifier);
    }
    let endpoint = Arc::new(endpoint);
    let addr = SocketAddr::new(args.bind, args.port);
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let server = Server::bind(addr, endpoint)
        .await
        .map_err(|source| ServeError::Listen { addr, source })?
        .with_busy_poll(BusyPoll::new(args.busy_poll, cores))
        .with_max_connections(args.max_connections as usize)
        .with_request_timeout(args.request_timeout);
    Ok(Parts { server, delivery })
}

/// Serves `args` until `shutdown` completes, then drains and delivers the trail.
pub async fn serve(
    args: ServeArgs,
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<(), ServeError> {
    let Parts { server, delivery } = build(&args).await?;
    let addr = server.local_addr().map_err(ServeError::LocalAddr)?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "ddbsse listening on http://{addr}")
            .and_then(|()| out.flush())
            .map_err(ServeError::Stdout)?;
    }
    tracing::info!(%addr, clock = ?args.clock, data_dir = ?args.data_dir, trail_dir = ?args.trail_dir, "serving");
    server.run(shutdown).await;
    if let Some(delivery) = delivery {
        let stats = tokio::task::spawn_blocking(move || delivery.shutdown())
            .await
            .map_err(ServeError::DeliveryStop)?;
        tracing::info!(
            files = stats.files,
            records = stats.records,
            failed = stats.failed_records,
            "trail delivered"
        );
        if stats.failed_records > 0 {
            return Err(ServeError::Undelivered(stats.failed_records));
        }
    }
    tracing::info!("stopped");
    Ok(())
}

/// Completes on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("SIGINT: shutting down"),
        () = terminate => tracing::info!("SIGTERM: shutting down"),
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
    use std::time::Duration;

    #[test]
    fn durations_read_with_their_unit() {
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("300s"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("50us"), Ok(Duration::from_micros(50)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        for bad in ["", "m", "5 minutes", "-1s", "1.5s", "99999999999999999999h"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
