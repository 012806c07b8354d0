#!/usr/bin/env bash
# Materialise the whole customer360 product at 1M customers / ~5M orders / ~2M tickets (Parquet
# inputs) with Steward, DuckDB and pandas, side by side. Installs DuckDB, pandas and pyarrow from
# PyPI into a private virtualenv; builds Steward in release mode.
#
#   bench/run-product.sh [CUSTOMERS]      (default 1000000; PANDAS_TIMEOUT seconds, default 900)
set -euo pipefail
cd "$(dirname "$0")/.."
customers="${1:-1000000}"
target="${CARGO_TARGET_DIR:-target}"
work="$target/bench/product-$customers"
venv="$target/bench/venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q "duckdb==2.0.1" "pandas==3.1.1" "pyarrow==26.0.1"
cargo build --release -q -p steward-cli -p steward-samplegen
if [ ! -f "$work/.done" ]; then
  rm -rf "$work"
  "$target/release/steward-samplegen" --out "$work" --customers "$customers" --layout parquet
  touch "$work/.done"
fi
mkdir -p "$work/products"
cp sample-data/products/customer360.yaml "$work/products/"
"$venv/bin/python" bench/product_vs_duckdb_pandas.py "$target/release/steward" "$work" "$work/products/customer360.yaml"
# The preview's own code path (criterion): first page of 100 entities, one entity's 360 view.
STEWARD_BENCH_WORKSPACE="$(cd "$work" && pwd)" cargo bench -q -p steward-app --bench product
