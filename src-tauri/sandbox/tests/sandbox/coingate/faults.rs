use reqwest::StatusCode;
use serde_json::json;

use crate::support::{assert_coingate_error, Sandbox};

async fn queue(sandbox: &Sandbox, faults: serde_json::Value) {
    let answer = sandbox.control("faults", Some(faults)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
}

async fn assert_next_call_is_normal(sandbox: &Sandbox) {
    let answer = sandbox.cg_get("auth/test").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
}

// gateways.md: 500 `InternalServerError`.
#[tokio::test]
async fn an_http_500_fault_answers_one_call_with_internal_server_error() {
    let sandbox = Sandbox::start().await;
    queue(&sandbox, json!({"next": ["http_500"]})).await;
    // Public calls spend faults too.
    let answer = sandbox.cg_public("ping").await;
    assert_coingate_error(
        &answer,
        StatusCode::INTERNAL_SERVER_ERROR,
        "InternalServerError",
    );
    assert_next_call_is_normal(&sandbox).await;
}

// gateways.md: 429 `RateLimitException` or `RateLimitExceeded` ("the docs use
// both").
#[tokio::test]
async fn successive_429s_alternate_the_two_documented_reasons() {
    let sandbox = Sandbox::start().await;
    queue(
        &sandbox,
        json!({"next": ["http_429", "http_429", "http_429"]}),
    )
    .await;
    let mut reasons = Vec::new();
    for _ in 0..3 {
        let response = sandbox
            .client()
            .get(sandbox.coingate("rates"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()["retry-after"], "1");
        let body: serde_json::Value = response.json().await.unwrap();
        reasons.push(body["reason"].as_str().unwrap().to_owned());
    }
    assert_eq!(
        reasons,
        [
            "RateLimitException",
            "RateLimitExceeded",
            "RateLimitException"
        ]
    );
    assert_next_call_is_normal(&sandbox).await;
}

#[tokio::test]
async fn a_bad_key_fault_is_401_bad_credentials_whatever_key_was_sent() {
    let sandbox = Sandbox::start().await;
    queue(&sandbox, json!({"next": ["bad_key"]})).await;
    let answer = sandbox.cg_get("auth/test").await;
    assert_eq!(
        answer.json,
        json!({"message": "Not found App by Access-Key", "reason": "BadCredentials"})
    );
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_next_call_is_normal(&sandbox).await;
}

// CoinGate has no error inside an HTTP 200: the Counos-only fault is a 500.
#[tokio::test]
async fn an_envelope_error_fault_is_a_plain_500_for_coingate() {
    let sandbox = Sandbox::start().await;
    queue(&sandbox, json!({"next": ["envelope_error"]})).await;
    let answer = sandbox.cg_get("orders").await;
    assert_coingate_error(
        &answer,
        StatusCode::INTERNAL_SERVER_ERROR,
        "InternalServerError",
    );
    assert_next_call_is_normal(&sandbox).await;
}

#[tokio::test]
async fn a_malformed_json_fault_answers_200_with_half_the_body() {
    let sandbox = Sandbox::start().await;
    queue(&sandbox, json!({"next": ["malformed_json"]})).await;
    let answer = sandbox.cg_public("currencies").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.text.starts_with(r#"[{"id":7,"#), "{}", answer.text);
    assert!(serde_json::from_str::<serde_json::Value>(&answer.text).is_err());
    assert_next_call_is_normal(&sandbox).await;
}

#[tokio::test]
async fn a_reset_fault_drops_the_connection_without_any_response() {
    let sandbox = Sandbox::start().await;
    queue(&sandbox, json!({"next": ["reset"]})).await;
    let err = sandbox
        .client()
        .get(sandbox.coingate("ping"))
        .send()
        .await
        .expect_err("a connection error, not an answer");
    assert!(err.status().is_none(), "{err}");
    assert_next_call_is_normal(&sandbox).await;
}

// The order is made before the answer is lost; CoinGate does not
// de-duplicate order_id, so a blind retry makes a second order. A client must
// look for the first (GET /orders) before creating again.
#[tokio::test]
async fn a_create_whose_answer_was_lost_is_made_twice_by_a_blind_retry() {
    let sandbox = Sandbox::start().await;
    queue(&sandbox, json!({"next": ["reset"]})).await;
    let body = crate::support::form(&[
        ("order_id", "inv-lost"),
        ("price_amount", "5"),
        ("price_currency", "EUR"),
        ("title", "Order lost"),
        ("description", "a reset ate the answer"),
    ]);
    let lost = sandbox
        .client()
        .post(sandbox.coingate("orders"))
        .header(
            "authorization",
            format!("Token {}", cryptill_sandbox::DEMO_API_KEY),
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.clone())
        .send()
        .await;
    assert!(lost.is_err());
    let listed = sandbox.cg_get("orders").await.json;
    assert_eq!(listed["total_orders"], 1);
    assert_eq!(listed["orders"][0]["order_id"], "inv-lost");

    sandbox.cg_order("5", "inv-lost").await;
    assert_eq!(sandbox.cg_get("orders").await.json["total_orders"], 2);
}

#[tokio::test]
async fn one_fault_plan_serves_both_dialects_in_arrival_order() {
    let sandbox = Sandbox::start().await;
    queue(&sandbox, json!({"next": ["http_500", "http_429"]})).await;
    assert_eq!(
        sandbox.cg_public("ping").await.status,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(
        sandbox.get("terminal/tickers").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_next_call_is_normal(&sandbox).await;
}
