//! Receipt printers (issue 13): real paid sales through the checkout and
//! the sandbox gateway, printed over a real socket to the sandbox's virtual
//! printer on loopback (or to a real file), and read back from the bytes as
//! a person reads the paper. Printers that are off, that stop mid-receipt
//! and that hang never cost a sale.

use std::sync::Arc;
use std::time::Duration;

use crate::support::counter::{self, Counter};
use cryptill_core::checkout::{Checkout, LineEntry, SaleEntry};
use cryptill_core::gateway::{GatewayKind, SaleState};
use cryptill_core::ledger::{AutoPrint, RefundState};
use cryptill_core::money::Currency;
use cryptill_core::owner::{pin, unlock_with_pin};
use cryptill_core::printer::{PrintOutcome, PrinterSettings, Printing, ReportKind};
use cryptill_core::refund::{Asker, Refunds};
use cryptill_core::report::{self, SaleFilter};
use cryptill_core::secret::Sensitive;
use cryptill_core::settings::Settings;
use cryptill_core::shift::Shifts;
use cryptill_core::ErrorKind;
use cryptill_sandbox::client::Payment;
use cryptill_sandbox::printer::{switched_off, Align, Behaviour, Paper, VirtualPrinter};

/// Long enough for a job on a loaded machine; a bound, not a timing claim.
const WAIT: Duration = Duration::from_secs(20);

struct Shop {
    counter: Counter,
    checkout: Arc<Checkout>,
    printing: Printing,
}

/// A counter of `kind` whose receipts go to `printer` on `paper` mm.
async fn shop(kind: GatewayKind, printer: &str, paper: u32, auto_print: bool) -> Shop {
    let counter = counter::counter(kind).await;
    let checkout = Arc::new(counter.restarted());
    let printing = Printing::new(counter.ledger.clone(), checkout.clone());
    Settings {
        shop_name: "Corner Café".into(),
        receipt_footer: "Merci, à bientôt!".into(),
        ..Settings::default()
    }
    .save(&counter.ledger)
    .unwrap();
    PrinterSettings {
        printer: printer.into(),
        paper_mm: paper,
        auto_print,
    }
    .save(&counter.ledger)
    .unwrap();
    Shop {
        counter,
        checkout,
        printing,
    }
}

impl Shop {
    /// Two lines and a tip, in BTC, paid in full and seen paid.
    async fn paid_sale(&self) -> i64 {
        let entry = SaleEntry {
            lines: vec![
                LineEntry {
                    label: "Flat white".into(),
                    amount: "4.50".into(),
                },
                LineEntry {
                    label: String::new(),
                    amount: "7.00".into(),
                },
            ],
            tip: Some("1.00".into()),
            coin: "BTC".into(),
        };
        let sale_id = self.checkout.start_sale(&entry).await.unwrap().sale_id;
        self.checkout.place(sale_id).await.unwrap();
        self.counter.pay(sale_id, Payment::full()).await;
        let paid = self.checkout.refresh(sale_id).await.unwrap();
        assert_eq!(paid.state, SaleState::Paid);
        sale_id
    }
}

fn lines_fit(paper: &Paper, columns: usize) {
    for line in paper.lines() {
        let width = if line.large { columns / 2 } else { columns };
        assert!(
            line.text.chars().count() <= width,
            "a line wider than the paper ({width}): {:?}",
            line.text
        );
    }
}

