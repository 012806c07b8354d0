#!/usr/bin/env bash
# Masking throughput, synthetic substitution vs Python Faker, and k-anonymity time, in one run.
# Installs Faker from PyPI into a private virtualenv; builds Steward's throughput example in release.
#
#   bench/run-privacy.sh [ROWS] [FAKER_ROWS]      (defaults 1000000 and 200000)
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000000}"
faker_rows="${2:-200000}"
target="${CARGO_TARGET_DIR:-target}"
venv="$target/bench/venv-faker"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q "Faker==40.1.2"
cargo build --release -q -p steward-privacy --example throughput
"$venv/bin/python" bench/privacy_vs_faker.py "$target/release/examples/throughput" "$rows" "$faker_rows"
