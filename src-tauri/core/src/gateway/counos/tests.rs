use chrono::Utc;
use serde_json::value::RawValue;

use super::wire::*;
use super::*;
use crate::gateway::wire::parse_time;
use crate::gateway::{Coin, SaleState};
use crate::money::Currency;
use chrono::Duration;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

#[test]
fn state_follows_paid_flag_amounts_and_expiry() {
    let now = Utc::now();
    let later = Some(now + Duration::minutes(5));
    let earlier = Some(now - Duration::minutes(5));
    let expected = d("0.0002");
    // (paid flag, paid amount, expiry, state)
    let cases = [
        (false, "0", later, SaleState::Awaiting),
        (false, "0", None, SaleState::Awaiting),
        (false, "0", earlier, SaleState::Expired),
        (false, "0.0001", later, SaleState::Underpaid),
        (false, "0.0001", earlier, SaleState::Underpaid),
        (false, "0.0002", later, SaleState::Confirming),
        (true, "0.0002", later, SaleState::Paid),
        // A payment that lands after the expiry is still a payment.
        (true, "0.0002", earlier, SaleState::Paid),
        (true, "0.0003", later, SaleState::Overpaid),
    ];
    for (flag, paid, expiry, state) in cases {
        assert_eq!(
            counos_state(flag, d(paid), expected, expiry, now),
            state,
            "paid flag {flag}, paid {paid}, expiry {expiry:?}"
        );
    }
}

fn btc() -> Coin {
    Coin::test_bitcoin("11")
}

fn fields(json: &str) -> Fields {
    Fields(serde_json::from_str(json).unwrap())
}

#[test]
fn order_parses_amounts_as_numbers_or_strings_and_finds_the_expiry() {
    let f = fields(
        r#"{"id": 7, "merchantOrderId": 123, "expectedAmount": 0.00021552,
            "paidAmount": "0.00021552", "paymentConfirmations": 2, "expectedConfirmations": 2,
            "orderAddress": "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "paymentUriQrCode": "bitcoin:tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx?amount=0.00021552",
            "paid": true, "expireAt": "2026-11-21T13:05:00Z", "transactionId": null}"#,
    );
    let o = parse_order(&f, &btc(), Utc::now()).unwrap();
    assert_eq!(o.gateway_order_id, "7");
    assert_eq!(o.merchant_order_id, "123");
    assert_eq!(o.expected.as_ref().unwrap().to_fixed(), "0.00021552");
    assert_eq!(Some(o.paid), o.expected);
    assert_eq!(o.state, SaleState::Paid);
    assert_eq!(
        o.expires_at.unwrap().to_rfc3339(),
        "2026-11-21T13:05:00+00:00"
    );
    assert_eq!(o.transaction_id, None);
    assert_eq!(o.confirmations, 2);
}

#[test]
fn a_web_link_to_a_qr_picture_is_not_used_as_payment_uri() {
    let f = fields(
        r#"{"id": "a1", "expectedAmount": "1", "orderAddress": "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx",
            "paymentUriQrCode": "https://payment.counos.io/qr/a1.png", "paid": false}"#,
    );
    let o = parse_order(&f, &btc(), Utc::now()).unwrap();
    assert_eq!(o.payment_uri, None);
    assert_eq!(o.expires_at, None);
    assert_eq!(o.state, SaleState::Awaiting);
}

fn raw(json: &str) -> Box<RawValue> {
    RawValue::from_string(json.to_string()).unwrap()
}

