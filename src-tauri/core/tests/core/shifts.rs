//! Cashiers and shifts over a real ledger file and the real checkout
//! against the sandbox: the one-person shop unchanged, no sale without a
//! shift once a cashier exists, sign-ins recorded, Z numbers 1, 2, 3...,
//! a Z report never rewritten, and cashier PINs locked out like the
//! owner's and never opening owner mode.

use cryptill_core::checkout::{LineEntry, SaleEntry};
use cryptill_core::gateway::{GatewayKind, SaleState};
use cryptill_core::ledger::Ledger;
use cryptill_core::money::Currency;
use cryptill_core::owner::{self, pin, Unlocked};
use cryptill_core::refund::{Asker, Refunds};
use cryptill_core::report::{self, SaleFilter};
use cryptill_core::secret::Sensitive;
use cryptill_core::shift::{shift_report_text, Shifts};
use cryptill_core::ErrorKind;
use cryptill_sandbox::client::{Dialect, Payment};

use crate::support::counter::{self, Counter};

fn secret(s: &str) -> Sensitive<String> {
    Sensitive::new(s.to_string())
}

const OWNER_PIN: &str = "908172";

async fn counter() -> Counter {
    counter::counter(GatewayKind::Demo).await
}

fn shifts(c: &Counter) -> Shifts<'_> {
    Shifts::new(&c.ledger, Currency::fiat("EUR").unwrap())
}

/// The owner, present: sets the PIN the first time, then proves it.
fn owner(ledger: &Ledger) -> Unlocked {
    if !pin::is_set(ledger).unwrap() {
        pin::set_first(ledger, &secret(OWNER_PIN)).unwrap();
    }
    owner::unlock_with_pin(ledger, &secret(OWNER_PIN)).unwrap()
}

/// A sale through the real checkout, with a tip; `pay`: pay it in full.
async fn sell(c: &Counter, amount: &str, tip: Option<&str>, coin: &str, pay: bool) -> i64 {
    let entry = SaleEntry {
        lines: vec![LineEntry {
            label: String::new(),
            amount: amount.into(),
        }],
        tip: tip.map(Into::into),
        coin: coin.into(),
    };
    let started = c.checkout.start_sale(&entry).await.unwrap();
    c.checkout.place(started.sale_id).await.unwrap();
    if pay {
        let order = c.ledger.sale(started.sale_id).unwrap().merchant_order_id;
        let control = &c.sandbox.control;
        control
            .pay(Dialect::Counos, order, Payment::full())
            .await
            .unwrap();
        c.checkout.refresh(started.sale_id).await.unwrap();
    }
    started.sale_id
}

fn sale_count(c: &Counter) -> usize {
    report::sales(&c.ledger, &SaleFilter::default())
        .unwrap()
        .len()
}

#[tokio::test]
async fn a_till_without_cashiers_sells_as_before_with_no_shift() {
    let c = counter().await;
    let s = shifts(&c);
    let status = s.status().unwrap();
    assert!(!status.cashiers_set_up);
    assert_eq!(status.shift, None);
    let id = sell(&c, "4.00", None, "BTC", true).await;
    let sale = c.ledger.sale(id).unwrap();
    assert_eq!(sale.state, SaleState::Paid);
    assert_eq!((sale.cashier, sale.shift_id), (None, None));
    let payment = c.checkout.payment(&c.ledger.sale(id).unwrap()).unwrap();
    assert_eq!(payment.cashier, None);
    // Nothing to report per shift, and nothing asks for one.
    assert_eq!(s.x_report().unwrap_err().kind(), ErrorKind::NotAllowed);
    assert_eq!(s.close().unwrap_err().kind(), ErrorKind::NotAllowed);
}

