//! Payment gateways behind one trait. Each client turns its gateway's wire
//! format (see `shared/gateways.md`) into the normalised types here, so the
//! checkout never sees a dialect.

pub mod address;
pub mod coingate;
pub mod counos;
mod http;
#[cfg(test)]
mod parser_properties;
mod wire;

use crate::said::Said;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use ts_rs::TS;

use crate::error::Result;
use crate::money::{Currency, Money};
use crate::sale::timestamp;

pub use crate::sale::{Coin, Conversion, GatewayKind, GatewayOrder, SaleState};
pub use http::check_base_url;

/// Whether `wanted` (as an owner typed it: `ethereum`, `Ethereum`, `BEP2`)
/// names `network` (as the gateway titles it: `Binance Chain (BEP2)`).
/// Exact after dropping case and punctuation, or a whole word of it.
pub fn network_matches(wanted: &str, network: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase()
    };
    let wanted = norm(wanted);
    if wanted.is_empty() {
        return false;
    }
    wanted == norm(network)
        || network
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| norm(word) == wanted)
}

/// The coin `symbol` on the network the owner chose (`chosen`), or on its
/// default network: the first the gateway client lists for it, which each
/// client puts first by matching the coin's own chain, never by the order
/// the gateway happens to list them in (gateways.md, Round 2).
pub fn pick_network(coins: &[Coin], symbol: &str, chosen: Option<&str>) -> Result<Option<Coin>> {
    let symbol = symbol.trim().to_ascii_uppercase();
    let candidates: Vec<&Coin> = coins.iter().filter(|c| c.symbol == symbol).collect();
    let Some(default) = candidates.first() else {
        return Ok(None);
    };
    let Some(chosen) = chosen.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(Some((*default).clone()));
    };
    let exact = candidates
        .iter()
        .find(|c| c.network.trim().eq_ignore_ascii_case(chosen));
    let matching: Vec<&&Coin> = candidates
        .iter()
        .filter(|c| network_matches(chosen, &c.network))
        .collect();
    match (exact, matching.as_slice()) {
        (Some(coin), _) => Ok(Some((*coin).clone())),
        (None, [one]) => Ok(Some((**one).clone())),
        _ => Err(crate::error::Error::input(Said::network_not_offered(
            symbol,
            chosen,
            candidates
                .iter()
                .map(|c| c.network.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ))),
    }
}

/// What the checkout asks a gateway to create.
#[derive(Clone, Debug)]
pub struct OrderRequest {
    /// Ours, derived from the local sale id, so a retry re-finds the order.
    pub merchant_order_id: String,
    pub coin: Coin,
    pub crypto: Money,
    pub fiat: Money,
    /// When the sale was recorded: no order for it can be older (give or
    /// take clock skew), which bounds a search for one made before.
    pub created_at: DateTime<Utc>,
    /// A short line naming the sale ("Sale ct-a1b2-12 at Corner Café").
    pub title: String,
    /// A sentence about the sale, for the gateway's dashboard.
    pub description: String,
}

/// Which order to ask about. Counos finds orders by our merchant order id,
/// CoinGate only by its own id, so both travel together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderRef {
    pub merchant_order_id: String,
    /// `None` until the gateway has answered a create.
    pub gateway_order_id: Option<String>,
}

/// What the terminal or account holds of one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Balance {
    /// Upper-case symbol, e.g. `BTC` (CoinGate also lists fiat accounts, e.g. `EUR`).
    pub coin: String,
    pub title: String,
    /// Exact decimal text, e.g. `"0.00021552"`.
    #[serde(serialize_with = "money_text")]
    #[ts(type = "string")]
    pub amount: Money,
}

/// A withdrawal (payout) from the gateway, as far as the gateway tells.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Withdrawal {
    pub id: String,
    pub coin: String,
    #[serde(serialize_with = "opt_money_text")]
    #[ts(type = "string | null")]
    pub amount: Option<Money>,
    pub address: Option<String>,
    pub transaction_id: Option<String>,
    /// The gateway's own word for it ("pending", "done", "completed", ...).
    pub status: String,
    pub confirmations: Option<u32>,
    /// RFC 3339 UTC.
    #[serde(serialize_with = "opt_time_text")]
    #[ts(type = "string | null")]
    pub created_at: Option<DateTime<Utc>>,
}

impl Withdrawal {
    /// Counos withdrawals are "searchable by wallet address or transaction
    /// id" (gateways.md); the same search serves CoinGate's list. A
    /// substring, ignoring case.
    pub fn matches(&self, search: &str) -> bool {
        let search = search.to_lowercase();
        [&self.address, &self.transaction_id]
            .into_iter()
            .flatten()
            .any(|field| field.to_lowercase().contains(&search))
    }
}

