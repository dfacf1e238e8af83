//! The sale's own vocabulary, below both the gateway clients and the
//! ledger: which gateway, which coin, what a sale's state is, a gateway's
//! normalised order, and how times are written. Gateways produce these, the
//! ledger stores them, the checkout moves them between the two; none of
//! those modules needs the other to name them.

use chrono::{DateTime, SecondsFormat, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::money::{Currency, Money};

/// Which gateway a shop uses. `Demo` is the embedded sandbox in the Counos
/// dialect: same client, a loopback base URL and a demo key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GatewayKind {
    Demo,
    Counos,
    Coingate,
    /// CoinGate's sandbox environment: separate account, keys and currency ids.
    CoingateSandbox,
}

impl GatewayKind {
    /// Every gateway a till can use, in the order Settings lists them.
    pub const ALL: [GatewayKind; 4] = [
        GatewayKind::Demo,
        GatewayKind::Counos,
        GatewayKind::Coingate,
        GatewayKind::CoingateSandbox,
    ];

    /// The name people see, and the account the key is filed under in the keyring.
    pub fn label(self) -> &'static str {
        match self {
            GatewayKind::Demo => "Demo gateway (sandbox)",
            GatewayKind::Counos => "Counos",
            GatewayKind::Coingate => "CoinGate",
            GatewayKind::CoingateSandbox => "CoinGate sandbox (test payments)",
        }
    }

    /// How messages name the gateway ("Counos says ...").
    pub fn name(self) -> &'static str {
        match self {
            GatewayKind::Demo => "The demo gateway",
            GatewayKind::Counos => "Counos",
            GatewayKind::Coingate => "CoinGate",
            GatewayKind::CoingateSandbox => "CoinGate sandbox",
        }
    }

    /// Live and sandbox CoinGate keys are different keys (gateways.md:
    /// "separate accounts and keys for each"), so each has its own entry.
    pub fn keyring_account(self) -> &'static str {
        self.as_str()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            GatewayKind::Demo => "demo",
            GatewayKind::Counos => "counos",
            GatewayKind::Coingate => "coingate",
            GatewayKind::CoingateSandbox => "coingate-sandbox",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == s)
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
    /// The gateway's own id for the coin, never shown: Counos `tickerId`,
    /// CoinGate `<currency id>:<platform id>`.
    #[serde(skip)]
    #[ts(skip)]
    pub gateway_id: String,
}

#[cfg(test)]
impl Coin {
    /// Bitcoin on its own network, with the gateway's id for it: the coin the
    /// unit tests sell.
    pub(crate) fn test_bitcoin(gateway_id: &str) -> Coin {
        Coin {
            symbol: "BTC".into(),
            title: "Bitcoin".into(),
            network: "Bitcoin".into(),
            decimals: 8,
            gateway_id: gateway_id.into(),
        }
    }
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
    /// What the customer must pay, in the coin; `None` while the gateway
    /// does not say (a CoinGate order before a coin is chosen), and the
    /// sale's own conversion stands.
    pub expected: Option<Money>,
    pub paid: Money,
    pub address: String,
    /// A payment URI for the QR (`bitcoin:...?amount=`), if the gateway gave one.
    pub payment_uri: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub confirmations: u32,
    pub required_confirmations: u32,
    pub transaction_id: Option<String>,
    /// A sentence for the cashier when something about this order needs
    /// saying (e.g. the QR opens the gateway's payment page instead of a wallet).
    pub notice: Option<String>,
}

/// How every time is written: RFC 3339 UTC to the millisecond, so text
/// order is time order in the ledger.
pub(crate) fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}
