//! Gateway etiquette, counted by the sandbox (issue 11): what the till asks
//! of a gateway is counted per endpoint on the gateway's side, so these are
//! counts, never times.
//!
//! - Rates change every 60 s (gateways.md, CoinGate: "do not ask more
//!   often"): a cashier typing 100 prices over 3 coins within a minute costs
//!   at most one rate request per coin.
//! - An idle till (nothing open, nothing to watch) asks nothing at all.
//! - With 5 sales open, the watcher's polling keeps within the documented
//!   limit: CoinGate 200 requests a minute per API app on private endpoints
//!   (gateways.md, "Round 2"); Counos publishes none, and the watcher keeps
//!   the same pace (checkout/budget.rs).

use std::sync::Arc;
use std::time::{Duration, Instant};

use cryptill_core::checkout::Checkout;
use cryptill_core::gateway::GatewayKind;
use cryptill_sandbox::RequestCounts;

use crate::support::counter::{counter, Counter};

/// The rate endpoints of both dialects: Counos's conversions, CoinGate's rates.
fn rate_requests(counts: &RequestCounts) -> u64 {
    counts.matching("/exchange/rate/") + counts.matching("/rates")
}

async fn typed_prices_over_three_coins_ask_each_rate_once(kind: GatewayKind) {
    let c = counter(kind).await;
    c.sandbox.control.reset_requests().await.unwrap();
    let coins = ["BTC", "LTC", "ETH"];
    let started = Instant::now();
    // 34 prices typed, each quoted in the 3 coins at once as the coin
    // buttons ask for them: 102 quotes.
    for i in 0..34 {
        let amount = format!("{}.{:02}", 1 + i, (i * 7) % 100);
        let quotes = coins.map(|coin| c.checkout.quote(&amount, coin));
        let [a, b, d] = quotes;
        let (a, b, d) = tokio::join!(a, b, d);
        for quote in [a, b, d] {
            quote.unwrap();
        }
    }
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "within a minute"
    );
    let counts = c.sandbox.control.requests().await.unwrap();
    assert!(
        rate_requests(&counts) <= 3,
        "{kind:?}: 102 quotes over 3 coins asked for {} rates: {counts:?}",
        rate_requests(&counts)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_quotes_over_three_coins_cost_at_most_three_rate_requests_counos() {
    typed_prices_over_three_coins_ask_each_rate_once(GatewayKind::Counos).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_quotes_over_three_coins_cost_at_most_three_rate_requests_coingate() {
    typed_prices_over_three_coins_ask_each_rate_once(GatewayKind::Coingate).await;
}

/// The watcher and the late-payment watch running over the counter's ledger.
fn watched(c: &Counter) -> (Arc<Checkout>, tokio::task::JoinHandle<()>) {
    let checkout = Arc::new(c.restarted());
    let watcher = tokio::spawn(checkout.clone().watch());
    (checkout, watcher)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_idle_till_asks_the_gateway_nothing() {
    let c = counter(GatewayKind::Counos).await;
    // A day's business, finished: one sale paid, nothing open.
    let paid = c.checkout.charge("12.50", "BTC").await.unwrap().sale_id;
    c.pay(paid, cryptill_sandbox::client::Payment::full()).await;
    c.checkout.refresh(paid).await.unwrap();
    c.sandbox.control.reset_requests().await.unwrap();

    // The till restarts and sits idle past the late-payment watch's first
    // look (10 s after the start).
    let (checkout, watcher) = watched(&c);
    assert!(checkout.resume().await.is_empty());
    tokio::time::sleep(Duration::from_secs(12)).await;
    watcher.abort();
    let counts = c.sandbox.control.requests().await.unwrap();
    assert_eq!(counts.total, 0, "an idle till asked: {counts:?}");
}

async fn five_open_sales_are_polled_within_the_limit(kind: GatewayKind) {
    let c = counter(kind).await;
    for amount in ["1.00", "2.00", "3.00", "4.00", "5.00"] {
        c.checkout.charge(amount, "BTC").await.unwrap();
    }
    assert_eq!(c.ledger.open_sales().unwrap().len(), 5);
    c.sandbox.control.reset_requests().await.unwrap();
    let (_, watcher) = watched(&c);
    let window = Duration::from_secs(12);
    tokio::time::sleep(window).await;
    watcher.abort();
    let counts = c.sandbox.control.requests().await.unwrap();
    // The documented limit over the window: 200 a minute. The watcher
    // budgets 120 a minute (a burst at the start included) to leave the
    // rest to the counter.
    let allowed = 200 * window.as_secs() / 60;
    assert!(
        counts.total <= allowed,
        "{kind:?}: {} requests in {window:?} with 5 open sales, the limit allows {allowed}: {counts:?}",
        counts.total
    );
    // Following sales asks about orders, never for rates.
    assert_eq!(rate_requests(&counts), 0, "{counts:?}");
    // Every open sale was asked about (the watch does its job), at the
    // awaiting pace: once at the start, then every 5 s.
    let polls = counts.matching("/order");
    assert!((5..=5 * (1 + 12 / 5)).contains(&polls), "{counts:?}");
    // The restarted till's coin list, fetched once for all five sales.
    assert_eq!(counts.total - polls, 1, "{counts:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn five_open_sales_are_polled_within_counos_limits() {
    five_open_sales_are_polled_within_the_limit(GatewayKind::Counos).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn five_open_sales_are_polled_within_coingate_limits() {
    five_open_sales_are_polled_within_the_limit(GatewayKind::Coingate).await;
}
