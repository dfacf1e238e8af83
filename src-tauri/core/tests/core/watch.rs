//! Every open sale followed to its end by the till's one watcher, whatever
//! the cashier does next; placements exclusive across checkouts sharing a
//! ledger; writers that wait instead of failing. Against the sandbox over
//! real HTTP, with real SQLite files in a temp dir.

use std::sync::Arc;
use std::time::Duration;

use crate::support::counter::entry;
use crate::support::{Sandbox, KEY};
use cryptill_core::checkout::{Checkout, SaleUpdate};
use cryptill_core::gateway::coingate::CoinGateClient;
use cryptill_core::gateway::counos::CounosClient;
use cryptill_core::gateway::{Coin, Gateway, GatewayKind, SaleState};
use cryptill_core::ledger::{Ledger, SaleLine};
use cryptill_core::money::{Currency, Money};
use cryptill_core::secret::Sensitive;
use cryptill_sandbox::client::Dialect::Counos;
use cryptill_sandbox::client::Payment;
use cryptill_sandbox::Fault;

fn gateway(sandbox: &Sandbox, coingate: bool) -> Arc<dyn Gateway> {
    if coingate {
        Arc::new(
            CoinGateClient::new(
                GatewayKind::CoingateSandbox,
                &sandbox.handle.coingate_url(),
                Sensitive::new(KEY.to_string()),
            )
            .unwrap(),
        )
    } else {
        Arc::new(
            CounosClient::new(
                GatewayKind::Demo,
                &sandbox.handle.counos_url(),
                Sensitive::new(KEY.to_string()),
            )
            .unwrap(),
        )
    }
}

/// A checkout over the ledger file in `dir`, with its own connection, as
/// another process (or another window) would have.
fn checkout(dir: &tempfile::TempDir, sandbox: &Sandbox, coingate: bool) -> Arc<Checkout> {
    let ledger = Arc::new(Ledger::open(&dir.path().join("ledger.sqlite3")).unwrap());
    Arc::new(Checkout::new(
        ledger,
        gateway(sandbox, coingate),
        Currency::fiat("EUR").unwrap(),
    ))
}

async fn pay(sandbox: &Sandbox, c: &Checkout, sale_id: i64) {
    let sale = c.sale(sale_id).unwrap();
    let order = &sale.merchant_order_id;
    sandbox
        .control
        .pay(Counos, order, Payment::full())
        .await
        .unwrap();
}

/// Waits for the update that says `sale_id` is `state`.
async fn update_to(
    updates: &mut tokio::sync::broadcast::Receiver<SaleUpdate>,
    sale_id: i64,
    state: SaleState,
) -> SaleUpdate {
    tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let update = updates.recv().await.unwrap();
            if update.payment.sale_id == sale_id && update.payment.state == state {
                return update;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("sale {sale_id} never turned {state:?}"))
}

