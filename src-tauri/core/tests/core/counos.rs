//! Contract tests of the Counos client: every endpoint it calls, against the
//! sandbox's independent implementation of the Counos dialect over real HTTP
//! (gateways.md, "Counos Payment Gateway").

use crate::support::clients::{assert_call_fails, client_at, client_with_key, redirecting};
use crate::support::{assert_fault_error, assert_no_key, coin, eur, money, Sandbox, FAULTS, KEY};
use chrono::Utc;
use cryptill_core::checkout::Checkout;
use cryptill_core::gateway::counos::{CounosClient, RateList, OWN_DEADLINE_NOTICE};
use cryptill_core::gateway::{
    Gateway, GatewayOrder, OrderRef, OrderRequest, SaleState, WithdrawRequest,
};
use cryptill_core::ledger::Ledger;
use cryptill_core::money::Currency;
use cryptill_core::{Error, ErrorKind};
use cryptill_sandbox::client::Dialect::Counos;
use cryptill_sandbox::client::Payment;
use cryptill_sandbox::Fault;
use rust_decimal_macros::dec;

fn client(sandbox: &Sandbox) -> CounosClient {
    client_with_key(sandbox, KEY)
}

/// A fresh sandbox, a client of it and the request for one sale.
async fn sale(id: &str, symbol: &str, amount: &str) -> (Sandbox, CounosClient, OrderRequest) {
    let sandbox = crate::support::start(|c| c).await;
    let client = client(&sandbox);
    let request = request(&client, id, symbol, amount).await;
    (sandbox, client, request)
}

async fn request(client: &CounosClient, id: &str, symbol: &str, crypto: &str) -> OrderRequest {
    let coin = coin(client, symbol).await;
    OrderRequest {
        merchant_order_id: id.into(),
        crypto: money(crypto, &coin.currency()),
        fiat: money("10", &eur()),
        created_at: Utc::now(),
        title: format!("Sale {id} at Test shop"),
        description: "A test sale.".into(),
        coin,
    }
}

async fn order_of(client: &CounosClient, request: &OrderRequest) -> GatewayOrder {
    let order_ref = OrderRef {
        merchant_order_id: request.merchant_order_id.clone(),
        gateway_order_id: None,
    };
    client.order(&order_ref, &request.coin).await.unwrap()
}

/// `GET terminal/tickers`.
#[tokio::test]
async fn tickers_list_enabled_coins_with_ids_read_from_the_gateway() {
    let sandbox = crate::support::start(|c| c).await;
    let coins = client(&sandbox).coins().await.unwrap();
    let btc = coins.iter().find(|c| c.symbol == "BTC").unwrap();
    // The sandbox's ids are deliberately not 1, 2, 3: they are read, not guessed.
    assert_eq!(
        (btc.gateway_id.as_str(), btc.network.as_str()),
        ("11", "Bitcoin")
    );
    assert_eq!(
        coins.iter().find(|c| c.symbol == "ETH").unwrap().decimals,
        18
    );
    assert!(
        coins.iter().all(|c| c.symbol != "DOGE"),
        "a disabled coin was offered"
    );
}

/// The key test (`terminal/tickers` with the key).
#[tokio::test]
async fn the_key_test_accepts_the_terminal_key_and_refuses_another() {
    let sandbox = crate::support::start(|c| c).await;
    client(&sandbox).test_key().await.unwrap();
    let err = client_with_key::<CounosClient>(&sandbox, "not-the-key")
        .test_key()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert!(
        err.to_string().contains("Ask the owner to enter it again"),
        "{err}"
    );
    assert!(!err.to_string().contains("not-the-key"), "{err}");
}

/// `GET exchange/rate/currency2crypto/convert`.
#[tokio::test]
async fn a_fiat_price_converts_to_the_coin_rounded_up() {
    let sandbox = crate::support::start(|c| c).await;
    let client = client(&sandbox);
    let btc = coin(&client, "BTC").await;
    let conversion = client.convert(&money("12.50", &eur()), &btc).await.unwrap();
    // 12.50 / 58000 = 0.000215517..., never rounded in the shop's disfavour.
    assert_eq!(conversion.crypto.to_string(), "0.00021552 BTC");
    assert_eq!(conversion.rate.to_string(), "58000.00");
}

