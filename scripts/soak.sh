#!/usr/bin/env bash
# A bounded soak of `ddbsse serve`: mixed DynamoDB and KMS operations with connection churn, slow
# clients and bursts that reach the connection cap, for a set time; reports p50/p99 latency per
# operation and the slope of the server's resident memory, open files and threads.
#
# Usage: scripts/soak.sh [SECONDS]   (default 600; CI runs 30)
#
# Starts its own `ddbsse serve --port 0 --max-connections 32 --data-dir <scratch>` on loopback,
# drives it with scripts/soak.py (Python standard library only), then stops it with SIGTERM and
# checks a clean exit. Exits 1 on any error beyond the deliberate 503s of the connection cap.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-600}"
cap=32
cargo build --locked -q -p ddbsse
bin="${CARGO_TARGET_DIR:-target}/debug/ddbsse"
scratch=$(mktemp -d)
log="$scratch/serve.log"
RUST_LOG=warn "$bin" serve --port 0 --bind 127.0.0.1 --max-connections "$cap" \
  --request-timeout 10s --data-dir "$scratch/data" >"$scratch/out" 2>"$log" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$scratch"' EXIT
endpoint=""
for _ in $(seq 1 100); do
  endpoint=$(sed -n 's/^ddbsse listening on \(http:\/\/[^ ]*\).*/\1/p' "$scratch/out" | head -n1)
  [ -n "$endpoint" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "soak: ddbsse serve exited"; exit 1; }
  sleep 0.1
done
[ -n "$endpoint" ] || { echo "soak: ddbsse serve did not report its port"; exit 1; }
echo "soak: ddbsse serve at $endpoint (pid $pid) for $seconds s"
status=0
python3 scripts/soak.py "$endpoint" "$pid" "$seconds" "$cap" "$scratch/data" || status=$?
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" -eq 0 ] || { echo "soak: ddbsse serve exited with $rc on SIGTERM"; tail -20 "$log"; exit 1; }
exit "$status"
