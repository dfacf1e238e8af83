use reqwest::StatusCode;

use crate::support::{assert_envelope, Sandbox};

// gateways.md: "Envelope, every response", errors included, so a client can
// always read statusMessage.
#[tokio::test]
async fn an_unknown_counos_path_is_a_404_envelope() {
    let sandbox = Sandbox::start().await;
    let answer = sandbox.get("terminal/no-such-call").await;
    assert_envelope(&answer, StatusCode::NOT_FOUND, 404);
}

#[tokio::test]
async fn a_wrong_http_method_is_a_405_envelope() {
    let sandbox = Sandbox::start().await;
    let answer = sandbox.get("terminal/order").await;
    assert_envelope(&answer, StatusCode::METHOD_NOT_ALLOWED, 405);
}

#[tokio::test]
async fn answers_are_sent_as_application_json() {
    let sandbox = Sandbox::start().await;
    for path in ["terminal/tickers", "terminal/order/none"] {
        let response = sandbox
            .client()
            .get(sandbox.counos(path))
            .header("x-api-key", cryptill_sandbox::DEMO_API_KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.headers()["content-type"],
            "application/json",
            "{path}"
        );
    }
}
