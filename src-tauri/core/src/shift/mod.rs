//! Cashiers and shifts (issue 12). Without any cashier the till sells as it
//! always did (one implicit cashier, no shift). Once the owner adds one,
//! a sale needs an open shift: a cashier opens it with their PIN, others
//! take over within it (each sign-in recorded), and closing it makes its
//! Z report, numbered 1, 2, 3... and stored as made, never recomputed.
//!
//! The rule "no open shift, no sale" is checked where a sale is written
//! (`ledger::shifts::selling_shift`, in the sale's own transaction), so the
//! window, IPC, the command line and "try again" all meet it. A cashier's
//! PIN is checked like the owner's (`owner::pin`: argon2id, the same
//! lock-out, one check at a time) against the cashier's own row: it can
//! never unlock owner mode, which reads only the owner's.

mod cashiers;
mod report;

pub use cashiers::{check_cashier_pin, CashierInfo};
pub use report::{shift_report_text, CashierTotal, ShiftReport, SignIn};

use crate::said::Said;
use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::ledger::{Ledger, ShiftRecord};
use crate::money::Currency;
use crate::owner::Unlocked;
use crate::sale::timestamp;
use crate::secret::Sensitive;

/// The open shift, as the till's header shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OpenShift {
    #[ts(type = "number")]
    pub id: i64,
    /// RFC 3339 UTC.
    pub opened_at: String,
    pub opened_by: String,
    /// Who sells now.
    pub cashier: String,
}

/// Who may sell now, for the till's header and its sign-in screen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ShiftStatus {
    /// At least one cashier is set up: a sale needs an open shift.
    pub cashiers_set_up: bool,
    pub shift: Option<OpenShift>,
    /// The names of the cashiers who may sign in.
    pub cashiers: Vec<String>,
}

impl From<&ShiftRecord> for OpenShift {
    fn from(s: &ShiftRecord) -> Self {
        Self {
            id: s.id,
            opened_at: timestamp(s.opened_at),
            opened_by: s.opened_by.clone(),
            cashier: s.cashier.clone(),
        }
    }
}

/// The till's cashiers and shifts: `till.shifts()`, like `till.checkout()`.
pub struct Shifts<'a> {
    ledger: &'a Ledger,
    currency: Currency,
}

impl<'a> Shifts<'a> {
    /// Over `ledger`, reporting in the shop's `currency`.
    pub fn new(ledger: &'a Ledger, currency: Currency) -> Self {
        Self { ledger, currency }
    }

    pub fn status(&self) -> Result<ShiftStatus> {
        let cashiers: Vec<String> = self
            .ledger
            .cashiers()?
            .into_iter()
            .filter(|c| c.disabled_at.is_none())
            .map(|c| c.name)
            .collect();
        Ok(ShiftStatus {
            cashiers_set_up: !cashiers.is_empty(),
            shift: self.ledger.open_shift()?.as_ref().map(OpenShift::from),
            cashiers,
        })
    }

    /// A cashier opens a shift with their PIN. Refused while one is open.
    pub fn open(&self, name: &str, pin: &Sensitive<String>) -> Result<ShiftStatus> {
        // Checked before the PIN: a second shift is refused without
        // spending one of the cashier's tries.
        if let Some(open) = self.ledger.open_shift()? {
            return Err(Error::not_allowed(Said::shift_open_already(
                &open.cashier,
                timestamp(open.opened_at),
            )));
        }
        let cashier = cashiers::verify(self.ledger, name, pin)?;
        let shift = self.ledger.begin_shift(cashier.id)?;
        tracing::info!(shift = shift.id, cashier = %cashier.name, "shift opened");
        self.status()
    }

    /// Another cashier takes over the open shift with their PIN; recorded.
    pub fn switch(&self, name: &str, pin: &Sensitive<String>) -> Result<ShiftStatus> {
        self.ledger
            .open_shift()?
            .ok_or_else(crate::ledger::no_open_shift)?;
        let cashier = cashiers::verify(self.ledger, name, pin)?;
        self.ledger.switch_shift_cashier(cashier.id)?;
        tracing::info!(cashier = %cashier.name, "cashier switched");
        self.status()
    }

