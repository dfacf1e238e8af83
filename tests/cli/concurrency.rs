//! Several `cryptill` processes on one till at once, as a shop has them:
//! the window, a script, a second terminal. The real binary, a sandbox
//! served by another `cryptill` process, one ledger file.

use std::process::Output;
use std::thread;
use std::time::Duration;

use serde_json::Value;

use crate::support::{Shop, DEMO_KEY};
use crate::BIN;

const PIN: &str = "2468";

/// Runs `args` in `n` processes started together; their outputs.
fn at_once(shop: &Shop, n: usize, args: &[&str]) -> Vec<Output> {
    let children: Vec<_> = (0..n)
        .map(|_| {
            let mut child = shop.command(args).spawn().unwrap();
            drop(child.stdin.take());
            child
        })
        .collect();
    children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect()
}

/// A GET of the sandbox's CoinGate API (with the demo key), as the
/// merchant's own tools would list orders; the JSON answer.
fn coingate_get(url: &str) -> Value {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let response = reqwest::Client::new()
            .get(url)
            .header("Authorization", format!("Token {DEMO_KEY}"))
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "GET {url}: {}",
            response.status()
        );
        response.json().await.unwrap()
    })
}

#[test]
fn twelve_sales_at_once_on_one_ledger_all_succeed() {
    let shop = Shop::new(BIN, "conc-twelve").with_pin(PIN);
    let sandbox = shop.serve_sandbox();
    shop.use_gateway("counos", &format!("{}/counos/api/", sandbox.1), PIN);
    let outputs = at_once(&shop, 12, &["sale", "1.50", "EUR", "BTC", "--json"]);
    let mut ids = Vec::new();
    for out in &outputs {
        assert!(
            out.status.success(),
            "a sale failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let sale: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(sale["state"], "awaiting");
        ids.push(sale["saleId"].as_i64().unwrap());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 12, "twelve sales, twelve numbers");
}

#[test]
fn two_order_runs_at_once_place_one_coingate_order_every_time() {
    let shop = Shop::new(BIN, "conc-place").with_pin(PIN);
    let sandbox = shop.serve_sandbox();
    let coingate = format!("{}/coingate/v2/", sandbox.1);
    shop.use_gateway("coingate-sandbox", &coingate, PIN);
    // 300 ms a gateway answer: both processes are mid-placement together.
    sandbox
        .control()
        .run(|c| c.set_latency(Duration::from_millis(300)))
        .unwrap();
    let ledger_path = shop.ledger_path();
    for round in 0..3 {
        // A sale recorded, its order not made yet (the app died there).
        let ledger = cryptill_core::ledger::Ledger::open(&ledger_path).unwrap();
        let eur = cryptill_core::money::Currency::fiat("EUR").unwrap();
        let fiat = cryptill_core::money::Money::parse_entry("12.50", &eur).unwrap();
        let coin = cryptill_core::gateway::Coin {
            symbol: "BTC".into(),
            title: "Bitcoin".into(),
            network: "Bitcoin".into(),
            decimals: 8,
            gateway_id: String::new(),
        };
        let sale = ledger
            .begin_sale(
                &fiat,
                &coin,
                cryptill_core::gateway::GatewayKind::CoingateSandbox,
            )
            .unwrap();
        drop(ledger);
        let id = sale.id.to_string();
        let outputs = at_once(&shop, 2, &["order", &id, "--json"]);
        let mut order_ids = Vec::new();
        for out in &outputs {
            assert!(
                out.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let placed: Value = serde_json::from_slice(&out.stdout).unwrap();
            order_ids.push(placed["gatewayOrderId"].as_str().unwrap().to_string());
        }
        assert_eq!(order_ids[0], order_ids[1], "round {round}");
        let listed = coingate_get(&format!("{coingate}orders?per_page=100"));
        let ours = listed["orders"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["order_id"] == sale.merchant_order_id.as_str())
            .count();
        assert_eq!(
            ours, 1,
            "round {round}: {ours} CoinGate orders for one sale"
        );
        thread::sleep(Duration::from_millis(10));
    }
}
