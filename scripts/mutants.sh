#!/usr/bin/env bash
# Mutation testing (cargo-mutants) of the SSE-relevant code: what the conformance suite catches in
# the engine, and what the model's own tests catch in the model (docs/mutants.md).
#
#   scripts/mutants.sh [engine|model] [--shard K/N] [--in-place] [MODULE...]
#   scripts/mutants.sh summary [--write-docs]   # per-module table of every run under out/mutants/
#   scripts/mutants.sh smoke                    # CI: a handful of mutants of one small engine module
#   scripts/mutants.sh list [engine|model]      # the module names and their files
#
# engine: mutants of server/src/engine/... judged by ONE test, the conformance suite against the
#   embedded engine (`every_case_passes_on_the_embedded_engine` of conformance/tests/suite), not the
#   server's own unit tests: the score says what the suite catches.
# model: mutants of reference/model/src/... judged by the model crate's own tests
#   (`cargo test -p ddbsse-model`: unit tests and its property tests).
#
# Each MODULE run writes out/mutants/SIDE/MODULE[.shard-K-of-N]/mutants.out/ (cargo-mutants'
# outcomes.json, caught.txt, missed.txt, ...). --shard K/N runs the K-th of N slices of the module's
# mutants (0-based, as cargo-mutants counts), so a module can be spread over several sittings or
# machines; `summary` adds the shards up. Runs use one job and `nice -n 10`; cargo-mutants first
# runs the unmutated test (the baseline; a failing baseline stops the run) and sizes its timeout
# from it. Without --in-place cargo-mutants copies the tree (without target/) to a scratch dir and
# builds there; --in-place mutates this tree (do not edit it while a run is going).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

out_root=out/mutants
# cargo-mutants' major version the script is written against (its outcomes.json layout).
mutants_version=27.1.0

engine_modules=(
  "cache:server/src/engine/cache.rs"                 # the table-key cache
  "at_rest:server/src/engine/at_rest.rs"             # at-rest storage (white-box view)
  "lifecycle:server/src/engine/lifecycle.rs"         # key states -> table status, archival
  "grants:server/src/engine/kms/grants.rs"           # grants
  "sse:server/src/engine/dynamodb/sse.rs"            # SSE and key switches; principal+connection cache scope
  "table_crypto:server/src/engine/table_crypto.rs"   # table crypto
  "trail:server/src/engine/trail.rs"                 # trail records and LookupEvents
  "keys:server/src/engine/kms/keys.rs"               # key states and key lifecycle
  "scope:server/src/engine/mod.rs"                   # request caller, connection close, dispatch
)
model_modules=(
  "cache:reference/model/src/cache.rs"
  "key_state:reference/model/src/key_state.rs"
  "lifecycle:reference/model/src/lifecycle.rs"
  "table_status:reference/model/src/table_status.rs"
  "lookup:reference/model/src/lookup.rs"
  "kms_grants:reference/model/src/kms_grants.rs"
  "kms_keys:reference/model/src/kms_keys.rs"
  "records:reference/model/src/records.rs"
  "tables:reference/model/src/tables.rs"
)

die() { echo "mutants.sh: $*" >&2; exit 2; }

ensure_tool() {
  if ! cargo mutants --version >/dev/null 2>&1; then
    echo "installing cargo-mutants $mutants_version (crates.io)"
    cargo install --locked --version "$mutants_version" cargo-mutants
  fi
}

file_of() { # SIDE MODULE -> file
  local side=$1 name=$2 entry
  local -n mods="${side}_modules"
  for entry in "${mods[@]}"; do
    [ "${entry%%:*}" = "$name" ] && { echo "${entry#*:}"; return 0; }
  done
  die "unknown $side module '$name' (scripts/mutants.sh list $side)"
}

names_of() {
  local -n mods="${1}_modules"
  local entry
  for entry in "${mods[@]}"; do echo "${entry%%:*}"; done
}

# run SIDE MODULE SHARD IN_PLACE [extra cargo-mutants args...]
# The unmutated test of a side, as the mutants get it.
baseline() {
  case "$1" in
    engine)
      nice -n 10 cargo test -p ddbsse-conformance --features embedded --test suite -- \
        embedded::every_case_passes_on_the_embedded_engine --exact
      ;;
    model) nice -n 10 cargo test -p ddbsse-model ;;
  esac
}

