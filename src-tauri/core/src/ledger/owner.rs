//! The owner's tables (schema 4): the PIN hash with its lock-out state, and
//! the withdrawal requests with the gateway's answers. Also the owner's
//! reading of the sales (reports, history, export).

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};

use super::db::args;
use super::{
    lock, parse_ts, sale_from_row, select_sale, timestamp, Ledger, OwnerAuth, Sale,
    WithdrawalRequest,
};
use crate::error::Result;
use crate::said::Said;

fn read_owner_auth(conn: &rusqlite::Connection) -> Result<Option<OwnerAuth>> {
    read_pin_auth(conn, PinHolder::Owner)
}

/// Whose PIN a check is about: the owner's (one row of `owner_auth`) or a
/// cashier's (a row of `cashiers`). Both hold a PHC string, a count of
/// wrong PINs and the end of a lock-out, so one check serves both.
#[derive(Clone, Copy, Debug)]
pub(crate) enum PinHolder {
    Owner,
    Cashier(i64),
}

impl PinHolder {
    fn table(self) -> &'static str {
        match self {
            PinHolder::Owner => "owner_auth",
            PinHolder::Cashier(_) => "cashiers",
        }
    }

    fn id(self) -> i64 {
        match self {
            PinHolder::Owner => 1,
            PinHolder::Cashier(id) => id,
        }
    }
}

fn read_pin_auth(conn: &rusqlite::Connection, holder: PinHolder) -> Result<Option<OwnerAuth>> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT pin_phc, failed_attempts, locked_until FROM {} WHERE id = ?1",
                holder.table()
            ),
            [holder.id()],
            |r| {
                Ok(OwnerAuth {
                    pin_phc: r.get(0)?,
                    failed_attempts: r.get(1)?,
                    locked_until: r
                        .get::<_, Option<String>>(2)?
                        .map(|s| parse_ts(&s))
                        .transpose()?,
                })
            },
        )
        .optional()?)
}

/// One PIN check in progress: it holds SQLite's write lock (`BEGIN
/// IMMEDIATE`), so no other thread or process can check a PIN, or count a
/// failure, until it ends. 32 guesses at once are 32 checks in a row.
pub struct OwnerAttempt<'a>(&'a Transaction<'a>, PinHolder);

impl OwnerAttempt<'_> {
    pub fn auth(&self) -> Result<Option<OwnerAuth>> {
        read_pin_auth(self.0, self.1)
    }

    /// Counts one failed attempt (an atomic `+ 1` on the stored count, never
    /// a count read earlier) and sets the lock-out `wait` gives for the new
    /// count; returns the new count.
    pub fn fail(
        &self,
        now: DateTime<Utc>,
        wait: impl Fn(u32) -> Option<chrono::Duration>,
    ) -> Result<u32> {
        let table = self.1.table();
        let failed: u32 = self.0.query_row(
            &format!(
                "UPDATE {table} SET failed_attempts = failed_attempts + 1, updated_at = ?1
                 WHERE id = ?2 RETURNING failed_attempts"
            ),
            params![timestamp(now), self.1.id()],
            |r| r.get(0),
        )?;
        self.0.execute(
            &format!("UPDATE {table} SET locked_until = ?1 WHERE id = ?2"),
            params![wait(failed).map(|w| timestamp(now + w)), self.1.id()],
        )?;
        Ok(failed)
    }

    /// The right PIN: the count starts again.
    pub fn succeed(&self, now: DateTime<Utc>) -> Result<()> {
        self.0.execute(
            &format!(
                "UPDATE {} SET failed_attempts = 0, locked_until = NULL, updated_at = ?1
                 WHERE id = ?2 AND (failed_attempts <> 0 OR locked_until IS NOT NULL)",
                self.1.table()
            ),
            params![timestamp(now), self.1.id()],
        )?;
        Ok(())
    }
}

impl Ledger {
    pub fn owner_auth(&self) -> Result<Option<OwnerAuth>> {
        read_owner_auth(&self.conn())
    }

    /// Runs one PIN check inside an immediate transaction that is committed
    /// whatever `check` answers: a wrong PIN's count must be kept, and it is
    /// an `Err`.
    pub fn owner_attempt<T>(&self, check: impl FnOnce(&OwnerAttempt) -> Result<T>) -> Result<T> {
        self.pin_attempt(PinHolder::Owner, check)
    }

