//! Payment gateways behind one trait. Each client turns its gateway's wire
//! format (see `shared/gateways.md`) into the normalised types here, so the
//! checkout never sees a dialect.

pub mod counos;
mod http;
mod wire;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Result;
use crate::money::{Currency, Money};

pub use http::check_base_url;

/// Which gateway a shop uses. `Demo` is the embedded sandbox in the Counos
/// dialect: same client, a loopback base URL and a demo key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GatewayKind {
    Demo,
    Counos,
}

impl GatewayKind {
    /// The name people see, and the account the key is filed under in the keyring.
    pub fn label(self) -> &'static str {
        match self {
            GatewayKind::Demo => "Demo gateway (sandbox)",
            GatewayKind::Counos => "Counos",
        }
    }

    /// How messages name the gateway ("Counos says ...").
    pub fn name(self) -> &'static str {
        match self {
            GatewayKind::Demo => "The demo gateway",
            GatewayKind::Counos => "Counos",
        }
    }

    pub fn keyring_account(self) -> &'static str {
        match self {
            GatewayKind::Demo => "demo",
            GatewayKind::Counos => "counos",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            GatewayKind::Demo => "demo",
            GatewayKind::Counos => "counos",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "demo" => Some(GatewayKind::Demo),
            "counos" => Some(GatewayKind::Counos),
            _ => None,
        }
    }
}

/// A coin a customer can pay with at this terminal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Coin {
    /// Upper-case ticker symbol, e.g. `BTC`.
    pub symbol: String,
    pub title: String,
    /// The network the coin is sent on, shown beside the QR.
    pub network: String,
    pub decimals: u32,
    /// The gateway's own id for the coin (Counos `tickerId`); never shown.
    #[serde(skip)]
    #[ts(skip)]
    pub gateway_id: String,
}

impl Coin {
    pub fn currency(&self) -> Currency {
        Currency::new(&self.symbol, self.decimals)
    }
}

/// The gateway's conversion of a fiat price into a coin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conversion {
    pub crypto: Money,
    /// Price of one coin in the fiat currency.
    pub rate: Decimal,
}

/// What the checkout asks a gateway to create.
#[derive(Clone, Debug)]
pub struct OrderRequest {
    /// Ours, derived from the local sale id, so a retry re-finds the order.
    pub merchant_order_id: String,
    pub coin: Coin,
    pub crypto: Money,
    pub fiat: Money,
}

/// Cryptill's own sale states. Every gateway status maps to exactly one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum SaleState {
    /// Saved locally, the gateway order not yet confirmed created.
    Creating,
    Awaiting,
    Confirming,
    Underpaid,
    Paid,
    Overpaid,
    Expired,
    Invalid,
    Canceled,
    Refunded,
}

impl SaleState {
    /// A final state never changes again by itself; nothing more to follow.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            SaleState::Paid
                | SaleState::Overpaid
                | SaleState::Expired
                | SaleState::Invalid
                | SaleState::Canceled
                | SaleState::Refunded
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SaleState::Creating => "creating",
            SaleState::Awaiting => "awaiting",
            SaleState::Confirming => "confirming",
            SaleState::Underpaid => "underpaid",
            SaleState::Paid => "paid",
            SaleState::Overpaid => "overpaid",
            SaleState::Expired => "expired",
            SaleState::Invalid => "invalid",
            SaleState::Canceled => "canceled",
            SaleState::Refunded => "refunded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            SaleState::Creating,
            SaleState::Awaiting,
            SaleState::Confirming,
            SaleState::Underpaid,
            SaleState::Paid,
            SaleState::Overpaid,
            SaleState::Expired,
            SaleState::Invalid,
            SaleState::Canceled,
            SaleState::Refunded,
        ]
        .into_iter()
        .find(|state| state.as_str() == s)
    }
}

/// A gateway order, normalised.
#[derive(Clone, Debug, PartialEq)]
pub struct GatewayOrder {
    pub gateway_order_id: String,
    pub merchant_order_id: String,
    pub state: SaleState,
    /// What the customer must pay, in the coin.
    pub expected: Money,
    pub paid: Money,
    pub address: String,
    /// A payment URI for the QR (`bitcoin:...?amount=`), if the gateway gave one.
    pub payment_uri: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub confirmations: u32,
    pub required_confirmations: u32,
    pub transaction_id: Option<String>,
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

    /// The order's current state, by our merchant order id.
    async fn order(&self, merchant_order_id: &str, coin: &Coin) -> Result<GatewayOrder>;
}