async fn coingate_orders_for(sandbox: &Sandbox, merchant_order_id: &str) -> usize {
    let listed = sandbox
        .coingate("GET", "orders", &[("per_page", "100")])
        .await;
    listed["orders"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["order_id"] == merchant_order_id)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sale_left_behind_turns_paid_on_its_own_while_the_next_is_on_screen() {
    let sandbox = crate::support::start(|c| c).await;
    let dir = tempfile::tempdir().unwrap();
    let c = checkout(&dir, &sandbox, false);
    let mut updates = c.subscribe();
    let watcher = tokio::spawn(c.clone().watch());

    let first = c.charge("12.50", "BTC").await.unwrap().sale_id;
    // New sale: the cashier now looks at the second one.
    let second = c.charge("3.00", "BTC").await.unwrap().sale_id;
    c.set_focus(Some(second));
    pay(&sandbox, &c, first).await;

    let update = update_to(&mut updates, first, SaleState::Paid).await;
    assert_eq!(update.previous, SaleState::Awaiting);
    assert_eq!(c.sale(first).unwrap().state, SaleState::Paid);
    assert_eq!(c.sale(second).unwrap().state, SaleState::Awaiting);
    watcher.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn after_a_restart_the_watcher_places_an_unplaced_sale_once_and_follows_it_to_paid() {
    let sandbox = crate::support::start(|c| c).await;
    let dir = tempfile::tempdir().unwrap();
    // The app died after recording the sale, before its order was made.
    let before = checkout(&dir, &sandbox, false);
    let open = before.charge("12.50", "BTC").await.unwrap().sale_id;
    let unplaced = before.start_sale(&entry("4.00")).await.unwrap().sale_id;
    drop(before);

    let after = checkout(&dir, &sandbox, false);
    let mut updates = after.subscribe();
    let watcher = tokio::spawn(after.clone().watch());
    let placed = update_to(&mut updates, unplaced, SaleState::Awaiting).await;
    assert!(!placed.payment.gateway_order_id.is_empty());
    // A payment after the restart, with nobody clicking anything.
    pay(&sandbox, &after, open).await;
    update_to(&mut updates, open, SaleState::Paid).await;
    pay(&sandbox, &after, unplaced).await;
    update_to(&mut updates, unplaced, SaleState::Paid).await;
    assert_eq!(
        after.sale(unplaced).unwrap().gateway_order_id.as_deref(),
        Some(placed.payment.gateway_order_id.as_str())
    );
    watcher.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failing_poll_of_one_sale_does_not_hold_up_another_nor_new_charges() {
    let sandbox = crate::support::start(|c| c).await;
    let dir = tempfile::tempdir().unwrap();
    let c = checkout(&dir, &sandbox, false);
    let a = c.charge("1.00", "BTC").await.unwrap().sale_id;
    let b = c.charge("2.00", "BTC").await.unwrap().sale_id;
    let mut updates = c.subscribe();
    // The next gateway answers fail: the watcher's first asks meet them.
    for fault in [Fault::Http500, Fault::Reset, Fault::Http500] {
        sandbox.fault(fault).await;
    }
    let watcher = tokio::spawn(c.clone().watch());
    pay(&sandbox, &c, b).await;
    update_to(&mut updates, b, SaleState::Paid).await;
    assert!(sandbox.unspent_faults().await.is_empty());
    // A 429 pauses the watch of this gateway, not the counter.
    sandbox.fault(Fault::Http429).await;
    // The watcher's next look at the open sale meets it.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !sandbox.unspent_faults().await.is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the watcher stopped asking"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let charged = c.charge("5.00", "BTC").await.unwrap();
    assert_eq!(charged.state, SaleState::Awaiting);
    assert_eq!(c.sale(a).unwrap().state, SaleState::Awaiting);
    watcher.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_placements_at_once_make_one_coingate_order_every_time() {
    let sandbox = crate::support::start(|c| c).await;
    // Slow answers widen the window in which both would create an order.
    sandbox.latency(300).await;
    let dir = tempfile::tempdir().unwrap();
    // Two checkouts, each with its own ledger connection and client: the
    // window and `cryptill order`, or start-up recovery and a reopen.
    let window = checkout(&dir, &sandbox, true);
    let other = checkout(&dir, &sandbox, true);
    for round in 0..3 {
        let id = window.start_sale(&entry("12.50")).await.unwrap().sale_id;
        let (a, b) = tokio::join!(window.place(id), other.place(id));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.gateway_order_id, b.gateway_order_id, "round {round}");
        assert_eq!(a.state, SaleState::Awaiting);
        let merchant = window.sale(id).unwrap().merchant_order_id;
        assert_eq!(
            coingate_orders_for(&sandbox, &merchant).await,
            1,
            "round {round}: two orders for one sale"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_watcher_and_a_placement_racing_for_one_sale_make_one_order() {
    let sandbox = crate::support::start(|c| c).await;
    sandbox.latency(300).await;
    let dir = tempfile::tempdir().unwrap();
    let window = checkout(&dir, &sandbox, true);
    let cli = checkout(&dir, &sandbox, true);
    let id = window.start_sale(&entry("7.00")).await.unwrap().sale_id;
    let watcher = tokio::spawn(window.clone().watch());
    let placed = cli.place(id).await.unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let merchant = window.sale(id).unwrap().merchant_order_id;
    assert_eq!(coingate_orders_for(&sandbox, &merchant).await, 1);
    assert_eq!(
        window.sale(id).unwrap().gateway_order_id.as_deref(),
        Some(placed.gateway_order_id.as_str())
    );
    watcher.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stale_placement_claim_is_taken_over() {
    let sandbox = crate::support::start(|c| c).await;
    let dir = tempfile::tempdir().unwrap();
    let c = checkout(&dir, &sandbox, false);
    let id = c.start_sale(&entry("2.00")).await.unwrap().sale_id;
    let ledger = Ledger::open(&dir.path().join("ledger.sqlite3")).unwrap();
    // A process claimed the sale and died.
    assert!(ledger.claim_placement(id, "dead:1:1").unwrap());
    assert!(!ledger.claim_placement(id, "alive:2:1").unwrap());
    // Its claim goes stale: age it as the clock would.
    let conn = rusqlite::Connection::open(dir.path().join("ledger.sqlite3")).unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    conn.execute(
        "UPDATE sales SET placement_claimed_at = '2000-01-01T00:00:00.000Z' WHERE id = ?1",
        [id],
    )
    .unwrap();
    let placed = c.place(id).await.unwrap();
    assert_eq!(placed.state, SaleState::Awaiting);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_voided_coingate_sale_without_an_order_id_costs_no_late_payment_requests() {
    let sandbox = crate::support::start(|c| c).await;
    let dir = tempfile::tempdir().unwrap();
    let c = checkout(&dir, &sandbox, true);
    c.coins().await.unwrap();
    // Recorded, never placed: its recording asks the gateway nothing.
    let id = c.start_sale(&entry("2.00")).await.unwrap().sale_id;
    // Voided before any order: CoinGate is asked once, finds none.
    c.void(id).await.unwrap();
    assert_eq!(c.sale(id).unwrap().gateway_order_id, None);
    // Any request now would spend the fault (or page the order history).
    sandbox.fault(Fault::Http500).await;
    assert!(c.check_late_payments().await.unwrap().is_empty());
    assert_eq!(sandbox.unspent_faults().await, vec![Fault::Http500]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn late_payments_are_watched_only_on_the_sales_own_gateway() {
    let sandbox = crate::support::start(|c| c).await;
    let dir = tempfile::tempdir().unwrap();
    let counos = checkout(&dir, &sandbox, false);
    let id = counos.charge("12.50", "BTC").await.unwrap().sale_id;
    let order = counos.sale(id).unwrap().merchant_order_id;
    sandbox.control.expire(Counos, order).await.unwrap();
    counos.refresh(id).await.unwrap();
    pay(&sandbox, &counos, id).await;
    // The till switched to CoinGate: the demo sale is not CoinGate's to find.
    let coingate = checkout(&dir, &sandbox, true);
    sandbox.fault(Fault::Http500).await;
    assert!(coingate.check_late_payments().await.unwrap().is_empty());
    assert_eq!(sandbox.unspent_faults().await, vec![Fault::Http500]);
    sandbox.clear_faults().await;
    // Its own gateway finds the late payment.
    assert_eq!(counos.check_late_payments().await.unwrap(), vec![id]);
}

fn btc() -> Coin {
    crate::support::bitcoin("1")
}

#[test]
fn twelve_writers_at_once_on_one_ledger_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite3");
    Ledger::open(&path).unwrap();
    let eur = Currency::fiat("EUR").unwrap();
    let threads: Vec<_> = (0..12)
        .map(|i| {
            let path = path.clone();
            let eur = eur.clone();
            std::thread::spawn(move || {
                // Each its own connection, as each process has.
                let ledger = Ledger::open(&path)?;
                let line = SaleLine {
                    label: format!("item {i}"),
                    amount: Money::parse_entry("1.50", &eur).unwrap(),
                };
                let tip = Money::parse_entry("0.50", &eur).unwrap();
                let total = Money::parse_entry("2.00", &eur).unwrap();
                let sale = ledger.begin_itemised_sale(
                    &total,
                    &btc(),
                    GatewayKind::Demo,
                    std::slice::from_ref(&line),
                    Some(&tip),
                    None,
                )?;
                ledger.set_setting(&format!("k{i}"), "v")?;
                Ok::<_, cryptill_core::Error>(sale.id)
            })
        })
        .collect();
    let mut ids: Vec<i64> = threads
        .into_iter()
        .map(|t| t.join().unwrap().expect("a writer failed"))
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 12);
    let ledger = Ledger::open(&path).unwrap();
    for id in ids {
        assert_eq!(ledger.sale_lines(id).unwrap().len(), 1);
        assert_eq!(ledger.sale(id).unwrap().tip.unwrap().to_fixed(), "0.50");
    }
}

#[test]
fn a_replacement_must_point_at_a_sale_in_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite3");
    Ledger::open(&path).unwrap();
    // foreign_keys is on for every connection the ledger opens, and the
    // sale with its lines is one transaction: nothing half-written stays.
    let ledger = Ledger::open(&path).unwrap();
    let err = ledger
        .begin_itemised_sale(
            &Money::parse_entry("1", &Currency::fiat("EUR").unwrap()).unwrap(),
            &btc(),
            GatewayKind::Demo,
            &[],
            None,
            Some(999),
        )
        .unwrap_err();
    assert!(
        format!("{err:?}").to_lowercase().contains("foreign key"),
        "{err:?}"
    );
    assert!(ledger.open_sales().unwrap().is_empty());
}
