#!/usr/bin/env bash
# Checks that a real SQL engine reads our delivery folder unchanged and agrees with
# `ddbsse trail query`: DuckDB (PyPI wheel, throwaway venv) defines the view `cloudtrail_logs`
# with the blog's column names over the official layout and a `json_extract_scalar` macro, runs
# the blog's four Athena queries verbatim (only the table name and literals filled in), and the
# rows must equal ours for the same filters. Exits non-zero on any difference.
#
# Usage: scripts/trail-duckdb-check.sh   (env: DDBSSE=path/to/ddbsse, TRAIL_RECORDS=1500)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/trail-lib.sh"
start=$(date +%s)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

trail_find_command
trail_venv "$work/venv" duckdb
records="${TRAIL_RECORDS:-1500}"
"${TRAIL[@]}" generate --out "$work/bucket" --records "$records" --seed 11 --days 2 > "$work/generated.json"
"$work/venv/bin/python" "$here/trail-duckdb-check.py" "$work/bucket" "$work/generated.json" "${TRAIL[@]}"
echo "trail-duckdb-check: passed in $(( $(date +%s) - start )) s"
