//! The owner PIN: argon2id, stored as a PHC string (salt and parameters
//! inside, never the PIN), with a lock-out that grows after repeated wrong
//! PINs and lives in the ledger, so restarting the app does not reset it.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Duration, Utc};

use crate::error::{Error, Result};
use crate::ledger::Ledger;
use crate::secret::Sensitive;

/// Wrong PINs allowed before the first wait: enough for a typo or two.
pub const FREE_ATTEMPTS: u32 = 3;
/// The first wait; it doubles with each further wrong PIN.
const FIRST_WAIT_SECONDS: i64 = 30;
/// The longest wait, so an owner who forgot the PIN can still try later today.
const MAX_WAIT_SECONDS: i64 = 60 * 60;

/// The wait after `failed_attempts` wrong PINs in a row.
pub fn lockout_after(failed_attempts: u32) -> Option<Duration> {
    let over = failed_attempts.checked_sub(FREE_ATTEMPTS)?;
    let seconds = FIRST_WAIT_SECONDS
        .saturating_mul(1i64 << over.min(20))
        .min(MAX_WAIT_SECONDS);
    Some(Duration::seconds(seconds))
}

/// A PIN is 4 to 12 digits: typed on the till's keypad, long enough that
/// the lock-out makes guessing impractical.
pub fn check_pin_rules(pin: &str) -> Result<()> {
    if !(4..=12).contains(&pin.chars().count()) || !pin.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::Input("The owner PIN must be 4 to 12 digits.".into()));
    }
    Ok(())
}

pub fn hash_pin(pin: &Sensitive<String>) -> Result<String> {
    check_pin_rules(pin.expose())?;
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt)
        .map_err(|e| Error::Storage(format!("Cannot get random bytes for the PIN ({e}).")))?;
    let salt = SaltString::encode_b64(&salt)
        .map_err(|e| Error::Storage(format!("Cannot salt the PIN ({e}).")))?;
    // Argon2::default() is argon2id with the crate's recommended costs.
    Argon2::default()
        .hash_password(pin.expose().as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Storage(format!("Cannot hash the PIN ({e}).")))
}

fn matches(pin: &Sensitive<String>, phc: &str) -> Result<bool> {
    let parsed = PasswordHash::new(phc).map_err(|e| {
        Error::Storage(format!(
            "The stored owner PIN is damaged ({e}). Set a new one with `cryptill owner pin set`."
        ))
    })?;
    Ok(Argon2::default()
        .verify_password(pin.expose().as_bytes(), &parsed)
        .is_ok())
}

pub fn is_set(ledger: &Ledger) -> Result<bool> {
    Ok(ledger.owner_auth()?.is_some())
}

/// Sets the PIN the first time. Replacing an existing PIN needs the current
/// one ([`change`]), so a cashier cannot take over owner mode.
pub fn set_first(ledger: &Ledger, pin: &Sensitive<String>) -> Result<()> {
    if is_set(ledger)? {
        return Err(Error::NotAllowed(
            "An owner PIN is already set. Unlock owner mode with it to change it.".into(),
        ));
    }
    ledger.set_owner_pin(&hash_pin(pin)?)
}

/// Replaces the PIN after checking the current one (which counts as an attempt).
pub fn change(
    ledger: &Ledger,
    current: &Sensitive<String>,
    new: &Sensitive<String>,
    now: DateTime<Utc>,
) -> Result<()> {
    check_pin_rules(new.expose())?;
    verify(ledger, current, now)?;
    ledger.set_owner_pin(&hash_pin(new)?)
}

/// Checks `pin`, counting wrong ones. While a lock-out runs, the PIN is not
/// even checked, so the wait cannot be skipped by guessing right.
pub fn verify(ledger: &Ledger, pin: &Sensitive<String>, now: DateTime<Utc>) -> Result<()> {
    let Some(auth) = ledger.owner_auth()? else {
        return Err(Error::NotAllowed(
            "No owner PIN is set yet. Set one first (the window asks for it, or run `cryptill owner pin set`).".into(),
        ));
    };
    if let Some(until) = auth.locked_until.filter(|until| *until > now) {
        // Rounded up: "0 more seconds" while still locked would be a lie.
        let seconds = ((until - now).num_milliseconds() + 999)
            .div_euclid(1000)
            .max(1);
        return Err(Error::NotAllowed(format!(
            "Too many wrong PINs. Owner mode is locked for {seconds} more second(s); try again then."
        )));
    }
    if matches(pin, &auth.pin_phc)? {
        if auth.failed_attempts > 0 || auth.locked_until.is_some() {
            ledger.set_owner_attempts(0, None)?;
        }
        return Ok(());
    }
    let failed = auth.failed_attempts.saturating_add(1);
    let wait = lockout_after(failed);
    ledger.set_owner_attempts(failed, wait.map(|w| now + w))?;
    Err(match wait {
        Some(wait) => Error::NotAllowed(format!(
            "Wrong PIN. Owner mode is locked for {} second(s) after {failed} wrong PINs.",
            wait.num_seconds()
        )),
        None => Error::Input(format!(
            "Wrong PIN. {} more try(s) before owner mode locks for a while.",
            FREE_ATTEMPTS - failed
        )),
    })
}
