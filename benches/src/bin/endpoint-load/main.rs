//! `endpoint-load`: the load benchmark of `ddbsse serve` against moto and dynalite (not a test).
//!
//! In one run on loopback it measures single-client keep-alive PutItem and GetItem of 1 KiB items
//! and the same with 16 concurrent clients, on an SSE-KMS table and an AWS owned key table of
//! `ddbsse serve` (one server, the two tables measured in alternating one-second rounds so that
//! both see the same background load), on moto and on dynalite; two reference lines, the shell's
//! no-op round trip and the loopback floor (raw TCP round trips of a real PutItem's and GetItem's
//! sizes, no HTTP: the most any server could answer one client on this machine); then the peak
//! RSS of `ddbsse serve` holding 100,000 1 KiB items in memory. It prints ops/s, error counts and
//! the ratios against the goals of issue 4, and under a missed ratio goal the ratio the loopback
//! floor itself reaches. Run it through `scripts/bench-endpoint.sh` (release
//! build).
//!
//! Usage: endpoint-load [--ddbsse PATH] [--seconds N] [--max-ops N] [--rss-items N]
//!                      [--emulators DIR] [--skip-emulators]

mod loopback;
mod report;
mod targets;
mod wire;
mod workload;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use report::{Measured, Report};
use targets::{Protection, Running, create_table, memory_kb, start_ddbsse, start_emulator};
use workload::{
    ClientMode, Keys, Op, TableResult, request_template, round_trips, run_interleaved, run_phase,
};

#[derive(Debug)]
struct Args {
    ddbsse: PathBuf,
    seconds: u64,
    max_ops: u64,
    rss_items: u64,
    emulators: PathBuf,
    skip_emulators: bool,
}

