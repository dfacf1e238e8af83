//! How a sandbox behaves: one [`Config`] per running sandbox, and the demo
//! terminal's settings.

use std::path::PathBuf;
use std::time::Duration;

/// The API key the demo and training terminals use.
pub const DEMO_API_KEY: &str = "cryptill-demo-terminal-key";

/// How a sandbox behaves; one value per running sandbox.
#[derive(Clone, Debug)]
pub struct Config {
    /// The sandbox's own SQLite file: it keeps its orders across restarts like
    /// a real gateway.
    pub db_path: PathBuf,
    /// Accepted API keys: Counos `X-API-KEY` values and CoinGate
    /// `Authorization: Token <key>` (or `Bearer <key>`) values alike.
    pub api_keys: Vec<String>,
    /// Counos order lifetime.
    pub order_ttl: Duration,
    /// The dashboard tick "allow withdraw and send transaction from terminal's
    /// wallet".
    pub withdraw_permitted: bool,
    /// CoinGate: how long a `pending` order (coin chosen) waits for payment
    /// before it expires.
    pub coingate_pending_ttl: Duration,
    /// CoinGate: how long a `new` order (no coin chosen) lives.
    pub coingate_new_ttl: Duration,
    /// CoinGate enables `POST /orders/{id}/checkout` only for some merchants;
    /// false answers it with 422 as for the others.
    pub coingate_checkout_enabled: bool,
    /// CoinGate's order limit per business, over any rolling hour.
    pub coingate_orders_per_hour: u32,
    /// Counos: whether orders carry an expiry field (`expireAt`). Its name
    /// is not published (gateways.md), so a client must also cope without
    /// one; false leaves it out.
    pub counos_expiry_field: bool,
}

impl Config {
    /// The demo terminal: key [`DEMO_API_KEY`], Counos orders live 15
    /// minutes, withdrawals not permitted (the dashboard default); CoinGate's
    /// documented defaults: `pending` expires after 20 minutes, `new` after 2
    /// hours, 500 orders per hour, and checkout enabled so the app can show a
    /// payment URI in its QR.
    pub fn demo(db_path: impl Into<PathBuf>) -> Self {
        Config {
            db_path: db_path.into(),
            api_keys: vec![DEMO_API_KEY.to_owned()],
            order_ttl: Duration::from_secs(15 * 60),
            withdraw_permitted: false,
            coingate_pending_ttl: Duration::from_secs(20 * 60),
            coingate_new_ttl: Duration::from_secs(2 * 60 * 60),
            coingate_checkout_enabled: true,
            coingate_orders_per_hour: 500,
            counos_expiry_field: true,
        }
    }
}
