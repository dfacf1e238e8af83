//! Several tills on one shared ledger (issue 14), on a real PostgreSQL
//! server (`./dev test` starts one; see support/pg.rs): two tills selling at
//! once, the shop's report over both, a till moved from its SQLite file
//! (once), a till refusing a newer server schema, and an outage in the
//! middle of a sale that refuses new sales and loses nothing.

use std::sync::Arc;

use cryptill_core::gateway::{Coin, GatewayKind, SaleState};
use cryptill_core::ledger::{Ledger, SaleLine};
use cryptill_core::money::{Currency, Money};
use cryptill_core::report::{self, SaleFilter};
use cryptill_core::ErrorKind;
use cryptill_sandbox::client::{Dialect, Payment};

use crate::support::counter::{self, entry};
use crate::support::pg::{self, Relay};

fn btc() -> Coin {
    Coin {
        symbol: "BTC".into(),
        title: "Bitcoin".into(),
        network: "Bitcoin".into(),
        decimals: 8,
        gateway_id: "11".into(),
    }
}

fn eur(amount: &str) -> Money {
    Money::parse_entry(amount, &Currency::fiat("EUR").unwrap()).unwrap()
}

/// A till (its own data folder) on the shared ledger at `url`.
fn till_on(url: &str) -> (tempfile::TempDir, Ledger) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cryptill.sqlite3");
    Ledger::use_postgres(&path, url, None).unwrap();
    let ledger = Ledger::open(&path).unwrap();
    (dir, ledger)
}

fn all_sales(ledger: &Ledger, till: Option<&str>) -> Vec<cryptill_core::ledger::Sale> {
    report::sales(
        ledger,
        &SaleFilter {
            till: till.map(Into::into),
            ..SaleFilter::default()
        },
    )
    .unwrap()
}

#[test]
fn two_tills_selling_at_once_never_collide_and_the_shop_report_sees_both() {
    let Some(server) = pg::server() else { return };
    let url = pg::fresh_database(&server);
    let (_a_dir, a) = till_on(&url);
    let (_b_dir, b) = till_on(&url);
    assert_eq!(a.status().backend, "postgres");
    let (ta, tb) = (a.status().till.unwrap(), b.status().till.unwrap());
    assert_ne!(ta, tb);
    a.set_till_name("Front").unwrap();
    b.set_till_name("Terrace").unwrap();
    // A name another till has is refused, and nothing changes.
    let taken = b.set_till_name("front").unwrap_err();
    assert_eq!(taken.kind(), ErrorKind::Input, "{taken}");
    assert_eq!(b.status().till_name, "Terrace");

    const EACH: usize = 40;
    let sell = |ledger: &Ledger| {
        (0..EACH)
            .map(|i| {
                ledger
                    .begin_itemised_sale(
                        &eur("2.50"),
                        &btc(),
                        GatewayKind::Demo,
                        &[SaleLine {
                            label: format!("Coffee {i}"),
                            amount: eur("2.50"),
                        }],
                        None,
                        None,
                    )
                    .unwrap()
            })
            .collect::<Vec<_>>()
    };
    let (sold_a, sold_b) = std::thread::scope(|s| {
        let a = s.spawn(|| sell(&a));
        let b = s.spawn(|| sell(&b));
        (a.join().unwrap(), b.join().unwrap())
    });
    let mut ids: Vec<String> = sold_a
        .iter()
        .chain(&sold_b)
        .map(|s| s.merchant_order_id.clone())
        .collect();
    // gateways.md, Round 2: digits only, below 2^53; each till's number is
    // the last three digits, so no two tills can make one id.
    for (sales, till) in [(&sold_a, ta), (&sold_b, tb)] {
        for s in sales {
            let id = &s.merchant_order_id;
            assert!(id.chars().all(|c| c.is_ascii_digit()), "{id}");
            assert!(id.parse::<i64>().unwrap() < (1i64 << 53), "{id}");
            assert!(id.ends_with(&format!("{till:03}")), "{id} {till}");
        }
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 2 * EACH);
    // The shop's report sees both tills from either; each till's name filters.
    for ledger in [&a, &b] {
        assert_eq!(all_sales(ledger, None).len(), 2 * EACH);
        let front = all_sales(ledger, Some("FRONT"));
        assert_eq!(front.len(), EACH);
        assert!(front.iter().all(|s| s.till.as_deref() == Some("Front")));
        assert_eq!(all_sales(ledger, Some("Terrace")).len(), EACH);
        assert!(all_sales(ledger, Some("Kitchen")).is_empty());
    }
    // The CSV reads the server's stored text: every sale of both tills, the
    // header first, each row with its amount and order id as sold.
    let mut csv = Vec::new();
    let rows = report::write_csv(&a, &SaleFilter::default(), &mut csv).unwrap();
    assert_eq!(rows, 2 * EACH);
    let csv = String::from_utf8(csv).unwrap();
    assert_eq!(csv.lines().count(), 2 * EACH + 1);
    for s in sold_a.iter().chain(&sold_b) {
        let row = csv
            .lines()
            .find(|l| l.contains(&s.merchant_order_id))
            .unwrap_or_else(|| panic!("no row for {}", s.merchant_order_id));
        assert!(row.contains(",2.50,"), "{row}");
    }
    // Lines came with their sales; each till follows only its own open sales.
    assert_eq!(b.sale_lines(sold_a[3].id).unwrap()[0].label, "Coffee 3");
    assert_eq!(a.open_sales().unwrap().len(), EACH);
    assert!(a
        .open_sales()
        .unwrap()
        .iter()
        .all(|s| s.till.as_deref() == Some("Front")));
    // One placement claim wins even across tills.
    let sale = sold_a[0].id;
    let claims = [
        a.claim_placement(sale, "a:1:1").unwrap(),
        b.claim_placement(sale, "b:1:1").unwrap(),
    ];
    assert_eq!(claims, [true, false]);
}

