//! Every outcome of a sale at the counter, through the checkout's state
//! machine, against the sandbox gateway over real HTTP (both dialects), with
//! a real SQLite ledger in a temp dir and the sandbox's fault injection.

use std::time::Duration;

use crate::support::counter::{self, Counter};
use crate::support::FAULTS;
use cryptill_core::checkout::{LineEntry, SaleEntry};
use cryptill_core::gateway::{GatewayKind, SaleState};
use cryptill_core::ErrorKind;
use cryptill_sandbox::client::{Dialect, Payment};
use cryptill_sandbox::Fault;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use std::str::FromStr;

async fn counter_with(coingate: bool) -> Counter {
    counter::counter(if coingate {
        GatewayKind::CoingateSandbox
    } else {
        GatewayKind::Demo
    })
    .await
}

async fn counter() -> Counter {
    counter_with(false).await
}

/// Outcome-test helpers over the shared counter.
trait SaleCounter {
    async fn sale(&self, amount: &str) -> i64;
    /// A sale recorded as Charge records it (the coin list fetched), its
    /// order not placed yet.
    async fn recorded(&self, amount: &str) -> i64;
}

impl SaleCounter for Counter {
    async fn sale(&self, amount: &str) -> i64 {
        self.checkout.charge(amount, "BTC").await.unwrap().sale_id
    }

    async fn recorded(&self, amount: &str) -> i64 {
        self.checkout.coins().await.unwrap();
        let entry = entry(&[("", amount)], None);
        self.checkout.start_sale(&entry).await.unwrap().sale_id
    }
}

