//! The owner's command line, as a shop owner would use it: the real binary,
//! the sandbox gateway served by a second process, the ledger in a temp dir,
//! keys under a test keyring service.

use std::process::Stdio;

use crate::support::{withdraw_args, Shop};
use crate::BIN;

#[test]
fn the_owner_pin_is_set_twice_over_stdin_and_guards_every_owner_subcommand() {
    let shop = Shop::new(BIN, "owner-cli-pin");
    // Before a PIN exists, owner subcommands say how to set one.
    let err = shop.refused(&["report"], "", Some("1234"));
    assert!(err.contains("owner pin set"), "{err}");
    let err = shop.refused(&["owner", "pin", "set"], "1234\n4321\n", None);
    assert!(err.contains("differ"), "{err}");
    shop.ok_with(&["owner", "pin", "set"], "1234\n1234\n", None);

    for args in [
        vec!["balance"],
        vec!["withdraws"],
        withdraw_args("tb1q").to_vec(),
        vec!["report"],
        vec!["export", "--csv", "/tmp/never.csv"],
    ] {
        // No PIN at all, then a wrong one.
        let err = shop.refused(&args, "", None);
        assert!(
            err.contains("Owner PIN") || err.contains("input ended"),
            "{args:?}: {err}"
        );
        // The first three count as typos, the rest meet the lock-out.
        let err = shop.refused(&args, "", Some("9999"));
        assert!(
            err.contains("Wrong PIN") || err.contains("Too many wrong PINs"),
            "{args:?}: {err}"
        );
    }
    // Those wrong PINs (five) locked owner mode; the right PIN waits too.
    let err = shop.refused(&["report"], "", Some("1234"));
    assert!(err.contains("locked for"), "{err}");
    assert!(!std::path::Path::new("/tmp/never.csv").exists());
}

#[test]
fn changing_the_pin_needs_the_current_one() {
    let shop = Shop::new(BIN, "owner-cli-change");
    shop.ok_with(&["owner", "pin", "set"], "1234\n1234\n", None);
    let err = shop.refused(&["owner", "pin", "set"], "0000\n5678\n5678\n", None);
    assert!(err.contains("Wrong PIN"), "{err}");
    shop.ok_with(&["owner", "pin", "set"], "1234\n5678\n5678\n", None);
    shop.ok_with(&["report"], "", Some("5678"));
    // The PIN also comes from the first stdin line.
    shop.ok_with(&["report"], "5678\n", None);
}

#[test]
fn balance_withdrawals_report_and_export_against_a_counos_sandbox() {
    let shop = Shop::new(BIN, "owner-cli-counos");
    let sandbox = shop.serve_sandbox();
    shop.use_gateway("counos", &format!("{}/counos/api/", sandbox.1), "1234");

    shop.ok_with(&["sale", "100", "EUR", "BTC"], "", None);
    shop.ok_with(&["sandbox", "pay", "1", "--url", &sandbox.1], "", None);
    shop.ok_with(&["order", "1"], "", None);

    let balance = shop.json_with(&["balance"], Some("1234"));
    let btc = balance["balances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["coin"] == "BTC")
        .unwrap()
        .clone();
    assert_eq!(btc["amount"], "0.00172414");

    let withdraw = withdraw_args("tb1qcliowner000000000000000000000000000000");
    let err = shop.refused(&withdraw, "", Some("1234"));
    assert!(err.contains("Withdraw is not permitted by API"), "{err}");
    // The owner ticks "allow withdraw" in the (sandbox's) Counos dashboard.
    assert!(sandbox
        .control()
        .run(|c| c.permit_withdrawals(true))
        .unwrap());
    let done = shop.json_with(&withdraw, Some("1234"));
    assert_eq!(done["request"]["outcome"], "registered");
    assert!(done["receipt"]["message"]
        .as_str()
        .unwrap()
        .contains("e-mail"));
    let found = shop.json_with(&["withdraws", "--search", "tb1qcliowner"], Some("1234"));
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(found[0]["amount"], "0.00100000");
    assert!(shop
        .json_with(&["withdraws", "--search", "nothing"], Some("1234"))
        .as_array()
        .unwrap()
        .is_empty());

    let report = shop.json_with(&["report"], Some("1234"));
    assert_eq!(report["salesCount"], 1);
    assert_eq!(report["gross"], "100.00");
    assert_eq!(report["coins"][0]["cryptoAmount"], "0.00172414");
    let text = shop.ok_with(&["report"], "", Some("1234"));
    assert!(text.contains("Total:        100.00 EUR"), "{text}");
    let err = shop.refused(&["report", "--day", "21/11/2026"], "", Some("1234"));
    assert!(err.contains("YYYY-MM-DD"), "{err}");

    let csv = shop.dir.path().join("sales.csv");
    let out = shop.json_with(&["export", "--csv", csv.to_str().unwrap()], Some("1234"));
    assert_eq!(out["sales"], 1);
    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<_> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[1].contains(",100.00,") && lines[1].contains(",0.00172414,"));
    // A range with no sales still writes the header.
    let out = shop.json_with(
        &[
            "export",
            "--csv",
            csv.to_str().unwrap(),
            "--from",
            "2020-01-01",
            "--to",
            "2020-01-02",
        ],
        Some("1234"),
    );
    assert_eq!(out["sales"], 0);
}