#[test]
fn a_till_refuses_a_shared_ledger_with_a_newer_schema_and_changes_nothing() {
    let Some(server) = pg::server() else { return };
    let url = pg::fresh_database(&server);
    let (dir, ledger) = till_on(&url);
    ledger
        .begin_sale(&eur("1"), &btc(), GatewayKind::Demo)
        .unwrap();
    drop(ledger);
    let admin = url.clone();
    pg::blocking(move || {
        pg::admin(&admin)
            .batch_execute("UPDATE cryptill_schema SET version = 999")
            .unwrap()
    });
    let err = Ledger::open(&dir.path().join("cryptill.sqlite3"))
        .err()
        .expect("a newer schema is refused");
    assert_eq!(err.kind(), ErrorKind::Storage);
    let text = err.to_string();
    assert!(text.contains("newer Cryptill"), "{text}");
    assert!(text.contains("install the latest Cryptill"), "{text}");
    let admin = url.clone();
    let (version, sales): (i64, i64) = pg::blocking(move || {
        let mut c = pg::admin(&admin);
        (
            c.query_one("SELECT version FROM cryptill_schema", &[])
                .unwrap()
                .get(0),
            c.query_one("SELECT COUNT(*) FROM sales", &[])
                .unwrap()
                .get(0),
        )
    });
    assert_eq!((version, sales), (999, 1));
}

#[test]
fn moving_a_sqlite_till_onto_the_shared_ledger_copies_its_sales_once() {
    let Some(server) = pg::server() else { return };
    let url = pg::fresh_database(&server);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cryptill.sqlite3");
    let (old_ids, replaced) = {
        let local = Ledger::open(&path).unwrap();
        let first = local
            .begin_sale(&eur("3"), &btc(), GatewayKind::Demo)
            .unwrap();
        local.void_sale(first.id).unwrap();
        let second = local
            .begin_itemised_sale(
                &eur("4.50"),
                &btc(),
                GatewayKind::Demo,
                &[
                    SaleLine {
                        label: "Tea".into(),
                        amount: eur("2"),
                    },
                    SaleLine {
                        label: "Cake".into(),
                        amount: eur("2"),
                    },
                ],
                Some(&eur("0.50")),
                Some(first.id),
            )
            .unwrap();
        (
            vec![first.merchant_order_id, second.merchant_order_id.clone()],
            second.merchant_order_id,
        )
    };
    let moved = Ledger::use_postgres(&path, &url, None).unwrap();
    assert_eq!((moved.copied, moved.already), (2, 0));
    assert_eq!(moved.status.backend, "postgres");
    // Again (an owner who runs it twice, or a move cut off and retried).
    let again = Ledger::use_postgres(&path, &url, None).unwrap();
    assert_eq!((again.copied, again.already), (0, 2));

    let shared = Ledger::open(&path).unwrap();
    let sales = all_sales(&shared, None);
    let ids: Vec<_> = sales.iter().map(|s| s.merchant_order_id.clone()).collect();
    assert_eq!(ids, old_ids);
    let copied = shared.find_sale(&replaced).unwrap();
    assert_eq!(copied.tip.unwrap().to_fixed(), "0.50");
    assert_eq!(copied.replaces_sale_id, Some(sales[0].id));
    assert_eq!(sales[0].state, SaleState::Canceled);
    let lines = shared.sale_lines(copied.id).unwrap();
    assert_eq!(
        lines.iter().map(|l| l.label.as_str()).collect::<Vec<_>>(),
        ["Tea", "Cake"]
    );
    // A sale made now gets an id after the ones the till made before.
    let next = shared
        .begin_sale(&eur("1"), &btc(), GatewayKind::Demo)
        .unwrap();
    assert!(next.merchant_order_id.parse::<i64>().unwrap() > replaced.parse::<i64>().unwrap());
    drop(shared);

    // Back to SQLite: the till's file, as it was.
    let status = Ledger::use_sqlite(&path).unwrap();
    assert_eq!(status.backend, "sqlite");
    let local = Ledger::open(&path).unwrap();
    assert_eq!(local.status().backend, "sqlite");
    let back: Vec<_> = all_sales(&local, None)
        .into_iter()
        .map(|s| s.merchant_order_id)
        .collect();
    assert_eq!(back, old_ids);
}