fn entry(lines: &[(&str, &str)], tip: Option<&str>) -> SaleEntry {
    SaleEntry {
        lines: lines
            .iter()
            .map(|(label, amount)| LineEntry {
                label: label.to_string(),
                amount: amount.to_string(),
            })
            .collect(),
        tip: tip.map(str::to_string),
        coin: "BTC".into(),
    }
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

#[tokio::test]
async fn a_full_payment_with_too_few_confirmations_is_confirming_then_paid() {
    let c = counter().await;
    let id = c.sale("12.50").await;
    c.pay(id, Payment::full().confirmations(0)).await;
    let p = c.checkout.refresh(id).await.unwrap();
    assert_eq!(p.state, SaleState::Confirming);
    assert!(p.required_confirmations > 0, "n of m needs an m: {p:?}");
    assert_eq!(p.confirmations, 0);
    c.confirm(id, p.required_confirmations).await;
    let p = c.checkout.refresh(id).await.unwrap();
    assert_eq!(p.state, SaleState::Paid);
    assert!(c.ledger.sale(id).unwrap().paid_at.is_some());
}

#[tokio::test]
async fn an_underpayment_shows_what_is_left_with_a_qr_and_can_be_topped_up() {
    let c = counter().await;
    let id = c.sale("12.50").await; // 0.00021552 BTC
    c.pay(id, Payment::of(dec!(0.0001))).await;
    let p = c.checkout.refresh(id).await.unwrap();
    assert_eq!(p.state, SaleState::Underpaid);
    assert_eq!(p.paid_amount, "0.00010000");
    assert_eq!(p.remaining_amount.as_deref(), Some("0.00011552"));
    assert_eq!(
        p.remaining_uri.as_deref(),
        Some(format!("bitcoin:{}?amount=0.00011552", p.address).as_str())
    );
    assert!(p
        .remaining_qr_png
        .as_deref()
        .unwrap()
        .starts_with("data:image/png"));
    assert_ne!(p.remaining_qr_png.as_deref(), Some(p.qr_png.as_str()));

    // The customer sends the rest to the same address.
    c.pay(id, Payment::of(dec!(0.00011552))).await;
    let p = c.checkout.refresh(id).await.unwrap();
    assert_eq!(p.state, SaleState::Paid);
    assert_eq!(p.remaining_amount, None);
}

#[tokio::test]
async fn an_underpaid_sale_can_be_left_to_the_owner() {
    let c = counter().await;
    let id = c.sale("12.50").await;
    c.pay(id, Payment::of(dec!(0.0001))).await;
    c.checkout.refresh(id).await.unwrap();
    let p = c.checkout.mark_for_owner(id).unwrap();
    assert!(p.needs_owner);
    assert!(c.ledger.sale(id).unwrap().needs_owner);
    // It stays open: a top-up may still come and is still followed.
    assert_eq!(c.ledger.open_sales().unwrap().len(), 1);
}

#[tokio::test]
async fn an_overpayment_is_paid_with_the_excess_noted() {
    let c = counter().await;
    let id = c.sale("12.50").await;
    c.pay(id, Payment::of(dec!(0.00030000))).await;
    let p = c.checkout.refresh(id).await.unwrap();
    assert_eq!(p.state, SaleState::Overpaid);
    assert_eq!(p.excess_amount.as_deref(), Some("0.00008448"));
    assert!(c.ledger.sale(id).unwrap().paid_at.is_some());
}

#[tokio::test]
async fn an_expired_sale_is_tried_again_as_a_fresh_order_linked_to_it() {
    let c = counter().await;
    let started = c
        .checkout
        .start_sale(&entry(
            &[("Coffee", "3.50"), ("Cake", "4.00")],
            Some("0.50"),
        ))
        .await
        .unwrap();
    let id = started.sale_id;
    let first = c.checkout.place(id).await.unwrap();
    c.expire(id).await;
    assert_eq!(
        c.checkout.refresh(id).await.unwrap().state,
        SaleState::Expired
    );

    let again = c.checkout.try_again(id).await.unwrap();
    assert_eq!(again.state, SaleState::Creating);
    assert_eq!(again.replaces_sale_id, Some(id));
    let placed = c.checkout.place(again.sale_id).await.unwrap();
    assert_eq!(placed.state, SaleState::Awaiting);
    assert_ne!(placed.gateway_order_id, first.gateway_order_id);
    assert_eq!(placed.fiat_amount, "8.00");
    assert_eq!(placed.tip_amount.as_deref(), Some("0.50"));
    let old = c.ledger.sale(id).unwrap();
    let new = c.ledger.sale(again.sale_id).unwrap();
    assert_ne!(old.merchant_order_id, new.merchant_order_id);
    assert_eq!(old.state, SaleState::Expired);
    assert_eq!(c.ledger.sale_lines(again.sale_id).unwrap().len(), 2);
    // Only an expired sale is tried again.
    let err = c.checkout.try_again(again.sale_id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotAllowed);
}

#[tokio::test]
async fn a_payment_after_expiry_is_flagged_late_and_listed() {
    let c = counter().await;
    let id = c.sale("12.50").await;
    c.expire(id).await;
    c.checkout.refresh(id).await.unwrap();
    // Nothing came yet: nothing to flag.
    assert!(c.checkout.check_late_payments().await.unwrap().is_empty());

    c.pay(id, Payment::full()).await;
    assert_eq!(c.checkout.check_late_payments().await.unwrap(), vec![id]);
    let sale = c.ledger.sale(id).unwrap();
    assert!(sale.late_payment_at.is_some());
    // The sale keeps its state: the cashier may have charged a replacement.
    assert_eq!(sale.state, SaleState::Expired);
    assert_eq!(sale.paid.unwrap().amount(), dec("0.00021552"));
    let listed = c.checkout.recent_sales().unwrap();
    assert!(listed[0].late_payment_at.is_some());
    // Flagged once: the next round does not flag it again.
    assert!(c.checkout.check_late_payments().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_payment_rejected_by_the_network_is_invalid() {
    let c = counter_with(true).await;
    let id = c.sale("12.50").await;
    let order = c.ledger.sale(id).unwrap().gateway_order_id.unwrap();
    let control = &c.sandbox.control;
    control
        .pay(Dialect::Coingate, &order, Payment::full())
        .await
        .unwrap();
    control.coingate_invalidate(&order).await.unwrap();
    let p = c.checkout.refresh(id).await.unwrap();
    assert_eq!(p.state, SaleState::Invalid);
}

#[tokio::test]
async fn the_cashier_voids_an_unpaid_sale_and_it_stays_in_the_ledger() {
    let c = counter().await;
    let id = c.sale("12.50").await;
    let p = c.checkout.void(id).await.unwrap();
    assert_eq!(p.state, SaleState::Canceled);
    assert!(p.voided_at.is_some());
    // A refresh racing the void cannot bring it back.
    assert_eq!(
        c.checkout.refresh(id).await.unwrap().state,
        SaleState::Canceled
    );
    assert_eq!(c.ledger.sale(id).unwrap().state, SaleState::Canceled);

    // A sale whose order was never made is voided too.
    let started = c
        .checkout
        .start_sale(&entry(&[("", "2")], None))
        .await
        .unwrap();
    let p = c.checkout.void(started.sale_id).await.unwrap();
    assert_eq!(p.state, SaleState::Canceled);

    // A payment after the void is flagged late.
    c.pay(id, Payment::full()).await;
    assert_eq!(c.checkout.check_late_payments().await.unwrap(), vec![id]);
}

#[tokio::test]
async fn a_sale_the_gateway_saw_a_payment_for_cannot_be_voided() {
    let c = counter().await;
    let id = c.sale("12.50").await;
    c.pay(id, Payment::of(dec!(0.0001))).await;
    let err = c.checkout.void(id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotAllowed);
    assert!(err.to_string().contains("already seen a payment"), "{err}");
    let sale = c.ledger.sale(id).unwrap();
    assert_eq!(sale.state, SaleState::Underpaid);
    assert!(sale.voided_at.is_none());
}

#[tokio::test]
async fn a_void_the_gateway_cannot_confirm_is_refused() {
    let c = counter().await;
    let id = c.sale("12.50").await;
    c.sandbox.fault(Fault::Reset).await;
    let err = c.checkout.void(id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network);
    assert_eq!(c.ledger.sale(id).unwrap().state, SaleState::Awaiting);
}

#[tokio::test]
async fn a_lost_answer_to_the_create_is_retried_without_a_second_order() {
    let c = counter().await;
    c.checkout.coins().await.unwrap();
    // The conversion (asked while the sale is recorded, or by the
    // placement on the shared ledger) passes; the create is the next
    // request: the sandbox makes the order, then drops the connection.
    let faults = [Fault::Pass, Fault::Reset];
    c.sandbox.control.queue_faults(&faults).await.unwrap();
    let started = c
        .checkout
        .start_sale(&entry(&[("", "12.50")], None))
        .await
        .unwrap();
    let id = started.sale_id;
    let err = c.checkout.place(id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network);
    assert_eq!(c.ledger.sale(id).unwrap().state, SaleState::Creating);

    let placed = c.checkout.place(id).await.unwrap();
    assert_eq!(placed.state, SaleState::Awaiting);
    // The order the retry got is the one the lost answer made: paying it
    // pays the sale, and the ledger holds this one sale.
    c.pay(id, Payment::full()).await;
    assert_eq!(c.checkout.refresh(id).await.unwrap().state, SaleState::Paid);
    assert_eq!(c.checkout.recent_sales().unwrap().len(), 1);
    // Placing a placed sale again returns it, never a new order.
    assert_eq!(
        c.checkout.place(id).await.unwrap().gateway_order_id,
        placed.gateway_order_id
    );
}

/// A power cut while the QR is on the screen, before the order's own commit
/// reached the disk (it is not waited for: checkout/placement.rs). What the
/// disk keeps is the sale `creating` with its conversion, flushed beside
/// the order's request; the order is only at the gateway, and the customer
/// may have paid it already. The next start finds that same order, paid
/// (Counos `renew: false`, CoinGate by `order_id`; gateways.md "Round 2"),
/// and makes no second one, in both dialects. The disk's image is the
/// ledger's files copied while the order's request waits for its answer,
/// after the flush: what a power cut leaves of an unsynced order commit.
#[tokio::test]
async fn a_power_cut_before_the_order_commit_is_on_disk_finds_the_paid_order_at_the_next_start() {
    for coingate in [false, true] {
        let c = counter_with(coingate).await;
        if c.shared.is_some() {
            // The server's commits are durable when it answers: no image.
            return;
        }
        let id = c.recorded("12.50").await;
        let control = &c.sandbox.control;
        control
            .set_latency(Duration::from_millis(300))
            .await
            .unwrap();
        let image = tempfile::tempdir().unwrap();
        let take_image = async {
            loop {
                let sale = c.ledger.sale(id).unwrap();
                assert_eq!(sale.state, SaleState::Creating, "answer before flush");
                if sale.crypto.is_some() && c.ledger.unflushed_commits() == 0 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            for name in ["ledger.sqlite3", "ledger.sqlite3-wal"] {
                let from = c.dir.path().join(name);
                std::fs::copy(from, image.path().join(name)).unwrap();
            }
        };
        let (shown, ()) = tokio::join!(c.checkout.place(id), take_image);
        let shown = shown.unwrap();
        control.set_latency(Duration::ZERO).await.unwrap();
        assert_eq!(shown.state, SaleState::Awaiting);
        // The customer pays the QR shown; then the power goes.
        if coingate {
            let order = &shown.gateway_order_id;
            control
                .pay(Dialect::Coingate, order, Payment::full())
                .await
                .unwrap();
        } else {
            c.pay(id, Payment::full()).await;
        }

        let path = image.path().join("ledger.sqlite3");
        let ledger = std::sync::Arc::new(cryptill_core::ledger::Ledger::open(&path).unwrap());
        let kept = ledger.sale(id).unwrap();
        assert_eq!(kept.state, SaleState::Creating);
        assert_eq!(kept.gateway_order_id, None);
        let kept_crypto = kept.crypto.as_ref().map(|m| m.to_fixed());
        assert_eq!(kept_crypto.as_ref(), Some(&shown.crypto_amount));
        // The next start, minutes later (a reboot): the placement claim of
        // the process the cut killed is stale by then.
        let _later = cryptill_core::clock::set_thread_offset(chrono::Duration::minutes(3));
        let next = cryptill_core::checkout::Checkout::new(
            ledger.clone(),
            counter::client(&c.sandbox, c.kind),
            cryptill_core::money::Currency::fiat("EUR").unwrap(),
        );
        let resumed = next.resume().await;
        assert_eq!(resumed.len(), 1, "coingate: {coingate}");
        let found = &resumed[0];
        assert_eq!(found.sale_id, id);
        assert_eq!(found.gateway_order_id, shown.gateway_order_id);
        assert_eq!(found.address, shown.address);
        assert_eq!(found.crypto_amount, shown.crypto_amount);
        assert_eq!(found.state, SaleState::Paid, "coingate: {coingate}");
        assert_eq!(ledger.sale(id).unwrap().state, SaleState::Paid);
    }
}

#[tokio::test]
async fn every_charge_failure_is_retried_to_exactly_one_coingate_order() {
    // bad_key is not a transient failure, and after a 429 the client holds
    // back for a while by design (tests/coingate.rs covers that back-off).
    for fault in FAULTS
        .into_iter()
        .filter(|f| ![Fault::BadKey, Fault::Http429].contains(f))
    {
        let c = counter_with(true).await;
        let id = c.recorded("12.50").await;
        c.sandbox.fault(fault).await;
        // The client repeats a failed read on its own, so the first try may
        // already succeed; either way the fault was met on the way.
        let _first_try = c.checkout.place(id).await;
        assert!(
            c.sandbox.unspent_faults().await.is_empty(),
            "{fault:?} unspent"
        );
        // Retry until it goes through: each retry is the same sale.
        let placed = c.checkout.place(id).await.unwrap();
        assert_eq!(placed.sale_id, id);
        assert_eq!(placed.state, SaleState::Awaiting, "{fault:?}");
        let merchant = c.ledger.sale(id).unwrap().merchant_order_id;
        let listed = c
            .sandbox
            .coingate("GET", "orders", &[("per_page", "100")])
            .await;
        let ours = listed["orders"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["order_id"] == merchant.as_str())
            .count();
        assert_eq!(
            ours, 1,
            "{fault:?}: CoinGate holds {ours} orders for one sale"
        );
    }
}

#[tokio::test]
async fn open_sales_are_resumed_after_a_restart() {
    let c = counter().await;
    // One sale with its order placed, one that never reached the gateway
    // (the app died between the ledger write and the create).
    let placed = c.sale("12.50").await;
    let stuck = c
        .checkout
        .start_sale(&entry(&[("", "3")], None))
        .await
        .unwrap()
        .sale_id;
    c.pay(placed, Payment::full()).await;

    let after = c.restarted();
    let resumed = after.resume().await;
    let states: Vec<_> = resumed.iter().map(|p| (p.sale_id, p.state)).collect();
    assert_eq!(
        states,
        vec![(placed, SaleState::Paid), (stuck, SaleState::Awaiting)]
    );
    // Asked again, the same list: resumed once per run.
    assert_eq!(after.resume().await.len(), 2);
    let stuck_sale = c.ledger.sale(stuck).unwrap();
    assert!(stuck_sale.gateway_order_id.is_some());
    // A second restart finds the now-placed order again, not a new one.
    let again = c.restarted().resume().await;
    assert_eq!(again.len(), 1);
    assert_eq!(
        Some(again[0].gateway_order_id.clone()),
        stuck_sale.gateway_order_id
    );
}

#[tokio::test]
async fn quotes_reuse_the_rate_for_a_minute_and_fall_back_to_the_last_one() {
    let c = counter().await;
    let first = c.checkout.quote("12.50", "BTC").await.unwrap();
    assert_eq!(first.crypto_amount, "0.00021552");
    assert!(first.warning.is_none());
    // Within the minute the gateway is not asked: the queued fault is unspent.
    c.sandbox.fault(Fault::Http500).await;
    let cached = c.checkout.quote("25.00", "BTC").await.unwrap();
    assert_eq!(cached.rate, first.rate);
    assert_eq!(cached.crypto_amount, "0.00043104");
    assert_eq!(c.sandbox.unspent_faults().await, vec![Fault::Http500]);
    c.sandbox.clear_faults().await;

    // Past its lifetime, a failing feed shows the last rate with a warning.
    let stale = c.restarted().with_rate_ttl(Duration::ZERO);
    stale.quote("12.50", "BTC").await.unwrap();
    c.sandbox.fault(Fault::Reset).await;
    let fallback = stale.quote("12.50", "BTC").await.unwrap();
    assert_eq!(fallback.rate, first.rate);
    let warning = fallback.warning.unwrap();
    assert!(warning.contains("could not be updated"), "{warning}");
    // Charging still works: the gateway sets the amount.
    let p = stale.charge("12.50", "BTC").await.unwrap();
    assert_eq!(p.state, SaleState::Awaiting);

    // No rate ever fetched and no feed: an error, not a made-up amount.
    let fresh = c.restarted();
    fresh.coins().await.unwrap();
    c.sandbox.fault(Fault::Reset).await;
    assert!(fresh.quote("1", "ETH").await.is_err());
}

#[tokio::test]
async fn entries_are_checked_before_anything_is_recorded() {
    let c = counter().await;
    c.ledger.set_setting("max_sale_amount", "100").unwrap();
    let err = c
        .checkout
        .start_sale(&entry(&[("", "60"), ("", "50")], None))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Input);
    assert!(err.to_string().contains("110.00 EUR"), "{err}");
    assert!(err.to_string().contains("100.00 EUR"), "{err}");
    let err = c
        .checkout
        .start_sale(&entry(&[("Tea", "2"), ("Cake", "1.234")], None))
        .await
        .unwrap_err();
    assert!(err.to_string().starts_with("Line 2:"), "{err}");
    let err = c
        .checkout
        .start_sale(&entry(&[("", "2")], Some("x")))
        .await
        .unwrap_err();
    assert!(err.to_string().starts_with("Tip:"), "{err}");
    assert!(c.checkout.recent_sales().unwrap().is_empty());

    // Lines and tip add up, and the receipt shows them.
    let p = c
        .checkout
        .start_sale(&entry(&[("Tea", "2,50"), ("", "1")], Some("0")))
        .await
        .unwrap();
    assert_eq!(p.fiat_amount, "3.50");
    assert_eq!(p.tip_amount, None);
    let receipt = c.checkout.receipt(p.sale_id).unwrap();
    assert_eq!(receipt.lines[0].label, "Tea");
    assert_eq!(receipt.lines[0].amount, "2.50");
}

#[tokio::test]
async fn only_the_coins_the_shop_offers_are_listed_and_charged() {
    let c = counter().await;
    c.ledger.set_setting("offered_coins", "LTC").unwrap();
    let offered = c.checkout.offered_coins().await.unwrap();
    assert_eq!(
        offered
            .iter()
            .map(|c| c.symbol.as_str())
            .collect::<Vec<_>>(),
        ["LTC"]
    );
    let err = c.checkout.charge("5", "BTC").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Input, "{err}");
}

#[tokio::test]
async fn a_paid_sale_has_a_receipt_with_everything_the_customer_needs() {
    let c = counter().await;
    c.ledger.set_setting("shop_name", "Corner Café").unwrap();
    let p = c
        .checkout
        .start_sale(&entry(&[("Coffee", "10.00")], Some("2.50")))
        .await
        .unwrap();
    c.checkout.place(p.sale_id).await.unwrap();
    c.pay(p.sale_id, Payment::full()).await;
    c.checkout.refresh(p.sale_id).await.unwrap();
    let r = c.checkout.receipt(p.sale_id).unwrap();
    assert_eq!(r.shop_name, "Corner Café");
    assert_eq!(r.fiat_amount, "12.50");
    assert_eq!(r.tip_amount.as_deref(), Some("2.50"));
    assert_eq!(r.crypto_amount, "0.00021552");
    assert_eq!(r.rate.as_deref(), Some("58000.00"));
    assert!(r.address.starts_with("tb1q"));
    assert!(!r.gateway_order_id.is_empty());
    assert!(r.transaction_id.is_some());
}
