use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use cryptill_sandbox::client::Payment;
use rust_decimal_macros::dec;

use crate::support::{assert_coingate_error, form, Sandbox};

fn time(value: &Value) -> DateTime<Utc> {
    let text = value.as_str().expect("a time string");
    assert!(text.ends_with("+00:00"), "CoinGate writes +00:00: {text}");
    text.parse().expect("an ISO 8601 time")
}

const BASE: [(&str, &str); 4] = [
    ("price_amount", "12.50"),
    ("price_currency", "EUR"),
    ("title", "Order #111"),
    ("description", "1 x coffee, 1 x cake"),
];

fn fields<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = BASE.to_vec();
    fields.extend_from_slice(extra);
    fields
}

// gateways.md: POST bodies documented as form-encoded, nested fields as
// `shopper[email]=`; response amounts are JSON strings, status "new".
#[tokio::test]
async fn a_form_encoded_order_is_created_new_with_amounts_as_strings() {
    let sandbox = Sandbox::start().await;
    let answer = sandbox
        .cg_form(
            "orders",
            &fields(&[
                ("receive_currency", "EUR"),
                ("order_id", "inv-111"),
                ("callback_url", "https://shop.example/callback"),
                ("token", "my-callback-secret"),
                ("shopper[type]", "personal"),
                ("shopper[email]", "joe@example.com"),
            ]),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.content_type, "application/json");
    let order = &answer.json;
    assert!(order["id"].as_i64().unwrap() > 10_600_000);
    assert_eq!(order["status"], "new");
    assert_eq!(order["title"], "Order #111");
    assert_eq!(order["price_amount"], "12.5");
    assert_eq!(order["price_currency"], "EUR");
    assert_eq!(order["receive_currency"], "EUR");
    assert_eq!(order["receive_amount"], "0");
    assert_eq!(order["underpaid_amount"], "0");
    assert_eq!(order["overpaid_amount"], "0");
    assert_eq!(order["is_refundable"], false);
    assert_eq!(order["do_not_convert"], false);
    assert_eq!(order["order_id"], "inv-111");
    assert_eq!(order["token"], "my-callback-secret");
    assert_eq!(order["fees"], json!([]));
    assert_eq!(order["blockchain_transactions"], json!([]));
    let payment_url = order["payment_url"].as_str().unwrap();
    assert!(
        payment_url.starts_with(&format!("{}/coingate/invoice/", sandbox.handle.base_url())),
        "{payment_url}"
    );
    assert!(
        (Utc::now() - time(&order["created_at"]))
            .num_seconds()
            .abs()
            < 5
    );
    // gateways.md / the callback reference: these come with a chosen coin.
    for field in [
        "pay_currency",
        "pay_amount",
        "payment_address",
        "expire_at",
        "payment_request_uri",
        "paid_at",
    ] {
        assert!(order.get(field).is_none(), "{field}: {order}");
    }
}

// gateways.md: "JSON is accepted too".
#[tokio::test]
async fn a_json_order_is_created_the_same_way() {
    let sandbox = Sandbox::start().await;
    let answer = sandbox
        .cg_json(
            "orders",
            r#"{"price_amount": 10.5, "price_currency": "usd", "receive_currency": "DO_NOT_CONVERT",
                "title": "Order #112", "description": "2 x tea", "order_id": 112,
                "shopper": {"email": "joe@example.com", "first_name": "Joe"}}"#,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let order = &answer.json;
    assert_eq!(order["price_amount"], "10.5");
    assert_eq!(order["price_currency"], "USD");
    assert_eq!(order["receive_currency"], "DO_NOT_CONVERT");
    assert_eq!(order["do_not_convert"], true);
    assert_eq!(order["order_id"], "112");
    assert_eq!(order["token"].as_str().unwrap().len(), 30);
}

