use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::StatusCode;
use serde_json::value::RawValue;

use super::client::*;
use super::wire::*;
use super::*;
use crate::error::{Error, Result};
use crate::gateway::{Coin, SaleState};
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

#[test]
fn every_documented_status_maps_to_one_sale_state() {
    let zero = Decimal::ZERO;
    let some = d("0.0001");
    let pay = Some(d("0.001"));
    // (status, underpaid, overpaid, pay_amount, money arrived, state)
    let cases = [
        ("new", zero, zero, None, false, SaleState::Awaiting),
        ("new", some, zero, None, false, SaleState::Awaiting),
        ("pending", zero, zero, pay, false, SaleState::Awaiting),
        // Round 2: a fresh order carries underpaid_amount == pay_amount.
        ("pending", d("0.001"), zero, pay, false, SaleState::Awaiting),
        // No pay_amount to compare with and no transaction: nothing arrived.
        ("pending", some, zero, None, false, SaleState::Awaiting),
        ("pending", some, zero, pay, false, SaleState::Underpaid),
        ("pending", d("0.001"), zero, pay, true, SaleState::Underpaid),
        ("confirming", zero, zero, pay, true, SaleState::Confirming),
        ("paid", zero, zero, pay, true, SaleState::Paid),
        ("paid", d("0.001"), zero, pay, false, SaleState::Paid),
        ("paid", zero, some, pay, true, SaleState::Overpaid),
        ("invalid", zero, zero, pay, false, SaleState::Invalid),
        ("expired", zero, zero, pay, false, SaleState::Expired),
        ("expired", some, zero, pay, true, SaleState::Expired),
        ("canceled", zero, zero, None, false, SaleState::Canceled),
        ("refunded", zero, zero, pay, true, SaleState::Refunded),
        (
            "partially_refunded",
            zero,
            zero,
            pay,
            true,
            SaleState::Refunded,
        ),
    ];
    for (status, underpaid, overpaid, pay, arrived, state) in cases {
        assert_eq!(
            coingate_state(status, underpaid, overpaid, pay, arrived),
            Some(state),
            "{status} underpaid {underpaid} overpaid {overpaid} pay {pay:?} arrived {arrived}"
        );
    }
    assert_eq!(coingate_state("PAID", zero, zero, None, false), None);
    assert_eq!(coingate_state("cancelled", zero, zero, None, false), None);
}

// ---- the documented example shapes (gateways.md, Round 2) ----------------

/// A testnet P2SH address, as the documented examples use.
const DOC_ADDRESS: &str = "2MzyF5xtm2GRHvS3tRM2s7XrS1b8ukzAS1c";

/// The checkout answer as documented: `pending`, a coin and address
/// chosen, nothing paid, and `underpaid_amount` equal to `pay_amount`.
fn documented_checkout_answer() -> String {
    format!(
        r#"{{"id": 1781, "status": "pending", "do_not_convert": false,
            "orderable_type": "ApiApp", "orderable_id": 4207,
            "price_currency": "EUR", "price_amount": "10.0",
            "pay_currency": "BTC", "pay_amount": "0.000253",
            "lightning_network": false, "receive_currency": "EUR", "receive_amount": "0",
            "created_at": "2023-04-17T08:03:55+00:00", "expire_at": "2023-04-17T08:23:55+00:00",
            "payment_address": "{DOC_ADDRESS}", "order_id": "115",
            "payment_url": "https://pay-sandbox.coingate.com/invoice/4949cf0a",
            "underpaid_amount": "0.000253", "overpaid_amount": "0",
            "is_refundable": false, "refunds": [], "voids": [], "fees": [],
            "blockchain_transactions": [],
            "payment_request_uri": "bitcoin:{DOC_ADDRESS}?amount=0.000253",
            "conversion_rate": "39525.69"}}"#
    )
}

#[test]
fn the_documented_fresh_checkout_answer_is_awaiting_not_underpaid() {
    let o = to_gateway_order(&order(&documented_checkout_answer()), &btc()).unwrap();
    assert_eq!(o.state, SaleState::Awaiting);
    assert_eq!(o.paid.amount(), Decimal::ZERO);
    assert_eq!(o.expected.unwrap().to_fixed(), "0.00025300");
    assert_eq!(o.address, DOC_ADDRESS);
    assert_eq!(
        o.payment_uri.as_deref(),
        Some(format!("bitcoin:{DOC_ADDRESS}?amount=0.000253").as_str())
    );
}

