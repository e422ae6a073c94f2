"""Times `ddbsse trail stats` and DuckDB over the same delivery folder (see trail-vs-duckdb.sh).

Each engine runs in its own child process under /usr/bin/time (peak RSS = its maximum resident set
size, %M); the best wall time and the largest peak RSS over the runs are reported. DuckDB runs one aggregate over the blog's view
(GROUP BY ddbtbl, eventname over every record), ours computes all of `trail stats` (by event name,
table, key, principal and 5-minute interval) in one pass: the comparison favours DuckDB.

argv: DATA RECORDS RUNS TRAIL_COMMAND...
"""
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time

data, records, runs, trail = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
here = os.path.dirname(os.path.abspath(__file__))
check = os.path.join(here, "..", "scripts", "trail-duckdb-check.py")

DUCKDB_CHILD = f"""
import importlib.util, sys, duckdb
spec = importlib.util.spec_from_file_location("check", {check!r})
mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
mod.create_view(con, {data!r})
rows = con.execute(
    "SELECT REPLACE(JSON_EXTRACT_SCALAR(requestparameters, '$.encryptionContext.aws:dynamodb:tableName'),'\\"','') AS ddbtbl, "
    "eventname, count(*) AS calls FROM cloudtrail_logs GROUP BY 1, 2").fetchall()
print(sum(r[2] for r in rows))
"""


def run(cmd):
    """(seconds, peak RSS in MiB, stdout) of one child process."""
    rss_file = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"trail-bench-rss-{os.getpid()}")
    start = time.monotonic()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss_file] + cmd,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    elapsed = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit(f"{cmd[0]} failed with status {proc.returncode}")
    with open(rss_file) as f:
        rss_kib = int(f.read().split()[-1])
    os.remove(rss_file)
    return elapsed, rss_kib / 1024, proc.stdout


def best(label, cmd, count_of):
    results = []
    for _ in range(runs):
        secs, rss, out = run(cmd)
        counted = count_of(out)
        if counted != records:
            sys.exit(f"{label} counted {counted} records, expected {records}")
        results.append((secs, rss))
        print(f"  {label}: {secs:.2f} s, {rss:.0f} MiB", flush=True)
    secs = min(r[0] for r in results)
    rss = max(r[1] for r in results)
    return secs, rss


files = sum(len([f for f in fs if f.endswith(".json.gz")]) for _, _, fs in os.walk(data))
import duckdb  # noqa: E402  (only for the version)

print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
print(f"data: {records} records in {files} files under {data}; duckdb {duckdb.__version__}")
ours_s, ours_rss = best("ddbsse trail stats", trail + ["stats", data, "--json"],
                        lambda out: json.loads(out)["records"])
duck_s, duck_rss = best("duckdb", [sys.executable, "-c", DUCKDB_CHILD], lambda out: int(out))
ours_rate, duck_rate = records / ours_s, records / duck_s
print(f"ddbsse trail stats: {ours_s:.2f} s, {ours_rate:,.0f} records/s, peak RSS {ours_rss:.0f} MiB")
print(f"duckdb            : {duck_s:.2f} s, {duck_rate:,.0f} records/s, peak RSS {duck_rss:.0f} MiB")
print(f"ratio: {ours_rate / duck_rate:.1f}x DuckDB's records/s (goal >= 5x); "
      f"RSS {'under' if ours_rss < 100 else 'OVER'} 100 MB")