#[tokio::test]
async fn an_invalid_order_is_422_order_is_not_valid_listing_every_error() {
    let sandbox = Sandbox::start().await;
    let empty = sandbox.cg_form("orders", &[]).await;
    assert_eq!(
        empty.json,
        json!({
            "message": "Order is not valid",
            "reason": "OrderIsNotValid",
            "errors": [
                "Price amount can't be blank",
                "Price currency can't be blank",
                "Title can't be blank",
                "Description can't be blank",
            ],
        })
    );
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);

    let long = "x".repeat(151);
    let too_long_description = "x".repeat(501);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            vec![("price_amount", "0")],
            "Price amount must be greater than 0",
        ),
        (
            vec![("price_amount", "-5")],
            "Price amount must be greater than 0",
        ),
        (
            vec![("price_amount", "ten")],
            "Price amount is not a number",
        ),
        (
            vec![("price_amount", "1,50")],
            "Price amount is not a number",
        ),
        (
            vec![("price_currency", "XYZ")],
            "Price currency XYZ is not supported",
        ),
        (
            vec![("receive_currency", "DOGE")],
            "Receive currency DOGE is not supported",
        ),
        (
            vec![("title", "ab")],
            "Title is too short (minimum is 3 characters)",
        ),
        (
            vec![("title", &long)],
            "Title is too long (maximum is 150 characters)",
        ),
        (
            vec![("description", "ab")],
            "Description is too short (minimum is 3 characters)",
        ),
        (
            vec![("description", &too_long_description)],
            "Description is too long (maximum is 500 characters)",
        ),
        (
            vec![("callback_url", "shop.example/cb")],
            "Callback url is not a valid URL",
        ),
        (
            vec![("shopper[type]", "robot")],
            "Shopper type must be 'business' or 'personal'",
        ),
    ];
    for (overrides, error) in cases {
        let mut body: Vec<(&str, &str)> = BASE
            .iter()
            .filter(|(key, _)| !overrides.iter().any(|(over, _)| over == key))
            .copied()
            .collect();
        body.extend(overrides.iter().copied());
        let answer = sandbox.cg_form("orders", &body).await;
        assert_coingate_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "OrderIsNotValid");
        assert_eq!(answer.json["errors"], json!([error]), "{body:?}");
    }
    // Titles count characters, not bytes.
    let answer = sandbox
        .cg_form("orders", &fields(&[("title", "Café")]))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(sandbox.cg_get("orders").await.json["total_orders"], 1);
}

#[tokio::test]
async fn a_body_that_is_not_json_is_400_bad_request() {
    let sandbox = Sandbox::start().await;
    let answer = sandbox.cg_json("orders", "{not json").await;
    assert_coingate_error(&answer, StatusCode::BAD_REQUEST, "BadRequest");
}

// gateways.md: "CoinGate does not de-duplicate `order_id`".
#[tokio::test]
async fn the_same_order_id_twice_makes_two_orders() {
    let sandbox = Sandbox::start().await;
    let first = sandbox.cg_order("5", "inv-7").await;
    let second = sandbox.cg_order("5", "inv-7").await;
    assert_ne!(first["id"], second["id"]);
    assert_ne!(first["payment_url"], second["payment_url"]);
    let list = sandbox.cg_get("orders").await.json;
    assert_eq!(list["total_orders"], 2);
}

