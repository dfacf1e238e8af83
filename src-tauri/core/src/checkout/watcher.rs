//! The one watcher: follows every open sale of the ledger (awaiting,
//! confirming, underpaid, and unplaced ones, which it places once) until the
//! gateway says how it ended, whatever the cashier does next. The sale on
//! screen is simply the one the cashier looks at: it is asked about more
//! often, nothing more.
//!
//! Each sale has its own next-ask time (by its state) and its own back-off
//! after a failure, so one sale the gateway chokes on never holds up
//! another. All sales share one request budget per gateway, below the
//! gateway's documented limit, so watching many sales never spends the
//! requests a new charge needs.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::types::{Payment, SaleUpdate};
use super::Checkout;
use crate::error::Error;
use crate::gateway::SaleState;

/// How often the watcher looks at its list when nothing wakes it.
const TICK: Duration = Duration::from_millis(500);
/// The sale on screen: "Paid" shows within a couple of seconds.
const FOCUS_INTERVAL: Duration = Duration::from_secs(2);
/// A sale waiting for (more) money in the background.
const AWAITING_INTERVAL: Duration = Duration::from_secs(5);
/// A payment seen, waiting for blocks: confirmations take minutes.
const CONFIRMING_INTERVAL: Duration = Duration::from_secs(15);
/// Past the order's expiry by the till's clock: the gateway has not said
/// "expired" yet (or the till's clock is wrong), so ask now and then.
const OVERDUE_INTERVAL: Duration = Duration::from_secs(30);
/// Long past the expiry: a payment is unlikely, but only the gateway ends the sale.
const LONG_OVERDUE_INTERVAL: Duration = Duration::from_secs(300);
/// A sale another process is placing: look again soon.
const CLAIMED_ELSEWHERE_INTERVAL: Duration = Duration::from_secs(2);
/// First wait after a failure; doubled each time up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(2);
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// After a 429 the whole watch of that gateway pauses this long (both
/// gateways count their limits per minute); charges are not paused.
const RATE_LIMIT_PAUSE: Duration = Duration::from_secs(60);

/// When to ask about a sale next, by what it is now.
pub(crate) fn interval_for(payment: &Payment, focused: bool) -> Duration {
    let overdue = payment
        .expires_at
        .as_deref()
        .and_then(|at| chrono::DateTime::parse_from_rfc3339(at).ok())
        .map(|at| crate::clock::now() - at.with_timezone(&chrono::Utc));
    match payment.state {
        SaleState::Confirming => CONFIRMING_INTERVAL,
        _ if overdue.is_some_and(|o| o > chrono::Duration::hours(1)) => LONG_OVERDUE_INTERVAL,
        _ if overdue.is_some_and(|o| o > chrono::Duration::minutes(2)) => OVERDUE_INTERVAL,
        _ if focused => FOCUS_INTERVAL,
        _ => AWAITING_INTERVAL,
    }
}

/// One sale's place in the watch.
struct Plan {
    due: Instant,
    backoff: Duration,
    in_flight: bool,
}

/// What one look at a sale came to.
pub(crate) enum Step {
    /// The sale as it is now (boxed: a payment screen is large, the
    /// other step is nothing).
    Seen(Box<Payment>),
    /// Another process (or task) is placing it.
    ClaimedElsewhere,
}

