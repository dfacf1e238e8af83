//! The sandbox's own SQLite file.
//!
//! A real gateway keeps its orders when the app restarts, so the sandbox does
//! too: reconciling after a restart is tested against this file. Times are
//! stored as UTC unix seconds (gateways.md: "store UTC").

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row};
use rust_decimal::Decimal;

use crate::market::{self, Coin};

/// Schema steps, applied in order; `PRAGMA user_version` counts those done.
/// A new dialect appends a step and never edits an old one.
const MIGRATIONS: &[&str] = &[
    // Counos.
    "CREATE TABLE counos_orders (
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         merchant_order_id TEXT NOT NULL UNIQUE,
         keyword TEXT NOT NULL,
         expected_amount TEXT NOT NULL,
         paid_amount TEXT NOT NULL,
         payment_confirmations INTEGER NOT NULL,
         order_address TEXT NOT NULL,
         transaction_id TEXT,
         created_at INTEGER NOT NULL,
         updated_at INTEGER NOT NULL,
         expire_at INTEGER NOT NULL
     );
     -- Gateway ids start far from small numbers so that a client mixing up the
     -- gateway's id with the merchant's orderId or a tickerId fails visibly.
     INSERT INTO sqlite_sequence (name, seq) VALUES ('counos_orders', 52000);
     CREATE TABLE counos_withdrawals (
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         keyword TEXT NOT NULL,
         amount TEXT NOT NULL,
         wallet_address TEXT NOT NULL,
         transaction_id TEXT,
         status TEXT NOT NULL CHECK (status IN ('pending', 'done')),
         confirmations INTEGER NOT NULL,
         created_at INTEGER NOT NULL
     );",
    // CoinGate. Amounts are decimal text; currencies are stored by symbol,
    // which outlives any of CoinGate's numeric ids.
    "CREATE TABLE coingate_orders (
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         uuid TEXT NOT NULL UNIQUE,
         merchant_order_id TEXT,
         title TEXT NOT NULL,
         description TEXT NOT NULL,
         price_amount TEXT NOT NULL,
         price_currency TEXT NOT NULL,
         receive_currency TEXT NOT NULL,
         callback_url TEXT,
         cancel_url TEXT,
         success_url TEXT,
         token TEXT NOT NULL,
         shopper TEXT,
         status TEXT NOT NULL,
         pay_currency TEXT,
         pay_amount TEXT,
         conversion_rate TEXT,
         payment_address TEXT,
         created_at INTEGER NOT NULL,
         expire_at INTEGER NOT NULL,
         paid_at INTEGER
     );
     CREATE INDEX coingate_orders_created_at ON coingate_orders (created_at);
     -- Like the live gateway's, order ids are large, and far from the Counos
     -- ids and from every currency or platform id.
     INSERT INTO sqlite_sequence (name, seq) VALUES ('coingate_orders', 10600000);
     CREATE TABLE coingate_transactions (
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         order_id INTEGER NOT NULL REFERENCES coingate_orders (id),
         txid TEXT NOT NULL,
         amount TEXT NOT NULL,
         confirmations INTEGER NOT NULL,
         created_at INTEGER NOT NULL
     );
     INSERT INTO sqlite_sequence (name, seq) VALUES ('coingate_transactions', 880000);
     CREATE TABLE coingate_refunds (
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         order_id INTEGER NOT NULL REFERENCES coingate_orders (id),
         request_amount TEXT NOT NULL,
         refund_amount TEXT NOT NULL,
         address TEXT NOT NULL,
         created_at INTEGER NOT NULL
     );
     INSERT INTO sqlite_sequence (name, seq) VALUES ('coingate_refunds', 4100);
     CREATE TABLE coingate_withdrawals (
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         currency TEXT NOT NULL,
         amount TEXT NOT NULL,
         status TEXT NOT NULL CHECK (status IN ('pending', 'completed')),
         created_at INTEGER NOT NULL,
         completed_at INTEGER
     );
     INSERT INTO sqlite_sequence (name, seq) VALUES ('coingate_withdrawals', 61000);
     CREATE TABLE coingate_send_requests (
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         ledger_account_id TEXT NOT NULL,
         payout_setting_id INTEGER NOT NULL,
         amount TEXT NOT NULL,
         amount_currency TEXT NOT NULL,
         purpose TEXT NOT NULL,
         external_id TEXT UNIQUE,
         callback_url TEXT,
         status TEXT NOT NULL CHECK (status IN ('draft', 'canceled')),
         created_at_ms INTEGER NOT NULL
     );
     INSERT INTO sqlite_sequence (name, seq) VALUES ('coingate_send_requests', 2300);",
    // CoinGate merchant refunds (`POST /orders/{id}/refunds`): the documented
    // life cycle (pending, processing, then rejected or completed) and what the
    // request carried. Rows from the control route's refund are completed.
    "ALTER TABLE coingate_refunds ADD COLUMN status TEXT NOT NULL DEFAULT 'completed'
         CHECK (status IN ('pending', 'processing', 'rejected', 'completed'));
     ALTER TABLE coingate_refunds ADD COLUMN email TEXT;
     ALTER TABLE coingate_refunds ADD COLUMN reason TEXT;
     ALTER TABLE coingate_refunds ADD COLUMN address_memo TEXT;
     ALTER TABLE coingate_refunds ADD COLUMN ledger_account_id TEXT;
     ALTER TABLE coingate_refunds ADD COLUMN rejection_reason TEXT;",
];

