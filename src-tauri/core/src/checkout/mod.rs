//! The checkout: price in, order out, payment followed to its outcome.
//! Order of events for a charge, and why:
//! 1. the sale is committed to the ledger (nothing a crash can lose);
//! 2. the gateway converts the price, and the conversion is locked in the sale
//!    (with a rate of the last minute, a quote's or an earlier charge's, a
//!    charge locks it in step 1's own commit and asks nothing; otherwise a
//!    charge on the till's own ledger asks for it while step 1 is written:
//!    a price question, with nothing of the sale in it; it is locked only
//!    after step 1, under the placement claim);
//! 3. the order is created under the sale's merchant order id, so repeating
//!    steps 2-3 after any failure finds the same order instead of a second one.

mod budget;
mod coins;
mod entry;
mod placement;
mod quotes;
mod recovery;
mod types;
mod views;
mod watcher;

pub use budget::Budget;
pub use types::seconds_left;
pub use types::{
    AppEvent, ChargeFailed, CoinNetwork, CustomerView, LineEntry, Payment, Quote, Receipt,
    ReceiptLine, ReceiptRefund, SaleEntry, SaleSummary, SaleUpdate, Simulation,
};

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicUsize};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::error::Result;
use crate::gateway::{Coin, Gateway};
use crate::ledger::{Ledger, Sale};

use crate::money::{Currency, Money};

/// How often an open payment is asked about. Fast enough that "Paid" shows
/// within a few seconds, slow enough for the gateways' request limits.
pub const POLL_INTERVAL: Duration = Duration::from_secs(2);
/// Longest wait between polls while the gateway keeps failing.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// How long a placement waits for another process placing the same sale.
const PLACEMENT_WAIT: Duration = Duration::from_secs(30);
/// How often a followed sale is re-read from the ledger when no update came.
const FOLLOW_RECHECK: Duration = Duration::from_secs(3);
/// Which coins a terminal offers changes rarely; no need to ask each sale.
const COINS_TTL: Duration = Duration::from_secs(300);

pub struct Checkout {
    ledger: Arc<Ledger>,
    gateway: Arc<dyn Gateway>,
    fiat: Currency,
    coins: Mutex<Option<(Instant, Vec<Coin>)>>,
    /// Held while the coin list is fetched: the watcher's first look at
    /// several open sales (after a restart) asks for it once, not once per sale.
    coins_fetch: tokio::sync::Mutex<()>,
    /// The last QR drawn: a payment screen is refreshed every few seconds
    /// and its QR almost never changes.
    last_qr: Mutex<Vec<(String, String)>>,
    /// The last rate per (fiat, coin) pair and when it was fetched: the
    /// quotes refresh at most once a minute (CoinGate: "rates change every
    /// 60 s: do not ask more often"), and a failing feed shows the last one.
    /// A charge within the minute converts at it too (`fresh_conversion`).
    rates: Mutex<HashMap<(String, String), CachedRate>>,
    /// The sales found open at start-up and what became of them; resumed
    /// once per run, the first time anyone asks.
    resumed: tokio::sync::OnceCell<Vec<Payment>>,
    rate_ttl: Duration,
    /// Every change to a sale made here, for the window and `follow`.
    updates: tokio::sync::broadcast::Sender<SaleUpdate>,
    /// The watcher's share of the gateway's request limit.
    budget: Budget,
    /// The sale on screen (0: none); the watcher asks about it more often.
    focus: AtomicI64,
    /// Wakes the watcher when the sale on screen changes.
    wake: tokio::sync::Notify,
    /// How many watchers run in this process (0 or 1 in practice).
    watching: AtomicUsize,
}

