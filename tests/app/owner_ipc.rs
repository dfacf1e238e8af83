//! Owner mode through Tauri's IPC (mock runtime, the app's own `builder()`),
//! against a demo till in a temp dir: whatever the webview sends, every
//! owner command is refused until the owner session is unlocked with the PIN.

use cryptill_app::commands::TABLE;
use serde_json::{json, Value};

use crate::window::{charge, demo_window, invoke};

/// Valid arguments for each owner command, so a refusal comes from the
/// session check and not from a missing argument. A command without an entry
/// here fails the test: a new owner command cannot be forgotten.
fn sample_args(cmd: &str, dir: &std::path::Path) -> Value {
    let settings = json!({
        "shopName": "Taken over", "fiatCurrency": "EUR", "locale": "en-IE",
        "tipsEnabled": false, "tipPresets": [5], "maxSaleAmount": "100",
        "sound": true, "receiptFooter": "", "idleLockMinutes": 5,
        "lockOnBlur": false, "offeredCoins": [], "coinNetworks": {}
    });
    match cmd {
        "owner_settings"
        | "owner_gateway"
        | "owner_test_key"
        | "owner_balances"
        | "owner_withdrawal_requests"
        | "owner_coin_networks" => json!({}),
        "owner_save_settings" => json!({ "settings": settings }),
        "owner_choose_gateway" => json!({ "gateway": "counos", "baseUrl": null }),
        "owner_set_key" => json!({ "gateway": "counos", "key": "stolen-key" }),
        "owner_delete_key" => json!({ "gateway": "counos" }),
        "owner_withdrawals" => json!({ "search": null }),
        "owner_withdraw" => json!({ "form": {
            "coin": "BTC", "amount": "0.001", "address": "tb1qthief" } }),
        "owner_demo_withdraw_permission" => json!({ "permitted": true }),
        "owner_report" | "owner_sales" => json!({ "filter": {} }),
        "owner_export_csv" => json!({
            "filter": {}, "path": dir.join("x.csv").to_str().unwrap() }),
        "owner_change_pin" => json!({ "current": "0000", "new": "1111" }),
        "owner_cashiers" | "owner_shift_reports" | "owner_tills" => json!({}),
        "owner_add_cashier" => json!({ "name": "Mallory", "pin": "4444" }),
        "owner_rename_cashier" => json!({ "name": "Ana", "newName": "Mallory" }),
        "owner_set_cashier_enabled" => json!({ "name": "Ana", "enabled": false }),
        "owner_shift_report" => json!({ "number": 1 }),
        "owner_printer_settings" | "owner_print_test_page" => json!({}),
        "owner_save_printer_settings" => json!({ "settings": {
            "printer": "tcp://10.0.0.1:9100", "paperMm": 80, "autoPrint": true } }),
        "owner_print_report" => json!({ "filter": {}, "x": true }),
        "owner_refunds" => json!({}),
        "owner_refund" => json!({ "form": {
            "sale": "1", "kind": "return", "amount": "1.00", "inCoin": false,
            "address": "tb1qthief", "reason": "stolen", "email": null } }),
        "owner_refund_approve" | "owner_refund_send" | "owner_demo_confirm_refund" => {
            json!({ "refundId": 1 })
        }
        "owner_refund_reject" => json!({ "refundId": 1, "why": "no" }),
        "owner_refund_resolve" => json!({ "refundId": 1, "sent": false, "gatewayId": null }),
        other => panic!("owner command {other} has no sample arguments in this test"),
    }
}

/// The commands of the table's `owner` set, each taking the owner's proof.
fn owner_commands() -> impl Iterator<Item = &'static str> {
    TABLE
        .iter()
        .filter(|(set, _)| *set == "owner")
        .map(|(_, command)| *command)
}

/// An `owner_*` command outside the `owner` set would not be tested below.
#[test]
fn every_owner_command_is_in_the_owner_set_of_the_table() {
    assert!(owner_commands().count() > 0);
    for (set, command) in TABLE {
        assert_eq!(
            command.starts_with("owner_"),
            *set == "owner",
            "{command} is in the {set} set"
        );
    }
}

