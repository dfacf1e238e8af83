//! The checkout against the sandbox gateway over real HTTP, with a real
//! SQLite ledger in a temp dir.

use cryptill_core::gateway::counos::CounosClient;
use cryptill_core::gateway::{Gateway, GatewayKind, OrderRequest, SaleState};
use cryptill_core::money::{Currency, Money};
use cryptill_core::secret::Sensitive;
use cryptill_core::ErrorKind;
use cryptill_sandbox::client::{Dialect, Payment};

use crate::support::counter::{self, Counter};

async fn counter() -> Counter {
    counter::counter(GatewayKind::Demo).await
}

#[tokio::test]
async fn demo_sale_is_charged_paid_and_recorded_in_the_ledger() {
    let c = counter().await;
    let coins = c.checkout.coins().await.unwrap();
    assert!(coins
        .iter()
        .any(|coin| coin.symbol == "BTC" && coin.network == "Bitcoin"));
    // The sandbox lists a disabled coin; a cashier must never be offered it.
    assert!(coins.iter().all(|coin| coin.symbol != "DOGE"));

    let quote = c.checkout.quote("12.50", "BTC").await.unwrap();
    // 12.50 EUR at 58000 EUR/BTC = 0.000215517.. BTC, never rounded in the shop's disfavour.
    assert_eq!(quote.crypto_amount, "0.00021552");
    assert_eq!(quote.rate, "58000.00");

    let payment = c.checkout.charge("12.50", "BTC").await.unwrap();
    assert_eq!(payment.state, SaleState::Awaiting);
    assert_eq!(payment.crypto_amount, "0.00021552");
    assert!(payment.address.starts_with("tb1q"), "{}", payment.address);
    assert_eq!(
        payment.payment_uri,
        format!("bitcoin:{}?amount=0.00021552", payment.address)
    );
    assert!(payment.qr_png.starts_with("data:image/png;base64,"));
    assert!(payment.expires_at.is_some());

    let sale = c.ledger.sale(payment.sale_id).unwrap();
    assert_eq!(sale.state, SaleState::Awaiting);
    c.pay(payment.sale_id, Payment::full()).await;

    let paid = c.checkout.refresh(payment.sale_id).await.unwrap();
    assert_eq!(paid.state, SaleState::Paid);
    assert_eq!(paid.paid_amount, "0.00021552");
    let sale = c.ledger.sale(payment.sale_id).unwrap();
    assert_eq!(sale.state, SaleState::Paid);
    assert_eq!(sale.fiat.to_string(), "12.50 EUR");
    assert_eq!(sale.crypto.unwrap().to_string(), "0.00021552 BTC");
    assert_eq!(sale.rate.unwrap().to_string(), "58000.00");
    assert_eq!(sale.gateway, GatewayKind::Demo);
    assert_eq!(Some(paid.gateway_order_id), sale.gateway_order_id);
    assert!(sale.paid_at.is_some() && sale.transaction_id.is_some());
}

#[tokio::test]
async fn following_a_sale_reports_each_state_until_it_is_paid() {
    let c = counter().await;
    let payment = c.checkout.charge("3", "LTC").await.unwrap();
    let order = c.ledger.sale(payment.sale_id).unwrap().merchant_order_id;
    let mut seen = Vec::new();
    let follow = c.checkout.follow(payment.sale_id, |p| {
        seen.push(p.state);
        true
    });
    let pay = async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let control = &c.sandbox.control;
        control
            .pay(Dialect::Counos, &order, Payment::full())
            .await
            .unwrap();
    };
    let (followed, ()) = tokio::join!(follow, pay);
    followed.unwrap();
    assert_eq!(seen.first(), Some(&SaleState::Awaiting));
    assert_eq!(seen.last(), Some(&SaleState::Paid));
}

#[tokio::test]
async fn creating_the_same_order_twice_returns_the_first_one() {
    let c = counter().await;
    let coin = c
        .checkout
        .coins()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.symbol == "BTC")
        .unwrap();
    let eur = Currency::fiat("EUR").unwrap();
    let request = OrderRequest {
        merchant_order_id: "55500100".into(),
        created_at: chrono::Utc::now(),
        title: "Sale 55500100 at Test shop".into(),
        description: "58.00 EUR paid in BTC at Test shop.".into(),
        crypto: Money::parse_entry("0.001", &coin.currency()).unwrap(),
        fiat: Money::parse_entry("58", &eur).unwrap(),
        coin,
    };
    let first = c.checkout.gateway().create_order(&request).await.unwrap();
    let again = c.checkout.gateway().create_order(&request).await.unwrap();
    assert_eq!(first.gateway_order_id, again.gateway_order_id);
    assert_eq!(first.address, again.address);
}

#[tokio::test]
async fn a_wrong_api_key_says_so_and_what_to_do() {
    let c = counter().await;
    let client = CounosClient::new(
        GatewayKind::Demo,
        &c.sandbox.handle.counos_url(),
        Sensitive::new("wrong".into()),
    )
    .unwrap();
    let err = client.coins().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert!(
        err.to_string()
            .contains("Ask the owner to enter it again in Settings"),
        "{err}"
    );
    assert!(
        !err.to_string().contains("wrong"),
        "the key leaked into the message: {err}"
    );
}

#[tokio::test]
async fn invalid_entries_never_reach_the_gateway() {
    let c = counter().await;
    for bad in ["", "0", "1.234", "abc"] {
        let err = c.checkout.charge(bad, "BTC").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Input, "{bad:?}: {err}");
    }
    assert!(c.ledger.open_sales().unwrap().is_empty());
    let err = c.checkout.charge("5", "XYZ").await.unwrap_err();
    assert!(err.to_string().contains("not offered"), "{err}");
}