#[derive(Clone, Debug)]
struct CachedRate {
    rate: Decimal,
    at: Instant,
    fetched_at: DateTime<Utc>,
    /// The price the gateway converted when this rate came (and its
    /// answer): for that price the amount is the gateway's own, to the unit.
    converted: Option<(Money, Money)>,
    /// The decimal places other amounts at this rate are rounded up to:
    /// those of the gateway's own answer (at least 8, at most the coin's),
    /// so a charge never sends an amount finer than the gateway's own
    /// conversions are (the Counos sandbox answers ether in 8 places; a
    /// gateway keeping fewer would not echo 18 back, and `check_matches`
    /// would refuse its order).
    places: u32,
}

impl CachedRate {
    /// What `fiat` costs in `coin` at this rate: the gateway's own answer
    /// for the price it converted, else rounded up, never short of the
    /// price. The one rule for a quote and for a charge, so a charge
    /// within the rate's minute asks exactly the amount the quote showed.
    fn crypto_for(&self, fiat: &Money, coin: &Coin) -> Result<Money> {
        match &self.converted {
            Some((price, crypto)) if price == fiat && crypto.currency() == &coin.currency() => {
                Ok(crypto.clone())
            }
            _ => {
                let coarse = Currency::new(&coin.symbol, self.places.min(coin.decimals));
                let crypto = fiat.converted_up(self.rate, coarse)?;
                Ok(Money::new(crypto.amount(), coin.currency()))
            }
        }
    }
}

/// How long a rate is used before the gateway is asked again.
pub const RATE_TTL: Duration = Duration::from_secs(60);
/// How long an expired or voided sale is watched for a late payment.
pub const LATE_WATCH: chrono::Duration = chrono::Duration::hours(24);
/// The slow pace of that watch: a late payment is for the owner, not the queue.
pub const LATE_INTERVAL: Duration = Duration::from_secs(120);

impl Checkout {
    pub fn new(ledger: Arc<Ledger>, gateway: Arc<dyn Gateway>, fiat: Currency) -> Self {
        Self {
            ledger,
            fiat,
            coins: Mutex::new(None),
            coins_fetch: tokio::sync::Mutex::new(()),
            last_qr: Mutex::new(Vec::new()),
            rates: Mutex::new(HashMap::new()),
            resumed: tokio::sync::OnceCell::new(),
            rate_ttl: RATE_TTL,
            updates: tokio::sync::broadcast::channel(256).0,
            budget: Budget::for_gateway(gateway.kind()),
            focus: AtomicI64::new(0),
            wake: tokio::sync::Notify::new(),
            watching: AtomicUsize::new(0),
            gateway,
        }
    }

    /// Another request budget for the watcher than the gateway's default.
    pub fn with_budget(mut self, budget: Budget) -> Self {
        self.budget = budget;
        self
    }

    /// Tells whoever follows that a sale changed (state, money, confirmations
    /// or a late payment), and returns its payment screen.
    fn publish(&self, before: &Sale, after: &Sale) -> Result<Payment> {
        let payment = self.payment(after)?;
        let changed = before.state != after.state
            || before.paid != after.paid
            || before.confirmations != after.confirmations
            || before.late_payment_at != after.late_payment_at
            || before.gateway_order_id != after.gateway_order_id
            || before.crypto != after.crypto;
        if changed {
            // No receiver is fine: nobody is looking.
            let _ = self.updates.send(SaleUpdate {
                payment: payment.clone(),
                previous: before.state,
                late_payment: before.late_payment_at.is_none() && after.late_payment_at.is_some(),
            });
        }
        Ok(payment)
    }

    /// Another rate lifetime than [`RATE_TTL`]; tests use zero to see the
    /// fallback without waiting a minute.
    pub fn with_rate_ttl(mut self, ttl: Duration) -> Self {
        self.rate_ttl = ttl;
        self
    }

    pub fn fiat(&self) -> &Currency {
        &self.fiat
    }

    pub fn gateway(&self) -> &dyn Gateway {
        self.gateway.as_ref()
    }

    pub fn sale(&self, sale_id: i64) -> Result<Sale> {
        self.ledger.sale(sale_id)
    }
}
