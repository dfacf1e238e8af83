//! The owner's presence: the [`Unlocked`] proof and the window's [`Session`].

use crate::said::Said;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use super::pin;
use crate::error::{Error, Result};
use crate::ledger::Ledger;
use crate::secret::Sensitive;

/// Proof that the owner is present: made only by [`Session::check`] or
/// [`unlock_with_pin`]. Its field is private, so no other code can forge one.
#[derive(Debug)]
pub struct Unlocked(());

/// What every owner refusal says.
pub fn locked_error() -> Error {
    Error::not_allowed(Said::owner_locked())
}

/// The window's owner session: unlocked by the PIN, locked by the Lock
/// button, after `idle_lock_minutes` without owner activity, or on blur.
#[derive(Default)]
pub struct Session {
    /// The last owner activity while unlocked; `None` when locked.
    last_activity: Mutex<Option<DateTime<Utc>>>,
}

impl Session {
    fn state(&self) -> std::sync::MutexGuard<'_, Option<DateTime<Utc>>> {
        self.last_activity.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn unlock(
        &self,
        ledger: &Ledger,
        pin: &Sensitive<String>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        pin::verify(ledger, pin, now)?;
        *self.state() = Some(now);
        Ok(())
    }

    pub fn lock(&self) {
        *self.state() = None;
    }

    /// Whether the session is unlocked at `now`; an idle one locks itself here.
    pub fn is_unlocked(&self, now: DateTime<Utc>, idle_minutes: u32) -> bool {
        let mut state = self.state();
        match *state {
            Some(last) if now - last < Duration::minutes(i64::from(idle_minutes)) => true,
            Some(_) => {
                *state = None;
                false
            }
            None => false,
        }
    }

    /// The proof for one owner operation; counts as owner activity.
    pub fn check(&self, now: DateTime<Utc>, idle_minutes: u32) -> Result<Unlocked> {
        if !self.is_unlocked(now, idle_minutes) {
            return Err(locked_error());
        }
        *self.state() = Some(now);
        Ok(Unlocked(()))
    }
}

/// The command line's way in: the PIN on every run.
pub fn unlock_with_pin(ledger: &Ledger, pin: &Sensitive<String>) -> Result<Unlocked> {
    pin::verify(ledger, pin, Utc::now())?;
    Ok(Unlocked(()))
}