/// The holes of issue 10, tried again at the command line.
#[test]
fn keys_and_gateway_changes_need_the_owner_pin() {
    let shop = Shop::new(BIN, "owner-cli-changes");
    let sandbox = shop.serve_sandbox();
    shop.ok_with(&["owner", "pin", "set"], "1234\n1234\n", None);
    let evil = "https://evil.example/api/";
    // No PIN: the key line is taken as the PIN and is wrong; nothing stored.
    let err = shop.refused(&["gateway", "key", "set", "counos"], "stolen-key\n", None);
    assert!(err.contains("Wrong PIN"), "{err}");
    let err = shop.refused(&["gateway", "use", "counos", "--base-url", evil], "", None);
    assert!(
        err.contains("Owner PIN") || err.contains("input ended"),
        "{err}"
    );
    let err = shop.refused(&["gateway", "key", "delete", "demo"], "", Some("0000"));
    assert!(err.contains("Wrong PIN"), "{err}");
    let ledger = cryptill_core::ledger::Ledger::open(&shop.ledger_path()).unwrap();
    assert_eq!(ledger.setting("gateway").unwrap(), None);
    assert_eq!(ledger.setting("counos_base_url").unwrap(), None);
    drop(ledger);

    // A password in the address is refused before anything else, and not
    // echoed back.
    let err = shop.refused(
        &[
            "gateway",
            "use",
            "counos",
            "--base-url",
            "https://shop:hunter2@payment.counos.io/api/",
        ],
        "",
        Some("1234"),
    );
    assert!(err.contains("user name or password"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");

    // With the PIN the owner changes them.
    let base = format!("{}/counos/api/", sandbox.1);
    shop.ok_with(
        &["gateway", "use", "counos", "--base-url", &base],
        "",
        Some("1234"),
    );
    shop.ok_with(
        &["gateway", "key", "set", "counos"],
        "1234\ncryptill-demo-terminal-key\n",
        None,
    );
    assert!(shop
        .ok_with(&["gateway", "test"], "", None)
        .contains("accepts the key"));
    // The key of the gateway chosen cannot be deleted from under it.
    let err = shop.refused(&["gateway", "key", "delete", "counos"], "", Some("1234"));
    assert!(err.contains("chosen for this till"), "{err}");

    // The stranger: another data folder, a PIN of its own, the
    // shop's gateway and address. The shop's key is not there for it.
    let stranger = shop.elsewhere();
    stranger.ok_with(
        &["gateway", "use", "counos", "--base-url", &base],
        "",
        Some("5555"),
    );
    for args in [vec!["balance"], vec!["withdraws"], vec!["gateway", "test"]] {
        let err = stranger.refused(&args, "", Some("5555"));
        assert!(err.contains("No API key for Counos"), "{args:?}: {err}");
    }
    // A copy of the shop's ledger in another folder is told apart too.
    let copy = shop.elsewhere();
    std::fs::copy(
        shop.dir.path().join("cryptill.sqlite3"),
        copy.dir.path().join("cryptill.sqlite3"),
    )
    .unwrap();
    let err = copy.refused(&["balance"], "", Some("1234"));
    assert!(err.contains("moved or copied"), "{err}");
}

#[test]
fn the_first_change_on_a_new_till_asks_for_an_owner_pin() {
    let shop = Shop::new(BIN, "owner-cli-first");
    let err = shop.refused(&["gateway", "use", "demo"], "1234\n4321\n", None);
    assert!(err.contains("differ"), "{err}");
    let out = shop.run_with(&["gateway", "use", "demo"], "2468\n2468\n", None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("Choose the owner PIN"));
    // That PIN is now the owner's.
    shop.ok_with(&["report"], "", Some("2468"));
    shop.refused(&["gateway", "use", "demo"], "1234\n1234\n", None);
}

/// 32 processes guess at once: 32 failures are counted, and the right PIN
/// afterwards meets the lock-out.
#[test]
fn thirty_two_parallel_wrong_pins_are_all_counted_and_lock_the_right_pin_out() {
    let shop = Shop::new(BIN, "owner-cli-parallel");
    shop.ok_with(&["owner", "pin", "set"], "1234\n1234\n", None);
    let guesses: Vec<_> = (0..32)
        .map(|i| {
            // An owner change: it reads the ledger only, so the 32 processes
            // meet at the PIN check and nowhere else.
            let mut cmd = shop.command(&["gateway", "use", "demo"]);
            cmd.env("CRYPTILL_OWNER_PIN", format!("{:04}", 5000 + i))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in guesses {
        let out = child.wait_with_output().unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("PIN"), "{err}");
    }
    let ledger = cryptill_core::ledger::Ledger::open(&shop.ledger_path()).unwrap();
    assert_eq!(ledger.owner_auth().unwrap().unwrap().failed_attempts, 32);
    drop(ledger);
    let err = shop.refused(&["report"], "", Some("1234"));
    assert!(err.contains("locked for"), "{err}");
}