/// `GET exchange/rate/crypto2currency/convert`.
#[tokio::test]
async fn a_coin_amount_is_valued_in_fiat_at_the_gateway_rate() {
    let sandbox = crate::support::start(|c| c).await;
    let client = client(&sandbox);
    let valued = client
        .crypto_to_fiat(
            &money("0.001", &Currency::coin("BTC")),
            &Currency::fiat("USD").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(valued.fiat.to_string(), "62.00 USD");
    assert_eq!(valued.rate.to_string(), "62000.00");
}

/// `GET exchange/rate/crypto`, `.../currencies`, `.../metals`.
#[tokio::test]
async fn the_three_rate_lists_give_exact_usd_and_eur_prices() {
    let sandbox = crate::support::start(|c| c).await;
    let client = client(&sandbox);
    let crypto = client.rates(RateList::Crypto).await.unwrap();
    let btc = crypto.iter().find(|r| r.symbol == "BTC").unwrap();
    assert_eq!(btc.usd.unwrap().to_string(), "62000.00");
    assert_eq!(btc.eur.unwrap().to_string(), "58000.00");
    let currencies = client.rates(RateList::Currencies).await.unwrap();
    let euro = currencies.iter().find(|r| r.symbol == "EUR").unwrap();
    assert_eq!(euro.usd.unwrap().to_string(), "1.0695");
    let metals = client.rates(RateList::Metals).await.unwrap();
    let gold = metals.iter().find(|r| r.symbol == "XAU").unwrap();
    assert_eq!(gold.usd.unwrap().to_string(), "2650.00");
}

/// `POST terminal/order` then `GET terminal/order/{orderId}`, through every
/// state the amounts and the `paid` flag can express.
#[tokio::test]
async fn an_order_is_followed_through_underpaid_confirming_and_paid() {
    let (sandbox, client, request) = sale("55500001", "BTC", "0.001").await;
    let created = client.create_order(&request).await.unwrap();
    assert_eq!(created.state, SaleState::Awaiting);
    assert_eq!(created.merchant_order_id, "55500001");
    assert_eq!(
        created.expected.as_ref().unwrap().to_string(),
        "0.00100000 BTC"
    );
    // paidAmount arrives as the string "0.00000000".
    assert_eq!(created.paid.to_fixed(), "0.00000000");
    assert_ne!(created.gateway_order_id, "55500001");
    assert!(created.expires_at.is_some());
    assert_eq!(created.required_confirmations, 2);
    assert_eq!(created.notice, None);

    let control = &sandbox.control;
    let part = Payment::of(dec!(0.0004)).confirmations(2);
    control.pay(Counos, "55500001", part).await.unwrap();
    let underpaid = order_of(&client, &request).await;
    assert_eq!(underpaid.state, SaleState::Underpaid);
    assert_eq!(underpaid.paid.to_fixed(), "0.00040000");

    let rest = Payment::of(dec!(0.0006)).confirmations(0);
    control.pay(Counos, "55500001", rest).await.unwrap();
    let confirming = order_of(&client, &request).await;
    assert_eq!(confirming.state, SaleState::Confirming);
    assert_eq!(confirming.paid.to_fixed(), "0.00100000");

    control.confirm(Counos, "55500001", Some(2)).await.unwrap();
    let paid = order_of(&client, &request).await;
    assert_eq!(paid.state, SaleState::Paid);
    assert_eq!(paid.confirmations, 2);
    assert!(paid.transaction_id.is_some());
    assert_eq!(paid.gateway_order_id, created.gateway_order_id);
}

#[tokio::test]
async fn an_overpaid_order_and_an_expired_one_are_told_apart() {
    let sandbox = crate::support::start(|c| c).await;
    let client = client(&sandbox);
    let over = request(&client, "55500002", "LTC", "0.5").await;
    client.create_order(&over).await.unwrap();
    let over_pay = Payment::of(dec!(0.6));
    sandbox
        .control
        .pay(Counos, "55500002", over_pay)
        .await
        .unwrap();
    assert_eq!(order_of(&client, &over).await.state, SaleState::Overpaid);

    let late = request(&client, "55500003", "LTC", "0.5").await;
    client.create_order(&late).await.unwrap();
    sandbox.control.expire(Counos, "55500003").await.unwrap();
    assert_eq!(order_of(&client, &late).await.state, SaleState::Expired);
}

#[tokio::test]
async fn an_unknown_order_is_not_found() {
    let sandbox = crate::support::start(|c| c).await;
    let client = client(&sandbox);
    let btc = coin(&client, "BTC").await;
    let order_ref = OrderRef {
        merchant_order_id: "55500004".into(),
        gateway_order_id: None,
    };
    let err = client.order(&order_ref, &btc).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
}

/// gateways.md: `renew: false` returns the existing order, "what makes a
/// retry safe". The sandbox acts on the request before losing the answer.
#[tokio::test]
async fn an_order_whose_answer_was_lost_is_found_again_on_retry() {
    let (sandbox, client, request) = sale("55500005", "BTC", "0.001").await;
    for fault in [Fault::Reset, Fault::MalformedJson] {
        sandbox.fault(fault).await;
        let err = client.create_order(&request).await.unwrap_err();
        assert_fault_error(fault, "create_order", &err);
    }
    let first = order_of(&client, &request).await;
    let retried = client.create_order(&request).await.unwrap();
    assert_eq!(retried.gateway_order_id, first.gateway_order_id);
    assert_eq!(retried.address, first.address);
}

/// `GET terminal/balance`.
#[tokio::test]
async fn the_balance_counts_what_customers_paid_in() {
    let sandbox = crate::support::start(|c| c).await;
    let client = client(&sandbox);
    let before = client.balances().await.unwrap();
    let btc_before = before.iter().find(|b| b.coin == "BTC").unwrap();
    assert!(btc_before.amount.amount().is_zero());
    assert_eq!(btc_before.title, "Bitcoin");
    let request = request(&client, "55500006", "BTC", "0.00021552").await;
    client.create_order(&request).await.unwrap();
    let full = Payment::full();
    sandbox.control.pay(Counos, "55500006", full).await.unwrap();
    let after = client.balances().await.unwrap();
    let btc = after.iter().find(|b| b.coin == "BTC").unwrap();
    assert_eq!(btc.amount.to_fixed(), "0.00021552");
    assert!(after.iter().all(|b| b.coin != "DOGE"));
}

/// `POST terminal/withdraw` refused: the gateway's exact words, then what to do.
#[tokio::test]
async fn a_withdrawal_the_terminal_may_not_make_says_so_and_what_to_do() {
    let sandbox = crate::support::start(|c| c).await;
    let client = client(&sandbox);
    let btc = coin(&client, "BTC").await;
    let err = client
        .withdraw(&WithdrawRequest {
            amount: money("0.001", &btc.currency()),
            coin: btc,
            address: "tb1qowner".into(),
        })
        .await
        .unwrap_err();
    match &err {
        Error::GatewayRefused { message, .. } => assert_eq!(
            message,
            "Withdraw is not permitted by API. Please contact the terminal owner. \
             In the Counos dashboard, tick 'allow withdraw and send transaction from \
             terminal's wallet' for this terminal, then try again."
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_no_key(&err);
}

/// `POST terminal/withdraw` accepted, then `GET terminal/withdraws` with a search.
#[tokio::test]
async fn a_permitted_withdrawal_is_registered_listed_and_found_by_address_or_tx() {
    let sandbox = crate::support::start(|c| cryptill_sandbox::Config {
        withdraw_permitted: true,
        ..c
    })
    .await;
    let client = client(&sandbox);
    let request = request(&client, "55500007", "BTC", "0.002").await;
    client.create_order(&request).await.unwrap();
    let full = Payment::full();
    sandbox.control.pay(Counos, "55500007", full).await.unwrap();
    let btc = request.coin.clone();

    // Below the per-ticker minimum: the gateway's refusal, as it says it.
    let err = client
        .withdraw(&WithdrawRequest {
            amount: money("0.0001", &btc.currency()),
            coin: btc.clone(),
            address: "tb1qownerwallet".into(),
        })
        .await
        .unwrap_err();
    match &err {
        Error::GatewayRefused { message, .. } => {
            assert!(
                message.contains("minimum withdrawal of 0.0005 BTC"),
                "{message}"
            )
        }
        other => panic!("expected a refusal, got {other:?}"),
    }

    let receipt = client
        .withdraw(&WithdrawRequest {
            amount: money("0.001", &btc.currency()),
            coin: btc.clone(),
            address: "tb1qownerwallet".into(),
        })
        .await
        .unwrap();
    assert!(receipt
        .message
        .contains("e-mailed the terminal owner a confirmation link"));
    assert!(receipt.message.contains("fee and the withdrawable amount"));
    let registered = receipt
        .withdrawal
        .expect("the gateway answered the withdrawal");
    assert_eq!(registered.coin, "BTC");
    assert_eq!(registered.amount.unwrap().to_fixed(), "0.00100000");
    assert_eq!(registered.address.as_deref(), Some("tb1qownerwallet"));
    assert_eq!(registered.status, "pending");

    let listed = client.withdrawals(None).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, registered.id);
    assert!(listed[0].created_at.is_some());
    assert_eq!(
        client.withdrawals(Some("OWNERWALLET")).await.unwrap().len(),
        1
    );
    assert!(client
        .withdrawals(Some("tb1qsomeoneelse"))
        .await
        .unwrap()
        .is_empty());

    // Counos numbers withdrawals; the client keeps the id as text.
    let id = registered.id.parse().unwrap();
    let control = &sandbox.control;
    control
        .counos_complete_withdrawal(id, Some(3))
        .await
        .unwrap();
    let done = client.withdrawals(None).await.unwrap().remove(0);
    assert_eq!(
        (done.status.as_str(), done.confirmations),
        ("done", Some(3))
    );
    let tx = done
        .transaction_id
        .expect("a completed withdrawal has a transaction");
    let by_tx = client.withdrawals(Some(&tx)).await.unwrap();
    assert_eq!(by_tx.len(), 1);
    // What the owner's screen receives: amounts as exact decimal text.
    let shown = serde_json::to_value(&by_tx[0]).unwrap();
    assert_eq!(shown["amount"], "0.00100000");
    assert_eq!(shown["transactionId"], tx.as_str());
}

/// Every fault the sandbox can inject, on every endpoint the client calls:
/// each becomes the error the counter is told about, and none carries the key.
#[tokio::test]
async fn every_fault_on_every_endpoint_becomes_a_cashier_worded_error() {
    let (sandbox, client, request) = sale("55500008", "BTC", "0.001").await;
    client.create_order(&request).await.unwrap();
    let order_ref = OrderRef {
        merchant_order_id: request.merchant_order_id.clone(),
        gateway_order_id: None,
    };
    let withdrawal = WithdrawRequest {
        coin: request.coin.clone(),
        amount: money("0.001", &request.coin.currency()),
        address: "tb1qowner".into(),
    };
    let fiat = money("10", &eur());
    let usd = Currency::fiat("USD").unwrap();
    for fault in FAULTS {
        macro_rules! check {
            ($name:literal, $call:expr) => {{
                sandbox.fault(fault).await;
                assert_call_fails(fault, $name, $call).await;
            }};
        }
        check!("coins", client.coins());
        check!("test_key", client.test_key());
        check!("convert", client.convert(&fiat, &request.coin));
        check!(
            "crypto_to_fiat",
            client.crypto_to_fiat(&request.crypto, &usd)
        );
        check!("rates crypto", client.rates(RateList::Crypto));
        check!("rates currencies", client.rates(RateList::Currencies));
        check!("rates metals", client.rates(RateList::Metals));
        check!("create_order", client.create_order(&request));
        check!("order", client.order(&order_ref, &request.coin));
        check!("balances", client.balances());
        check!("withdrawals", client.withdrawals(Some("tb1q")));
        check!("withdraw", client.withdraw(&withdrawal));
    }
    assert!(sandbox.unspent_faults().await.is_empty());
    // After the storm, the same client works again.
    assert_eq!(order_of(&client, &request).await.state, SaleState::Awaiting);
}

#[tokio::test]
async fn a_slow_gateway_within_the_timeout_still_answers() {
    let sandbox = crate::support::start(|c| c).await;
    sandbox.latency(400).await;
    let client = client(&sandbox);
    let started = std::time::Instant::now();
    assert!(!client.coins().await.unwrap().is_empty());
    assert!(started.elapsed() >= std::time::Duration::from_millis(400));
}

// ---- issue #8: correct on the documented wire ---------------------------------

fn counter(sandbox: &Sandbox, ledger: &std::path::Path) -> (std::sync::Arc<Ledger>, Checkout) {
    let ledger = std::sync::Arc::new(Ledger::open(ledger).unwrap());
    let checkout = Checkout::new(ledger.clone(), std::sync::Arc::new(client(sandbox)), eur());
    (ledger, checkout)
}

/// gateways.md, Round 2: order ids valid as integer and as string. The
/// sandbox refuses any other, so every sale the checkout makes proves it.
#[tokio::test]
async fn sales_go_out_with_digit_only_order_ids_below_2_pow_53() {
    let sandbox = crate::support::start(|c| c).await;
    let dir = tempfile::tempdir().unwrap();
    let (ledger, checkout) = counter(&sandbox, &dir.path().join("ledger.sqlite3"));
    let payment = checkout.charge("12.50", "BTC").await.unwrap();
    let sale = ledger.sale(payment.sale_id).unwrap();
    let id: u64 = sale.merchant_order_id.parse().unwrap();
    assert!(id < 1 << 53, "{id}");
    assert_eq!(payment.state, SaleState::Awaiting);

    // A string id such as the README's `inv-125` is refused by the sandbox,
    // as a gateway that reads orderId as an integer would.
    let client = client(&sandbox);
    let err = client
        .create_order(&request(&client, "inv-125", "BTC", "0.001").await)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Gateway, "{err}");
}

/// gateways.md, Round 2: `renew:false` returns whatever order has the id.
/// An answer for another amount (an id reused by a restored ledger) is
/// refused in words and never recorded.
#[tokio::test]
async fn an_old_order_handed_back_for_a_reused_id_is_refused() {
    let sandbox = crate::support::start(|c| c).await;
    let client = client(&sandbox);
    let old = request(&client, "55500020", "BTC", "0.0002").await;
    client.create_order(&old).await.unwrap();
    let new = request(&client, "55500020", "BTC", "0.009").await;
    let err = client.create_order(&new).await.unwrap_err();
    assert!(matches!(err, Error::GatewayMismatch { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("0.0002") && text.contains("0.00900000 BTC"),
        "{text}"
    );
    assert!(text.contains("not marked"), "{text}");
    // The same coin asked in another ticker is refused too.
    let ltc = request(&client, "55500020", "LTC", "0.0002").await;
    assert!(matches!(
        client.create_order(&ltc).await.unwrap_err(),
        Error::GatewayMismatch { .. }
    ));
}

/// Copy the ledger, sell, restore the copy, sell again: the second sale
/// gets a new order at the gateway, never the first one's.
#[tokio::test]
async fn a_restored_ledger_sells_again_without_taking_an_old_order() {
    let sandbox = crate::support::start(|c| c).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite3");
    let backup = dir.path().join("backup.sqlite3");
    {
        let (ledger, _) = counter(&sandbox, &path);
        ledger.set_setting("shop_name", "Backup time").unwrap();
    }
    std::fs::copy(&path, &backup).unwrap();

    let (ledger, checkout) = counter(&sandbox, &path);
    let first = checkout.charge("1", "BTC").await.unwrap();
    let first_sale = ledger.sale(first.sale_id).unwrap();
    let order = &first_sale.merchant_order_id;
    sandbox
        .control
        .pay(Counos, order, Payment::full())
        .await
        .unwrap();
    drop(checkout);
    drop(ledger);

    std::thread::sleep(std::time::Duration::from_millis(5));
    for extra in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{extra}", path.display()));
    }
    std::fs::copy(&backup, &path).unwrap();
    let (ledger, checkout) = counter(&sandbox, &path);
    let second = checkout.charge("50", "BTC").await.unwrap();
    let second_sale = ledger.sale(second.sale_id).unwrap();
    assert_eq!(
        second_sale.id, first_sale.id,
        "the restored ledger reuses the sale number"
    );
    assert_ne!(second_sale.merchant_order_id, first_sale.merchant_order_id);
    assert_ne!(second.gateway_order_id, first.gateway_order_id);
    assert_eq!(second.state, SaleState::Awaiting);
    assert_eq!(second.paid_amount, "0.00000000");
    assert_eq!(second.crypto_amount, "0.00086207");
}

/// gateways.md, Round 2: an order without an expiry field. The app sets
/// its own deadline from the order's `createdAt`, says so, and the sale
/// ends (stops being polled) when it passes.
#[tokio::test]
async fn without_an_expiry_field_the_app_sets_its_own_deadline_and_says_so() {
    let sandbox = crate::support::start(|c| cryptill_sandbox::Config {
        counos_expiry_field: false,
        ..c
    })
    .await;
    let client = client(&sandbox);
    let request = request(&client, "55500021", "BTC", "0.001").await;
    let order = client.create_order(&request).await.unwrap();
    let deadline = order.expires_at.expect("a deadline of the app's own");
    let minutes = (deadline - Utc::now()).num_minutes();
    assert!((28..=30).contains(&minutes), "{minutes}");
    assert_eq!(order.notice.as_deref(), Some(OWN_DEADLINE_NOTICE));

    // Once past it (the sandbox moves the order's creation back), the
    // order is expired: a final state, so following it stops.
    let dir = tempfile::tempdir().unwrap();
    let (ledger, checkout) = counter(&sandbox, &dir.path().join("ledger.sqlite3"));
    let payment = checkout.charge("12.50", "BTC").await.unwrap();
    assert_eq!(payment.notice.as_deref(), Some(OWN_DEADLINE_NOTICE));
    let sale = ledger.sale(payment.sale_id).unwrap();
    let aged = sandbox.control.counos_age(&sale.merchant_order_id, 31);
    aged.await.unwrap();
    let mut updates = Vec::new();
    checkout
        .follow(payment.sale_id, |p| {
            updates.push(p.state);
            true
        })
        .await
        .unwrap();
    assert_eq!(updates.last(), Some(&SaleState::Expired));
}

/// gateways.md, Round 2 "Both": no redirect is followed, so the key never
/// reaches the host a redirect points to.
#[tokio::test]
async fn a_redirect_is_not_followed_and_the_key_never_reaches_the_other_host() {
    let (gateway, elsewhere) = redirecting(
        "302 Found",
        r#"{"statusCode":200,"statusMessage":"ok","data":[]}"#,
    )
    .await;
    let client: CounosClient = client_at(&gateway.url);
    let err = client.test_key().await.unwrap_err();
    assert!(err.to_string().contains("redirect"), "{err}");
    assert_no_key(&err);
    assert!(gateway.requests()[0]
        .to_ascii_lowercase()
        .contains("x-api-key"));
    assert!(elsewhere.requests().is_empty(), "the redirect was followed");
}

/// A hostile gateway: a tiny converted_value (once a decimal overflow and
/// exit 101), an answer without statusCode, and a payment address that is
/// no address. Each ends in words.
#[tokio::test]
async fn hostile_answers_end_in_words_never_a_panic() {
    let server = crate::support::loopback::serve(|request| {
        let body = if request.contains("terminal/tickers") {
            r#"{"statusCode":200,"statusMessage":"ok","data":[{"id":11,"title":"Bitcoin","keyword":"btc","enabled":true}]}"#
        } else if request.contains("currency2crypto") {
            r#"{"statusCode":200,"statusMessage":"ok","data":{"converted_value":0.0000000000000000000000000001,"exchange_rate":[]}}"#
        } else if request.contains("crypto2currency") {
            r#"{"data":{"converted_value":1,"exchange_rate":1}}"#
        } else {
            r#"{"statusCode":200,"statusMessage":"ok","data":{"id":1,"merchantOrderId":"55500030","expectedAmount":0.001,"paidAmount":0,"orderAddress":"=HYPERLINK(\"http://x\",\"pay\")","paid":false}}"#
        };
        crate::support::loopback::response("200 OK", &[("Content-Type", "application/json")], body)
    })
    .await;
    let client: CounosClient = client_at(&server.url);
    let btc = coin(&client, "BTC").await;
    let err = client
        .convert(&money("10", &eur()), &btc)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("price for BTC looks wrong"),
        "{err}"
    );
    let err = client
        .crypto_to_fiat(&money("1", &Currency::coin("BTC")), &eur())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Gateway, "{err}");
    let request = OrderRequest {
        merchant_order_id: "55500030".into(),
        crypto: money("0.001", &btc.currency()),
        fiat: money("10", &eur()),
        created_at: Utc::now(),
        title: "t".into(),
        description: "d".into(),
        coin: btc,
    };
    let err = client.create_order(&request).await.unwrap_err();
    assert!(err.to_string().contains("payment address"), "{err}");
}
