#!/usr/bin/env bash
# The architecture, checked with `cargo tree` on every `make test`:
# - both front-ends go through steward-app: the desktop shell depends on no Steward crate but
#   steward-app and steward-ipc; the CLI on none but those two and the two servers (for
#   `registry serve` and `node serve`);
# - the registry server never compiles Polars; core crates never compile Tauri;
# - the registry's shared types and its client link no server (axum) and no storage (rusqlite);
#   the desktop links no registry server at all.
set -euo pipefail

fail() { echo "architecture: $*" >&2; exit 1; }

direct() { # the Steward crates $1 depends on directly (normal dependencies)
  cargo tree -p "$1" -e normal --depth 1 --prefix none | awk 'NR > 1 && /^steward-/ { print $1 }' | sort -u
}

extra=$(direct steward-desktop | grep -vx -e steward-app -e steward-ipc || true)
[ -z "$extra" ] || fail "src-tauri may depend only on steward-app and steward-ipc, not: $(echo $extra)"
extra=$(direct steward-cli | grep -vx -e steward-app -e steward-ipc -e steward-registry -e steward-node || true)
[ -z "$extra" ] || fail "the CLI may depend only on steward-app and steward-ipc (and the servers, for \`registry serve\` and \`node serve\`), not: $(echo $extra)"

tree() { cargo tree -p "$1" -e normal --prefix none; }
if tree steward-registry | grep -q '^polars'; then fail "steward-registry must not depend on Polars"; fi
if tree steward-app | grep -q '^tauri'; then fail "steward-app must not depend on Tauri"; fi
if tree steward-cli | grep -q '^tauri'; then fail "the CLI must not depend on Tauri"; fi
for c in steward-registry-core steward-registry-client; do
  if tree "$c" | grep -qE '^(axum|rusqlite|hyper-util|tokio-rustls) '; then fail "$c must link no server or storage code"; fi
done
if tree steward-registry-core | grep -qE '^ureq '; then fail "steward-registry-core must do no HTTP"; fi
if tree steward-httpsig | grep -qE '^(ureq|axum|hyper|tokio) '; then fail "steward-httpsig must do no I/O"; fi
if tree steward-desktop | grep -qE '^steward-node '; then fail "the desktop must not link the data node"; fi
if tree steward-desktop | grep -qE '^(axum|steward-registry) '; then fail "the desktop must not link the registry server"; fi
echo "architecture: ok"
