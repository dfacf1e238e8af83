//! The till's clock. Everything in the core that needs "now" asks here, so
//! a test can set the till's clock wrong (a laptop 20 minutes ahead is a
//! real shop's laptop) and see that nothing depends on it being right.
//!
//! The local clock only decides *when* to ask a gateway again and stamps the
//! ledger; whether an order has expired is the gateway's to say (a Counos
//! order's expiry is judged by the gateway's own time, see
//! `gateway::counos`).

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Utc};

/// Milliseconds added to the system clock; zero outside tests.
static OFFSET_MS: AtomicI64 = AtomicI64::new(0);

/// The till's idea of now.
pub fn now() -> DateTime<Utc> {
    let offset = OFFSET_MS.load(Ordering::Relaxed);
    Utc::now() + chrono::Duration::milliseconds(offset)
}

/// Sets the till's clock `offset` away from the system clock, for the whole
/// process (tests of a wrong clock run in a test binary of their own).
/// `CRYPTILL_CLOCK_OFFSET_SECS` does the same for a whole app run.
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
