//! Prints the crypto core's performance ratios against raw AES-256-GCM, measured side by side
//! in one run (the goals; the table of `docs/performance.md` comes from here).
//!
//! Every operation of a row is timed in interleaved rounds of about 1 ms each. Time cells show
//! the fastest round (on a shared machine interference only ever adds time). A ratio is
//! computed per round from the raw and item batches that ran back to back, and the median of
//! those per-round ratios is shown, so a neighbour's burst that slows one round cancels out.
//! "ratio" is raw time / item time, i.e. the share of raw throughput the item layer keeps.
//!
//! Usage: `cargo run --release -p ddbsse-benches --bin crypto-ratios -- [--rounds N] [--check]`;
//! `--check` exits 1 when a goal is missed.

// A failed set-up stops the measurement; this binary serves no requests.
#![allow(clippy::expect_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use ddbsse_benches::crypto::*;
use ddbsse_crypto::{Backend, DataKey, DataKeyId, TableKey, open_item_with};

/// One timed operation.
struct Op<'a> {
    run: Box<dyn FnMut() + 'a>,
    iters: u64,
    samples: Vec<f64>,
}

impl<'a> Op<'a> {
    fn new(run: impl FnMut() + 'a) -> Self {
        Self {
            run: Box::new(run),
            iters: 1,
            samples: Vec::new(),
        }
    }

    /// Picks a batch size that takes about `target`.
    fn calibrate(&mut self, target: Duration) {
        loop {
            let started = Instant::now();
            for _ in 0..self.iters {
                (self.run)();
            }
            let took = started.elapsed();
            if took >= target / 2 || self.iters > 1 << 30 {
                let scale = target.as_secs_f64() / took.as_secs_f64().max(1e-9);
                self.iters = ((self.iters as f64 * scale) as u64).max(1);
                return;
            }
            self.iters *= 4;
        }
    }

    fn sample(&mut self) {
        let started = Instant::now();
        for _ in 0..self.iters {
            (self.run)();
        }
        self.samples
            .push(started.elapsed().as_nanos() as f64 / self.iters as f64);
    }

    fn fastest_ns(&self) -> f64 {
        self.samples.iter().copied().fold(f64::INFINITY, f64::min)
    }
}

/// Median over rounds of `ops[raw]`'s time / `ops[item]`'s time in the same round.
fn paired_ratio(ops: &[Op<'_>], raw: usize, item: usize) -> f64 {
    let mut ratios: Vec<f64> = ops[raw]
        .samples
        .iter()
        .zip(&ops[item].samples)
        .map(|(r, i)| r / i)
        .collect();
    ratios.sort_by(f64::total_cmp);
    ratios[ratios.len() / 2]
}

/// Measures all `ops` in `rounds` interleaved rounds; returns the fastest round's ns per call.
fn measure(ops: &mut [Op<'_>], rounds: usize) -> Vec<f64> {
    for op in ops.iter_mut() {
        op.calibrate(Duration::from_millis(1));
    }
    for _ in 0..rounds {
        for op in ops.iter_mut() {
            op.sample();
        }
    }
    ops.iter().map(Op::fastest_ns).collect()
}

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .map(|m| m.trim_start_matches([' ', '\t', ':']))
        })
        .unwrap_or("unknown CPU")
        .to_string();
    let flags = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("flags"))
        .unwrap_or("");
    let wanted = [
        "aes",
        "pclmulqdq",
        "avx2",
        "avx512f",
        "vaes",
        "vpclmulqdq",
        "sha_ni",
    ];
    let present: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|f| flags.split_whitespace().any(|x| x == *f))
        .collect();
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let rustc = std::process::Command::new("rustc")
        .arg("-V")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .unwrap_or_default();
    format!(
        "{model}, {cpus} vCPU, flags: {}; {}; release profile, portable build (no target-cpu)",
        present.join(" "),
        rustc.trim()
    )
}

fn gbps(size: usize, ns: f64) -> f64 {
    size as f64 / ns
}

