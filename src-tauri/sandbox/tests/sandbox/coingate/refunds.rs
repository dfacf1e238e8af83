//! Merchant refunds (`POST /orders/{id}/refunds`) and their documented life
//! cycle: pending, processing, then completed or rejected.

use reqwest::StatusCode;
use rust_decimal_macros::dec;
use serde_json::Value;

use cryptill_sandbox::client::{Dialect::Coingate, Payment};

use crate::support::{assert_coingate_error, id, Answer, Sandbox};

const EUR_MAIN: &str = "01JM9S346Q3D25VT4F5V37E3S3";
/// A testnet Bitcoin address in the sandbox's style.
const CUSTOMER_BTC: &str = "tb1qqpzry9x8gf2tvdw0s3jn54khce6mua7lqpzry9";

async fn ask_refund(sandbox: &Sandbox, order: &Value, amount: &str, address: &str) -> Answer {
    sandbox
        .cg_form(
            &format!("orders/{}/refunds", order["id"]),
            &[
                ("amount", amount),
                ("address", address),
                ("currency_id", "7"),
                ("platform_id", "12"),
                ("reason", "Paid too much"),
                ("email", "customer@example.com"),
                ("ledger_account_id", EUR_MAIN),
            ],
        )
        .await
}

fn errors(answer: &Answer) -> String {
    answer.json["errors"].to_string()
}

#[tokio::test]
async fn an_overpaid_orders_excess_is_refunded_pending_then_completed() {
    let sandbox = Sandbox::start().await;
    let pending = sandbox.cg_pending("10", "BTC").await;
    // 10 EUR is 0.00017241 BTC at 58000; 0.0002 overpays by 0.00002759.
    let over = sandbox.cg_pay(&pending, Payment::of(dec!(0.0002))).await;
    assert_eq!(over["is_refundable"], true);

    let answer = ask_refund(&sandbox, &over, "1.60", CUSTOMER_BTC).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let refund = answer.json;
    assert_eq!(refund["status"], "pending");
    assert_eq!(refund["order_id"], over["id"]);
    assert_eq!(refund["request_amount"], "1.6");
    assert_eq!(refund["request_currency"]["symbol"], "EUR");
    assert_eq!(refund["refund_amount"], "0.00002759");
    assert_eq!(refund["refund_currency"]["symbol"], "BTC");
    assert_eq!(refund["refund_currency"]["platform"]["id"], 12);
    assert_eq!(refund["address"], CUSTOMER_BTC);
    assert_eq!(refund["email"], "customer@example.com");
    assert_eq!(refund["reason"], "Paid too much");
    assert_eq!(refund["ledger_account"]["id"], EUR_MAIN);
    assert!(refund.get("compliance_rejection_reason").is_none());

    let path = format!("orders/{}/refunds/{}", over["id"], refund["id"]);
    let read = sandbox.cg_get(&path).await;
    assert_eq!(read.json, refund, "GET answers the refund as created");
    let list = sandbox
        .cg_get(&format!("orders/{}/refunds", over["id"]))
        .await;
    assert_eq!(list.json, Value::Array(vec![refund.clone()]));

    let control = sandbox.control();
    let refund_id = refund["id"].as_i64().unwrap();
    control
        .coingate_refund_action(id(&over), refund_id, "process", None)
        .await
        .unwrap();
    assert_eq!(sandbox.cg_get(&path).await.json["status"], "processing");
    let order = control
        .coingate_refund_action(id(&over), refund_id, "complete", None)
        .await
        .unwrap();
    assert_eq!(sandbox.cg_get(&path).await.json["status"], "completed");
    assert_eq!(
        order["status"], "partially_refunded",
        "the price stays paid"
    );
    let again = control
        .coingate_refund_action(id(&over), refund_id, "reject", None)
        .await;
    assert!(again.is_err(), "a completed refund is final");
}

