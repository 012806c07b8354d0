#!/usr/bin/env bash
# dist.sh [release|debug]   builds Steward's two Debian packages into $CARGO_TARGET_DIR/dist:
#   steward_VERSION_ARCH.deb           the desktop app (Tauri's bundler: binary, icon, desktop entry,
#                                      dependencies) and the `steward` CLI beside it;
#   steward-registry_VERSION_ARCH.deb  the registry server with its systemd unit (packaging/registry).
# `make dist` builds release packages; the packaging test builds them from the debug build it
# already has (same sources, same layout; only the compiler's optimisation differs).
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-release}"
case "$profile" in
  release) cargo_profile=(--release) ;;
  debug) cargo_profile=() ;;
  *) echo "dist.sh: profile is release or debug, not '$profile'" >&2; exit 2 ;;
esac
target="${CARGO_TARGET_DIR:-$PWD/target}"
bin="$target/$profile"
out="$target/dist"
version=$(awk -F'"' '/^\[/{in_pkg = ($0 == "[workspace.package]")} in_pkg && /^version *=/{print $2; exit}' Cargo.toml)
[ -n "$version" ] || { echo "dist.sh: no version in [workspace.package] of Cargo.toml" >&2; exit 1; }
arch=$(dpkg --print-architecture)

(cd ui && npm run build >/dev/null)
cargo build "${cargo_profile[@]}" -p steward-desktop -p steward-cli -p steward-registry --bins
rm -rf "$out" && mkdir -p "$out"
# The release profile keeps debug info for profiling; what is installed does not need it. The
# bundler reads the app from the build folder, so the built binaries are stripped where they are
# (a later `cargo build --release` does not restore it: rebuild them to profile with symbols).
if [ "$profile" = release ]; then
  strip --strip-debug "$bin/steward-desktop" "$bin/steward" "$bin/steward-registry"
fi

# The desktop app, with Tauri's bundler. The bundler looks for its configuration beside the
# shell's Cargo.toml: src-tauri/tauri.conf.json is a link to the one at the root. Paths it
# resolves are relative to src-tauri.
debug_flag=(); [ "$profile" = debug ] && debug_flag=(--debug)
TAURI_APP_PATH=src-tauri TAURI_FRONTEND_PATH=ui ui/node_modules/.bin/tauri bundle "${debug_flag[@]}" \
  --bundles deb --ci --config "{\"bundle\": {\"active\": true, \"icon\": [\"icons/icon.png\"],
    \"linux\": {\"deb\": {\"files\": {\"/usr/bin/steward\": \"$bin/steward\"}}}}}"
cp "$bin/bundle/deb/Steward_${version}_${arch}.deb" "$out/steward_${version}_${arch}.deb"

# The registry server: a plain package around the binary, its unit and its settings.
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/steward-registry"
install -D -m 0755 "$bin/steward-registry" "$root/usr/bin/steward-registry"
install -D -m 0755 packaging/registry/serve "$root/usr/lib/steward-registry/serve"
install -D -m 0644 packaging/registry/steward-registry.service "$root/lib/systemd/system/steward-registry.service"
install -D -m 0644 packaging/registry/default "$root/etc/default/steward-registry"
install -d "$root/DEBIAN"
install -m 0755 packaging/registry/postinst packaging/registry/prerm packaging/registry/postrm "$root/DEBIAN/"
echo /etc/default/steward-registry >"$root/DEBIAN/conffiles"
cat >"$root/DEBIAN/control" <<CONTROL
Package: steward-registry
Version: $version
Architecture: $arch
Maintainer: Steward <steward@localhost>
Section: net
Priority: optional
Installed-Size: $(du -sk "$root/usr" | cut -f1)
Depends: libc6, libdbus-1-3, dbus, gnome-keyring, adduser
Description: Steward registry of signed data product definitions
 An HTTP service that stores product definitions signed by data stewards, enforces the
 central trust policy and privacy requirements, refuses anything unsigned, untrusted,
 tampered with or overwritten, and keeps a signed, hash-chained audit log.
CONTROL
dpkg-deb --root-owner-group --build "$root" "$out/steward-registry_${version}_${arch}.deb" >/dev/null
ls -1 "$out"/*.deb
