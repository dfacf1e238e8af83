//! Every status of gateways.md's nine, reached through the control routes,
//! as `GET /orders/{id}` then shows it.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use cryptill_sandbox::client::{Dialect::Coingate, Error, Payment};
use rust_decimal_macros::dec;

use crate::support::{id, Sandbox};

async fn read(sandbox: &Sandbox, order: &Value) -> Value {
    let answer = sandbox.cg_get(&format!("orders/{}", order["id"])).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    answer.json
}

#[tokio::test]
async fn a_full_payment_with_enough_confirmations_is_paid_and_credited_less_the_fee() {
    let sandbox = Sandbox::start().await;
    let pending = sandbox.cg_pending("10", "BTC").await;
    let paid = sandbox.cg_pay(&pending, Payment::full()).await;
    assert_eq!(
        paid,
        read(&sandbox, &pending).await,
        "control answers as GET"
    );
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["pay_amount"], "0.00017241");
    assert_eq!(paid["underpaid_amount"], "0");
    assert_eq!(paid["overpaid_amount"], "0");
    assert_eq!(paid["is_refundable"], false);
    assert!(paid["paid_at"].is_string());
    // 10 EUR settled in EUR, less CoinGate's 1% processing fee.
    assert_eq!(paid["receive_amount"], "9.9");
    assert_eq!(
        paid["fees"],
        json!([{"type": "processing_fee", "amount": "0.1", "currency": {"id": 14, "symbol": "EUR"}}])
    );
    let txs = paid["blockchain_transactions"].as_array().unwrap();
    assert_eq!(txs.len(), 1);
    assert_eq!(txs[0]["amount"], "0.00017241");
    assert_eq!(txs[0]["status"], "confirmed");
    assert_eq!(txs[0]["network_confirmations"], 2);
    assert_eq!(txs[0]["currency"]["id"], 7);
    assert_eq!(
        txs[0]["currency"]["platform"],
        json!({"id": 12, "title": "Bitcoin"})
    );
    let txid = txs[0]["txid"].as_str().unwrap();
    assert!(txid.len() == 64 && txid.bytes().all(|b| b.is_ascii_hexdigit()));
}

// gateways.md: `confirming` (sent, awaiting confirmations).
#[tokio::test]
async fn a_payment_without_confirmations_is_confirming_until_confirmed() {
    let sandbox = Sandbox::start().await;
    let pending = sandbox.cg_pending("10", "ETH").await;
    let sent = sandbox
        .cg_pay(&pending, Payment::full().confirmations(0))
        .await;
    assert_eq!(sent["status"], "confirming");
    assert!(sent.get("paid_at").is_none());
    assert_eq!(sent["receive_amount"], "0");
    assert_eq!(sent["blockchain_transactions"][0]["status"], "confirming");
    let some = sandbox
        .control()
        .confirm(Coingate, id(&pending), Some(5))
        .await
        .unwrap();
    assert_eq!(some["status"], "confirming", "ether needs 12");
    let paid = sandbox
        .control()
        .confirm(Coingate, id(&pending), None)
        .await
        .unwrap();
    assert_eq!(paid["status"], "paid");
    assert_eq!(
        paid["blockchain_transactions"][0]["network_confirmations"],
        12
    );
}

// gateways.md: "Underpayment shows as `underpaid_amount` > 0; the shopper may
// top up before expiry."
#[tokio::test]
async fn an_underpayment_stays_pending_and_a_top_up_completes_it() {
    let sandbox = Sandbox::start().await;
    let pending = sandbox.cg_pending("10", "BTC").await;
    let part = sandbox.cg_pay(&pending, Payment::of(dec!(0.0001))).await;
    assert_eq!(part["status"], "pending");
    assert_eq!(part["underpaid_amount"], "0.00007241");
    assert_eq!(part["overpaid_amount"], "0");
    assert_eq!(part["is_refundable"], false);

    let rest = sandbox.cg_pay(&pending, Payment::full()).await;
    assert_eq!(rest["status"], "paid", "the default pays what is left");
    assert_eq!(rest["underpaid_amount"], "0");
    let txs = rest["blockchain_transactions"].as_array().unwrap();
    assert_eq!(txs.len(), 2);
    assert_eq!(txs[1]["amount"], "0.00007241");
}

