//! The fault plan (`/control/faults`), which every dialect route spends: each
//! one-shot fault is tested once for both dialects, with the refusal each
//! dialect's documentation describes, then the few behaviours that belong to
//! one dialect (a lost order and its retry, CoinGate's two 429 reasons) and
//! to the plan itself (order, latency, names).

use std::time::{Duration, Instant};

use cryptill_sandbox::client::Dialect::{self, Coingate, Counos};
use cryptill_sandbox::{Fault, FaultPlan, DEMO_API_KEY};
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{assert_coingate_error, assert_envelope, form, Answer, Sandbox};

const BOTH: [Dialect; 2] = [Counos, Coingate];

/// A sandbox with `faults` queued.
async fn with_faults(faults: &[Fault]) -> Sandbox {
    let sandbox = Sandbox::start().await;
    sandbox.control().queue_faults(faults).await.unwrap();
    sandbox
}

/// One keyed call: Counos `terminal/tickers`, CoinGate `coingate_path`
/// (public CoinGate calls spend faults too).
async fn call(sandbox: &Sandbox, dialect: Dialect, coingate_path: &str) -> Answer {
    match dialect {
        Counos => sandbox.get("terminal/tickers").await,
        Coingate => sandbox.cg_get(coingate_path).await,
    }
}

/// Each one-shot fault is spent by exactly one dialect request.
async fn assert_next_call_is_normal(sandbox: &Sandbox, dialect: Dialect) {
    let answer = call(sandbox, dialect, "auth/test").await;
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "{dialect:?}: {}",
        answer.text
    );
    if dialect == Counos {
        assert_envelope(&answer, StatusCode::OK, 200);
    }
}

/// The answer to the one call that spends `fault`, after which the next call
/// is normal again.
async fn spent_by_one_call(dialect: Dialect, fault: Fault, coingate_path: &str) -> Answer {
    let sandbox = with_faults(&[fault]).await;
    let answer = call(&sandbox, dialect, coingate_path).await;
    assert_next_call_is_normal(&sandbox, dialect).await;
    answer
}

// gateways.md: Counos errors keep the envelope; CoinGate's 500 is
// `InternalServerError`.
#[tokio::test]
async fn an_http_500_fault_answers_one_call_with_the_dialects_500() {
    for dialect in BOTH {
        let answer = spent_by_one_call(dialect, Fault::Http500, "ping").await;
        match dialect {
            Counos => assert_envelope(&answer, StatusCode::INTERNAL_SERVER_ERROR, 500),
            Coingate => assert_coingate_error(
                &answer,
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalServerError",
            ),
        }
    }
}

#[tokio::test]
async fn an_http_429_fault_answers_one_call_with_the_dialects_429() {
    for dialect in BOTH {
        let answer = spent_by_one_call(dialect, Fault::Http429, "auth/test").await;
        match dialect {
            Counos => assert_envelope(&answer, StatusCode::TOO_MANY_REQUESTS, 429),
            Coingate => {
                assert_coingate_error(&answer, StatusCode::TOO_MANY_REQUESTS, "RateLimitException")
            }
        }
    }
}

// gateways.md: Counos "HTTP 2xx but `statusCode` outside 200..299: also an
// error"; CoinGate has no error inside an HTTP 200, so it answers a plain 500.
#[tokio::test]
async fn an_envelope_error_fault_is_status_code_500_in_a_counos_200_and_a_coingate_500() {
    for dialect in BOTH {
        let answer = spent_by_one_call(dialect, Fault::EnvelopeError, "orders").await;
        match dialect {
            Counos => {
                assert_envelope(&answer, StatusCode::OK, 500);
                assert_eq!(answer.json["data"], json!(null));
            }
            Coingate => assert_coingate_error(
                &answer,
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalServerError",
            ),
        }
    }
}

#[tokio::test]
async fn a_bad_key_fault_answers_one_call_as_if_the_key_were_wrong() {
    for dialect in BOTH {
        let answer = spent_by_one_call(dialect, Fault::BadKey, "auth/test").await;
        match dialect {
            Counos => {
                assert_envelope(&answer, StatusCode::UNAUTHORIZED, 401);
                assert_eq!(answer.json["statusMessage"], "Secret key is invalid");
            }
            Coingate => {
                assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
                assert_eq!(
                    answer.json,
                    json!({"message": "Not found App by Access-Key", "reason": "BadCredentials"})
                );
            }
        }
    }
}

#[tokio::test]
async fn a_malformed_json_fault_answers_200_with_half_the_body() {
    for dialect in BOTH {
        let answer = spent_by_one_call(dialect, Fault::MalformedJson, "currencies").await;
        assert_eq!(answer.status, StatusCode::OK, "{dialect:?}");
        let start = match dialect {
            Counos => r#"{"statusCode":200"#,
            Coingate => r#"[{"id":7,"#,
        };
        assert!(answer.text.starts_with(start), "{}", answer.text);
        assert!(serde_json::from_str::<serde_json::Value>(&answer.text).is_err());
    }
}

