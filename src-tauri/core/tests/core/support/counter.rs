//! A counter: a real SQLite ledger in a temp dir and the real checkout over
//! one dialect of a sandbox on loopback. The fixture of every test that
//! sells through the checkout.

use std::path::PathBuf;
use std::sync::Arc;

use cryptill_core::checkout::Checkout;
use cryptill_core::gateway::coingate::CoinGateClient;
use cryptill_core::gateway::counos::CounosClient;
use cryptill_core::gateway::{Gateway, GatewayKind};
use cryptill_core::ledger::Ledger;
use cryptill_core::money::Currency;
use cryptill_core::secret::Sensitive;
use serde_json::Value;

use super::{Sandbox, KEY};

pub struct Counter {
    pub sandbox: Sandbox,
    pub dir: tempfile::TempDir,
    pub ledger: Arc<Ledger>,
    pub checkout: Checkout,
    /// Which gateway the checkout speaks to: `Demo` and `Counos` take the
    /// Counos dialect, the CoinGate kinds the CoinGate one.
    pub kind: GatewayKind,
}

/// A client of `kind` for the sandbox's dialect of that kind.
pub fn client(sandbox: &Sandbox, kind: GatewayKind) -> Arc<dyn Gateway> {
    let key = Sensitive::new(KEY.to_string());
    match kind {
        GatewayKind::Demo | GatewayKind::Counos => {
            Arc::new(CounosClient::new(kind, &sandbox.handle.counos_url(), key).unwrap())
        }
        GatewayKind::Coingate | GatewayKind::CoingateSandbox => {
            Arc::new(CoinGateClient::new(kind, &sandbox.handle.coingate_url(), key).unwrap())
        }
    }
}

/// A counter in euros over a demo-configured sandbox.
pub async fn counter(kind: GatewayKind) -> Counter {
    let sandbox = super::start(|c| c).await;
    let dir = tempfile::tempdir().unwrap();
    let ledger = Arc::new(Ledger::open(&dir.path().join("ledger.sqlite3")).unwrap());
    let checkout = Checkout::new(
        ledger.clone(),
        client(&sandbox, kind),
        Currency::fiat("EUR").unwrap(),
    );
    Counter {
        sandbox,
        dir,
        ledger,
        checkout,
        kind,
    }
}

impl Counter {
    pub fn ledger_path(&self) -> PathBuf {
        self.dir.path().join("ledger.sqlite3")
    }

    /// The same till after a restart: a new checkout over the same ledger
    /// file and the same gateway; nothing carried over in memory.
    pub fn restarted(&self) -> Checkout {
        let ledger = Arc::new(Ledger::open(&self.ledger_path()).unwrap());
        Checkout::new(
            ledger,
            client(&self.sandbox, self.kind),
            Currency::fiat("EUR").unwrap(),
        )
    }

    /// The sandbox acts on the sale's order (Counos dialect, by our order id).
    pub async fn act(&self, sale_id: i64, action: &str, body: Value) {
        let sale = self.ledger.sale(sale_id).unwrap();
        self.sandbox
            .control(
                &format!("counos/orders/{}/{action}", sale.merchant_order_id),
                body,
            )
            .await;
    }
}
