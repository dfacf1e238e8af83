//! Several tills on one shared ledger from the command line (issue 14): the
//! real binary, a real PostgreSQL server (`CRYPTILL_TEST_POSTGRES`, started
//! by `./dev test`), two data folders as two tills. `ledger use` copies a
//! till's own sales once and `ledger use sqlite` moves it back; the day
//! report names the tills it covers and `--till` keeps one.

use serde_json::Value;

use crate::support::Shop;
use crate::BIN;

const OWNER: &str = "4321";

/// A fresh database on the test server, or `None` (skipped) when there is
/// no server and none is required.
fn fresh_database() -> Option<String> {
    let Ok(server) = std::env::var("CRYPTILL_TEST_POSTGRES") else {
        assert!(
            std::env::var("CRYPTILL_REQUIRE_POSTGRES").is_err(),
            "CRYPTILL_REQUIRE_POSTGRES is set but CRYPTILL_TEST_POSTGRES is not"
        );
        eprintln!("skipped: no PostgreSQL (CRYPTILL_TEST_POSTGRES is not set)");
        return None;
    };
    let name = format!("cryptill_cli_{}_{}", std::process::id(), line!());
    let mut admin = postgres::Client::connect(&server, postgres::NoTls).unwrap();
    // One statement a call: either refuses to run inside a transaction.
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
        .unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let (base, _) = server.rsplit_once('/').unwrap();
    Some(format!("{base}/{name}"))
}

fn json(shop: &Shop, args: &[&str], stdin: &str) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    serde_json::from_str(&shop.ok_with(&all, stdin, Some(OWNER))).unwrap()
}

fn till_names(report: &Value) -> Vec<(String, i64)> {
    report["tills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["till"].as_str().unwrap().to_string(),
                t["open"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn two_tills_share_one_ledger_and_the_report_covers_both_or_one() {
    let Some(url) = fresh_database() else { return };
    let front = Shop::new(BIN, "ledger-front");
    let terrace = front.elsewhere();
    let sandbox = front.serve_sandbox();
    let base = format!("{}/counos/api/", sandbox.1);
    front.use_gateway("counos", &base, OWNER);
    terrace.use_gateway("counos", &base, OWNER);

    // The front till sold on its own file before the shop had a server.
    front.ok_with(&["sale", "3.00", "EUR", "BTC"], "", None);
    let status = json(&front, &["ledger", "status"], "");
    assert_eq!(status["backend"], "sqlite");

    // A wrong PIN moves nothing; the right one copies the till's sale once.
    let err = front.refused(&["ledger", "use", &url], "", Some("0000"));
    assert!(err.contains("Wrong PIN"), "{err}");
    assert_eq!(json(&front, &["ledger", "status"], "")["backend"], "sqlite");
    let moved = json(&front, &["ledger", "use", &url], "\n");
    assert_eq!(
        (moved["copied"].as_i64(), moved["already"].as_i64()),
        (Some(1), Some(0))
    );
    let again = json(&front, &["ledger", "use", &url], "\n");
    assert_eq!(
        (again["copied"].as_i64(), again["already"].as_i64()),
        (Some(0), Some(1))
    );
    json(&terrace, &["ledger", "use", &url], "");
    json(&front, &["till", "name", "Front"], "");
    json(&terrace, &["till", "name", "Terrace"], "");
    let err = terrace.refused(&["till", "name", "front"], "", Some(OWNER));
    assert!(err.contains("Another till"), "{err}");

    let status = json(&terrace, &["ledger", "status"], "");
    assert_eq!(status["backend"], "postgres");
    assert_eq!(status["tillName"], "Terrace");
    assert!(
        !status["place"].as_str().unwrap().contains("://"),
        "{status}"
    );

    terrace.ok_with(&["sale", "4.00", "EUR", "BTC"], "", None);
    terrace.ok_with(&["sale", "5.00", "EUR", "BTC"], "", None);

    // Either till's report covers the shop; --till keeps one till.
    let shop = json(&front, &["report"], "");
    assert_eq!(shop["open"], 3, "{shop}");
    assert_eq!(
        till_names(&shop),
        [("Front".to_string(), 1), ("Terrace".to_string(), 2)]
    );
    let one = json(&front, &["report", "--till", "terrace"], "");
    assert_eq!(till_names(&one), [("Terrace".to_string(), 2)]);
    assert_eq!(one["open"], 2);
    let bad = front.refused(&["ledger", "use", "mysql://x"], "", Some(OWNER));
    assert!(bad.contains("is not a ledger"), "{bad}");

    // Back to its own file: the till's report is its own sales again.
    let back = json(&front, &["ledger", "use", "sqlite"], "");
    assert_eq!(back["backend"], "sqlite");
    let own = json(&front, &["report"], "");
    assert_eq!(own["open"], 1);
}
