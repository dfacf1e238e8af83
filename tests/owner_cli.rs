//! The owner's command line, as a shop owner would use it: the real binary,
//! the sandbox gateway served by a second `cryptill` process, the ledger in a
//! temp dir, keys under a test keyring service.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

mod support;
use support::{serve_sandbox, Sandbox};

const BIN: &str = env!("CARGO_BIN_EXE_cryptill");

struct Shop {
    dir: tempfile::TempDir,
    service: String,
}

impl Shop {
    fn new(name: &str) -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            service: format!("cryptill-test-owner-cli-{name}-{}", std::process::id()),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.arg("--data-dir").arg(self.dir.path()).args(args);
        cmd.env("CRYPTILL_KEYRING_SERVICE", &self.service);
        cmd.env_remove("CRYPTILL_OWNER_PIN");
        cmd
    }

    fn run_with(&self, args: &[&str], stdin: &str, pin: Option<&str>) -> Output {
        let mut cmd = self.command(args);
        if let Some(pin) = pin {
            cmd.env("CRYPTILL_OWNER_PIN", pin);
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    fn ok(&self, args: &[&str], stdin: &str, pin: Option<&str>) -> String {
        let out = self.run_with(args, stdin, pin);
        assert!(
            out.status.success(),
            "cryptill {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn owner_json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        serde_json::from_str(&self.ok(&all, "", Some("1234"))).unwrap()
    }

    fn refused(&self, args: &[&str], stdin: &str, pin: Option<&str>) -> String {
        let out = self.run_with(args, stdin, pin);
        assert!(!out.status.success(), "cryptill {args:?} succeeded");
        String::from_utf8_lossy(&out.stderr).into_owned()
    }
}

/// The owner ticks "allow withdraw" in the (sandbox's) Counos dashboard.
fn permit_withdrawals(sandbox: &Sandbox) {
    let url = format!("{}/control/counos/withdraw-permission", sandbox.1);
    let (status, body) = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let response = reqwest::Client::new()
            .post(url)
            .json(&serde_json::json!({"permitted": true}))
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap_or_default())
    });
    assert!(status.is_success(), "{status}: {body}");
}

