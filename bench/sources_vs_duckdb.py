"""Side-by-side: `steward sources profile` vs DuckDB `SUMMARIZE` on the same files.

Each measurement runs in its own child process so its peak memory (max RSS) is its own. Steward is
timed end to end (process start to exit); DuckDB is timed around the query only, inside its
process, which favours DuckDB slightly. Median of 3 runs.
"""
import json
import os
import resource
import statistics
import subprocess
import sys
import time

steward, csv_path, parquet_path = sys.argv[1:4]
RUNS = 3

DUCK = r"""
import sys, time, duckdb
path, kind = sys.argv[1], sys.argv[2]
con = duckdb.connect()
reader = "read_csv_auto" if kind == "csv" else "read_parquet"
t = time.perf_counter()
rows = con.execute(f"SUMMARIZE SELECT * FROM {reader}('{path}')").fetchall()
print(time.perf_counter() - t, file=sys.stderr)
"""

MEASURE = r"""
import resource, subprocess, sys, time
t = time.perf_counter()
p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
wall = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{wall} {rss} {p.returncode}")
print(p.stderr.strip().splitlines()[-1] if p.stderr.strip() else "")
"""


def measure(cmd):
    out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True, check=True).stdout.splitlines()
    wall, rss, rc = out[0].split()
    if rc != "0":
        raise SystemExit(f"{cmd} failed")
    inner = float(out[1]) if len(out) > 1 and out[1] else None
    return float(wall), int(rss) / 1024, inner


def median_run(cmd, use_inner=False):
    runs = [measure(cmd) for _ in range(RUNS)]
    times = [r[2] if use_inner else r[0] for r in runs]
    return statistics.median(times), max(r[1] for r in runs)


def rows(path):
    out = subprocess.run([steward, "sources", "inspect", path, "--format", "json"], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)["row_count"]


results = []
for kind, path in (("csv", csv_path), ("parquet", parquet_path)):
    n = rows(path)
    size = os.path.getsize(path) / 1e6
    s_t, s_m = median_run([steward, "sources", "profile", path, "--format", "json"])
    d_t, d_m = median_run([sys.executable, "-c", DUCK, path, kind], use_inner=True)
    results.append((kind, n, size, s_t, s_m, d_t, d_m))

print(f"{'input':8} {'rows':>10} {'MB':>7} {'steward s':>10} {'steward MB':>11} {'duckdb s':>9} {'duckdb MB':>10} {'ratio':>6}")
for kind, n, size, s_t, s_m, d_t, d_m in results:
    print(f"{kind:8} {n:>10,} {size:>7.0f} {s_t:>10.2f} {s_m:>11.0f} {d_t:>9.2f} {d_m:>10.0f} {s_t / d_t:>6.2f}")
