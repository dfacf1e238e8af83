//! Several tills on one shared ledger (issue 14), on a real PostgreSQL
//! server (`./dev test` starts one; see support/pg.rs): two tills selling at
//! once, the shop's report over both, a till moved from its SQLite file
//! (once), a till refusing a newer server schema, and an outage in the
//! middle of a sale that refuses new sales and loses nothing.

use std::sync::Arc;

use cryptill_core::gateway::{Coin, GatewayKind, SaleState};
use cryptill_core::ledger::{AutoPrint, Ledger, NewRefund, RefundKind, SaleLine};
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
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    for (sales, till) in [(&sold_a, "Front"), (&sold_b, "Terrace")] {
        for s in sales.iter() {
            let row = rows
                .iter()
                .find(|r| r[at("merchant_order_id")] == s.merchant_order_id)
                .unwrap_or_else(|| panic!("no row for {}", s.merchant_order_id));
            assert_eq!(&row[at("fiat_total")], "2.50");
            // Each row names the till that sold it.
            assert_eq!(&row[at("till")], till);
        }
    }
    // The CSV of one till has its sales only.
    let mut one = Vec::new();
    let filter = SaleFilter {
        till: Some("terrace".into()),
        ..SaleFilter::default()
    };
    assert_eq!(report::write_csv(&a, &filter, &mut one).unwrap(), EACH);
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
        // Paid, its receipt printed by itself, a part given back, and a
        // withdrawal sent: all on SQLite, before the move.
        let coin = Currency::new("BTC", 8);
        let paid = Money::new("0.0001".parse().unwrap(), coin.clone());
        local
            .record_late_payment(second.id, &paid, Some("tx-1"))
            .unwrap();
        assert!(local.claim_auto_print(second.id).unwrap());
        local.record_auto_print(second.id, None).unwrap();
        local
            .begin_refund(&NewRefund {
                sale_id: second.id,
                kind: RefundKind::Return,
                reason: "cake was dry",
                fiat: &eur("2.00"),
                crypto: &Money::new("0.00004".parse().unwrap(), coin),
                network: "Bitcoin",
                address: "tb1qrefundaddress",
                email: None,
                gateway: "demo",
                requested_by: "owner",
                approved_by: Some("owner"),
            })
            .unwrap();
        local
            .begin_withdrawal_request("demo", "BTC", "0.0005", "tb1qowner")
            .unwrap();
        (
            vec![first.merchant_order_id, second.merchant_order_id.clone()],
            second.merchant_order_id,
        )
    };
    let moved = Ledger::use_postgres(&path, &url, None).unwrap();
    assert_eq!((moved.copied, moved.already), (2, 0));
    assert_eq!((moved.refunds, moved.prints), (1, 1));
    assert_eq!(moved.status.backend, "postgres");
    // Again (an owner who runs it twice, or a move cut off and retried).
    let again = Ledger::use_postgres(&path, &url, None).unwrap();
    assert_eq!((again.copied, again.already), (0, 2));
    assert_eq!((again.refunds, again.prints), (0, 0));

    let shared = Ledger::open(&path).unwrap();
    let sales = all_sales(&shared, None);
    let ids: Vec<_> = sales.iter().map(|s| s.merchant_order_id.clone()).collect();
    assert_eq!(ids, old_ids);
    let copied = shared.find_sale(&replaced).unwrap();
    assert_eq!(copied.tip.unwrap().to_fixed(), "0.50");
    assert_eq!(copied.replaces_sale_id, Some(sales[0].id));
    assert_eq!(sales[0].state, SaleState::Canceled);
    // The refund came with its sale, once; what is left to refund is
    // counted from it on the server.
    let refunds = shared.sale_refunds(copied.id).unwrap();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].reason, "cake was dry");
    assert_eq!(refunds[0].sale_id, copied.id);
    assert_eq!(
        shared
            .refundable_left(copied.id)
            .unwrap()
            .unwrap()
            .to_fixed(),
        "0.00006000"
    );
    // The receipt printed on SQLite is not printed again.
    assert_eq!(shared.auto_print(copied.id).unwrap(), AutoPrint::Printed);
    assert!(!shared.claim_auto_print(copied.id).unwrap());
    // The withdrawal log is the till's own and still listed.
    let withdrawals = shared.withdrawal_requests().unwrap();
    assert_eq!(withdrawals.len(), 1);
    assert_eq!(withdrawals[0].address, "tb1qowner");
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

