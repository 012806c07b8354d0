"""The data node against PostgreSQL, one run (see bench/run-node.sh).

1. A registry, keys, a trust policy, the tree product published, a consumer key granted the
   `analytics` profile; the node started (its start-up assembles, masks and indexes the product).
2. The whole masked product as an Arrow stream, read by pyarrow straight from the response:
   rows per second. The consumer's keys (masked: `key_remap`) are kept for the next step.
3. One entity's masked 360 tree by random key: the node (node_load, signed requests, 8 threads)
   against PostgreSQL answering the same nested JSON (json_agg subqueries over the same data
   loaded into a private cluster), driven by pgbench with 8 clients. Then the node again at the
   rate PostgreSQL sustained, open loop, for its p99.
4. A refresh after a source changes (orders rewritten), against a fresh `steward export`.

STEWARD_BENCH_PARTS (default `entity,postgres,refresh`) runs fewer parts while working on one;
the Arrow stream always runs (its keys drive the entity parts). Record only full runs.
"""
import base64, json, os, re, shutil, subprocess, sys, tempfile, time, urllib.request
from pathlib import Path

import duckdb
import pyarrow.ipc as ipc
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

release, work, customers = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
steward, node_load = release / "steward", release / "examples" / "node_load"
product, threads, seconds = "customer-orders-tree", 8, 20
tmp = Path(tempfile.mkdtemp(prefix="steward-node-bench-"))
env = dict(os.environ, STEWARD_CONFIG_DIR=str(tmp / "config"))
procs = []
parts = set(os.environ.get("STEWARD_BENCH_PARTS", "entity,postgres,refresh").split(","))
result = {"customers": customers}


def run(*args, **kw):
    r = subprocess.run([str(a) for a in args], env=env, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"{' '.join(map(str, args))} failed:\n{r.stdout}{r.stderr}")
    return r.stdout


def serve(*args):
    p = subprocess.Popen([str(a) for a in args], env=env, stdout=subprocess.PIPE, stderr=open(tmp / "server.log", "a"), text=True)
    procs.append(p)
    line = p.stdout.readline()
    if not line.startswith("listening on "):
        sys.exit(f"{args[0]} did not start: {line!r}; see {tmp / 'server.log'}")
    return line.strip().removeprefix("listening on ")


def sign(key, authority, path, query=""):
    created, nonce = int(time.time()), base64.b64encode(os.urandom(16)).decode()
    pub = key.public_key().public_bytes_raw()
    import hashlib
    keyid = "SHA256:" + base64.b64encode(hashlib.sha256(pub).digest()).decode().rstrip("=")
    params = f'("@method" "@path" "@query");created={created};nonce="{nonce}";keyid="{keyid}";alg="ed25519"'
    base = f'"@method": GET\n"@path": {path}\n"@query": ?{query}\n"@signature-params": {params}'
    sig = base64.b64encode(key.sign(base.encode())).decode()
    return {"Signature-Input": f"steward={params}", "Signature": f"steward=:{sig}:"}