/// What the owner asks to withdraw.
#[derive(Clone, Debug)]
pub struct WithdrawRequest {
    pub coin: Coin,
    pub amount: Money,
    pub address: String,
}

/// The gateway's answer to a withdrawal request, and what happens next.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct WithdrawReceipt {
    pub withdrawal: Option<Withdrawal>,
    /// For the owner: what was registered and what to do next (English,
    /// as the command line says it).
    pub message: String,
    /// The same sentence's code and values, for the window to say in the
    /// shop's language.
    pub said: Said,
}

/// What the owner sends back to a customer for a sale (issue 18).
#[derive(Clone, Debug)]
pub struct RefundRequest {
    /// The sale's order at the gateway.
    pub order: OrderRef,
    pub coin: Coin,
    /// In the sale's price currency: CoinGate takes the refund's amount so
    /// (gateways.md: "amount in price currency").
    pub fiat: Money,
    /// The same amount in the coin: what a Counos withdrawal sends.
    pub crypto: Money,
    /// Checked for the coin's network before it gets here.
    pub address: String,
    pub reason: String,
    /// The customer's e-mail: CoinGate asks the shopper to confirm the
    /// address there; Counos has no use for it.
    pub email: Option<String>,
}

/// A refund the ledger left `sending` (the app closed between the gateway
/// call and the ledger write), to look for among what the gateway holds:
/// the gateway's refund (or withdrawal) of the same amount to the same
/// address that no other refund of ours already claims.
#[derive(Clone, Debug)]
pub struct RefundProbe {
    pub order: OrderRef,
    /// As asked, in the price currency (CoinGate's `request_amount`).
    pub fiat: Money,
    /// As asked, in the coin (a Counos withdrawal's amount).
    pub crypto: Money,
    pub address: String,
    /// Gateway ids the ledger already holds for other refunds.
    pub claimed: Vec<String>,
}

impl RefundProbe {
    /// Whether a gateway record of `id` to `address` fits this refund.
    /// Addresses are compared without ASCII case: bech32 addresses are
    /// case-insensitive, and no network tells two apart by case alone.
    pub fn fits(&self, id: &str, address: Option<&str>) -> bool {
        !id.is_empty()
            && !self.claimed.iter().any(|c| c == id)
            && address.is_some_and(|a| a.trim().eq_ignore_ascii_case(self.address.trim()))
    }
}

/// Where a refund stands at the gateway, in one vocabulary for both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefundProgress {
    /// Accepted and waiting (CoinGate `pending`/`processing`; a Counos
    /// withdrawal waiting for the owner's e-mail confirmation).
    Pending,
    /// The money went out (CoinGate `completed`; Counos `done`).
    Completed,
    /// It will not go out (CoinGate `rejected`).
    Rejected,
}

/// A refund as the gateway tells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GatewayRefund {
    /// CoinGate's refund id, or the Counos withdrawal's id.
    pub id: String,
    /// The gateway's own word ("pending", "processing", "completed", ...).
    pub status: String,
    pub progress: RefundProgress,
    /// What the customer gets in the coin, when the gateway says.
    pub crypto: Option<Money>,
    /// For the person at the counter: what happens next, or why not, as a
    /// sentence the ledger keeps with its code (the refund's note).
    pub message: Said,
}

fn money_text<S: Serializer>(money: &Money, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&money.to_fixed())
}

fn opt_money_text<S: Serializer>(
    money: &Option<Money>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match money {
        Some(money) => s.serialize_str(&money.to_fixed()),
        None => s.serialize_none(),
    }
}

fn opt_time_text<S: Serializer>(
    time: &Option<DateTime<Utc>>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match time {
        Some(time) => s.serialize_str(&timestamp(*time)),
        None => s.serialize_none(),
    }
}

/// An amount exactly as a gateway wrote it: the currency's usual places, or
/// more if the gateway gave more, so nothing it reports is rounded away.
pub(crate) fn exact_money(amount: Decimal, currency: Currency) -> Money {
    let decimals = currency.decimals().max(amount.normalize().scale());
    Money::new(amount, Currency::new(currency.code(), decimals))
}

/// The largest amount of anything a gateway may tell us; beyond it the
/// answer is broken or hostile, and checked arithmetic keeps far from
/// `Decimal`'s limits (issue #8: a gateway number must never panic).
pub(crate) const MAX_AMOUNT: Decimal = Decimal::from_parts(2_764_472_320, 232_830, 0, false, 0); // 1e15

