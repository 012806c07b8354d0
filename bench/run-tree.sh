#!/usr/bin/env bash
# A three-level product — customers → orders → order lines with a product lookup on each line —
# written nested to Parquet by Steward, by DuckDB (list(struct_pack(…)) nested twice) and by
# Polars' own lazy plan from Python, side by side in one run; Steward also masked by the product's
# nine-rule profile. Installs DuckDB and Polars from PyPI
# into a private virtualenv; builds Steward in release mode.
#
#   bench/run-tree.sh [CUSTOMERS]      (default 480000: ≈2.4M orders, ≈6M order lines)
set -euo pipefail
cd "$(dirname "$0")/.."
customers="${1:-480000}"
target="${CARGO_TARGET_DIR:-target}"
work="$target/bench/tree-$customers"
venv="$target/bench/venv-tree"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q "duckdb==2.0.1" "polars==2.1.0"
cargo build --release -q -p steward-cli -p steward-samplegen
if [ ! -f "$work/.done" ]; then
  rm -rf "$work"
  "$target/release/steward-samplegen" --out "$work" --customers "$customers" --layout parquet
  touch "$work/.done"
fi
mkdir -p "$work/products"
cp bench/tree.yaml "$work/products/tree.yaml"
# The masked export needs a keychain: a private, throwaway one (the user's own is not touched).
scripts/with-keyring.sh "$venv/bin/python" bench/tree_vs_duckdb_polars.py "$target/release/steward" "$work" "$work/products/tree.yaml"
