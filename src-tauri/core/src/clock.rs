//! The till's clock. Everything in the core that needs "now" asks here, so
//! a test can set the till's clock wrong (a laptop 20 minutes ahead is a
//! real shop's laptop) and see that nothing depends on it being right.
//!
//! The local clock only decides *when* to ask a gateway again and stamps the
//! ledger; whether an order has expired is the gateway's to say (a Counos
//! order's expiry is judged by the gateway's own time, see
//! `gateway::counos`).

use std::cell::Cell;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Utc};

/// Milliseconds added to the system clock; zero unless a run asks for a
/// wrong clock.
static OFFSET_MS: AtomicI64 = AtomicI64::new(0);

thread_local! {
    /// A wrong clock for one thread only, ahead of [`OFFSET_MS`]: the tests
    /// of a wrong clock share their process with other tests.
    static THREAD_OFFSET_MS: Cell<Option<i64>> = const { Cell::new(None) };
}

/// The till's idea of now.
pub fn now() -> DateTime<Utc> {
    let offset = THREAD_OFFSET_MS
        .with(Cell::get)
        .unwrap_or_else(|| OFFSET_MS.load(Ordering::Relaxed));
    Utc::now() + chrono::Duration::milliseconds(offset)
}

/// Sets the till's clock `offset` away from the system clock for the calling
/// thread, until the returned guard is dropped. For tests: a
/// current-thread runtime runs all of a test's till on its own thread, so
/// other tests in the same process keep the right time.
#[must_use = "the clock is right again when the guard is dropped"]
pub fn set_thread_offset(offset: chrono::Duration) -> ThreadOffset {
    let before = THREAD_OFFSET_MS.with(|o| o.replace(Some(offset.num_milliseconds())));
    ThreadOffset { before }
}

/// Puts the thread's clock back when dropped; see [`set_thread_offset`].
pub struct ThreadOffset {
    before: Option<i64>,
}

impl Drop for ThreadOffset {
    fn drop(&mut self) {
        THREAD_OFFSET_MS.with(|o| o.set(self.before));
    }
}

/// Sets the till's clock `offset` away from the system clock, for the whole
/// process: `CRYPTILL_CLOCK_OFFSET_SECS` does this for a whole app run.
pub fn set_offset(offset: chrono::Duration) {
    OFFSET_MS.store(offset.num_milliseconds(), Ordering::Relaxed);
}

/// Reads `CRYPTILL_CLOCK_OFFSET_SECS` (training and end-to-end tests of a
/// wrong clock); ignored unless it is a whole number of seconds.
pub fn offset_from_env() {
    if let Some(secs) = std::env::var("CRYPTILL_CLOCK_OFFSET_SECS")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
    {
        set_offset(chrono::Duration::seconds(secs));
    }
}
