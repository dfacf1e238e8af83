//! The sandbox's own SQLite file.
//!
//! A real gateway keeps its orders when the app restarts, so the sandbox does
//! too: reconciling after a restart is tested against this file. Times are
//! stored as UTC unix seconds (gateways.md: "store UTC").

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rusqlite::Connection;

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
