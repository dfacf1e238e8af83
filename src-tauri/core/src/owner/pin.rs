//! The owner PIN: argon2id, stored as a PHC string (salt and parameters
//! inside, never the PIN), with a lock-out that grows after repeated wrong
//! PINs and lives in the ledger, so restarting the app does not reset it.

use crate::said::Said;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, Duration, Utc};

use crate::error::{Error, Result};
use crate::ledger::{Ledger, PinHolder};
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
        return Err(Error::input(Said::owner_pin_rule()));
    }
    Ok(())
}

/// argon2id with 19 MiB of memory, 2 passes, 1 lane: OWASP's first
/// recommended setting (Password Storage Cheat Sheet), sized for the counter
/// laptop: a check takes a fraction of a second there (docs/reliability.md,
/// "Owner PIN lock-out", has the figure measured), short for the owner, and
/// together with the one-at-a-time rule and the lock-out it
/// keeps a guesser to a handful of tries an hour. Memory-hard, so a GPU copy
/// of the ledger gains little. Hashes made with other parameters still
/// verify: the PHC string carries its own.
pub const ARGON2_MEMORY_KIB: u32 = 19 * 1024;
pub const ARGON2_PASSES: u32 = 2;
pub const ARGON2_LANES: u32 = 1;

fn argon2() -> Argon2<'static> {
    let params = Params::new(ARGON2_MEMORY_KIB, ARGON2_PASSES, ARGON2_LANES, None)
        .expect("constant argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash_pin(pin: &Sensitive<String>) -> Result<String> {
    check_pin_rules(pin.expose())?;
    hash_checked(pin)
}

/// The argon2id PHC string of a PIN that passed its rules (the owner's
/// above, a cashier's in `shift::cashiers`).
pub(crate) fn hash_checked(pin: &Sensitive<String>) -> Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| Error::storage(Said::pin_no_random(e)))?;
    let salt =
        SaltString::encode_b64(&salt).map_err(|e| Error::storage(Said::pin_cannot_salt(e)))?;
    argon2()
        .hash_password(pin.expose().as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::storage(Said::pin_cannot_hash(e)))
}

pub(crate) fn matches(pin: &Sensitive<String>, phc: &str) -> Result<bool> {
    let parsed = PasswordHash::new(phc).map_err(|e| Error::storage(Said::owner_pin_damaged(e)))?;
    Ok(argon2()
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
        return Err(Error::not_allowed(Said::owner_pin_set_already()));
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

/// Checks `pin`, counting wrong ones. One check at a time, across threads
/// and processes: the check runs inside an immediate transaction on the
/// ledger, and each failure is an atomic `+ 1` in it, so 32 guesses at once
/// count 32 failures. While a lock-out runs the PIN is not even checked and
/// every try counts as a failure (and lengthens the wait): the right PIN is
/// refused like a wrong one, so a lock-out cannot be skipped by guessing,
/// and the answer tells a guesser nothing about the PIN.
pub fn verify(ledger: &Ledger, pin: &Sensitive<String>, now: DateTime<Utc>) -> Result<()> {
    verify_holder(ledger, PinHolder::Owner, None, pin, now)
}

/// [`verify`] for the PIN of `holder` (the owner's or a cashier's, each
/// with its own count and lock-out); `what` names what the lock-out
/// locks in its messages (owner mode, or the named cashier's sign-in).
pub(crate) fn verify_holder(
    ledger: &Ledger,
    holder: PinHolder,
    cashier: Option<&str>,
    pin: &Sensitive<String>,
    now: DateTime<Utc>,
) -> Result<()> {
    ledger.pin_attempt(holder, |attempt| {
        let Some(auth) = attempt.auth()? else {
            return Err(Error::not_allowed(Said::owner_pin_not_set()));
        };
        if auth.locked_until.is_some_and(|until| until > now) {
            let failed = attempt.fail(now, lockout_after)?;
            let seconds = lockout_after(failed).map_or(1, |w| w.num_seconds().max(1));
            return Err(Error::not_allowed(match cashier {
                None => Said::owner_still_locked(seconds),
                Some(name) => Said::cashier_still_locked(name, seconds),
            }));
        }
        if matches(pin, &auth.pin_phc)? {
            attempt.succeed(now)?;
            return Ok(());
        }
        let failed = attempt.fail(now, lockout_after)?;
        Err(match lockout_after(failed) {
            Some(wait) => Error::not_allowed(match cashier {
                None => Said::owner_wrong_pin_locked(wait.num_seconds(), failed),
                Some(name) => Said::cashier_wrong_pin_locked(name, wait.num_seconds(), failed),
            }),
            None => Error::input(match cashier {
                None => Said::owner_wrong_pin(FREE_ATTEMPTS - failed),
                Some(name) => Said::cashier_wrong_pin(FREE_ATTEMPTS - failed, name),
            }),
        })
    })
}
