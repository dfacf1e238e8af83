//! Cashiers and shifts through Tauri's IPC (mock runtime, the app's own
//! `builder()`), on a demo till in a temp dir: a cashier signed in to a
//! shift sells under their name and reads the X report, but neither their
//! sign-in nor their PIN opens a single owner command.

use cryptill_app::commands::TABLE;
use serde_json::{json, Value};

use crate::window::{charge, demo_window, invoke};

const OWNER_PIN: &str = "2580";

fn owner_commands() -> impl Iterator<Item = &'static str> {
    TABLE
        .iter()
        .filter(|(set, _)| *set == "owner")
        .map(|(_, command)| *command)
}

fn refused(result: Result<Value, Value>, what: &str) -> Value {
    let err = result.expect_err(&format!("{what} was allowed"));
    assert_eq!(err["kind"], "notAllowed", "{what}: {err}");
    err
}

#[test]
fn a_cashier_signed_in_to_a_shift_cannot_call_owner_commands() {
    let w = demo_window("shift-ipc-cashier");
    invoke(&w, "session_set_pin", json!({ "pin": OWNER_PIN })).unwrap();
    invoke(&w, "session_lock", json!({})).unwrap();
    // Adding a cashier is the owner's: refused while locked.
    refused(
        invoke(
            &w,
            "owner_add_cashier",
            json!({"name": "Ana", "pin": "1111"}),
        ),
        "adding a cashier while locked",
    );
    invoke(&w, "session_unlock", json!({ "pin": OWNER_PIN })).unwrap();
    let ana = invoke(
        &w,
        "owner_add_cashier",
        json!({"name": "Ana", "pin": "1111"}),
    )
    .unwrap();
    assert_eq!(ana["enabled"], true);
    invoke(&w, "session_lock", json!({})).unwrap();

    // No shift yet: the counter cannot sell.
    let status = invoke(&w, "shift_status", json!({})).unwrap();
    assert_eq!(status["cashiersSetUp"], true);
    assert_eq!(status["shift"], Value::Null);
    let err = refused(charge(&w, "5.00", "BTC"), "a sale without a shift");
    assert!(err["message"]
        .as_str()
        .unwrap()
        .contains("No shift is open"));

    let status = invoke(&w, "shift_open", json!({"cashier": "Ana", "pin": "1111"})).unwrap();
    assert_eq!(status["shift"]["cashier"], "Ana");
    let sale = charge(&w, "5.00", "BTC").unwrap();
    assert_eq!(sale["cashier"], "Ana");

    // Signed in as a cashier, every owner command is still refused...
    for cmd in owner_commands() {
        refused(invoke(&w, cmd, json!({})), cmd);
    }
    // ...and the cashier's PIN is not the owner's.
    let err = invoke(&w, "session_unlock", json!({"pin": "1111"})).unwrap_err();
    assert_eq!(err["kind"], "input", "{err}");
    let status = invoke(&w, "session_status", json!({})).unwrap();
    assert_eq!(status["unlocked"], false);

    // The counter's own view of the shift works for the cashier.
    let x = invoke(&w, "shift_x_report", json!({})).unwrap();
    assert_eq!(x["number"], Value::Null);
    let z = invoke(&w, "shift_close", json!({})).unwrap();
    assert_eq!(z["number"], 1);
    refused(
        invoke(&w, "shift_close", json!({})),
        "closing with no open shift",
    );

    // The owner reads the Z back, as it was made.
    invoke(&w, "session_unlock", json!({ "pin": OWNER_PIN })).unwrap();
    let back = invoke(&w, "owner_shift_report", json!({"number": 1})).unwrap();
    assert_eq!(back, z);
    let all = invoke(&w, "owner_shift_reports", json!({})).unwrap();
    assert_eq!(all.as_array().unwrap().len(), 1);
    let list = invoke(&w, "owner_cashiers", json!({})).unwrap();
    assert_eq!(list[0]["name"], "Ana");
}
