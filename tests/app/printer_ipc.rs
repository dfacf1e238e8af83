//! The receipt printer through Tauri's IPC (mock runtime, the app's own
//! `builder()`): a till without a printer says so, the owner chooses the
//! sandbox's virtual printer and prints its test page, the counter reprints
//! a paid sale's receipt, and the owner prints the X report. (The receipt
//! that prints by itself when a sale turns paid is the core's: its suite,
//! the command line's and the e2e test cover it; the mock runtime runs no
//! watcher.)

use std::time::Duration;

use cryptill_core::{Till, TillConfig};
use cryptill_sandbox::printer::VirtualPrinter;
use serde_json::json;

use crate::window::{charge, demo_window, invoke};

/// The sale is seen paid, as another process on the same till would see
/// it (the demo gateway's file is shared; the mock runtime runs no watcher).
fn seen_paid(dir: &std::path::Path, service: &str, sale_id: i64) {
    tauri::async_runtime::block_on(async {
        let mut config = TillConfig::new(dir);
        config.keyring_service = service.to_string();
        let other = Till::open(config).await.unwrap();
        let paid = other.checkout().refresh(sale_id).await.unwrap();
        other.close().await;
        assert_eq!(paid.state.as_str(), "paid");
    });
}

#[test]
fn a_paid_sale_is_reprinted_and_the_owner_sets_up_and_tests_the_printer() {
    let w = demo_window("printer-ipc");
    let service = format!("cryptill-test-printer-ipc-{}", std::process::id());
    assert_eq!(invoke(&w, "printer_configured", json!({})).unwrap(), false);
    let sale = charge(&w, "12.50", "BTC").unwrap();
    let sale_id = sale["saleId"].as_i64().unwrap();
    invoke(&w, "simulate", json!({"saleId": sale_id, "kind": "full"})).unwrap();
    seen_paid(w.dir.path(), &service, sale_id);
    let err = invoke(&w, "print_receipt", json!({ "saleId": sale_id })).unwrap_err();
    assert_eq!(err["kind"], "input", "{err}");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("No receipt printer"),
        "{err}"
    );

    let printer = VirtualPrinter::start();
    invoke(&w, "session_set_pin", json!({"pin": "2580"})).unwrap();
    let bad = json!({"settings": {"printer": "lp0", "paperMm": 80, "autoPrint": false}});
    let err = invoke(&w, "owner_save_printer_settings", bad).unwrap_err();
    assert_eq!(err["kind"], "input", "{err}");
    let settings =
        json!({"settings": {"printer": printer.address(), "paperMm": 58, "autoPrint": true}});
    let saved = invoke(&w, "owner_save_printer_settings", settings).unwrap();
    assert_eq!(saved["printer"], printer.address());
    assert_eq!(
        invoke(&w, "owner_printer_settings", json!({})).unwrap(),
        saved
    );
    assert_eq!(invoke(&w, "printer_configured", json!({})).unwrap(), true);
    let said = invoke(&w, "owner_print_test_page", json!({})).unwrap();
    assert_eq!(said, format!("Test page sent to {}.", printer.address()));

    invoke(&w, "print_receipt", json!({ "saleId": sale_id })).unwrap();
    invoke(&w, "owner_print_report", json!({"filter": {}, "x": true})).unwrap();
    let papers = printer.wait_for(3, Duration::from_secs(30));
    assert_eq!(papers.len(), 3);
    assert!(papers[0].text().contains("Printer test page"));
    assert!(papers[1].text().contains(&format!("Sale {sale_id}")));
    assert_eq!(papers[1].value("Total"), Some("12.50 EUR"));
    assert!(
        papers[2].text().contains("X report"),
        "{}",
        papers[2].text()
    );
}
