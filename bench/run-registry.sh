#!/usr/bin/env bash
# The registry on loopback with 64 concurrent clients: verified, durable publishes/s and gets/s
# with p50/p99, on SQLite (a file, synchronous=FULL) and on PostgreSQL (a throwaway cluster with
# fsync on, started by the load tool). Builds in release mode.
#
#   bench/run-registry.sh [SECONDS]      (default 10 per phase)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
target="${CARGO_TARGET_DIR:-target}"
cargo build --release -q -p steward-registry --bin steward-registry --example load
for db in sqlite postgres; do
  "$target/release/examples/load" --db "$db" --clients 64 --seconds "$seconds"
done