#[tokio::test]
async fn a_rejected_refund_says_why_and_frees_its_amount() {
    let sandbox = Sandbox::start().await;
    let pending = sandbox.cg_pending("10", "BTC").await;
    let paid = sandbox.cg_pay(&pending, Payment::full()).await;
    let refund = ask_refund(&sandbox, &paid, "10", CUSTOMER_BTC).await.json;
    assert_eq!(refund["status"], "pending");
    let second = ask_refund(&sandbox, &paid, "0.01", CUSTOMER_BTC).await;
    assert_coingate_error(
        &second,
        StatusCode::UNPROCESSABLE_ENTITY,
        "RefundIsNotValid",
    );
    assert!(
        errors(&second).contains("not refundable"),
        "{}",
        second.text
    );

    sandbox
        .control()
        .coingate_refund_action(
            id(&paid),
            refund["id"].as_i64().unwrap(),
            "reject",
            Some("AML"),
        )
        .await
        .unwrap();
    let path = format!("orders/{}/refunds/{}", paid["id"], refund["id"]);
    let rejected = sandbox.cg_get(&path).await.json;
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(rejected["compliance_rejection_reason"], "AML");
    let retry = ask_refund(&sandbox, &paid, "10", CUSTOMER_BTC).await;
    assert_eq!(retry.status, StatusCode::OK, "{}", retry.text);
}

#[tokio::test]
async fn refunds_are_refused_for_unpaid_orders_too_much_and_bad_addresses() {
    let sandbox = Sandbox::start().await;
    let unpaid = sandbox.cg_pending("10", "BTC").await;
    let refused = ask_refund(&sandbox, &unpaid, "1", CUSTOMER_BTC).await;
    assert_coingate_error(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "RefundIsNotValid",
    );
    assert!(
        errors(&refused).contains("not refundable"),
        "{}",
        refused.text
    );

    let pending = sandbox.cg_pending("10", "BTC").await;
    // Half paid, then expired: the 5 EUR that arrived may come back, no more.
    let part = sandbox
        .cg_pay(&pending, Payment::of(dec!(0.00008621)))
        .await;
    sandbox.control().expire(Coingate, id(&part)).await.unwrap();
    let too_much = ask_refund(&sandbox, &part, "5.01", CUSTOMER_BTC).await;
    assert_coingate_error(
        &too_much,
        StatusCode::UNPROCESSABLE_ENTITY,
        "RefundIsNotValid",
    );
    assert!(
        errors(&too_much).contains("5.0 EUR left"),
        "{}",
        too_much.text
    );

    let wrong_network = ask_refund(
        &sandbox,
        &part,
        "5",
        "0x52908400098527886E0F7030069857D2E4169EE7",
    )
    .await;
    assert_coingate_error(
        &wrong_network,
        StatusCode::UNPROCESSABLE_ENTITY,
        "RefundIsNotValid",
    );
    assert!(errors(&wrong_network).contains("Address is not a valid Bitcoin address"));

    let blank = sandbox
        .cg_form(
            &format!("orders/{}/refunds", part["id"]),
            &[("amount", "1")],
        )
        .await;
    assert_coingate_error(&blank, StatusCode::UNPROCESSABLE_ENTITY, "RefundIsNotValid");
    for field in [
        "Address",
        "Currency",
        "Platform",
        "Reason",
        "Email",
        "Ledger account",
    ] {
        assert!(
            errors(&blank).contains(&format!("{field} can't be blank")),
            "{}",
            blank.text
        );
    }

    let ok = ask_refund(&sandbox, &part, "5", CUSTOMER_BTC).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    let missing = sandbox
        .cg_get(&format!("orders/{}/refunds/999", part["id"]))
        .await;
    assert_coingate_error(&missing, StatusCode::NOT_FOUND, "RecordNotFound");
    let no_order = ask_refund(&sandbox, &serde_json::json!({"id": 1}), "1", CUSTOMER_BTC).await;
    assert_coingate_error(&no_order, StatusCode::NOT_FOUND, "OrderNotFound");
}