#[test]
fn the_owner_pin_is_set_twice_over_stdin_and_guards_every_owner_subcommand() {
    let shop = Shop::new("pin");
    // Before a PIN exists, owner subcommands say how to set one.
    let err = shop.refused(&["report"], "", Some("1234"));
    assert!(err.contains("owner pin set"), "{err}");
    let err = shop.refused(&["owner", "pin", "set"], "1234\n4321\n", None);
    assert!(err.contains("differ"), "{err}");
    shop.ok(&["owner", "pin", "set"], "1234\n1234\n", None);

    for args in [
        vec!["balance"],
        vec!["withdraws"],
        vec![
            "withdraw",
            "--coin",
            "BTC",
            "--amount",
            "0.001",
            "--address",
            "tb1q",
        ],
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
    let shop = Shop::new("change");
    shop.ok(&["owner", "pin", "set"], "1234\n1234\n", None);
    let err = shop.refused(&["owner", "pin", "set"], "0000\n5678\n5678\n", None);
    assert!(err.contains("Wrong PIN"), "{err}");
    shop.ok(&["owner", "pin", "set"], "1234\n5678\n5678\n", None);
    shop.ok(&["report"], "", Some("5678"));
    // The PIN also comes from the first stdin line.
    shop.ok(&["report"], "5678\n", None);
}

#[test]
fn balance_withdrawals_report_and_export_against_a_counos_sandbox() {
    let shop = Shop::new("counos");
    let sandbox = serve_sandbox(|args| shop.command(args));
    let base = format!("{}/counos/api/", sandbox.1);
    shop.ok(&["owner", "pin", "set"], "1234\n1234\n", None);
    shop.ok(
        &["gateway", "use", "counos", "--base-url", &base],
        "",
        Some("1234"),
    );
    shop.ok(
        &["gateway", "key", "set", "counos"],
        "cryptill-demo-terminal-key\n",
        Some("1234"),
    );

    shop.ok(&["sale", "100", "EUR", "BTC"], "", None);
    shop.ok(&["sandbox", "pay", "1", "--url", &sandbox.1], "", None);
    shop.ok(&["order", "1"], "", None);

    let balance = shop.owner_json(&["balance"]);
    let btc = balance["balances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["coin"] == "BTC")
        .unwrap()
        .clone();
    assert_eq!(btc["amount"], "0.00172414");

    let withdraw = [
        "withdraw",
        "--coin",
        "BTC",
        "--amount",
        "0.001",
        "--address",
        "tb1qcliowner000000000000000000000000000000",
    ];
    let err = shop.refused(&withdraw, "", Some("1234"));
    assert!(err.contains("Withdraw is not permitted by API"), "{err}");
    permit_withdrawals(&sandbox);
    let done = shop.owner_json(&withdraw);
    assert_eq!(done["request"]["outcome"], "registered");
    assert!(done["receipt"]["message"]
        .as_str()
        .unwrap()
        .contains("e-mail"));
    let found = shop.owner_json(&["withdraws", "--search", "tb1qcliowner"]);
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(found[0]["amount"], "0.00100000");
    assert!(shop
        .owner_json(&["withdraws", "--search", "nothing"])
        .as_array()
        .unwrap()
        .is_empty());

    let report = shop.owner_json(&["report"]);
    assert_eq!(report["salesCount"], 1);
    assert_eq!(report["gross"], "100.00");
    assert_eq!(report["coins"][0]["cryptoAmount"], "0.00172414");
    let text = shop.ok(&["report"], "", Some("1234"));
    assert!(text.contains("Total:        100.00 EUR"), "{text}");
    let err = shop.refused(&["report", "--day", "21/11/2026"], "", Some("1234"));
    assert!(err.contains("YYYY-MM-DD"), "{err}");

    let csv = shop.dir.path().join("sales.csv");
    let out = shop.owner_json(&["export", "--csv", csv.to_str().unwrap()]);
    assert_eq!(out["sales"], 1);
    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<_> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[1].contains(",100.00,") && lines[1].contains(",0.00172414,"));
    // A range with no sales still writes the header.
    let out = shop.owner_json(&[
        "export",
        "--csv",
        csv.to_str().unwrap(),
        "--from",
        "2020-01-01",
        "--to",
        "2020-01-02",
    ]);
    assert_eq!(out["sales"], 0);
}

/// The holes of issue 10, tried again at the command line.
#[test]
fn keys_and_gateway_changes_need_the_owner_pin() {
    let shop = Shop::new("changes");
    let sandbox = serve_sandbox(|args| shop.command(args));
    shop.ok(&["owner", "pin", "set"], "1234\n1234\n", None);
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
    let ledger =
        cryptill_core::ledger::Ledger::open(&shop.dir.path().join("cryptill.sqlite3")).unwrap();
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
    shop.ok(
        &["gateway", "use", "counos", "--base-url", &base],
        "",
        Some("1234"),
    );
    shop.ok(
        &["gateway", "key", "set", "counos"],
        "1234\ncryptill-demo-terminal-key\n",
        None,
    );
    assert!(shop
        .ok(&["gateway", "test"], "", None)
        .contains("accepts the key"));
    // The key of the gateway chosen cannot be deleted from under it.
    let err = shop.refused(&["gateway", "key", "delete", "counos"], "", Some("1234"));
    assert!(err.contains("chosen for this till"), "{err}");

    // The stranger: another data folder, a PIN of its own, the
    // shop's gateway and address. The shop's key is not there for it.
    let stranger = Shop {
        dir: tempfile::tempdir().unwrap(),
        service: shop.service.clone(),
    };
    stranger.ok(
        &["gateway", "use", "counos", "--base-url", &base],
        "",
        Some("5555"),
    );
    for args in [vec!["balance"], vec!["withdraws"], vec!["gateway", "test"]] {
        let err = stranger.refused(&args, "", Some("5555"));
        assert!(err.contains("No API key for Counos"), "{args:?}: {err}");
    }
    // A copy of the shop's ledger in another folder is told apart too.
    let copy = Shop {
        dir: tempfile::tempdir().unwrap(),
        service: shop.service.clone(),
    };
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
    let shop = Shop::new("first");
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
    shop.ok(&["report"], "", Some("2468"));
    shop.refused(&["gateway", "use", "demo"], "1234\n1234\n", None);
}

/// 32 processes guess at once: 32 failures are counted, and the right PIN
/// afterwards meets the lock-out.
#[test]
fn thirty_two_parallel_wrong_pins_are_all_counted_and_lock_the_right_pin_out() {
    let shop = Shop::new("parallel");
    shop.ok(&["owner", "pin", "set"], "1234\n1234\n", None);
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
    let ledger =
        cryptill_core::ledger::Ledger::open(&shop.dir.path().join("cryptill.sqlite3")).unwrap();
    assert_eq!(ledger.owner_auth().unwrap().unwrap().failed_attempts, 32);
    drop(ledger);
    let err = shop.refused(&["report"], "", Some("1234"));
    assert!(err.contains("locked for"), "{err}");
}