// gateways.md: checkout returns status pending, pay_currency, pay_amount,
// payment_address, expire_at (about 20 minutes on), conversion_rate and a
// payment_request_uri such as `bitcoin:tb1q...?amount=0.00001225`.
#[tokio::test]
async fn checkout_in_bitcoin_is_pending_with_a_bip21_uri_for_twenty_minutes() {
    let sandbox = Sandbox::start().await;
    let order = sandbox.cg_order("12.50", "inv-20").await;
    let answer = sandbox.cg_checkout(&order["id"], "BTC").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let pending = &answer.json;
    assert_eq!(pending["id"], order["id"]);
    assert_eq!(pending["status"], "pending");
    assert_eq!(pending["pay_currency"], "BTC");
    // 12.50 / 58000, to 8 places.
    assert_eq!(pending["pay_amount"], "0.00021552");
    assert_eq!(pending["conversion_rate"], "58000.0");
    let address = pending["payment_address"].as_str().unwrap();
    assert!(
        address.starts_with("tb1q") && address.len() == 42,
        "{address}"
    );
    assert_eq!(
        pending["payment_request_uri"],
        format!("bitcoin:{address}?amount=0.00021552")
    );
    assert_eq!(
        pending["platform"],
        json!({"id": 12, "title": "Bitcoin", "id_name": "bitcoin"})
    );
    // gateways.md, Round 2: a fresh, unpaid order carries
    // underpaid_amount == pay_amount, as every documented example does.
    assert_eq!(pending["underpaid_amount"], pending["pay_amount"]);
    assert_eq!(pending["blockchain_transactions"], json!([]));
    assert!(pending["uuid"].is_string());
    assert!(
        pending.get("token").is_none(),
        "only create answers the token"
    );
    let left = time(&pending["expire_at"]) - Utc::now();
    assert!(
        (1195..=1200).contains(&left.num_seconds()),
        "{}",
        left.num_seconds()
    );

    let read = sandbox.cg_get(&format!("orders/{}", order["id"])).await;
    assert_eq!(read.json, *pending);
}

// gateways.md: "EIP-681 for ether: `ethereum:<address>[@chainId]?value=<wei>`".
#[tokio::test]
async fn checkout_in_ether_has_an_eip681_uri_in_wei_and_litecoin_its_own_scheme() {
    let sandbox = Sandbox::start().await;
    let order = sandbox.cg_order("12.50", "inv-21").await;
    let answer = sandbox
        .cg_json(
            &format!("orders/{}/checkout", order["id"]),
            r#"{"pay_currency": "ETH", "platform_id": 15}"#,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let eth = &answer.json;
    assert_eq!(eth["pay_amount"], "0.00431034");
    let address = eth["payment_address"].as_str().unwrap();
    assert!(
        address.starts_with("0x") && address.len() == 42,
        "{address}"
    );
    assert_eq!(
        eth["payment_request_uri"],
        format!("ethereum:{address}@11155111?value=4310340000000000")
    );

    let order = sandbox.cg_order("12.50", "inv-22").await;
    let ltc = sandbox.cg_checkout(&order["id"], "LTC").await.json;
    assert_eq!(ltc["pay_amount"], "0.15625");
    assert_eq!(ltc["conversion_rate"], "80.0");
    let address = ltc["payment_address"].as_str().unwrap();
    assert!(address.starts_with("tltc1q"), "{address}");
    assert_eq!(
        ltc["payment_request_uri"],
        format!("litecoin:{address}?amount=0.15625")
    );
}

#[tokio::test]
async fn a_usd_price_is_converted_at_the_usd_price() {
    let sandbox = Sandbox::start().await;
    let answer = sandbox
        .cg_form(
            "orders",
            &[
                ("price_amount", "31"),
                ("price_currency", "USD"),
                ("title", "Order #113"),
                ("description", "a book"),
            ],
        )
        .await;
    let pending = sandbox.cg_checkout(&answer.json["id"], "ETH").await.json;
    assert_eq!(pending["conversion_rate"], "3100.0");
    assert_eq!(pending["pay_amount"], "0.01");
    assert_eq!(pending["receive_currency"], "USD");
}

// gateways.md: "Only merchants that CoinGate has enabled may call it; others
// get 422."
#[tokio::test]
async fn checkout_is_422_for_a_merchant_coingate_has_not_enabled() {
    let sandbox = Sandbox::start_with(|config| config.coingate_checkout_enabled = false).await;
    let order = sandbox.cg_order("12.50", "inv-23").await;
    let answer = sandbox.cg_checkout(&order["id"], "BTC").await;
    assert_coingate_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "OrderIsNotValid");
    assert!(
        answer.json["errors"][0]
            .as_str()
            .unwrap()
            .contains("payment_url"),
        "{}",
        answer.text
    );
    let read = sandbox.cg_get(&format!("orders/{}", order["id"])).await;
    assert_eq!(read.json["status"], "new");
}

