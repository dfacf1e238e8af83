//! Property tests of both clients' answer parsers (issue #8): whatever JSON
//! a broken or hostile gateway sends, parsing and judging it returns a value
//! or an error, never a panic. Values are drawn both fully at random and as
//! objects with the documented field names, so the parsers' deeper paths
//! (amount arithmetic, address checks, the own deadline) are reached.

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::{checked_conversion, coingate, counos, Coin};
use crate::money::{Currency, Money};

/// Field names the two dialects document, so random objects hit them.
const KEYS: &[&str] = &[
    // CoinGate
    "id",
    "status",
    "order_id",
    "pay_currency",
    "pay_amount",
    "price_amount",
    "price_currency",
    "payment_address",
    "payment_url",
    "payment_request_uri",
    "expire_at",
    "created_at",
    "underpaid_amount",
    "overpaid_amount",
    "blockchain_transactions",
    "txid",
    "amount",
    "network_confirmations",
    "orders",
    "total_pages",
    "reason",
    "message",
    "errors",
    // Counos
    "merchantOrderId",
    "expectedAmount",
    "paidAmount",
    "paymentConfirmations",
    "expectedConfirmations",
    "orderAddress",
    "paymentUriQrCode",
    "transactionId",
    "paid",
    "createdAt",
    "expireAt",
    "expiresAt",
    "ticker",
    "keyword",
    "converted_value",
    "exchange_rate",
    "symbol",
    "balance",
    "walletAddress",
];

/// Numbers and number-like text at the edges of what a decimal holds.
fn numberish() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        Just(Value::String("79228162514264337593543950335".into())),
        Just(Value::String("-79228162514264337593543950335".into())),
        Just(Value::String("0.0000000000000000000000000001".into())),
        Just(Value::String("1e-28".into())),
        Just(Value::String("1E+40".into())),
        Just(serde_json::from_str("1e400").unwrap_or(Value::Null)),
        Just(serde_json::from_str::<Value>("0.0000000000000000000000000000000001").unwrap()),
        "-?[0-9]{1,30}(\\.[0-9]{0,30})?".prop_map(Value::String),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        numberish(),
        "[a-zA-Z0-9 =@+:/?._-]{0,50}".prop_map(Value::String),
        Just(Value::String(
            "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx".into()
        )),
        Just(Value::String("2026-11-28T12:00:00Z".into())),
        Just(Value::String("pending".into())),
        Just(Value::String("paid".into())),
        Just(Value::String("BTC".into())),
    ]
}

fn json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        prop::sample::select(KEYS).prop_map(str::to_string),
                        "[a-z_]{1,10}"
                    ],
                    inner
                ),
                0..12
            )
            .prop_map(|fields| Value::Object(fields.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// An object carrying every documented order field, each with a random value.
fn order_shaped() -> impl Strategy<Value = Value> {
    prop::collection::vec(prop_oneof![leaf(), json()], KEYS.len()).prop_map(|values| {
        Value::Object(
            KEYS.iter()
                .map(|k| k.to_string())
                .zip(values)
                .collect::<Map<_, _>>(),
        )
    })
}

fn btc() -> Coin {
    Coin::test_bitcoin("11")
}

fn any_json() -> impl Strategy<Value = Value> {
    prop_oneof![json(), order_shaped()]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn coingate_parsers_never_panic(value in any_json()) {
        coingate::parse_any(&value.to_string(), &btc());
    }

    #[test]
    fn counos_parsers_never_panic(value in any_json(), now in 0i64..4_102_444_800) {
        let now = DateTime::<Utc>::from_timestamp(now, 0).unwrap();
        counos::parse_any(&value.to_string(), &btc(), now);
    }

    #[test]
    fn a_conversion_of_any_numbers_never_panics(
        fiat in any::<[u32; 3]>(),
        fiat_scale in 0u32..=28,
        value in any::<[u32; 3]>(),
        value_scale in 0u32..=28,
        negative in any::<bool>(),
    ) {
        let fiat = Decimal::from_parts(fiat[0], fiat[1], fiat[2], false, fiat_scale);
        let value = Decimal::from_parts(value[0], value[1], value[2], negative, value_scale);
        let price = Money::new(fiat, Currency::fiat("EUR").unwrap());
        if let Ok(crypto) = checked_conversion(&price, &btc(), Some(value)) {
            prop_assert!(crypto.amount() > Decimal::ZERO);
            prop_assert!(crate::gateway::sane_amount(crypto.amount()));
        }
    }
}
