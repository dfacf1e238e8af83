//! CoinGate (API v2) client. Every fact it relies on is in
//! `shared/gateways.md` ("CoinGate (API v2)"); the comments cite them.
//!
//! How a sale becomes a CoinGate payment:
//! 1. CoinGate does not de-duplicate `order_id`, so an order already made for
//!    the sale is looked up first (orders listed newest first, from just
//!    before the sale was recorded) and reused: a retry never makes a second.
//! 2. Otherwise `POST /orders` creates one priced in the shop's currency.
//! 3. `POST /orders/{id}/checkout` picks the coin and returns the address and
//!    the payment URI for the QR. CoinGate lets only some merchants call it;
//!    the others get 422, and the QR then opens CoinGate's hosted payment
//!    page, with a notice for the cashier.
//! 4. Callbacks never reach a counter laptop, so the sale is followed with
//!    `GET /orders/{id}`.

mod client;
mod gateway_impl;
mod refund;
mod wire;

#[cfg(test)]
pub(crate) use wire::parse_any;
pub use wire::{coingate_state, OrderSummary, HOSTED_PAGE_NOTICE};

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use url::Url;

use super::GatewayKind;
use crate::money::Currency;
use crate::secret::Sensitive;

pub const LIVE_BASE_URL: &str = "https://api.coingate.com/v2/";
pub const SANDBOX_BASE_URL: &str = "https://api-sandbox.coingate.com/v2/";

/// `receive_currency` when the shop keeps the coins it is paid in.
pub const DO_NOT_CONVERT: &str = "DO_NOT_CONVERT";

/// gateways.md, "Limits": rates change every 60 s, do not ask more often.
const RATE_TTL: Duration = Duration::from_secs(60);
/// After a 429 without `Retry-After`: the limits are counted per minute.
const DEFAULT_BACKOFF: Duration = Duration::from_secs(60);
const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// How far before the sale's own creation time an earlier order for it is
/// looked for. The filter takes whole days (gateways.md, Round 2) in a zone
/// CoinGate does not name, so a day before covers any zone and any skew
/// between the laptop's clock and CoinGate's.
const LOOKUP_MARGIN: chrono::Duration = chrono::Duration::days(1);
/// A failed lookup is asked again this many times before the charge fails
/// (and the cashier's Retry looks again): a failed lookup never creates.
const LOOKUP_ATTEMPTS: u32 = 3;
/// gateways.md, "List orders": `per_page` up to 100.
const PAGE_SIZE: u32 = 100;
/// A bound on paging, so a server that always says "more" cannot loop us
/// forever. 200 pages of 100 is 40 hours at the 500-an-hour order limit.
const MAX_PAGES: u32 = 200;

/// gateways.md, "Limits": over 500 orders an hour, create answers 422 with this.
const ORDER_LIMIT_ERROR: &str = "order limit exceeded";
const ORDER_LIMIT_HINT: &str = "CoinGate accepts at most 500 orders per hour for one business. \
     Wait a while and try again, or ask CoinGate support to raise the limit.";

pub struct CoinGateClient {
    kind: GatewayKind,
    base: Url,
    key: Sensitive<String>,
    http: reqwest::Client,
    receive_currency: String,
    /// Merchant rates by (from, to), with when they were fetched; `None` is
    /// CoinGate's "no rate" (an empty body), remembered as long.
    rates: tokio::sync::Mutex<RateCache>,
    /// No call leaves before this, after CoinGate answered 429.
    backoff_until: std::sync::Mutex<Option<Instant>>,
}

/// Merchant rates by (from, to): when fetched, and the rate (`None`: no rate).
type RateCache = HashMap<(String, String), (Instant, Option<Decimal>)>;

/// Which orders to list.
#[derive(Clone, Debug, Default)]
pub struct OrderQuery {
    /// 1-based.
    pub page: u32,
    /// At most 100.
    pub per_page: u32,
    /// Newest first when true.
    pub newest_first: bool,
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
    pub status: Option<String>,
}

/// A page of orders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderPage {
    pub orders: Vec<OrderSummary>,
    pub total_pages: u32,
}

/// One merchant or trader rate: one `from` costs `rate` of `to`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PairRate {
    pub from: String,
    pub to: String,
    pub rate: Decimal,
}

/// `GET /rates` (gateways.md, "Rates").
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rates {
    pub merchant: Vec<PairRate>,
    pub trader_buy: Vec<PairRate>,
    pub trader_sell: Vec<PairRate>,
}

/// A currency's platforms (id, id_name, title) with the coin's own chain
/// first: the one whose `id_name` or title is the coin's name or symbol
/// (ETH -> "Ethereum", BTC -> "Bitcoin"). A token with no chain of its own
/// (USDT, ...) prefers Ethereum, then keeps CoinGate's order; the owner
/// picks another network per coin in Settings.
fn own_chain_first(
    currency: &Currency,
    title: &str,
    platforms: Vec<(String, String, String)>,
) -> Vec<(String, String, String)> {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase()
    };
    let names = [norm(title), norm(currency.code())];
    let own = |(_, id_name, network): &(String, String, String)| {
        let (id_name, network) = (norm(id_name), norm(network));
        names
            .iter()
            .any(|n| !n.is_empty() && (*n == id_name || *n == network))
    };
    let ethereum = |(_, id_name, network): &(String, String, String)| {
        norm(id_name) == "ethereum" || norm(network) == "ethereum"
    };
    let mut ordered = platforms;
    let first = ordered
        .iter()
        .position(own)
        .or_else(|| ordered.iter().position(ethereum));
    if let Some(first) = first {
        let own = ordered.remove(first);
        ordered.insert(0, own);
    }
    ordered
}

/// A day as CoinGate's list filters take it: `YYYY-MM-DD` (UTC).
fn day(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// Text within CoinGate's length bounds (title 3..150, description 3..500
/// characters, gateways.md "Create order"): cut at `max` characters, and
/// `fallback` when too short.
fn clamp(text: &str, min: usize, max: usize, fallback: &str) -> String {
    let text = text.trim();
    let text = if text.chars().count() < min {
        fallback.trim()
    } else {
        text
    };
    let mut text: String = text.chars().take(max).collect();
    while text.chars().count() < min {
        text.push('.');
    }
    text
}

#[cfg(test)]
mod tests;