#[tokio::test]
async fn an_overpayment_is_paid_with_an_overpaid_amount_and_refundable() {
    let sandbox = Sandbox::start().await;
    let pending = sandbox.cg_pending("10", "BTC").await;
    let over = sandbox.cg_pay(&pending, Payment::of(dec!(0.0002))).await;
    assert_eq!(over["status"], "paid");
    assert_eq!(over["overpaid_amount"], "0.00002759");
    assert_eq!(over["underpaid_amount"], "0");
    assert_eq!(over["is_refundable"], true);
    assert_eq!(
        over["receive_amount"], "9.9",
        "settled on the price, not the overpayment"
    );
}

// gateways.md: `new` "expires after 2 h"; expiry is read lazily.
#[tokio::test]
async fn a_new_order_reads_expired_once_its_lifetime_is_over() {
    let sandbox = Sandbox::start_with(|config| config.coingate_new_ttl = Duration::ZERO).await;
    let order = sandbox.cg_order("10", "inv-1").await;
    assert_eq!(read(&sandbox, &order).await["status"], "expired");
    let refused = sandbox.cg_checkout(&order["id"], "BTC").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let late = sandbox
        .control()
        .pay(Coingate, id(&order), Payment::full())
        .await
        .unwrap_err();
    assert!(
        matches!(late, Error::Refused { .. }),
        "no address to pay: {late}"
    );
}

// gateways.md: `pending` "expires after 20 min".
#[tokio::test]
async fn a_pending_order_with_nothing_paid_reads_expired_after_the_pending_lifetime() {
    let sandbox = Sandbox::start_with(|config| config.coingate_pending_ttl = Duration::ZERO).await;
    let pending = sandbox.cg_pending("10", "BTC").await;
    let expired = read(&sandbox, &pending).await;
    assert_eq!(expired["status"], "expired");
    assert_eq!(expired["payment_address"], pending["payment_address"]);
    let listed = sandbox.cg_get("orders?status=expired").await;
    assert_eq!(listed.json["total_orders"], 1);
}

#[tokio::test]
async fn an_underpaid_order_expires_too_and_its_shopper_may_ask_for_a_refund() {
    let sandbox = Sandbox::start().await;
    let pending = sandbox.cg_pending("10", "BTC").await;
    sandbox.cg_pay(&pending, Payment::of(dec!(0.0001))).await;
    let expired = sandbox
        .control()
        .expire(Coingate, id(&pending))
        .await
        .unwrap();
    assert_eq!(expired["status"], "expired");
    assert_eq!(expired["underpaid_amount"], "0.00007241");
    assert_eq!(expired["is_refundable"], true);
}

// A late payment is recorded but does not complete the order: a till must not
// hand over goods for an expired invoice.
#[tokio::test]
async fn a_late_payment_to_an_expired_order_is_recorded_and_leaves_it_expired() {
    let sandbox = Sandbox::start_with(|config| config.coingate_pending_ttl = Duration::ZERO).await;
    let pending = sandbox.cg_pending("10", "BTC").await;
    let late = sandbox.cg_pay(&pending, Payment::full()).await;
    assert_eq!(late["status"], "expired");
    assert_eq!(late["blockchain_transactions"].as_array().unwrap().len(), 1);
    assert_eq!(late["is_refundable"], true);
    assert!(late.get("paid_at").is_none());
    assert_eq!(late["receive_amount"], "0");
    let confirmed = sandbox
        .control()
        .confirm(Coingate, id(&pending), None)
        .await
        .unwrap();
    assert_eq!(confirmed["status"], "expired");
}

#[tokio::test]
async fn a_confirming_order_does_not_expire() {
    let sandbox = Sandbox::start().await;
    let pending = sandbox.cg_pending("10", "BTC").await;
    sandbox
        .cg_pay(&pending, Payment::full().confirmations(0))
        .await;
    let refused = sandbox
        .control()
        .expire(Coingate, id(&pending))
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::Refused { .. }), "{refused}");
    assert_eq!(read(&sandbox, &pending).await["status"], "confirming");
}

// gateways.md: `invalid` (rejected by network or AML).
#[tokio::test]
async fn a_rejected_payment_makes_the_order_invalid() {
    let sandbox = Sandbox::start().await;
    let pending = sandbox.cg_pending("10", "BTC").await;
    sandbox
        .cg_pay(&pending, Payment::full().confirmations(0))
        .await;
    let invalid = sandbox
        .control()
        .coingate_invalidate(id(&pending))
        .await
        .unwrap();
    assert_eq!(invalid["status"], "invalid");
    assert_eq!(invalid["is_refundable"], true);
    assert_eq!(invalid["receive_amount"], "0");
}

