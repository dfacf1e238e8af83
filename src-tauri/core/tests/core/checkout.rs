//! The checkout against the sandbox gateway over real HTTP, with a real
//! SQLite ledger in a temp dir.

use cryptill_core::gateway::counos::CounosClient;
use cryptill_core::gateway::{Gateway, GatewayKind, OrderRequest, SaleState};
use cryptill_core::money::{Currency, Money};
use cryptill_core::secret::Sensitive;
use cryptill_core::ErrorKind;
use cryptill_sandbox::client::{Dialect, Payment};
use std::time::Duration;

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

/// Round 23 (BENCHMARKS.md, "one flush, beside the order's round trip"):
/// the sale, its claim and its conversion are committed without waiting
/// for the disk, and the ledger's log is flushed while the order's request
/// is out; the flush is done before the gateway's answer is recorded, so
/// before any QR. Every gateway answer is held back here, so the ledger can
/// be looked at while the order's request waits for its answer.
#[tokio::test]
async fn the_ledger_is_flushed_while_the_order_request_is_out_before_its_answer_is_recorded() {
    let c = counter().await;
    // On the shared ledger the server makes each commit durable itself.
    let unsynced = if c.shared.is_some() { 0 } else { 1 };
    let id = recorded_sale(&c).await;
    // Recorded (another process reads it: a crash of the app loses
    // nothing), but nobody waited for the disk yet.
    assert_eq!(c.ledger.unflushed_commits(), unsynced);
    let other = cryptill_core::ledger::Ledger::open(&c.ledger_path()).unwrap();
    assert_eq!(other.sale(id).unwrap().state, SaleState::Creating);

    let control = &c.sandbox.control;
    control.reset_requests().await.unwrap();
    control
        .set_latency(std::time::Duration::from_millis(1000))
        .await
        .unwrap();
    let look = async {
        // The order's request has reached the gateway (counted on arrival,
        // answered a second later)...
        while control.requests().await.unwrap().matching("terminal/order") == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        // ...and the log is flushed while it waits for the answer.
        loop {
            let sale = c.ledger.sale(id).unwrap();
            if c.ledger.unflushed_commits() == 0 || sale.state != SaleState::Creating {
                return (sale, c.ledger.unflushed_commits());
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    };
    let (placed, (seen, unflushed)) = tokio::join!(c.checkout.place(id), look);
    assert_eq!(unflushed, 0, "the log was not flushed before the answer");
    assert_eq!(seen.state, SaleState::Creating, "the answer came first");
    assert!(
        seen.crypto.is_some(),
        "the conversion is in what was flushed"
    );
    let placed = placed.unwrap();
    assert_eq!(placed.state, SaleState::Awaiting);
    assert!(placed.qr_png.starts_with("data:image/png"));
    // The order's own commit does not wait for the disk: the gateway hands
    // the order back for the flushed sale after a power cut (outcomes::).
    assert_eq!(c.ledger.unflushed_commits(), unsynced);
}

/// The order's request fails after the gateway acted on it (the answer is
/// lost): the sale and its conversion are on disk before the failure is
/// told, and Retry finds the one order the gateway made.
#[tokio::test]
async fn a_lost_order_answer_is_told_only_after_the_sale_is_on_disk() {
    let c = counter().await;
    c.checkout.coins().await.unwrap();
    // The conversion (asked while the sale is recorded) passes; the order
    // is made, its answer is lost.
    let faults = [
        cryptill_sandbox::Fault::Pass,
        cryptill_sandbox::Fault::Reset,
    ];
    c.sandbox.control.queue_faults(&faults).await.unwrap();
    let id = recorded_sale(&c).await;
    let lost = c.checkout.place(id).await.unwrap_err();
    assert_eq!(lost.kind(), ErrorKind::Network, "{lost}");
    assert_eq!(c.ledger.unflushed_commits(), 0);
    let sale = c.ledger.sale(id).unwrap();
    assert_eq!(sale.state, SaleState::Creating);
    assert!(sale.crypto.is_some());
    let again = c.checkout.place(id).await.unwrap();
    assert_eq!(again.state, SaleState::Awaiting);
    assert_eq!(again.crypto_amount, sale.crypto.unwrap().to_fixed());
}

/// A sale recorded as the window's Charge records it, its order not yet
/// placed; the gateway's coin list is fetched first, so the conversion
/// (asked while the sale is recorded; on the shared ledger by `place`) and
/// the order are the next requests.
async fn recorded_sale(c: &Counter) -> i64 {
    c.checkout.coins().await.unwrap();
    let entry = counter::entry("12.50");
    c.checkout.start_sale(&entry).await.unwrap().sale_id
}

/// A counter whose coin list is in, with the sandbox's request counts
/// from zero: what a sale asks of the gateway is all that is counted.
async fn counted() -> Counter {
    let c = counter().await;
    c.checkout.coins().await.unwrap();
    c.sandbox.control.reset_requests().await.unwrap();
    c
}

/// A sale recorded with `start_sale` (a core door; the window's Charge is
/// `charge_sale`) asks the gateway nothing; `place` converts its price
/// once, locks it and places the order.
#[tokio::test]
async fn a_started_sale_is_converted_once_by_its_placement() {
    let c = counted().await;
    let control = &c.sandbox.control;
    let started = c
        .checkout
        .start_sale(&counter::entry("12.50"))
        .await
        .unwrap();
    assert_eq!(started.state, SaleState::Creating);
    assert_eq!(control.requests().await.unwrap().matching("convert"), 0);
    let placed = c.checkout.place(started.sale_id).await.unwrap();
    assert_placed_converted_once(&c, &placed).await;
}

/// 12.50 EUR placed at the sandbox's one conversion of it: the payment
/// screen with its QR, the amount locked in the ledger, one `convert`.
async fn assert_placed_converted_once(c: &Counter, placed: &cryptill_core::checkout::Payment) {
    assert_eq!(placed.state, SaleState::Awaiting);
    assert_eq!(placed.crypto_amount, "0.00021552");
    assert!(placed.qr_png.starts_with("data:image/png"));
    let counts = c.sandbox.control.requests().await.unwrap();
    assert_eq!(counts.matching("convert"), 1, "{counts:?}");
    assert_eq!(counts.matching("terminal/order"), 1, "{counts:?}");
    let sale = c.ledger.sale(placed.sale_id).unwrap();
    assert_eq!(sale.crypto.unwrap().to_fixed(), "0.00021552");
    assert_eq!(
        sale.gateway_order_id.as_ref(),
        Some(&placed.gateway_order_id)
    );
}

/// The window's Charge (`charge_sale`, one call): with no rate of the last
/// minute, the conversion is asked once, while the sale is recorded, and
/// locked in it; the order follows and the QR comes back with it.
#[tokio::test]
async fn the_windows_charge_asks_the_conversion_once_and_places_the_sale() {
    let c = counted().await;
    let placed = c
        .checkout
        .charge_sale(&counter::entry("12.50"))
        .await
        .unwrap();
    assert_placed_converted_once(&c, &placed).await;
}

/// The window's Charge fails after its sale is recorded (the conversion
/// asked with it fails): the failure names the sale, which stays unplaced
/// with nothing locked; the window's Retry (`place` of that sale) asks the
/// conversion again and places it: one sale, one order.
#[tokio::test]
async fn a_charge_that_fails_after_recording_names_its_sale_for_retry() {
    let c = counted().await;
    c.sandbox.fault(cryptill_sandbox::Fault::Http500).await;
    let failed = c
        .checkout
        .charge_sale(&counter::entry("12.50"))
        .await
        .unwrap_err();
    assert_eq!(failed.error.kind(), ErrorKind::Network, "{}", failed.error);
    let id = failed.sale_id.expect("the recorded sale is named");
    let placed = retry_after_its_conversion_failed(&c, id).await;
    assert_eq!(placed.sale_id, id);
    let sales = c.ledger.sales_since(chrono::DateTime::UNIX_EPOCH).unwrap();
    assert_eq!(sales.len(), 1);
}

/// Sale `id`, whose conversion just failed (the fault spent), is unplaced
/// with nothing locked and no order asked; Retry (`place`) asks the
/// conversion again and places it, one order. Returns the placed sale.
async fn retry_after_its_conversion_failed(
    c: &Counter,
    id: i64,
) -> cryptill_core::checkout::Payment {
    let control = &c.sandbox.control;
    assert!(c.sandbox.unspent_faults().await.is_empty());
    let sale = c.ledger.sale(id).unwrap();
    assert_eq!((sale.state, sale.crypto), (SaleState::Creating, None));
    assert_eq!(
        control.requests().await.unwrap().matching("terminal/order"),
        0
    );
    let placed = c.checkout.place(id).await.unwrap();
    assert_eq!(placed.state, SaleState::Awaiting);
    let counts = control.requests().await.unwrap();
    assert_eq!(counts.matching("convert"), 2, "{counts:?}");
    assert_eq!(counts.matching("terminal/order"), 1, "{counts:?}");
    placed
}

/// A charge refused before anything is recorded names no sale: Retry
/// charges afresh.
#[tokio::test]
async fn a_charge_refused_before_recording_names_no_sale() {
    let c = counter().await;
    let failed = c
        .checkout
        .charge_sale(&counter::entry("0"))
        .await
        .unwrap_err();
    assert_eq!(failed.error.kind(), ErrorKind::Input, "{}", failed.error);
    assert_eq!(failed.sale_id, None);
    let sales = c.ledger.sales_since(chrono::DateTime::UNIX_EPOCH).unwrap();
    assert!(sales.is_empty());
}

/// The conversion of a recorded sale fails: its `place` says so and the
/// sale stays unplaced; Retry (`place` again) asks the conversion again and
/// places the sale, one order.
#[tokio::test]
async fn a_failed_conversion_is_told_by_place_and_retry_asks_again() {
    let c = counted().await;
    let control = &c.sandbox.control;
    c.sandbox.fault(cryptill_sandbox::Fault::Http500).await;
    let id = recorded_sale(&c).await;
    let failed = c.checkout.place(id).await.unwrap_err();
    assert_eq!(failed.kind(), ErrorKind::Network, "{failed}");
    let placed = retry_after_its_conversion_failed(&c, id).await;
    assert_eq!(placed.crypto_amount, "0.00021552");
    // Placing it again returns it: no third conversion, no second order.
    let again = c.checkout.place(id).await.unwrap();
    assert_eq!(again.gateway_order_id, placed.gateway_order_id);
    assert_eq!(control.requests().await.unwrap().matching("convert"), 2);
}

/// The cashier sees a quote, then charges: within the rate's minute the
/// charge asks the gateway only for the order, at exactly the amount the
/// quote showed, for the quoted price and for any other (BENCHMARKS.md,
/// "Round 26"); the conversion is locked in the sale. A sale recorded with
/// `start_sale` and placed with `place` does the same.
#[tokio::test]
async fn a_charge_within_the_minute_of_a_quote_asks_only_for_the_order_at_the_quoted_amount() {
    let c = counter().await;
    let quoted = c.checkout.quote("12.50", "BTC").await.unwrap();
    let other = c.checkout.quote("7.30", "BTC").await.unwrap();
    let control = &c.sandbox.control;
    control.reset_requests().await.unwrap();

    let charged = c.checkout.charge("12.50", "BTC").await.unwrap();
    assert_eq!(charged.state, SaleState::Awaiting);
    assert_eq!(charged.crypto_amount, quoted.crypto_amount);
    let again = c.checkout.charge("7.30", "BTC").await.unwrap();
    assert_eq!(again.crypto_amount, other.crypto_amount);
    let started = c
        .checkout
        .start_sale(&counter::entry("7.30"))
        .await
        .unwrap();
    let placed = c.checkout.place(started.sale_id).await.unwrap();
    assert_eq!(placed.crypto_amount, other.crypto_amount);

    let counts = control.requests().await.unwrap();
    assert_eq!(counts.matching("convert"), 0, "{counts:?}");
    assert_eq!(counts.matching("terminal/order"), 3, "{counts:?}");
    let sale = c.ledger.sale(charged.sale_id).unwrap();
    assert_eq!(sale.crypto.unwrap().to_fixed(), quoted.crypto_amount);
    assert_eq!(sale.rate.unwrap().to_string(), quoted.rate);
}

/// Amounts at a kept rate are no finer than the gateway's own conversions
/// (the Counos sandbox answers in 8 places): ether, 18 places in the
/// chain, is quoted and charged for another price in 8, rounded up, and
/// the gateway takes the order at that amount.
#[tokio::test]
async fn a_price_converted_at_a_kept_rate_has_the_places_of_the_gateways_own_answers() {
    let c = counter().await;
    let first = c.checkout.quote("12.50", "ETH").await.unwrap();
    let other = c.checkout.quote("7.30", "ETH").await.unwrap();
    // Written in ether's 18 places; the digits past the 8th are zeros.
    let places = |amount: &str| {
        let digits = amount.split('.').nth(1).unwrap_or_default();
        digits.trim_end_matches('0').len()
    };
    assert!(places(&first.crypto_amount) <= 8, "{first:?}");
    // 7.30 EUR at 2,900 EUR/ETH is 0.002517241379.. ETH: up, in 8 places.
    assert_eq!(other.crypto_amount, "0.002517250000000000");
    let charged = c.checkout.charge("7.30", "ETH").await.unwrap();
    assert_eq!(charged.state, SaleState::Awaiting);
    assert_eq!(charged.crypto_amount, other.crypto_amount);
}

/// A rate older than its minute is never charged: the charge asks the
/// gateway, and when the gateway cannot answer the charge says so and
/// nothing is ordered, while a quote still shows the last rate with its
/// warning (rates kept for no time here, to see it without waiting).
#[tokio::test]
async fn a_charge_never_uses_a_rate_older_than_its_minute() {
    let mut c = counter().await;
    c.checkout = c.restarted().with_rate_ttl(Duration::ZERO);
    c.checkout.coins().await.unwrap();
    c.checkout.quote("12.50", "BTC").await.unwrap();
    let control = &c.sandbox.control;
    control.reset_requests().await.unwrap();
    c.sandbox.fault(cryptill_sandbox::Fault::Http500).await;
    let failed = c.checkout.charge("12.50", "BTC").await.unwrap_err();
    assert_eq!(failed.kind(), ErrorKind::Network, "{failed}");
    assert!(c.sandbox.unspent_faults().await.is_empty());
    let counts = control.requests().await.unwrap();
    assert_eq!(counts.matching("convert"), 1, "{counts:?}");
    assert_eq!(counts.matching("terminal/order"), 0, "{counts:?}");

    c.sandbox.fault(cryptill_sandbox::Fault::Http500).await;
    let shown = c.checkout.quote("12.50", "BTC").await.unwrap();
    assert!(shown.warning.is_some(), "{shown:?}");
    // The gateway answers again: the charge converts anew.
    let charged = c.checkout.charge("12.50", "BTC").await.unwrap();
    assert_eq!(charged.crypto_amount, "0.00021552");
}

/// The search index is brought up to date off the charge's path (the
/// watcher between its looks, a search), not in the charge's own writes:
/// still, a charged sale is found in the history the moment it is shown,
/// by any part of its order ids or address, and so it is at the next start
/// after the app is killed right after the charge.
#[tokio::test]
async fn a_charged_sale_is_found_in_the_history_at_once_and_after_a_crash() {
    use cryptill_core::ledger::Ledger;
    use cryptill_core::report::{self, SaleFilter};
    let c = counter().await;
    let shown = c.checkout.charge("12.50", "BTC").await.unwrap();
    let id = shown.sale_id;
    let sale = c.ledger.sale(id).unwrap();
    let moid = sale.merchant_order_id.clone();
    let texts = [
        shown.address[..12].to_ascii_uppercase(),
        moid[moid.len() - 7..].to_string(),
        shown.gateway_order_id.clone(),
        id.to_string(),
    ];
    let found = |ledger: &Ledger, text: &str| -> Vec<i64> {
        let filter = SaleFilter {
            search: Some(text.into()),
            ..SaleFilter::default()
        };
        report::history_page(ledger, &filter, &Default::default())
            .unwrap()
            .rows
            .iter()
            .map(|s| s.id)
            .collect()
    };
    if c.shared.is_none() {
        // The charge indexed nothing itself: its sale waits in the queue.
        let queued: i64 = rusqlite::Connection::open(c.ledger_path())
            .unwrap()
            .query_row(
                "SELECT count(*) FROM sales_search_queue WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(queued, 1);
        // The app killed right after the QR showed: its file and log as
        // they are, opened by the next start.
        let image = tempfile::tempdir().unwrap();
        for name in ["ledger.sqlite3", "ledger.sqlite3-wal"] {
            std::fs::copy(c.dir.path().join(name), image.path().join(name)).unwrap();
        }
        let next = Ledger::open(&image.path().join("ledger.sqlite3")).unwrap();
        for text in &texts {
            assert_eq!(found(&next, text), vec![id], "after a crash: {text}");
        }
    }
    for text in &texts {
        assert_eq!(found(&c.ledger, text), vec![id], "{text}");
    }
}