#[tokio::test]
async fn a_paid_sale_prints_a_receipt_a_person_can_read_with_its_qr_and_a_cut() {
    let printer = VirtualPrinter::start();
    let shop = shop(GatewayKind::Counos, &printer.address(), 80, false).await;
    let sale_id = shop.paid_sale().await;
    shop.printing.print_receipt(sale_id).await.unwrap();

    let paper = printer.wait_for(1, WAIT).remove(0);
    let sale = shop.counter.ledger.sale(sale_id).unwrap();
    let tx = sale
        .transaction_id
        .clone()
        .expect("the sandbox names the transaction");
    let text = paper.text();
    assert!(paper.initialised, "{text}");
    assert_eq!(
        paper.code_page,
        Some(16),
        "Windows-1252 for an English till"
    );
    let title = paper.lines().next().unwrap();
    assert_eq!(title.text, "Corner Café");
    assert!(title.large && title.bold && title.align == Align::Center);
    for expected in [
        format!("Sale {sale_id}"),
        "Flat white".into(),
        "Item 2".into(),
        "Tip".into(),
        "Paid in".into(),
        format!("{} BTC", sale.crypto.as_ref().unwrap().to_fixed()),
        "Rate".into(),
        sale.gateway_order_id.clone().unwrap(),
        "Merci, à bientôt!".into(),
    ] {
        assert!(
            text.contains(&expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    let total = paper.line_with("Total").unwrap();
    assert!(total.bold, "{text}");
    assert!(total.text.ends_with("12.50 EUR"), "{text}");
    assert!(paper
        .line_with("4.50")
        .unwrap()
        .text
        .starts_with("Flat white"));
    // The address and the transaction id, whole, even where they wrap.
    let joined: String = paper.lines().map(|l| l.text.trim()).collect();
    assert!(joined.contains(sale.address.as_deref().unwrap()), "{text}");
    assert!(joined.contains(&tx), "{text}");
    // A live network with a public explorer: the QR opens the payment there.
    assert_eq!(
        paper.qr_codes(),
        vec![format!("https://mempool.space/tx/{tx}")]
    );
    assert!(!text.contains("DEMO"), "{text}");
    // A till without cashiers prints no cashier line.
    assert!(paper.line_with("Cashier").is_none(), "{text}");
    assert!(paper.is_cut(), "{text}");
    lines_fit(&paper, 48);
}

#[tokio::test]
async fn a_demo_receipt_says_so_names_its_cashier_and_its_qr_is_the_transaction_id() {
    let printer = VirtualPrinter::start();
    let shop = shop(GatewayKind::Demo, &printer.address(), 58, false).await;
    // A shop with cashiers: the receipt says who sold.
    let ledger = &shop.counter.ledger;
    let pin = |p: &str| Sensitive::new(p.to_string());
    pin::set_first(ledger, &pin("908172")).unwrap();
    let ok = unlock_with_pin(ledger, &pin("908172")).unwrap();
    let shifts = Shifts::new(ledger, Currency::fiat("EUR").unwrap());
    shifts.add_cashier(&ok, "Ana", &pin("4321")).unwrap();
    shifts.open("Ana", &pin("4321")).unwrap();
    let sale_id = shop.paid_sale().await;
    shop.printing.print_receipt(sale_id).await.unwrap();
    let paper = printer.wait_for(1, WAIT).remove(0);
    let tx = shop
        .counter
        .ledger
        .sale(sale_id)
        .unwrap()
        .transaction_id
        .unwrap();
    assert!(
        paper.text().contains("DEMO - NOT A REAL PAYMENT"),
        "{}",
        paper.text()
    );
    assert_eq!(paper.value("Cashier"), Some("Ana"), "{}", paper.text());
    assert_eq!(paper.qr_codes(), vec![tx.as_str()]);
    lines_fit(&paper, 32);
}

#[tokio::test]
async fn a_sale_turning_paid_prints_its_receipt_by_itself_once_across_processes() {
    let printer = VirtualPrinter::start();
    let shop = shop(GatewayKind::Demo, &printer.address(), 80, true).await;
    // Two processes following the same ledger (the window and `cryptill
    // order`): both see the payment; one receipt comes out.
    let other = Printing::new(shop.counter.ledger.clone(), shop.checkout.clone());
    shop.printing.start();
    other.start();
    let mut outcomes = shop.printing.subscribe();
    let mut other_outcomes = other.subscribe();
    let sale_id = shop.paid_sale().await;
    shop.printing.finish().await;
    other.finish().await;

    let papers = printer.wait_for(1, WAIT);
    assert_eq!(papers.len(), 1, "one receipt, not one per process");
    assert!(papers[0].text().contains(&format!("Sale {sale_id}")));
    let outcome = match outcomes.try_recv() {
        Ok(o) => o,
        Err(_) => other_outcomes.try_recv().unwrap(),
    };
    assert_eq!(
        outcome,
        PrintOutcome {
            sale_id,
            printed: true,
            message: format!("Receipt of sale {sale_id} printed."),
            said: cryptill_core::said::Said::receipt_printed(sale_id),
        }
    );
    assert_eq!(
        shop.counter.ledger.auto_print(sale_id).unwrap(),
        AutoPrint::Printed
    );
}

#[tokio::test]
async fn without_automatic_printing_a_paid_sale_prints_nothing() {
    let printer = VirtualPrinter::start();
    let shop = shop(GatewayKind::Demo, &printer.address(), 80, false).await;
    shop.printing.start();
    let sale_id = shop.paid_sale().await;
    shop.printing.finish().await;
    assert!(printer.jobs().is_empty());
    assert_eq!(
        shop.counter.ledger.auto_print(sale_id).unwrap(),
        AutoPrint::NotTried
    );
}

#[tokio::test]
async fn a_printer_that_is_off_costs_no_sale_says_what_to_check_and_the_receipt_prints_later() {
    let shop = shop(GatewayKind::Demo, &switched_off(), 80, true).await;
    shop.printing.start();
    let mut outcomes = shop.printing.subscribe();
    let sale_id = shop.paid_sale().await;
    shop.printing.finish().await;

    let outcome = outcomes.try_recv().unwrap();
    assert!(!outcome.printed);
    for says in [
        "refused the connection",
        "switched on",
        "paid and recorded",
        "print its receipt again",
    ] {
        assert!(
            outcome.message.contains(says),
            "{says:?}: {}",
            outcome.message
        );
    }
    assert_eq!(
        shop.counter.ledger.sale(sale_id).unwrap().state,
        SaleState::Paid
    );
    assert!(matches!(
        shop.counter.ledger.auto_print(sale_id).unwrap(),
        AutoPrint::Failed(e) if e.contains("refused")
    ));

    // The printer is switched on (the owner fixes the address): reprint.
    let printer = VirtualPrinter::start();
    PrinterSettings {
        printer: printer.address(),
        paper_mm: 80,
        auto_print: true,
    }
    .save(&shop.counter.ledger)
    .unwrap();
    shop.printing.print_receipt(sale_id).await.unwrap();
    assert!(printer.wait_for(1, WAIT)[0]
        .text()
        .contains(&format!("Sale {sale_id}")));
}

#[tokio::test]
async fn a_printer_that_stops_mid_receipt_is_an_error_not_a_printed_receipt() {
    let printer = VirtualPrinter::with(Behaviour::ClosesAfter(64));
    let shop = shop(GatewayKind::Demo, &printer.address(), 80, false).await;
    let sale_id = shop.paid_sale().await;
    let err = shop.printing.print_receipt(sale_id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Printer);
    let message = err.to_string();
    assert!(
        message.contains("stopped in the middle of the receipt"),
        "{message}"
    );
    assert!(
        message.contains(&printer.address()[6..]),
        "names the printer: {message}"
    );
    let jobs = printer.wait_for_bytes(1, WAIT);
    assert_eq!(jobs[0].len(), 64, "the printer got only the start");
}

#[tokio::test]
async fn a_printer_that_hangs_gives_up_in_bounded_time_with_a_sentence() {
    let printer = VirtualPrinter::with(Behaviour::Hangs);
    let shop = shop(GatewayKind::Demo, &printer.address(), 80, false).await;
    let sale_id = shop.paid_sale().await;
    let err = shop.printing.print_receipt(sale_id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Printer);
    assert!(
        err.to_string().contains("did not answer within 3 seconds"),
        "{err}"
    );
    assert_eq!(
        shop.counter.ledger.sale(sale_id).unwrap().state,
        SaleState::Paid
    );
}

#[tokio::test]
async fn the_file_driver_writes_the_receipt_to_a_file_or_device() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lp0");
    let shop = shop(
        GatewayKind::Demo,
        &format!("file:{}", path.display()),
        58,
        false,
    )
    .await;
    let sale_id = shop.paid_sale().await;
    shop.printing.print_receipt(sale_id).await.unwrap();
    shop.printing.print_receipt(sale_id).await.unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let paper = cryptill_sandbox::printer::decode(&bytes).unwrap();
    let receipts = paper.text().matches("--- cut ---").count();
    assert_eq!(
        receipts,
        2,
        "appended, as a device takes it:\n{}",
        paper.text()
    );

    // A device that is not there is not created in its place.
    let missing = "file:/dev/cryptill-no-such-printer";
    PrinterSettings {
        printer: missing.into(),
        paper_mm: 58,
        auto_print: false,
    }
    .save(&shop.counter.ledger)
    .unwrap();
    let err = shop.printing.print_receipt(sale_id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Printer);
    assert!(err.to_string().contains("plugged in"), "{err}");
    assert!(!std::path::Path::new("/dev/cryptill-no-such-printer").exists());
}

/// A paid sale's receipt, as printed by a shop with these settings.
async fn receipt_of(settings: Settings) -> (Paper, i64) {
    let printer = VirtualPrinter::start();
    let shop = shop(GatewayKind::Demo, &printer.address(), 80, false).await;
    settings.save(&shop.counter.ledger).unwrap();
    let sale_id = shop.paid_sale().await;
    shop.printing.print_receipt(sale_id).await.unwrap();
    (printer.wait_for(1, WAIT).remove(0), sale_id)
}

#[tokio::test]
async fn the_shop_language_chooses_letters_the_printer_has() {
    let (paper, _) = receipt_of(Settings {
        shop_name: "Kawiarnia Łódź".into(),
        locale: "pl-PL".into(),
        receipt_footer: "Dziękujemy! 谢谢".into(),
        ..Settings::default()
    })
    .await;
    assert_eq!(paper.code_page, Some(45), "Windows-1250");
    assert_eq!(paper.lines().next().unwrap().text, "Kawiarnia Łódź");
    // What the page lacks prints as '?', never as UTF-8 garbage.
    assert!(paper.text().contains("Dziękujemy! ??"), "{}", paper.text());
}

#[tokio::test]
async fn a_german_shop_prints_german_words_decimal_commas_and_days_first_with_dots() {
    let (paper, sale_id) = receipt_of(Settings {
        shop_name: "Eckcafé".into(),
        locale: "de-DE".into(),
        ..Settings::default()
    })
    .await;
    let text = paper.text();
    assert!(text.contains("Beleg"), "{text}");
    assert!(
        paper
            .line_with("Summe")
            .unwrap()
            .text
            .ends_with("12,50 EUR"),
        "{text}"
    );
    assert!(paper
        .line_with("4,50")
        .unwrap()
        .text
        .starts_with("Flat white"));
    let today = chrono::Local::now().format("%d.%m.%Y").to_string();
    let sale_line = paper.line_with(&format!("Verkauf {sale_id}")).unwrap();
    assert!(sale_line.text.contains(&today), "{text}");
    // The amount to pay keeps its exact digits; only the sign changes.
    let amount = paper.line_with("Betrag").unwrap();
    assert!(amount.text.contains("0,000"), "{text}");
    assert!(!amount.text.contains("0.000"), "{text}");
    assert!(paper.line_with("Bezahlt in").is_some(), "{text}");
    for english in ["Receipt", "Total", "Sale ", "Amount", "Paid in"] {
        assert!(!text.contains(english), "{english}: {text}");
    }
}

#[tokio::test]
async fn french_and_spanish_shops_print_their_own_words() {
    for (locale, title, sale, amount, paid_in) in [
        ("fr-FR", "Ticket", "Vente", "Montant", "Payé en"),
        ("es-ES", "Recibo", "Venta", "Importe", "Pagado en"),
    ] {
        let (paper, sale_id) = receipt_of(Settings {
            locale: locale.into(),
            ..Settings::default()
        })
        .await;
        let text = paper.text();
        assert!(text.contains(title), "{text}");
        assert!(
            paper.line_with(&format!("{sale} {sale_id}")).is_some(),
            "{text}"
        );
        assert!(paper.line_with(amount).is_some(), "{text}");
        assert!(paper.line_with(paid_in).is_some(), "{text}");
    }
}

#[tokio::test]
async fn a_german_shop_prints_its_day_report_in_german() {
    let printer = VirtualPrinter::start();
    let shop = shop(GatewayKind::Demo, &printer.address(), 80, false).await;
    let ledger = &shop.counter.ledger;
    Settings {
        locale: "de-DE".into(),
        ..Settings::default()
    }
    .save(ledger)
    .unwrap();
    let owner_pin = Sensitive::new("482916".to_string());
    pin::set_first(ledger, &owner_pin).unwrap();
    let unlocked = unlock_with_pin(ledger, &owner_pin).unwrap();
    shop.paid_sale().await;
    let z = report::z_report(ledger, &SaleFilter::today(), "EUR").unwrap();
    shop.printing
        .print_report(&unlocked, ReportKind::X, &z)
        .await
        .unwrap();
    let paper = printer.wait_for(1, WAIT).remove(0);
    let text = paper.text();
    assert!(text.contains("X-Bericht (kein Abschluss)"), "{text}");
    assert_eq!(paper.value("Summe"), Some("12,50 EUR"), "{text}");
    assert_eq!(paper.value("Verkäufe"), Some("1"), "{text}");
    assert!(paper.line_with("Trinkgelder").is_some(), "{text}");
    assert!(!text.contains("Total"), "{text}");
}

#[tokio::test]
async fn only_a_paid_sale_has_a_receipt_and_only_a_till_with_a_printer_prints() {
    let printer = VirtualPrinter::start();
    let shop = shop(GatewayKind::Demo, &printer.address(), 80, false).await;
    let open = shop.checkout.charge("3.00", "BTC").await.unwrap().sale_id;
    let err = shop.printing.print_receipt(open).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotAllowed);
    assert!(err.to_string().contains("once it is paid"), "{err}");

    // The payment slip is for exactly that sale: its QR on paper.
    shop.printing.print_payment_slip(open).await.unwrap();
    let slip = printer.wait_for(1, WAIT).remove(0);
    let payment = shop
        .checkout
        .payment(&shop.counter.ledger.sale(open).unwrap())
        .unwrap();
    assert_eq!(slip.qr_codes(), vec![payment.payment_uri.as_str()]);
    assert!(slip.text().contains("Payment request"), "{}", slip.text());

    PrinterSettings::default()
        .save(&shop.counter.ledger)
        .unwrap();
    let paid = shop.paid_sale().await;
    let err = shop.printing.print_receipt(paid).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Input);
    assert!(
        err.to_string().contains("No receipt printer is set up"),
        "{err}"
    );
}

