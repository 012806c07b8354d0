"""Materialise the whole customer360 product three ways, side by side in one run:

- Steward: `steward export customer360.yaml --format parquet` (Polars, nested lists of structs);
- DuckDB: the equivalent SQL (list(struct_pack(...)) per related table — order lines, with their
  product, nested inside each order — left joins, COPY TO parquet);
- pandas: groupby + to_dict records per related table (lines nested in orders first), merged,
  written with pyarrow.

Each runs in its own child process; wall time and peak RSS are reported (median of RUNS).
"""
import os
import resource
import statistics
import subprocess
import sys
import tempfile

steward, workspace, product = sys.argv[1:4]
RUNS = int(os.environ.get("RUNS", "3"))
out = tempfile.mkdtemp(prefix="steward-bench-")
pq = lambda name: os.path.join(workspace, f"{name}.parquet")

DUCK = f"""
import duckdb
con = duckdb.connect()
con.execute(\"\"\"
COPY (
  WITH l AS (SELECT ol.order_id,
                    list(struct_pack(order_id := ol.order_id, line_no := ol.line_no, sku := ol.sku, quantity := ol.quantity,
                                     unit_price := ol.unit_price, product_name := p.product_name, category := p.category)) AS lines
             FROM read_parquet('{pq("order_lines")}') ol LEFT JOIN read_parquet('{pq("products")}') p USING (sku)
             GROUP BY ol.order_id),
       o AS (SELECT x.customer_id,
                    list(struct_pack(order_id := x.order_id, customer_id := x.customer_id, ordered_on := x.ordered_on,
                                     status := x.status, channel := x.channel, amount := x.amount, currency := x.currency,
                                     lines := l.lines)) AS orders
             FROM read_parquet('{pq("orders")}') x LEFT JOIN l USING (order_id) GROUP BY x.customer_id),
       i AS (SELECT customer_id, list(struct_pack(invoice_id, order_id, customer_id, issued_on, net_amount, tax_amount, paid, billing_address)) AS invoices
             FROM read_parquet('{pq("invoices")}') GROUP BY customer_id),
       t AS (SELECT customer_id, list(struct_pack(ticket_id, customer_id, opened_at, channel, category, status, subject, body, satisfaction)) AS tickets
             FROM read_parquet('{pq("tickets")}') GROUP BY customer_id)
  SELECT c.customer_id, c.first_name, c.last_name, c.email, c.phone, c.street_address, c.city, c.postal_code,
         c.country_code, c.birth_date, c.card_number, c.segment, c.created_at AS customer_since,
         c.first_name || ' ' || c.last_name AS full_name, k.country_name, k.region, o.orders, i.invoices, t.tickets
  FROM read_parquet('{pq("customers")}') c
  LEFT JOIN read_parquet('{pq("countries")}') k USING (country_code)
  LEFT JOIN o USING (customer_id) LEFT JOIN i USING (customer_id) LEFT JOIN t USING (customer_id)
  ORDER BY c.customer_id
) TO '{out}/duckdb.parquet' (FORMAT parquet)
\"\"\")
"""

PANDAS = f"""
import pandas as pd
c = pd.read_parquet('{pq("customers")}')
k = pd.read_parquet('{pq("countries")}')[['country_code', 'country_name', 'region']]
c = c.rename(columns={{'created_at': 'customer_since'}})
c['full_name'] = c['first_name'] + ' ' + c['last_name']
c = c.merge(k, on='country_code', how='left')
# Lines of each order, with their product, nested in the order first.
lines = pd.read_parquet('{pq("order_lines")}').merge(
    pd.read_parquet('{pq("products")}')[['sku', 'product_name', 'category']], on='sku', how='left')
by_order = lines.groupby('order_id')[['order_id', 'line_no', 'sku', 'quantity', 'unit_price', 'product_name', 'category']].apply(
    lambda x: x.to_dict('records')).rename('lines')
def nest(name, cols):
    df = pd.read_parquet('{pq("%s")}'.replace('%s', name))
    if name == 'orders':
        df = df.merge(by_order, left_on='order_id', right_index=True, how='left')
    g = df.groupby('customer_id')[cols].apply(lambda x: x.to_dict('records'))
    return g.rename(name)
for name, cols in [('orders', ['order_id', 'customer_id', 'ordered_on', 'status', 'channel', 'amount', 'currency', 'lines']),
                   ('invoices', ['invoice_id', 'order_id', 'customer_id', 'issued_on', 'net_amount', 'tax_amount', 'paid', 'billing_address']),
                   ('tickets', ['ticket_id', 'customer_id', 'opened_at', 'channel', 'category', 'status', 'subject', 'body', 'satisfaction'])]:
    c = c.merge(nest(name, cols), left_on='customer_id', right_index=True, how='left')
c.sort_values('customer_id').to_parquet('{out}/pandas.parquet')
"""

MEASURE = r"""
import resource, subprocess, sys, time
limit = float(sys.argv[1])
t = time.perf_counter()
try:
    p = subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=limit)
    rc, err = p.returncode, p.stderr
except subprocess.TimeoutExpired:
    rc, err = "timeout", ""
print(f"{time.perf_counter() - t} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss} {rc}")
print(err[-2000:].replace('\n', ' | '))
"""
# pandas gets its own limit: it may take far longer than the others, and must not stall the run.
PANDAS_LIMIT = float(os.environ.get("PANDAS_TIMEOUT", "900"))


def measure(cmd, limit=3600.0):
    lines = subprocess.run([sys.executable, "-c", MEASURE, str(limit), *cmd], capture_output=True, text=True, check=True).stdout.splitlines()
    wall, rss, rc = lines[0].split()
    if rc == "timeout":
        return None, int(rss) / 1024
    if rc != "0":
        raise SystemExit(f"{cmd[:3]} failed: {lines[1] if len(lines) > 1 else ''}")
    return float(wall), int(rss) / 1024


def median(cmd, runs=RUNS, limit=3600.0):
    rs = [measure(cmd, limit) for _ in range(runs)]
    if any(r[0] is None for r in rs):
        return None, max(r[1] for r in rs)
    return statistics.median(r[0] for r in rs), max(r[1] for r in rs)


export = [steward, "export", product, "--format", "parquet", "--out", out, "-w", workspace]
rows = []
rows.append(("steward",) + median(export))
rows.append(("steward, batches of 100k",) + median(export + ["--batch-entities", "100000"]))
rows.append(("steward, one pass",) + median(export + ["--batch-entities", "2000000"], runs=1))
rows.append(("duckdb",) + median([sys.executable, "-c", DUCK]))
rows.append(("pandas",) + median([sys.executable, "-c", PANDAS], runs=1, limit=PANDAS_LIMIT))
base = rows[0][1]
print(f"{'engine':26} {'seconds':>8} {'peak MB':>8} {'vs steward':>10}")
for name, secs, mb in rows:
    if secs is None:
        print(f"{name:26} {'>' + str(int(PANDAS_LIMIT)):>8} {'-':>8} {'>' + format(PANDAS_LIMIT / base, '.1f'):>9}x  (stopped at the time limit)")
    else:
        print(f"{name:26} {secs:>8.2f} {mb:>8.0f} {secs / base:>9.2f}x")