#[test]
fn rate_lists_are_read_whatever_the_field_names_and_stay_exact() {
    let list = parse_rates(&raw(
        r#"[{"symbol": "btc", "name": "Bitcoin", "usd": 62000.123456789012345678, "eur": "58000"},
            {"code": "XAU", "priceUSD": 2650}]"#,
    ))
    .unwrap();
    assert_eq!(list[0].symbol, "BTC");
    assert_eq!(list[0].usd.unwrap().to_string(), "62000.123456789012345678");
    assert_eq!(list[0].eur, Some(d("58000")));
    assert_eq!(
        list[1],
        Rate {
            symbol: "XAU".into(),
            usd: Some(d("2650")),
            eur: None
        }
    );
    let keyed = parse_rates(&raw(r#"{"btc": {"rate": {"USD": 1.5}}}"#)).unwrap();
    assert_eq!(
        keyed,
        vec![Rate {
            symbol: "BTC".into(),
            usd: Some(d("1.5")),
            eur: None
        }]
    );
}

#[test]
fn balances_are_read_from_lists_or_symbol_keyed_objects() {
    let list = parse_balances(&raw(
        r#"[{"tickerId": 11, "keyword": "btc", "title": "Bitcoin", "balance": 0.000215520000001}]"#,
    ))
    .unwrap();
    assert_eq!(list[0].coin, "BTC");
    assert_eq!(list[0].title, "Bitcoin");
    // More places than the coin counts in are kept, not rounded away.
    assert_eq!(list[0].amount.to_fixed(), "0.000215520000001");
    let keyed = parse_balances(&raw(r#"{"ltc": "1.5"}"#)).unwrap();
    assert_eq!(
        (keyed[0].coin.as_str(), keyed[0].amount.to_fixed()),
        ("LTC", "1.50000000".into())
    );
}

#[test]
fn withdrawals_are_read_leniently_and_searched_by_address_or_tx() {
    let f = fields(
        r#"{"id": 9, "tickerId": 11, "amount": "0.001", "walletAddress": "tb1qABC",
            "transactionId": null, "status": "pending", "confirmations": 0,
            "createdAt": "2026-11-21T13:05:00Z"}"#,
    );
    let w = parse_withdrawal(&f).unwrap();
    assert_eq!(w.coin, "#11");
    assert_eq!(w.amount.as_ref().unwrap().to_fixed(), "0.00100000");
    assert_eq!((w.status.as_str(), w.confirmations), ("pending", Some(0)));
    assert!(w.matches("abc"));
    assert!(!w.matches("ffff"));
}

#[test]
fn an_order_without_an_expiry_gets_the_apps_own_deadline_from_created_at() {
    let f = fields(
        r#"{"id": 8, "merchantOrderId": "4401", "expectedAmount": "0.0002", "paidAmount": 0,
            "orderAddress": "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "paid": false,
            "createdAt": "2026-11-21T13:00:00Z"}"#,
    );
    let created = parse_time("2026-11-21T13:00:00Z").unwrap();
    let o = parse_order(&f, &btc(), created + Duration::minutes(5)).unwrap();
    assert_eq!(o.expires_at, Some(created + OWN_DEADLINE));
    assert_eq!(o.state, SaleState::Awaiting);
    assert_eq!(o.notice.as_deref(), Some(OWN_DEADLINE_NOTICE));
    let late = parse_order(&f, &btc(), created + OWN_DEADLINE).unwrap();
    assert_eq!(late.state, SaleState::Expired);
}

#[test]
fn exchange_rate_as_an_array_or_missing_is_not_needed() {
    // gateways.md, Round 2: the PHP model types exchange_rate as an array.
    for json in [
        r#"{"converted_value": 0.00021552, "exchange_rate": {"eur": 58000}}"#,
        r#"{"converted_value": 0.00021552, "exchange_rate": []}"#,
        r#"{"converted_value": 0.00021552, "exchange_rate": [{"rate": 1}]}"#,
        r#"{"converted_value": 0.00021552}"#,
    ] {
        let (value, rate) = converted(&raw(json)).unwrap();
        assert_eq!(value, d("0.00021552"), "{json}");
        assert_eq!(rate, None, "{json}");
    }
    let (_, rate) = converted(&raw(
        r#"{"converted_value": 1, "exchange_rate": [58000.00]}"#,
    ))
    .unwrap();
    assert_eq!(rate, Some(d("58000")));
    let (_, rate) = converted(&raw(r#"{"converted_value": 1, "exchange_rate": "58000"}"#)).unwrap();
    assert_eq!(rate, Some(d("58000")));
}

#[test]
fn a_tiny_or_huge_converted_value_is_refused_in_words_not_a_panic() {
    let eur = Money::new(d("10"), Currency::fiat("EUR").unwrap());
    for value in [
        "0.0000000000000000000000000001",
        "0.000000000001",
        "79228162514264337593543950335",
    ] {
        let err = super::super::checked_conversion(&eur, &btc(), Some(d(value))).unwrap_err();
        assert!(err.contains("10.00 EUR would be"), "{value}: {err}");
    }
    assert!(super::super::checked_conversion(&eur, &btc(), None).is_err());
    let ok = super::super::checked_conversion(&eur, &btc(), Some(d("0.000172413793"))).unwrap();
    assert_eq!(ok.to_fixed(), "0.00017242");
    let e = super::super::price_looks_wrong("Counos", &btc(), "x".into());
    assert!(
        e.to_string()
            .starts_with("Counos's price for BTC looks wrong: x"),
        "{e}"
    );
}

#[test]
fn hostile_order_numbers_and_addresses_are_refused() {
    for json in [
        r#"{"id": 1, "expectedAmount": "-1", "orderAddress": "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"}"#,
        r#"{"id": 1, "expectedAmount": "1", "paidAmount": "1e30", "orderAddress": "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"}"#,
        r#"{"id": 1, "expectedAmount": "1", "orderAddress": "@SUM(A1:A2)xxxxxxxxxxxxxxxx"}"#,
        r#"{"id": 1, "expectedAmount": "1", "orderAddress": "tb1q w508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"}"#,
    ] {
        assert!(
            parse_order(&fields(json), &btc(), Utc::now()).is_err(),
            "{json}"
        );
    }
}
