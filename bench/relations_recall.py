"""Relationship discovery on TPC-H against the specification's declared keys, and classification
of its typed columns. Run by bench/run-relations.sh; prints a Markdown table for docs/benchmarks.md.

    relations_recall.py STEWARD WORKDIR TPCH_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import time

steward, work, tpch = sys.argv[1], sys.argv[2], sys.argv[3]
TABLES = ["region", "nation", "supplier", "customer", "part", "partsupp", "orders", "lineitem"]

# TPC-H specification, clause 1.4.2: every foreign key (child, columns) -> (parent, columns).
DECLARED = {
    ("nation", ("n_regionkey",)): ("region", ("r_regionkey",)),
    ("supplier", ("s_nationkey",)): ("nation", ("n_nationkey",)),
    ("customer", ("c_nationkey",)): ("nation", ("n_nationkey",)),
    ("partsupp", ("ps_partkey",)): ("part", ("p_partkey",)),
    ("partsupp", ("ps_suppkey",)): ("supplier", ("s_suppkey",)),
    ("orders", ("o_custkey",)): ("customer", ("c_custkey",)),
    ("lineitem", ("l_orderkey",)): ("orders", ("o_orderkey",)),
    ("lineitem", ("l_partkey", "l_suppkey")): ("partsupp", ("ps_partkey", "ps_suppkey")),
}
# True by referential integrity, implied by the composite key above: right, not required.
IMPLIED = {
    ("lineitem", ("l_partkey",)): ("part", ("p_partkey",)),
    ("lineitem", ("l_suppkey",)): ("supplier", ("s_suppkey",)),
}


def timed(args):
    """Runs a command under /usr/bin/time; returns (stdout, seconds, peak MB)."""
    start = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M"] + args, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{p.stderr}")
    peak_kb = int(p.stderr.strip().splitlines()[-1])
    return p.stdout, seconds, peak_kb / 1024


ws = os.path.join(work, "tpch-workspace")
shutil.rmtree(ws, ignore_errors=True)
os.makedirs(ws)
subprocess.run([steward, "workspace", "init", ws, "--name", "TPC-H"], check=True, capture_output=True)
rows = {}
for t in TABLES:
    subprocess.run([steward, "sources", "add", os.path.join(tpch, f"{t}.parquet"), "-w", ws], check=True, capture_output=True)

runs = []
for _ in range(3):
    out, seconds, peak = timed([steward, "sources", "relations", "-w", ws, "--format", "json"])
    runs.append((seconds, peak))
report = json.loads(out)
found = {(s["child"], tuple(s["child_columns"])): (s["parent"], tuple(s["parent_columns"])) for s in report["suggestions"]}
right = [k for k, v in found.items() if DECLARED.get(k) == v or IMPLIED.get(k) == v]
recalled = [k for k, v in DECLARED.items() if found.get(k) == v]
precision = len(right) / len(found) if found else 0.0
recall = len(recalled) / len(DECLARED)
seconds = sorted(r[0] for r in runs)[1]
peak = max(r[1] for r in runs)

print("| schema | tables | suggested | right | declared keys found | precision | recall | wall s (median of 3) | peak MB |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
print(f"| TPC-H ({os.path.basename(tpch)}) | {len(TABLES)} | {len(found)} | {len(right)} | {len(recalled)} of {len(DECLARED)} | {precision:.2f} | {recall:.2f} | {seconds:.2f} | {peak:.0f} |")
missing = [k for k in DECLARED if k not in recalled]
wrong = [(k, found[k]) for k in found if k not in right]
if missing:
    print(f"\nmissed: {missing}")
if wrong:
    print(f"\nwrong: {wrong}")

# Classification of typed columns: dates, decimals and integers must not be suggested as
# text-shaped personal data (phones, emails, names, addresses, postal codes, cards, IBANs).
text_shaped = {"email", "phone", "person_name", "street_address", "postal_code", "payment_card", "iban", "ip_address", "national_id", "free_text_pii"}
bad = []
suggested = []
for t in TABLES:
    inspect = json.loads(subprocess.run([steward, "sources", "inspect", t, "-w", ws, "--format", "json"], check=True, capture_output=True, text=True).stdout)
    types = {c["name"]: c["dtype"] for c in inspect["columns"]}
    out = json.loads(subprocess.run([steward, "sources", "classify", t, "-w", ws, "--format", "json"], check=True, capture_output=True, text=True).stdout)
    for c in out:
        s = c.get("suggestion")
        if not s:
            continue
        suggested.append(f"{t}.{c['column']} ({types.get(c['column'])}): {s['tag']} {s['confidence']:.0%}")
        if types.get(c["column"]) != "str" and s["tag"] in text_shaped:
            bad.append(suggested[-1])
print(f"\nclassification: {len(suggested)} suggestions; typed (non-text) columns suggested as text-shaped personal data: {len(bad)}")
for s in suggested:
    print(f"  {s}")
for b in bad:
    print(f"  TYPED: {b}")
