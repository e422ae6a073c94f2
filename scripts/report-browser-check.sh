#!/usr/bin/env bash
# Renders the HTML report of a run with failed cases in a real browser (headless Chromium from the
# system packages) and checks the DOM after the page's script ran: the summary matrix (which the
# script builds from the case rows) counts the failures, and a failed case's exchanges with the
# target are shown, opened by the script.
#
# Usage: scripts/report-browser-check.sh   (installs chromium with apt-get when missing and run as
# root, as CI is; builds target/debug/ddbsse)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

browser=""
for b in chromium chromium-browser; do
  if command -v "$b" >/dev/null 2>&1; then browser=$b; break; fi
done
if [ -z "$browser" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "report-browser-check: installing chromium (apt-get)" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
    browser=chromium
  else
    echo "report-browser-check: no chromium, and not root to install it (apt-get install chromium)" >&2
    exit 1
  fi
fi

cargo build --locked -q -p ddbsse
out=$(mktemp -d)
profile=$(mktemp -d)
trap 'rm -rf "$out" "$profile"' EXIT

# A wrong SSEDescription.KMSMasterKeyArn fails the customer-key cases; the owned-key ones pass.
status=0
target/debug/ddbsse check --fault wrong-sse-key-arn \
  --case tables/sse-customer-key/ --case tables/sse-owned-key/ --case cache/boundary/ \
  --out "$out" >"$out/terminal.txt" || status=$?
if [ "$status" != 1 ]; then
  echo "report-browser-check: expected exit 1 (failed cases), got $status" >&2
  cat "$out/terminal.txt" >&2
  exit 1
fi

"$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --no-first-run --disable-sync --user-data-dir="$profile" \
  --dump-dom "file://$out/index.html" >"$out/dom.html" 2>"$out/browser.log" || {
  echo "report-browser-check: $browser failed:" >&2
  cat "$out/browser.log" >&2
  exit 1
}

python3 - "$out/dom.html" "$out/report.json" <<'PY'
import json, re, sys

dom = open(sys.argv[1], encoding="utf-8").read()
report = json.load(open(sys.argv[2], encoding="utf-8"))
failed = [c for c in report["cases"] if c["outcome"] == "failed"]
problems = []
if not failed:
    problems.append("report.json has no failed case")

# The matrix the script built (the static copy is id="summary-matrix-static", inside <noscript>).
m = re.search(r'<table[^>]*\bid="summary-matrix"[^>]*>(.*?)</table>', dom, re.S)
if not m or 'data-built="js"' not in m.group(0):
    problems.append("no summary matrix built by the page's script in the rendered DOM")
else:
    matrix = m.group(1)
    row = re.search(r'<tr><th>all</th>(.*?)</tr>', matrix, re.S)
    cell = row and re.search(r'<td[^>]*data-outcome="failed"[^>]*>(\d+)</td>', row.group(1))
    if not cell or int(cell.group(1)) != len(failed):
        problems.append(f"the matrix's failed count is not {len(failed)}: {row.group(0) if row else matrix[:400]}")
    if "spec/tables.md" not in matrix:
        problems.append("the matrix has no row for spec/tables.md")

# A failed case's row: its exchanges opened by the script, with the requests and answers.
case = failed[0]["id"] if failed else ""
anchor = "case-" + case.replace("/", "-")
r = re.search(r'<tr[^>]*\bid="' + re.escape(anchor) + r'"[^>]*>(.*?)</tr>', dom, re.S)
if not r:
    problems.append(f"no row for the failed case {case}")
else:
    row = r.group(1)
    if not re.search(r'<details class="exchanges" open=""', row):
        problems.append(f"{case}: its exchanges are not opened by the script")
    if 'class="exchange"' not in row or "CreateTable" not in row or "HTTP 200" not in row:
        problems.append(f"{case}: its exchanges (CreateTable, HTTP 200) are not in the row")
    if "req-text" not in row:
        problems.append(f"{case}: the requirement's sentences are not beside the case")

# The filters ran: the count of shown cases is filled in by the script.
if not re.search(r'<span id="shown">\d+ of \d+ cases shown</span>', dom):
    problems.append("the filter script did not run (no 'N of M cases shown')")

if problems:
    print("report-browser-check: FAILED", *problems, sep="\n  ", file=sys.stderr)
    sys.exit(1)
print(f"report-browser-check: the rendered report shows the summary matrix ({len(failed)} failed) "
      f"and the exchanges of {case}")
PY
