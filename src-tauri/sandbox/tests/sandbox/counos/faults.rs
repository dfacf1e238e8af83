use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{assert_envelope, Sandbox};

async fn queue(sandbox: &Sandbox, faults: serde_json::Value) {
    let answer = sandbox.control("faults", Some(faults)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
}

/// Each one-shot fault is spent by exactly one dialect request.
async fn assert_next_call_is_normal(sandbox: &Sandbox) {
    let answer = sandbox.get("terminal/tickers").await;
    assert_envelope(&answer, StatusCode::OK, 200);
}

#[tokio::test]
async fn an_http_500_fault_answers_one_call_with_a_500_envelope() {
    let sandbox = Sandbox::start().await;
    queue(&sandbox, json!({"next": ["http_500"]})).await;
    assert_envelope(
        &sandbox.get("terminal/tickers").await,
        StatusCode::INTERNAL_SERVER_ERROR,
        500,
    );
    assert_next_call_is_normal(&sandbox).await;
}

#[tokio::test]
async fn an_http_429_fault_answers_one_call_with_a_429_envelope() {
    let sandbox = Sandbox::start().await;
    queue(&sandbox, json!({"next": ["http_429"]})).await;
    assert_envelope(
        &sandbox.get("terminal/tickers").await,
        StatusCode::TOO_MANY_REQUESTS,
        429,
    );
    assert_next_call_is_normal(&sandbox).await;
}

// gateways.md: "HTTP 2xx but `statusCode` outside 200..299: also an error".
#[tokio::test]
async fn an_envelope_error_fault_is_an_http_200_carrying_status_code_500() {
    let sandbox = Sandbox::start().await;
    queue(&sandbox, json!({"next": ["envelope_error"]})).await;
    let answer = sandbox.get("terminal/tickers").await;
    assert_envelope(&answer, StatusCode::OK, 500);
    assert_eq!(answer.json["data"], json!(null));
    assert_next_call_is_normal(&sandbox).await;
}

#[tokio::test]
async fn a_bad_key_fault_answers_one_call_as_if_the_key_were_wrong() {
    let sandbox = Sandbox::start().await;
    queue(&sandbox, json!({"next": ["bad_key"]})).await;
    let answer = sandbox.get("terminal/tickers").await;
    assert_envelope(&answer, StatusCode::UNAUTHORIZED, 401);
    assert_eq!(answer.json["statusMessage"], "Secret key is invalid");
    assert_next_call_is_normal(&sandbox).await;
}

#[tokio::test]
async fn a_malformed_json_fault_answers_200_with_a_cut_off_body() {
    let sandbox = Sandbox::start().await;
    queue(&sandbox, json!({"next": ["malformed_json"]})).await;
    let answer = sandbox.get("terminal/tickers").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        answer.text.starts_with(r#"{"statusCode":200"#),
        "{}",
        answer.text
    );
    assert!(serde_json::from_str::<serde_json::Value>(&answer.text).is_err());
    assert_next_call_is_normal(&sandbox).await;
}

#[tokio::test]
async fn a_reset_fault_drops_the_connection_without_any_response() {
    let sandbox = Sandbox::start().await;
    queue(&sandbox, json!({"next": ["reset"]})).await;
    let request = sandbox
        .client()
        .get(sandbox.counos("terminal/tickers"))
        .header("x-api-key", cryptill_sandbox::DEMO_API_KEY);
    let err = request
        .send()
        .await
        .expect_err("a connection error, not an answer");
    assert!(err.status().is_none(), "{err}");
    assert_next_call_is_normal(&sandbox).await;
}

// The order is made before the answer is lost, as when a real gateway's reply
// never arrives: the client's retry with renew=false must get that order.
#[tokio::test]
async fn an_order_whose_answer_was_lost_to_a_reset_is_returned_by_the_retry() {
    let sandbox = Sandbox::start().await;
    queue(&sandbox, json!({"next": ["reset"]})).await;
    let body = r#"{"orderId": "42", "tickerId": 11, "expectedAmount": 0.0002, "renew": false}"#;
    let lost = sandbox
        .client()
        .post(sandbox.counos("terminal/order"))
        .header("x-api-key", cryptill_sandbox::DEMO_API_KEY)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await;
    assert!(lost.is_err());

    let retry = sandbox.post("terminal/order", body).await;
    assert_envelope(&retry, StatusCode::OK, 200);
    let read = sandbox.get("terminal/order/42").await;
    assert_eq!(retry.data(), read.data());
}

#[tokio::test]
async fn faults_are_spent_in_order_and_control_calls_spend_none() {
    let sandbox = Sandbox::start().await;
    queue(&sandbox, json!({"next": ["http_500", "http_429"]})).await;
    let control = sandbox.control("counos/orders/none/expire", None).await;
    assert_eq!(control.status, StatusCode::NOT_FOUND, "{}", control.text);
    assert_eq!(
        sandbox.get("terminal/tickers").await.status,
        StatusCode::INTERNAL_SERVER_ERROR
    );

    let plan = sandbox
        .send(
            sandbox
                .client()
                .get(format!("{}/control/faults", sandbox.handle.base_url())),
        )
        .await
        .unwrap();
    assert_eq!(plan.json, json!({"latency_ms": 0, "next": ["http_429"]}));
    assert_eq!(
        sandbox.get("terminal/tickers").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_next_call_is_normal(&sandbox).await;
}

#[tokio::test]
async fn latency_delays_every_dialect_call_until_cleared() {
    let sandbox = Sandbox::start().await;
    queue(&sandbox, json!({"latency_ms": 300})).await;
    for _ in 0..2 {
        let started = Instant::now();
        assert_next_call_is_normal(&sandbox).await;
        assert!(started.elapsed() >= Duration::from_millis(300));
    }

    let started = Instant::now();
    sandbox.control("counos/orders/none/expire", None).await;
    assert!(
        started.elapsed() < Duration::from_millis(300),
        "control calls are not delayed"
    );

    let cleared = sandbox
        .send(
            sandbox
                .client()
                .delete(format!("{}/control/faults", sandbox.handle.base_url())),
        )
        .await
        .unwrap();
    assert_eq!(cleared.json, json!({"latency_ms": 0, "next": []}));
    let started = Instant::now();
    assert_next_call_is_normal(&sandbox).await;
    assert!(started.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn an_unknown_fault_name_is_refused_with_the_valid_names() {
    let sandbox = Sandbox::start().await;
    let answer = sandbox
        .control("faults", Some(json!({"next": ["timeout"]})))
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(
        answer.json["error"].as_str().unwrap().contains("http_500"),
        "{}",
        answer.text
    );
}
