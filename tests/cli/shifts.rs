//! Cashiers and shifts from the command line, as a shop runs them: the
//! real binary, a Counos sandbox served by a second process, the ledger in
//! a temp dir. Bad input gets a sentence and exit code 2, and changes
//! nothing.

use serde_json::Value;

use crate::support::Shop;
use crate::BIN;

const OWNER: &str = "1234";

fn shift_count(shop: &Shop) -> i64 {
    rusqlite::Connection::open(shop.ledger_path())
        .unwrap()
        .query_row("SELECT COUNT(*) FROM shifts", [], |r| r.get(0))
        .unwrap()
}

fn sale_count(shop: &Shop) -> i64 {
    rusqlite::Connection::open(shop.ledger_path())
        .unwrap()
        .query_row("SELECT COUNT(*) FROM sales", [], |r| r.get(0))
        .unwrap()
}

/// The command fails with exit code 2 (bad input) and says `why`.
fn refused_as_input(shop: &Shop, args: &[&str], stdin: &str, why: &str) {
    let out = shop.run_with(args, stdin, Some(OWNER));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.contains(why), "{args:?}: {err}");
}

fn json(shop: &Shop, args: &[&str], stdin: &str) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    serde_json::from_str(&shop.ok_with(&all, stdin, Some(OWNER))).unwrap()
}

#[test]
fn two_cashiers_two_shifts_each_sale_named_and_each_z_numbered_and_read_back() {
    let shop = Shop::new(BIN, "shift-cli");
    let sandbox = shop.serve_sandbox();
    shop.use_gateway("counos", &format!("{}/counos/api/", sandbox.1), OWNER);

    // The owner adds two cashiers; each PIN is typed twice.
    refused_as_input(&shop, &["cashier", "add", "Ana"], "1111\n1112\n", "differ");
    shop.ok_with(&["cashier", "add", "Ana"], "1111\n1111\n", Some(OWNER));
    shop.ok_with(&["cashier", "add", "Ben"], "22222\n22222\n", Some(OWNER));
    let err = shop.refused(&["cashier", "add", "Cy"], "3333\n3333\n", Some("9999"));
    assert!(err.contains("Wrong PIN"), "{err}");
    let list = json(&shop, &["cashier", "list"], "");
    let names: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].clone())
        .collect();
    assert_eq!(names, vec!["Ana", "Ben"]);

    // No shift, no sale, and nothing written.
    refused_as_input(&shop, &["sale", "5", "EUR", "BTC"], "", "No shift is open");
    assert_eq!(sale_count(&shop), 0);
    refused_as_input(&shop, &["shift", "close"], "", "No shift is open");
    refused_as_input(&shop, &["shift", "status"], "", "No shift is open");
    // An unknown cashier, a wrong PIN: nothing opens.
    refused_as_input(
        &shop,
        &["shift", "open", "--cashier", "Zed"],
        "1111\n",
        "no cashier called 'Zed'",
    );
    refused_as_input(
        &shop,
        &["shift", "open", "--cashier", "Ana"],
        "9999\n",
        "Wrong PIN",
    );
    assert_eq!(shift_count(&shop), 0);

    shop.ok_with(&["shift", "open", "--cashier", "Ana"], "1111\n", None);
    refused_as_input(
        &shop,
        &["shift", "open", "--cashier", "Ben"],
        "22222\n",
        "open already",
    );
    assert_eq!(shift_count(&shop), 1);
    let sale = json(&shop, &["sale", "10", "EUR", "BTC"], "");
    assert_eq!(sale["cashier"], "Ana");
    assert!(shop.ok(&["order", "1"]).contains("Cashier:  Ana"));
    shop.ok_with(&["sandbox", "pay", "1", "--url", &sandbox.1], "", None);
    shop.ok_with(&["order", "1"], "", None);

    // Ben takes over, his PIN from CRYPTILL_CASHIER_PIN.
    let out = shop
        .command(&["shift", "switch", "--cashier", "ben"])
        .env("CRYPTILL_CASHIER_PIN", "22222")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sale = json(&shop, &["sale", "4", "EUR", "BTC"], "");
    assert_eq!(sale["cashier"], "Ben");

    let x = json(&shop, &["shift", "status"], "");
    assert_eq!(x["number"], Value::Null);
    assert_eq!(x["salesCount"], 1);
    let z1 = json(&shop, &["shift", "close"], "");
    assert_eq!(z1["number"], 1);
    assert_eq!(z1["gross"], "10.00");
    assert_eq!(z1["cashiers"][0]["cashier"], "Ana");
    assert_eq!(z1["carriedOver"][0]["saleId"], 2);
    refused_as_input(&shop, &["shift", "close"], "", "No shift is open");

    // The second shift: Ben alone.
    shop.ok_with(&["shift", "open", "--cashier", "Ben"], "22222\n", None);
    shop.ok_with(&["sale", "6", "EUR", "BTC"], "", None);
    let z2 = json(&shop, &["shift", "close"], "");
    assert_eq!(z2["number"], 2);

    // Each Z reads back as it was made; the text names its number.
    assert_eq!(json(&shop, &["report", "--shift", "1"], ""), z1);
    assert_eq!(json(&shop, &["report", "--shift", "2"], ""), z2);
    assert!(shop
        .ok_with(&["report", "--shift", "2"], "", Some(OWNER))
        .contains("Z report 2"));
    refused_as_input(
        &shop,
        &["report", "--shift", "3"],
        "",
        "no Z report number 3",
    );

    // A disabled cashier cannot sign in; renamed, Ana's sales follow.
    shop.ok_with(&["cashier", "disable", "Ben"], "", Some(OWNER));
    refused_as_input(
        &shop,
        &["shift", "open", "--cashier", "Ben"],
        "22222\n",
        "disabled",
    );
    shop.ok_with(&["cashier", "rename", "Ana", "Anna"], "", Some(OWNER));
    assert!(shop.ok(&["order", "1"]).contains("Cashier:  Anna"));
}

#[test]
fn a_one_person_shop_sells_without_cashiers_or_shifts() {
    let shop = Shop::new(BIN, "shift-cli-solo");
    let sandbox = shop.serve_sandbox();
    shop.use_gateway("counos", &format!("{}/counos/api/", sandbox.1), OWNER);
    let sale = json(&shop, &["sale", "5", "EUR", "BTC"], "");
    assert_eq!(sale["cashier"], Value::Null);
    assert!(!shop.ok(&["order", "1"]).contains("Cashier"));
    assert!(shop
        .ok_with(&["cashier", "list"], "", Some(OWNER))
        .contains("No cashiers"));
    refused_as_input(&shop, &["shift", "status"], "", "No shift is open");
}
