//! `endpoint-load`: the load benchmark of `ddbsse serve` against moto and dynalite (not a test).
//!
//! In one run on loopback it measures single-client keep-alive PutItem and GetItem of 1 KiB items
//! and the same with 16 concurrent clients, on an SSE-KMS table and an AWS owned key table of
//! `ddbsse serve`, on moto and on dynalite (all running side by side, every phase measured in
//! one-second rounds that take turns over all of them, so that every target sees the same
//! background load); two reference lines, the shell's
//! no-op round trip and the loopback floor (raw TCP round trips of a real PutItem's and GetItem's
//! sizes, no HTTP: the most any server could answer one client on this machine); then the peak
//! RSS of `ddbsse serve` holding 100,000 1 KiB items in memory. It prints ops/s, error counts and
//! the ratios against the goals of issue 4, and under a missed ratio goal the ratio the loopback
//! floor itself reaches; then a single client's Query on a global secondary index against its
//! GetItem (issue 16, [`index_query`]). Run it through `scripts/bench-endpoint.sh` (release
//! build).
//!
//! Usage: endpoint-load [--ddbsse PATH] [--seconds N] [--max-ops N] [--rss-items N]
//!                      [--emulators DIR] [--skip-emulators]

mod index_query;
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
    ClientMode, Keys, Op, Subject, TableResult, request_template, round_trips, run_interleaved,
    run_phase,
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

/// The results of the interleaved measurement.
struct Measurements {
    kms: Measured,
    owned: Measured,
    moto: Measured,
    dynalite: Measured,
}

/// An emulator started twice, for a blocking and a polling single client (fresh servers, so that
/// neither mode inherits the other's data); the polling one may be missing.
struct EmulatorPair {
    blocking: Running,
    polling: Option<Running>,
}

impl EmulatorPair {
    fn stop(self) {
        self.blocking.stop();
        if let Some(p) = self.polling {
            p.stop();
        }
    }
}

/// Starts `name` for one client mode and creates its benchmark table.
fn start_emulator_for(
    args: &Args,
    scratch: &Path,
    name: &str,
    mode: ClientMode,
) -> Result<Running, String> {
    let script = args.emulators.join(format!("start-{name}.sh"));
    let instance = format!("{name}-{mode:?}").to_lowercase();
    eprintln!("endpoint-load: starting {name} (installs itself on first use), {mode:?} client");
    let server = start_emulator(&instance, &script, scratch)?;
    eprintln!(
        "endpoint-load: {name} pid {} on {}",
        server.pid, server.addr
    );
    match create_table(server.addr, "bench_kms", Protection::SseKms) {
        Ok(()) => Ok(server),
        Err(e) => {
            server.stop();
            Err(e)
        }
    }
}

fn start_emulator_pair(args: &Args, scratch: &Path, name: &str) -> Result<EmulatorPair, String> {
    if args.skip_emulators {
        return Err("--skip-emulators".to_owned());
    }
    let blocking = start_emulator_for(args, scratch, name, ClientMode::Blocking)?;
    let polling = match start_emulator_for(args, scratch, name, ClientMode::Polling) {
        Ok(p) => Some(p),
        Err(reason) => {
            eprintln!("endpoint-load: {name} with a polling client: {reason}");
            None
        }
    };
    Ok(EmulatorPair { blocking, polling })
}