#[test]
fn every_owner_command_is_refused_without_the_owner_session() {
    let w = demo_window("owner-ipc-locked");
    // Before any PIN exists, and again after it is set and locked.
    for phase in ["no PIN yet", "locked"] {
        for cmd in owner_commands() {
            let err = invoke(&w, cmd, sample_args(cmd, w.dir.path())).expect_err(&format!(
                "{cmd} answered without the owner session ({phase})"
            ));
            assert_eq!(err["kind"], "notAllowed", "{cmd} ({phase}): {err}");
            assert!(
                err["message"].as_str().unwrap().contains("owner PIN"),
                "{cmd}: {err}"
            );
        }
        if phase == "no PIN yet" {
            invoke(&w, "session_set_pin", json!({"pin": "2580"})).unwrap();
            invoke(&w, "session_lock", json!({})).unwrap();
        }
    }
    // Nothing the refused commands carried took effect.
    assert!(!w.dir.path().join("x.csv").exists());
    let status = invoke(&w, "session_status", json!({})).unwrap();
    assert_eq!(status["unlocked"], false);
    // A wrong PIN does not open it either.
    let err = invoke(&w, "session_unlock", json!({"pin": "0000"})).unwrap_err();
    assert_eq!(err["kind"], "input");
    assert_eq!(
        invoke(&w, "owner_balances", json!({})).unwrap_err()["kind"],
        "notAllowed"
    );
    // The PIN set at first start cannot be set again without it.
    let err = invoke(&w, "session_set_pin", json!({"pin": "9999"})).unwrap_err();
    assert_eq!(err["kind"], "notAllowed");
}

