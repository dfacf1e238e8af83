use reqwest::StatusCode;
use serde_json::json;

use crate::support::{assert_envelope, Sandbox};

// gateways.md: "never hard-code ids, read them from this call".
#[tokio::test]
async fn tickers_have_non_sequential_ids_and_one_is_disabled() {
    let sandbox = Sandbox::start().await;
    let answer = sandbox.get("terminal/tickers").await;
    assert_envelope(&answer, StatusCode::OK, 200);
    assert_eq!(
        answer.json["data"],
        json!([
            {"id": 3, "title": "Counos X", "keyword": "ccx", "enabled": true},
            {"id": 11, "title": "Bitcoin", "keyword": "btc", "enabled": true},
            {"id": 17, "title": "Ethereum", "keyword": "eth", "enabled": true},
            {"id": 23, "title": "Litecoin", "keyword": "ltc", "enabled": true},
            {"id": 29, "title": "Dogecoin", "keyword": "doge", "enabled": false},
        ])
    );
}

#[tokio::test]
async fn rate_lists_carry_the_fixed_prices_digit_for_digit() {
    let sandbox = Sandbox::start().await;
    let crypto = sandbox.get("exchange/rate/crypto").await;
    assert_envelope(&crypto, StatusCode::OK, 200);
    crypto
        .assert_text_contains(r#"{"symbol":"BTC","name":"Bitcoin","usd":62000.00,"eur":58000.00}"#);
    let currencies = sandbox.get("exchange/rate/currencies").await;
    currencies.assert_text_contains(r#""symbol":"USD","name":"US Dollar","usd":1.0,"eur":0.935"#);
    let metals = sandbox.get("exchange/rate/metals").await;
    let symbols: Vec<_> = metals
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["symbol"].clone())
        .collect();
    assert_eq!(symbols, [json!("XAU"), json!("XAG")]);
}

#[tokio::test]
async fn currency_to_crypto_rounds_to_8_decimals_half_up() {
    let sandbox = Sandbox::start().await;
    // 12.50 / 58000 = 0.000215517...
    let answer = sandbox
        .get("exchange/rate/currency2crypto/convert?amount=12.50&from=EUR&to=btc&rateOfchangePercentage=0")
        .await;
    assert_envelope(&answer, StatusCode::OK, 200);
    answer.assert_text_contains(
        r#""data":{"converted_value":0.00021552,"exchange_rate":[58000.00]}"#,
    );

    // 0.00031 / 62000 = 0.000000005 exactly: half-up gives a satoshi, where
    // banker's rounding would give zero.
    let answer = sandbox
        .get("exchange/rate/currency2crypto/convert?amount=0.00031&from=usd&to=BTC")
        .await;
    answer.assert_text_contains(r#""converted_value":0.00000001,"#);
}

#[tokio::test]
async fn crypto_to_currency_and_crypto_to_crypto_convert_at_the_fixed_prices() {
    let sandbox = Sandbox::start().await;
    let answer = sandbox
        .get("exchange/rate/crypto2currency/convert?amount=0.5&from=btc&to=usd")
        .await;
    assert_envelope(&answer, StatusCode::OK, 200);
    assert_eq!(answer.data()["converted_value"], json!(31000.0));
    answer.assert_text_contains(r#""exchange_rate":[62000.00]"#);

    // 1 ETH = 3100 / 62000 BTC = 0.05 BTC.
    let answer = sandbox
        .get("exchange/rate/crypto2crypto/convert?amount=2&from=eth&to=btc")
        .await;
    assert_eq!(answer.data()["converted_value"], json!(0.1));
    assert_eq!(answer.data()["exchange_rate"], json!([0.05]));
}

#[tokio::test]
async fn a_conversion_with_an_unknown_symbol_or_a_bad_amount_is_refused_with_400() {
    let sandbox = Sandbox::start().await;
    let cases = [
        ("amount=1&from=EUR&to=xyz", "Unknown crypto currency 'xyz'"),
        ("amount=1&from=GBP&to=btc", "Unknown currency 'GBP'"),
        (
            "amount=abc&from=EUR&to=btc",
            "The amount 'abc' is not valid",
        ),
        (
            "amount=1,50&from=EUR&to=btc",
            "The amount '1,50' is not valid",
        ),
        ("amount=-1&from=EUR&to=btc", "The amount '-1' is not valid"),
        ("from=EUR&to=btc", "'amount' parameter is missing"),
    ];
    for (query, reason) in cases {
        let answer = sandbox
            .get(&format!("exchange/rate/currency2crypto/convert?{query}"))
            .await;
        assert_envelope(&answer, StatusCode::BAD_REQUEST, 400);
        let message = answer.json["statusMessage"].as_str().unwrap();
        assert!(message.contains(reason), "{query}: {message}");
    }
}
