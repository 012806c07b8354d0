#!/usr/bin/env bash
# with-keyring.sh CMD...   runs CMD inside a private D-Bus session with a fresh, unlocked
# gnome-keyring (Secret Service), so tests exercise the real OS keychain without touching the
# user's own keyring and without a graphical prompt.
set -euo pipefail
if [ -z "${STEWARD_IN_KEYRING:-}" ]; then
  exec env STEWARD_IN_KEYRING=1 dbus-run-session -- "$0" "$@"
fi
export HOME_BEFORE="$HOME"
HOME=$(mktemp -d) XDG_RUNTIME_DIR=$(mktemp -d)
export HOME XDG_RUNTIME_DIR
chmod 700 "$XDG_RUNTIME_DIR"
# Keep the toolchains of the real home reachable.
export CARGO_HOME="${CARGO_HOME:-$HOME_BEFORE/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$HOME_BEFORE/.rustup}"
mkdir -p "$HOME/.local/share/keyrings"
eval "$(printf 'steward-test' | gnome-keyring-daemon --unlock --components=secrets)"
eval "$(gnome-keyring-daemon --start --components=secrets)"
export GNOME_KEYRING_CONTROL
cleanup() { rm -rf "$HOME" "$XDG_RUNTIME_DIR"; }
trap cleanup EXIT
"$@"
