use reqwest::StatusCode;
use serde_json::json;

use crate::support::{assert_coingate_error, Sandbox};

async fn with_authorization(sandbox: &Sandbox, path: &str, value: &str) -> crate::support::Answer {
    let request = sandbox
        .client()
        .get(sandbox.coingate(path))
        .header("authorization", value);
    sandbox.send(request).await.unwrap()
}

// gateways.md: `Authorization: Token <key>`; official libraries also send
// `Bearer <key>`; both are accepted. `GET /auth/test` answers 200.
#[tokio::test]
async fn a_good_key_passes_auth_test_as_token_or_bearer() {
    let sandbox = Sandbox::start().await;
    let key = cryptill_sandbox::DEMO_API_KEY;
    for value in [
        format!("Token {key}"),
        format!("Bearer {key}"),
        format!("token {key}"),
    ] {
        let answer = with_authorization(&sandbox, "auth/test", &value).await;
        assert_eq!(answer.status, StatusCode::OK, "{value}: {}", answer.text);
    }
}

#[tokio::test]
async fn a_missing_or_unknown_key_is_401_bad_credentials_on_every_private_call() {
    let sandbox = Sandbox::start().await;
    for path in [
        "auth/test",
        "orders",
        "orders/10600001",
        "ledger/accounts",
        "withdrawals",
    ] {
        let without = sandbox
            .send(sandbox.client().get(sandbox.coingate(path)))
            .await
            .unwrap();
        let wrong = with_authorization(&sandbox, path, "Token not-the-key").await;
        for answer in [without, wrong] {
            assert_eq!(
                answer.json,
                json!({"message": "Not found App by Access-Key", "reason": "BadCredentials"}),
                "{path}"
            );
            assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{path}");
        }
    }
}

#[tokio::test]
async fn an_authorization_header_of_another_shape_is_401_bad_auth_token() {
    let sandbox = Sandbox::start().await;
    let key = cryptill_sandbox::DEMO_API_KEY;
    for value in [
        key.to_owned(),
        format!("Basic {key}"),
        "Token".to_owned(),
        "Token ".to_owned(),
        format!("Token {key} extra"),
    ] {
        let answer = with_authorization(&sandbox, "auth/test", &value).await;
        assert_coingate_error(&answer, StatusCode::UNAUTHORIZED, "BadAuthToken");
        assert_eq!(answer.json["message"], "Auth Token is not valid");
    }
}

// gateways.md: "Public, no auth: rates, ping, currencies, platforms, ips-v4".
#[tokio::test]
async fn public_calls_need_no_key() {
    let sandbox = Sandbox::start().await;
    for path in [
        "ping",
        "rates",
        "rates/merchant/BTC/EUR",
        "currencies",
        "platforms",
        "ips-v4",
    ] {
        let answer = sandbox.cg_public(path).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.text);
    }
}

#[tokio::test]
async fn one_key_list_authorises_both_dialects() {
    let sandbox =
        Sandbox::start_with(|config| config.api_keys.push("second-terminal".into())).await;
    let coingate = with_authorization(&sandbox, "auth/test", "Token second-terminal").await;
    assert_eq!(coingate.status, StatusCode::OK);
    let counos = sandbox
        .send(
            sandbox
                .client()
                .get(sandbox.counos("terminal/tickers"))
                .header("X-API-KEY", "second-terminal"),
        )
        .await
        .unwrap();
    assert_eq!(counos.status, StatusCode::OK);
}

// CoinGate's routing answers an unknown page, or a known one with another
// method, with 404 `PageNotFound`.
#[tokio::test]
async fn an_unknown_path_or_method_is_404_page_not_found() {
    let sandbox = Sandbox::start().await;
    assert_coingate_error(
        &sandbox.cg_get("no/such/call").await,
        StatusCode::NOT_FOUND,
        "PageNotFound",
    );
    assert_coingate_error(
        &sandbox.cg_get("orders/1/checkout").await,
        StatusCode::NOT_FOUND,
        "PageNotFound",
    );
}

#[tokio::test]
async fn the_coingate_url_is_under_the_base_url_with_a_trailing_slash() {
    let sandbox = Sandbox::start().await;
    assert_eq!(
        sandbox.handle.coingate_url(),
        format!("{}/coingate/v2/", sandbox.handle.base_url())
    );
}
