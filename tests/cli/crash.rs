//! The crash suite: `cryptill sale` is killed (SIGKILL) at random points
//! while the gateway answers slowly, then the till is started again and
//! reconciled with `cryptill order`. Afterwards nothing may be lost: every
//! sale the command line reported is in the ledger with its order, no sale
//! has a second gateway order, every gateway order belongs to a ledger sale
//! with the same amount, and `PRAGMA integrity_check` answers `ok`.
//!
//! CI runs a few kills per gateway dialect; `CRYPTILL_CRASH_RUNS=60` runs
//! more (docs/reliability.md has the figures). `CRYPTILL_CRASH_SEED` repeats
//! a run's kill points; the seed in use is printed.

#![cfg(unix)]

use std::collections::{HashMap, HashSet};
use std::process::Command;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};
use serde_json::Value;

use crate::support::{serve_sandbox, Shop};
use crate::BIN;

const PIN: &str = "2468";
/// Each gateway call takes this long, so a kill lands between calls as
/// often as inside one.
const LATENCY_MS: u64 = 120;

/// A small, seeded generator: the kill points of a failed run can be
/// repeated exactly with its seed, and no dependency is needed for it.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// The ledger as it is on disk, read only.
fn ledger(till: &Shop) -> Connection {
    Connection::open_with_flags(till.ledger_path(), OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap()
}

fn runs() -> u64 {
    std::env::var("CRYPTILL_CRASH_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(8)
}

fn seed() -> u64 {
    let seed = std::env::var("CRYPTILL_CRASH_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        })
        | 1;
    eprintln!("crash suite seed: CRYPTILL_CRASH_SEED={seed}");
    seed
}

#[test]
fn counos_sales_killed_at_random_points_lose_nothing_and_never_order_twice() {
    crash_suite("counos", "counos/api/", "counos_orders", "expected_amount");
}

#[test]
fn coingate_sales_killed_at_random_points_lose_nothing_and_never_order_twice() {
    crash_suite(
        "coingate-sandbox",
        "coingate/v2/",
        "coingate_orders",
        "pay_amount",
    );
}

fn crash_suite(gateway: &str, dialect_path: &str, orders_table: &str, amount_column: &str) {
    let till = Shop::new(BIN, &format!("crash-{gateway}")).with_pin(PIN);
    // The gateway keeps its own file in a folder of its own.
    let gateway_dir = tempfile::tempdir().unwrap();
    let sandbox = serve_sandbox(|args| {
        let mut cmd = Command::new(BIN);
        cmd.arg("--data-dir").arg(gateway_dir.path()).args(args);
        cmd
    });
    till.use_gateway(gateway, &format!("{}/{dialect_path}", sandbox.1), PIN);
    sandbox
        .control()
        .run(|c| c.set_latency(Duration::from_millis(LATENCY_MS)))
        .unwrap();

    // How long an undisturbed sale takes here: kills land anywhere in it.
    let started = Instant::now();
    let first: Value =
        serde_json::from_str(&till.ok(&["sale", "1.00", "EUR", "BTC", "--json"])).unwrap();
    let span = (started.elapsed().as_millis() as u64).max(200) * 5 / 4;
    let mut reported: HashMap<i64, String> = HashMap::new();
    reported.insert(
        first["saleId"].as_i64().unwrap(),
        first["gatewayOrderId"].as_str().unwrap().to_string(),
    );

    let mut rng = XorShift(seed());
    let mut killed = 0;
    for run in 0..runs() {
        let amount = format!("{}.{:02}", 2 + run, rng.below(100));
        let mut child = till
            .command(&["sale", &amount, "EUR", "BTC", "--json"])
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.below(span)));
        if child.try_wait().unwrap().is_none() {
            killed += 1;
        }
        child.kill().ok();
        let out = child.wait_with_output().unwrap();
        // A sale the command line printed was promised to the cashier.
        if let Ok(sale) = serde_json::from_slice::<Value>(&out.stdout) {
            reported.insert(
                sale["saleId"].as_i64().unwrap(),
                sale["gatewayOrderId"].as_str().unwrap().to_string(),
            );
        }
    }
    eprintln!(
        "{gateway}: {} runs, {killed} killed before they ended, {} reported",
        runs(),
        reported.len()
    );

    // The restart: every sale still open is asked about again, which places
    // those whose order was never confirmed.
    let open: Vec<i64> = {
        let ledger = ledger(&till);
        let mut stmt = ledger
            .prepare("SELECT id FROM sales WHERE state IN ('creating', 'awaiting', 'confirming', 'underpaid') ORDER BY id")
            .unwrap();
        let ids = stmt
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        ids
    };
    for id in &open {
        till.ok(&["order", &id.to_string()]);
    }

    let ledger = ledger(&till);
    let integrity: String = ledger
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");

    let mut sales: HashMap<String, (i64, String, Option<String>, Option<String>)> = HashMap::new();
    let mut stmt = ledger
        .prepare("SELECT id, merchant_order_id, state, gateway_order_id, crypto_amount FROM sales")
        .unwrap();
    let rows = stmt
        .query_map([], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, Option<String>>(3)?,
                row.get::<_, Option<String>>(4)?,
            ))
        })
        .unwrap();
    for row in rows {
        let (id, merchant, state, order, amount) = row.unwrap();
        assert_ne!(
            state, "creating",
            "sale {id} was never placed after the restart"
        );
        sales.insert(merchant, (id, state, order, amount));
    }
    // Nothing reported is lost, and the order it reported is the one kept.
    for (id, order) in &reported {
        let kept = sales.values().find(|s| s.0 == *id);
        let kept = kept.unwrap_or_else(|| panic!("sale {id} was reported and then lost"));
        assert_eq!(kept.2.as_deref(), Some(order.as_str()), "sale {id}");
    }

    let gateway_db = Connection::open_with_flags(
        gateway_dir.path().join("sandbox-gateway.sqlite3"),
        OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let mut stmt = gateway_db
        .prepare(&format!(
            "SELECT merchant_order_id, {amount_column} FROM {orders_table}"
        ))
        .unwrap();
    let orders: Vec<(Option<String>, Option<String>)> = stmt
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut seen = HashSet::new();
    for (merchant, amount) in &orders {
        let merchant = merchant
            .as_deref()
            .expect("every order carries the sale's id");
        assert!(seen.insert(merchant), "two gateway orders for {merchant}");
        let sale = sales.get(merchant).unwrap_or_else(|| {
            panic!("the gateway has order {merchant}, the ledger has no sale for it")
        });
        // The ledger's amount is the one the gateway asks for (an order
        // checked out later, before its coin was chosen, has none yet).
        if let (Some(gateway_amount), Some(ledger_amount)) = (amount, &sale.3) {
            assert_eq!(
                gateway_amount.parse::<rust_decimal::Decimal>().unwrap(),
                ledger_amount.parse::<rust_decimal::Decimal>().unwrap(),
                "sale {} ({merchant})",
                sale.0
            );
        }
    }
    assert_eq!(
        orders.len(),
        sales.len(),
        "every ledger sale has exactly one gateway order"
    );
}