fn parse_args() -> Result<Args, String> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let sibling = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(|d| d.join("ddbsse")))
        .unwrap_or_else(|| repo.join("target/release/ddbsse"));
    let mut args = Args {
        ddbsse: sibling,
        seconds: 5,
        max_ops: 10_000_000,
        rss_items: 100_000,
        emulators: targets::default_emulator_dir(&repo),
        skip_emulators: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        let number = |name: &str, v: String| {
            v.parse::<u64>()
                .map_err(|_| format!("{name}: `{v}` is not a whole number"))
        };
        match flag.as_str() {
            "--ddbsse" => args.ddbsse = PathBuf::from(value("--ddbsse")?),
            "--seconds" => args.seconds = number("--seconds", value("--seconds")?)?,
            "--max-ops" => args.max_ops = number("--max-ops", value("--max-ops")?)?,
            "--rss-items" => args.rss_items = number("--rss-items", value("--rss-items")?)?,
            "--emulators" => args.emulators = PathBuf::from(value("--emulators")?),
            "--skip-emulators" => args.skip_emulators = true,
            "-h" | "--help" => {
                return Err(
                    "usage: endpoint-load [--ddbsse PATH] [--seconds N] [--max-ops N] \
                            [--rss-items N] [--emulators DIR] [--skip-emulators]"
                        .to_owned(),
                );
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if args.seconds == 0 || args.seconds > 60 {
        return Err("--seconds must be 1 to 60".to_owned());
    }
    Ok(args)
}

/// Both ddbsse tables on one fresh server, measured in alternating one-second rounds.
fn measure_ddbsse(args: &Args, scratch: &Path) -> Result<(TableResult, TableResult), String> {
    let server = start_ddbsse(&args.ddbsse, &scratch.join("ddbsse.log"), "system")?;
    let result = create_table(server.addr, "bench_kms", Protection::SseKms)
        .and_then(|()| create_table(server.addr, "bench_owned", Protection::Owned))
        .map(|()| {
            run_interleaved(
                server.addr,
                &["bench_kms", "bench_owned"],
                args.seconds,
                Duration::from_secs(1),
                args.max_ops,
                ClientMode::Polling,
            )
        });
    server.stop();
    match result?.as_slice() {
        [kms, owned] => Ok((*kms, *owned)),
        _ => Err("expected two tables".to_owned()),
    }
}

/// An emulator measured with a blocking and with a polling single client, each on a freshly
/// started server (so that neither mode inherits the other's data), keeping the faster figure
/// of each phase: the polling client must not make an emulator look slower than a blocking
/// one would (its spinning takes a core).
fn measure_emulator(args: &Args, scratch: &Path, name: &str) -> Measured {
    if args.skip_emulators {
        return Measured::Skipped("--skip-emulators".to_owned());
    }
    let blocking = match measure_emulator_once(args, scratch, name, ClientMode::Blocking) {
        Ok(r) => r,
        Err(reason) => return Measured::Skipped(reason),
    };
    match measure_emulator_once(args, scratch, name, ClientMode::Polling) {
        Ok(polling) => Measured::Ran(TableResult::best_of(&blocking, &polling)),
        Err(reason) => {
            eprintln!("endpoint-load: {name} with a polling client: {reason}");
            Measured::Ran(blocking)
        }
    }
}

fn measure_emulator_once(
    args: &Args,
    scratch: &Path,
    name: &str,
    mode: ClientMode,
) -> Result<TableResult, String> {
    let script = args.emulators.join(format!("start-{name}.sh"));
    eprintln!("endpoint-load: starting {name} (installs itself on first use), {mode:?} client");
    let server: Running = start_emulator(name, &script, scratch)?;
    eprintln!(
        "endpoint-load: {name} pid {} on {}",
        server.pid, server.addr
    );
    let result = create_table(server.addr, "bench_kms", Protection::SseKms).map(|()| {
        run_interleaved(
            server.addr,
            &["bench_kms"],
            1,
            Duration::from_secs(args.seconds),
            args.max_ops,
            mode,
        )
    });
    server.stop();
    match result?.as_slice() {
        [r] => Ok(*r),
        _ => Err("no result".to_owned()),
    }
}

/// The shell's floor: one client's round trips of a request that does no work
/// (`GET /_conformance/capabilities`, served on the manual clock without touching the engine).
fn measure_floor(args: &Args, scratch: &Path) -> Result<workload::PhaseResult, String> {
    let server = start_ddbsse(&args.ddbsse, &scratch.join("ddbsse-floor.log"), "manual")?;
    let mut request = wire::RequestTemplate::get(server.addr, "/_conformance/capabilities");
    let result = round_trips(
        server.addr,
        &mut request,
        Duration::from_secs(args.seconds),
        ClientMode::Polling,
    );
    server.stop();
    Ok(result)
}

/// The loopback floor of a PutItem and of a GetItem exchange: the sizes of one real exchange
/// with `ddbsse serve` (request and answer, heads included), then raw TCP round trips of those
/// sizes with nothing in between ([`loopback`]).
fn measure_loopback(args: &Args, scratch: &Path) -> Result<report::Loopback, String> {
    let server = start_ddbsse(&args.ddbsse, &scratch.join("ddbsse-sizes.log"), "manual")?;
    let sizes = (|| {
        create_table(server.addr, "bench_kms", Protection::SseKms)?;
        let mut client = wire::Client::new(server.addr);
        let mut size = |op: Op| -> Result<(usize, usize), String> {
            let mut template = request_template(server.addr, "bench_kms", op);
            let answer = client
                .call(template.with_key(1))
                .map_err(|e| format!("{op:?}: {e}"))?;
            if answer.status != 200 || (op == Op::Get && !targets::find(&answer.body, b"\"Item\""))
            {
                return Err(format!("{op:?} answered {}", answer.status));
            }
            Ok((template.len(), answer.wire_bytes))
        };
        Ok::<_, String>((size(Op::Put)?, size(Op::Get)?))
    })();
    server.stop();
    let (put, get) = sizes?;
    let floor = |(request, answer): (usize, usize)| {
        loopback::raw_round_trips(request, answer, Duration::from_secs(args.seconds))
            .map(|result| report::RawFloor {
                request,
                answer,
                result,
            })
            .map_err(|e| e.to_string())
    };
    Ok(report::Loopback {
        put: floor(put)?,
        get: floor(get)?,
    })
}

/// Fills a fresh server with `items` 1 KiB items (16 clients) and reads its peak RSS.
fn measure_memory(args: &Args, scratch: &Path) -> Result<report::Memory, String> {
    let server = start_ddbsse(&args.ddbsse, &scratch.join("ddbsse-rss.log"), "system")?;
    let outcome = (|| {
        create_table(server.addr, "bench_rss", Protection::SseKms)?;
        let idle = memory_kb(server.pid).ok_or("cannot read /proc/<pid>/status")?;
        let per_client = args.rss_items.div_ceil(16);
        let fill = run_phase(
            server.addr,
            "bench_rss",
            Op::Put,
            16,
            Duration::from_secs(600),
            per_client,
            &mut Keys::new(),
            ClientMode::Blocking,
        );
        let (hwm, rss) = memory_kb(server.pid).ok_or("cannot read /proc/<pid>/status")?;
        Ok(report::Memory {
            items: fill.ops,
            errors: fill.errors,
            seconds: fill.seconds,
            idle_hwm_kb: idle.0,
            hwm_kb: hwm,
            rss_kb: rss,
        })
    })();
    server.stop();
    outcome
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("endpoint-load: {e}");
            return ExitCode::from(2);
        }
    };
    if !args.ddbsse.exists() {
        eprintln!(
            "endpoint-load: {} not found; build it with `cargo build --release -p ddbsse`",
            args.ddbsse.display()
        );
        return ExitCode::from(2);
    }
    let scratch = std::env::temp_dir().join(format!("ddbsse-endpoint-load-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&scratch) {
        eprintln!("endpoint-load: {}: {e}", scratch.display());
        return ExitCode::from(2);
    }
    eprintln!("endpoint-load: logs in {}", scratch.display());
    let mut report = Report::new(args.seconds, args.rss_items);
    eprintln!("endpoint-load: ddbsse, SSE-KMS and owned-key tables in alternating rounds");
    match measure_ddbsse(&args, &scratch) {
        Ok((kms, owned)) => {
            report.ddbsse_kms = Measured::Ran(kms);
            report.ddbsse_owned = Measured::Ran(owned);
        }
        Err(why) => {
            report.ddbsse_kms = Measured::Skipped(why.clone());
            report.ddbsse_owned = Measured::Skipped(why);
        }
    }
    report.moto = measure_emulator(&args, &scratch, "moto");
    report.dynalite = measure_emulator(&args, &scratch, "dynalite");
    eprintln!("endpoint-load: the shell's no-op round trip");
    report.floor = measure_floor(&args, &scratch);
    eprintln!("endpoint-load: the loopback floor (raw TCP, no HTTP)");
    report.loopback = measure_loopback(&args, &scratch);
    eprintln!("endpoint-load: peak RSS with {} items", args.rss_items);
    report.memory = measure_memory(&args, &scratch).map_err(|e| e.to_string());
    print!("{}", report.render());
    if matches!(report.ddbsse_kms, Measured::Skipped(_)) {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
