//! Criterion benches of the crypto core: item seal/open at 64 B .. 400 KiB on both backends,
//! raw aws-lc-rs AES-256-GCM at the same sizes (this machine's limit), data-key derivation
//! (cold), the cold item path, and table-key wrap/unwrap.
//!
//! Run: `cargo bench -p ddbsse-benches --bench crypto`. For the ratio table of `docs/performance.md` use
//! `cargo run --release -p ddbsse-benches --bin crypto-ratios`, which measures side by side.

#![allow(clippy::expect_used)] // A failed set-up stops the bench; no request path here.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ddbsse_benches::crypto::*;
use ddbsse_crypto::{Backend, DataKey, DataKeyId, TableKey, open_item_with};

fn item_seal_open(c: &mut Criterion) {
    let raw = RawAesGcm::new();
    for size in SIZES {
        let pt = plaintext(size);
        let mut group = c.benchmark_group(format!("aes256gcm/{size}"));
        group.throughput(Throughput::Bytes(size as u64));
        let mut buf = pt.clone();
        group.bench_function("raw-aws-lc-rs/seal", |b| {
            b.iter(|| raw.seal(black_box(&mut buf)))
        });
        let (ct, tag) = raw.sealed(&pt);
        let mut out = vec![0u8; size];
        group.bench_function("raw-aws-lc-rs/open", |b| {
            b.iter(|| raw.open(black_box(&ct), &tag, &mut out))
        });
        for (n, backend) in Backend::ALL.iter().enumerate() {
            let sealer = sealer(*backend, n as u64);
            let mut env = Vec::new();
            group.bench_function(BenchmarkId::new("item-seal", backend.name()), |b| {
                b.iter(|| {
                    sealer
                        .seal_into(PRIMARY_KEY, black_box(&pt), &mut env)
                        .expect("seal")
                })
            });
            let mut opener = warm_opener(*backend, &sealer);
            let mut out = Vec::new();
            group.bench_function(BenchmarkId::new("item-open", backend.name()), |b| {
                b.iter(|| {
                    opener
                        .open_into(PRIMARY_KEY, black_box(&env), &mut out)
                        .expect("open")
                })
            });
        }
        group.finish();
    }
}

fn key_paths(c: &mut Criterion) {
    let mut group = c.benchmark_group("keys");
    let tk = table_key();
    let kms = kms_material();
    let ctx = table_context();
    let pt = plaintext(1024);
    for backend in Backend::ALL {
        let name = backend.name();
        let id = DataKeyId::from_bytes([7; 16]);
        group.bench_function(BenchmarkId::new("data-key-derive", name), |b| {
            b.iter(|| DataKey::derive(*backend, &tk, black_box(id)))
        });
        group.bench_function(BenchmarkId::new("cold-derive-then-seal-1KiB", name), |b| {
            let mut env = Vec::new();
            b.iter(|| {
                let s = sealer(*backend, 99);
                s.seal_into(PRIMARY_KEY, black_box(&pt), &mut env)
                    .expect("seal")
            })
        });
        let env = sealer(*backend, 5).seal(PRIMARY_KEY, &pt).expect("seal");
        group.bench_function(BenchmarkId::new("cold-derive-then-open-1KiB", name), |b| {
            b.iter(|| open_item_with(*backend, &tk, TABLE_ARN, PRIMARY_KEY, black_box(&env)))
        });
        group.bench_function(BenchmarkId::new("table-key-wrap", name), |b| {
            b.iter(|| tk.wrap_with(*backend, KMS_KEY_ARN, &kms, &ctx, black_box([9; 12])))
        });
        let blob = tk
            .wrap_with(*backend, KMS_KEY_ARN, &kms, &ctx, [9; 12])
            .expect("wrap");
        group.bench_function(BenchmarkId::new("table-key-unwrap", name), |b| {
            b.iter(|| TableKey::unwrap_with(*backend, &kms, black_box(&blob), &ctx))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = item_seal_open, key_paths
}
criterion_main!(benches);
