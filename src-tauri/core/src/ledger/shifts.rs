//! The cashiers' and shifts' tables: who may sell, which shift is open and
//! who sells in it now, every sign-in, and each closed shift's Z report as
//! it was made.

use crate::said::Said;
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row, Transaction};

use super::db::{args, Db, SqliteDb};
use super::{parse_ts, sale_from_row, select_sale, timestamp, write_tx, Ledger, Sale};
use crate::error::{Error, Result};

/// A cashier as the ledger holds it (the PIN hash stays in the ledger).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CashierRecord {
    pub id: i64,
    pub name: String,
    pub disabled_at: Option<DateTime<Utc>>,
    pub failed_attempts: u32,
    pub locked_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A shift: open (no `closed_at`) or closed with its Z number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShiftRecord {
    pub id: i64,
    pub number: Option<u32>,
    pub opened_at: DateTime<Utc>,
    pub opened_by: String,
    /// Who sells now (or sold last, once closed).
    pub cashier_id: i64,
    pub cashier: String,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<String>,
}

/// A sign-in (`open`, `switch`) or the `close` of a shift.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShiftEvent {
    pub kind: String,
    pub cashier: String,
    pub at: DateTime<Utc>,
}

const SELECT_CASHIER: &str =
    "SELECT id, name, disabled_at, failed_attempts, locked_until, created_at FROM cashiers";

fn cashier_from_row(r: &Row<'_>) -> rusqlite::Result<CashierRecord> {
    let opt_ts = |i: usize| -> rusqlite::Result<Option<DateTime<Utc>>> {
        r.get::<_, Option<String>>(i)?
            .map(|s| parse_ts(&s))
            .transpose()
    };
    Ok(CashierRecord {
        id: r.get(0)?,
        name: r.get(1)?,
        disabled_at: opt_ts(2)?,
        failed_attempts: r.get(3)?,
        locked_until: opt_ts(4)?,
        created_at: parse_ts(&r.get::<_, String>(5)?)?,
    })
}

const SELECT_SHIFT: &str = "SELECT s.id, s.number, s.opened_at,
    (SELECT name FROM cashiers WHERE id = s.opened_by),
    s.cashier_id, (SELECT name FROM cashiers WHERE id = s.cashier_id),
    s.closed_at, (SELECT name FROM cashiers WHERE id = s.closed_by) FROM shifts s";

fn shift_from_row(r: &Row<'_>) -> rusqlite::Result<ShiftRecord> {
    Ok(ShiftRecord {
        id: r.get(0)?,
        number: r.get(1)?,
        opened_at: parse_ts(&r.get::<_, String>(2)?)?,
        opened_by: r.get(3)?,
        cashier_id: r.get(4)?,
        cashier: r.get(5)?,
        closed_at: r
            .get::<_, Option<String>>(6)?
            .map(|s| parse_ts(&s))
            .transpose()?,
        closed_by: r.get(7)?,
    })
}

fn open_shift_in(conn: &rusqlite::Connection) -> Result<Option<ShiftRecord>> {
    Ok(conn
        .query_row(
            &format!("{SELECT_SHIFT} WHERE s.closed_at IS NULL"),
            [],
            shift_from_row,
        )
        .optional()?)
}

/// The shift a new sale belongs to, and its cashier, read inside the
/// sale's own transaction: the one rule for every door (window, IPC,
/// command line, "try again"). `None`: no cashier is set up, so the sale
/// has none.
pub(super) fn selling_shift(db: &mut dyn Db) -> Result<Option<(i64, i64)>> {
    let open = db.first(
        "SELECT id, cashier_id FROM shifts WHERE closed_at IS NULL",
        &[],
        |r| Ok((r.int(0)?, r.int(1)?)),
    )?;
    if open.is_some() {
        return Ok(open);
    }
    let any_cashier = db.int(
        "SELECT EXISTS (SELECT 1 FROM cashiers WHERE disabled_at IS NULL)",
        &[],
    )? != 0;
    if any_cashier {
        return Err(Error::not_allowed(Said::no_shift_for_sale()));
    }
    Ok(None)
}

impl Ledger {
    /// Refuses, with the sentence, what the sale's own transaction would
    /// refuse (cashiers set up and no shift open), so a charge that will be
    /// refused asks the gateway nothing. The sale's transaction checks
    /// again.
    pub fn check_can_sell(&self) -> Result<()> {
        selling_shift(&mut SqliteDb(&self.conn())).map(|_| ())
    }