try:
    for k in ("admin", "ada"):
        run(steward, "keys", "generate", k)
    admin = run(steward, "keys", "export", "admin").strip()
    ada = run(steward, "keys", "export", "ada").strip()
    registry = serve(steward, "registry", "serve", "--listen", "127.0.0.1:0", "--admin-key", admin, "--db", tmp / "registry.db")
    (tmp / "policy.yaml").write_text(f"signers:\n  - name: ada\n    key: {ada}\n    domains: [customer]\n")
    run(steward, "registry", "trust", "--apply", tmp / "policy.yaml", "--admin", "admin", "--registry", registry)
    run(steward, "publish", work / "products/tree.yaml", "--key", "ada", "--registry", registry, "--without-evidence")
    seed = os.urandom(32)
    consumer = Ed25519PrivateKey.from_private_bytes(seed)
    public = run(node_load, "--public", seed.hex()).strip()
    run(steward, "grants", "add", product, "--consumer", public, "--name", "bench", "--profile", "analytics", "--key", "ada", "--registry", registry)

    t = time.perf_counter()
    node = serve(steward, "node", "serve", "--workspace", work, "--registry", registry, "--admin-key", admin,
                 "--product", product, "--listen", "127.0.0.1:0", "--access-log", tmp / "access.log", "--refresh-secs", "1",
                 "--access-log-sync", os.environ.get("STEWARD_BENCH_LOG_SYNC", "20ms"))
    startup = time.perf_counter() - t
    authority = node.removeprefix("http://")

    # 2. The whole masked product as an Arrow stream, into pyarrow: as it is, and LZ4-compressed.
    # Read as it arrives (pyarrow pulls from the response), or the body first, then parsed in place.
    def stream(query="", body_first=False):
        best, table = None, None
        for _ in range(3):
            t = time.perf_counter()
            req = urllib.request.Request(node + path + (f"?{query}" if query else ""), headers=sign(consumer, authority, path, query))
            with urllib.request.urlopen(req) as r:
                table = ipc.open_stream(r.read() if body_first else r).read_all()
            took = time.perf_counter() - t
            best = took if best is None or took < best else best
        return best, table
    path = f"/v1/products/{product}/arrow"
    best_lz4, table = stream("compression=lz4")
    best_body, table = stream(body_first=True)
    del table
    best, table = stream()
    rows = table.num_rows
    keys = table.column("customer_id").to_pylist()
    (tmp / "keys.txt").write_text("\n".join(str(k) for k in keys[:200000]) + "\n")
    meta = {k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items()}
    del table

    result.update({"node_startup_s": round(startup, 2),
                   "arrow": {"rows": rows, "seconds": round(best, 3), "rows_per_s": round(rows / best), "metadata": meta,
                             "lz4_seconds": round(best_lz4, 3), "lz4_rows_per_s": round(rows / best_lz4),
                             "body_first_seconds": round(best_body, 3), "body_first_rows_per_s": round(rows / best_body)}})

    # 3a. The node, closed loop.
    if "entity" in parts:
        steward_closed = json.loads(run(node_load, node, product, seed.hex(), tmp / "keys.txt", threads, seconds))
        served = urllib.request.urlopen(node + "/metrics").read().decode()
        server_mean_ms = 1000 * float(re.search(r'^steward_node_request_seconds_sum{endpoint="entity"} (\S+)$', served, re.M).group(1)) / float(
            re.search(r'^steward_node_request_seconds_count{endpoint="entity"} (\S+)$', served, re.M).group(1))
        result["entity"] = {"steward_closed": steward_closed, "steward_server_mean_ms": round(server_mean_ms, 3)}

    if "postgres" in parts and "entity" in parts:
        # 3b. PostgreSQL: the same tables, the same nested JSON for one key.
        pg_bin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
        pg = tmp / "pg"
        pg.mkdir()
        as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if as_pg:
            shutil.chown(pg, "postgres")
            shutil.chown(tmp, "postgres")
        port = 55432 + os.getpid() % 1000
        run(*as_pg, pg_bin / "initdb", "-D", pg / "data", "-A", "trust", "-U", "steward")
        run(*as_pg, pg_bin / "pg_ctl", "-D", pg / "data", "-o", f"-p {port} -k {pg} -c listen_addresses=127.0.0.1 -c shared_buffers=2GB", "-l", pg / "log", "-w", "start")
        db = duckdb.connect()
        exports = {
            "customers": "SELECT customer_id, first_name, last_name, email, country_code FROM 'customers.parquet'",
            "orders": "SELECT order_id, customer_id, ordered_on, status, amount FROM 'orders.parquet'",
            "order_lines": "SELECT order_id, line_no, sku, quantity, unit_price FROM 'order_lines.parquet'",
            "products": "SELECT sku, product_name, category FROM 'products.parquet'",
        }
        os.chdir(work)
        psql = [*as_pg, pg_bin / "psql" if (pg_bin / "psql").exists() else "psql", "-h", "127.0.0.1", "-p", str(port), "-U", "steward", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q"]
        schema = """
          CREATE TABLE customers (customer_id bigint PRIMARY KEY, first_name text, last_name text, email text, country_code text);
          CREATE TABLE orders (order_id bigint PRIMARY KEY, customer_id bigint, ordered_on date, status text, amount double precision);
          CREATE TABLE order_lines (order_id bigint, line_no bigint, sku text, quantity bigint, unit_price double precision);
          CREATE TABLE products (sku text PRIMARY KEY, product_name text, category text);"""
        run(*psql, "-c", schema)
        for name, q in exports.items():
            csv = tmp / f"{name}.csv"
            db.sql(f"COPY ({q}) TO '{csv}' (HEADER)")
            shutil.chown(csv, "postgres") if as_pg else None
            run(*psql, "-c", f"\\copy {name} FROM '{csv}' CSV HEADER")
        run(*psql, "-c", """
          CREATE INDEX ON orders (customer_id); CREATE INDEX ON order_lines (order_id); ANALYZE;
          CREATE FUNCTION customer_tree(k bigint) RETURNS json LANGUAGE sql STABLE AS $$
            SELECT json_build_object('customer_id', c.customer_id, 'first_name', c.first_name, 'last_name', c.last_name,
              'email', c.email, 'country_code', c.country_code,
              'orders', (SELECT coalesce(json_agg(json_build_object('order_id', o.order_id, 'customer_id', o.customer_id,
                  'ordered_on', o.ordered_on, 'status', o.status, 'amount', o.amount,
                  'lines', (SELECT coalesce(json_agg(json_build_object('order_id', l.order_id, 'line_no', l.line_no, 'sku', l.sku,
                      'quantity', l.quantity, 'unit_price', l.unit_price, 'product_name', p.product_name, 'category', p.category)
                      ORDER BY l.line_no), '[]') FROM order_lines l LEFT JOIN products p ON p.sku = l.sku WHERE l.order_id = o.order_id))
                ORDER BY o.order_id), '[]') FROM orders o WHERE o.customer_id = c.customer_id))
            FROM customers c WHERE c.customer_id = k $$;""")
        script = tmp / "tree.sql"
        script.write_text(f"\\set k random(1, {customers})\nSELECT customer_tree(:k);\n")
        shutil.chown(script, "postgres") if as_pg else None
        out = run(*as_pg, pg_bin / "pgbench", "-n", "-h", "127.0.0.1", "-p", str(port), "-U", "steward", "-c", str(threads), "-j", "2",
                  "-T", str(seconds), "-f", script, "--log", "--log-prefix", tmp / "pgbench", "postgres", cwd=tmp)
        pg_tps = float(re.search(r"tps = ([0-9.]+)", out).group(1))
        pg_lat = sorted(int(l.split()[2]) for f in tmp.glob("pgbench.*") for l in f.read_text().splitlines())
        pg_p99 = pg_lat[int(len(pg_lat) * 0.99)] / 1000.0
        sample = run(*psql, "-At", "-c", "SELECT customer_tree(7)")
        run(*as_pg, pg_bin / "pg_ctl", "-D", pg / "data", "-m", "fast", "-w", "stop")

        # 3c. The node at PostgreSQL's rate, open loop.
        steward_at_pg = json.loads(run(node_load, node, product, seed.hex(), tmp / "keys.txt", threads, seconds, f"{pg_tps:.1f}"))
        result["entity"].update({
            "postgres": {"tps": pg_tps, "p99_ms": pg_p99},
            "steward_at_postgres_rate": steward_at_pg,
            "throughput_ratio": round(steward_closed["rps"] / pg_tps, 2),
            "postgres_sample_bytes": len(sample),
        })

    if "refresh" in parts:
        # 4. A refresh after a source changes, against a fresh export.
        def metric(name):
            text = urllib.request.urlopen(node + "/metrics").read().decode()
            return float(re.search(rf"^{name}{{[^}}]*}} ([0-9.e+-]+)$", text, re.M).group(1))
        before = metric("steward_node_refreshes_total")
        orders = work / "orders.parquet"
        shutil.copy(orders, tmp / "orders.parquet")
        os.replace(tmp / "orders.parquet", orders)
        while metric("steward_node_refreshes_total") == before:
            time.sleep(0.2)
        refresh = metric("steward_node_refresh_seconds")
        t = time.perf_counter()
        run(steward, "export", work / "products/tree.yaml", "--out", tmp / "export", "--format", "parquet", "--profile", "analytics")
        export_masked = time.perf_counter() - t
        result.update({"refresh_s": round(refresh, 2), "export_masked_s": round(export_masked, 2),
                       "refresh_vs_export": round(refresh / export_masked, 2)})

    print(json.dumps(result, indent=2))
finally:
    for p in procs:
        p.kill()
    if (tmp / "pg" / "data" / "postmaster.pid").exists():
        subprocess.run([*(["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []),
                        str(sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1] / "pg_ctl"), "-D", str(tmp / "pg" / "data"), "-m", "immediate", "stop"],
                       capture_output=True)
    # The copies of the data (CSV files, the cluster) take gigabytes at 1M customers.
    shutil.rmtree(tmp, ignore_errors=True)