/// One connection behind a mutex: the sandbox serves one terminal, and
/// serialising its writes is what makes `renew` and balances race-free.
#[derive(Clone)]
pub(crate) struct Store {
    conn: Arc<Mutex<Connection>>,
}

impl Store {
    pub(crate) fn open(path: &Path) -> rusqlite::Result<Self> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        migrate(&mut conn)?;
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `work` on the connection off the async workers.
    pub(crate) async fn call<T, F>(&self, work: F) -> T
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> T + Send + 'static,
    {
        let conn = self.conn.clone();
        let task = tokio::task::spawn_blocking(move || {
            // A panic under the lock leaves no half-done transaction behind
            // (rusqlite rolls back on drop), so the connection stays usable.
            let mut conn = conn.lock().unwrap_or_else(PoisonError::into_inner);
            work(&mut conn)
        });
        match task.await {
            Ok(value) => value,
            Err(err) => std::panic::resume_unwind(err.into_panic()),
        }
    }
}

fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let done: usize = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    for (step, sql) in MIGRATIONS.iter().enumerate().skip(done) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", step + 1)?;
        tx.commit()?;
    }
    Ok(())
}

/// Now, as stored: UTC unix seconds.
pub(crate) fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

pub(crate) fn conversion_error(column: usize, message: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, Type::Text, message.into())
}

/// A decimal column, stored as text so that no digit is lost.
pub(crate) fn decimal_column(row: &Row, column: usize) -> rusqlite::Result<Decimal> {
    let text: String = row.get(column)?;
    crate::json::parse_decimal(&text)
        .ok_or_else(|| conversion_error(column, format!("'{text}' is not a decimal")))
}

/// A coin column, stored by keyword, which outlives any ticker id.
pub(crate) fn coin_column(row: &Row, column: usize) -> rusqlite::Result<&'static Coin> {
    let keyword: String = row.get(column)?;
    market::coin_by_symbol(&keyword)
        .ok_or_else(|| conversion_error(column, format!("unknown coin '{keyword}'")))
}

/// A table whose rows read into `T`: the two queries every list and every
/// `GET .../{id}` of it make, written once.
pub(crate) struct Table<T> {
    pub(crate) name: &'static str,
    /// The columns `from_row` reads, in its order.
    pub(crate) columns: &'static str,
    pub(crate) from_row: fn(&Row) -> rusqlite::Result<T>,
}

impl<T> Table<T> {
    /// Every row, newest (highest id) first.
    pub(crate) fn newest_first(&self, conn: &Connection) -> rusqlite::Result<Vec<T>> {
        let Table {
            name,
            columns,
            from_row,
        } = self;
        let mut statement =
            conn.prepare(&format!("SELECT {columns} FROM {name} ORDER BY id DESC"))?;
        let rows = statement.query_map([], from_row)?;
        rows.collect()
    }

    /// The row with this id, if any.
    pub(crate) fn find(&self, conn: &Connection, id: i64) -> rusqlite::Result<Option<T>> {
        let Table {
            name,
            columns,
            from_row,
        } = self;
        conn.query_row(
            &format!("SELECT {columns} FROM {name} WHERE id = ?1"),
            [id],
            from_row,
        )
        .optional()
    }
}