fn human(size: usize) -> String {
    if size >= 1024 {
        format!("{} KiB", size / 1024)
    } else {
        format!("{size} B")
    }
}

struct Args {
    rounds: usize,
    check: bool,
}

fn args() -> Args {
    let mut out = Args {
        rounds: 101,
        check: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--check" => out.check = true,
            "--rounds" => {
                out.rounds = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|n| *n > 0)
                    .unwrap_or(out.rounds)
            }
            _ => {
                eprintln!("usage: crypto-ratios [--rounds N] [--check]");
                std::process::exit(2);
            }
        }
    }
    out
}

fn main() {
    let args = args();
    let default = Backend::DEFAULT;
    let raw = RawAesGcm::new();
    let mut failures = Vec::new();
    println!("### Crypto core vs raw AES-256-GCM (one run, side by side)\n");
    println!("Machine: {}.", machine());
    println!(
        "Default backend: {}. Raw = aws-lc-rs `LessSafeKey`, ready key, reused buffer, AAD of the \
         item AAD's length ({} B). Item = `ItemSealer::seal_into` / `ItemOpener::open_into` with a \
         warm data key and a reused output buffer. {} interleaved rounds of ~1 ms; times are the \
         fastest round, ratios (raw time / item time) the median of per-round ratios.\n",
        default.name(),
        item_aad_len(),
        args.rounds
    );
    println!(
        "| size | raw seal | item seal ({d}) | ratio | item seal (rustcrypto) | raw open | item open ({d}) | ratio | item open (rustcrypto) | goal |",
        d = default.name()
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let mut raw_1k_seal = 0.0;
    let mut warm_1k_ratio = 0.0;
    for (n, size) in SIZES.into_iter().enumerate() {
        let pt = plaintext(size);
        let mut raw_buf = pt.clone();
        let (raw_ct, raw_tag) = raw.sealed(&pt);
        let mut raw_out = vec![0u8; size];
        let seal_default = sealer(default, 100 + n as u64);
        let seal_rc = sealer(Backend::RustCrypto, 200 + n as u64);
        let env_default = seal_default.seal(PRIMARY_KEY, &pt).expect("seal");
        let env_rc = seal_rc.seal(PRIMARY_KEY, &pt).expect("seal");
        let mut open_default = warm_opener(default, &seal_default);
        let mut open_rc = warm_opener(Backend::RustCrypto, &seal_rc);
        let (mut e1, mut e2, mut o1, mut o2) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut ops = vec![
            Op::new(|| {
                black_box(raw.seal(black_box(&mut raw_buf)));
            }),
            Op::new(|| {
                seal_default
                    .seal_into(PRIMARY_KEY, black_box(&pt), &mut e1)
                    .expect("seal");
            }),
            Op::new(|| {
                seal_rc
                    .seal_into(PRIMARY_KEY, black_box(&pt), &mut e2)
                    .expect("seal");
            }),
            Op::new(|| raw.open(black_box(&raw_ct), &raw_tag, &mut raw_out)),
            Op::new(|| {
                open_default
                    .open_into(PRIMARY_KEY, black_box(&env_default), &mut o1)
                    .expect("open");
            }),
            Op::new(|| {
                open_rc
                    .open_into(PRIMARY_KEY, black_box(&env_rc), &mut o2)
                    .expect("open");
            }),
        ];
        let t = measure(&mut ops, args.rounds);
        let (seal_ratio, open_ratio) = (paired_ratio(&ops, 0, 1), paired_ratio(&ops, 3, 4));
        let goal = if size >= 4096 {
            let ok = seal_ratio >= 0.90 && open_ratio >= 0.90;
            if !ok {
                failures.push(format!("{}: seal/open ratio below 0.90", human(size)));
            }
            format!(
                "seal and open >= 0.90: {}",
                if ok { "met" } else { "MISSED" }
            )
        } else {
            "-".to_string()
        };
        if size == 1024 {
            raw_1k_seal = t[0];
            warm_1k_ratio = 1.0 / seal_ratio;
        }
        let cell = |ns: f64| format!("{ns:.0} ns ({:.2} GB/s)", gbps(size, ns));
        println!(
            "| {} | {} | {} | {:.2} | {} | {} | {} | {:.2} | {} | {} |",
            human(size),
            cell(t[0]),
            cell(t[1]),
            seal_ratio,
            cell(t[2]),
            cell(t[3]),
            cell(t[4]),
            open_ratio,
            cell(t[5]),
            goal
        );
    }

    // Fixed costs and the cold path, at 1 KiB.
    let tk = table_key();
    let kms = kms_material();
    let ctx = table_context();
    let pt = plaintext(1024);
    println!(
        "\n| 1 KiB item, per call | {} | rustcrypto |",
        default.name()
    );
    println!("|---|---|---|");
    let mut rows: Vec<(&str, Vec<f64>)> = Vec::new();
    let mut per_backend = Vec::new();
    for backend in [default, Backend::RustCrypto] {
        let id = DataKeyId::from_bytes([7; 16]);
        let warm = sealer(backend, 300);
        let env = warm.seal(PRIMARY_KEY, &pt).expect("seal");
        let blob = tk
            .wrap_with(backend, KMS_KEY_ARN, &kms, &ctx, [9; 12])
            .expect("wrap");
        let (mut e, mut e2) = (Vec::new(), Vec::new());
        let mut ops = vec![
            Op::new(|| {
                warm.seal_into(PRIMARY_KEY, black_box(&pt), &mut e)
                    .expect("seal");
            }),
            Op::new(|| {
                black_box(DataKey::derive(backend, &tk, black_box(id)));
            }),
            Op::new(|| {
                let s = sealer(backend, 400);
                s.seal_into(PRIMARY_KEY, black_box(&pt), &mut e2)
                    .expect("seal");
            }),
            Op::new(|| {
                black_box(
                    open_item_with(backend, &tk, TABLE_ARN, PRIMARY_KEY, black_box(&env))
                        .expect("open"),
                );
            }),
            Op::new(|| {
                black_box(warm.seal(PRIMARY_KEY, black_box(&pt)).expect("seal"));
            }),
            Op::new(|| {
                black_box(
                    tk.wrap_with(backend, KMS_KEY_ARN, &kms, &ctx, [9; 12])
                        .expect("wrap"),
                );
            }),
            Op::new(|| {
                black_box(
                    TableKey::unwrap_with(backend, &kms, black_box(&blob), &ctx).expect("unwrap"),
                );
            }),
        ];
        per_backend.push(measure(&mut ops, args.rounds));
    }
    let labels = [
        "warm seal (`seal_into`, reused buffer)",
        "data-key derivation (HKDF + key schedule), cold",
        "cold seal: derive, then seal",
        "cold open: derive, then open (`open_item`)",
        "warm seal, allocating (`seal`)",
        "table-key wrap (GenerateDataKey's blob)",
        "table-key unwrap (Decrypt)",
    ];
    for (i, label) in labels.iter().enumerate() {
        rows.push((label, vec![per_backend[0][i], per_backend[1][i]]));
    }
    for (label, v) in &rows {
        println!("| {label} | {:.0} ns | {:.0} ns |", v[0], v[1]);
    }
    let warm_ratio = warm_1k_ratio;
    let ok = warm_ratio <= 1.5;
    if !ok {
        failures.push("1 KiB warm seal above 1.5x raw".to_string());
    }
    println!(
        "\n1 KiB warm seal / raw 1 KiB seal = {:.2} (goal <= 1.5: {}); cold path (derive + seal 1 KiB) = {:.0} ns = {:.1}x raw.",
        warm_ratio,
        if ok { "met" } else { "MISSED" },
        per_backend[0][2],
        per_backend[0][2] / raw_1k_seal
    );
    if failures.is_empty() {
        println!("\nAll goals met.");
    } else {
        println!("\nGoals missed: {}", failures.join("; "));
        if args.check {
            std::process::exit(1);
        }
    }
}