#[test]
fn after_unlocking_the_owner_reads_balances_keys_and_the_report_then_locks() {
    let w = demo_window("owner-ipc-unlocked");
    let status = invoke(&w, "session_status", json!({})).unwrap();
    assert_eq!(status["pinSet"], false);
    invoke(&w, "session_set_pin", json!({"pin": "2580"})).unwrap();
    invoke(&w, "session_lock", json!({})).unwrap();
    let status = invoke(&w, "session_unlock", json!({"pin": "2580"})).unwrap();
    assert_eq!(status["unlocked"], true);

    let payment = charge(&w, "100.00", "BTC").unwrap();
    invoke(
        &w,
        "simulate",
        json!({"saleId": payment["saleId"], "kind": "full"}),
    )
    .unwrap();
    // A sale is settled once the checkout has heard of the payment.
    let sale = payment["saleId"].as_i64().unwrap();
    let balances = invoke(&w, "owner_balances", json!({})).unwrap();
    let btc = balances["balances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["coin"] == "BTC")
        .unwrap();
    assert_eq!(btc["amount"], "0.00172414");
    assert!(balances["fetchedAt"].as_str().unwrap().ends_with('Z'));

    // Keys: only "set or not" ever comes back.
    let choice = invoke(
        &w,
        "owner_set_key",
        json!({"gateway": "counos", "key": "sk-live-secret"}),
    )
    .unwrap();
    assert!(!choice.to_string().contains("sk-live-secret"));
    let counos = choice["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["gateway"] == "counos")
        .unwrap();
    assert_eq!(counos["keySet"], true);
    assert_eq!(
        invoke(&w, "owner_test_key", json!({})).unwrap(),
        "Demo gateway (sandbox) answers and accepts the key."
    );
    let choice = invoke(&w, "owner_delete_key", json!({"gateway": "counos"})).unwrap();
    assert!(choice["keys"]
        .as_array()
        .unwrap()
        .iter()
        .any(|k| k["gateway"] == "counos" && k["keySet"] == false));
    // The sale is still open in the ledger until the checkout refreshes it;
    // switching gateway now is refused with the reason.
    let err = invoke(&w, "owner_choose_gateway", json!({"gateway": "counos"})).unwrap_err();
    assert!(
        err["message"].as_str().unwrap().contains("still waiting"),
        "{err}"
    );

    let sales = invoke(&w, "owner_sales", json!({"filter": {"coin": "BTC"}})).unwrap();
    assert_eq!(sales["rows"][0]["id"], sale);
    assert_eq!(sales["next"], serde_json::Value::Null);
    let report = invoke(&w, "owner_report", json!({"filter": {}})).unwrap();
    assert_eq!(report["currency"], "EUR");
    let path = w.dir.path().join("sales.csv");
    let n = invoke(
        &w,
        "owner_export_csv",
        json!({"filter": {}, "path": path.to_str().unwrap()}),
    )
    .unwrap();
    assert_eq!(n, 1);
    assert!(std::fs::read_to_string(&path).unwrap().starts_with("sale,"));

    invoke(&w, "session_lock", json!({})).unwrap();
    assert_eq!(
        invoke(&w, "owner_balances", json!({})).unwrap_err()["kind"],
        "notAllowed"
    );
}

fn read_json(path: &str) -> Value {
    let text = std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The customer display can call its own feed and listen for it, nothing
/// else: only `customer.json` grants anything to the `customer` window, no
/// capability is granted to every window, and no owner or checkout command
/// is among its permissions.
#[test]
fn the_customer_display_can_call_nothing_but_its_own_feed() {
    let mut granted = Vec::new();
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/capabilities")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let cap = read_json(&format!("capabilities/{name}"));
        let windows: Vec<_> = cap["windows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_str().unwrap().to_string())
            .collect();
        assert!(
            !windows.iter().any(|w| w.contains('*')),
            "{name} is granted to every window"
        );
        assert!(cap.get("webviews").is_none(), "{name} names webviews");
        if windows.iter().any(|w| w == "customer") {
            assert_eq!(windows, vec!["customer"], "{name} mixes the windows");
            for p in cap["permissions"].as_array().unwrap() {
                // A set of the command table stands for its commands.
                let p = p.as_str().unwrap();
                let set: Vec<String> = TABLE
                    .iter()
                    .filter(|(set, _)| *set == p)
                    .map(|(_, command)| format!("allow-{}", command.replace('_', "-")))
                    .collect();
                if set.is_empty() {
                    granted.push(p.to_string());
                } else {
                    granted.extend(set);
                }
            }
        }
    }
    granted.sort();
    assert_eq!(
        granted,
        vec![
            "allow-customer-view",
            "core:event:allow-listen",
            "core:event:allow-unlisten"
        ]
    );
}

/// The content security policy lets the webview run only the app's own
/// scripts: no inline script, no eval, no script from the network.
#[test]
fn the_csp_forbids_inline_and_remote_scripts() {
    let conf = read_json("tauri.conf.json");
    let csp = conf["app"]["security"]["csp"].as_str().unwrap();
    let directive = |name: &str| -> Option<Vec<String>> {
        csp.split(';').map(str::trim).find_map(|d| {
            let mut parts = d.split_whitespace();
            (parts.next() == Some(name)).then(|| parts.map(str::to_string).collect())
        })
    };
    let scripts = directive("script-src")
        .or_else(|| directive("default-src"))
        .expect("a script-src or default-src");
    assert_eq!(scripts, vec!["'self'"], "script-src: {scripts:?}");
    assert_eq!(directive("default-src").unwrap(), vec!["'self'"]);
    assert_eq!(directive("object-src").unwrap(), vec!["'none'"]);
    assert_eq!(directive("base-uri").unwrap(), vec!["'none'"]);
    // So no 'unsafe-inline', 'unsafe-eval', nonce, hash, scheme or host.
    // Tauri must not loosen it behind our back.
    let security = &conf["app"]["security"];
    assert_ne!(security["dangerousDisableAssetCspModification"], true);
    assert!(security.get("dangerousRemoteDomainIpcAccess").is_none());
}
