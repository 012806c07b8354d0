#!/usr/bin/env bash
# Introspect + profile a ~5M-row table as CSV and as Parquet with Steward, and summarise the same
# files with DuckDB's SUMMARIZE, side by side in one run. Installs DuckDB from PyPI into a
# private virtualenv; builds Steward in release mode.
#
#   bench/run-sources.sh [CUSTOMERS]      (default 1000000 customers ≈ 5M orders)
set -euo pipefail
cd "$(dirname "$0")/.."
customers="${1:-1000000}"
target="${CARGO_TARGET_DIR:-target}"
work="$target/bench/sources"
venv="$target/bench/venv"
mkdir -p "$work"

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q "duckdb==2.0.1"

cargo build --release -q -p steward-cli -p steward-samplegen
bin="$target/release"
for layout in csv parquet; do
  if [ ! -f "$work/$layout/.done-$customers" ]; then
    rm -rf "$work/$layout"
    "$bin/steward-samplegen" --out "$work/$layout" --customers "$customers" --layout "$layout"
    touch "$work/$layout/.done-$customers"
  fi
done

"$venv/bin/python" bench/sources_vs_duckdb.py "$bin/steward" "$work/csv/orders.csv" "$work/parquet/orders.parquet"