#[tokio::test]
async fn the_owner_prints_a_test_page_and_the_day_report() {
    let printer = VirtualPrinter::start();
    let shop = shop(GatewayKind::Demo, &printer.address(), 58, false).await;
    let ledger = &shop.counter.ledger;
    let owner_pin = Sensitive::new("482916".to_string());
    pin::set_first(ledger, &owner_pin).unwrap();
    let unlocked = unlock_with_pin(ledger, &owner_pin).unwrap();

    let said = shop.printing.test_page(&unlocked).await.unwrap();
    assert_eq!(said, format!("Test page sent to {}.", printer.address()));
    let sale_id = shop.paid_sale().await;
    let z = report::z_report(ledger, &SaleFilter::today(), "EUR").unwrap();
    shop.printing
        .print_report(&unlocked, ReportKind::Z, &z)
        .await
        .unwrap();

    let papers = printer.wait_for(2, WAIT);
    let test = papers[0].text();
    assert!(test.contains("Printer test page"), "{test}");
    assert!(test.contains("58 mm"), "{test}");
    assert!(test.contains("àâäçéèêëîïôöùûü ñ ß æø å €"), "{test}");
    assert!(papers[0].line_with(&"-".repeat(32)).is_some(), "{test}");
    assert_eq!(papers[0].qr_codes().len(), 1);
    let z_text = papers[1].text();
    assert!(z_text.contains("Z report"), "{z_text}");
    assert_eq!(papers[1].value("Total"), Some("12.50 EUR"), "{z_text}");
    assert_eq!(papers[1].value("Sales"), Some("1"), "{z_text}");
    lines_fit(&papers[1], 32);
    let _ = sale_id;
}

