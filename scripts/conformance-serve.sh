#!/usr/bin/env bash
# The conformance suite against `ddbsse serve --clock manual --port 0 --credentials FILE` over HTTP
# (SigV4 signatures verified against the two principals' keys, the clock and signatures
# capabilities, distinct TCP connections, trail files delivered to a folder the harness reads):
# every case must pass. Starts the server, reads the port
# from its "ddbsse listening on http://ADDR:PORT" line, runs `ddbsse check --endpoint`, stops it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --locked -q -p ddbsse
bin="${CARGO_TARGET_DIR:-target}/debug/ddbsse"
scratch=$(mktemp -d)
log="$scratch/serve.log"
credentials="$scratch/credentials"
cat >"$credentials" <<'KEYS'
[principal1]
aws_access_key_id = AKIDDDBSSEPRINCIPAL1
aws_secret_access_key = conformance-secret-1
[principal2]
aws_access_key_id = AKIDDDBSSEPRINCIPAL2
aws_secret_access_key = conformance-secret-2
KEYS
"$bin" serve --clock manual --port 0 --credentials "$credentials" --trail-dir "$scratch/trail" >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$scratch"' EXIT
endpoint=""
for _ in $(seq 1 100); do
  endpoint=$(sed -n 's/^ddbsse listening on \(http:\/\/[^ ]*\).*/\1/p' "$log" | head -n1)
  [ -n "$endpoint" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "ddbsse serve exited"; exit 1; }
  sleep 0.1
done
[ -n "$endpoint" ] || { cat "$log"; echo "ddbsse serve did not report its port"; exit 1; }
echo "ddbsse serve at $endpoint (pid $pid)"
"$bin" check --endpoint "$endpoint" \
  --access-key AKIDDDBSSEPRINCIPAL1 --secret-key conformance-secret-1 \
  --second-access-key AKIDDDBSSEPRINCIPAL2 --second-secret-key conformance-secret-2 \
  --delivery-dir "$scratch/trail" \
  --out "${CONFORMANCE_OUT:-out/conformance-serve}" "$@"
