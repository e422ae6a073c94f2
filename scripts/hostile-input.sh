#!/usr/bin/env bash
# A longer campaign of generated hostile input against every parser (the proptest properties CI
# runs with a bounded number of cases, `docs/serve.md#hostile-input`):
#
# - HTTP framing and the JSON body of every operation (server/tests/suite/http/hostile.rs);
# - every expression kind with its names and values, at the wire layer
#   (reference/wire/src/expression/hostile.rs) and through the endpoint
#   (server/tests/suite/http/hostile_expressions.rs);
# - KMS ciphertext blobs and wrapped table keys (reference/crypto/tests/suite/hostile.rs,
#   server/tests/suite/http/hostile_kms.rs, and stored table keys in
#   server/tests/suite/engine/damaged.rs);
# - trail files read by `ddbsse trail stats` and `trail query` (trail/tests/suite/hostile.rs).
#
# Usage: scripts/hostile-input.sh [CASES]   (default 50000 per property; the stored-table-key
# property, which builds a data folder per case, runs CASES/100)
#
# Each case is seeded with the real requests of scripts/e2e-awscli.sh (or the trail generator's
# files), mutated at the byte level, and checked: no panic, no 5xx, the server keeps serving,
# nothing refused is stored, refusals carry AWS's texts. A failing input is shrunk and recorded by
# proptest in a `proptest-regressions/` folder beside its test tree (`<crate>/tests/` or the
# crate root for unit tests); commit that file with the fix,
# and every later run (CI included) replays it first. Runs under `nice` (the machines are shared).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cases="${1:-50000}"
start=$(date +%s)
export DDBSSE_HOSTILE_CASES="$cases" PROPTEST_CASES="$cases"
export DDBSSE_HOSTILE_STORE_CASES=$(( cases / 100 > 16 ? cases / 100 : 16 ))
run() {
    local t0=$(date +%s)
    nice -n 10 cargo test --locked -q "$@"
    echo "hostile-input: $* passed in $(( $(date +%s) - t0 )) s"
}
run -p ddbsse-wire --lib expression::hostile
run -p ddbsse-crypto --test suite hostile
run -p ddbsse-trail --test suite hostile
run -p ddbsse-server --test suite http::hostile
run -p ddbsse-server --test suite engine::damaged
echo "hostile-input: $cases cases per property passed in $(( $(date +%s) - start )) s"
