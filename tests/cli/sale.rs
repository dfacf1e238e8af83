//! Selling from the command line, as a shop owner would: the real binary,
//! a sandbox gateway served by a second process, keys in the real keyring
//! (under a test service name), the ledger in a temp dir.

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::Shop;
use crate::BIN;

#[test]
fn a_counos_sale_waits_until_another_process_pays_it_at_the_sandbox() {
    sale_waits_until_paid_by_another_process("counos", "counos/api/");
}

#[test]
fn a_coingate_sale_waits_until_another_process_pays_it_at_the_sandbox() {
    sale_waits_until_paid_by_another_process("coingate-sandbox", "coingate/v2/");
}

fn sale_waits_until_paid_by_another_process(gateway: &str, dialect_path: &str) {
    let shop = Shop::new(BIN, gateway);
    let sandbox = shop.serve_sandbox();
    shop.use_gateway(gateway, &format!("{}/{dialect_path}", sandbox.1), "1234");
    assert!(shop.ok(&["gateway", "test"]).contains("accepts the key"));

    let coins = shop.json(&["coins"]);
    assert!(coins
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["symbol"] == "BTC"));
    assert_eq!(
        shop.json(&["quote", "12.50", "EUR", "BTC"])["cryptoAmount"],
        "0.00021552"
    );
    assert_eq!(shop.json(&["rates", "EUR", "BTC"])["rate"], "58000.00");

    let qr = shop.dir.path().join("pay.png");
    let waiting = shop
        .command(&[
            "sale",
            "12.50",
            "EUR",
            "BTC",
            "--wait",
            "--json",
            "--qr",
            qr.to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Once the sale is in the ledger, a second process pays it.
    let deadline = Instant::now() + Duration::from_secs(15);
    while shop.run(&["order", "1"], "").status.code() != Some(0) {
        assert!(
            Instant::now() < deadline,
            "the sale never reached the ledger"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(shop
        .ok(&["sandbox", "pay", "1", "--url", &sandbox.1])
        .contains("received the payment"));

    let out = waiting.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let paid: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(paid["state"], "paid");
    assert_eq!(paid["cryptoAmount"], "0.00021552");
    assert!(std::fs::read(&qr).unwrap().starts_with(b"\x89PNG"));
    // The ledger agrees, read by number and by the gateway's order id.
    let order_id = paid["gatewayOrderId"].as_str().unwrap();
    assert_eq!(shop.json(&["order", order_id])["state"], "paid");
}

#[test]
fn mistakes_get_a_sentence_and_a_non_zero_exit() {
    let shop = Shop::new(BIN, "cli-errors");
    let out = shop.run(
        &[
            "gateway",
            "use",
            "counos",
            "--base-url",
            "http://payment.counos.io/api/",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("must be reached over https://"), "{stderr}");

    let out = shop.run(&["order", "42"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("No sale in the ledger"));

    let out = shop.run(&["quote", "1.234", "EUR", "BTC"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("EUR has 2 decimal places"));
}

#[test]
fn switching_gateway_is_refused_while_a_sale_waits_for_payment() {
    let shop = Shop::new(BIN, "cli-switch");
    // Demo mode: the sale stays open because nobody pays it.
    shop.ok(&["sale", "3", "EUR", "LTC"]);
    let out = shop.run_with(&["gateway", "use", "counos"], "", Some("1234"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("still waiting for payment"));
}

#[test]
fn a_sale_above_the_shops_maximum_is_refused_at_the_command_line_as_in_the_window() {
    let shop = Shop::new(BIN, "cli-max");
    for (amount, says) in [
        ("99999999", "more than this till takes"),
        ("10000.01", "more than this till takes"),
        ("99999999999999999999999999999", "too large"),
        ("12.505", "EUR has 2 decimal places"),
    ] {
        let out = shop.run(&["sale", amount, "EUR", "BTC"], "");
        assert_eq!(out.status.code(), Some(2), "{amount}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{amount}: {stderr}");
    }
    // The maximum is in the shop's currency, so another one is refused.
    let out = shop.run(&["sale", "5", "USD", "BTC"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("This till sells in EUR"));
    let out = shop.run(&["quote", "99999999", "EUR", "BTC"], "");
    assert_eq!(out.status.code(), Some(2));
    // Nothing was recorded; the maximum itself still sells.
    let out = shop.run(&["order", "1"], "");
    assert!(String::from_utf8_lossy(&out.stderr).contains("No sale in the ledger"));
    assert_eq!(
        shop.json(&["sale", "10000", "EUR", "BTC"])["fiatAmount"],
        "10000.00"
    );
}
