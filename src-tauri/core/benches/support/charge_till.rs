//! The till both measurements of Charge to QR run against: the Criterion
//! bench (`benches/checkout.rs`) and the paired runner
//! (`examples/charge_pair.rs`), so the two measure the same thing. A demo
//! till on the Counos dialect of the sandbox on loopback, charged as the
//! window's Charge charges (`Checkout::charge_sale`, one call), once
//! (the coin list is fetched once per till, not per sale), with what the
//! floor needs: the first charge's payment URI (the floor's QR encodes a
//! URI of the same shape) and a raw order POST.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use cryptill_core::checkout::{Checkout, LineEntry, Payment, SaleEntry};
use cryptill_core::gateway::counos::CounosClient;
use cryptill_core::gateway::GatewayKind;
use cryptill_core::ledger::Ledger;
use cryptill_core::money::Currency;
use cryptill_core::secret::Sensitive;

pub struct ChargeTill {
    pub rt: tokio::runtime::Runtime,
    pub sandbox: cryptill_sandbox::Handle,
    pub checkout: Checkout,
    /// What the cashier typed: 12.50 in bitcoin.
    entry: SaleEntry,
    /// The first charge's payment URI.
    pub uri: String,
    http: reqwest::Client,
    order_url: String,
    ticker: i64,
    next_id: AtomicU64,
    _dir: tempfile::TempDir,
}

impl ChargeTill {
    pub fn start() -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let sandbox = rt.block_on(async {
            cryptill_sandbox::start(
                cryptill_sandbox::Config::demo(dir.path().join("gateway.sqlite3")),
                SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            )
            .await
            .unwrap()
        });
        let ledger = Arc::new(Ledger::open(&dir.path().join("cryptill.sqlite3")).unwrap());
        let client = CounosClient::new(
            GatewayKind::Demo,
            &sandbox.counos_url(),
            Sensitive::new(cryptill_sandbox::DEMO_API_KEY.to_string()),
        )
        .unwrap();
        let checkout = Checkout::new(ledger, Arc::new(client), Currency::fiat("EUR").unwrap());
        let entry = SaleEntry {
            lines: vec![LineEntry {
                label: String::new(),
                amount: "12.50".into(),
            }],
            tip: None,
            coin: "BTC".into(),
        };
        let first = rt.block_on(checkout.charge_sale(&entry)).unwrap();
        let ticker = rt
            .block_on(checkout.coins())
            .unwrap()
            .into_iter()
            .find(|c| c.symbol == "BTC")
            .unwrap()
            .gateway_id
            .parse()
            .unwrap();
        let order_url = format!("{}terminal/order", sandbox.counos_url());
        ChargeTill {
            rt,
            sandbox,
            checkout,
            entry,
            uri: first.payment_uri,
            http: reqwest::Client::new(),
            order_url,
            ticker,
            next_id: AtomicU64::new(9_000_000_000_000),
            _dir: dir,
        }
    }

    /// One Charge, as the window makes it.
    pub async fn charge(&self) -> Payment {
        self.checkout.charge_sale(&self.entry).await.unwrap()
    }

    /// The floor's round trip: one order POSTed raw, over a kept connection.
    pub async fn raw_order(&self) -> bytes::Bytes {
        let body = format!(
            r#"{{"orderId":"{}","tickerId":{},"expectedAmount":0.00021552,"renew":false}}"#,
            self.next_id.fetch_add(1, Ordering::Relaxed),
            self.ticker
        );
        let answer = self
            .http
            .post(&self.order_url)
            .header("x-api-key", cryptill_sandbox::DEMO_API_KEY)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success());
        answer.bytes().await.unwrap()
    }

    /// A GET of the same sandbox over the same connection.
    // Only the Criterion bench times the conversion alone; the paired runner does not.
    #[allow(dead_code)]
    pub async fn raw_get(&self, url: &str) -> bytes::Bytes {
        let answer = self
            .http
            .get(url)
            .header("x-api-key", cryptill_sandbox::DEMO_API_KEY)
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success());
        answer.bytes().await.unwrap()
    }
}