    /// As [`Ledger::owner_attempt`], for the PIN of `holder`.
    pub(crate) fn pin_attempt<T>(
        &self,
        holder: PinHolder,
        check: impl FnOnce(&OwnerAttempt) -> Result<T>,
    ) -> Result<T> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let outcome = check(&OwnerAttempt(&tx, holder));
        tx.commit()?;
        outcome
    }

    /// Stores a new PIN hash; a new PIN starts with a clean slate of attempts.
    pub fn set_owner_pin(&self, pin_phc: &str) -> Result<()> {
        self.conn().execute(
            "INSERT INTO owner_auth (id, pin_phc, failed_attempts, locked_until, updated_at)
             VALUES (1, ?1, 0, NULL, ?2)
             ON CONFLICT(id) DO UPDATE SET pin_phc = excluded.pin_phc, failed_attempts = 0,
                 locked_until = NULL, updated_at = excluded.updated_at",
            params![pin_phc, timestamp(Utc::now())],
        )?;
        Ok(())
    }

    pub fn set_owner_attempts(
        &self,
        failed_attempts: u32,
        locked_until: Option<DateTime<Utc>>,
    ) -> Result<()> {
        self.conn().execute(
            "UPDATE owner_auth SET failed_attempts = ?1, locked_until = ?2, updated_at = ?3
             WHERE id = 1",
            params![
                failed_attempts,
                locked_until.map(timestamp),
                timestamp(Utc::now())
            ],
        )?;
        Ok(())
    }

    /// Sales created in `[from, to)`, oldest first; `None` leaves that end open.
    pub fn sales_created_between(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<Sale>> {
        // Timestamps are stored in one fixed format (UTC, milliseconds, `Z`),
        // so comparing the text orders them as times.
        let from = from.map(timestamp).unwrap_or_default();
        let to = to.map(timestamp).unwrap_or_else(|| "9999".into());
        self.with_db(|db, _| {
            db.all(
                &format!(
                    "{} WHERE created_at >= ?1 AND created_at < ?2 ORDER BY created_at, id",
                    select_sale(db.backend())
                ),
                args![from, to],
                sale_from_row,
            )
        })
    }

    /// The shop's turn to send a withdrawal from `gateway`'s account, held
    /// until dropped. Tills of one shop share the gateway account, so on a
    /// shared ledger one till at a time sends one (a session lock on the
    /// server, given back if the till's connection drops); another till
    /// asking meanwhile is told to wait. A till of its own needs no turn.
    pub fn withdrawal_turn(&self, gateway: &str) -> Result<WithdrawalTurn<'_>> {
        let Some(shared) = &self.shared else {
            return Ok(WithdrawalTurn {
                ledger: self,
                key: None,
            });
        };
        // FNV-1a of the gateway's name, under a prefix of Cryptill's own.
        let hash = gateway.bytes().fold(0x811c_9dc5_u32, |h, b| {
            (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
        });
        let key = (0x5749_5448_i64 << 32) | i64::from(hash);
        if !lock(&shared.pg).try_lock(key)? {
            return Err(crate::Error::not_allowed(Said::withdrawal_busy_elsewhere()));
        }
        Ok(WithdrawalTurn {
            ledger: self,
            key: Some(key),
        })
    }

    /// Records a withdrawal request before the gateway hears of it.
    pub fn begin_withdrawal_request(
        &self,
        gateway: &str,
        coin: &str,
        amount: &str,
        address: &str,
    ) -> Result<i64> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO withdrawal_requests (gateway, coin, amount, address, requested_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![gateway, coin, amount, address, timestamp(Utc::now())],
        )?;
        Ok(conn.last_insert_rowid())
    }

    /// Records the gateway's answer: `message` in English, and `said`, the
    /// same answer's sentence where it has one.
    pub fn answer_withdrawal_request(
        &self,
        id: i64,
        outcome: &str,
        message: &str,
        said: Option<&Said>,
        gateway_withdrawal_id: Option<&str>,
    ) -> Result<WithdrawalRequest> {
        self.conn().execute(
            "UPDATE withdrawal_requests SET outcome = ?1, message = ?2, message_said = ?3,
                 gateway_withdrawal_id = ?4, answered_at = ?5 WHERE id = ?6",
            params![
                outcome,
                message,
                said.map(Said::to_stored),
                gateway_withdrawal_id,
                timestamp(Utc::now()),
                id
            ],
        )?;
        self.withdrawal_requests()?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or_else(|| crate::Error::not_found(Said::withdrawal_not_found(id)))
    }

    /// Every withdrawal request, newest first.
    pub fn withdrawal_requests(&self) -> Result<Vec<WithdrawalRequest>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, gateway, coin, amount, address, requested_at, outcome, message,
                    gateway_withdrawal_id, answered_at, message_said
             FROM withdrawal_requests ORDER BY id DESC",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(WithdrawalRequest {
                    id: r.get(0)?,
                    gateway: r.get(1)?,
                    coin: r.get(2)?,
                    amount: r.get(3)?,
                    address: r.get(4)?,
                    requested_at: r.get(5)?,
                    outcome: r.get(6)?,
                    message: r.get(7)?,
                    said: Said::from_stored(r.get(10)?),
                    gateway_withdrawal_id: r.get(8)?,
                    answered_at: r.get(9)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

/// See [`Ledger::withdrawal_turn`].
pub struct WithdrawalTurn<'a> {
    ledger: &'a Ledger,
    key: Option<i64>,
}

impl Drop for WithdrawalTurn<'_> {
    fn drop(&mut self) {
        if let (Some(key), Some(shared)) = (self.key, &self.ledger.shared) {
            lock(&shared.pg).unlock(key);
        }
    }
}