#[test]
fn the_documented_get_order_of_an_unpaid_order_is_awaiting() {
    // Get-order documents the same fields plus paid_at, fees and the
    // transactions; unpaid, underpaid_amount still equals pay_amount and
    // `blockchain_transactions` may be absent altogether.
    let json = documented_checkout_answer()
        .replace(r#""blockchain_transactions": [],"#, r#""paid_at": null,"#);
    let o = to_gateway_order(&order(&json), &btc()).unwrap();
    assert_eq!(o.state, SaleState::Awaiting);
    assert_eq!(o.paid.amount(), Decimal::ZERO);
}

#[test]
fn the_documented_order_list_shows_its_unpaid_order_as_awaiting() {
    let page: OrderPageJson = serde_json::from_str(&format!(
        r#"{{"current_page": 1, "per_page": 1, "total_orders": 1, "total_pages": 1,
            "orders": [{}]}}"#,
        documented_checkout_answer()
    ))
    .unwrap();
    let listed = summary(&page.orders[0]);
    assert_eq!(listed.state, Some(SaleState::Awaiting));
    assert_eq!(listed.merchant_order_id.as_deref(), Some("115"));
}

#[test]
fn both_documented_paid_callbacks_are_paid_in_full() {
    // The two documented `paid` callbacks also carry underpaid_amount ==
    // pay_amount; a paid order is paid, whatever that field says.
    for receive in ["EUR", "DO_NOT_CONVERT"] {
        let callback = format!(
            r#"{{"id": 343, "order_id": "115", "status": "paid", "pay_amount": "0.000253",
                "pay_currency": "BTC", "price_amount": "10.0", "price_currency": "EUR",
                "receive_currency": "{receive}", "receive_amount": "9.9",
                "created_at": "2023-04-17T08:03:55+00:00", "token": "ad7a4a3a",
                "underpaid_amount": "0.000253", "overpaid_amount": "0",
                "is_refundable": false}}"#
        );
        let o = to_gateway_order(&order(&callback), &btc()).unwrap();
        assert_eq!(o.state, SaleState::Paid, "{receive}");
        assert_eq!(o.paid, o.expected.clone().unwrap(), "{receive}");
    }
}

#[test]
fn the_documented_binance_checkout_with_underpaid_zero_is_awaiting() {
    let usdt = Coin {
        symbol: "USDT".into(),
        title: "Tether".into(),
        network: "Binance Pay".into(),
        decimals: 6,
        gateway_id: "20:30".into(),
    };
    let o = to_gateway_order(
        &order(
            r#"{"id": 1782, "status": "pending", "order_id": "116", "price_currency": "EUR",
                "price_amount": "10.0", "pay_currency": "USDT", "pay_amount": "10.85",
                "underpaid_amount": "0", "overpaid_amount": "0",
                "payment_url": "https://pay-sandbox.coingate.com/invoice/58a2c"}"#,
        ),
        &usdt,
    )
    .unwrap();
    assert_eq!(o.state, SaleState::Awaiting);
    assert_eq!(o.notice.as_deref(), Some(HOSTED_PAGE_NOTICE));
}

#[test]
fn a_transaction_on_a_pending_order_is_an_underpayment_of_what_arrived() {
    let json = documented_checkout_answer().replace(
        r#""blockchain_transactions": []"#,
        r#""blockchain_transactions": [{"id": 1, "txid": "ab12", "amount": "0.0001", "status": "unconfirmed", "network_confirmations": 0}]"#,
    );
    let o = to_gateway_order(&order(&json), &btc()).unwrap();
    assert_eq!(o.state, SaleState::Underpaid);
    assert_eq!(o.paid.to_fixed(), "0.00010000");
}

