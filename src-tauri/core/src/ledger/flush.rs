//! Commits that need not wait for the disk, and the one flush that makes
//! them durable before it matters.
//!
//! The ledger runs SQLite's write-ahead log with `synchronous = FULL`: each
//! commit waits for an `fsync` of the `-wal` file, 3 to 5 ms on a till's disk
//! (BENCHMARKS.md, "Checkout overhead"). A charge writes three rows before
//! its order exists (the sale, the placement claim, the conversion) and the
//! order after it, and none of them needs the disk at its own commit (the
//! order's because the gateway hands it back for the flushed sale, see
//! checkout/placement.rs):
//!
//! - A commit with `synchronous = NORMAL` is in the log as soon as it
//!   returns, so another process sees it and a crash of the app loses
//!   nothing; only a power cut or an OS crash can take it, and SQLite's log
//!   then still ends at a commit (frames carry cumulative checksums and a
//!   reader stops at the first one that does not match: a power cut takes
//!   the newest commits, never one from the middle, never half a commit).
//!   SQLite's documentation of `PRAGMA synchronous`: "WAL mode is always
//!   consistent with synchronous=NORMAL, but WAL mode does lose durability.
//!   A transaction committed in WAL mode with synchronous=NORMAL might roll
//!   back following a power loss or system crash. Transactions are durable
//!   across application crashes regardless of the synchronous setting".
//! - What FULL adds in WAL mode is exactly one `fsync` of the `-wal` file
//!   after the commit's frames are written. [`Ledger::flush`] does that
//!   `fsync` itself, for every commit before it at once, and can do it on
//!   another thread while the order's request is on its way
//!   (checkout/placement.rs, where the order of events and what a power cut
//!   at each point leaves are written down).
//!
//! On the shop's shared PostgreSQL ledger there is nothing to flush: the
//! server makes each commit durable before it answers.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use super::db::{Db, SqliteDb};
use super::{write_tx, Ledger, Scope};
use crate::error::{Error, Result};
use crate::said::Said;

/// What this ledger committed without waiting for the disk.
#[derive(Debug, Default)]
pub(crate) struct Unflushed {
    /// Commits since the last [`Ledger::flush`] (an upper bound: a later
    /// synced commit or a checkpoint may have made them durable already).
    commits: AtomicU64,
    /// Whether the folder's entry of the `-wal` file was flushed: SQLite
    /// syncs the folder of a log it created at its first own sync of it,
    /// which a ledger writing only unsynced commits may never reach. The log
    /// stays while this ledger's connection is open, so once is enough.
    folder: AtomicBool,
}

impl Ledger {
    /// Like [`Ledger::with_db`], for a write that need not be on disk when
    /// it returns: on SQLite it is committed to the write-ahead log without
    /// waiting for the disk (`synchronous = NORMAL`), and a later
    /// [`Ledger::flush`] (or any synced commit after it) makes it durable.
    /// Used for a charge's placement claim (it only keeps two *live*
    /// processes from placing one sale; a power cut leaves none alive), its
    /// conversion (flushed before the order's answer is recorded) and the
    /// order it placed (re-found at the gateway after a power cut).
    pub(crate) fn with_db_unsynced<T>(
        &self,
        f: impl FnOnce(&mut dyn Db, &Scope) -> Result<T>,
    ) -> Result<T> {
        if self.shared.is_some() {
            return self.with_db(f);
        }
        self.unsynced(|conn| f(&mut SqliteDb(conn), &Scope::SQLITE))
    }

    /// Like [`Ledger::in_tx`], committed without waiting for the disk (see
    /// [`Ledger::with_db_unsynced`]).
    pub(crate) fn in_tx_unsynced<T>(
        &self,
        f: impl FnOnce(&mut dyn Db, &Scope) -> Result<T>,
    ) -> Result<T> {
        if self.shared.is_some() {
            return self.in_tx(f);
        }
        self.unsynced(|conn| {
            let tx = write_tx(conn)?;
            let out = f(&mut SqliteDb(&tx), &Scope::SQLITE)?;
            tx.commit()?;
            Ok(out)
        })
    }

    fn unsynced<T>(&self, f: impl FnOnce(&mut rusqlite::Connection) -> Result<T>) -> Result<T> {
        let mut conn = self.conn();
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        let out = f(&mut conn);
        // Every other write of the till waits for the disk, as before.
        conn.pragma_update(None, "synchronous", "FULL")?;
        if out.is_ok() {
            self.unflushed.commits.fetch_add(1, Ordering::SeqCst);
        }
        out
    }

    /// Makes every commit so far durable, whoever made it: one `fsync` of
    /// SQLite's `-wal` file, the sync `synchronous = FULL` does after a
    /// commit. Needs no lock on the connection, so it runs on another
    /// thread while the connection and the network are busy. Nothing to do
    /// on the shared ledger.
    pub fn flush(&self) -> Result<()> {
        if self.shared.is_some() {
            return Ok(());
        }
        let pending = self.unflushed.commits.load(Ordering::SeqCst);
        let wal = self.log_file();
        let failed = |path: &Path, e: std::io::Error| {
            Error::storage(Said::data_file_cannot_write(path.display(), e))
        };
        // Opened for writing: Windows flushes only a handle that may write.
        // SQLite shares the file with other handles on every platform.
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&wal)
            .and_then(|log| log.sync_all())
            .map_err(|e| failed(&wal, e))?;
        #[cfg(unix)]
        if !self.unflushed.folder.load(Ordering::SeqCst) {
            let folder = self
                .path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            std::fs::File::open(folder)
                .and_then(|dir| dir.sync_all())
                .map_err(|e| failed(folder, e))?;
            self.unflushed.folder.store(true, Ordering::SeqCst);
        }
        self.unflushed.commits.fetch_sub(pending, Ordering::SeqCst);
        Ok(())
    }

    /// SQLite's write-ahead log of the till's file, which [`Ledger::flush`] syncs.
    pub(crate) fn log_file(&self) -> PathBuf {
        wal_path(&self.path)
    }

    /// How many commits of this ledger a power cut could still take: made
    /// without waiting for the disk and not flushed since. 0 on the shared
    /// ledger. The checkout's tests read it to see the flush happen where
    /// the placement says it does.
    pub fn unflushed_commits(&self) -> u64 {
        self.unflushed.commits.load(Ordering::SeqCst)
    }
}

/// SQLite's write-ahead log: the database file's name with `-wal`.
fn wal_path(db: &Path) -> PathBuf {
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    PathBuf::from(wal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::{Currency, Money};
    use crate::sale::{Coin, GatewayKind};

    fn btc() -> Coin {
        Coin::test_bitcoin("11")
    }

    #[test]
    fn a_sale_is_committed_unsynced_and_a_flush_makes_it_durable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.sqlite3");
        let ledger = Ledger::open(&path).unwrap();
        let fiat = Money::parse_entry("12.50", &Currency::fiat("EUR").unwrap()).unwrap();
        let sale = ledger.begin_sale(&fiat, &btc(), GatewayKind::Demo).unwrap();
        // Committed: another process reads it at once (a crash of the app
        // loses nothing), though nobody waited for the disk.
        assert_eq!(ledger.unflushed_commits(), 1);
        let other = Ledger::open(&path).unwrap();
        assert_eq!(
            other.sale(sale.id).unwrap().merchant_order_id,
            sale.merchant_order_id
        );
        assert!(wal_path(&path).exists());
        ledger.flush().unwrap();
        assert_eq!(ledger.unflushed_commits(), 0);
        // The connection is back to flushing every other commit.
        let synchronous: i64 = ledger
            .conn()
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(synchronous, 2);
    }
}
