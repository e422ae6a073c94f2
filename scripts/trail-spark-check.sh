#!/usr/bin/env bash
# Checks that Spark (PyPI `pyspark`, local mode on the machine's Java 17+) reads our delivery
# folder unchanged (`explode(Records)`, year/month/day from the file path) and that its counts
# for the blog's questions equal `ddbsse trail query` / `ddbsse trail stats`. Exits non-zero on
# any difference.
#
# Usage: scripts/trail-spark-check.sh   (env: DDBSSE=path/to/ddbsse, TRAIL_RECORDS=5000)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/trail-lib.sh"
start=$(date +%s)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

command -v java >/dev/null || { echo "trail-spark-check: java (17+) is required" >&2; exit 1; }
trail_find_command
trail_venv "$work/venv" pyspark
records="${TRAIL_RECORDS:-5000}"
"${TRAIL[@]}" generate --out "$work/bucket" --records "$records" --seed 13 --days 2 > "$work/generated.json"
SPARK_LOCAL_IP=127.0.0.1 "$work/venv/bin/python" "$here/trail-spark-check.py" "$work/bucket" "$work/generated.json" "${TRAIL[@]}"
echo "trail-spark-check: passed in $(( $(date +%s) - start )) s"
