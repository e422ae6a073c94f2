#!/usr/bin/env python3
"""Prints the per-case outcome table of docs/check.md ("Baselines") from four report.json files.

Usage: scripts/baseline-table.py EMBEDDED SERVE MOTO DYNALITE  (each a report.json written by
`ddbsse check --out DIR`). Cases are listed in the suite's order (that of the embedded run); a
case missing from a report is shown as "not run". Paste the output over the table in
docs/check.md after re-recording the baselines.
"""
import json
import sys


def outcomes(path):
    with open(path) as f:
        report = json.load(f)
    return report["cases"], {c["id"]: c["outcome"] for c in report["cases"]}


def main(paths):
    if len(paths) != 4:
        sys.exit(__doc__)
    cases, _ = outcomes(paths[0])
    columns = [outcomes(p)[1] for p in paths]
    print("| case | checks | embedded | serve | moto | dynalite |")
    print("| --- | --- | --- | --- | --- | --- |")
    for case in cases:
        cells = [col.get(case["id"], "not run") for col in columns]
        title = case["title"].replace("|", "\\|")
        print(f"| `{case['id']}` | {title} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
