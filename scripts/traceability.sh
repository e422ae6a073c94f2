#!/usr/bin/env bash
# Traceability gate: every MUST of spec/*.md needs an implementation citation and a test citation.
#
# Usage: scripts/traceability.sh [--summary-only] [--no-gate]
#
#   --summary-only  print the per-file table, not the list of unmet requirements
#   --no-gate       always exit 0 when the report itself ran (for local progress checks)
#
# What it does:
#   1. installs duvet (pinned below) with `cargo install --locked --debug` when it is missing or another version;
#   2. checks that every spec/*.md except spec/README.md is listed in .duvet/config.toml;
#   3. runs `duvet report` over the Rust sources the config lists (every workspace crate), writing
#      .duvet/reports/report.json and .duvet/reports/report.html (both git-ignored);
#   4. counts, per spec file, the MUST requirements and how many are fully quoted by an implementation
#      citation (`//= spec/x.md#anchor` + `//#` lines) and by a test citation (`//= type=test`);
#   5. exits 1 when any MUST lacks either, 2 when the citations themselves are wrong: a citation of a
#      missing file or section, a spec file missing from the config, or a quote that is not the exact
#      text of its section (duvet alone accepts a quote one edit away, such as "301 s" for "300 s"),
#      or a section that states a requirement has no `Evidence:` line with a valid grade;
#   6. prints, per spec file, how many requirements (MUST, SHOULD and MAY) each evidence grade covers:
#      `aws-doc`, `observed`, `decided` (spec/README.md#sources; a section with several grades counts
#      its requirements under each).
#
# A requirement counts as implemented (or tested) only when citations of that type quote all of its
# text: a quote of half a sentence leaves it incomplete, so a test of "300 s" cannot hide behind a
# quote that stops before the number. `//= type=exception` (with `//= reason=...`) counts for both.
set -euo pipefail

DUVET_VERSION="0.4.3"

summary_only=0
gate=1
for arg in "$@"; do
  case "$arg" in
    --summary-only) summary_only=1 ;;
    --no-gate) gate=0 ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "traceability: unknown argument $arg" >&2; exit 2 ;;
  esac
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
if ! cargo install --list 2>/dev/null | grep -qx "duvet v${DUVET_VERSION}:"; then
  echo "traceability: installing duvet ${DUVET_VERSION}" >&2
  # A debug build: it compiles in about half the time of a release build (1.9 min against about
  # 4 min on a 2-core machine, which is most of this step on a cold CI machine), and its report
  # over this spec takes under a second, byte for byte the same as the release build's.
  cargo install duvet --locked --debug --version "${DUVET_VERSION}" >&2
fi

