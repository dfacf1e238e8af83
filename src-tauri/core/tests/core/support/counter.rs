//! A counter: a real SQLite ledger in a temp dir and the real checkout over
//! one dialect of a sandbox on loopback. The fixture of every test that
//! sells through the checkout.

use std::path::PathBuf;
use std::sync::Arc;

use cryptill_core::checkout::{Checkout, LineEntry, SaleEntry};
use cryptill_core::gateway::coingate::CoinGateClient;
use cryptill_core::gateway::counos::CounosClient;
use cryptill_core::gateway::{Gateway, GatewayKind};
use cryptill_core::ledger::Ledger;
use cryptill_core::money::Currency;
use cryptill_core::secret::Sensitive;
use cryptill_sandbox::client::{Dialect, Payment};

use super::{Sandbox, KEY};

pub struct Counter {
    pub sandbox: Sandbox,
    pub dir: tempfile::TempDir,
    pub ledger: Arc<Ledger>,
    pub checkout: Checkout,
    /// Which gateway the checkout speaks to: `Demo` and `Counos` take the
    /// Counos dialect, the CoinGate kinds the CoinGate one.
    pub kind: GatewayKind,
    /// The shared ledger's address when the suite runs on PostgreSQL
    /// (`CRYPTILL_TEST_LEDGER=postgres`); `None` on SQLite.
    pub shared: Option<String>,
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
    let path = dir.path().join("ledger.sqlite3");
    // `CRYPTILL_TEST_LEDGER=postgres`: the same suites on a shared ledger.
    let shared = super::pg::suite_ledger();
    if let Some(url) = &shared {
        Ledger::use_postgres(&path, url, None).unwrap();
    }
    let ledger = Arc::new(Ledger::open(&path).unwrap());
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
        shared,
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

    /// A payment arrives for the sale's order (Counos dialect, by our order id).
    pub async fn pay(&self, sale_id: i64, payment: Payment) {
        let order = self.ledger.sale(sale_id).unwrap().merchant_order_id;
        let control = &self.sandbox.control;
        control.pay(Dialect::Counos, order, payment).await.unwrap();
    }

    /// The sale's payment has `confirmations` now.
    pub async fn confirm(&self, sale_id: i64, confirmations: u32) {
        let order = self.ledger.sale(sale_id).unwrap().merchant_order_id;
        let control = &self.sandbox.control;
        let confirmed = control.confirm(Dialect::Counos, order, Some(confirmations));
        confirmed.await.unwrap();
    }

    /// The sale's order expires now (Counos dialect, by our order id).
    pub async fn expire(&self, sale_id: i64) {
        let order = self.ledger.sale(sale_id).unwrap().merchant_order_id;
        self.sandbox
            .control
            .expire(Dialect::Counos, order)
            .await
            .unwrap();
    }
}

/// A sale of one unlabelled line of `amount` euros in bitcoin, as typed at
/// the counter.
pub fn entry(amount: &str) -> SaleEntry {
    SaleEntry {
        lines: vec![LineEntry {
            label: String::new(),
            amount: amount.into(),
        }],
        tip: None,
        coin: "BTC".into(),
    }
}

/// A return of `amount` (in euros) of sale `sale_id` to a testnet Bitcoin
/// address the core and the sandbox accept, as the owner types it.
pub fn return_form(sale_id: i64, amount: &str) -> cryptill_core::refund::RefundForm {
    cryptill_core::refund::RefundForm {
        sale: sale_id.to_string(),
        kind: "return".into(),
        amount: amount.into(),
        address: "tb1qqpzry9x8gf2tvdw0s3jn54khce6mua7lqpzry9".into(),
        reason: "Returned".into(),
        ..Default::default()
    }
}

/// The owner confirms the Counos e-mail of a sent refund's withdrawal (the
/// sandbox's dashboard step); followed, the refund is done.
pub async fn confirm_refund(
    control: &cryptill_sandbox::client::Control,
    refunds: &cryptill_core::refund::Refunds<'_>,
    sent: &cryptill_core::ledger::RefundRecord,
) {
    let withdrawal: i64 = sent.gateway_refund_id.as_deref().unwrap().parse().unwrap();
    control
        .counos_complete_withdrawal(withdrawal, None)
        .await
        .unwrap();
    assert_eq!(
        refunds.follow(sent.id).await.unwrap().state,
        cryptill_core::ledger::RefundState::Done
    );
}