/// A reprint of a sale with a refund lists it: the amount in euros and in
/// the coin, its date and where it stands (on its way, then refunded once
/// the owner confirmed Counos's e-mail); the day's printed Z-report says
/// what was refunded.
#[tokio::test]
async fn a_reprinted_receipt_lists_the_sales_refunds_and_the_printed_z_report_their_sum() {
    let printer = VirtualPrinter::start();
    let shop = shop(GatewayKind::Demo, &printer.address(), 58, false).await;
    let ledger = &shop.counter.ledger;
    let owner_pin = Sensitive::new("482916".to_string());
    pin::set_first(ledger, &owner_pin).unwrap();
    let ok = unlock_with_pin(ledger, &owner_pin).unwrap();
    // A sale large enough that its refund is above the demo terminal's
    // smallest withdrawal (0.0005 BTC).
    let entry = SaleEntry {
        lines: vec![LineEntry {
            label: "Espresso machine".into(),
            amount: "100.00".into(),
        }],
        tip: None,
        coin: "BTC".into(),
    };
    let sale_id = shop.checkout.start_sale(&entry).await.unwrap().sale_id;
    shop.checkout.place(sale_id).await.unwrap();
    shop.counter.pay(sale_id, Payment::full()).await;
    shop.checkout.refresh(sale_id).await.unwrap();
    let control = &shop.counter.sandbox.control;
    control.permit_withdrawals(true).await.unwrap();
    let refunds = Refunds::new(ledger, &shop.checkout);
    let form = counter::return_form(sale_id, "40.00");
    let asked = refunds.request(&form, Asker::Owner, Some(&ok)).unwrap();
    let sent = refunds.send(&ok, asked.id).await.unwrap();
    assert_eq!(sent.state, RefundState::Sent);

    shop.printing.print_receipt(sale_id).await.unwrap();
    let paper = printer.wait_for(1, WAIT).remove(0);
    let text = paper.text();
    assert_eq!(
        paper.value("Refund on its way"),
        Some("-40.00 EUR"),
        "{text}"
    );
    let coin = format!("{} BTC", sent.crypto_amount);
    assert_eq!(paper.value("in coin"), Some(coin.as_str()), "{text}");
    assert!(paper.value("on").is_some(), "{text}");
    lines_fit(&paper, 32);

    counter::confirm_refund(control, &refunds, &sent).await;
    shop.printing.print_receipt(sale_id).await.unwrap();
    let z = report::z_report(ledger, &SaleFilter::today(), "EUR").unwrap();
    shop.printing
        .print_report(&ok, ReportKind::Z, &z)
        .await
        .unwrap();
    let papers = printer.wait_for(3, WAIT);
    let text = papers[1].text();
    assert_eq!(papers[1].value("Refunded"), Some("-40.00 EUR"), "{text}");
    assert!(papers[1].value("Refund on its way").is_none(), "{text}");
    let z_text = papers[2].text();
    assert_eq!(papers[2].value("Refunded"), Some("40.00 EUR"), "{z_text}");
    assert_eq!(
        papers[2].value("BTC (1 refunds)"),
        Some(coin.as_str()),
        "{z_text}"
    );
    lines_fit(&papers[2], 32);
}