#[test]
fn hostile_numbers_and_addresses_are_refused_not_computed_with() {
    let base = documented_checkout_answer();
    for (from, to) in [
        (
            r#""underpaid_amount": "0.000253""#,
            r#""underpaid_amount": "-79228162514264337593543950335""#,
        ),
        (
            r#""pay_amount": "0.000253""#,
            r#""pay_amount": "79228162514264337593543950335""#,
        ),
        (
            r#""blockchain_transactions": []"#,
            r#""blockchain_transactions": [{"amount": "79228162514264337593543950335"}, {"amount": "79228162514264337593543950335"}]"#,
        ),
    ] {
        let json = base.replace(from, to);
        let err = to_gateway_order(&order(&json), &btc()).unwrap_err();
        assert!(err.contains("out of range"), "{err}");
    }
    for address in [
        "=HYPERLINK(A1)xxxxxxxxxxxxxxxxx",
        "0x52908400098527886E0F7030069857D2E4169EE7",
        "bc1 qar0srrr7xfkvy5l643",
    ] {
        let json = base.replace(DOC_ADDRESS, address);
        let Ok(parsed) = serde_json::from_str::<OrderJson>(&json) else {
            continue;
        };
        let err = to_gateway_order(&parsed, &btc()).unwrap_err();
        assert!(err.contains("payment address"), "{err}");
    }
}

#[test]
fn list_filters_are_whole_days() {
    let t = DateTime::parse_from_rfc3339("2026-11-28T23:59:30+00:00")
        .unwrap()
        .with_timezone(&Utc);
    assert_eq!(day(t), "2026-11-28");
}

#[test]
fn only_checkout_not_enabled_falls_back_to_the_hosted_page() {
    assert!(checkout_not_enabled(&[
        "Checkout is not enabled for this merchant: contact CoinGate support".into()
    ]));
    assert!(!checkout_not_enabled(&[
        "Order is paid: only a new order can be checked out".into()
    ]));
    assert!(!checkout_not_enabled(&[
        "Pay currency DOGE is disabled: unavailable".into()
    ]));
    assert!(!checkout_not_enabled(&[]));
}

#[test]
fn eth_is_offered_on_its_own_chain_first_whatever_the_listed_order() {
    let platforms = vec![
        (
            "2".to_string(),
            "binance_chain".to_string(),
            "Binance Chain (BEP2)".to_string(),
        ),
        (
            "7".to_string(),
            "ethereum".to_string(),
            "Ethereum".to_string(),
        ),
    ];
    let ordered = own_chain_first(&Currency::coin("ETH"), "Ethereum", platforms);
    assert_eq!(ordered[0].0, "7");
    assert_eq!(ordered[1].0, "2");
    // A token with no chain of its own prefers Ethereum.
    let usdt = vec![
        (
            "9".to_string(),
            "tron".to_string(),
            "Tron (TRC20)".to_string(),
        ),
        (
            "7".to_string(),
            "ethereum".to_string(),
            "Ethereum".to_string(),
        ),
    ];
    assert_eq!(
        own_chain_first(&Currency::coin("USDT"), "Tether", usdt)[0].0,
        "7"
    );
}

#[test]
fn errors_in_every_documented_shape_are_read() {
    let texts = |json: &str| serde_json::from_str::<ApiError>(json).unwrap().texts();
    assert_eq!(
        texts(
            r#"{"message":"Order is not valid","reason":"OrderIsNotValid","errors":["Price amount is not a number","Title is too short"]}"#
        ),
        ["Price amount is not a number", "Title is too short"]
    );
    assert_eq!(
        texts(
            r#"{"message":"x","reason":"OrderIsNotValid","errors":"Receive currency is invalid"}"#
        ),
        ["Receive currency is invalid"]
    );
    assert_eq!(
        texts(
            r#"{"message":"x","reason":"OrderIsNotValid","errors":{"price_amount":["is missing"]}}"#
        ),
        ["price_amount: is missing"]
    );
    assert_eq!(
        texts(r#"{"message":"Order not found","reason":"OrderNotFound"}"#),
        ["Order not found"]
    );
}

fn btc() -> Coin {
    Coin::test_bitcoin("1:2")
}

fn order(json: &str) -> OrderJson {
    serde_json::from_str(json).unwrap()
}

#[test]
fn a_checked_out_order_gives_address_amount_and_uri() {
    let base = order(
        r#"{"id": 1780, "status": "new", "order_id": "ct-a-1", "price_amount": "12.50",
            "price_currency": "EUR", "payment_url": "https://pay.coingate.com/invoice/x",
            "underpaid_amount": "0", "overpaid_amount": "0", "created_at": "2026-11-21T13:00:00+00:00"}"#,
    );
    let checkout = order(
        r#"{"id": 1780, "status": "pending", "pay_currency": "BTC", "pay_amount": "0.000215517241",
            "payment_address": "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "expire_at": "2026-11-21T13:20:00+00:00",
            "payment_request_uri": "bitcoin:tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx?amount=0.00021552"}"#,
    );
    let o = to_gateway_order(&base.overlay(checkout), &btc()).unwrap();
    assert_eq!(o.gateway_order_id, "1780");
    assert_eq!(o.merchant_order_id, "ct-a-1");
    assert_eq!(o.state, SaleState::Awaiting);
    // Never asks for less than CoinGate computed.
    assert_eq!(o.expected.unwrap().to_fixed(), "0.00021552");
    assert_eq!(o.address, "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx");
    assert_eq!(
        o.payment_uri.as_deref(),
        Some("bitcoin:tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx?amount=0.00021552")
    );
    assert_eq!(o.notice, None);
    assert_eq!(
        o.expires_at.unwrap().to_rfc3339(),
        "2026-11-21T13:20:00+00:00"
    );
}

