#!/usr/bin/env bash
# The data node side by side with PostgreSQL, in one run (bench/node_vs_postgres.py): one entity's
# masked 360 tree by random key — Steward's node against PostgreSQL answering the same nested JSON
# with json_agg subqueries, driven by pgbench — then the whole masked product as an Arrow stream
# into pyarrow, and a refresh after a source change against a fresh `steward export`. Uses the
# three-level product of the tree benchmark; installs pyarrow, DuckDB and cryptography from PyPI
# into a private virtualenv; builds Steward in release mode; starts its own PostgreSQL cluster.
#
#   bench/run-node.sh [CUSTOMERS]      (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
customers="${1:-1000000}"
target="${CARGO_TARGET_DIR:-target}"
work="$target/bench/tree-$customers"
venv="$target/bench/venv-node"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q "duckdb==2.0.1" "pyarrow==26.0.1" "cryptography==46.0.3"
cargo build --release -q -p steward-cli -p steward-samplegen -p steward-node --examples --bins
if [ ! -f "$work/.done" ]; then
  rm -rf "$work"
  "$target/release/steward-samplegen" --out "$work" --customers "$customers" --layout parquet
  touch "$work/.done"
fi
mkdir -p "$work/products"
cp bench/tree.yaml "$work/products/tree.yaml"
# Keys and masking keys in a private, throwaway keychain (the user's own is not touched).
scripts/with-keyring.sh "$venv/bin/python" bench/node_vs_postgres.py "$target/release" "$work" "$customers"