#[tokio::test]
async fn checkout_with_a_coin_or_platform_it_cannot_take_is_422() {
    let sandbox = Sandbox::start().await;
    let order = sandbox.cg_order("12.50", "inv-24").await;
    let path = format!("orders/{}/checkout", order["id"]);
    let cases: [(&[(&str, &str)], &str); 6] = [
        (&[("platform_id", "12")], "Pay currency can't be blank"),
        (&[("pay_currency", "BTC")], "Platform can't be blank"),
        (
            &[("pay_currency", "BTC"), ("platform_id", "15")],
            "Platform 15 is not available for BTC",
        ),
        (
            &[("pay_currency", "EUR"), ("platform_id", "12")],
            "Pay currency EUR is not supported",
        ),
        (
            &[("pay_currency", "XYZ"), ("platform_id", "12")],
            "Pay currency XYZ is not supported",
        ),
        (
            &[("pay_currency", "BTC"), ("platform_id", "bitcoin")],
            "Platform bitcoin is not valid",
        ),
    ];
    for (body, error) in cases {
        let answer = sandbox.cg_form(&path, body).await;
        assert_coingate_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "OrderIsNotValid");
        assert_eq!(answer.json["errors"], json!([error]), "{body:?}");
    }
    let doge = sandbox
        .cg_form(&path, &[("pay_currency", "DOGE"), ("platform_id", "21")])
        .await;
    assert_coingate_error(&doge, StatusCode::UNPROCESSABLE_ENTITY, "OrderIsNotValid");
    doge.assert_text_contains("temporarily unavailable");
}