/// Every target at once: `ddbsse serve` (an SSE-KMS and an owned-key table on one fresh server,
/// polling single client), moto and dynalite (each started twice, for a blocking and a polling
/// single client). All servers run side by side and every phase is measured in one-second
/// rounds that take turns over all of them, so that a drift in the machine's speed (it is shared)
/// reaches every target alike and the ratios between them are fair. An emulator keeps the faster
/// of its two client modes in each phase: the polling client must not make it look slower than
/// a blocking one would (its spinning takes a core).
fn measure_targets(args: &Args, scratch: &Path) -> Measurements {
    let skipped = |why: &str| Measured::Skipped(why.to_owned());
    let ddbsse = start_ddbsse(&args.ddbsse, &scratch.join("ddbsse.log"), "system").and_then(|s| {
        match create_table(s.addr, "bench_kms", Protection::SseKms)
            .and_then(|()| create_table(s.addr, "bench_owned", Protection::Owned))
        {
            Ok(()) => Ok(s),
            Err(e) => {
                s.stop();
                Err(e)
            }
        }
    });
    let ddbsse = match ddbsse {
        Ok(s) => s,
        Err(why) => {
            return Measurements {
                kms: skipped(&why),
                owned: skipped(&why),
                moto: skipped("ddbsse could not be measured"),
                dynalite: skipped("ddbsse could not be measured"),
            };
        }
    };
    let moto = start_emulator_pair(args, scratch, "moto");
    let dynalite = start_emulator_pair(args, scratch, "dynalite");
    let mut subjects = vec![
        Subject::new(ddbsse.addr, "bench_kms", ClientMode::Polling),
        Subject::new(ddbsse.addr, "bench_owned", ClientMode::Polling),
    ];
    // Where each emulator's results sit in `subjects`: (blocking, polling).
    let mut slots = |pair: &Result<EmulatorPair, String>| -> Option<(usize, Option<usize>)> {
        let pair = pair.as_ref().ok()?;
        subjects.push(Subject::new(
            pair.blocking.addr,
            "bench_kms",
            ClientMode::Blocking,
        ));
        let blocking = subjects.len() - 1;
        let polling = pair.polling.as_ref().map(|p| {
            subjects.push(Subject::new(p.addr, "bench_kms", ClientMode::Polling));
            subjects.len() - 1
        });
        Some((blocking, polling))
    };
    let moto_slots = slots(&moto);
    let dynalite_slots = slots(&dynalite);
    eprintln!(
        "endpoint-load: measuring {} tables in alternating one-second rounds",
        subjects.len()
    );
    let results = run_interleaved(
        &subjects,
        args.seconds,
        Duration::from_secs(1),
        args.max_ops,
    );
    ddbsse.stop();
    let emulator =
        |pair: Result<EmulatorPair, String>, slots: Option<(usize, Option<usize>)>| match (
            pair, slots,
        ) {
            (Ok(pair), Some((b, p))) => {
                pair.stop();
                let blocking = results[b];
                Measured::Ran(match p {
                    Some(p) => TableResult::best_of(&blocking, &results[p]),
                    None => blocking,
                })
            }
            (Ok(pair), None) => {
                pair.stop();
                skipped("not measured")
            }
            (Err(why), _) => Measured::Skipped(why),
        };
    Measurements {
        kms: Measured::Ran(results[0]),
        owned: Measured::Ran(results[1]),
        moto: emulator(moto, moto_slots),
        dynalite: emulator(dynalite, dynalite_slots),
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
    let measured = measure_targets(&args, &scratch);
    report.ddbsse_kms = measured.kms;
    report.ddbsse_owned = measured.owned;
    report.moto = measured.moto;
    report.dynalite = measured.dynalite;
    eprintln!("endpoint-load: the shell's no-op round trip");
    report.floor = measure_floor(&args, &scratch);
    eprintln!("endpoint-load: the loopback floor (raw TCP, no HTTP)");
    report.loopback = measure_loopback(&args, &scratch);
    eprintln!("endpoint-load: peak RSS with {} items", args.rss_items);
    report.memory = measure_memory(&args, &scratch).map_err(|e| e.to_string());
    eprintln!("endpoint-load: Query on a global index vs GetItem");
    let index = index_query::measure(&args.ddbsse, &scratch, args.seconds);
    print!("{}", report.render());
    print!("{}", index_query::render(&index));
    if matches!(report.ddbsse_kms, Measured::Skipped(_)) {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
