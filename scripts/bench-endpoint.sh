#!/usr/bin/env bash
# Load benchmark of `ddbsse serve` against moto and dynalite (not a test).
#
# Usage: scripts/bench-endpoint.sh [endpoint-load arguments...]
#   e.g. scripts/bench-endpoint.sh --seconds 5
#        scripts/bench-endpoint.sh --skip-emulators
#
# Builds `ddbsse` and the `endpoint-load` load generator in release mode, then runs it. The load
# generator starts each server itself on 127.0.0.1 (ddbsse as a child process; moto and dynalite
# through ../shared/emulators/start-moto.sh and start-dynalite.sh, which install them on first use
# and are reported as skipped, with the reason, when they cannot start), measures single-client and
# 16-client PutItem/GetItem of 1 KiB items, the loopback floor (raw TCP round trips of the same
# sizes, no HTTP) and the peak RSS of ddbsse holding 100,000 items, and prints ops/s, errors and
# the ratios against the goals, then a single client's Query on a global secondary index against
# its GetItem (goal within 1.5x). See docs/performance.md (section "`ddbsse serve`: endpoint
# throughput") for the figures of every run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cargo build --release -q -p ddbsse --bin ddbsse
cargo build --release -q -p ddbsse-benches --bin endpoint-load
exec "$root/target/release/endpoint-load" --ddbsse "$root/target/release/ddbsse" "$@"
