//! The checkout: price in, order out, payment followed to its outcome.
//! Order of events for a charge, and why:
//! 1. the sale is committed to the ledger (nothing a crash can lose);
//! 2. the gateway converts the price, and the conversion is locked in the sale;
//! 3. the order is created under the sale's merchant order id, so repeating
//!    steps 2-3 after any failure finds the same order instead of a second one.

mod watcher;

pub use watcher::{AppEvent, Budget, SaleUpdate};

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicUsize};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::gateway::{Coin, Conversion, Gateway, OrderRef, OrderRequest, SaleState};
use crate::ledger::{Ledger, Sale, SaleLine};
use crate::sale::timestamp;
use crate::settings::SaleLimits;
use rust_decimal::Decimal;

use crate::money::{fixed, Currency, Money};
use crate::qr;
use crate::settings::Settings;

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

/// A price converted into a coin, as the cashier sees it before charging.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Quote {
    pub fiat_amount: String,
    pub fiat_currency: String,
    pub coin: String,
    pub crypto_amount: String,
    /// Price of one coin in the fiat currency.
    pub rate: String,
    pub fetched_at: String,
    /// Seconds since the rate was fetched.
    pub age_seconds: u32,
    /// Set when the rate feed failed and this is the last rate known.
    pub warning: Option<String>,
}

/// A coin on one network, as `cryptill coins` and Settings list them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CoinNetwork {
    pub symbol: String,
    pub title: String,
    pub network: String,
    /// The coin's own chain, used unless the owner picks another.
    pub default: bool,
    /// The network sales in this coin are made on now.
    pub used: bool,
}

/// Everything the payment screen shows about one sale.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Payment {
    #[ts(type = "number")]
    pub sale_id: i64,
    pub state: SaleState,
    pub fiat_amount: String,
    pub fiat_currency: String,
    pub coin: String,
    pub network: String,
    pub crypto_amount: String,
    pub paid_amount: String,
    pub address: String,
    pub payment_uri: String,
    /// The QR of `payment_uri`, a `data:image/png` URL.
    pub qr_png: String,
    /// RFC 3339 UTC; `None` when the gateway does not say.
    pub expires_at: Option<String>,
    pub confirmations: u32,
    pub required_confirmations: u32,
    pub gateway_order_id: String,
    /// Something the cashier should know about this payment, e.g. that the
    /// QR opens the gateway's payment page. Absent when there is nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub notice: Option<String>,
    /// Underpaid: what is still to pay, in the coin.
    pub remaining_amount: Option<String>,
    /// Underpaid, where the gateway takes a top-up (both do until the order
    /// expires: Counos keeps the address open, CoinGate says "the shopper
    /// may top up before expiry"): a payment URI and QR for the remainder.
    pub remaining_uri: Option<String>,
    pub remaining_qr_png: Option<String>,
    /// Overpaid: what the customer sent beyond the price, in the coin.
    pub excess_amount: Option<String>,
    /// Part of `fiat_amount` that is tip.
    pub tip_amount: Option<String>,
    pub late_payment_at: Option<String>,
    pub needs_owner: bool,
    pub voided_at: Option<String>,
    #[ts(type = "number | null")]
    pub replaces_sale_id: Option<i64>,
}

/// A line of a sale as the cashier typed it.
#[derive(Clone, Debug, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LineEntry {
    #[serde(default)]
    pub label: String,
    /// The amount as typed, e.g. "4.50" (a ',' decimal key is accepted).
    pub amount: String,
}

/// What the entry screen sends to charge: lines, an optional tip, a coin.
#[derive(Clone, Debug, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SaleEntry {
    pub lines: Vec<LineEntry>,
    /// The tip in the shop currency, as computed or typed; empty or absent: none.
    #[serde(default)]
    #[ts(optional)]
    pub tip: Option<String>,
    pub coin: String,
}

/// A sale in the cashier's list of the current shift.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SaleSummary {
    #[ts(type = "number")]
    pub sale_id: i64,
    pub state: SaleState,
    pub fiat_amount: String,
    pub fiat_currency: String,
    pub coin: String,
    pub crypto_amount: String,
    pub created_at: String,
    pub late_payment_at: Option<String>,
    pub needs_owner: bool,
    pub voided: bool,
    #[ts(type = "number | null")]
    pub replaces_sale_id: Option<i64>,
}

/// One printed line of a receipt.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ReceiptLine {
    pub label: String,
    pub amount: String,
}