run_module() {
  local side=$1 name=$2 shard=$3 in_place=$4
  shift 4
  local file dir args
  file=$(file_of "$side" "$name")
  dir="$out_root/$side/$name"
  args=(--file "$file" --no-shuffle)
  if [ -n "$shard" ]; then
    args+=(--shard "$shard")
    dir="$dir.shard-${shard%/*}-of-${shard#*/}"
  fi
  # One build directory at a time (in place there is only the one).
  if [ "$in_place" = 1 ]; then args+=(--in-place); else args+=(--jobs 1); fi
  rm -rf "$dir"
  mkdir -p "$dir"
  case "$side" in
    engine)
      # The one test: the conformance suite against the embedded engine, in-process.
      args+=(--package ddbsse-server --test-package ddbsse-conformance
        --features ddbsse-conformance/embedded
        --cargo-test-arg=--test --cargo-test-arg=suite)
      set -- "$@" -- -- embedded::every_case_passes_on_the_embedded_engine --exact
      ;;
    model)
      args+=(--package ddbsse-model --test-package ddbsse-model)
      ;;
  esac
  echo "== $side/$name ($file)${shard:+ shard $shard} -> $dir"
  # cargo-mutants' own baseline builds and tests only the mutated package (whatever
  # --test-package says), so the script runs the baseline itself, with the very test command the
  # mutants get, and sizes the timeout from it: 3x the baseline, at least 180 s (a mutant the
  # suite catches can take several times the baseline: each failed case is reported with its
  # exchanges, and on a shared machine a 60 s limit turned slow catches into timeouts).
  local t0 t1 secs
  t0=$(date +%s)
  baseline "$side" >"$dir/baseline.log" 2>&1 || {
    tail -n 30 "$dir/baseline.log"
    die "baseline failed for $side/$name: the unmutated test must pass"
  }
  t1=$(date +%s)
  secs=$(( (t1 - t0) * 3 ))
  [ "$secs" -ge 180 ] || secs=180
  echo "baseline passed in $(( t1 - t0 )) s (build included); test timeout ${secs} s"
  args+=(--baseline skip --timeout "$secs")
  git rev-parse HEAD >"$dir/commit"
  date -u +%Y-%m-%dT%H:%M:%SZ >"$dir/started"
  # cargo-mutants exits 2 when mutants were missed and 3 when some timed out: results, not
  # failures of this script. Anything else (1: usage, 4: baseline failed) is.
  local rc=0
  nice -n 10 cargo mutants "${args[@]}" --output "$dir" "$@" || rc=$?
  date -u +%Y-%m-%dT%H:%M:%SZ >"$dir/finished"
  case $rc in 0 | 2 | 3) ;; *) die "cargo mutants failed for $side/$name (exit $rc)" ;; esac
}

