//! Receipts that printed by themselves (schema: `receipt_prints`): the
//! claim that makes one process print a paid sale's receipt, and how it went.

use rusqlite::params;

use super::{timestamp, Ledger};
use crate::error::Result;

impl Ledger {
    /// Claims the automatic print of a sale's receipt; `false` if another
    /// process (or an earlier run) already did.
    pub fn claim_auto_print(&self, sale_id: i64) -> Result<bool> {
        let inserted = self.conn().execute(
            "INSERT OR IGNORE INTO receipt_prints (sale_id, claimed_at) VALUES (?1, ?2)",
            params![sale_id, timestamp(crate::clock::now())],
        )?;
        Ok(inserted == 1)
    }

    /// Records how the automatic print went: `None` printed, else why not.
    pub fn record_auto_print(&self, sale_id: i64, error: Option<&str>) -> Result<()> {
        let now = timestamp(crate::clock::now());
        self.conn().execute(
            "UPDATE receipt_prints SET printed_at = CASE WHEN ?2 IS NULL THEN ?3 END, error = ?2
             WHERE sale_id = ?1",
            params![sale_id, error, now],
        )?;
        Ok(())
    }

    /// How a sale's automatic print went.
    pub fn auto_print(&self, sale_id: i64) -> Result<AutoPrint> {
        use rusqlite::OptionalExtension;
        let row: Option<(Option<String>, Option<String>)> = self
            .conn()
            .query_row(
                "SELECT printed_at, error FROM receipt_prints WHERE sale_id = ?1",
                [sale_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
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