// gateways.md: `canceled` (by the shopper); there is no API call for it.
#[tokio::test]
async fn a_shopper_cancels_a_new_or_pending_order_but_not_a_paid_one() {
    let sandbox = Sandbox::start().await;
    let new = sandbox.cg_order("10", "inv-1").await;
    assert_eq!(
        sandbox.control().coingate_cancel(id(&new)).await.unwrap()["status"],
        "canceled"
    );
    let pending = sandbox.cg_pending("10", "BTC").await;
    assert_eq!(
        sandbox
            .control()
            .coingate_cancel(id(&pending))
            .await
            .unwrap()["status"],
        "canceled"
    );
    let paid = sandbox.cg_pending("10", "BTC").await;
    sandbox.cg_pay(&paid, Payment::full()).await;
    let refused = sandbox
        .control()
        .coingate_cancel(id(&paid))
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::Refused { .. }), "{refused}");
    assert!(refused.to_string().contains("paid"), "{refused}");
}

// gateways.md: `refunded`, `partially_refunded`.
#[tokio::test]
async fn a_partial_refund_is_partially_refunded_and_the_rest_refunded() {
    let sandbox = Sandbox::start().await;
    let pending = sandbox.cg_pending("10", "BTC").await;
    sandbox.cg_pay(&pending, Payment::full()).await;
    let part = sandbox
        .control()
        .coingate_refund(id(&pending), Some(dec!(4)))
        .await
        .unwrap();
    assert_eq!(part["status"], "partially_refunded");
    assert!(part["paid_at"].is_string());
    let refund = &part["refunds"][0];
    assert_eq!(refund["request_amount"], "4.0");
    // 4 EUR at 58000 EUR per bitcoin.
    assert_eq!(refund["refund_amount"], "0.00006897");
    assert_eq!(refund["status"], "completed");
    assert_eq!(refund["refund_currency"]["symbol"], "BTC");
    let rest = sandbox
        .control()
        .coingate_refund(id(&pending), None)
        .await
        .unwrap();
    assert_eq!(rest["status"], "refunded");
    assert_eq!(rest["refunds"][1]["request_amount"], "6.0");
    let more = sandbox
        .control()
        .coingate_refund(id(&pending), None)
        .await
        .unwrap_err();
    assert!(matches!(more, Error::Refused { .. }), "{more}");
}

// What a shopper does on the hosted invoice page: choose a coin, then pay.
#[tokio::test]
async fn paying_a_new_order_checks_it_out_in_the_coin_given_or_bitcoin() {
    let sandbox = Sandbox::start_with(|config| config.coingate_checkout_enabled = false).await;
    let new = sandbox.cg_order("8", "inv-1").await;
    let paid = sandbox
        .cg_pay(&new, Payment::full().in_currency("LTC"))
        .await;
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["pay_currency"], "LTC");
    assert_eq!(paid["pay_amount"], "0.1");
    let other = sandbox.cg_order("8", "inv-2").await;
    let paid = sandbox.cg_pay(&other, Payment::full()).await;
    assert_eq!(paid["pay_currency"], "BTC");
    let wrong = sandbox
        .control()
        .pay(Coingate, id(&other), Payment::full().in_currency("ETH"))
        .await
        .unwrap_err();
    assert!(matches!(wrong, Error::Refused { .. }), "{wrong}");
}

#[tokio::test]
async fn control_calls_on_unknown_orders_are_404_and_bad_bodies_400() {
    let sandbox = Sandbox::start().await;
    let control = sandbox.control();
    let unknown = 10999999;
    for answer in [
        control.pay(Coingate, unknown, Payment::full()).await,
        control.confirm(Coingate, unknown, None).await,
        control.expire(Coingate, unknown).await,
        control.coingate_invalidate(unknown).await,
        control.coingate_cancel(unknown).await,
        control.coingate_refund(unknown, None).await,
    ] {
        let err = answer.unwrap_err();
        assert!(matches!(err, Error::NotFound { .. }), "{err}");
    }
    let pending = sandbox.cg_pending("10", "BTC").await;
    let too_precise = control
        .pay(Coingate, id(&pending), Payment::of(dec!(0.000000001)))
        .await
        .unwrap_err();
    assert!(
        matches!(too_precise, Error::Refused { .. }),
        "{too_precise}"
    );
    // What the typed client cannot write, sent as raw JSON.
    for body in [json!({"amount": "lots"}), json!({"amont": "0.1"})] {
        let answer = sandbox
            .control_raw(
                &format!("coingate/orders/{}/pay", pending["id"]),
                body.clone(),
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            answer.text
        );
    }
    let unpaid = control
        .confirm(Coingate, id(&pending), None)
        .await
        .unwrap_err();
    assert!(matches!(unpaid, Error::Refused { .. }), "{unpaid}");
}
