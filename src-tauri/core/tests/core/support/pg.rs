//! The shop's shared ledger in tests: a fresh database on the real
//! PostgreSQL server `./dev test` starts (`CRYPTILL_TEST_POSTGRES`, an
//! address of its `postgres` database), and a loopback relay in front of
//! it that can be cut and restored, as a network or server outage looks
//! from a till.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The server's address, or `None` (the suite then says it was skipped)
/// unless `CRYPTILL_REQUIRE_POSTGRES` asks for it, as `./dev test` does.
pub fn server() -> Option<String> {
    match std::env::var("CRYPTILL_TEST_POSTGRES") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("CRYPTILL_REQUIRE_POSTGRES").is_err(),
                "CRYPTILL_REQUIRE_POSTGRES is set but CRYPTILL_TEST_POSTGRES is not"
            );
            eprintln!("skipped: no PostgreSQL (CRYPTILL_TEST_POSTGRES is not set)");
            None
        }
    }
}

/// Runs `f` off the async runtime: the `postgres` client runs one of its
/// own and must not be called from inside another.
pub fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(f).join().unwrap()
}

/// An admin connection to the server.
pub fn admin(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).unwrap()
}

/// A new, empty database on the server; its address.
pub fn fresh_database(server: &str) -> String {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).unwrap();
    let name: String = std::iter::once("cryptill_t_".to_string())
        .chain(bytes.iter().map(|b| format!("{b:02x}")))
        .collect();
    let (admin_url, db) = (server.to_string(), name.clone());
    blocking(move || {
        admin(&admin_url)
            .batch_execute(&format!("CREATE DATABASE {db}"))
            .unwrap()
    });
    with_database(server, &name)
}

/// `url` with its database replaced by `db`.
pub fn with_database(url: &str, db: &str) -> String {
    let mut parsed = url::Url::parse(url).unwrap();
    parsed.set_path(db);
    parsed.to_string()
}

/// `url` with its host and port replaced by a relay's.
pub fn through(url: &str, port: u16) -> String {
    let mut parsed = url::Url::parse(url).unwrap();
    parsed.set_host(Some("127.0.0.1")).unwrap();
    parsed.set_port(Some(port)).unwrap();
    parsed.to_string()
}

/// For the suites that run on either ledger: a fresh database when
/// `CRYPTILL_TEST_LEDGER=postgres`, else `None` (SQLite).
pub fn suite_ledger() -> Option<String> {
    if std::env::var("CRYPTILL_TEST_LEDGER").as_deref() != Ok("postgres") {
        return None;
    }
    let server = std::env::var("CRYPTILL_TEST_POSTGRES")
        .expect("CRYPTILL_TEST_LEDGER=postgres needs CRYPTILL_TEST_POSTGRES");
    Some(fresh_database(&server))
}

/// A loopback relay to the server that can be cut (every connection
/// dropped, the port closed) and restored on the same port.
pub struct Relay {
    pub port: u16,
    target: String,
    up: Arc<AtomicBool>,
    streams: Arc<Mutex<Vec<TcpStream>>>,
    listener: Mutex<Option<TcpListener>>,
}

impl Relay {
    /// A relay to the host and port of `url`.
    pub fn to(url: &str) -> Arc<Self> {
        let parsed = url::Url::parse(url).unwrap();
        let target = format!(
            "{}:{}",
            parsed.host_str().unwrap(),
            parsed.port().unwrap_or(5432)
        );
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let relay = Arc::new(Self {
            port: listener.local_addr().unwrap().port(),
            target,
            up: Arc::new(AtomicBool::new(false)),
            streams: Arc::default(),
            listener: Mutex::new(Some(listener)),
        });
        relay.serve();
        relay
    }