#[test]
fn without_an_address_the_qr_opens_the_hosted_page_and_says_so() {
    let o = to_gateway_order(
        &order(
            r#"{"id": "7", "status": "new", "order_id": 12, "payment_url": "https://pay.coingate.com/invoice/x"}"#,
        ),
        &btc(),
    )
    .unwrap();
    assert_eq!(
        o.payment_uri.as_deref(),
        Some("https://pay.coingate.com/invoice/x")
    );
    assert_eq!(o.notice.as_deref(), Some(HOSTED_PAGE_NOTICE));
    assert_eq!(o.expected, None);
    assert_eq!(o.merchant_order_id, "12");
}

#[test]
fn paid_amounts_follow_transactions_or_the_underpayment() {
    let o = to_gateway_order(
        &order(
            r#"{"id": 1, "status": "pending", "pay_currency": "btc", "pay_amount": "0.001",
                "payment_address": "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "underpaid_amount": "0.0004",
                "blockchain_transactions": null}"#,
        ),
        &btc(),
    )
    .unwrap();
    assert_eq!(o.state, SaleState::Underpaid);
    assert_eq!(o.paid.to_fixed(), "0.00060000");
    let o = to_gateway_order(
        &order(
            r#"{"id": 1, "status": "paid", "pay_currency": "BTC", "pay_amount": "0.001",
                "payment_address": "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "overpaid_amount": "0.0001",
                "blockchain_transactions": [{"txid": "ab12", "amount": "0.0011", "network_confirmations": "3"}]}"#,
        ),
        &btc(),
    )
    .unwrap();
    assert_eq!(o.state, SaleState::Overpaid);
    assert_eq!(o.paid.to_fixed(), "0.00110000");
    assert_eq!(o.transaction_id.as_deref(), Some("ab12"));
    assert_eq!(o.confirmations, 3);
}

