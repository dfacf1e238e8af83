//! The window's commands through Tauri's IPC (mock runtime, the same
//! `builder()` the app registers), against a demo till in a temp dir: a real
//! ledger file, the sandbox on loopback, the key in the real OS keyring.

use cryptill_core::{Till, TillConfig};
use serde_json::{json, Value};

use cryptill_app::Shop;

use crate::window::{charge, demo_config, demo_window, invoke, window, window_on};

#[test]
fn the_window_sells_through_ipc_in_demo_mode() {
    let w = demo_window("ipc");
    let info = invoke(&w, "app_info", json!({})).unwrap();
    assert_eq!(info["demo"], true);
    assert_eq!(info["fiatCurrency"], "EUR");

    let coins = invoke(&w, "list_coins", json!({})).unwrap();
    let btc = coins
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["symbol"] == "BTC")
        .unwrap();
    assert_eq!(btc["network"], "Bitcoin");
    assert!(btc.get("gatewayId").is_none(), "gateway ids stay in Rust");

    let payment = charge(&w, "12.50", "BTC").unwrap();
    assert_eq!(payment["state"], "awaiting");
    assert_eq!(payment["cryptoAmount"], "0.00021552");
    let sale_id = payment["saleId"].as_i64().unwrap();
    invoke(&w, "simulate", json!({"saleId": sale_id, "kind": "full"})).unwrap();
}

#[test]
fn errors_cross_as_kind_a_message_for_the_cashier_and_the_sentence_to_translate() {
    let w = demo_window("ipc");
    let err = charge(&w, "1.234", "BTC").unwrap_err();
    assert_eq!(err["kind"], "input");
    assert_eq!(
        err["message"],
        "EUR has 2 decimal places; '1.234' has more. Remove the extra digits."
    );
    // The same sentence by its code and values, for the window to say in the shop's language.
    assert_eq!(
        err["said"],
        json!({"code": "amount_too_precise", "params": {"currency": "EUR", "decimals": "2", "text": "1.234"}})
    );
    let err = invoke(&w, "simulate", json!({"saleId": 999, "kind": "full"})).unwrap_err();
    assert_eq!(err["kind"], "notFound");
}

#[test]
fn a_till_that_could_not_open_explains_why_on_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let broken =
        Err(cryptill_core::Error::Keyring("The system keyring is not available.".into()).into());
    let w = window(broken, dir);
    let err = invoke(&w, "app_info", json!({})).unwrap_err();
    assert_eq!(
        err,
        json!({"kind": "keyring", "message": "The system keyring is not available."})
    );
}

/// The window opens while the till is still opening on its own thread
/// (`run`): a command that comes first waits for it and is answered.
#[test]
fn a_command_sent_while_the_till_is_still_opening_waits_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = crate::window::demo_config("ipc-opening", &dir);
    let (opened, opening) = std::sync::mpsc::sync_channel(1);
    let w = window_on(Shop::opening(opening), dir);
    let opener = std::thread::spawn(move || {
        // Later than the first command below.
        std::thread::sleep(std::time::Duration::from_millis(300));
        let till = tauri::async_runtime::block_on(Till::open(config));
        opened.send(till.map_err(Into::into)).unwrap();
    });
    let info = invoke(&w, "app_info", json!({})).unwrap();
    assert_eq!(info["demo"], true);
    opener.join().unwrap();
    let payment = charge(&w, "3.00", "BTC").unwrap();
    assert_eq!(payment["state"], "awaiting");
}

#[test]
fn a_till_that_fails_while_opening_explains_why_on_every_command() {
    let (opened, opening) = std::sync::mpsc::sync_channel(1);
    let w = window_on(Shop::opening(opening), tempfile::tempdir().unwrap());
    opened
        .send(Err(cryptill_core::Error::Keyring(
            "The system keyring is not available.".into(),
        )
        .into()))
        .unwrap();
    for _ in 0..2 {
        let err = invoke(&w, "app_info", json!({})).unwrap_err();
        assert_eq!(
            err,
            json!({"kind": "keyring", "message": "The system keyring is not available."})
        );
    }
}

#[test]
fn a_sale_is_charged_placed_and_trained_through_ipc() {
    let w = demo_window("ipc");
    let entry =
        json!({"lines": [{"label": "Coffee", "amount": "10"}], "tip": "2.50", "coin": "BTC"});
    // Charge is one call, from the entry to the order and its QR.
    let placed = invoke(&w, "charge_sale", json!({ "entry": entry })).unwrap();
    assert_eq!(placed["state"], "awaiting");
    assert_eq!(placed["fiatAmount"], "12.50");
    assert!(placed["qrPng"]
        .as_str()
        .unwrap()
        .starts_with("data:image/png;base64,"));
    let sale_id = placed["saleId"].as_i64().unwrap();
    // Placing again is the Retry: the same sale and order, never a second.
    let again = invoke(&w, "place_sale", json!({ "saleId": sale_id })).unwrap();
    assert_eq!(again["gatewayOrderId"], placed["gatewayOrderId"]);

    invoke(&w, "simulate", json!({"saleId": sale_id, "kind": "part"})).unwrap();
    // The gateway saw a payment: the cashier can no longer void the sale.
    let err = invoke(&w, "void_sale", json!({ "saleId": sale_id })).unwrap_err();
    assert_eq!(err["kind"], "notAllowed");

    let recent = invoke(&w, "recent_sales", json!({})).unwrap();
    assert_eq!(recent.as_array().unwrap().len(), 1);
    assert_eq!(recent[0]["state"], "underpaid");
    let receipt = invoke(&w, "receipt", json!({ "saleId": sale_id })).unwrap();
    assert_eq!(receipt["tipAmount"], "2.50");
    assert_eq!(receipt["lines"][0]["label"], "Coffee");

    let err = invoke(
        &w,
        "charge_sale",
        json!({"entry": {"lines": [{"amount": "20000"}], "coin": "BTC"}}),
    )
    .unwrap_err();
    assert_eq!(err["kind"], "input");
    // Refused before anything was recorded: no sale for Retry to place.
    assert_eq!(err.get("saleId"), None);
    assert!(err["message"]
        .as_str()
        .unwrap()
        .contains("more than this till takes"));
}