impl Checkout {
    /// Follows every open sale until it ends, for as long as it runs (the
    /// window runs it for its lifetime, `cryptill sale --wait` while it
    /// waits). Changes are published to [`Checkout::subscribe`]. Expired
    /// and voided sales are watched for a late payment too, slowly.
    ///
    /// The watcher counts as running from this call on (not from its first
    /// poll), so a `follow` right after spawning it already relies on it.
    pub fn watch(self: Arc<Self>) -> impl std::future::Future<Output = ()> + Send + 'static {
        self.watching
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let running = Running(self.clone());
        async move {
            let _running = running;
            self.watch_loop().await
        }
    }

    async fn watch_loop(self: Arc<Self>) {
        let claimant = crate::ledger::claimant("watcher");
        let mut plans: HashMap<i64, Plan> = HashMap::new();
        let (done_tx, mut done_rx) =
            tokio::sync::mpsc::unbounded_channel::<(i64, crate::Result<Step>)>();
        let mut late_due = Instant::now() + Duration::from_secs(10);
        let mut late_running: Option<tokio::task::JoinHandle<()>> = None;
        loop {
            // The sales charged or changed since are put into the search
            // index here, between looks, not in the charge's own writes
            // (the "search index off the charge's path" migration).
            if let Err(e) = self.ledger.index_queued_searches() {
                tracing::warn!(error = %e, "the search index could not catch up");
            }
            let now = Instant::now();
            match self.ledger.open_sales() {
                Ok(open) => {
                    plans.retain(|id, plan| plan.in_flight || open.iter().any(|s| s.id == *id));
                    let focus = self.focused();
                    // The sale on screen first, then the oldest.
                    let mut open = open;
                    open.sort_by_key(|s| (Some(s.id) != focus, s.id));
                    for sale in open {
                        let plan = plans.entry(sale.id).or_insert(Plan {
                            due: now,
                            backoff: Duration::ZERO,
                            in_flight: false,
                        });
                        if plan.in_flight || now < plan.due {
                            continue;
                        }
                        if !self.budget.try_take() {
                            break;
                        }
                        plan.in_flight = true;
                        let me = self.clone();
                        let done = done_tx.clone();
                        let claimant = claimant.clone();
                        tokio::spawn(async move {
                            let result = me.step(sale.id, &claimant).await;
                            let _ = done.send((sale.id, result));
                        });
                    }
                }
                Err(e) => tracing::error!(error = %e, "the watcher cannot read the open sales"),
            }
            if now >= late_due && late_running.as_ref().is_none_or(|t| t.is_finished()) {
                let me = self.clone();
                late_running = Some(tokio::spawn(async move {
                    if let Err(e) = me.check_late_payments().await {
                        tracing::warn!(error = %e, "late payment watch failed");
                    }
                }));
                late_due = now + super::LATE_INTERVAL;
            }
            tokio::select! {
                Some((id, result)) = done_rx.recv() => {
                    let focus = self.focused();
                    if let Some(plan) = plans.get_mut(&id) {
                        plan.in_flight = false;
                        match result {
                            Ok(Step::Seen(payment)) => {
                                plan.backoff = Duration::ZERO;
                                plan.due = Instant::now() + interval_for(&payment, focus == Some(id));
                            }
                            Ok(Step::ClaimedElsewhere) => {
                                plan.due = Instant::now() + CLAIMED_ELSEWHERE_INTERVAL;
                            }
                            Err(e) => {
                                plan.backoff = (plan.backoff * 2).clamp(FIRST_BACKOFF, MAX_BACKOFF);
                                if matches!(e, Error::GatewayRateLimited { .. }) {
                                    self.budget.pause(RATE_LIMIT_PAUSE);
                                    plan.backoff = plan.backoff.max(RATE_LIMIT_PAUSE);
                                }
                                tracing::warn!(sale = id, error = %e, retry_in = ?plan.backoff, "watching a sale failed");
                                plan.due = Instant::now() + plan.backoff;
                            }
                        }
                    }
                }
                _ = self.wake.notified() => {
                    // The cashier opened a sale: look at it now.
                    if let Some(id) = self.focused() {
                        if let Some(plan) = plans.get_mut(&id) {
                            if plan.backoff.is_zero() {
                                plan.due = plan.due.min(Instant::now());
                            }
                        }
                    }
                }
                _ = tokio::time::sleep(TICK) => {}
            }
        }
    }

    /// One look at one sale: placed if it has no order yet (unless someone
    /// else is placing it), else asked about.
    pub(crate) async fn step(&self, sale_id: i64, claimant: &str) -> crate::Result<Step> {
        let sale = self.ledger.sale(sale_id)?;
        if sale.state == SaleState::Creating {
            return match self.place_claimed(sale, claimant).await? {
                Some(payment) => Ok(Step::Seen(Box::new(payment))),
                None => Ok(Step::ClaimedElsewhere),
            };
        }
        self.refresh(sale_id).await.map(|p| Step::Seen(Box::new(p)))
    }

    /// Whether a watcher runs in this process.
    pub fn is_watching(&self) -> bool {
        self.watching.load(std::sync::atomic::Ordering::SeqCst) > 0
    }

    /// The sale on screen is asked about more often.
    pub fn set_focus(&self, sale_id: Option<i64>) {
        self.focus
            .store(sale_id.unwrap_or(0), std::sync::atomic::Ordering::SeqCst);
        self.wake.notify_one();
    }

    pub fn focused(&self) -> Option<i64> {
        Some(self.focus.load(std::sync::atomic::Ordering::SeqCst)).filter(|id| *id != 0)
    }

    /// Every change to any sale made in this process, as it happens.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<SaleUpdate> {
        self.updates.subscribe()
    }
}

/// Counts the watcher out when its task ends (the app closes, a command
/// stops waiting).
struct Running(Arc<Checkout>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0
            .watching
            .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkout::{AppEvent, Budget};

    #[test]
    fn the_budget_allows_a_burst_then_refuses_until_it_refills() {
        let budget = Budget::per_minute(120);
        let burst = (0..100).take_while(|_| budget.try_take()).count();
        assert_eq!(burst, 10);
        assert!(!budget.try_take());
        budget.pause(Duration::from_secs(60));
        std::thread::sleep(Duration::from_millis(600));
        assert!(!budget.try_take(), "a paused budget gives nothing");
    }

    #[test]
    fn event_names_are_the_serialised_names() {
        for event in [
            AppEvent::SaleUpdated,
            AppEvent::SecondLaunch,
            AppEvent::CustomerView,
            AppEvent::ReceiptPrint,
            AppEvent::ShopSaleChanged,
        ] {
            assert_eq!(
                serde_json::to_value(event).unwrap(),
                serde_json::Value::String(event.name().into())
            );
        }
    }
}
