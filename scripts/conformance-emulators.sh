#!/usr/bin/env bash
# Conformance baselines of third-party emulators: starts moto and dynalite on loopback ports
# (../shared/emulators/start-*.sh install them on first use), runs `ddbsse check --endpoint ...
# --expect fixtures/targets/<name>.json` against each, and stops them. Fails when any case's
# outcome differs from the recorded baseline. `--write` records new baselines instead. dynalite
# keeps its default 500 ms CREATING phase: with 0 ms the transition races the next request.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
emulators="${EMULATORS_DIR:-$(cd .. && pwd)/shared/emulators}"
mode=(--expect)
if [ "${1:-}" = "--write" ]; then mode=(--write-expect); fi
cargo build --locked -q -p ddbsse
bin=target/debug/ddbsse
scratch=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$scratch"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

status=0
run_one() {
  local name=$1 account=$2 port=$3
  echo "=== $name on 127.0.0.1:$port"
  "$bin" check --endpoint "http://127.0.0.1:$port" --account "$account" \
    --access-key testing --secret-key testing --timeout 20 \
    "${mode[@]}" "fixtures/targets/$name.json" --out "out/conformance-$name" || status=1
}

port=$(free_port)
bash "$emulators/start-moto.sh" "$port" "$scratch/moto.pid" "$scratch/moto.log" >/dev/null
pids+=("$(cat "$scratch/moto.pid")")
run_one moto 123456789012 "$port"
kill "$(cat "$scratch/moto.pid")" 2>/dev/null || true

port=$(free_port)
DYNALITE_ARGS="${DYNALITE_ARGS:-}" \
  bash "$emulators/start-dynalite.sh" "$port" "$scratch/dynalite.pid" "$scratch/dynalite.log" >/dev/null
pids+=("$(cat "$scratch/dynalite.pid")")
run_one dynalite 000000000000 "$port"
kill "$(cat "$scratch/dynalite.pid")" 2>/dev/null || true
exit $status
