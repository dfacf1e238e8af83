#!/usr/bin/env bash
# Peak memory of the CSV export on the shared PostgreSQL ledger (issue 14,
# BENCHMARKS.md), beside its floors, at each number of sales given: a till
# is moved onto a fresh database (`ledger_tool use`), the sales are made on
# the server (generate_series), then `ledger_tool open|read|export` run 3
# times each; the run with the median peak RSS is printed.
#
#   CRYPTILL_BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432/postgres \
#     src-tauri/core/benches/export_memory_pg.sh 100000 1000000
set -euo pipefail
SERVER=${CRYPTILL_BENCH_POSTGRES:?set CRYPTILL_BENCH_POSTGRES to a server address (its postgres database)}
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
cargo build --release --quiet -p cryptill-core --example ledger_tool --manifest-path "$ROOT/Cargo.toml"
T=$TARGET/release/examples/ledger_tool
PSQL=(psql -q "$SERVER")
for N in "${@:-100000}"; do
  DB=cryptill_mem_$N
  "${PSQL[@]}" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
  D=$(mktemp -d)
  "$T" use "$D/cryptill.sqlite3" "${SERVER%/*}/$DB" >/dev/null
  at="to_char(timestamp '2026-01-01' + g * interval '1 second', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
  psql -q "${SERVER%/*}/$DB" -c "INSERT INTO sales (merchant_order_id, state, fiat_amount,
      fiat_currency, coin, coin_decimals, network, crypto_amount, paid_amount, rate, gateway,
      gateway_order_id, address, tx_id, created_at, updated_at, paid_at, till_id)
    SELECT (1000000000 + g)::text || '001', 'paid', '12.50', 'EUR', 'BTC', 8, 'Bitcoin',
      '0.00021552', '0.00021552', '58000', 'demo', 'ord-' || g, 'tb1q' || md5(g::text),
      md5('tx' || g::text), $at, $at, $at, 1
    FROM generate_series(1, $N) AS g"
  for what in open read export; do
    for _ in 1 2 3; do "$T" "$what" "$D/cryptill.sqlite3" "$D/sales.csv"; done |
      sort -t= -k4 -n | sed -n 2p | sed "s/^/$N: /"
  done
  rm -rf "$D"
  "${PSQL[@]}" -c "DROP DATABASE $DB"
done