/// What a receipt shows for a paid sale.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Receipt {
    #[ts(type = "number")]
    pub sale_id: i64,
    pub shop_name: String,
    pub footer: String,
    pub lines: Vec<ReceiptLine>,
    pub tip_amount: Option<String>,
    pub fiat_amount: String,
    pub fiat_currency: String,
    pub coin: String,
    pub network: String,
    pub crypto_amount: String,
    pub paid_amount: String,
    /// Price of one coin in the fiat currency, locked at the sale.
    pub rate: Option<String>,
    pub address: String,
    pub gateway_order_id: String,
    pub transaction_id: Option<String>,
    /// RFC 3339 UTC: when it was paid (or recorded, if not paid).
    pub time: String,
}

/// What the customer-facing display shows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CustomerView {
    pub shop_name: String,
    /// The sale on the counter; `None` between sales.
    pub payment: Option<Payment>,
}

/// What the demo's training buttons make the customer's wallet do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum Simulation {
    /// Pays what is left.
    Full,
    /// Pays half of what is left.
    Part,
    /// Pays what is left plus a tenth of the price.
    Overpay,
    /// The order expires now.
    Expire,
}

pub struct Checkout {
    ledger: Arc<Ledger>,
    gateway: Arc<dyn Gateway>,
    fiat: Currency,
    coins: Mutex<Option<(Instant, Vec<Coin>)>>,
    /// The last QR drawn: a payment screen is refreshed every few seconds
    /// and its QR almost never changes.
    last_qr: Mutex<Vec<(String, String)>>,
    /// The last rate per (fiat, coin) pair and when it was fetched: the
    /// quotes refresh at most once a minute (CoinGate: "rates change every
    /// 60 s: do not ask more often"), and a failing feed shows the last one.
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

