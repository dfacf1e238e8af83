use reqwest::StatusCode;
use serde_json::json;

use crate::support::{assert_envelope, Sandbox};

// gateways.md: X-API-KEY on every call, rates included; a bad key is told by
// `statusMessage` containing "secret key is invalid".
#[tokio::test]
async fn a_missing_or_wrong_api_key_is_refused_with_401_secret_key_is_invalid() {
    let sandbox = Sandbox::start().await;
    for path in [
        "exchange/rate/crypto",
        "terminal/tickers",
        "terminal/order/1",
    ] {
        let url = sandbox.counos(path);
        let without = sandbox.send(sandbox.client().get(&url)).await.unwrap();
        let wrong = sandbox
            .send(
                sandbox
                    .client()
                    .get(&url)
                    .header("X-API-KEY", "not-the-key"),
            )
            .await
            .unwrap();
        for answer in [without, wrong] {
            assert_envelope(&answer, StatusCode::UNAUTHORIZED, 401);
            assert_eq!(
                answer.json,
                json!({"statusCode": 401, "statusMessage": "Secret key is invalid", "data": null}),
                "{path}"
            );
        }
    }
}

#[tokio::test]
async fn any_configured_key_is_accepted() {
    let sandbox =
        Sandbox::start_with(|config| config.api_keys.push("second-terminal".into())).await;
    let request = sandbox
        .client()
        .get(sandbox.counos("terminal/tickers"))
        .header("X-API-KEY", "second-terminal");
    let answer = sandbox.send(request).await.unwrap();
    assert_envelope(&answer, StatusCode::OK, 200);
}