    pub fn add_cashier(&self, name: &str, pin_phc: &str) -> Result<CashierRecord> {
        let now = timestamp(crate::clock::now());
        let conn = self.conn();
        let inserted = conn.execute(
            "INSERT INTO cashiers (name, pin_phc, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)
             ON CONFLICT DO NOTHING",
            params![name, pin_phc, now],
        )?;
        if inserted == 0 {
            return Err(Error::input(Said::cashier_name_taken(name)));
        }
        let id = conn.last_insert_rowid();
        drop(conn);
        self.cashier(id)
    }

    pub fn cashier(&self, id: i64) -> Result<CashierRecord> {
        self.conn()
            .query_row(
                &format!("{SELECT_CASHIER} WHERE id = ?1"),
                [id],
                cashier_from_row,
            )
            .optional()?
            .ok_or_else(|| Error::not_found(Said::cashier_number_not_found(id)))
    }

    /// A cashier by name, whatever the case of the letters.
    pub fn cashier_named(&self, name: &str) -> Result<Option<CashierRecord>> {
        Ok(self
            .conn()
            .query_row(
                &format!("{SELECT_CASHIER} WHERE name = ?1 COLLATE NOCASE"),
                [name.trim()],
                cashier_from_row,
            )
            .optional()?)
    }