#[tokio::test]
async fn once_a_cashier_exists_a_sale_needs_an_open_shift_and_names_its_cashier() {
    let c = counter().await;
    let s = shifts(&c);
    let ok = owner(&c.ledger);
    s.add_cashier(&ok, "Ana", &secret("1111")).unwrap();
    let entry = SaleEntry {
        lines: vec![LineEntry {
            label: String::new(),
            amount: "5.00".into(),
        }],
        tip: None,
        coin: "BTC".into(),
    };
    // Refused by the window's Charge (`start_sale`) and by `charge`; and
    // neither asks the gateway anything, not even the price's conversion,
    // which both ask while a sale is being recorded.
    c.checkout.coins().await.unwrap();
    let control = &c.sandbox.control;
    control.reset_requests().await.unwrap();
    let err = c.checkout.start_sale(&entry).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotAllowed);
    assert!(err.to_string().contains("No shift is open"), "{err}");
    assert_eq!(sale_count(&c), 0, "a refused sale leaves nothing behind");
    let err = c.checkout.charge("5.00", "BTC").await.unwrap_err();
    assert!(err.to_string().contains("No shift is open"), "{err}");
    // Long enough for a question sent on a task of its own to arrive.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let counts = control.requests().await.unwrap();
    assert_eq!(counts.matching("convert"), 0, "{counts:?}");
    assert_eq!(counts.total, 0, "{counts:?}");
    assert_eq!(sale_count(&c), 0);

    // A wrong PIN opens nothing.
    let err = s.open("Ana", &secret("2222")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Input);
    assert!(err.to_string().contains("Wrong PIN"), "{err}");
    assert_eq!(s.status().unwrap().shift, None);
    // Nor does an unknown cashier.
    let err = s.open("Bob", &secret("1111")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.to_string().contains("'Bob'"), "{err}");

    let status = s.open("ana", &secret("1111")).unwrap();
    assert_eq!(status.shift.as_ref().unwrap().cashier, "Ana");
    let id = sell(&c, "5.00", None, "BTC", false).await;
    let sale = c.ledger.sale(id).unwrap();
    assert_eq!(sale.cashier.as_deref(), Some("Ana"));
    assert_eq!(sale.shift_id, Some(status.shift.unwrap().id));
    assert_eq!(
        c.checkout.receipt(id).unwrap().cashier.as_deref(),
        Some("Ana")
    );
    // Try again of an expired sale is a new sale of whoever sells now.
    c.sandbox
        .control
        .expire(Dialect::Counos, sale.merchant_order_id)
        .await
        .unwrap();
    c.checkout.refresh(id).await.unwrap();
    let again = c.checkout.try_again(id).await.unwrap();
    assert_eq!(again.cashier.as_deref(), Some("Ana"));
}

