//! The secrets suite (issue 10): a unique API key goes into the real OS
//! keyring through the command line and the window, then sales, quotes,
//! reports, exports, owner screens and errors run against a sandbox gateway
//! that accepts only that key. Afterwards every byte Cryptill wrote or said
//! is scanned for the key: the ledger and its WAL, every file in the data
//! folder and the config folder, the CSV, every log line (debug level),
//! stdout and stderr of every command, and every IPC answer. The key must be
//! found 0 times, while the sandbox proves it was used.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::{Command, Stdio};

use cryptill_core::{Till, TillConfig};
use serde_json::json;

use crate::support::withdraw_args;
use crate::window::{charge, invoke, window};

use crate::BIN;

struct Run {
    data: tempfile::TempDir,
    config_home: tempfile::TempDir,
    service: String,
    /// Every stdout and stderr, in order.
    said: Vec<(String, Vec<u8>)>,
}

impl Run {
    fn cryptill(&mut self, args: &[&str], stdin: &str, pin: bool) -> bool {
        let mut cmd = Command::new(BIN);
        cmd.arg("--data-dir")
            .arg(self.data.path())
            .args(args)
            .env("CRYPTILL_KEYRING_SERVICE", &self.service)
            .env("CRYPTILL_LOG", "debug")
            .env("XDG_CONFIG_HOME", self.config_home.path())
            .env_remove("CRYPTILL_OWNER_PIN")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if pin {
            cmd.env("CRYPTILL_OWNER_PIN", "8642");
        }
        let mut child = cmd.spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let name = args.join(" ");
        self.said.push((format!("stdout of {name}"), out.stdout));
        self.said.push((format!("stderr of {name}"), out.stderr));
        out.status.success()
    }
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
#[cfg(target_os = "linux")]
fn a_unique_key_is_never_written_logged_printed_or_answered() {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let key = format!("sk-scan-{}-{nanos:x}-Zq9", std::process::id());
    let gateway_dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sandbox = runtime
        .block_on(cryptill_sandbox::start(
            cryptill_sandbox::Config {
                api_keys: vec![key.clone()],
                ..cryptill_sandbox::Config::demo(gateway_dir.path().join("gw.sqlite3"))
            },
            SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        ))
        .unwrap();
    let base = sandbox.counos_url();
    let mut run = Run {
        data: tempfile::tempdir().unwrap(),
        config_home: tempfile::tempdir().unwrap(),
        service: format!("cryptill-test-secrets-{}", std::process::id()),
        said: Vec::new(),
    };

    // The command line: the owner files the key, then the counter sells.
    assert!(run.cryptill(&["owner", "pin", "set"], "8642\n8642\n", false));
    assert!(run.cryptill(&["gateway", "use", "counos", "--base-url", &base], "", true));
    assert!(run.cryptill(
        &["gateway", "key", "set", "counos"],
        &format!("8642\n{key}\n"),
        false
    ));
    // The sandbox accepts only this key: these prove it was used.
    assert!(run.cryptill(&["gateway", "test"], "", false));
    assert!(run.cryptill(&["coins", "--json"], "", false));
    assert!(run.cryptill(&["rates", "EUR", "BTC"], "", false));
    assert!(run.cryptill(&["quote", "12.50", "EUR", "BTC", "--json"], "", false));
    assert!(run.cryptill(&["sale", "12.50", "EUR", "BTC", "--json"], "", false));
    assert!(run.cryptill(&["sale", "40", "EUR", "LTC"], "", false));
    let url = sandbox.base_url();
    assert!(run.cryptill(&["sandbox", "pay", "1", "--url", &url], "", false));
    assert!(run.cryptill(&["order", "1", "--json"], "", false));
    assert!(run.cryptill(&["balance", "--json"], "", true));
    assert!(run.cryptill(&["withdraws"], "", true));
    assert!(run.cryptill(&["report", "--json"], "", true));
    let csv = run.data.path().join("export.csv");
    assert!(run.cryptill(&["export", "--csv", csv.to_str().unwrap()], "", true));
    // Errors: refused input, an unknown coin, a refused withdrawal, the key
    // pasted where the PIN goes.
    assert!(!run.cryptill(&["sale", "99999999", "EUR", "BTC"], "", false));
    assert!(!run.cryptill(&["sale", "5", "EUR", "NOPE"], "", false));
    let withdraw = withdraw_args("tb1q");
    assert!(!run.cryptill(&withdraw, "", true));
    assert!(!run.cryptill(&["report"], &format!("{key}\n"), false));

    // The window, on the same data folder and keyring.
    let mut config = TillConfig::new(run.data.path());
    config.keyring_service = run.service.clone();
    let till = tauri::async_runtime::block_on(Till::open(config));
    let w = window(till.map_err(Into::into), tempfile::tempdir().unwrap());
    let export = run.data.path().join("window.csv");
    let mut answers = Vec::new();
    for (cmd, args) in [
        ("app_info", json!({})),
        ("session_unlock", json!({"pin": key})),
        ("session_unlock", json!({"pin": "8642"})),
        ("owner_set_key", json!({"gateway": "counos", "key": key})),
        ("owner_gateway", json!({})),
        ("owner_test_key", json!({})),
        ("owner_settings", json!({})),
        ("owner_balances", json!({})),
        ("list_coins", json!({})),
        ("quotes", json!({"amount": "9.99"})),
        // A refused sale; a placed one follows below.
        (
            "charge_sale",
            json!({"entry": {"lines": [{"amount": "1.234"}], "coin": "BTC"}}),
        ),
        ("recent_sales", json!({})),
        ("receipt", json!({"saleId": 1})),
        ("owner_report", json!({"filter": {}})),
        ("owner_sales", json!({"filter": {}})),
        ("owner_withdrawal_requests", json!({})),
        (
            "owner_export_csv",
            json!({"filter": {}, "path": export.to_str().unwrap()}),
        ),
        (
            "owner_withdraw",
            json!({"form": {"coin": "BTC", "amount": "0.001", "address": "tb1qscan"}}),
        ),
        ("owner_delete_key", json!({"gateway": "counos"})),
    ] {
        let answer = match invoke(&w, cmd, args) {
            Ok(v) | Err(v) => v.to_string(),
        };
        answers.push((format!("IPC answer of {cmd}"), answer.into_bytes()));
    }
    // The window really works with the key: the counter's two steps place a sale.
    let placed = match charge(&w, "9.99", "BTC") {
        Ok(v) | Err(v) => v.to_string(),
    };
    assert!(placed.contains("awaiting"), "{placed}");
    answers.push(("IPC answer of a sale placed".into(), placed.into_bytes()));

    // Scan, with the window's ledger connection still open (the WAL exists).
    let needle = key.as_bytes();
    let mut scanned = Vec::new();
    let mut paths = Vec::new();
    files(run.data.path(), &mut paths);
    files(run.config_home.path(), &mut paths);
    assert!(
        paths.iter().any(|p| p.to_string_lossy().ends_with("-wal")),
        "{paths:?}"
    );
    assert!(paths.contains(&csv) && paths.contains(&export));
    for path in &paths {
        scanned.push((path.display().to_string(), std::fs::read(path).unwrap()));
    }
    scanned.append(&mut run.said);
    scanned.extend(answers);
    let mut bytes = 0;
    let mut log_lines = 0;
    for (what, content) in &scanned {
        bytes += content.len();
        if what.starts_with("stderr") {
            log_lines += content.split(|b| *b == b'\n').count();
        }
        assert_eq!(count(content, needle), 0, "the key is in {what}");
    }
    println!(
        "secrets: scanned {} sources ({} files, {} log/stderr lines), {bytes} bytes: key found 0 times",
        scanned.len(),
        paths.len(),
        log_lines
    );
    // The scan can fail: the key really is in the keyring, where it belongs
    // (the window's `owner_delete_key` was refused: counos is in use).
    let lookup = Command::new("secret-tool")
        .args(["lookup", "service", &run.service])
        .output()
        .unwrap();
    assert_eq!(count(&lookup.stdout, needle), 1);
    drop(w);
    let mut config = TillConfig::new(run.data.path());
    config.keyring_service = run.service.clone();
    let ledger =
        cryptill_core::ledger::Ledger::open(&run.data.path().join("cryptill.sqlite3")).unwrap();
    config.keys(&ledger).unwrap().delete("counos").unwrap();
    runtime.block_on(sandbox.shutdown());
}