#[tokio::test]
async fn a_reset_fault_drops_the_connection_without_any_response() {
    for dialect in BOTH {
        let sandbox = with_faults(&[Fault::Reset]).await;
        let url = match dialect {
            Counos => sandbox.counos("terminal/tickers"),
            Coingate => sandbox.coingate("ping"),
        };
        let err = sandbox
            .client()
            .get(url)
            .header("x-api-key", DEMO_API_KEY)
            .send()
            .await
            .expect_err("a connection error, not an answer");
        assert!(err.status().is_none(), "{dialect:?}: {err}");
        assert_next_call_is_normal(&sandbox, dialect).await;
    }
}

// The order is made before the answer is lost, as when a real gateway's reply
// never arrives: the client's retry with renew=false must get that order.
#[tokio::test]
async fn a_counos_order_whose_answer_was_lost_to_a_reset_is_returned_by_the_retry() {
    let sandbox = with_faults(&[Fault::Reset]).await;
    let body = r#"{"orderId": "42", "tickerId": 11, "expectedAmount": 0.0002, "renew": false}"#;
    let lost = sandbox
        .client()
        .post(sandbox.counos("terminal/order"))
        .header("x-api-key", DEMO_API_KEY)
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

// The order is made before the answer is lost; CoinGate does not
// de-duplicate order_id, so a blind retry makes a second order. A client must
// look for the first (GET /orders) before creating again.
#[tokio::test]
async fn a_coingate_create_whose_answer_was_lost_is_made_twice_by_a_blind_retry() {
    let sandbox = with_faults(&[Fault::Reset]).await;
    let body = form(&[
        ("order_id", "inv-lost"),
        ("price_amount", "5"),
        ("price_currency", "EUR"),
        ("title", "Order lost"),
        ("description", "a reset ate the answer"),
    ]);
    let lost = sandbox
        .client()
        .post(sandbox.coingate("orders"))
        .header("authorization", format!("Token {DEMO_API_KEY}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await;
    assert!(lost.is_err());
    let listed = sandbox.cg_get("orders").await.json;
    assert_eq!(listed["total_orders"], 1);
    assert_eq!(listed["orders"][0]["order_id"], "inv-lost");

    sandbox.cg_order("5", "inv-lost").await;
    assert_eq!(sandbox.cg_get("orders").await.json["total_orders"], 2);
}

// gateways.md: 429 `RateLimitException` or `RateLimitExceeded` ("the docs use
// both").
#[tokio::test]
async fn successive_coingate_429s_alternate_the_two_documented_reasons() {
    let sandbox = with_faults(&[Fault::Http429; 3]).await;
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
    assert_next_call_is_normal(&sandbox, Coingate).await;
}

#[tokio::test]
async fn one_fault_plan_serves_both_dialects_in_arrival_order() {
    let sandbox = with_faults(&[Fault::Http500, Fault::Http429]).await;
    assert_eq!(
        sandbox.cg_public("ping").await.status,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(
        sandbox.get("terminal/tickers").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_next_call_is_normal(&sandbox, Coingate).await;
}

#[tokio::test]
async fn faults_are_spent_in_order_and_control_calls_spend_none() {
    let sandbox = with_faults(&[Fault::Http500, Fault::Http429]).await;
    let control = sandbox.control();
    let unknown = control.expire(Counos, "none").await.unwrap_err();
    assert!(
        matches!(unknown, cryptill_sandbox::client::Error::NotFound { .. }),
        "{unknown}"
    );
    assert_eq!(
        sandbox.get("terminal/tickers").await.status,
        StatusCode::INTERNAL_SERVER_ERROR
    );

    let plan = control.faults().await.unwrap();
    assert_eq!(
        plan,
        FaultPlan {
            latency_ms: 0,
            next: [Fault::Http429].into()
        }
    );
    assert_eq!(
        sandbox.get("terminal/tickers").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_next_call_is_normal(&sandbox, Counos).await;
}

#[tokio::test]
async fn latency_delays_every_dialect_call_until_cleared() {
    let sandbox = Sandbox::start().await;
    let control = sandbox.control();
    control
        .set_latency(Duration::from_millis(300))
        .await
        .unwrap();
    for _ in 0..2 {
        let started = Instant::now();
        assert_next_call_is_normal(&sandbox, Counos).await;
        assert!(started.elapsed() >= Duration::from_millis(300));
    }

    let started = Instant::now();
    let _ = control.expire(Counos, "none").await;
    assert!(
        started.elapsed() < Duration::from_millis(300),
        "control calls are not delayed"
    );

    let cleared = control.clear_faults().await.unwrap();
    assert_eq!(cleared, FaultPlan::default());
    let started = Instant::now();
    assert_next_call_is_normal(&sandbox, Counos).await;
    assert!(started.elapsed() < Duration::from_millis(300));
}

// What the typed client cannot send (its Fault enum has no such name), as raw
// JSON: the route names the valid faults instead of ignoring the typo.
#[tokio::test]
async fn an_unknown_fault_name_is_refused_with_the_valid_names() {
    let sandbox = Sandbox::start().await;
    let answer = sandbox
        .control_raw("faults", json!({"next": ["timeout"]}))
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(
        answer.json["error"].as_str().unwrap().contains("http_500"),
        "{}",
        answer.text
    );
}