    /// The coins this terminal accepts.
    pub async fn coins(&self) -> Result<Vec<Coin>> {
        if let Some((at, coins)) = self
            .coins
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            if at.elapsed() < COINS_TTL {
                return Ok(coins.clone());
            }
        }
        let coins = self.gateway.coins().await?;
        *self.coins.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((Instant::now(), coins.clone()));
        Ok(coins)
    }

    /// A coin offered at the counter, for a new sale.
    async fn coin(&self, symbol: &str) -> Result<Coin> {
        let symbol = symbol.trim().to_ascii_uppercase();
        if let Some(coin) = self
            .offered_coins()
            .await?
            .into_iter()
            .find(|c| c.symbol == symbol)
        {
            return Ok(coin);
        }
        // Not offered: say so, or why the network chosen for it cannot be used.
        let chosen = Settings::load(&self.ledger)?
            .coin_networks
            .get(&symbol)
            .cloned();
        crate::gateway::pick_network(&self.coins().await?, &symbol, chosen.as_deref())?;
        None.ok_or_else(|| {
            Error::Input(format!(
                "{symbol} is not offered by this terminal. Pick one of the coins shown."
            ))
        })
    }

    /// A coin the gateway knows, for following a sale already made (the
    /// shop may have stopped offering it since), on the sale's own network.
    async fn gateway_coin(&self, symbol: &str, network: &str) -> Result<Coin> {
        let symbol = symbol.trim().to_ascii_uppercase();
        let coins = self.coins().await?;
        let on_network = coins
            .iter()
            .find(|c| c.symbol == symbol && c.network == network)
            .cloned();
        on_network
            .or_else(|| coins.into_iter().find(|c| c.symbol == symbol))
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "The gateway no longer lists {symbol} for this terminal."
                ))
            })
    }

    /// What `amount` (as typed) costs in `coin` right now.
    pub async fn quote(&self, amount: &str, coin: &str) -> Result<Quote> {
        let fiat = SaleLimits::load(&self.ledger, &self.fiat)?.entry(amount)?;
        self.quote_in(&fiat, coin).await
    }

    /// What `fiat` (in any currency the gateway converts) costs in `coin`.
    /// The first quote of a pair is the gateway's own conversion; for the
    /// next minute its rate is reused. If the gateway cannot be asked, the
    /// last rate known is shown with its age and a warning: the gateway sets
    /// the binding amount at the charge anyway.
    pub async fn quote_in(&self, fiat: &Money, coin: &str) -> Result<Quote> {
        crate::settings::check_ceiling(fiat)?;
        let coin = self.coin(coin).await?;
        let key = (fiat.currency().code().to_string(), coin.symbol.clone());
        let cached = self
            .rates
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
            .cloned();
        if let Some(rate) = &cached {
            if rate.at.elapsed() < self.rate_ttl {
                return Ok(quote_at(fiat, &coin, rate, None));
            }
        }
        match self.gateway.convert(fiat, &coin).await {
            Ok(conversion) => {
                let rate = CachedRate {
                    rate: conversion.rate,
                    at: Instant::now(),
                    fetched_at: crate::clock::now(),
                };
                self.rates
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(key, rate.clone());
                let mut quote = quote_at(fiat, &coin, &rate, None);
                quote.crypto_amount = conversion.crypto.to_fixed();
                Ok(quote)
            }
            Err(e) => match cached {
                Some(rate) if !rate.rate.is_zero() => {
                    tracing::warn!(coin = %coin.symbol, error = %e, "rate feed failed, showing the last rate");
                    let minutes = rate.at.elapsed().as_secs() / 60;
                    let age = if minutes == 0 {
                        "less than a minute".to_string()
                    } else {
                        format!("{minutes} min")
                    };
                    let warning = format!(
                        "The rate could not be updated, so this is the rate from {age} ago. Charging still works: the gateway sets the amount to pay."
                    );
                    Ok(quote_at(fiat, &coin, &rate, Some(warning)))
                }
                _ => Err(e),
            },
        }
    }

    /// Quotes `amount` (as typed) in every coin offered at the counter; a
    /// coin whose rate cannot be had is left out, unless all fail.
    pub async fn quotes(&self, amount: &str) -> Result<Vec<Quote>> {
        let fiat = SaleLimits::load(&self.ledger, &self.fiat)?.entry(amount)?;
        let mut quotes = Vec::new();
        let mut last_error = None;
        for coin in self.offered_coins().await? {
            match self.quote_in(&fiat, &coin.symbol).await {
                Ok(quote) => quotes.push(quote),
                Err(e) => last_error = Some(e),
            }
        }
        match (quotes.is_empty(), last_error) {
            (true, Some(e)) => Err(e),
            _ => Ok(quotes),
        }
    }

    /// The coins offered at the counter: those the gateway enables, narrowed
    /// to the shop's choice (`offered_coins`; empty means all), each once,
    /// on the network chosen for it in Settings or else its own chain.
    pub async fn offered_coins(&self) -> Result<Vec<Coin>> {
        let settings = Settings::load(&self.ledger)?;
        let coins = self.coins().await?;
        let mut offered = Vec::new();
        for coin in &coins {
            let wanted = settings.offered_coins.is_empty()
                || settings
                    .offered_coins
                    .iter()
                    .any(|o| o.eq_ignore_ascii_case(&coin.symbol));
            if !wanted || offered.iter().any(|c: &Coin| c.symbol == coin.symbol) {
                continue;
            }
            let chosen = settings.coin_networks.get(&coin.symbol).map(String::as_str);
            match crate::gateway::pick_network(&coins, &coin.symbol, chosen) {
                Ok(Some(coin)) => offered.push(coin),
                Ok(None) => {}
                // Never another network than the one chosen: the coin is left
                // out, and charging it says why (see `coin`).
                Err(e) => {
                    tracing::warn!(coin = %coin.symbol, error = %e, "the network chosen for this coin is not offered")
                }
            }
        }
        Ok(offered)
    }

    /// Every coin and network the gateway offers, and which network each
    /// coin is taken on at the counter (`cryptill coins`, Settings).
    pub async fn coin_networks(&self) -> Result<Vec<CoinNetwork>> {
        let coins = self.coins().await?;
        let settings = Settings::load(&self.ledger)?;
        let mut listed = Vec::new();
        for coin in &coins {
            let chosen = settings.coin_networks.get(&coin.symbol).map(String::as_str);
            // A stale choice (a network no longer offered) shows no network
            // as used, and the error says what to do when the coin is charged.
            let used = crate::gateway::pick_network(&coins, &coin.symbol, chosen)
                .ok()
                .flatten();
            listed.push(CoinNetwork {
                symbol: coin.symbol.clone(),
                title: coin.title.clone(),
                network: coin.network.clone(),
                default: coins.iter().find(|c| c.symbol == coin.symbol) == Some(coin),
                used: used.as_ref() == Some(coin),
            });
        }
        Ok(listed)
    }

    /// Takes `symbol` on `network` from now on (`cryptill gateway network
    /// ETH Ethereum`, the Settings picker). The network must be one the
    /// gateway offers the coin on; sales already made keep theirs.
    pub async fn set_network(&self, symbol: &str, network: &str) -> Result<Coin> {
        let symbol = symbol.trim().to_ascii_uppercase();
        let coins = self.coins().await?;
        let coin = crate::gateway::pick_network(&coins, &symbol, Some(network))?.ok_or_else(|| {
            Error::Input(format!(
                "The gateway does not offer {symbol} at this terminal. See the coins it offers with: cryptill coins."
            ))
        })?;
        let mut settings = Settings::load(&self.ledger)?;
        settings.coin_networks.insert(symbol, coin.network.clone());
        settings.save(&self.ledger)?;
        Ok(coin)
    }

    /// Checks what the cashier entered and works out the total. Nothing
    /// here reaches a gateway; every refusal names the line at fault.
    pub fn validate(&self, entry: &SaleEntry) -> Result<(Money, Vec<SaleLine>, Option<Money>)> {
        if entry.lines.is_empty() {
            return Err(Error::Input("Type an amount first.".into()));
        }
        // The amount rules live in one place (`SaleLimits`): the window, IPC
        // and the command line all come through here.
        let limits = SaleLimits::load(&self.ledger, &self.fiat)?;
        limits.check_lines(entry.lines.len())?;
        let several = entry.lines.len() > 1;
        let mut lines = Vec::new();
        for (i, line) in entry.lines.iter().enumerate() {
            let amount = limits.entry(&line.amount).map_err(|e| match e {
                Error::Input(m) if several => Error::Input(format!("Line {}: {m}", i + 1)),
                other => other,
            })?;
            lines.push(SaleLine {
                label: line.label.trim().chars().take(80).collect(),
                amount,
            });
        }
        let tip = match entry.tip.as_deref().map(str::trim) {
            None | Some("") => None,
            // A zero tip is no tip, not an error.
            Some(text) if crate::money::parse_decimal(text).is_some_and(|d| d.is_zero()) => None,
            Some(text) => Some(limits.entry(text).map_err(|e| match e {
                Error::Input(m) => Error::Input(format!("Tip: {m}")),
                other => other,
            })?),
        };
        let total = limits.total(lines.iter().map(|l| &l.amount).chain(tip.iter()))?;
        Ok((total, lines, tip))
    }

    /// Records the sale the cashier entered, before any gateway call. The
    /// answer carries the sale id: [`Checkout::place`] then creates the order,
    /// and can be repeated after any failure without a second charge.
    pub async fn start_sale(&self, entry: &SaleEntry) -> Result<Payment> {
        let (total, lines, tip) = self.validate(entry)?;
        let coin = self.coin(&entry.coin).await?;
        let sale = self.ledger.begin_itemised_sale(
            &total,
            &coin,
            self.gateway.kind(),
            &lines,
            tip.as_ref(),
            None,
        )?;
        tracing::info!(sale = sale.id, order = %sale.merchant_order_id, "sale recorded");
        self.payment(&sale)
    }

    /// Creates the gateway order of a recorded sale, or returns it if it
    /// exists already: the merchant order id is the sale's, so the gateway
    /// finds the order made by an earlier try (Counos `renew: false`,
    /// CoinGate looked up by `order_id`).
    pub async fn place(&self, sale_id: i64) -> Result<Payment> {
        let sale = self.ledger.sale(sale_id)?;
        if sale.state == SaleState::Creating {
            return self.place_order(sale).await;
        }
        self.payment(&sale)
    }

    /// "Try again" after an expiry: a fresh sale (with a fresh merchant
    /// order id, so a fresh order) for the same lines, tip and coin, linked
    /// to the expired one. Placed like any new sale, with [`Checkout::place`].
    pub async fn try_again(&self, sale_id: i64) -> Result<Payment> {
        let old = self.ledger.sale(sale_id)?;
        if old.state != SaleState::Expired {
            return Err(Error::NotAllowed(format!(
                "Sale {sale_id} is {}, not expired; only an expired sale is tried again.",
                old.state.as_str()
            )));
        }
        let coin = self.coin(old.coin.code()).await?;
        let lines = self.ledger.sale_lines(sale_id)?;
        let sale = self.ledger.begin_itemised_sale(
            &old.fiat,
            &coin,
            self.gateway.kind(),
            &lines,
            old.tip.as_ref(),
            Some(sale_id),
        )?;
        tracing::info!(
            sale = sale.id,
            replaces = sale_id,
            "expired sale tried again"
        );
        self.payment(&sale)
    }

    /// The cashier cancels a sale before payment. The gateway is asked
    /// first: a sale it has seen any payment for is not voided (the money
    /// must be settled), and without an answer nothing is voided either.
    pub async fn void(&self, sale_id: i64) -> Result<Payment> {
        let sale = self.ledger.sale(sale_id)?;
        if !matches!(sale.state, SaleState::Creating | SaleState::Awaiting) {
            return Err(Error::NotAllowed(format!(
                "Sale {sale_id} is {} and cannot be canceled.",
                sale.state.as_str()
            )));
        }
        let coin = self.gateway_coin(sale.coin.code(), &sale.network).await?;
        let order_ref = OrderRef {
            merchant_order_id: sale.merchant_order_id.clone(),
            gateway_order_id: sale.gateway_order_id.clone(),
        };
        match self.gateway.order(&order_ref, &coin).await {
            Ok(order) => {
                if !order.paid.amount().is_zero() || order.state != SaleState::Awaiting {
                    let sale = self.ledger.record_order(sale_id, &order)?;
                    return Err(Error::NotAllowed(format!(
                        "The gateway has already seen a payment for sale {sale_id} (it is {} now), so it cannot be canceled. Wait for the payment to finish, or mark it for the owner.",
                        sale.state.as_str()
                    )));
                }
            }
            // The order was never made: there is nothing to pay into.
            Err(Error::NotFound(_)) if sale.state == SaleState::Creating => {}
            Err(e) => return Err(e),
        }
        let after = self.ledger.void_sale(sale_id)?;
        tracing::info!(sale = sale_id, "sale voided by the cashier");
        self.publish(&sale, &after)
    }

    /// The cashier leaves the sale (e.g. underpaid) to the owner.
    pub fn mark_for_owner(&self, sale_id: i64) -> Result<Payment> {
        let sale = self.ledger.mark_needs_owner(sale_id)?;
        self.payment(&sale)
    }

    /// Looks once at every sale that expired or was voided in the last 24 h
    /// for a payment that came anyway, and flags it. Returns the sales flagged.
    pub async fn check_late_payments(&self) -> Result<Vec<i64>> {
        let mut flagged = Vec::new();
        let since = crate::clock::now() - LATE_WATCH;
        for sale in self.ledger.late_watch_sales(since, self.gateway.kind())? {
            // The sale's own order, by its gateway id: one request each,
            // drawn from the watcher's budget (what is not asked now is
            // asked next round), so this never crowds out a new charge.
            if self.is_watching() && !self.budget.try_take() {
                break;
            }
            let Ok(coin) = self.gateway_coin(sale.coin.code(), &sale.network).await else {
                continue;
            };
            let order_ref = OrderRef {
                merchant_order_id: sale.merchant_order_id.clone(),
                gateway_order_id: sale.gateway_order_id.clone(),
            };
            match self.gateway.order(&order_ref, &coin).await {
                Ok(order) => {
                    let before = sale.paid.as_ref().map(Money::amount).unwrap_or_default();
                    if order.paid.amount() > before {
                        tracing::warn!(sale = sale.id, paid = %order.paid, "late payment");
                        let after = self.ledger.record_late_payment(
                            sale.id,
                            &order.paid,
                            order.transaction_id.as_deref(),
                        )?;
                        self.publish(&sale, &after)?;
                        flagged.push(sale.id);
                    }
                }
                Err(Error::NotFound(_)) => {}
                Err(e @ Error::GatewayRateLimited { .. }) => {
                    // Stop this round; the budget pauses the watcher too.
                    self.budget.pause(Duration::from_secs(60));
                    tracing::warn!(error = %e, "late payment check rate-limited");
                    break;
                }
                Err(e) => tracing::debug!(sale = sale.id, error = %e, "late payment check failed"),
            }
        }
        Ok(flagged)
    }

    /// Runs [`Checkout::check_late_payments`] at a slow pace, for as long as the app runs.
    pub async fn watch_late_payments(&self) {
        loop {
            if let Err(e) = self.check_late_payments().await {
                tracing::warn!(error = %e, "late payment watch failed");
            }
            tokio::time::sleep(LATE_INTERVAL).await;
        }
    }

    /// Start-up recovery: every sale left open by the last run is asked
    /// about again (a sale stuck before its order is placed again, which
    /// re-finds the order if it was made) and so resumed or settled. Done
    /// once per run; later calls return the same list.
    pub async fn resume(&self) -> Vec<Payment> {
        self.resumed
            .get_or_init(|| async {
                let open = match self.ledger.open_sales() {
                    Ok(open) => open,
                    Err(e) => {
                        tracing::error!(error = %e, "cannot read open sales");
                        return Vec::new();
                    }
                };
                let mut resumed = Vec::new();
                for sale in open {
                    match self.refresh(sale.id).await {
                        Ok(payment) => resumed.push(payment),
                        Err(e) => {
                            // Still listed: the cashier sees it and the watch retries.
                            tracing::warn!(sale = sale.id, error = %e, "could not resume a sale");
                            if let Ok(payment) = self.payment(&sale) {
                                resumed.push(payment);
                            }
                        }
                    }
                }
                tracing::info!(count = resumed.len(), "open sales resumed");
                resumed
            })
            .await
            .clone()
    }

    /// The current shift's sales (since local midnight), newest first.
    pub fn recent_sales(&self) -> Result<Vec<SaleSummary>> {
        let midnight = chrono::Local::now()
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(chrono::Local).earliest())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| crate::clock::now() - chrono::Duration::hours(24));
        Ok(self
            .ledger
            .sales_since(midnight)?
            .into_iter()
            .map(|sale| SaleSummary {
                sale_id: sale.id,
                state: sale.state,
                fiat_amount: sale.fiat.to_fixed(),
                fiat_currency: sale.fiat.currency().code().to_string(),
                coin: sale.coin.code().to_string(),
                crypto_amount: sale
                    .crypto
                    .as_ref()
                    .map(Money::to_fixed)
                    .unwrap_or_default(),
                created_at: timestamp(sale.created_at),
                late_payment_at: sale.late_payment_at.map(timestamp),
                needs_owner: sale.needs_owner,
                voided: sale.voided_at.is_some(),
                replaces_sale_id: sale.replaces_sale_id,
            })
            .collect())
    }

    /// The receipt of a sale.
    pub fn receipt(&self, sale_id: i64) -> Result<Receipt> {
        let sale = self.ledger.sale(sale_id)?;
        let settings = Settings::load(&self.ledger)?;
        let lines = self.ledger.sale_lines(sale_id)?;
        Ok(Receipt {
            sale_id,
            shop_name: settings.shop_name,
            footer: settings.receipt_footer,
            lines: lines
                .into_iter()
                .map(|l| ReceiptLine {
                    label: l.label,
                    amount: l.amount.to_fixed(),
                })
                .collect(),
            tip_amount: sale.tip.as_ref().map(Money::to_fixed),
            fiat_amount: sale.fiat.to_fixed(),
            fiat_currency: sale.fiat.currency().code().to_string(),
            coin: sale.coin.code().to_string(),
            network: sale.network.clone(),
            crypto_amount: sale
                .crypto
                .as_ref()
                .map(Money::to_fixed)
                .unwrap_or_default(),
            paid_amount: sale.paid.as_ref().map(Money::to_fixed).unwrap_or_default(),
            rate: sale.rate.map(|r| fixed(r, sale.fiat.currency().decimals())),
            address: sale.address.clone().unwrap_or_default(),
            gateway_order_id: sale.gateway_order_id.clone().unwrap_or_default(),
            transaction_id: sale.transaction_id.clone(),
            time: timestamp(sale.paid_at.unwrap_or(sale.created_at)),
        })
    }

    /// Charges `amount` (as typed) in `coin`: the sale is in the ledger
    /// before the gateway is called.
    pub async fn charge(&self, amount: &str, coin: &str) -> Result<Payment> {
        let entry = SaleEntry {
            lines: vec![LineEntry {
                label: String::new(),
                amount: amount.to_string(),
            }],
            tip: None,
            coin: coin.to_string(),
        };
        let started = self.start_sale(&entry).await?;
        self.place(started.sale_id).await
    }

    /// Charges `amount` (as typed) in `currency` and `coin`: the command
    /// line's door, with the same rules as the window's. The shop's maximum
    /// is in the shop's currency, so a sale in another one is refused rather
    /// than let past the limit.
    pub async fn charge_in(&self, amount: &str, currency: &str, coin: &str) -> Result<Payment> {
        let currency = Currency::fiat(currency)?;
        if currency != self.fiat {
            return Err(Error::Input(format!(
                "This till sells in {}; type the amount in {} (the gateway converts it to the coin).",
                self.fiat, self.fiat
            )));
        }
        self.charge(amount, coin).await
    }

    /// Places the sale's order, exclusively: it is claimed in the ledger
    /// first, so of two placements at once (the watcher and a reopen, the
    /// window and `cryptill order`, two processes) one creates the order and
    /// the other waits for it. Never two gateway orders for one sale.
    async fn place_order(&self, sale: Sale) -> Result<Payment> {
        let claimant = crate::ledger::claimant("place");
        let waited_since = Instant::now();
        let mut sale = sale;
        loop {
            if let Some(payment) = self.place_claimed(sale.clone(), &claimant).await? {
                return Ok(payment);
            }
            // Someone else is placing it: wait for their answer.
            if waited_since.elapsed() > PLACEMENT_WAIT {
                return Err(Error::NotAllowed(format!(
                    "Sale {} is being sent to the gateway by another Cryptill window or command. Wait a moment, then open the sale again.",
                    sale.id
                )));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            sale = self.ledger.sale(sale.id)?;
            if sale.state != SaleState::Creating {
                return self.payment(&sale);
            }
        }
    }

    /// Places the sale if `claimant` gets (or holds) its placement claim;
    /// `None` if someone else holds it. A failure gives the claim up, so the
    /// next try need not wait for it to go stale.
    async fn place_claimed(&self, sale: Sale, claimant: &str) -> Result<Option<Payment>> {
        if !self.ledger.claim_placement(sale.id, claimant)? {
            let now = self.ledger.sale(sale.id)?;
            if now.state != SaleState::Creating {
                return self.payment(&now).map(Some);
            }
            return Ok(None);
        }
        // Read again under the claim: another placement may have finished
        // between our first read and the claim.
        let sale = self.ledger.sale(sale.id)?;
        if sale.state != SaleState::Creating {
            return self.payment(&sale).map(Some);
        }
        let placed = self.create_order(&sale).await;
        if placed.is_err() {
            if let Err(e) = self.ledger.release_placement(sale.id, claimant) {
                tracing::warn!(sale = sale.id, error = %e, "cannot give up a placement claim");
            }
        }
        placed.map(Some)
    }

    /// Converts (once; the first conversion stays locked) and creates the
    /// order. Safe to repeat after any failure: the gateway returns the
    /// order already made for this merchant order id.
    async fn create_order(&self, sale: &Sale) -> Result<Payment> {
        let coin = self.gateway_coin(sale.coin.code(), &sale.network).await?;
        let crypto = match sale.crypto.clone() {
            Some(crypto) => crypto,
            None => {
                let conversion: Conversion = self.gateway.convert(&sale.fiat, &coin).await?;
                self.ledger.record_conversion(sale.id, &conversion)?;
                conversion.crypto
            }
        };
        let shop = Settings::load(&self.ledger)?.shop_name;
        let request = OrderRequest {
            title: format!("Sale {} at {}", sale.merchant_order_id, shop.trim()),
            description: format!(
                "{} paid in {} at {} (Cryptill sale {}).",
                sale.fiat,
                coin.symbol,
                shop.trim(),
                sale.merchant_order_id
            ),
            merchant_order_id: sale.merchant_order_id.clone(),
            created_at: sale.created_at,
            coin,
            crypto,
            fiat: sale.fiat.clone(),
        };
        let order = self.gateway.create_order(&request).await?;
        let after = self.ledger.record_order(sale.id, &order)?;
        tracing::info!(sale = sale.id, order = %order.gateway_order_id, "order placed");
        self.publish(sale, &after)
    }

    /// Asks the gateway about the sale, records the answer and returns it.
    /// A sale whose order was never confirmed created is placed again.
    pub async fn refresh(&self, sale_id: i64) -> Result<Payment> {
        let sale = self.ledger.sale(sale_id)?;
        if sale.state.is_final() {
            return self.payment(&sale);
        }
        if sale.state == SaleState::Creating {
            return self.place_order(sale).await;
        }
        let coin = self.gateway_coin(sale.coin.code(), &sale.network).await?;
        let order_ref = OrderRef {
            merchant_order_id: sale.merchant_order_id.clone(),
            gateway_order_id: sale.gateway_order_id.clone(),
        };
        let order = self.gateway.order(&order_ref, &coin).await?;
        let after = self.ledger.record_order(sale_id, &order)?;
        if after.state.is_final() && !sale.state.is_final() {
            tracing::info!(sale = sale.id, state = after.state.as_str(), "sale settled");
        }
        self.publish(&sale, &after)
    }

    /// Follows a sale until it is final or `on_update` returns false (nobody
    /// is watching any more). Each answer is passed on. With the watcher
    /// running in this process (the window, `sale --wait`), the sale is
    /// simply the one looked at: the watcher asks about it more often and
    /// its changes are passed on. Without one, it is polled here; while the
    /// gateway fails, polls back off so a dead connection is not hammered.
    pub async fn follow(
        &self,
        sale_id: i64,
        mut on_update: impl FnMut(Payment) -> bool,
    ) -> Result<()> {
        if self.is_watching() {
            return self.follow_watched(sale_id, on_update).await;
        }
        let mut delay = POLL_INTERVAL;
        loop {
            match self.refresh(sale_id).await {
                Ok(payment) => {
                    let done = payment.state.is_final();
                    if !on_update(payment) || done {
                        return Ok(());
                    }
                    delay = POLL_INTERVAL;
                }
                Err(e @ Error::NotFound(_)) => return Err(e),
                Err(e) => {
                    tracing::warn!(sale = sale_id, error = %e, "payment status check failed");
                    delay = (delay * 2).min(MAX_BACKOFF);
                }
            }
            tokio::time::sleep(delay).await;
        }
    }

    async fn follow_watched(
        &self,
        sale_id: i64,
        mut on_update: impl FnMut(Payment) -> bool,
    ) -> Result<()> {
        let mut updates = self.subscribe();
        self.set_focus(Some(sale_id));
        let result: Result<()> = async {
            let mut last = self.payment(&self.ledger.sale(sale_id)?)?;
            if !on_update(last.clone()) || last.state.is_final() {
                return Ok(());
            }
            loop {
                let next = match tokio::time::timeout(FOLLOW_RECHECK, updates.recv()).await {
                    Ok(Ok(update)) if update.payment.sale_id == sale_id => update.payment,
                    Ok(Ok(_)) => continue,
                    Ok(Err(tokio::sync::broadcast::error::RecvError::Closed)) => return Ok(()),
                    // Missed updates, or a quiet while: the ledger has the
                    // latest word (another process may have written it).
                    Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) | Err(_) => {
                        self.payment(&self.ledger.sale(sale_id)?)?
                    }
                };
                let done = next.state.is_final();
                if next != last || done {
                    if !on_update(next.clone()) || done {
                        return Ok(());
                    }
                } else if !on_update(next.clone()) {
                    return Ok(());
                }
                last = next;
            }
        }
        .await;
        if self.focused() == Some(sale_id) {
            self.set_focus(None);
        }
        result
    }

    pub fn sale(&self, sale_id: i64) -> Result<Sale> {
        self.ledger.sale(sale_id)
    }

    /// The payment screen's view of a sale.
    pub fn payment(&self, sale: &Sale) -> Result<Payment> {
        let crypto = sale
            .crypto
            .clone()
            .unwrap_or_else(|| Money::new(Default::default(), sale.coin.clone()));
        let address = sale.address.clone().unwrap_or_default();
        let uri = match (&sale.payment_uri, address.is_empty()) {
            (Some(uri), _) => uri.clone(),
            (None, false) => qr::payment_uri(&address, &crypto),
            (None, true) => String::new(),
        };
        let paid = sale.paid.as_ref().map(Money::amount).unwrap_or_default();
        let remaining = (sale.state == SaleState::Underpaid && paid < crypto.amount())
            .then(|| Money::new_rounded_up(crypto.amount() - paid, crypto.currency().clone()));
        let excess = (sale.state == SaleState::Overpaid && paid > crypto.amount())
            .then(|| Money::new(paid - crypto.amount(), crypto.currency().clone()));
        let can_top_up =
            !address.is_empty() && sale.expires_at.is_none_or(|at| at > crate::clock::now());
        let (remaining_uri, remaining_qr_png) = match &remaining {
            Some(rest) if can_top_up => {
                let uri = qr::payment_uri(&address, rest);
                let png = self.qr(&uri)?;
                (Some(uri), Some(png))
            }
            _ => (None, None),
        };
        Ok(Payment {
            sale_id: sale.id,
            state: sale.state,
            fiat_amount: sale.fiat.to_fixed(),
            fiat_currency: sale.fiat.currency().code().to_string(),
            coin: sale.coin.code().to_string(),
            network: sale.network.clone(),
            crypto_amount: crypto.to_fixed(),
            paid_amount: sale
                .paid
                .clone()
                .unwrap_or_else(|| Money::new(Default::default(), sale.coin.clone()))
                .to_fixed(),
            qr_png: if uri.is_empty() {
                String::new()
            } else {
                self.qr(&uri)?
            },
            payment_uri: uri,
            address,
            expires_at: sale.expires_at.map(timestamp),
            confirmations: sale.confirmations,
            required_confirmations: sale.required_confirmations,
            gateway_order_id: sale.gateway_order_id.clone().unwrap_or_default(),
            notice: sale.notice.clone(),
            remaining_uri,
            remaining_qr_png,
            remaining_amount: remaining.as_ref().map(Money::to_fixed),
            excess_amount: excess.as_ref().map(Money::to_fixed),
            tip_amount: sale.tip.as_ref().map(Money::to_fixed),
            late_payment_at: sale.late_payment_at.map(timestamp),
            needs_owner: sale.needs_owner,
            voided_at: sale.voided_at.map(timestamp),
            replaces_sale_id: sale.replaces_sale_id,
        })
    }

    fn qr(&self, uri: &str) -> Result<String> {
        // A few entries: an underpaid screen shows two QRs, a second
        // window may follow another sale.
        let mut last = self.last_qr.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, png)) = last.iter().find(|(cached, _)| cached == uri) {
            return Ok(png.clone());
        }
        let png = qr::png_data_url(uri)?;
        if last.len() >= 4 {
            last.remove(0);
        }
        last.push((uri.to_string(), png.clone()));
        Ok(png)
    }
}

fn quote_at(fiat: &Money, coin: &Coin, rate: &CachedRate, warning: Option<String>) -> Quote {
    // Rounded up, as the gateways do: never short of the price. Exact, and
    // no panic on a rate a gateway should never send (zero, negative, so
    // small the quotient overflows): such a quote shows no coin amount.
    let crypto = fiat
        .converted_up(rate.rate, coin.currency())
        .unwrap_or_else(|_| Money::new(Decimal::ZERO, coin.currency()));
    Quote {
        fiat_amount: fiat.to_fixed(),
        fiat_currency: fiat.currency().code().to_string(),
        coin: coin.symbol.clone(),
        crypto_amount: crypto.to_fixed(),
        rate: fixed(rate.rate, fiat.currency().decimals()),
        fetched_at: timestamp(rate.fetched_at),
        age_seconds: rate.at.elapsed().as_secs().min(u32::MAX as u64) as u32,
        warning,
    }
}

/// Seconds until `expires_at`, never negative.
pub fn seconds_left(expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<i64> {
    expires_at.map(|at| (at - now).num_seconds().max(0))
}
