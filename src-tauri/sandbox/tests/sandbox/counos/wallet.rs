use reqwest::StatusCode;
use serde_json::json;

use cryptill_sandbox::client::{Dialect::Counos, Payment};

use crate::support::{assert_envelope, Sandbox};

const WITHDRAW: &str = r#"{"amount": 0.001, "tickerId": 11, "walletAddress": "tb1qownerwallet"}"#;

async fn permitted_sandbox_holding_a_hundredth_btc() -> Sandbox {
    let sandbox = Sandbox::start_with(|config| config.withdraw_permitted = true).await;
    take_a_hundredth_btc(&sandbox).await;
    sandbox
}

/// A paid order fills the balance a withdrawal draws on.
async fn take_a_hundredth_btc(sandbox: &Sandbox) {
    sandbox.create_btc_order("1", "0.01", false).await;
    sandbox
        .control()
        .pay(Counos, "1", Payment::full())
        .await
        .unwrap();
}

// gateways.md: without the dashboard tick the answer is this message; the
// sandbox sends it inside an HTTP 200 so clients must check statusCode too.
#[tokio::test]
async fn a_withdrawal_not_permitted_is_an_error_inside_an_http_200() {
    let sandbox = Sandbox::start().await;
    let answer = sandbox.post("terminal/withdraw", WITHDRAW).await;
    assert_envelope(&answer, StatusCode::OK, 403);
    assert_eq!(
        answer.json["statusMessage"],
        "Withdraw is not permitted by API. Please contact the terminal owner."
    );
}

// The demo till lets an owner in training tick the dashboard box, so both
// answers can be seen without restarting the sandbox.
#[tokio::test]
async fn ticking_the_dashboard_box_at_runtime_permits_withdrawals() {
    let sandbox = Sandbox::start().await;
    take_a_hundredth_btc(&sandbox).await;
    let permitted = sandbox.control().permit_withdrawals(true).await.unwrap();
    assert!(permitted, "the sandbox holds the tick");
    let answer = sandbox.post("terminal/withdraw", WITHDRAW).await;
    assert_envelope(&answer, StatusCode::OK, 200);
    sandbox.control().permit_withdrawals(false).await.unwrap();
    let answer = sandbox.post("terminal/withdraw", WITHDRAW).await;
    assert_envelope(&answer, StatusCode::OK, 403);
}

#[tokio::test]
async fn a_permitted_withdrawal_is_pending_mentions_the_email_and_lowers_the_balance() {
    let sandbox = permitted_sandbox_holding_a_hundredth_btc().await;
    let balance = sandbox.get("terminal/balance").await;
    assert_envelope(&balance, StatusCode::OK, 200);
    balance.assert_text_contains(
        r#"{"tickerId":11,"keyword":"btc","title":"Bitcoin","balance":0.01000000}"#,
    );
    assert_eq!(
        balance.data().as_array().unwrap().len(),
        4,
        "one entry per enabled ticker"
    );

    let answer = sandbox.post("terminal/withdraw", WITHDRAW).await;
    assert_envelope(&answer, StatusCode::OK, 200);
    assert!(answer.json["statusMessage"]
        .as_str()
        .unwrap()
        .contains("e-mail"));
    let withdrawal = answer.data();
    assert_eq!(withdrawal["status"], "pending");
    assert_eq!(withdrawal["keyword"], "btc");
    assert_eq!(withdrawal["tickerId"], 11);
    assert_eq!(withdrawal["transactionId"], json!(null));
    answer.assert_text_contains(r#""amount":0.001,"#);

    let balance = sandbox.get("terminal/balance").await;
    balance.assert_text_contains(r#""keyword":"btc","title":"Bitcoin","balance":0.00900000}"#);
}

#[tokio::test]
async fn a_withdrawal_at_or_below_the_minimum_is_refused_naming_the_minimum() {
    let sandbox = permitted_sandbox_holding_a_hundredth_btc().await;
    for amount in ["0.0001", "0.0005"] {
        let body =
            format!(r#"{{"amount": {amount}, "tickerId": 11, "walletAddress": "tb1qowner"}}"#);
        let answer = sandbox.post("terminal/withdraw", &body).await;
        assert_envelope(&answer, StatusCode::BAD_REQUEST, 400);
        assert!(
            answer.json["statusMessage"]
                .as_str()
                .unwrap()
                .contains("0.0005 BTC"),
            "{}",
            answer.text
        );
    }
}

#[tokio::test]
async fn a_withdrawal_above_the_balance_is_refused() {
    let sandbox = permitted_sandbox_holding_a_hundredth_btc().await;
    let body = r#"{"amount": 0.02, "tickerId": 11, "walletAddress": "tb1qowner"}"#;
    let answer = sandbox.post("terminal/withdraw", body).await;
    assert_envelope(&answer, StatusCode::BAD_REQUEST, 400);
    assert!(
        answer.json["statusMessage"]
            .as_str()
            .unwrap()
            .contains("balance"),
        "{}",
        answer.text
    );
}

#[tokio::test]
async fn withdrawals_are_listed_newest_first_and_found_by_address_or_transaction_id() {
    let sandbox = permitted_sandbox_holding_a_hundredth_btc().await;
    sandbox
        .post(
            "terminal/withdraw",
            r#"{"amount": 0.001, "tickerId": 11, "walletAddress": "tb1qFIRST"}"#,
        )
        .await;
    let second = sandbox
        .post(
            "terminal/withdraw",
            r#"{"amount": 0.002, "tickerId": 11, "walletAddress": "tb1qsecond"}"#,
        )
        .await;
    let second_id = second.data()["id"].as_i64().unwrap();

    let all = sandbox.get("terminal/withdraws").await;
    assert_envelope(&all, StatusCode::OK, 200);
    let addresses: Vec<_> = all
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["walletAddress"].clone())
        .collect();
    assert_eq!(addresses, [json!("tb1qsecond"), json!("tb1qFIRST")]);

    let found = sandbox.get("terminal/withdraws?search=first").await;
    assert_eq!(found.data().as_array().unwrap().len(), 1);
    assert_eq!(found.data()[0]["walletAddress"], "tb1qFIRST");

    let done = sandbox
        .control()
        .counos_complete_withdrawal(second_id, None)
        .await
        .unwrap();
    assert_eq!(done["status"], "done");
    let txid = done["transactionId"].as_str().unwrap().to_owned();
    let found = sandbox
        .get(&format!(
            "terminal/withdraws?search={}",
            &txid[..12].to_uppercase()
        ))
        .await;
    assert_eq!(found.data().as_array().unwrap().len(), 1);
    assert_eq!(found.data()[0]["id"], second_id);
    assert_eq!(found.data()[0]["status"], "done");
    assert_eq!(found.data()[0]["confirmations"], 2);
}
