#!/usr/bin/env bash
# Start to interactive and memory (PSS) of Cryptill beside a bare Tauri 2
# window, side by side in one run (issue 11, BENCHMARKS.md). Builds both
# with the release profile (the fixture reuses the app's compiled
# dependencies: one link), then runs bench/startup.mjs under Xvfb in a
# private D-Bus session with a throw-away unlocked keyring (the demo key).
#   bench/startup.sh [RUNS]     (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cryptill/target}"
npm --prefix ui run build --silent
cargo build --release --bin cryptill
cargo build --release -p cryptill-bare-window
BIN_DIR="$CARGO_TARGET_DIR/release"
exec dbus-run-session -- bash -c '
  K=$(mktemp -d); trap "rm -rf $K" EXIT
  echo -n bench | XDG_DATA_HOME=$K gnome-keyring-daemon --unlock --components=secrets >/dev/null
  xvfb-run -a --server-args="-screen 0 1280x900x24" node bench/startup.mjs "$1/cryptill" "$1/bare-window" "$PWD/ui/dist" "$2"
' _ "$BIN_DIR" "$RUNS"
