use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::Sandbox;

#[tokio::test]
async fn ping_answers_pong_with_the_time() {
    let sandbox = Sandbox::start().await;
    let answer = sandbox.cg_public("ping").await;
    assert_eq!(answer.json["ping"], "pong");
    let time: DateTime<Utc> = answer.json["time"].as_str().unwrap().parse().unwrap();
    assert!((Utc::now() - time).num_seconds().abs() < 5);
}

// gateways.md: `GET /rates/merchant/{from}/{to}` -> text/plain, a bare number.
#[tokio::test]
async fn a_merchant_rate_is_a_bare_number_in_text_plain_from_the_shared_table() {
    let sandbox = Sandbox::start().await;
    for (pair, rate) in [
        ("BTC/EUR", "58000.0"),
        ("BTC/USD", "62000.0"),
        ("eth/eur", "2900.0"),
        ("LTC/USD", "86.0"),
        ("ETH/BTC", "0.05"),
        ("EUR/USD", "1.0695"),
        ("EUR/BTC", "0.00001724"),
        ("DOGE/EUR", "0.15"),
    ] {
        let response = sandbox
            .client()
            .get(sandbox.coingate(&format!("rates/merchant/{pair}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()["content-type"],
            "text/plain; charset=utf-8"
        );
        assert_eq!(response.text().await.unwrap(), rate, "{pair}");
    }
}

// gateways.md: "(empty body: no rate)".
#[tokio::test]
async fn an_unknown_pair_answers_200_with_an_empty_body() {
    let sandbox = Sandbox::start().await;
    for pair in ["BTC/XYZ", "XYZ/EUR", "CCX/EUR"] {
        let answer = sandbox.cg_public(&format!("rates/merchant/{pair}")).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.text, "", "{pair}");
    }
}

#[tokio::test]
async fn all_rates_list_merchant_and_trader_rates_as_strings() {
    let sandbox = Sandbox::start().await;
    let rates = sandbox.cg_public("rates").await.json;
    assert_eq!(rates["merchant"]["BTC"]["EUR"], "58000.0");
    assert_eq!(rates["merchant"]["ETH"]["USD"], "3100.0");
    assert_eq!(rates["trader"]["buy"]["BTC"]["EUR"], "58580.0");
    assert_eq!(rates["trader"]["sell"]["BTC"]["EUR"], "57420.0");
    let merchant = sandbox.cg_public("rates/merchant").await.json;
    assert_eq!(merchant, rates["merchant"]);
    let trader = sandbox.cg_public("rates/trader/buy/BTC/EUR").await;
    assert_eq!(trader.text, "58580.0");
}

// gateways.md: "ids of currencies differ between" live and sandbox.
#[tokio::test]
async fn currencies_carry_the_sandbox_ids_and_every_documented_field() {
    let sandbox = Sandbox::start().await;
    let currencies = sandbox.cg_public("currencies").await.json;
    let symbols: Vec<_> = currencies
        .as_array()
        .unwrap()
        .iter()
        .map(|currency| (currency["id"].as_i64().unwrap(), currency["symbol"].clone()))
        .collect();
    assert_eq!(
        symbols,
        [
            (7, json!("BTC")),
            (14, json!("EUR")),
            (26, json!("LTC")),
            (33, json!("USD")),
            (43, json!("ETH")),
            (68, json!("DOGE")),
        ]
    );
    assert_eq!(
        currencies[0],
        json!({
            "id": 7, "title": "Bitcoin", "kind": "crypto", "symbol": "BTC", "native": true,
            "disabled": false, "disabled_message": null,
            "merchant": {"price": true, "pay": true, "receive": true},
            "platforms": [{"id": 12, "id_name": "bitcoin", "title": "Bitcoin", "enabled": true}],
        })
    );
    let doge = &currencies[5];
    assert_eq!(doge["disabled"], true);
    assert!(doge["disabled_message"].is_string());
    assert_eq!(doge["platforms"][0]["enabled"], false);
    assert_eq!(currencies[1]["kind"], "fiat");
    assert_eq!(currencies[1]["platforms"], json!([]));
}

fn symbols(answer: &Value) -> Vec<&str> {
    answer
        .as_array()
        .unwrap()
        .iter()
        .map(|currency| currency["symbol"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn currencies_are_filtered_by_kind_native_merchant_pay_and_enabled() {
    let sandbox = Sandbox::start().await;
    let payable = sandbox
        .cg_public("currencies?kind=crypto&native=true&merchant_pay=true&enabled=true")
        .await;
    assert_eq!(symbols(&payable.json), ["BTC", "LTC", "ETH"]);
    let fiat = sandbox.cg_public("currencies?kind=fiat").await;
    assert_eq!(symbols(&fiat.json), ["EUR", "USD"]);
    let disabled = sandbox.cg_public("currencies?enabled=false").await;
    assert_eq!(symbols(&disabled.json), ["DOGE"]);
    let receivable = sandbox.cg_public("currencies?merchant_receive=true").await;
    assert_eq!(
        symbols(&receivable.json),
        ["BTC", "EUR", "LTC", "USD", "ETH"]
    );
}

#[tokio::test]
async fn platforms_list_each_network_with_its_coin_and_filter_by_enabled() {
    let sandbox = Sandbox::start().await;
    let platforms = sandbox.cg_public("platforms").await.json;
    let bitcoin = platforms
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == 12)
        .unwrap();
    assert_eq!(
        bitcoin,
        &json!({
            "id": 12, "title": "Bitcoin", "id_name": "bitcoin", "disabled": false,
            "disabled_message": null,
            "currencies": [{"id": 7, "title": "Bitcoin", "symbol": "BTC", "enabled": true}],
        })
    );
    assert_eq!(platforms.as_array().unwrap().len(), 5);
    let enabled = sandbox.cg_public("platforms?enabled=true").await.json;
    let ids: Vec<_> = enabled
        .as_array()
        .unwrap()
        .iter()
        .map(|platform| platform["id"].as_i64().unwrap())
        .collect();
    // Binance Chain (BEP2) is enabled too: ETH is payable on it (gateways.md, Round 2).
    assert_eq!(ids, [5, 12, 15, 18]);
}

#[tokio::test]
async fn callback_ips_are_text_one_a_line_or_split_by_the_separator() {
    let sandbox = Sandbox::start().await;
    assert_eq!(
        sandbox.cg_public("ips-v4").await.text,
        "127.0.0.1\n127.0.0.2"
    );
    assert_eq!(
        sandbox.cg_public("ips-v4?separator=%7C").await.text,
        "127.0.0.1|127.0.0.2"
    );
}

// gateways.md, Round 2: the documented `/currencies` example lists ETH on
// `Binance Chain (BEP2)` first and `Ethereum` second; taking the first
// platform would check ETH out on BEP2.
#[tokio::test]
async fn eth_is_listed_on_binance_chain_first_and_its_own_chain_second() {
    let sandbox = Sandbox::start().await;
    let currencies = sandbox.cg_public("currencies").await.json;
    let eth = currencies
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["symbol"] == "ETH")
        .unwrap();
    let names: Vec<_> = eth["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["binance_chain", "ethereum"]);
}
