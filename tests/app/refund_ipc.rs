//! Refunds through Tauri's IPC (mock runtime, the app's own `builder()`), on
//! a demo till: the counter may ask for a refund, but approving, rejecting,
//! sending and listing refunds are owner commands, refused to a locked till
//! whatever the webview sends; the owner's PIN typed on the spot is the one
//! way the counter gets a refund approved.

use serde_json::{json, Value};

use crate::window::{charge, demo_window, invoke};

const OWNER_PIN: &str = "2580";
const CUSTOMER: &str = "tb1qqpzry9x8gf2tvdw0s3jn54khce6mua7lqpzry9";

fn not_allowed(result: Result<Value, Value>, what: &str) {
    let err = result.expect_err(&format!("{what} was allowed"));
    assert_eq!(err["kind"], "notAllowed", "{what}: {err}");
}

#[test]
fn the_counter_asks_for_a_refund_but_only_the_owner_approves_it() {
    let w = demo_window("refund-ipc");
    invoke(&w, "session_set_pin", json!({ "pin": OWNER_PIN })).unwrap();
    invoke(&w, "session_lock", json!({})).unwrap();

    let sale = charge(&w, "1000.00", "BTC").unwrap();
    let sale_id = sale["saleId"].as_i64().unwrap();
    invoke(
        &w,
        "simulate",
        json!({"saleId": sale_id, "kind": "overpay"}),
    )
    .unwrap();
    let suggestion = invoke(&w, "refund_suggestion", json!({ "saleId": sale_id })).unwrap();
    assert_eq!(suggestion["kind"], "overpaid");
    assert_eq!(suggestion["cryptoAmount"], "0.00172414");

    let form = json!({
        "sale": sale_id.to_string(),
        "kind": "overpaid",
        "amount": suggestion["cryptoAmount"],
        "inCoin": true,
        "address": CUSTOMER,
        "reason": "Paid too much",
    });
    let bad = invoke(
        &w,
        "refund_request",
        json!({ "form": {
            "sale": sale_id.to_string(), "kind": "overpaid", "amount": "100.00",
            "address": "0x52908400098527886E0F7030069857D2E4169EE7", "reason": "x"
        }}),
    )
    .unwrap_err();
    assert_eq!(bad["kind"], "input");
    let asked = invoke(&w, "refund_request", json!({ "form": form })).unwrap();
    assert_eq!(asked["state"], "requested");
    let id = asked["id"].as_i64().unwrap();

    // Owner mode is locked: the counter's till session cannot approve,
    // reject, send or list refunds, nor make one as the owner.
    not_allowed(
        invoke(&w, "owner_refund_approve", json!({ "refundId": id })),
        "approve",
    );
    not_allowed(
        invoke(
            &w,
            "owner_refund_reject",
            json!({ "refundId": id, "why": "no" }),
        ),
        "reject",
    );
    not_allowed(
        invoke(&w, "owner_refund_send", json!({ "refundId": id })),
        "send",
    );
    not_allowed(invoke(&w, "owner_refunds", json!({})), "list");
    not_allowed(
        invoke(&w, "owner_refund", json!({ "form": form })),
        "the owner's refund",
    );
    let wrong = invoke(
        &w,
        "refund_approve_with_pin",
        json!({ "refundId": id, "pin": "0000" }),
    )
    .unwrap_err();
    assert!(
        wrong["message"].as_str().unwrap().contains("PIN"),
        "{wrong}"
    );
    let still = invoke(&w, "sale_refunds", json!({ "saleId": sale_id })).unwrap();
    assert_eq!(still[0]["state"], "requested");

    // Unlocked, the owner rejects it; the owner list shows it so.
    invoke(&w, "session_unlock", json!({ "pin": OWNER_PIN })).unwrap();
    let rejected = invoke(
        &w,
        "owner_refund_reject",
        json!({ "refundId": id, "why": "Ask the customer for another address" }),
    )
    .unwrap();
    assert_eq!(rejected["state"], "rejected");
    let listed = invoke(&w, "owner_refunds", json!({})).unwrap();
    assert_eq!(listed[0]["id"], id);
}
