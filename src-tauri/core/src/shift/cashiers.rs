//! The owner's cashiers: a name and a 4-8 digit PIN each, hashed and
//! locked out like the owner PIN.

use crate::said::Said;
use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::ledger::{CashierRecord, Ledger, PinHolder};
use crate::owner::{pin, Unlocked};
use crate::sale::timestamp;
use crate::secret::Sensitive;

/// A cashier as the owner's screen and `cryptill cashier list` show them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CashierInfo {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub enabled: bool,
    /// Seconds their sign-in stays locked after wrong PINs; `None`: not locked.
    #[ts(type = "number | null")]
    pub locked_seconds: Option<i64>,
    /// RFC 3339 UTC.
    pub created_at: String,
}

impl CashierInfo {
    pub(super) fn of(c: &CashierRecord, now: DateTime<Utc>) -> Self {
        Self {
            id: c.id,
            name: c.name.clone(),
            enabled: c.disabled_at.is_none(),
            locked_seconds: super::locked_seconds(c.locked_until, now),
            created_at: timestamp(c.created_at),
        }
    }
}

/// A cashier's PIN is 4 to 8 digits: quick on the keypad at every
/// sign-in; the lock-out keeps guessing slow.
pub fn check_cashier_pin(pin: &str) -> Result<()> {
    if !(4..=8).contains(&pin.chars().count()) || !pin.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::input(Said::cashier_pin_rule()));
    }
    Ok(())
}

/// A name as shown on the till and the reports: 1 to 40 characters, no
/// control characters, spaces at the ends dropped.
pub(super) fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 40 || name.chars().any(char::is_control) {
        return Err(Error::input(Said::cashier_name_rule()));
    }
    Ok(name.to_string())
}

pub(super) fn named(ledger: &Ledger, name: &str) -> Result<CashierRecord> {
    ledger
        .cashier_named(name)?
        .ok_or_else(|| Error::not_found(Said::cashier_not_found(name.trim())))
}

pub(super) fn add(
    _: &Unlocked,
    ledger: &Ledger,
    name: &str,
    pin: &Sensitive<String>,
) -> Result<super::CashierInfo> {
    let name = check_name(name)?;
    check_cashier_pin(pin.expose())?;
    // A cashier who knew the owner's PIN would hold owner mode: the owner
    // (who is here, unlocked) is told to choose another.
    if let Some(owner) = ledger.owner_auth()? {
        if pin::matches(pin, &owner.pin_phc)? {
            return Err(Error::input(Said::cashier_pin_is_owner_pin()));
        }
    }
    let added = ledger.add_cashier(&name, &pin::hash_checked(pin)?)?;
    Ok(CashierInfo::of(&added, crate::clock::now()))
}

/// The cashier `name`, if enabled and `pin` is theirs (counted and locked
/// out per cashier, like the owner PIN).
pub(super) fn verify(
    ledger: &Ledger,
    name: &str,
    pin: &Sensitive<String>,
) -> Result<CashierRecord> {
    let cashier = named(ledger, name)?;
    if cashier.disabled_at.is_some() {
        return Err(Error::not_allowed(Said::cashier_disabled(&cashier.name)));
    }
    pin::verify_holder(
        ledger,
        PinHolder::Cashier(cashier.id),
        Some(&cashier.name),
        pin,
        crate::clock::now(),
    )?;
    Ok(cashier)
}