/// An amount a gateway sent, if it is one: neither negative nor absurdly large.
pub(crate) fn sane_amount(amount: Decimal) -> bool {
    amount >= Decimal::ZERO && amount <= MAX_AMOUNT
}

/// The smallest and largest price of one coin in the shop's currency that
/// can be believed: a trillion apart either way from one unit.
const MIN_RATE: Decimal = Decimal::from_parts(1, 0, 0, false, 12); // 1e-12
const MAX_RATE: Decimal = Decimal::from_parts(3_567_587_328, 232, 0, false, 0); // 1e12

/// The coin amount for `fiat`, from a gateway's converted `value` (`None`:
/// the arithmetic overflowed), refused when it cannot be a real price: not
/// positive, beyond any range, a rate outside [`MIN_RATE`]..[`MAX_RATE`], or
/// so small that rounding up to the coin's smallest unit changes it by more
/// than 1 % (a customer would be asked for a made-up amount).
pub(crate) fn checked_conversion(
    fiat: &Money,
    coin: &Coin,
    value: Option<Decimal>,
) -> std::result::Result<Money, String> {
    let shown = |v: Decimal| format!("{} would be {v} {}", fiat, coin.symbol);
    let value = value.ok_or_else(|| format!("{} is beyond any amount of {}", fiat, coin.symbol))?;
    if value <= Decimal::ZERO || value > MAX_AMOUNT {
        return Err(shown(value));
    }
    let rate = fiat.amount().checked_div(value);
    if !rate.is_some_and(|r| (MIN_RATE..=MAX_RATE).contains(&r)) {
        return Err(shown(value));
    }
    let crypto = Money::new_rounded_up(value, coin.currency());
    let limit = value.checked_mul(Decimal::new(101, 2));
    if limit.is_none_or(|limit| crypto.amount() > limit) {
        return Err(format!(
            "{}, less than the smallest unit of {} can carry",
            shown(value),
            coin.symbol
        ));
    }
    Ok(crypto)
}

/// The error for a conversion [`checked_conversion`] refused.
pub(crate) fn price_looks_wrong(gateway: &str, coin: &Coin, detail: String) -> crate::error::Error {
    tracing::warn!(gateway, coin = %coin.symbol, %detail, "refused an implausible conversion");
    crate::error::Error::GatewayImplausible {
        gateway: gateway.to_string(),
        detail: format!(
            "{gateway}'s price for {} looks wrong: {detail}",
            coin.symbol
        ),
    }
}

#[async_trait]
pub trait Gateway: Send + Sync {
    fn kind(&self) -> GatewayKind;

    /// The coins this terminal accepts, as the gateway lists them.
    async fn coins(&self) -> Result<Vec<Coin>>;

    /// Converts a fiat price into `coin` at the gateway's rate.
    async fn convert(&self, fiat: &Money, coin: &Coin) -> Result<Conversion>;

    /// Creates the order, or returns the existing one for the same
    /// `merchant_order_id` (a retry must never create a second order).
    async fn create_order(&self, request: &OrderRequest) -> Result<GatewayOrder>;

    /// The order's current state.
    async fn order(&self, order: &OrderRef, coin: &Coin) -> Result<GatewayOrder>;

    // The owner's side: Settings and the wallet screen.

    /// Checks that the stored API key is accepted; `Err(GatewayAuth)` if not.
    async fn test_key(&self) -> Result<()>;

    /// What the terminal (Counos) or account (CoinGate) holds.
    async fn balances(&self) -> Result<Vec<Balance>>;

    /// Past withdrawals, newest first; `search` keeps those whose address
    /// or transaction id contains it.
    async fn withdrawals(&self, search: Option<&str>) -> Result<Vec<Withdrawal>>;

    /// Asks the gateway to send `amount` to `address`.
    async fn withdraw(&self, request: &WithdrawRequest) -> Result<WithdrawReceipt>;

    /// Sends money of a sale back to its customer. `Ok` only once the
    /// gateway accepted the refund; a refusal is `Err(GatewayRefused)`.
    async fn refund(&self, request: &RefundRequest) -> Result<GatewayRefund>;

    /// Where a refund made by [`Gateway::refund`] stands now.
    async fn refund_status(&self, order: &OrderRef, refund_id: &str) -> Result<GatewayRefund>;

    /// The gateway's record of a refund whose answer never reached the
    /// ledger ([`RefundProbe`]), if it holds one; `None` if it holds none.
    async fn find_refund(&self, probe: &RefundProbe) -> Result<Option<GatewayRefund>>;
}