#[test]
fn an_unknown_status_is_a_protocol_error_not_a_guess() {
    let err = to_gateway_order(&order(r#"{"id": 1, "status": "teleported"}"#), &btc());
    assert!(err.unwrap_err().contains("teleported"));
}

#[test]
fn titles_and_descriptions_fit_coingate_bounds() {
    assert_eq!(clamp("ab", 3, 150, "Sale ct-1"), "Sale ct-1");
    assert_eq!(clamp("", 3, 150, "x"), "x..");
    let long = "é".repeat(600);
    assert_eq!(clamp(&long, 3, 500, "x").chars().count(), 500);
}

#[test]
fn withdrawals_read_currency_as_object_or_symbol() {
    let record: HashMap<String, Box<RawValue>> = serde_json::from_str(
        r#"{"id": 5, "status": "completed", "amount": "0.5", "created_at": "2026-01-02T03:04:05+00:00",
            "currency": {"id": 1, "symbol": "btc"}, "payout_setting": {"id": 3, "address": "bc1qq"}}"#,
    )
    .unwrap();
    let w = parse_withdrawal(&record).unwrap();
    assert_eq!((w.id.as_str(), w.coin.as_str()), ("5", "BTC"));
    assert_eq!(w.amount.unwrap().to_fixed(), "0.50000000");
    assert_eq!(w.address.as_deref(), Some("bc1qq"));
    let record: HashMap<String, Box<RawValue>> =
        serde_json::from_str(r#"{"id": "6", "status": "pending", "amount": 2, "currency": "EUR"}"#)
            .unwrap();
    assert_eq!(parse_withdrawal(&record).unwrap().coin, "EUR");
}

fn judge(status: u16, body: &str) -> (CoinGateClient, Result<()>) {
    let client = CoinGateClient::new(
        GatewayKind::Coingate,
        LIVE_BASE_URL,
        Sensitive::new("k".into()),
    )
    .unwrap();
    let reply = Reply {
        status: StatusCode::from_u16(status).unwrap(),
        headers: HeaderMap::new(),
        body: body.as_bytes().to_vec(),
    };
    let verdict = client.check(&reply, "order 7");
    (client, verdict)
}

#[test]
fn answers_are_judged_by_status_and_reason() {
    assert!(judge(200, r#"{"id": 7, "status": "new"}"#).1.is_ok());
    assert!(judge(200, "7469.5").1.is_ok());
    assert!(matches!(
        judge(
            401,
            r#"{"message":"Auth Token is not valid","reason":"BadAuthToken"}"#
        )
        .1,
        Err(Error::GatewayAuth { .. })
    ));
    let (_, not_found) = judge(
        404,
        r#"{"message":"Order not found","reason":"OrderNotFound"}"#,
    );
    assert_eq!(
        not_found.unwrap_err().to_string(),
        "CoinGate does not know order 7 (Order not found). Check it in the CoinGate dashboard."
    );
    assert_eq!(
        judge(422, r#"{"message":"x","reason":"OrderNotFound"}"#)
            .1
            .unwrap_err()
            .kind(),
        crate::error::ErrorKind::NotFound
    );
    match judge(
        422,
        r#"{"message":"Order is not valid","reason":"OrderIsNotValid","errors":["Order limit exceeded (contact support to increase)"]}"#,
    )
    .1
    {
        Err(Error::GatewayRefused { message, .. }) => {
            assert!(message.starts_with("Order limit exceeded (contact support to increase)."));
            assert!(message.contains("at most 500 orders per hour"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        judge(503, "<html>down</html>").1,
        Err(Error::GatewayDown { status: 503, .. })
    ));
    assert!(matches!(
        judge(400, "").1,
        Err(Error::GatewayRefused { message, .. }) if message == "HTTP 400"
    ));
}

#[test]
fn an_error_inside_a_200_is_still_an_error() {
    assert!(matches!(
        judge(
            200,
            r#"{"message":"Something went wrong","reason":"InternalServerError"}"#
        )
        .1,
        Err(Error::GatewayDown { status: 500, .. })
    ));
    assert!(matches!(
        judge(200, r#"{"message":"Bad","reason":"BadCredentials"}"#).1,
        Err(Error::GatewayAuth { .. })
    ));
}

#[test]
fn a_429_holds_every_call_back_for_the_delay_asked() {
    let (client, verdict) = judge(
        429,
        r#"{"message":"API request limit is exceeded","reason":"RateLimitExceeded"}"#,
    );
    assert!(matches!(verdict, Err(Error::GatewayRateLimited { .. })));
    let until = client.backoff_until.lock().unwrap().unwrap();
    let left = until - Instant::now();
    assert!(
        left > Duration::from_secs(55) && left <= DEFAULT_BACKOFF,
        "{left:?}"
    );
    let mut headers = HeaderMap::new();
    headers.insert(RETRY_AFTER, HeaderValue::from_static("5"));
    client.back_off(&headers);
    let left = client.backoff_until.lock().unwrap().unwrap() - Instant::now();
    assert!(left <= Duration::from_secs(5), "{left:?}");
}

#[test]
fn a_key_that_cannot_be_a_header_is_refused_up_front() {
    let err = CoinGateClient::new(
        GatewayKind::Coingate,
        LIVE_BASE_URL,
        Sensitive::new("abc\ndef".into()),
    )
    .err()
    .unwrap();
    assert!(!err.to_string().contains("abc"), "{err}");
}
