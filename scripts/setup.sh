#!/usr/bin/env bash
# Installs what Steward needs on a Debian/Ubuntu machine, skipping whatever is already there:
# system packages (apt), the UI's npm packages (npm ci), and pinned cargo tools.
# Called by `make run` and `make test`; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

TAURI_DRIVER_VERSION=2.1.0
NODE_MIN=20.19.0

APT_PACKAGES=(
  build-essential pkg-config curl file libssl-dev
  # desktop shell (Tauri 2 on WebKitGTK 4.1)
  libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev
  # headless desktop tests and screenshots
  webkit2gtk-driver xvfb xauth dbus-x11 imagemagick
  # the real OS keychain (Secret Service) and a throwaway PostgreSQL server for tests
  gnome-keyring libdbus-1-dev postgresql
  # the ODCS contract test validates with the official schema's Python package
  python3 python3-venv
)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }
node_ok() { command -v node >/dev/null && version_ge "$(node --version | tr -d v)" "$NODE_MIN" && command -v npm >/dev/null; }
node_ok || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing system packages: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! node_ok; then
  echo "Steward's UI needs Node.js >= $NODE_MIN with npm (found: $(node --version 2>/dev/null || echo none))." >&2
  echo "Install a newer Node.js (for example from your distribution's backports or NodeSource) and run again." >&2
  exit 1
fi

if ! command -v cargo >/dev/null; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  else
    say "installing the Rust toolchain (rustup)"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
fi

# tauri-driver has no --version; cargo's own install list says which version is there.
if ! cargo install --list | grep -qx "tauri-driver v$TAURI_DRIVER_VERSION:"; then
  say "installing tauri-driver $TAURI_DRIVER_VERSION"
  cargo install tauri-driver --version "$TAURI_DRIVER_VERSION" --locked
fi

# npm ci when node_modules is missing or older than the lock file.
if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  say "installing UI packages (npm ci)"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
fi

# The official ODCS JSON Schema ships in a PyPI package: a private virtualenv holds it and the
# reference validator, at pinned versions, for the contract export test.
ODCS_PINS="open-data-contract-standard==3.2.0 jsonschema==4.26.0 PyYAML==6.0.4"
venv="${CARGO_TARGET_DIR:-target}/tools/odcs-venv"
if [ "$(cat "$venv/.pins" 2>/dev/null)" != "$ODCS_PINS" ]; then
  say "installing the ODCS schema package ($ODCS_PINS)"
  rm -rf "$venv"
  python3 -m venv "$venv"
  # shellcheck disable=SC2086
  "$venv/bin/pip" install -q --disable-pip-version-check $ODCS_PINS
  echo "$ODCS_PINS" >"$venv/.pins"
fi

# The README's consumer example reads a node's Arrow stream with pyarrow and Polars: a second
# private virtualenv holds both, pinned, for the test that runs it.
CONSUMER_PINS="pyarrow==26.0.1 polars==2.1.0"
cvenv="${CARGO_TARGET_DIR:-target}/tools/consumer-venv"
if [ "$(cat "$cvenv/.pins" 2>/dev/null)" != "$CONSUMER_PINS" ]; then
  say "installing the consumer example's packages ($CONSUMER_PINS)"
  rm -rf "$cvenv"
  python3 -m venv "$cvenv"
  # shellcheck disable=SC2086
  "$cvenv/bin/pip" install -q --disable-pip-version-check $CONSUMER_PINS
  echo "$CONSUMER_PINS" >"$cvenv/.pins"
fi
