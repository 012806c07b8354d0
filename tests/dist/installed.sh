#!/usr/bin/env bash
# The packages as a steward and an admin meet them: builds both Debian packages (scripts/dist.sh,
# from the debug build, or the release one with STEWARD_DIST_PROFILE=release), installs them with
# apt, checks what they put where, starts the installed registry as its systemd unit says (with
# systemctl where systemd runs; otherwise the unit's user, settings, folders and credential by
# hand), signs a trust policy and publishes to it with the installed CLI, and launches the installed
# app under Xvfb on the sample workspace. The packages, the service's folders and the test's keys
# are removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
fail() { echo "installed.sh: $*" >&2; exit 1; }

if [ -z "${STEWARD_IN_KEYRING:-}" ]; then
  for p in steward steward-registry; do
    if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      fail "the package $p is already installed on this machine; this test installs and removes its own, so remove it first (apt-get remove $p)"
    fi
  done
  scripts/dist.sh "${STEWARD_DIST_PROFILE:-debug}"
  dist="${CARGO_TARGET_DIR:-$repo/target}/dist"
  cleanup() {
    as_root apt-get purge -y -qq steward steward-registry >/dev/null 2>&1 || true
    as_root rm -rf /var/lib/steward-registry /run/steward-registry
  }
  trap cleanup EXIT
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends \
    "$dist"/steward_*.deb "$dist"/steward-registry_*.deb >/dev/null
  # The rest runs as the steward would, with a keychain of their own.
  scripts/with-keyring.sh "$0"
  exit 0
fi

say() { printf '==> %s\n' "$*"; }
say "what the packages installed"
for f in /usr/bin/steward-desktop /usr/bin/steward /usr/share/applications/Steward.desktop \
  /usr/share/icons/hicolor/256x256/apps/steward-desktop.png /usr/bin/steward-registry \
  /usr/lib/steward-registry/serve /lib/systemd/system/steward-registry.service /etc/default/steward-registry; do
  [ -e "$f" ] || fail "$f is not installed"
done
grep -qx "Exec=steward-desktop" /usr/share/applications/Steward.desktop || fail "the desktop entry does not start steward-desktop"
getent passwd steward-registry >/dev/null || fail "the service user steward-registry was not made"
[ "$(as_root stat -c '%a %U' /etc/steward-registry/keyring-password)" = "600 root" ] ||
  fail "the service's keychain password must be readable by root only"
/usr/bin/steward --version | grep -q "^steward " || fail "the installed CLI does not run"
if command -v systemd-analyze >/dev/null && [ -d /run/systemd/system ]; then
  systemd-analyze verify /lib/systemd/system/steward-registry.service
fi

say "keys of a registry admin and a steward"
/usr/bin/steward keys generate registry-admin >/dev/null
/usr/bin/steward keys generate ada >/dev/null
admin_pub=$(/usr/bin/steward keys export registry-admin)
ada_pub=$(/usr/bin/steward keys export ada)
echo "$admin_pub" | as_root tee /etc/steward-registry/admin-keys >/dev/null

say "the installed registry, started as its unit says"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_root sed -i "s/^STEWARD_REGISTRY_LISTEN=.*/STEWARD_REGISTRY_LISTEN=127.0.0.1:$port/" /etc/default/steward-registry
unit=/lib/systemd/system/steward-registry.service
log=$(mktemp)
if [ -d /run/systemd/system ]; then
  as_root systemctl start steward-registry.service
  stop_service() { as_root systemctl stop steward-registry.service || true; }
else
  # No systemd here: do what the unit asks of systemd, by hand.
  user=$(sed -n 's/^User=//p' "$unit")
  exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
  creds=$(as_root mktemp -d)
  as_root install -o "$user" -m 0400 /etc/steward-registry/keyring-password "$creds/keyring-password"
  as_root chown "$user" "$creds"
  as_root install -d -o "$user" -g "$user" -m 0700 /var/lib/steward-registry /run/steward-registry
  # shellcheck disable=SC2046
  set -a; . /etc/default/steward-registry; set +a
  cmd=$(eval echo "$exec_start")
  # shellcheck disable=SC2086
  as_root runuser -u "$user" -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin STATE_DIRECTORY=/var/lib/steward-registry \
    RUNTIME_DIRECTORY=/run/steward-registry CREDENTIALS_DIRECTORY="$creds" $cmd >"$log" 2>&1 &
  service_pid=$!
  stop_service() { as_root pkill -u steward-registry || true; wait "$service_pid" 2>/dev/null || true; as_root rm -rf "$creds"; }
fi
trap 'stop_service; rm -f "$log"' EXIT
export STEWARD_REGISTRY="http://127.0.0.1:$port"
for _ in $(seq 1 150); do
  curl -sf "$STEWARD_REGISTRY/v1/trust" >/dev/null && break
  sleep 0.2
done
curl -sf "$STEWARD_REGISTRY/v1/trust" >/dev/null || { cat "$log"; fail "the installed registry did not answer on $STEWARD_REGISTRY"; }
as_root test -s /var/lib/steward-registry/.local/share/keyrings/login.keyring ||
  fail "the registry's signing key is not in the service's own keychain"

say "a trust policy signed by the admin, and a product published with the installed CLI"
work=$(mktemp -d)
trap 'stop_service; rm -f "$log"; rm -rf "$work"' EXIT
printf 'signers:\n  - name: ada@example.com\n    key: %s\n    domains: [customer]\n' "$ada_pub" >"$work/policy.yaml"
/usr/bin/steward registry trust --apply "$work/policy.yaml" --admin registry-admin | grep -q "trust policy 1 applied" ||
  fail "the admin's trust policy was not applied"
cp -r sample-data "$work/workspace"
rm -rf "$work/workspace/.steward"
published=$(/usr/bin/steward publish "$work/workspace/products/customer360.yaml" --key ada)
echo "$published" | grep -q "published customer360@1.0.0" || fail "publishing to the installed registry: $published"
/usr/bin/steward registry list | grep -q customer360 || fail "the installed registry does not list customer360"

say "the installed app under Xvfb, on the sample workspace"
STEWARD_INSTALLED_APP=/usr/bin/steward-desktop STEWARD_WORKSPACE="$work/workspace" \
  node --test --test-reporter=spec tests/dist/
