//! What the command-line and app test suites share, with no Tauri in it: a
//! till in a temp dir driven through a `cryptill` binary, and a sandbox
//! gateway served by a second process of that binary.

// Each suite uses its own part of this module.
#![allow(dead_code)]

use std::io::Write;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The key the sandbox's demo terminal accepts.
pub const DEMO_KEY: &str = "cryptill-demo-terminal-key";

/// A till in a temp dir, its keys under a keyring service of its own (so
/// tests never touch a shop's real keys), run through `bin` one process per
/// command, as a shop owner runs it.
pub struct Shop {
    pub dir: tempfile::TempDir,
    pub service: String,
    bin: &'static str,
    /// Given to every command as `CRYPTILL_OWNER_PIN`; without it, the
    /// variable is removed so a PIN must come from standard input.
    pin: Option<&'static str>,
}

impl Shop {
    pub fn new(bin: &'static str, name: &str) -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            service: format!("cryptill-test-{name}-{}", std::process::id()),
            bin,
            pin: None,
        }
    }

    /// Every command runs with the owner PIN in `CRYPTILL_OWNER_PIN`.
    pub fn with_pin(mut self, pin: &'static str) -> Self {
        self.pin = Some(pin);
        self
    }

    /// Another till (a data folder of its own) on the same computer: it
    /// shares this one's keyring service, as two folders of one user do.
    pub fn elsewhere(&self) -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            service: self.service.clone(),
            bin: self.bin,
            pin: None,
        }
    }

    pub fn ledger_path(&self) -> PathBuf {
        self.dir.path().join("cryptill.sqlite3")
    }

    /// `bin --data-dir <dir> args...`, every stream piped.
    pub fn command(&self, args: &[&str]) -> Command {
        self.command_with(args, self.pin)
    }

    fn command_with(&self, args: &[&str], pin: Option<&str>) -> Command {
        let mut cmd = Command::new(self.bin);
        cmd.arg("--data-dir").arg(self.dir.path()).args(args);
        cmd.env("CRYPTILL_KEYRING_SERVICE", &self.service);
        match pin {
            Some(pin) => cmd.env("CRYPTILL_OWNER_PIN", pin),
            None => cmd.env_remove("CRYPTILL_OWNER_PIN"),
        };
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    /// Runs one command with `stdin` typed in, and the PIN given (or none).
    pub fn run_with(&self, args: &[&str], stdin: &str, pin: Option<&str>) -> Output {
        let mut child = self.command_with(args, pin).spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    pub fn run(&self, args: &[&str], stdin: &str) -> Output {
        self.run_with(args, stdin, self.pin)
    }

    /// The command's stdout; it must succeed.
    pub fn ok_with(&self, args: &[&str], stdin: &str, pin: Option<&str>) -> String {
        let out = self.run_with(args, stdin, pin);
        assert!(
            out.status.success(),
            "cryptill {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn ok(&self, args: &[&str]) -> String {
        self.ok_with(args, "", self.pin)
    }

    /// The command's `--json` answer; it must succeed.
    pub fn json(&self, args: &[&str]) -> Value {
        self.json_with(args, self.pin)
    }

    pub fn json_with(&self, args: &[&str], pin: Option<&str>) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        serde_json::from_str(&self.ok_with(&all, "", pin)).unwrap()
    }

    /// The command's stderr; it must fail.
    pub fn refused(&self, args: &[&str], stdin: &str, pin: Option<&str>) -> String {
        let out = self.run_with(args, stdin, pin);
        assert!(!out.status.success(), "cryptill {args:?} succeeded");
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    /// The owner sets `pin`, points the till at `gateway` on a served
    /// sandbox and stores the demo key, as a shop owner would.
    pub fn use_gateway(&self, gateway: &str, base: &str, pin: &str) {
        let pins = format!("{pin}\n{pin}\n");
        self.ok_with(&["owner", "pin", "set"], &pins, None);
        self.ok_with(
            &["gateway", "use", gateway, "--base-url", base],
            "",
            Some(pin),
        );
        self.ok_with(
            &["gateway", "key", "set", gateway],
            &format!("{DEMO_KEY}\n"),
            Some(pin),
        );
    }

    /// `sandbox serve` in its own process, beside this till's data.
    pub fn serve_sandbox(&self) -> Sandbox {
        serve_sandbox(|args| self.command(args))
    }
}

/// `cryptill withdraw` of 0.001 BTC to `address`.
pub fn withdraw_args(address: &str) -> [&str; 7] {
    [
        "withdraw",
        "--coin",
        "BTC",
        "--amount",
        "0.001",
        "--address",
        address,
    ]
}

/// `cryptill sandbox serve` in its own process; `.1` is its base URL. It
/// stops when dropped.
pub struct Sandbox(Child, pub String);

impl Sandbox {
    /// The sandbox's control routes (pay, expire, faults...), from a plain
    /// test thread.
    pub fn control(&self) -> cryptill_sandbox::client::blocking::Control {
        cryptill_sandbox::client::blocking::Control::new(&self.1).unwrap()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Serves the sandbox on a free port with the command `cryptill` builds for
/// the given arguments (so it shares the test shop's data dir and keyring).
pub fn serve_sandbox(cryptill: impl FnOnce(&[&str]) -> Command) -> Sandbox {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // Nobody reads its output: a pipe left unread would fill and stall it.
    let child = cryptill(&["sandbox", "serve", "--port", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the sandbox did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Sandbox(child, format!("http://127.0.0.1:{port}"))
}
