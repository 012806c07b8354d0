"""Writes the three-level product of bench/tree.yaml nested to Parquet three ways, side by side:

- Steward: `steward export tree.yaml --format parquet` (its Polars plans, from Rust), plain and masked by
  the product's `analytics` profile;
- DuckDB: list(struct_pack(...)) of lines per order, then of orders per customer, COPY TO parquet;
- Polars (Python, lazy): the same plan written by hand — group lines per order into structs, join
  into orders, group orders per customer, join into customers, sink to Parquet.

Each runs in its own child process; wall time and peak RSS are reported (median of RUNS), and the
three outputs are checked to hold the same customers, orders and lines.
"""
import os
import statistics
import subprocess
import sys
import tempfile

steward, workspace, product = sys.argv[1:4]
RUNS = int(os.environ.get("RUNS", "3"))
out = tempfile.mkdtemp(prefix="steward-tree-")
pq = lambda name: os.path.join(workspace, f"{name}.parquet")

DUCK = f"""
import duckdb
con = duckdb.connect()
con.execute(\"\"\"
COPY (
  WITH l AS (SELECT ol.order_id,
                    list(struct_pack(line_no := ol.line_no, sku := ol.sku, quantity := ol.quantity,
                                     unit_price := ol.unit_price, product_name := p.product_name,
                                     category := p.category)) AS lines
             FROM read_parquet('{pq("order_lines")}') ol
             LEFT JOIN read_parquet('{pq("products")}') p USING (sku)
             GROUP BY ol.order_id),
       o AS (SELECT o.customer_id,
                    list(struct_pack(order_id := o.order_id, ordered_on := o.ordered_on, status := o.status,
                                     amount := o.amount, lines := l.lines)) AS orders
             FROM read_parquet('{pq("orders")}') o LEFT JOIN l USING (order_id)
             GROUP BY o.customer_id)
  SELECT c.customer_id, c.first_name, c.last_name, c.email, c.country_code, o.orders
  FROM read_parquet('{pq("customers")}') c LEFT JOIN o USING (customer_id)
  ORDER BY c.customer_id
) TO '{out}/duckdb.parquet' (FORMAT parquet)
\"\"\")
"""

POLARS = f"""
import polars as pl
products = pl.scan_parquet('{pq("products")}').select('sku', 'product_name', 'category').unique('sku', keep='first')
lines = (pl.scan_parquet('{pq("order_lines")}')
         .select('order_id', 'line_no', 'sku', 'quantity', 'unit_price')
         .join(products, on='sku', how='left')
         .group_by('order_id')
         .agg(pl.struct('line_no', 'sku', 'quantity', 'unit_price', 'product_name', 'category').alias('lines')))
orders = (pl.scan_parquet('{pq("orders")}')
          .select('order_id', 'customer_id', 'ordered_on', 'status', 'amount')
          .join(lines, on='order_id', how='left')
          .group_by('customer_id')
          .agg(pl.struct('order_id', 'ordered_on', 'status', 'amount', 'lines').alias('orders')))
(pl.scan_parquet('{pq("customers")}')
   .select('customer_id', 'first_name', 'last_name', 'email', 'country_code')
   .join(orders, on='customer_id', how='left')
   .sort('customer_id')
   .sink_parquet('{out}/polars.parquet'))
"""

MEASURE = r"""
import resource, subprocess, sys, time
t = time.perf_counter()
p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
print(f"{time.perf_counter() - t} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss} {p.returncode}")
print(p.stderr[-2000:].replace('\n', ' | '))
"""


def measure(cmd):
    lines = subprocess.run([sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True, check=True).stdout.splitlines()
    wall, rss, rc = lines[0].split()
    if rc != "0":
        sys.exit(f"{cmd[0]} failed: {lines[1] if len(lines) > 1 else ''}")
    return float(wall), int(rss) / 1024


tools = {
    "Steward": [steward, "export", product, "--format", "parquet", "--out", os.path.join(out, "steward")],
    # The same product masked by its `analytics` profile (nine rules at every depth); the masking
    # key is made in the keychain on first use (bench/run-tree.sh runs this under a private one).
    "Steward, masked (9 rules)": [steward, "export", product, "--profile", "analytics", "--format", "parquet",
                                  "--out", os.path.join(out, "steward-masked")],
    "DuckDB": [sys.executable, "-c", DUCK],
    "Polars (Python, lazy)": [sys.executable, "-c", POLARS],
}
results = {}
for _ in range(RUNS):
    for name, cmd in tools.items():
        results.setdefault(name, []).append(measure(cmd))

CHECK = f"""
import duckdb
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
for f in ['{out}/steward/customer-orders-tree.parquet', '{out}/duckdb.parquet', '{out}/polars.parquet']:
    row = con.execute(f\"\"\"SELECT count(*), sum(len(orders)),
        (SELECT sum(len(o.lines)) FROM (SELECT unnest(orders) AS o FROM read_parquet('{{f}}')))
        FROM read_parquet('{{f}}')\"\"\").fetchone()
    print(row)
"""
counts = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, check=True).stdout.split("\n")

steward_wall = statistics.median(w for w, _ in results["Steward"])
steward_rss = max(r for _, r in results["Steward"])
print("| tool | wall s (median of %d) | peak MB | Steward / tool (time) |" % RUNS)
print("|---|---:|---:|---:|")
for name, runs in results.items():
    wall = statistics.median(w for w, _ in runs)
    rss = max(r for _, r in runs)
    print(f"| {name} | {wall:.2f} | {rss:.0f} | {steward_wall / wall:.2f}x |")
masked = statistics.median(w for w, _ in results["Steward, masked (9 rules)"])
print(f"\nmasked / unmasked export: {masked / steward_wall:.2f}x")
print(f"\ncustomers, orders, lines in each output (Steward, DuckDB, Polars): {[c for c in counts if c]}")