summary() { # [--write-docs]
  python3 - "$out_root" "${1:-}" <<'PY'
import json, os, re, sys, glob, subprocess, collections
root, write_docs = sys.argv[1], sys.argv[2] == "--write-docs"
rows = collections.OrderedDict()
survivors = []
commits, dates = set(), []
for side in ("engine", "model"):
    for d in sorted(glob.glob(os.path.join(root, side, "*"))):
        f = os.path.join(d, "mutants.out", "outcomes.json")
        if not os.path.exists(f):
            continue
        name = os.path.basename(d).split(".shard-")[0]
        data = json.load(open(f))
        r = rows.setdefault((side, name), collections.Counter())
        if os.path.exists(os.path.join(d, "started")) and not os.path.exists(os.path.join(d, "finished")):
            r["partial"] = 1
        r["shards"] += 1
        for o in data["outcomes"]:
            sc = o["scenario"]
            if not isinstance(sc, dict) or "Mutant" not in sc:
                continue  # the baseline
            r["generated"] += 1
            s = o["summary"]
            key = {"CaughtMutant": "caught", "MissedMutant": "missed", "Unviable": "unviable",
                   "Timeout": "timeout"}.get(s, s.lower())
            r[key] += 1
            if key in ("missed", "timeout"):
                m = sc["Mutant"]
                fn = (m.get("function") or {}).get("function_name", "?")
                line = m["span"]["start"]["line"]
                survivors.append((side, name, key, f'{m["file"]}:{line}', fn,
                                  m.get("replacement", ""), m.get("genre", "")))
        p = os.path.join(d, "commit")
        if os.path.exists(p):
            c = open(p).read().strip()[:7]
            commits.add(c)
            r.setdefault("commits", set()).add(c)
        p = os.path.join(d, "finished")
        if os.path.exists(p):
            f = open(p).read().strip()
            dates.append(f)
            r["finished"] = max(r.get("finished", ""), f)
out = []
out.append(f"Runs finished {min(dates) if dates else '-'} .. {max(dates) if dates else '-'} "
           f"(UTC), at commit(s) {', '.join(sorted(commits)) or '-'}; "
           f"{subprocess.run(['cargo', 'mutants', '--version'], capture_output=True, text=True).stdout.strip()}.")
out.append("")
out.append("| side | module | commit | finished (UTC) | shards | generated | caught | missed | unviable | timed out | score |")
out.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for (side, name), r in rows.items():
    viable = r["caught"] + r["missed"] + r["timeout"]
    score = f'{100 * r["caught"] / viable:.0f}%' if viable else "-"
    done = "unfinished" if r["partial"] else r.get("finished", "-")
    out.append(f'| {side} | {name} | {", ".join(sorted(r.get("commits", []))) or "-"} | {done} | '
               f'{r["shards"]} | {r["generated"]} | {r["caught"]} | '
               f'{r["missed"]} | {r["unviable"]} | {r["timeout"]} | {score} |')
out.append("")
out.append("Score: caught / (caught + missed + timed out); unviable mutants (that do not build) "
           "are left out.")
out.append("")
if survivors:
    out.append("Survivors (missed or timed out), as cargo-mutants names them:")
    out.append("")
    for side, name, key, where, fn, repl, genre in survivors:
        out.append(f"- {side}/{name} {key}: `{where}` in `{fn}`: {genre} -> `{repl}`")
    out.append("")
text = "\n".join(out)
print(text)
if write_docs:
    doc = "docs/mutants.md"
    src = open(doc).read()
    begin, end = "<!-- mutants:results:begin -->", "<!-- mutants:results:end -->"
    if begin not in src or end not in src:
        sys.exit(f"{doc} lacks the {begin} / {end} markers")
    head, rest = src.split(begin, 1)
    _, tail = rest.split(end, 1)
    open(doc, "w").write(head + begin + "\n" + text + "\n" + end + tail)
    print(f"(written into {doc})")
PY
}

smoke() {
  # A few mutants of the cache's freshness check, through the same path as a full engine run:
  # the baseline must pass, every mutant must get an outcome and the suite must catch at least one.
  ensure_tool
  # In place: CI's tree is a fresh clone whose target/ is already built, and a scratch copy
  # would rebuild every dependency. cargo-mutants restores the file after each mutant.
  out_root=out/mutants-smoke
  run_module engine cache "" 1 --re 'TableKeyCache::fresh -> bool|<= in TableKeyCache::fresh'
  python3 - "$out_root/engine/cache/mutants.out/outcomes.json" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
mutants = [o for o in data["outcomes"] if isinstance(o["scenario"], dict) and "Mutant" in o["scenario"]]
caught = sum(o["summary"] == "CaughtMutant" for o in mutants)
print(f"smoke: {len(mutants)} mutants, {caught} caught")
if len(mutants) < 2 or caught == 0:
    sys.exit("smoke: expected the mutants of TableKeyCache::fresh and at least one caught")
PY
}

cmd=${1:-engine}
case "$cmd" in
  summary) shift; summary "${1:-}"; exit 0 ;;
  smoke) smoke; exit 0 ;;
  list)
    side=${2:-engine}
    local_names=$(names_of "$side")
    for n in $local_names; do printf '%-14s %s\n' "$n" "$(file_of "$side" "$n")"; done
    exit 0
    ;;
  engine | model) shift ;;
  -* | *) cmd=engine ;;
esac
side=$cmd
shard=""
in_place=0
modules=()
while [ $# -gt 0 ]; do
  case "$1" in
    --shard) shard=$2; shift 2 ;;
    --shard=*) shard=${1#--shard=}; shift ;;
    --in-place) in_place=1; shift ;;
    -h | --help) sed -n '2,23p' "$0"; exit 0 ;;
    -*) die "unknown option $1" ;;
    *) modules+=("$1"); shift ;;
  esac
done
[ ${#modules[@]} -gt 0 ] || mapfile -t modules < <(names_of "$side")
ensure_tool
for m in "${modules[@]}"; do run_module "$side" "$m" "$shard" "$in_place"; done
summary
