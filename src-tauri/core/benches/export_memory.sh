#!/usr/bin/env bash
# Peak memory and time of the CSV export of a big ledger, beside its floors
# in the same run (issue 11, BENCHMARKS.md):
#   open   the process that only opens the ledger (what any run costs);
#   read   reads and parses every sale, writes nothing (the export's floor);
#   export the owner's export of every sale to a file.
# Each is run RUNS times (default 3); the median is printed. The ledger is
# made first if missing (`ledger_tool fill`). Never fails on a figure.
#
#   src-tauri/core/benches/export_memory.sh [SALES] [RUNS]
set -euo pipefail
SALES=${1:-1000000}
RUNS=${2:-3}
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
DIR=${TMPDIR:-/tmp}/cryptill-memory-$SALES
cargo build --release --quiet -p cryptill-core --example ledger_tool --manifest-path "$ROOT/Cargo.toml"
TOOL=$TARGET/release/examples/ledger_tool
if [ ! -f "$DIR/cryptill.sqlite3" ]; then
  rm -rf "$DIR"
  "$TOOL" fill "$DIR" "$SALES"
fi
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "ledger: $SALES sales, $(du -h "$DIR/cryptill.sqlite3" | cut -f1) on disk; $RUNS runs each, medians"
for what in open read export; do
  rss=(); secs=()
  for _ in $(seq "$RUNS"); do
    line=$("$TOOL" "$what" "$DIR/cryptill.sqlite3" "$DIR/sales.csv")
    rss+=("$(sed -E 's/.*peak_rss_kb=([0-9]+).*/\1/' <<<"$line")")
    secs+=("$(sed -E 's/.*seconds=([0-9.]+).*/\1/' <<<"$line")")
  done
  printf '%-7s peak RSS %6d KiB   time %6.3f s\n' "$what" \
    "$(printf '%s\n' "${rss[@]}" | median)" "$(printf '%s\n' "${secs[@]}" | median)"
done
if [ -f "$DIR/sales.csv" ]; then
  echo "CSV: $(du -h "$DIR/sales.csv" | cut -f1), $(($(wc -l <"$DIR/sales.csv") - 1)) rows"
fi
