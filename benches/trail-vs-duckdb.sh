#!/usr/bin/env bash
# Benchmark (not a test): `ddbsse trail stats` (release build) against DuckDB on the same
# 1,000,000-record delivery folder (576 files over 2 days), in the same run. Prints records per
# second and peak RSS for both and the ratio; goal: ours >= 5x DuckDB's records/s, < 100 MB RSS.
#
# Usage: benches/trail-vs-duckdb.sh
# env: DDBSSE=path/to/ddbsse (release), TRAIL_BENCH_DIR (kept between runs, default
#      /tmp/ddbsse-trail-bench-1m), TRAIL_BENCH_RECORDS (default 1000000), TRAIL_BENCH_RUNS (3)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../scripts/trail-lib.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

TRAIL_PROFILE=release trail_find_command
trail_venv "$work/venv" duckdb
records="${TRAIL_BENCH_RECORDS:-1000000}"
data="${TRAIL_BENCH_DIR:-/tmp/ddbsse-trail-bench-1m}"
if [ "$(cat "$data/.records" 2>/dev/null)" != "$records" ]; then
  rm -rf "$data"
  echo "generating $records records under $data ..." >&2
  start=$(date +%s)
  "${TRAIL[@]}" generate --out "$data" --records "$records" --seed 1 --days 2 >/dev/null
  echo "$records" > "$data/.records"
  echo "generated in $(( $(date +%s) - start )) s" >&2
fi
"$work/venv/bin/python" "$here/trail-vs-duckdb.py" "$data" "$records" "${TRAIL_BENCH_RUNS:-3}" "${TRAIL[@]}"
