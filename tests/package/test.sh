#!/usr/bin/env bash
# The Debian package, checked from outside as a shop's computer meets it.
#
# It bundles the RELEASE binary the other tests already built (`tauri
# bundle`: no second compile; `./dev package` makes the shop's `dist`
# build), then:
#   1. reads the package: control fields, declared dependencies, files;
#   2. unpacks it into a temp dir and runs the unpacked `cryptill --version`;
#   3. as root only (CI is root), with a real dpkg: installs an older
#      package, makes a demo sale with it, installs the new package over it,
#      reads the sale back, removes the package and finds the ledger intact.
# Everything it installs it removes again, on every path.
#
# Usage: CARGO_TARGET_DIR=... tests/package/test.sh   (from ./dev test, inside
# its D-Bus session with an unlocked keyring: a demo sale files its key there)
set -euo pipefail
cd "$(dirname "$0")/../.."

: "${CARGO_TARGET_DIR:?set CARGO_TARGET_DIR to the target dir of the release build}"
BIN="$CARGO_TARGET_DIR/release/cryptill"
TAURI=ui/node_modules/.bin/tauri
BUNDLES="$CARGO_TARGET_DIR/release/bundle/deb"
# Lower than any release: the "older build" of the upgrade story. It is
# the same binary under an older package version (building an old commit
# here would cost CI a second full build); the ledger's own migrations from
# older schemas are proved by the core's migration tests.
OLD_VERSION=0.0.0

WORK=$(mktemp -d)
INSTALLED_BY_US=""
cleanup() {
  # Purge, not remove: dpkg forgets the package entirely (a removed
  # package with a removal script stays listed as "rc").
  if [ -n "$INSTALLED_BY_US" ]; then
    dpkg --purge cryptill >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

passed=0
failed=0
# check NAME COMMAND...: runs COMMAND, counts it, shows its output on failure.
check() {
  local name=$1
  shift
  if "$@" >"$WORK/check.log" 2>&1; then
    passed=$((passed + 1))
    echo "ok - $name"
  else
    failed=$((failed + 1))
    echo "not ok - $name"
    sed 's/^/    /' "$WORK/check.log"
  fi
}
# Helpers for checks: each fails with a line saying what it found.
has_line() { grep -qE "$2" "$1" || { echo "no line matching '$2' in $1:"; cat "$1"; return 1; }; }
lacks_line() { ! grep -E "$2" "$1" || { echo "'$2' should not be in $1"; return 1; }; }
all_under_usr() { ! grep -vE '^usr(/|$)' "$1" || { echo "(the paths above are outside /usr)"; return 1; }; }
same() { [ "$1" = "$2" ] || { echo "expected '$2', got '$1'"; return 1; }; }
json_field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[process.argv[1]]))' "$1"; }

[ -x "$BIN" ] || { echo "No release binary at $BIN: build it first (cargo build --release --bin cryptill)." >&2; exit 1; }

