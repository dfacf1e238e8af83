//! The receipt printer from the command line: the owner chooses a printer,
//! a paid sale's receipt prints by itself and again on demand, and a
//! printer that fails exits non-zero with a sentence, never costing the
//! sale. The printer is the sandbox's virtual one on loopback; what it got
//! is read back as the paper reads.

use std::time::Duration;

use cryptill_sandbox::printer::{switched_off, VirtualPrinter};
use serde_json::Value;

use crate::support::Shop;
use crate::BIN;

const PIN: &str = "1234";
const WAIT: Duration = Duration::from_secs(20);

/// A till on a served sandbox (Counos dialect) with the owner PIN set.
fn shop(name: &str) -> (Shop, crate::support::Sandbox) {
    let shop = Shop::new(BIN, name);
    let sandbox = shop.serve_sandbox();
    shop.use_gateway("counos", &format!("{}/counos/api/", sandbox.1), PIN);
    (shop, sandbox)
}

/// A sale of 12.50 EUR in BTC, paid at the sandbox; returns its order id.
fn sale_paid_at_the_gateway(shop: &Shop, sandbox: &crate::support::Sandbox) -> Value {
    let sale = shop.json(&["sale", "12.50", "EUR", "BTC"]);
    let id = sale["saleId"].to_string();
    assert!(shop
        .ok(&["sandbox", "pay", &id, "--url", &sandbox.1])
        .contains("received the payment"));
    sale
}

#[test]
fn a_paid_sale_prints_its_receipt_by_itself_and_again_on_demand() {
    let (shop, sandbox) = shop("printer-auto");
    let printer = VirtualPrinter::start();
    let chosen = shop.ok_with(
        &[
            "printer",
            "use",
            &printer.address(),
            "--paper",
            "58",
            "--auto-print",
            "on",
        ],
        "",
        Some(PIN),
    );
    assert!(chosen.contains(&printer.address()), "{chosen}");
    let shown = shop.json(&["printer", "show"]);
    assert_eq!(shown["printer"], printer.address().as_str());
    assert_eq!(shown["paperMm"], 58);
    assert_eq!(shown["autoPrint"], true);

    let sale = sale_paid_at_the_gateway(&shop, &sandbox);
    assert!(
        printer.jobs().is_empty(),
        "nothing prints before it is paid"
    );
    // `order` asks the gateway, sees the payment, and the receipt prints
    // before the command ends.
    let seen = shop.json(&["order", "1"]);
    assert_eq!(seen["state"], "paid");
    let papers = printer.wait_for(1, WAIT);
    assert_eq!(papers.len(), 1);
    let text = papers[0].text();
    assert!(text.contains("Sale 1"), "{text}");
    assert_eq!(papers[0].value("Total"), Some("12.50 EUR"), "{text}");
    // The address whole, though it wraps on narrow paper.
    let joined: String = papers[0].lines().map(|l| l.text.trim()).collect();
    assert!(joined.contains(sale["address"].as_str().unwrap()), "{text}");
    assert!(
        papers[0].qr_codes()[0].starts_with("https://mempool.space/tx/"),
        "{text}"
    );
    assert!(papers[0].is_cut());
    for line in papers[0].lines() {
        assert!(
            line.text.chars().count() <= 32,
            "58 mm paper: {:?}",
            line.text
        );
    }

    // Asked again: still paid, no second receipt by itself.
    shop.ok(&["order", "1"]);
    // Reprint on demand, by the gateway's order id too.
    let order_id = seen["gatewayOrderId"].as_str().unwrap();
    assert_eq!(
        shop.ok(&["receipt", "print", order_id]).trim(),
        "Receipt of sale 1 printed."
    );
    let papers = printer.wait_for(2, WAIT);
    assert_eq!(papers.len(), 2, "the reprint only");
    assert_eq!(papers[1].text(), text);
}

#[test]
fn the_owner_tests_the_printer_and_prints_the_day_report() {
    let (shop, sandbox) = shop("printer-owner");
    let printer = VirtualPrinter::start();
    // Without the PIN, no printer is chosen.
    let refused = shop.refused(&["printer", "use", &printer.address()], "0000\n", None);
    assert!(refused.to_lowercase().contains("pin"), "{refused}");
    shop.ok_with(&["printer", "use", &printer.address()], "", Some(PIN));
    assert_eq!(
        shop.ok_with(&["printer", "test"], "", Some(PIN)).trim(),
        format!("Test page sent to {}.", printer.address())
    );
    sale_paid_at_the_gateway(&shop, &sandbox);
    shop.ok(&["order", "1"]);
    shop.ok_with(&["printer", "report", "--x"], "", Some(PIN));
    let papers = printer.wait_for(2, WAIT);
    assert_eq!(
        papers.len(),
        2,
        "no receipt by itself: automatic printing is off"
    );
    assert!(papers[0].text().contains("Printer test page"));
    assert!(
        papers[1].text().contains("X report (not a close)"),
        "{}",
        papers[1].text()
    );
    assert_eq!(papers[1].value("Total"), Some("12.50 EUR"));
}

#[test]
fn printer_problems_exit_non_zero_with_a_sentence_and_the_sale_goes_on() {
    let (shop, sandbox) = shop("printer-errors");
    let bad = shop.run_with(&["printer", "use", "lp0"], "", Some(PIN));
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a printer address"));

    sale_paid_at_the_gateway(&shop, &sandbox);
    let none = shop.run(&["receipt", "print", "1"], "");
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("No receipt printer is set up"));

    // A printer that is switched off, printing by itself.
    let off = switched_off();
    shop.ok_with(
        &["printer", "use", &off, "--auto-print", "on"],
        "",
        Some(PIN),
    );
    let seen = shop.run(&["order", "1", "--json"], "");
    assert_eq!(
        seen.status.code(),
        Some(0),
        "the sale is not the printer's to fail"
    );
    let seen: Value = serde_json::from_slice(&seen.stdout).unwrap();
    assert_eq!(seen["state"], "paid");

    let failed = shop.run(&["receipt", "print", "1"], "");
    assert_eq!(failed.status.code(), Some(1));
    let said = String::from_utf8_lossy(&failed.stderr);
    assert!(said.contains("refused the connection"), "{said}");
    assert!(
        said.contains("Check that the printer is switched on"),
        "{said}"
    );
    let test = shop.run_with(&["printer", "test"], "", Some(PIN));
    assert_eq!(test.status.code(), Some(1));

    let missing = shop.run(&["receipt", "print", "99"], "");
    assert_eq!(missing.status.code(), Some(2));
}