# Every normative file must be in the config, or its requirements would silently escape the gate.
missing_config=0
for f in spec/*.md; do
  [ "$f" = "spec/README.md" ] && continue
  if ! grep -qx "source = \"$f\"" .duvet/config.toml; then
    echo "traceability: $f is not listed as a [[specification]] in .duvet/config.toml" >&2
    missing_config=1
  fi
done
[ "$missing_config" -eq 0 ] || exit 2

# duvet extracts requirements into .duvet/requirements on every run; stale files from renamed
# sections would otherwise count as requirements.
rm -rf .duvet/requirements
mkdir -p .duvet/reports
report=".duvet/reports/report.json"
rm -f "$report"
if ! duvet report --json "$report" >.duvet/reports/duvet.log 2>&1; then
  cat .duvet/reports/duvet.log >&2
  echo "traceability: duvet report failed (see above)" >&2
  exit 2
fi

python3 - "$report" "$summary_only" "$gate" <<'PY'
import glob
import json
import re
import sys
from collections import defaultdict

report_path, summary_only, gate = sys.argv[1], sys.argv[2] == "1", sys.argv[3] == "1"
with open(report_path) as fh:
    report = json.load(fh)


def normalize(text):
    return " ".join(text.split())


# duvet accepts a quote within one edit of the spec text (a Levenshtein fallback), so a citation of
# "301 s" still matches "300 s", and a spec edit from 300 to 301 would leave every citation green.
# Every quote of a spec/ section must therefore appear in it exactly (whitespace aside).
section_text = {}
for path, spec in report["specifications"].items():
    for section in spec["sections"]:
        lines = []
        for line in section["lines"]:
            lines.append(line if isinstance(line, str) else "".join(seg[2] for seg in line))
        section_text[f"{path}#{section['id']}"] = normalize("\n".join(lines))

with open(".duvet/config.toml") as fh:
    patterns = re.findall(r'^pattern\s*=\s*"([^"]+)"', fh.read(), re.M)
inexact = []
for pattern in patterns:
    for source in sorted(glob.glob(pattern, recursive=True)):
        with open(source, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
        current = None  # [target, first line number, quote lines]

        def flush():
            if current and current[2] and current[0].startswith("spec/"):
                quote = normalize(" ".join(current[2]))
                if quote not in section_text.get(current[0], ""):
                    inexact.append((source, current[1], current[0], quote))

        for number, raw in enumerate(lines, 1):
            line = raw.strip()
            if line.startswith("//="):
                rest = line[3:].strip()
                if re.match(r"^[a-z-]+=", rest):
                    continue  # type=, reason=, level=, ... of the current annotation
                flush()
                current = [rest, number, []]
            elif line.startswith("//#") and current is not None:
                current[2].append(line[3:])
            else:
                flush()
                current = None
        flush()

if inexact:
    for source, number, target, quote in inexact:
        short = quote if len(quote) <= 100 else quote[:97] + "..."
        print(f"{source}:{number}: quote is not the exact text of {target}: {short}", file=sys.stderr)
    print(f"traceability: {len(inexact)} citation(s) quote text that is not in the cited section", file=sys.stderr)
    sys.exit(2)

# Every section that states a requirement says how it is known (spec/README.md#sources): one line
# `Evidence: <grade>[ (<part>)]; <grade>...` with grades aws-doc, observed, decided. Words inside a
# parenthesis name the part a grade covers and are not grades.
GRADES = ("aws-doc", "observed", "decided")


def section_evidence(path):
    """Map anchor -> list of `Evidence:` lines of that section (fenced blocks skipped)."""
    result = {}
    anchor = None
    fenced = False
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("```"):
                fenced = not fenced
                continue
            if fenced:
                continue
            heading = re.match(r"^#{1,6} .*\{#([A-Za-z0-9_-]+)\}\s*$", line)
            if heading:
                anchor = heading.group(1)
                result.setdefault(anchor, [])
            elif line.startswith("Evidence:") and anchor is not None:
                result[anchor].append(line[len("Evidence:"):].strip())
    return result


def parse_grades(text):
    """The grades of an Evidence line, or None when any item is not a grade."""
    items = [item.strip() for item in re.sub(r"\([^)]*\)", "", text).split(";")]
    if not items or any(item not in GRADES for item in items):
        return None
    return sorted(set(items), key=GRADES.index)


annotations = report["annotations"]
statuses = report["statuses"]

evidence_cache = {}
section_grades = {}
bad_evidence = []
for annotation in annotations:
    if annotation.get("type") != "SPEC":
        continue
    key = (annotation["target_path"], annotation["target_section"])
    if key in section_grades:
        continue
    path, anchor = key
    if path not in evidence_cache:
        evidence_cache[path] = section_evidence(path)
    lines = evidence_cache[path].get(anchor, [])
    grades = parse_grades(lines[0]) if len(lines) == 1 else None
    if not lines:
        bad_evidence.append(f"{path}#{anchor}: a section with requirements has no `Evidence:` line")
    elif len(lines) > 1:
        bad_evidence.append(f"{path}#{anchor}: {len(lines)} `Evidence:` lines, expected one")
    elif grades is None:
        bad_evidence.append(
            f"{path}#{anchor}: `Evidence: {lines[0]}` is not a list of grades {', '.join(GRADES)}"
        )
    section_grades[key] = grades or []
if bad_evidence:
    for message in bad_evidence:
        print(message, file=sys.stderr)
    print(
        f"traceability: {len(bad_evidence)} section(s) do not say how their requirements are known "
        "(spec/README.md#sources)",
        file=sys.stderr,
    )
    sys.exit(2)
per_file = defaultdict(lambda: {"must": 0, "implemented": 0, "tested": 0, "should_may": 0})
unmet = []
by_grade = defaultdict(lambda: {grade: 0 for grade in GRADES})


def covered(status, *kinds):
    need = status.get("spec", 0)
    return any(status.get(kind, 0) >= need for kind in kinds)


for index, annotation in enumerate(annotations):
    if annotation.get("type") != "SPEC":
        continue
    path = annotation["target_path"]
    for grade in section_grades[(path, annotation["target_section"])]:
        by_grade[path][grade] += 1
    level = annotation.get("level")
    if level != "MUST":
        per_file[path]["should_may"] += 1
        continue
    status = statuses.get(str(index), {})
    implemented = covered(status, "citation", "exception", "implication")
    tested = covered(status, "test", "exception", "implication")
    row = per_file[path]
    row["must"] += 1
    row["implemented"] += implemented
    row["tested"] += tested
    if not (implemented and tested):
        missing = [name for name, ok in (("implementation", implemented), ("test", tested)) if not ok]
        quote = " ".join(annotation.get("comment", "").split())
        unmet.append((path, annotation["target_section"], " and ".join(missing), quote))

if not summary_only and unmet:
    print("MUST requirements lacking a citation (file#section: missing; quote):")
    for path, section, missing, quote in sorted(unmet):
        short = quote if len(quote) <= 110 else quote[:107] + "..."
        print(f"  {path}#{section}: no {missing}; {short}")
    print()

header = f"{'spec file':<24} {'MUST':>5} {'implemented':>12} {'tested':>7} {'complete':>9} {'SHOULD/MAY':>11}"
print(header)
print("-" * len(header))
totals = defaultdict(int)
for path in sorted(per_file):
    row = per_file[path]
    complete = row["must"] - sum(1 for u in unmet if u[0] == path)
    print(f"{path:<24} {row['must']:>5} {row['implemented']:>12} {row['tested']:>7} {complete:>9} {row['should_may']:>11}")
    for key in ("must", "implemented", "tested", "should_may"):
        totals[key] += row[key]
    totals["complete"] += complete
print("-" * len(header))
print(f"{'total':<24} {totals['must']:>5} {totals['implemented']:>12} {totals['tested']:>7} {totals['complete']:>9} {totals['should_may']:>11}")

print()
grade_header = f"{'requirements by evidence':<24} {'aws-doc':>8} {'observed':>9} {'decided':>8}"
print(grade_header)
print("-" * len(grade_header))
grade_totals = defaultdict(int)
for path in sorted(by_grade):
    row = by_grade[path]
    print(f"{path:<24} {row['aws-doc']:>8} {row['observed']:>9} {row['decided']:>8}")
    for grade in GRADES:
        grade_totals[grade] += row[grade]
print("-" * len(grade_header))
print(f"{'total':<24} {grade_totals['aws-doc']:>8} {grade_totals['observed']:>9} {grade_totals['decided']:>8}")
print("(a requirement counts under every grade of its section's Evidence line)")

if unmet:
    print(f"traceability: FAIL: {len(unmet)} of {totals['must']} MUST requirements lack an implementation or test citation")
    sys.exit(1 if gate else 0)
print(f"traceability: OK: all {totals['must']} MUST requirements are implemented and tested")
PY
