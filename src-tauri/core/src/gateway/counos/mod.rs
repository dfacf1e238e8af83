//! Counos Payment Gateway client. Every fact it relies on is in
//! `shared/gateways.md` ("Counos Payment Gateway"); the comments cite them.

mod client;
mod gateway_impl;
mod wire;

#[cfg(test)]
pub(crate) use wire::parse_any;
pub use wire::{counos_state, Rate, OWN_DEADLINE, OWN_DEADLINE_NOTICE};

use rust_decimal::Decimal;
use url::Url;

use super::GatewayKind;
use crate::money::Money;
use crate::secret::Sensitive;

pub const LIVE_BASE_URL: &str = "https://payment.counos.io/api/";

/// The refusal Counos sends when the terminal may not withdraw (gateways.md,
/// "Withdraw": shown as it is, with what to do).
const WITHDRAW_NOT_PERMITTED: &str = "withdraw is not permitted by api";
const WITHDRAW_PERMISSION_HINT: &str = "In the Counos dashboard, tick 'allow withdraw and send \
     transaction from terminal's wallet' for this terminal, then try again.";

/// One of the three rate lists (gateways.md, "Rates").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateList {
    Crypto,
    Currencies,
    Metals,
}

impl RateList {
    fn path(self) -> &'static str {
        match self {
            RateList::Crypto => "exchange/rate/crypto",
            RateList::Currencies => "exchange/rate/currencies",
            RateList::Metals => "exchange/rate/metals",
        }
    }
}

/// What an amount of a coin is worth in a fiat currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Valuation {
    pub fiat: Money,
    /// Price of one coin in the fiat currency.
    pub rate: Decimal,
}

pub struct CounosClient {
    kind: GatewayKind,
    base: Url,
    key: Sensitive<String>,
    http: reqwest::Client,
    /// The gateway's clock minus the till's, from the `Date` header of the
    /// last answer. Counos has no status field, so whether an order has
    /// expired is judged against the gateway's time, never the till's: a
    /// till whose clock runs 20 minutes ahead must not call a fresh order
    /// expired (nor a paid one unpaid).
    gateway_clock: std::sync::Mutex<Option<chrono::Duration>>,
}

#[cfg(test)]
mod tests;
