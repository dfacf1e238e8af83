//! A till whose clock is wrong: expiry is the gateway's to judge. The clock
//! is set wrong for this test's thread only (a current-thread runtime runs
//! the whole till there), so the other tests in the binary keep the time.

use std::sync::Arc;

use crate::support::KEY;
use cryptill_core::checkout::Checkout;
use cryptill_core::gateway::counos::CounosClient;
use cryptill_core::gateway::{GatewayKind, SaleState};
use cryptill_core::ledger::Ledger;
use cryptill_core::money::Currency;
use cryptill_core::secret::Sensitive;
use cryptill_sandbox::client::{Dialect, Payment};

#[tokio::test]
async fn a_till_clock_twenty_minutes_ahead_neither_expires_a_fresh_counos_sale_nor_a_paid_one() {
    let sandbox = crate::support::start(|c| c).await;
    let dir = tempfile::tempdir().unwrap();
    let ledger = Arc::new(Ledger::open(&dir.path().join("ledger.sqlite3")).unwrap());
    let client = CounosClient::new(
        GatewayKind::Demo,
        &sandbox.handle.counos_url(),
        Sensitive::new(KEY.to_string()),
    )
    .unwrap();
    let checkout = Checkout::new(
        ledger.clone(),
        Arc::new(client),
        Currency::fiat("EUR").unwrap(),
    );
    let _wrong = cryptill_core::clock::set_thread_offset(chrono::Duration::minutes(20));

    let placed = checkout.charge("12.50", "BTC").await.unwrap();
    assert_eq!(placed.state, SaleState::Awaiting, "{placed:?}");
    // By the till's clock the order's expiry has passed; by the gateway's it has not.
    let expires =
        chrono::DateTime::parse_from_rfc3339(placed.expires_at.as_deref().unwrap()).unwrap();
    assert!(
        expires < cryptill_core::clock::now(),
        "the test needs a till clock past the expiry"
    );
    assert_eq!(
        checkout.refresh(placed.sale_id).await.unwrap().state,
        SaleState::Awaiting
    );

    let merchant = ledger.sale(placed.sale_id).unwrap().merchant_order_id;
    let control = &sandbox.control;
    control
        .pay(Dialect::Counos, &merchant, Payment::full())
        .await
        .unwrap();
    assert_eq!(
        checkout.refresh(placed.sale_id).await.unwrap().state,
        SaleState::Paid
    );

    // And when the gateway's own time is past the expiry, it is expired.
    let other = checkout.charge("3.00", "BTC").await.unwrap();
    let merchant = ledger.sale(other.sale_id).unwrap().merchant_order_id;
    control.expire(Dialect::Counos, &merchant).await.unwrap();
    assert_eq!(
        checkout.refresh(other.sale_id).await.unwrap().state,
        SaleState::Expired
    );
}