    fn serve(self: &Arc<Self>) {
        let listener = self.listener.lock().unwrap().take().unwrap();
        self.up.store(true, Ordering::SeqCst);
        let me = self.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if !me.up.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { break };
                let Ok(server) = TcpStream::connect(&me.target) else {
                    continue;
                };
                {
                    let mut streams = me.streams.lock().unwrap();
                    streams.push(client.try_clone().unwrap());
                    streams.push(server.try_clone().unwrap());
                }
                pipe(client.try_clone().unwrap(), server.try_clone().unwrap());
                pipe(server, client);
            }
        });
    }

    /// The outage: open connections drop and no new one is taken.
    pub fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for s in self.streams.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
        // Wake the accept loop so it sees `up` is false and closes the port.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        std::thread::sleep(std::time::Duration::from_millis(100));
    }

    /// The server is back, on the same address.
    pub fn restore(self: &Arc<Self>) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).unwrap();
        *self.listener.lock().unwrap() = Some(listener);
        self.serve();
    }
}

fn pipe(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to.shutdown(Shutdown::Both);
    });
}

/// A PostgreSQL cluster of a test's own (initdb into a temp folder, on a
/// free loopback port), which the test can stop and start again: a real
/// server going down mid-day, not a cut line. As root it runs as the
/// `postgres` user (initdb refuses root), as `./dev` does.
pub struct Cluster {
    bin: std::path::PathBuf,
    dir: tempfile::TempDir,
    pub port: u16,
}

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

impl Cluster {
    /// A new cluster, started; `None` (said why) when this machine cannot
    /// make one, unless `CRYPTILL_REQUIRE_POSTGRES` asks for it.
    pub fn start() -> Option<Cluster> {
        let bin = std::path::PathBuf::from(PG_BIN);
        let root = is_root();
        let why = if !bin.join("initdb").exists() {
            Some(format!("no PostgreSQL binaries in {PG_BIN}"))
        } else if root && !Self::has_postgres_user() {
            Some("running as root without a `postgres` user to run the server as".into())
        } else {
            None
        };
        if let Some(why) = why {
            assert!(
                std::env::var("CRYPTILL_REQUIRE_POSTGRES").is_err(),
                "CRYPTILL_REQUIRE_POSTGRES is set but a test cluster cannot be made: {why}"
            );
            eprintln!("skipped: {why}");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        if root {
            let status = std::process::Command::new("chown")
                .arg("postgres")
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(status.success());
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let cluster = Cluster { bin, dir, port };
        cluster.run(
            "initdb",
            &["-D", &cluster.data(), "-A", "trust", "-U", "postgres"],
        );
        cluster.up();
        Some(cluster)
    }

    fn has_postgres_user() -> bool {
        std::process::Command::new("id")
            .arg("postgres")
            .output()
            .is_ok_and(|o| o.status.success())
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    /// Runs one of the server's programs, and insists that it worked.
    fn run(&self, program: &str, args: &[&str]) {
        let program = self.bin.join(program);
        let output = server_program(&program).args(args).output().unwrap();
        assert!(
            output.status.success(),
            "{} {args:?}: {}{}",
            program.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Starts the server (again) on its port, and waits until it answers.
    pub fn up(&self) {
        let log = self.dir.path().join("log").display().to_string();
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-l",
                &log,
                "-w",
                "-o",
                &options,
                "start",
            ],
        );
    }

    /// Stops the server as an administrator would: `pg_ctl stop -m fast`
    /// (every connection is ended, open transactions roll back).
    pub fn down(&self) {
        self.run("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"]);
    }

    /// The address of its `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data();
        let _ = server_program(&self.bin.join("pg_ctl"))
            .args(["-D", data.as_str(), "-m", "immediate", "stop"])
            .output();
    }
}

/// One of the server's programs, as `postgres` when root (initdb and the
/// server refuse to run as root).
fn server_program(program: &std::path::Path) -> std::process::Command {
    if is_root() {
        let mut command = std::process::Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        std::process::Command::new(program)
    }
}

/// Whether the tests run as root (from `id -u`: no libc call needed).
fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}