/// The database a till on a shared ledger writes to.
fn db_name(ledger: &Ledger) -> String {
    ledger
        .status()
        .place
        .rsplit('/')
        .next()
        .unwrap()
        .to_string()
}

/// Waits for the next notification that names `sale`, skipping others
/// (till B's listener also hears its own changes). The bound only fails a
/// test that would otherwise hang; nothing here measures speed.
async fn heard(
    rx: &mut tokio::sync::broadcast::Receiver<cryptill_core::ledger::ShopSaleChanged>,
    sale: i64,
) -> cryptill_core::ledger::ShopSaleChanged {
    tokio::time::timeout(std::time::Duration::from_secs(60), async {
        loop {
            let change = rx.recv().await.unwrap();
            if change.sale_id == Some(sale) {
                return change;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("till B never heard of sale {sale}"))
}

#[tokio::test]
async fn a_till_hears_another_tills_sale_and_its_changes_as_they_happen() {
    let Some(server) = pg::server() else { return };
    let url = pg::fresh_database(&server);
    let ((_a_dir, a), (_b_dir, b)) = pg::blocking(move || (till_on(&url), till_on(&url)));
    let mut rx = b.shop_sales().unwrap().expect("a shared ledger listens");

    // Till A sells: B hears which sale and which till, without asking.
    let sale = a
        .begin_sale(&eur("4.20"), &btc(), GatewayKind::Demo)
        .unwrap();
    let change = heard(&mut rx, sale.id).await;
    assert_eq!(change.till, a.status().till);
    assert_eq!(b.sale(sale.id).unwrap().fiat.to_string(), "4.20 EUR");
    // A's cashier voids it: B hears that too, and reads it voided.
    a.void_sale(sale.id).unwrap();
    heard(&mut rx, sale.id).await;
    assert_eq!(b.sale(sale.id).unwrap().state, SaleState::Canceled);
    // A change that was rolled back is never announced: the next thing B
    // hears is A's next sale.
    let admin = pg::with_database(&server, &db_name(&b));
    pg::blocking(move || {
        let mut c = pg::admin(&admin);
        let mut tx = c.transaction().unwrap();
        tx.execute("UPDATE sales SET notice = 'never'", &[])
            .unwrap();
        tx.rollback().unwrap();
    });
    let next = a
        .begin_sale(&eur("1.00"), &btc(), GatewayKind::Demo)
        .unwrap();
    let change = tokio::time::timeout(std::time::Duration::from_secs(60), rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(change.sale_id, Some(next.id));

    // A till of its own has nobody to hear from.
    let dir = tempfile::tempdir().unwrap();
    let own = Ledger::open(&dir.path().join("cryptill.sqlite3")).unwrap();
    assert!(own.shop_sales().unwrap().is_none());
}

/// The shop's server itself is stopped in the middle of the day (`pg_ctl
/// stop -m fast`, as an administrator restarting it would) and started
/// again: not a cut line but a real server going away and coming back.
#[tokio::test]
async fn the_shops_server_stopped_mid_day_refuses_new_sales_and_loses_nothing_once_started_again() {
    let Some(cluster) = pg::Cluster::start() else {
        return;
    };
    let sandbox = crate::support::start(|c| c).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cryptill.sqlite3");
    Ledger::use_postgres(&path, &cluster.url(), None).unwrap();
    let ledger = Arc::new(Ledger::open(&path).unwrap());
    let checkout = cryptill_core::checkout::Checkout::new(
        ledger.clone(),
        counter::client(&sandbox, GatewayKind::Demo),
        Currency::fiat("EUR").unwrap(),
    );
    // The morning: one sale paid, one on screen waiting for the customer.
    let morning = checkout.start_sale(&entry("3.50")).await.unwrap().sale_id;
    checkout.place(morning).await.unwrap();
    let order = ledger.sale(morning).unwrap().merchant_order_id;
    sandbox
        .control
        .pay(Dialect::Counos, order, Payment::full())
        .await
        .unwrap();
    checkout.refresh(morning).await.unwrap();
    assert_eq!(ledger.sale(morning).unwrap().state, SaleState::Paid);
    let on_screen = checkout.start_sale(&entry("12.00")).await.unwrap().sale_id;
    checkout.place(on_screen).await.unwrap();
    let order = ledger.sale(on_screen).unwrap().merchant_order_id;

    // The server stops; the customer pays meanwhile.
    cluster.down();
    sandbox
        .control
        .pay(Dialect::Counos, order, Payment::full())
        .await
        .unwrap();
    // A new sale is refused with the sentence for the counter, and the
    // gateway never heard of it.
    let asked = sandbox.control.requests().await.unwrap().total;
    let refused = checkout.start_sale(&entry("5.00")).await.unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Storage);
    assert_eq!(
        refused.to_string(),
        "The shop's ledger at 127.0.0.1 cannot be reached. Check the network or the server, then try again."
    );
    assert_eq!(
        sandbox.control.requests().await.unwrap().total,
        asked,
        "a refused sale made no gateway call"
    );
    // The sale on screen cannot be written yet; it stays open, followed.
    assert!(checkout.refresh(on_screen).await.is_err());
    // The till's own settings are its own file's: they save meanwhile.
    let mut settings = cryptill_core::settings::Settings::load(&ledger).unwrap();
    settings.receipt_footer = "Back soon".into();
    settings.save(&ledger).unwrap();

    // The server is started again: the payment is written, nothing is lost.
    cluster.up();
    checkout.refresh(on_screen).await.unwrap();
    let sale = ledger.sale(on_screen).unwrap();
    assert_eq!(sale.state, SaleState::Paid);
    assert!(sale.paid_at.is_some());
    let sales = all_sales(&ledger, None);
    assert_eq!(sales.len(), 2, "the refused sale left nothing behind");
    assert!(sales.iter().all(|s| s.state == SaleState::Paid));
    assert_eq!(ledger.sale(morning).unwrap().fiat.to_string(), "3.50 EUR");
    // And the counter sells again.
    let next = checkout.start_sale(&entry("5.00")).await.unwrap();
    assert_ne!(next.sale_id, on_screen);
}

/// The shop's CSV and history from the server come through a portal a
/// batch at a time, on a connection of their own: the till sells while the
/// export runs, and the export is one snapshot.
#[test]
fn the_shops_sales_stream_in_batches_on_their_own_connection_while_the_counter_sells() {
    let Some(server) = pg::server() else { return };
    let url = pg::fresh_database(&server);
    let (_dir, till) = till_on(&url);
    let till = Arc::new(till);
    const MANY: i64 = 1_234; // several batches of the portal
    let number = till.status().till.unwrap();
    let admin = url.clone();
    pg::blocking(move || {
        pg::admin(&admin)
            .execute(
                "INSERT INTO sales (merchant_order_id, state, fiat_amount, fiat_currency, coin,
                     coin_decimals, network, gateway, created_at, updated_at, till_id)
                 SELECT 'm' || g, 'paid', '1.00', 'EUR', 'BTC', 8, 'Bitcoin', 'demo',
                     '2026-11-01T10:00:00.000Z', '2026-11-01T10:00:00.000Z', $1
                 FROM generate_series(1, $2::int8) AS g",
                &[&number, &MANY],
            )
            .unwrap()
    });
    let (mut seen, mut last) = (0i64, 0i64);
    till.stream_sales(
        &report::SaleFilter::default().query().unwrap(),
        cryptill_core::ledger::Read::ALL,
        |sale| {
            if seen == 0 {
                // Mid-export the counter sells, on the till's own connection.
                let counter = till.clone();
                let (done, wait) = std::sync::mpsc::channel();
                std::thread::spawn(move || {
                    let _ = done.send(counter.begin_sale(&eur("9.00"), &btc(), GatewayKind::Demo));
                });
                wait.recv_timeout(std::time::Duration::from_secs(60))
                    .expect("the counter waited for the export")
                    .unwrap();
            }
            assert!(sale.id > last, "oldest first, each once");
            last = sale.id;
            seen += 1;
            Ok(true)
        },
    )
    .unwrap();
    assert_eq!(
        seen, MANY,
        "one snapshot: the sale made meanwhile is not in it"
    );
    // The CSV streams the same way and now has that sale too.
    let mut csv = Vec::new();
    let rows = report::write_csv(&till, &SaleFilter::default(), &mut csv).unwrap();
    assert_eq!(rows as i64, MANY + 1);
    assert_eq!(
        String::from_utf8(csv).unwrap().lines().count() as i64,
        MANY + 2
    );
    // A reader that stops early stops the read.
    let mut first = 0;
    till.stream_sales(
        &report::SaleFilter::default().query().unwrap(),
        cryptill_core::ledger::Read::ALL,
        |_| {
            first += 1;
            Ok(first < 3)
        },
    )
    .unwrap();
    assert_eq!(first, 3);
}

/// One shop, one currency: the report adds up every till's sales, so a
/// till selling in another currency cannot join (nor a till on the ledger
/// switch), and is told what to do; nothing of it is copied or chosen.
#[test]
fn a_till_in_another_currency_is_refused_by_the_shops_ledger_and_nothing_moves() {
    use cryptill_core::settings::Settings;
    let Some(server) = pg::server() else { return };
    let url = pg::fresh_database(&server);
    let (_a_dir, a) = till_on(&url);
    a.begin_sale(&eur("2"), &btc(), GatewayKind::Demo).unwrap();

    // A till in London, its own sales in pounds.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cryptill.sqlite3");
    {
        let local = Ledger::open(&path).unwrap();
        let mut settings = Settings::load(&local).unwrap();
        settings.fiat_currency = "GBP".into();
        settings.save(&local).unwrap();
        let gbp = Money::parse_entry("3", &Currency::fiat("GBP").unwrap()).unwrap();
        local.begin_sale(&gbp, &btc(), GatewayKind::Demo).unwrap();
    }
    let refused = Ledger::use_postgres(&path, &url, None).unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::NotAllowed);
    assert_eq!(
        refused.to_string(),
        "The shop's ledger at 127.0.0.1 keeps the shop's sales in EUR, and every till of the shop sells in EUR; this till is set to GBP. Set this till's currency to EUR, then try again."
    );
    // Nothing was chosen or copied: the till is on its own file as before.
    let local = Ledger::open(&path).unwrap();
    assert_eq!(local.status().backend, "sqlite");
    assert_eq!(all_sales(&a, None).len(), 1);

    // A till on the shared ledger cannot switch its currency either.
    let mut settings = Settings::load(&a).unwrap();
    settings.fiat_currency = "USD".into();
    let switched = settings.save(&a).unwrap_err();
    assert_eq!(switched.kind(), ErrorKind::NotAllowed);
    assert!(switched.to_string().contains("set to USD"), "{switched}");
    assert_eq!(Settings::load(&a).unwrap().fiat_currency, "EUR");

    // Set to the shop's currency, the till joins.
    let mut settings = Settings::load(&local).unwrap();
    settings.fiat_currency = "EUR".into();
    settings.save(&local).unwrap();
    drop(local);
    let moved = Ledger::use_postgres(&path, &url, None).unwrap();
    assert_eq!(moved.copied, 1);
}
