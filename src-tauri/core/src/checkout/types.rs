//! What crosses the door to the window and the command line: what the
//! cashier sends in, and what the screens are shown.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::gateway::SaleState;
use crate::ledger::RefundState;

/// A charge that failed ([`super::Checkout::charge_sale`]): why, and the
/// sale it had recorded by then, if it got that far. That sale holds
/// nothing the gateway made: [`super::Checkout::place`] places it again
/// (the gateway hands back any order an earlier try made, never a second
/// one), or it is voided.
#[derive(Debug)]
pub struct ChargeFailed {
    pub error: crate::error::Error,
    pub sale_id: Option<i64>,
}

impl ChargeFailed {
    /// Refused before anything was recorded.
    pub(super) fn before(error: crate::error::Error) -> Self {
        Self {
            error,
            sale_id: None,
        }
    }
}

impl From<ChargeFailed> for crate::error::AppError {
    fn from(failed: ChargeFailed) -> Self {
        Self {
            sale_id: failed.sale_id,
            ..failed.error.into()
        }
    }
}

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
    /// Who sold it; `None` on a till without cashiers.
    pub cashier: Option<String>,
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
    /// Who sold it; `None` on a till without cashiers.
    pub cashier: Option<String>,
    /// Money arrived for it (paid, overpaid, or part of it): the counter
    /// offers a refund.
    pub has_payment: bool,
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
    /// Who sold it; `None` on a till without cashiers (print it only when set).
    pub cashier: Option<String>,
    /// Money given back for the sale (issue 18), oldest first: every refund
    /// but a failed or rejected one, so a reprint shows what went back.
    pub refunds: Vec<ReceiptRefund>,
}

/// One refund as a reprinted receipt lists it.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ReceiptRefund {
    pub fiat_amount: String,
    pub crypto_amount: String,
    pub coin: String,
    /// RFC 3339 UTC: when it finished, was sent, or was asked, in that order.
    pub time: String,
    pub state: RefundState,
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

/// What the window (and anyone else following) is told when a sale changes
/// in the background: the sale as it is now, and the state it was in.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SaleUpdate {
    pub payment: Payment,
    pub previous: SaleState,
    /// A payment arrived for an expired or voided sale just now.
    pub late_payment: bool,
}

/// The events the app sends its windows, named once: the Rust side emits
/// `AppEvent::X.name()`, and the UI's names are checked against the
/// generated `AppEvent` type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export)]
pub enum AppEvent {
    /// A [`SaleUpdate`]: some sale changed, on screen or not.
    SaleUpdated,
    /// The second launch of the app on this till asked this window to come forward.
    SecondLaunch,
    /// A [`CustomerView`]: what the customer display shows now.
    CustomerView,
    /// A [`crate::printer::PrintOutcome`]: a receipt the till printed by
    /// itself, or why it could not.
    ReceiptPrint,
    /// A [`crate::ledger::ShopSaleChanged`]: a sale of the shop changed on
    /// the shared ledger, at this till or another (PostgreSQL only).
    ShopSaleChanged,
}

impl AppEvent {
    pub const fn name(self) -> &'static str {
        match self {
            AppEvent::SaleUpdated => "sale-updated",
            AppEvent::SecondLaunch => "second-launch",
            AppEvent::CustomerView => "customer-view",
            AppEvent::ReceiptPrint => "receipt-print",
            AppEvent::ShopSaleChanged => "shop-sale-changed",
        }
    }
}

/// Seconds until `expires_at`, never negative.
pub fn seconds_left(expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<i64> {
    expires_at.map(|at| (at - now).num_seconds().max(0))
}