#[tokio::test]
async fn shifts_switch_cashiers_close_as_z_1_2_and_never_rewrite_an_old_z() {
    let c = counter().await;
    let s = shifts(&c);
    let ok = owner(&c.ledger);
    s.add_cashier(&ok, "Ana", &secret("1111")).unwrap();
    s.add_cashier(&ok, "Ben", &secret("22222")).unwrap();

    s.open("Ana", &secret("1111")).unwrap();
    let err = s.open("Ben", &secret("22222")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotAllowed);
    assert!(err.to_string().contains("open already"), "{err}");
    let ana_paid = sell(&c, "10.00", Some("1.00"), "BTC", true).await;
    let carried = sell(&c, "7.00", None, "BTC", false).await;
    s.switch("Ben", &secret("22222")).unwrap();
    let ben_paid = sell(&c, "3.00", Some("0.50"), "LTC", true).await;
    assert_eq!(
        c.ledger.sale(ben_paid).unwrap().cashier.as_deref(),
        Some("Ben")
    );

    let x = s.x_report().unwrap();
    assert_eq!(x.number, None);
    // Totals are charged amounts, tips included.
    assert_eq!(
        (x.totals.sales_count, x.totals.gross.as_str()),
        (2, "14.50")
    );
    let z1 = s.close().unwrap();
    assert_eq!(z1.number, Some(1));
    assert_eq!(z1.closed_by.as_deref(), Some("Ben"));
    assert_eq!(
        (z1.totals.gross.as_str(), z1.totals.tips.as_str()),
        ("14.50", "1.50")
    );
    let per: Vec<_> = z1
        .cashiers
        .iter()
        .map(|t| {
            (
                t.cashier.as_str(),
                t.sales,
                t.gross.as_str(),
                t.tips.as_str(),
            )
        })
        .collect();
    assert_eq!(
        per,
        vec![("Ana", 1, "11.00", "1.00"), ("Ben", 1, "3.50", "0.50")]
    );
    let coins: Vec<_> = z1
        .totals
        .coins
        .iter()
        .map(|t| (t.coin.as_str(), t.fiat_amount.as_str()))
        .collect();
    assert_eq!(coins, vec![("BTC", "11.00"), ("LTC", "3.50")]);
    assert_eq!(
        z1.carried_over
            .iter()
            .map(|e| e.sale_id)
            .collect::<Vec<_>>(),
        vec![carried]
    );
    let kinds: Vec<_> = z1
        .sign_ins
        .iter()
        .map(|e| (e.kind.as_str(), e.cashier.as_str()))
        .collect();
    assert_eq!(
        kinds,
        vec![("open", "Ana"), ("switch", "Ben"), ("close", "Ben")]
    );
    assert!(shift_report_text(&z1).contains("Z report 1"));
    // Closed: no X, no second close, no sale until the next shift opens.
    assert_eq!(s.close().unwrap_err().kind(), ErrorKind::NotAllowed);
    assert!(c.ledger.sale(ana_paid).is_ok());

    // After Z 1, the sale it carried over is voided: the next shift says so.
    c.checkout.void(carried).await.unwrap();
    s.open("Ben", &secret("22222")).unwrap();
    let second_shift = sell(&c, "2.00", None, "BTC", true).await;
    // "Sales this shift" at the counter: only the open shift's.
    let listed: Vec<_> = c
        .checkout
        .recent_sales()
        .unwrap()
        .iter()
        .map(|s| s.sale_id)
        .collect();
    assert_eq!(listed, vec![second_shift]);
    let z2 = s.close().unwrap();
    assert_eq!(z2.number, Some(2));
    assert_eq!(
        (z2.totals.sales_count, z2.totals.gross.as_str()),
        (1, "2.00")
    );
    let earlier: Vec<_> = z2
        .earlier
        .iter()
        .map(|e| (e.sale_id, e.kind.as_str()))
        .collect();
    assert_eq!(earlier, vec![(carried, "voided")]);

    // Z 1 reads back exactly as it was made, though its sale changed.
    let back = s.z_report(&ok, 1).unwrap();
    assert_eq!(back, z1);
    assert_eq!(back.totals.voids, 0);
    let history: Vec<_> = s.z_history(&ok).unwrap().iter().map(|z| z.number).collect();
    assert_eq!(history, vec![Some(2), Some(1)]);
    assert_eq!(s.z_report(&ok, 3).unwrap_err().kind(), ErrorKind::NotFound);

    // The owner's history filters by cashier and shift.
    let by = |cashier: &str, shift: Option<i64>| {
        report::history_page(
            &c.ledger,
            &SaleFilter {
                cashier: Some(cashier.into()),
                shift,
                ..Default::default()
            },
            &Default::default(),
        )
        .unwrap()
        .rows
        .len()
    };
    assert_eq!(by("ana", None), 2);
    assert_eq!(by("Ben", None), 2);
    assert_eq!(by("Ben", Some(z2.shift_id)), 1);
    // The accountant's CSV names the cashier and the shift of each sale.
    let mut csv = Vec::new();
    let n = report::write_csv(
        &c.ledger,
        &SaleFilter {
            shift: Some(z2.shift_id),
            ..Default::default()
        },
        &mut csv,
    )
    .unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert_eq!(n, 1);
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .contains(",cashier,shift,till,refunded"),
        "{csv}"
    );
    assert!(
        csv.lines()
            .nth(1)
            .unwrap()
            .contains(&format!(",Ben,{},", z2.shift_id)),
        "{csv}"
    );
}

#[tokio::test]
async fn a_cashier_pin_locks_out_like_the_owner_pin_and_never_opens_owner_mode() {
    let c = counter().await;
    let s = shifts(&c);
    let ok = owner(&c.ledger);
    // The owner's own PIN is refused for a cashier; so are bad PINs and names.
    let err = s.add_cashier(&ok, "Ana", &secret(OWNER_PIN)).unwrap_err();
    assert!(err.to_string().contains("owner PIN"), "{err}");
    for bad in ["123", "123456789", "12a4"] {
        let err = s.add_cashier(&ok, "Ana", &secret(bad)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Input, "{bad}");
    }
    assert_eq!(
        s.add_cashier(&ok, "  ", &secret("1234"))
            .unwrap_err()
            .kind(),
        ErrorKind::Input
    );
    s.add_cashier(&ok, "Ana", &secret("4321")).unwrap();
    let err = s.add_cashier(&ok, "ANA", &secret("5555")).unwrap_err();
    assert!(err.to_string().contains("already"), "{err}");
    let stored: String = rusqlite::Connection::open(c.ledger_path())
        .unwrap()
        .query_row("SELECT pin_phc FROM cashiers", [], |r| r.get(0))
        .unwrap();
    assert!(stored.starts_with("$argon2id$") && !stored.contains("4321"));

    // The cashier's PIN is not the owner's.
    let err = owner::unlock_with_pin(&c.ledger, &secret("4321")).unwrap_err();
    assert!(err.to_string().contains("Wrong PIN"), "{err}");

    for _ in 0..2 {
        let err = s.open("Ana", &secret("0000")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Input);
    }
    let err = s.open("Ana", &secret("0000")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotAllowed);
    assert!(err.to_string().contains("Ana's sign-in is locked"), "{err}");
    // While locked even the right PIN is refused; a restart keeps the count.
    let again = Ledger::open(&c.ledger_path()).unwrap();
    let s2 = Shifts::new(&again, Currency::fiat("EUR").unwrap());
    let err = s2.open("Ana", &secret("4321")).unwrap_err();
    assert!(err.to_string().contains("locked"), "{err}");
    assert_eq!(s2.status().unwrap().shift, None);
    assert!(s2.cashiers(&ok).unwrap()[0].locked_seconds.is_some());
    // The owner's count holds only the one owner try above, none of the
    // cashier's wrong PINs.
    assert_eq!(again.owner_auth().unwrap().unwrap().failed_attempts, 1);
    owner::unlock_with_pin(&again, &secret(OWNER_PIN)).unwrap();

    // Disabled: no sign-in; renamed: the new name signs in.
    s.add_cashier(&ok, "Ben", &secret("1357")).unwrap();
    s.set_cashier_enabled(&ok, "Ben", false).unwrap();
    let err = s.open("Ben", &secret("1357")).unwrap_err();
    assert!(err.to_string().contains("disabled"), "{err}");
    s.set_cashier_enabled(&ok, "Ben", true).unwrap();
    s.rename_cashier(&ok, "Ben", "Benedikt").unwrap();
    let opened = s.open("Benedikt", &secret("1357")).unwrap();
    assert_eq!(opened.shift.unwrap().cashier, "Benedikt");
}