// The checkout reference documents an unknown order as 422 `OrderNotFound`
// "Order does not exist"; gateways.md lists `OrderNotFound` under 422 too.
#[tokio::test]
async fn checkout_of_an_unknown_order_is_422_order_not_found() {
    let sandbox = Sandbox::start().await;
    let answer = sandbox.cg_checkout(&json!(10_999_999), "BTC").await;
    assert_eq!(
        answer.json,
        json!({"message": "Order does not exist", "reason": "OrderNotFound"})
    );
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_pending_order_may_switch_coin_until_paid_but_a_paid_one_not() {
    let sandbox = Sandbox::start().await;
    let pending = sandbox.cg_pending("12.50", "BTC").await;
    let switched = sandbox.cg_checkout(&pending["id"], "LTC").await;
    assert_eq!(switched.status, StatusCode::OK, "{}", switched.text);
    assert_eq!(switched.json["pay_currency"], "LTC");
    assert_ne!(switched.json["payment_address"], pending["payment_address"]);

    sandbox.cg_pay(&pending, Payment::full()).await;
    let again = sandbox.cg_checkout(&pending["id"], "BTC").await;
    assert_coingate_error(&again, StatusCode::UNPROCESSABLE_ENTITY, "OrderIsNotValid");
    again.assert_text_contains("Order is paid");
}

// gateways.md: "Unknown id: 404 `OrderNotFound`".
#[tokio::test]
async fn an_unknown_order_is_404_order_not_found() {
    let sandbox = Sandbox::start().await;
    for id in ["10999999", "inv-1", "-1"] {
        let answer = sandbox.cg_get(&format!("orders/{id}")).await;
        assert_eq!(
            answer.json,
            json!({"message": "Order not found", "reason": "OrderNotFound"}),
            "{id}"
        );
        assert_eq!(answer.status, StatusCode::NOT_FOUND);
    }
}

async fn ids(sandbox: &Sandbox, query: &str) -> (Value, Vec<i64>) {
    let answer = sandbox.cg_get(&format!("orders?{query}")).await;
    assert_eq!(answer.status, StatusCode::OK, "{query}: {}", answer.text);
    let ids = answer.json["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|order| order["id"].as_i64().unwrap())
        .collect();
    (answer.json, ids)
}

// gateways.md: `GET /orders?per_page=(<=100)&page=&sort=...` ->
// `{current_page, per_page, total_orders, total_pages, orders}`.
#[tokio::test]
async fn orders_are_listed_newest_first_in_pages() {
    let sandbox = Sandbox::start().await;
    let mut made = Vec::new();
    for n in 0..5 {
        let order = sandbox.cg_order("1", &format!("inv-{n}")).await;
        made.push(order["id"].as_i64().unwrap());
    }
    let (page, ids_2) = ids(&sandbox, "per_page=2&page=2").await;
    assert_eq!(
        (
            &page["current_page"],
            &page["per_page"],
            &page["total_orders"],
            &page["total_pages"]
        ),
        (&json!(2), &json!(2), &json!(5), &json!(3))
    );
    assert_eq!(ids_2, [made[2], made[1]]);
    let (_, all) = ids(&sandbox, "").await;
    assert_eq!(all, made.iter().rev().copied().collect::<Vec<_>>());
    let (_, oldest) = ids(&sandbox, "sort=created_at_asc&per_page=2").await;
    assert_eq!(oldest, [made[0], made[1]]);
    let (page, beyond) = ids(&sandbox, "per_page=2&page=4").await;
    assert!(beyond.is_empty());
    assert_eq!(page["total_orders"], 5);
    let (capped, _) = ids(&sandbox, "per_page=500").await;
    assert_eq!(capped["per_page"], 100);
    let bad = sandbox.cg_get("orders?sort=price").await;
    assert_coingate_error(&bad, StatusCode::BAD_REQUEST, "BadRequest");
}

#[tokio::test]
async fn orders_are_filtered_by_status_and_creation_date() {
    let sandbox = Sandbox::start().await;
    let new = sandbox.cg_order("1", "inv-new").await;
    let pending = sandbox.cg_pending("1", "BTC").await;
    let (_, only_new) = ids(&sandbox, "status=new").await;
    assert_eq!(only_new, [new["id"].as_i64().unwrap()]);
    let (_, only_pending) = ids(&sandbox, "status=pending").await;
    assert_eq!(only_pending, [pending["id"].as_i64().unwrap()]);
    let (_, none_paid) = ids(&sandbox, "status=paid").await;
    assert!(none_paid.is_empty());

    let today = Utc::now().date_naive();
    let tomorrow = today.succ_opt().unwrap();
    let yesterday = today.pred_opt().unwrap();
    let query = |from: &str, to: &str| {
        format!(
            "{}&{}",
            form(&[("created_at[from]", from)]),
            form(&[("created_at[to]", to)])
        )
    };
    let (_, both) = ids(&sandbox, &query(&today.to_string(), &today.to_string())).await;
    assert_eq!(both.len(), 2);
    let (_, later) = ids(
        &sandbox,
        &query(&tomorrow.to_string(), &tomorrow.to_string()),
    )
    .await;
    assert!(later.is_empty());
    let (_, before) = ids(
        &sandbox,
        &query(&yesterday.to_string(), &yesterday.to_string()),
    )
    .await;
    assert!(before.is_empty());
    let bad = sandbox
        .cg_get("orders?created_at%5Bfrom%5D=last-week")
        .await;
    assert_coingate_error(&bad, StatusCode::BAD_REQUEST, "BadRequest");
    // gateways.md, Round 2: documented as dates, not timestamps.
    let timestamp = sandbox
        .cg_get(&format!(
            "orders?{}",
            form(&[("created_at[from]", &format!("{today}T00:00:00+00:00"))])
        ))
        .await;
    assert_coingate_error(&timestamp, StatusCode::BAD_REQUEST, "BadRequest");
    let bad = sandbox.cg_get("orders?status=lost").await;
    assert_coingate_error(&bad, StatusCode::BAD_REQUEST, "BadRequest");
}

// gateways.md: over the limit, 422 `OrderIsNotValid` with errors
// `["Order limit exceeded (contact support to increase)"]`.
#[tokio::test]
async fn orders_over_the_hourly_limit_are_422_with_the_documented_error() {
    let sandbox = Sandbox::start_with(|config| config.coingate_orders_per_hour = 2).await;
    sandbox.cg_order("1", "inv-1").await;
    sandbox.cg_order("1", "inv-2").await;
    let third = sandbox
        .cg_form("orders", &fields(&[("order_id", "inv-3")]))
        .await;
    assert_eq!(
        third.json,
        json!({
            "message": "Order is not valid",
            "reason": "OrderIsNotValid",
            "errors": ["Order limit exceeded (contact support to increase)"],
        })
    );
    assert_eq!(third.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_refund_request_without_address_currency_or_email_is_422_refund_is_not_valid() {
    let sandbox = Sandbox::start().await;
    let pending = sandbox.cg_pending("10", "BTC").await;
    sandbox.cg_pay(&pending, Payment::full()).await;
    let answer = sandbox
        .cg_form(
            &format!("orders/{}/refunds", pending["id"]),
            &[("amount", "5"), ("reason", "broken")],
        )
        .await;
    assert_coingate_error(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "RefundIsNotValid",
    );
    answer.assert_text_contains("Address can't be blank");
    answer.assert_text_contains("Email can't be blank");
    let unknown = sandbox.cg_form("orders/10999999/refunds", &[]).await;
    assert_coingate_error(&unknown, StatusCode::NOT_FOUND, "OrderNotFound");
}

#[tokio::test]
async fn orders_survive_a_restart_on_the_same_database() {
    let sandbox = Sandbox::start().await;
    let pending = sandbox.cg_pending("10", "BTC").await;
    sandbox.cg_pay(&pending, Payment::of(dec!(0.0001))).await;
    let path = format!("orders/{}", pending["id"]);
    let before = sandbox.cg_get(&path).await;
    let sandbox = sandbox.restart().await;
    let mut after = sandbox.cg_get(&path).await.json;
    // The invoice link follows the sandbox to its new port, so that it still
    // opens; the invoice itself is the same.
    let link = after["payment_url"].take();
    let link = link.as_str().unwrap();
    assert!(link.starts_with(&sandbox.handle.base_url()), "{link}");
    let mut before = before.json;
    let old = before["payment_url"].take();
    assert_eq!(
        link.rsplit('/').next(),
        old.as_str().unwrap().rsplit('/').next()
    );
    assert_eq!(after, before);
    assert_eq!(after["payment_address"], pending["payment_address"]);
}

// gateways.md: the app falls back to a QR of the hosted `payment_url`.
#[tokio::test]
async fn the_payment_url_opens_an_invoice_page() {
    let sandbox = Sandbox::start().await;
    let pending = sandbox.cg_pending("12.50", "BTC").await;
    let url = pending["payment_url"].as_str().unwrap();
    let response = sandbox.client().get(url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.unwrap();
    assert!(page.contains("12.5 EUR"), "{page}");
    assert!(page.contains("0.00021552 BTC"), "{page}");
    assert!(
        page.contains(pending["payment_address"].as_str().unwrap()),
        "{page}"
    );
    let missing = sandbox
        .client()
        .get(format!(
            "{}/coingate/invoice/nope",
            sandbox.handle.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_short_pending_lifetime_is_honoured_from_checkout() {
    let sandbox = Sandbox::start_with(|config| {
        config.coingate_pending_ttl = Duration::from_secs(90);
    })
    .await;
    let pending = sandbox.cg_pending("1", "BTC").await;
    let left = time(&pending["expire_at"]) - Utc::now();
    assert!((85..=90).contains(&left.num_seconds()), "{left}");
}

// gateways.md, Round 2: a checkout 422 is not always "checkout not enabled";
// the sandbox refuses ETH on Binance Chain (BEP2) for its own reason.
#[tokio::test]
async fn checkout_on_a_suspended_platform_is_a_422_with_its_own_reason() {
    let sandbox = Sandbox::start().await;
    let order = sandbox.cg_order("10", "4402").await;
    let answer = sandbox
        .cg_form(
            &format!("orders/{}/checkout", order["id"]),
            &[("pay_currency", "ETH"), ("platform_id", "5")],
        )
        .await;
    assert_coingate_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "OrderIsNotValid");
    answer.assert_text_contains("Binance Chain (BEP2)");
    assert!(
        !answer.text.to_ascii_lowercase().contains("not enabled"),
        "{}",
        answer.text
    );
}