/// A charge whose order the gateway refused says which sale it recorded
/// (`saleId`), and the window's Retry (`place_sale`) places that sale: one
/// sale, one order, never a second charge.
#[test]
fn a_failed_charge_names_its_sale_and_retry_places_that_one() {
    use cryptill_sandbox::{client::Control, Fault};
    let dir = tempfile::tempdir().unwrap();
    let till = tauri::async_runtime::block_on(Till::open(demo_config("ipc-retry", &dir))).unwrap();
    let control = Control::new(&till.sandbox_url().unwrap()).unwrap();
    let w = window(Ok(till), dir);
    // A quote first: the charge then converts at its rate, so the order is
    // the charge's only gateway call, and the one the fault meets.
    invoke(&w, "quotes", json!({"amount": "7"})).unwrap();
    tauri::async_runtime::block_on(control.queue_faults(&[Fault::Http500])).unwrap();

    let err = charge(&w, "7", "BTC").unwrap_err();
    assert_eq!(err["said"]["code"], "gateway_down", "{err}");
    let sale_id = err["saleId"].as_i64().expect("the recorded sale is named");
    let placed = invoke(&w, "place_sale", json!({ "saleId": sale_id })).unwrap();
    assert_eq!(placed["saleId"], sale_id);
    assert_eq!(placed["state"], "awaiting");
    assert_eq!(placed["fiatAmount"], "7.00");
    let recent = invoke(&w, "recent_sales", json!({})).unwrap();
    assert_eq!(recent.as_array().unwrap().len(), 1, "{recent}");
}

#[test]
fn training_payments_are_refused_on_a_till_that_takes_real_ones() {
    let dir = tempfile::tempdir().unwrap();
    // A Counos till: its key in the (test) keyring, nothing reached at open.
    let ledger = cryptill_core::ledger::Ledger::open(&dir.path().join("cryptill.sqlite3")).unwrap();
    ledger.set_setting("gateway", "counos").unwrap();
    let mut config = TillConfig::new(dir.path());
    config.keyring_service = format!("cryptill-test-ipc-real-{}", std::process::id());
    config
        .keys(&ledger)
        .unwrap()
        .set("counos", &cryptill_core::secret::Sensitive::new("k".into()))
        .unwrap();
    drop(ledger);
    let till = tauri::async_runtime::block_on(Till::open(config));
    let w = window(till.map_err(Into::into), dir);
    let err = invoke(&w, "simulate", json!({"saleId": 1, "kind": "full"})).unwrap_err();
    assert_eq!(err["kind"], "notAllowed");
    assert!(err["message"]
        .as_str()
        .unwrap()
        .contains("only in demo mode"));
}

#[test]
fn the_customer_display_shows_the_sale_put_on_it() {
    let w = demo_window("ipc");
    let view = invoke(&w, "customer_view", json!({})).unwrap();
    assert_eq!(view["payment"], Value::Null);
    assert_eq!(view["shopName"], "My shop");
    let placed = charge(&w, "3", "BTC").unwrap();
    invoke(
        &w,
        "show_on_customer_display",
        json!({"saleId": placed["saleId"]}),
    )
    .unwrap();
    let view = invoke(&w, "customer_view", json!({})).unwrap();
    assert_eq!(view["payment"]["saleId"], placed["saleId"]);
    assert_eq!(view["payment"]["state"], "awaiting");
}

/// Issue 10: a 29-digit amount overflowed over IPC. Every door that takes an
/// amount answers with a sentence, and nothing is recorded.
#[test]
fn huge_amounts_are_refused_at_every_ipc_door_without_a_panic() {
    let w = demo_window("ipc-huge");
    let huge = "99999999999999999999999999999";
    let big = "9999999999999999999999999999";
    let calls = [
        ("quotes", json!({"amount": huge})),
        (
            "charge_sale",
            json!({"entry": {"lines": [{"amount": huge}], "coin": "BTC"}}),
        ),
        (
            "charge_sale",
            json!({"entry": {"lines": [{"amount": "99999999"}], "coin": "BTC"}}),
        ),
        (
            "charge_sale",
            json!({"entry": {"lines": [{"amount": big}, {"amount": big}], "coin": "BTC"}}),
        ),
        (
            "charge_sale",
            json!({"entry": {"lines": [{"amount": "6000"}, {"amount": "6000"}], "coin": "BTC"}}),
        ),
        (
            "charge_sale",
            json!({"entry": {"lines": [{"amount": "10"}], "tip": big, "coin": "BTC"}}),
        ),
    ];
    for (cmd, args) in calls {
        let err = invoke(&w, cmd, args.clone()).unwrap_err();
        assert_eq!(err["kind"], "input", "{cmd} {args}: {err}");
    }
    let lines: Vec<_> = (0..101).map(|_| json!({"amount": "1"})).collect();
    let err = invoke(
        &w,
        "charge_sale",
        json!({"entry": {"lines": lines, "coin": "BTC"}}),
    )
    .unwrap_err();
    assert!(err["message"]
        .as_str()
        .unwrap()
        .contains("at most 100 lines"));
    assert_eq!(
        invoke(&w, "recent_sales", json!({}))
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        0
    );
}