#[tokio::test]
async fn an_outage_refuses_new_sales_cleanly_and_the_sale_on_screen_is_written_when_the_server_is_back(
) {
    let Some(server) = pg::server() else { return };
    let url = pg::fresh_database(&server);
    let relay = pg::blocking({
        let url = url.clone();
        move || Relay::to(&url)
    });
    let through = pg::through(&url, relay.port);
    let sandbox = crate::support::start(|c| c).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cryptill.sqlite3");
    Ledger::use_postgres(&path, &through, None).unwrap();
    let ledger = Arc::new(Ledger::open(&path).unwrap());
    let checkout = cryptill_core::checkout::Checkout::new(
        ledger.clone(),
        counter::client(&sandbox, GatewayKind::Demo),
        Currency::fiat("EUR").unwrap(),
    );
    let on_screen = checkout.start_sale(&entry("12.00")).await.unwrap().sale_id;
    checkout.place(on_screen).await.unwrap();
    let order = ledger.sale(on_screen).unwrap().merchant_order_id;

    // The line to the server goes down; the customer pays meanwhile.
    relay.cut();
    sandbox
        .control
        .pay(Dialect::Counos, order.clone(), Payment::full())
        .await
        .unwrap();
    let refused = checkout.start_sale(&entry("5.00")).await.unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Storage);
    assert_eq!(
        refused.to_string(),
        "The shop's ledger at 127.0.0.1 cannot be reached. Check the network or the server, then try again."
    );
    // Following the sale on screen fails for now, and is tried again.
    assert!(checkout.refresh(on_screen).await.is_err());
    // A till restarted meanwhile opens (its number is kept in its file),
    // and refuses a new sale the same way.
    let restarted = Ledger::open(&path).unwrap();
    assert_eq!(restarted.status().till, ledger.status().till);
    let again = restarted
        .begin_sale(&eur("1"), &btc(), GatewayKind::Demo)
        .unwrap_err();
    assert_eq!(again.to_string(), refused.to_string());

    // The server is back: the payment is written, and nothing was lost.
    pg::blocking({
        let relay = relay.clone();
        move || relay.restore()
    });
    let paid = checkout.refresh(on_screen).await.unwrap();
    assert_eq!(paid.sale_id, on_screen);
    let sale = ledger.sale(on_screen).unwrap();
    assert_eq!(sale.state, SaleState::Paid);
    assert!(sale.paid_at.is_some());
    let sales = all_sales(&ledger, None);
    assert_eq!(sales.len(), 1, "the refused sales left nothing behind");
    // The restarted till is back on the server too, following its sales.
    assert_eq!(restarted.sale(on_screen).unwrap().state, SaleState::Paid);
    // And the till sells again.
    let next = checkout.start_sale(&entry("5.00")).await.unwrap();
    assert_ne!(next.sale_id, on_screen);
}

#[test]
fn tills_starting_at_once_on_a_new_server_migrate_it_once_and_each_get_a_number() {
    let Some(server) = pg::server() else { return };
    let url = pg::fresh_database(&server);
    let tills: Vec<_> = std::thread::scope(|s| {
        let started: Vec<_> = (0..6).map(|_| s.spawn(|| till_on(&url))).collect();
        started.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let mut numbers: Vec<i64> = tills
        .iter()
        .map(|(_, l)| l.status().till.unwrap())
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, [1, 2, 3, 4, 5, 6]);
    let mut names: Vec<String> = tills.iter().map(|(_, l)| l.status().till_name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 6, "{names:?}");
    let admin = url.clone();
    let version: i64 = pg::blocking(move || {
        pg::admin(&admin)
            .query_one("SELECT version FROM cryptill_schema", &[])
            .unwrap()
            .get(0)
    });
    assert_eq!(version, i64::from(cryptill_core::ledger::PG_SCHEMA_VERSION));
}

#[test]
fn one_till_at_a_time_sends_a_withdrawal_from_the_shops_gateway_account() {
    let Some(server) = pg::server() else { return };
    let url = pg::fresh_database(&server);
    let (_a_dir, a) = till_on(&url);
    let (_b_dir, b) = till_on(&url);
    let turn = a.withdrawal_turn("counos").unwrap();
    let busy = b
        .withdrawal_turn("counos")
        .err()
        .expect("the account is busy");
    assert_eq!(busy.kind(), ErrorKind::NotAllowed);
    assert!(busy.to_string().contains("Another till"), "{busy}");
    // Another gateway's account is not held up.
    drop(b.withdrawal_turn("coingate").unwrap());
    drop(turn);
    drop(b.withdrawal_turn("counos").unwrap());
    // A till of its own takes its turn at once.
    let dir = tempfile::tempdir().unwrap();
    let own = Ledger::open(&dir.path().join("cryptill.sqlite3")).unwrap();
    let _one = own.withdrawal_turn("counos").unwrap();
    drop(own.withdrawal_turn("counos").unwrap());
}