    /// The X report: the open shift so far. Changes nothing.
    pub fn x_report(&self) -> Result<ShiftReport> {
        let shift = self
            .ledger
            .open_shift()?
            .ok_or_else(crate::ledger::no_open_shift)?;
        report::make(
            self.ledger,
            &shift,
            None,
            // The ledger's clock (the server's on a shared ledger), the one
            // its sales, refunds and shifts are stamped with.
            self.ledger.now(),
            &self.currency,
        )
    }

    /// Closes the open shift: its Z report, with the next number, is made
    /// and stored in the same write as the close.
    pub fn close(&self) -> Result<ShiftReport> {
        let shift = self
            .ledger
            .open_shift()?
            .ok_or_else(crate::ledger::no_open_shift)?;
        let number = self.ledger.next_shift_number()?;
        let at = self.ledger.now();
        let mut z = report::make(self.ledger, &shift, Some(number), at, &self.currency)?;
        z.closed_at = Some(timestamp(at));
        z.closed_by = Some(shift.cashier.clone());
        // The close is recorded with the Z, in the same write.
        z.sign_ins.push(SignIn {
            kind: "close".into(),
            cashier: shift.cashier.clone(),
            at: timestamp(at),
        });
        let json = serde_json::to_string(&z)
            .map_err(|e| Error::storage(Said::z_report_cannot_write(e)))?;
        self.ledger.end_shift(shift.id, number, at, &json)?;
        // The ledger stamps in milliseconds and a Z covers (last Z, at]:
        // anything done after the close must be stamped after `at`, or it
        // would count in this Z and not the next. Wait out the close's
        // millisecond (at most one) before the till goes on.
        while self.ledger.now().timestamp_millis() <= at.timestamp_millis() {
            std::thread::sleep(std::time::Duration::from_micros(200));
        }
        tracing::info!(shift = shift.id, number, "shift closed");
        Ok(z)
    }

    /// Z report `number` read back as it was made.
    pub fn z_report(&self, _: &Unlocked, number: u32) -> Result<ShiftReport> {
        stored(self.ledger, number)
    }

    /// Every Z report, newest first.
    pub fn z_history(&self, _: &Unlocked) -> Result<Vec<ShiftReport>> {
        self.ledger
            .closed_shifts()?
            .iter()
            .filter_map(|s| s.number)
            .map(|n| stored(self.ledger, n))
            .collect()
    }

    pub fn cashiers(&self, _: &Unlocked) -> Result<Vec<CashierInfo>> {
        let now = crate::clock::now();
        Ok(self
            .ledger
            .cashiers()?
            .iter()
            .map(|c| CashierInfo::of(c, now))
            .collect())
    }

    /// The owner adds a cashier with their PIN (4 to 8 digits).
    pub fn add_cashier(
        &self,
        ok: &Unlocked,
        name: &str,
        pin: &Sensitive<String>,
    ) -> Result<CashierInfo> {
        cashiers::add(ok, self.ledger, name, pin)
    }

    pub fn rename_cashier(&self, _: &Unlocked, name: &str, new_name: &str) -> Result<CashierInfo> {
        let cashier = cashiers::named(self.ledger, name)?;
        let new_name = cashiers::check_name(new_name)?;
        let renamed = self.ledger.rename_cashier(cashier.id, &new_name)?;
        Ok(CashierInfo::of(&renamed, crate::clock::now()))
    }

    /// Disables a cashier (`enabled: false`) or lets them sign in again. A
    /// disabled cashier selling in the open shift goes on until someone
    /// else signs in or the shift closes.
    pub fn set_cashier_enabled(
        &self,
        _: &Unlocked,
        name: &str,
        enabled: bool,
    ) -> Result<CashierInfo> {
        let cashier = cashiers::named(self.ledger, name)?;
        let changed = self.ledger.set_cashier_enabled(cashier.id, enabled)?;
        Ok(CashierInfo::of(&changed, crate::clock::now()))
    }
}

fn stored(ledger: &Ledger, number: u32) -> Result<ShiftReport> {
    let json = ledger
        .stored_z_report(number)?
        .ok_or_else(|| Error::not_found(Said::z_report_not_found(number)))?;
    serde_json::from_str(&json).map_err(|e| Error::storage(Said::z_report_unreadable(number, e)))
}

/// Seconds of a lock-out still to run at `now`, if any.
fn locked_seconds(until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<i64> {
    until
        .filter(|u| *u > now)
        .map(|u| (u - now).num_seconds().max(1))
}