    /// Every cashier, in the order they were added.
    pub fn cashiers(&self) -> Result<Vec<CashierRecord>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!("{SELECT_CASHIER} ORDER BY id"))?;
        let rows = stmt
            .query_map([], cashier_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn rename_cashier(&self, id: i64, name: &str) -> Result<CashierRecord> {
        let changed = self.conn().execute(
            "UPDATE OR IGNORE cashiers SET name = ?1, updated_at = ?2 WHERE id = ?3",
            params![name, timestamp(crate::clock::now()), id],
        )?;
        if changed == 0 {
            return Err(Error::input(Said::cashier_name_taken(name)));
        }
        self.cashier(id)
    }

    /// Disables (or enables again) a cashier: a disabled one cannot sign
    /// in; their sales keep their name.
    pub fn set_cashier_enabled(&self, id: i64, enabled: bool) -> Result<CashierRecord> {
        let now = timestamp(crate::clock::now());
        self.conn().execute(
            "UPDATE cashiers SET disabled_at = CASE WHEN ?1 THEN NULL ELSE COALESCE(disabled_at, ?2) END,
                 updated_at = ?2 WHERE id = ?3",
            params![enabled, now, id],
        )?;
        self.cashier(id)
    }

    pub fn open_shift(&self) -> Result<Option<ShiftRecord>> {
        open_shift_in(&self.conn())
    }

    /// Opens a shift with `cashier_id` selling; refused while one is open.
    pub fn begin_shift(&self, cashier_id: i64) -> Result<ShiftRecord> {
        let now = timestamp(crate::clock::now());
        let mut conn = self.conn();
        let tx = write_tx(&mut conn)?;
        if let Some(open) = open_shift_in(&tx)? {
            return Err(Error::not_allowed(Said::shift_opened_already(
                &open.opened_by,
                timestamp(open.opened_at),
            )));
        }
        tx.execute(
            "INSERT INTO shifts (opened_at, opened_by, cashier_id) VALUES (?1, ?2, ?2)",
            params![now, cashier_id],
        )?;
        let id = tx.last_insert_rowid();
        record_event(&tx, id, "open", cashier_id, &now)?;
        tx.commit()?;
        drop(conn);
        self.shift(id)
    }

    /// Another cashier takes over the open shift.
    pub fn switch_shift_cashier(&self, cashier_id: i64) -> Result<ShiftRecord> {
        let now = timestamp(crate::clock::now());
        let mut conn = self.conn();
        let tx = write_tx(&mut conn)?;
        let open = open_shift_in(&tx)?.ok_or_else(no_open_shift)?;
        tx.execute(
            "UPDATE shifts SET cashier_id = ?1 WHERE id = ?2",
            params![cashier_id, open.id],
        )?;
        record_event(&tx, open.id, "switch", cashier_id, &now)?;
        tx.commit()?;
        drop(conn);
        self.shift(open.id)
    }

    /// Closes shift `id` (still open) at `closed_at` as number `number`
    /// (the next after the last), storing its Z report as made. Fails,
    /// changing nothing, if the shift was closed meanwhile.
    pub fn end_shift(
        &self,
        id: i64,
        number: u32,
        closed_at: DateTime<Utc>,
        z_report_json: &str,
    ) -> Result<ShiftRecord> {
        let at = timestamp(closed_at);
        let mut conn = self.conn();
        let tx = write_tx(&mut conn)?;
        let open = open_shift_in(&tx)?.filter(|s| s.id == id);
        let Some(open) = open else {
            return Err(no_open_shift());
        };
        if next_number_in(&tx)? != number {
            return Err(Error::not_allowed(Said::shift_closed_meanwhile()));
        }
        tx.execute(
            "UPDATE shifts SET closed_at = ?1, closed_by = cashier_id, number = ?2, z_report = ?3
             WHERE id = ?4 AND closed_at IS NULL",
            params![at, number, z_report_json, id],
        )?;
        record_event(&tx, id, "close", open.cashier_id, &at)?;
        tx.commit()?;
        drop(conn);
        self.shift(id)
    }

    /// The Z number the next closed shift gets: 1, 2, 3...
    pub fn next_shift_number(&self) -> Result<u32> {
        next_number_in(&self.conn())
    }

    pub fn shift(&self, id: i64) -> Result<ShiftRecord> {
        self.conn()
            .query_row(
                &format!("{SELECT_SHIFT} WHERE s.id = ?1"),
                [id],
                shift_from_row,
            )
            .optional()?
            .ok_or_else(|| Error::not_found(Said::shift_not_found(id)))
    }

    /// Closed shifts, newest first.
    pub fn closed_shifts(&self) -> Result<Vec<ShiftRecord>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "{SELECT_SHIFT} WHERE s.number IS NOT NULL ORDER BY s.number DESC"
        ))?;
        let rows = stmt
            .query_map([], shift_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The Z report stored when shift `number` closed, as it was made.
    pub fn stored_z_report(&self, number: u32) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT z_report FROM shifts WHERE number = ?1",
                [number],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }

    /// When the last Z report was made, if any.
    pub fn last_close(&self) -> Result<Option<DateTime<Utc>>> {
        let at: Option<String> = self.conn().query_row(
            "SELECT MAX(closed_at) FROM shifts WHERE number IS NOT NULL",
            [],
            |r| r.get(0),
        )?;
        Ok(at.map(|s| parse_ts(&s)).transpose()?)
    }

    pub fn shift_events(&self, shift_id: i64) -> Result<Vec<ShiftEvent>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT e.kind, c.name, e.at FROM shift_events e JOIN cashiers c ON c.id = e.cashier_id
             WHERE e.shift_id = ?1 ORDER BY e.id",
        )?;
        let rows = stmt
            .query_map([shift_id], |r| {
                Ok(ShiftEvent {
                    kind: r.get(0)?,
                    cashier: r.get(1)?,
                    at: parse_ts(&r.get::<_, String>(2)?)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The sales of one shift, oldest first.
    pub fn shift_sales(&self, shift_id: i64) -> Result<Vec<Sale>> {
        // Shift numbers are the till's own: on a shared ledger, its sales.
        self.with_db(|db, scope| {
            db.all(
                &format!(
                    "{} WHERE shift_id = ?1{} ORDER BY created_at, id",
                    select_sale(db.backend()),
                    scope.mine()
                ),
                args![shift_id],
                sale_from_row,
            )
        })
    }

    /// Sales of other shifts (or of none) that were paid, voided or paid
    /// late in `(after, until]`: what a shift reports of earlier sales.
    /// On a shared ledger, this till's sales.
    pub fn sales_settled_between(
        &self,
        shift_id: i64,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<Sale>> {
        self.with_db(|db, scope| {
            db.all(
                &format!(
                    "{} WHERE shift_id IS DISTINCT FROM ?1 AND (
                        (paid_at > ?2 AND paid_at <= ?3) OR (voided_at > ?2 AND voided_at <= ?3)
                        OR (late_payment_at > ?2 AND late_payment_at <= ?3)){} ORDER BY id",
                    select_sale(db.backend()),
                    scope.mine()
                ),
                args![shift_id, timestamp(after), timestamp(until)],
                sale_from_row,
            )
        })
    }
}

fn record_event(
    tx: &Transaction<'_>,
    shift: i64,
    kind: &str,
    cashier: i64,
    at: &str,
) -> Result<()> {
    tx.execute(
        "INSERT INTO shift_events (shift_id, kind, cashier_id, at) VALUES (?1, ?2, ?3, ?4)",
        params![shift, kind, cashier, at],
    )?;
    Ok(())
}

fn next_number_in(conn: &rusqlite::Connection) -> Result<u32> {
    let last: Option<u32> = conn.query_row("SELECT MAX(number) FROM shifts", [], |r| r.get(0))?;
    Ok(last.unwrap_or(0) + 1)
}

pub(crate) fn no_open_shift() -> Error {
    Error::not_allowed(Said::no_shift_open())
}
