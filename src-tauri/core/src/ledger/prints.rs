//! Receipts that printed by themselves (schema: `receipt_prints`): the
//! claim that makes one process print a paid sale's receipt, and how it went.
//! Kept with the sales (on the shared ledger when there is one), in SQL both
//! databases speak.

use super::db::args;
use super::{timestamp, Ledger};
use crate::error::Result;

impl Ledger {
    /// Claims the automatic print of a sale's receipt; `false` if another
    /// process (or an earlier run) already did.
    pub fn claim_auto_print(&self, sale_id: i64) -> Result<bool> {
        let now = timestamp(self.now());
        let inserted = self.with_db(|db, _| {
            db.execute(
                "INSERT INTO receipt_prints (sale_id, claimed_at) VALUES (?1, ?2)
                 ON CONFLICT DO NOTHING",
                args![sale_id, now],
            )
        })?;
        Ok(inserted == 1)
    }

    /// Records how the automatic print went: `None` printed, else why not.
    pub fn record_auto_print(&self, sale_id: i64, error: Option<&str>) -> Result<()> {
        let now = timestamp(self.now());
        let printed_at = error.is_none().then_some(now);
        self.with_db(|db, _| {
            db.execute(
                "UPDATE receipt_prints SET printed_at = ?2, error = ?3 WHERE sale_id = ?1",
                args![sale_id, printed_at, error],
            )
        })?;
        Ok(())
    }

    /// How a sale's automatic print went.
    pub fn auto_print(&self, sale_id: i64) -> Result<AutoPrint> {
        let row = self.with_db(|db, _| {
            db.first(
                "SELECT printed_at, error FROM receipt_prints WHERE sale_id = ?1",
                args![sale_id],
                |r| Ok((r.opt_text(0)?, r.opt_text(1)?)),
            )
        })?;
        Ok(match row {
            None => AutoPrint::NotTried,
            Some((Some(_), _)) => AutoPrint::Printed,
            Some((None, Some(error))) => AutoPrint::Failed(error),
            Some((None, None)) => AutoPrint::Printing,
        })
    }
}

/// Where a sale's automatic receipt is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AutoPrint {
    NotTried,
    Printing,
    Printed,
    Failed(String),
}
