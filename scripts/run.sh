#!/usr/bin/env bash
# run.sh WORKSPACE DESKTOP_BIN REGISTRY_BIN
# Opens Steward on WORKSPACE beside a local registry (SQLite, loopback) that the app is
# configured to use. On first run the registry admin key and the demo steward's signing key are
# made in the OS keychain, and the admin signs a trust policy letting the demo steward publish;
# the registry still enforces it. The registry stops when the app closes.
set -euo pipefail
workspace=$1 desktop=$2 registry=$3
# Without a desktop session there is no keychain: run inside a private one.
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] && [ -z "${STEWARD_IN_KEYRING:-}" ]; then
  exec "$(dirname "$0")/with-keyring.sh" "$0" "$@"
fi
state="${XDG_STATE_HOME:-$HOME/.local/state}/steward"
mkdir -p "$state"
out="$state/registry.out"
"$registry" demo --db "$state/registry.db" --listen 127.0.0.1:0 >"$out" 2>"$state/registry.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  grep -q "^listening on " "$out" 2>/dev/null && break
  kill -0 $pid 2>/dev/null || { echo "the local registry did not start:"; cat "$state/registry.log"; exit 1; }
  sleep 0.1
done
url=$(sed -n 's/^listening on //p' "$out" | head -1)
echo "Local registry: $url (data in $state/registry.db)"
STEWARD_REGISTRY="$url" STEWARD_KEY=demo-steward NO_AT_BRIDGE=1 "$desktop" "$workspace"
