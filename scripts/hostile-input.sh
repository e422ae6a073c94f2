#!/usr/bin/env bash
# A longer campaign of generated hostile input against the HTTP shell of `ddbsse serve` (the
# proptest properties of server/tests/suite/http/hostile.rs, which CI runs with 1500 cases each).
#
# Usage: scripts/hostile-input.sh [CASES]   (default 50000 per property)
#
# Each case mutates a real request of the end-to-end scripts at the byte level (its JSON body, or
# the whole HTTP request) and checks: no 5xx, the server keeps serving, an error answer changed
# nothing. A failing input is shrunk and recorded by proptest in
# server/tests/suite/http/proptest-regressions/hostile.txt; commit that file with the fix, and
# every later run (CI included) replays it first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cases="${1:-50000}"
start=$(date +%s)
DDBSSE_HOSTILE_CASES="$cases" cargo test --locked -q -p ddbsse-server --test suite http::hostile
echo "hostile-input: $cases cases per property, 2 properties, passed in $(( $(date +%s) - start )) s"