#[tokio::test]
async fn disabling_every_cashier_gives_back_the_one_person_till() {
    let c = counter().await;
    let s = shifts(&c);
    let ok = owner(&c.ledger);
    s.add_cashier(&ok, "Ana", &secret("1111")).unwrap();
    assert!(s.status().unwrap().cashiers_set_up);
    s.set_cashier_enabled(&ok, "Ana", false).unwrap();
    assert!(!s.status().unwrap().cashiers_set_up);
    let id = sell(&c, "1.00", None, "BTC", false).await;
    assert_eq!(c.ledger.sale(id).unwrap().cashier, None);
}

/// A refund finished in a shift is in its X and its Z, per coin and in the
/// shop's currency, as the day's Z-report shows refunds; the next shift's
/// report does not count it again.
#[tokio::test]
async fn a_refund_done_in_a_shift_is_in_its_x_and_z_and_not_in_the_next_shift() {
    let c = counter().await;
    let s = shifts(&c);
    let ok = owner(&c.ledger);
    s.add_cashier(&ok, "Ana", &secret("1111")).unwrap();
    s.open("Ana", &secret("1111")).unwrap();
    let sale = sell(&c, "100.00", None, "BTC", true).await;
    c.sandbox.control.permit_withdrawals(true).await.unwrap();
    let refunds = Refunds::new(&c.ledger, &c.checkout);
    let form = counter::return_form(sale, "40.00");
    let asked = refunds.request(&form, Asker::Owner, Some(&ok)).unwrap();
    let sent = refunds.send(&ok, asked.id).await.unwrap();
    // Accepted, not done yet: no money counted as given back.
    assert_eq!(s.x_report().unwrap().refunded, "0.00");
    counter::confirm_refund(&c.sandbox.control, &refunds, &sent).await;

    let x = s.x_report().unwrap();
    assert_eq!(x.refunded, "40.00");
    let per_coin: Vec<_> = x
        .refunds
        .iter()
        .map(|r| {
            (
                r.coin.as_str(),
                r.refunds,
                r.crypto_amount.as_str(),
                r.fiat_amount.as_str(),
            )
        })
        .collect();
    assert_eq!(
        per_coin,
        vec![("BTC", 1, sent.crypto_amount.as_str(), "40.00")]
    );
    let text = shift_report_text(&x);
    assert!(text.contains("Refunded:     40.00 EUR"), "{text}");
    assert!(
        text.contains(&format!(
            "BTC    1 refund(s): {} BTC = 40.00 EUR",
            sent.crypto_amount
        )),
        "{text}"
    );
    let z = s.close().unwrap();
    assert_eq!((z.refunded.as_str(), z.refunds.len()), ("40.00", 1));
    // The stored Z reads back with its refunds.
    assert_eq!(s.z_report(&ok, 1).unwrap(), z);

    s.open("Ana", &secret("1111")).unwrap();
    let next = s.x_report().unwrap();
    assert_eq!((next.refunded.as_str(), next.refunds.len()), ("0.00", 0));
}