# bundle VERSION-OVERRIDE OUT: packages the release binary, as OUT.
bundle() {
  local config=() made
  [ -n "$1" ] && config=(--config "{\"version\":\"$1\"}")
  rm -f "$BUNDLES"/*.deb
  # --no-binary-patching: leave the binary the e2e run uses untouched (the
  # patch only marks the bundle type for Tauri's updater, unused here).
  "$TAURI" bundle --bundles deb --no-sign --no-binary-patching --ci "${config[@]}" >"$WORK/bundle.log" 2>&1 ||
    { cat "$WORK/bundle.log" >&2; exit 1; }
  made=("$BUNDLES"/*.deb)
  mv "${made[0]}" "$2"
}
bundle "" "$WORK/new.deb"
bundle "$OLD_VERSION" "$WORK/old.deb"

# --- 1. The package as a file --------------------------------------------
dpkg-deb --info "$WORK/new.deb" >"$WORK/info"
# Paths as dpkg installs them, without the archive's "./" (kept by some
# dpkg-deb versions, not by others).
dpkg-deb --contents "$WORK/new.deb" | awk '{print $6}' | sed 's|^\./||; s|/$||' >"$WORK/contents"
VERSION=$(dpkg-deb -f "$WORK/new.deb" Version)
echo "package: $(du -h "$WORK/new.deb" | cut -f1) for cryptill $VERSION"

check "the package is named cryptill" same "$(dpkg-deb -f "$WORK/new.deb" Package)" cryptill
"$BIN" --version >"$WORK/version"
check "its version is the binary's own (one place: Cargo.toml)" \
  has_line "$WORK/version" "^cryptill $VERSION \(ledger schema [0-9]+\)$"
check "it depends on WebKitGTK 4.1" has_line "$WORK/info" "^ Depends:.*libwebkit2gtk-4\.1-0"
check "it depends on the D-Bus library the Secret Service client uses" has_line "$WORK/info" "^ Depends:.*libdbus-1-3"
check "it recommends a Secret Service for the API keys" has_line "$WORK/info" "^ Recommends:.*gnome-keyring"
check "it has a short and a long description" has_line "$WORK/info" "^ Description: .+"
check "it carries the licence" has_line "$WORK/contents" "^usr/share/doc/cryptill/copyright$"
check "cryptill is on the PATH" has_line "$WORK/contents" "^usr/bin/cryptill$"
check "it has a desktop entry" has_line "$WORK/contents" "^usr/share/applications/.*\.desktop$"
check "it installs nothing outside /usr (the ledger, settings and keys are never package files)" \
  all_under_usr "$WORK/contents"
check "older and newer package versions compare as an upgrade" dpkg --compare-versions "$OLD_VERSION" lt "$VERSION"

# --- 2. Unpacked, as dpkg would lay it out ----------------------------------
dpkg-deb -x "$WORK/new.deb" "$WORK/root"
DESKTOP=$(ls "$WORK"/root/usr/share/applications/*.desktop)
ICON=$(sed -n 's/^Icon=//p' "$DESKTOP")
"$WORK/root/usr/bin/cryptill" --version >"$WORK/unpacked-version"
check "the unpacked cryptill --version tells the release and the ledger schema" \
  has_line "$WORK/unpacked-version" "^cryptill $VERSION \(ledger schema [0-9]+\)$"
check "the desktop entry starts cryptill from the PATH" has_line "$DESKTOP" "^Exec=cryptill$"
check "the desktop entry is in the Finance category" has_line "$DESKTOP" "^Categories=.*Finance;"
check "the desktop entry's icon is in the package" \
  test -s "$WORK/root/usr/share/icons/hicolor/128x128/apps/$ICON.png"
if command -v desktop-file-validate >/dev/null; then
  check "the desktop entry is valid" desktop-file-validate "$DESKTOP"
fi

# --- 3. Install, sell, upgrade, read back, remove ---------------------------
skip_install=""
if [ "$(id -u)" != 0 ]; then
  skip_install="not root (CI runs as root; here dpkg would need sudo)"
elif dpkg-query -W -f='${Status}' cryptill 2>/dev/null | grep -q "ok installed"; then
  skip_install="a cryptill package is already installed on this computer; it is left alone"
elif [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  skip_install="no D-Bus session with a keyring (run through ./dev test)"
fi

if [ -n "$skip_install" ]; then
  echo "# SKIP install, upgrade and removal: $skip_install"
else
  # A throw-away home: the till's data goes to its default place under it,
  # ~/.local/share/io.cryptill.till, exactly as on a shop's computer; its
  # demo key goes under a keyring service name of its own.
  export HOME="$WORK/home"
  unset XDG_DATA_HOME CRYPTILL_DATA_DIR
  export CRYPTILL_KEYRING_SERVICE="cryptill-package-test-$$"
  LEDGER="$HOME/.local/share/io.cryptill.till/cryptill.sqlite3"
  mkdir -p "$HOME"

  INSTALLED_BY_US=yes
  dpkg -i "$WORK/old.deb" >"$WORK/install-old.log" 2>&1 || { cat "$WORK/install-old.log"; exit 1; }
  check "the older package installs" same "$(dpkg-query -W -f='${Version}' cryptill)" "$OLD_VERSION"

  /usr/bin/cryptill sale 12.50 EUR BTC --json >"$WORK/sale.json"
  SALE=$(json_field saleId <"$WORK/sale.json")
  ORDER=$(json_field gatewayOrderId <"$WORK/sale.json")
  check "a sale made with the older package is in the ledger" test -s "$LEDGER"

  dpkg -i "$WORK/new.deb" >"$WORK/upgrade.log" 2>&1 || { cat "$WORK/upgrade.log"; exit 1; }
  check "the new package installs over the older one" same "$(dpkg-query -W -f='${Version}' cryptill)" "$VERSION"
  check "an upgrade does not say the app was removed" lacks_line "$WORK/upgrade.log" "Cryptill is removed"

  /usr/bin/cryptill order "$SALE" --json >"$WORK/order.json"
  check "the new package reads the sale back" same "$(json_field fiatAmount <"$WORK/order.json")" "12.50"
  check "with the same gateway order" same "$(json_field gatewayOrderId <"$WORK/order.json")" "$ORDER"
  SCHEMA=$(/usr/bin/cryptill --version | sed -E 's/.*ledger schema ([0-9]+).*/\1/')
  check "the ledger is at the schema the new release reports" \
    same "$(sqlite3 "$LEDGER" 'PRAGMA user_version')" "$SCHEMA"

  dpkg -r cryptill >"$WORK/remove.log" 2>&1 || { cat "$WORK/remove.log"; exit 1; }
  check "removal takes cryptill off the PATH" test ! -e /usr/bin/cryptill
  check "removal says where the ledger stays" has_line "$WORK/remove.log" "\.local/share/io\.cryptill\.till/cryptill\.sqlite3"
  check "the ledger survives removal with the sale in it" \
    same "$(sqlite3 "$LEDGER" "SELECT fiat_amount FROM sales WHERE id = $SALE")" "12.50"

  dpkg --purge cryptill >"$WORK/purge.log" 2>&1 || { cat "$WORK/purge.log"; exit 1; }
  INSTALLED_BY_US=""
  check "purging forgets the package" \
    lacks_line <(dpkg-query -W -f='${Status}\n' cryptill 2>/dev/null || true) "installed|config-files"
  check "purging leaves the ledger too" \
    same "$(sqlite3 "$LEDGER" "SELECT count(*) FROM sales WHERE id = $SALE")" "1"
fi

echo "package: $passed passed, $failed failed"
[ "$failed" = 0 ]
