//! Live updates between the tills of a shared ledger (issue 14): the
//! server tells every listening till when a sale of the shop is made or
//! changes (`LISTEN cryptill_sales`; the trigger of the server schema's
//! third migration notifies, see [`super::pg`]), so the owner's history and
//! report on one till follow the sales of the others without polling. A
//! till of its own (SQLite) has nobody else to hear from and never listens.
//!
//! The listener has a connection of its own on a thread of its own (the
//! `postgres` client blocks, as the ledger's own connection does). When the
//! server goes away it connects again, and then says "something may have
//! changed" once, since what happened meanwhile was not heard.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;
use serde::Serialize;
use tokio::sync::broadcast;
use ts_rs::TS;

use super::pg::Pg;
use crate::error::{Error, Result};
use crate::said::Said;

/// The channel the server's trigger notifies on.
pub(crate) const CHANNEL: &str = "cryptill_sales";

/// How often the listener looks up from waiting, to end when the ledger
/// is closed.
const TICK: Duration = Duration::from_millis(250);
/// How long it waits before connecting again to a server that went away.
const RETRY: Duration = Duration::from_secs(2);
/// Every this many quiet ticks (5 s), the listener asks the server whether
/// it is there, waiting at most [`PING_TIMEOUT`].
const PING_EVERY: u32 = 20;
const PING_TIMEOUT: Duration = Duration::from_secs(5);

/// A sale of the shop changed on the shared ledger.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ShopSaleChanged {
    /// The sale's number; `None`: the line to the server was down for a
    /// while, so any sale may have changed (read again).
    #[ts(type = "number | null")]
    pub sale_id: Option<i64>,
    /// The number of the till that sold it.
    #[ts(type = "number | null")]
    pub till: Option<i64>,
}

impl ShopSaleChanged {
    /// The trigger's payload: `<sale id> <till number>`.
    fn parse(payload: &str) -> Option<Self> {
        let (sale, till) = payload.split_once(' ')?;
        Some(Self {
            sale_id: Some(sale.parse().ok()?),
            till: Some(till.parse().ok()?),
        })
    }
}

/// The listening thread; it ends (within [`TICK`]) when this is dropped.
pub(crate) struct Listener {
    pub(crate) sender: broadcast::Sender<ShopSaleChanged>,
    stop: Arc<AtomicBool>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl Listener {
    /// Starts listening to the server `pg` talks to. Returns once the first
    /// `LISTEN` is in place (or the first try failed: the thread keeps
    /// trying), so a change made after this returns is heard.
    pub(crate) fn start(pg: &Pg) -> Result<Self> {
        let connect = pg.connector();
        let place = pg.place.clone();
        let (sender, _) = broadcast::channel(256);
        let stop = Arc::new(AtomicBool::new(false));
        let (ready, first) = mpsc::sync_channel::<()>(1);
        let (out, done) = (sender.clone(), stop.clone());
        std::thread::Builder::new()
            .name("cryptill-ledger-listen".into())
            .spawn(move || {
                let mut ready = Some(ready);
                let mut heard_before = false;
                while !done.load(Ordering::Relaxed) {
                    let listening = connect().and_then(|mut client| {
                        client.batch_execute(&format!("LISTEN {CHANNEL}"))?;
                        Ok(client)
                    });
                    if let Some(ready) = ready.take() {
                        let _ = ready.send(());
                    }
                    let mut client = match listening {
                        Ok(client) => client,
                        Err(e) => {
                            tracing::debug!(ledger = %place, error = %e, "cannot listen to the shop's ledger yet");
                            sleep_unless(&done, RETRY);
                            continue;
                        }
                    };
                    if heard_before {
                        // What changed while the line was down was not heard.
                        let _ = out.send(ShopSaleChanged {
                            sale_id: None,
                            till: None,
                        });
                    }
                    heard_before = true;
                    let mut ticks = 0u32;
                    while !done.load(Ordering::Relaxed) {
                        // A fresh wait each time: the driver's timeout, once
                        // run out, is not wound up again by itself.
                        let next = client.notifications().timeout_iter(TICK).next();
                        let lost = match next {
                            Ok(Some(note)) => {
                                if let Some(change) = ShopSaleChanged::parse(note.payload()) {
                                    // Nobody listening in this process is fine.
                                    let _ = out.send(change);
                                }
                                None
                            }
                            // A quiet line is asked now and then whether the
                            // server is still there (a cable pulled says
                            // nothing by itself).
                            Ok(None) => {
                                ticks += 1;
                                if client.is_closed() {
                                    Some("the server closed the connection".to_string())
                                } else if ticks.is_multiple_of(PING_EVERY) {
                                    client.is_valid(PING_TIMEOUT).err().map(|e| e.to_string())
                                } else {
                                    None
                                }
                            }
                            Err(e) => Some(e.to_string()),
                        };
                        if let Some(error) = lost {
                            tracing::warn!(ledger = %place, %error, "lost the shop ledger's live updates; listening again");
                            break;
                        }
                    }
                    if !done.load(Ordering::Relaxed) {
                        sleep_unless(&done, RETRY);
                    }
                }
            })
            .map_err(|e| {
                Error::storage(Said::shop_ledger_cannot_listen(e))
            })?;
        // The first connection is bounded by the connect timeout.
        let _ = first.recv_timeout(Duration::from_secs(15));
        Ok(Self { sender, stop })
    }
}

fn sleep_unless(stop: &AtomicBool, total: Duration) {
    let mut left = total;
    while !left.is_zero() && !stop.load(Ordering::Relaxed) {
        let step = left.min(TICK);
        std::thread::sleep(step);
        left -= step;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_triggers_payload_names_the_sale_and_its_till() {
        assert_eq!(
            ShopSaleChanged::parse("42 7"),
            Some(ShopSaleChanged {
                sale_id: Some(42),
                till: Some(7)
            })
        );
        for bad in ["", "42", "x 7", "42 y"] {
            assert_eq!(ShopSaleChanged::parse(bad), None, "{bad}");
        }
    }
}
