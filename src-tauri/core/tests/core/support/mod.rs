//! The sandbox gateway on a loopback port, with a temp dir for its file, and
//! its control routes, for the contract tests of both clients.

#![allow(dead_code)] // each test crate uses a different part

pub mod clients;
pub mod counter;
pub mod loopback;
pub mod pg;

use std::net::{Ipv4Addr, SocketAddr};

use cryptill_core::gateway::{Coin, Gateway};
use cryptill_core::money::{Currency, Money};
use cryptill_core::Error;
use cryptill_sandbox::client::Control;
use cryptill_sandbox::Fault;
use serde_json::Value;

pub const KEY: &str = cryptill_sandbox::DEMO_API_KEY;

pub struct Sandbox {
    _dir: tempfile::TempDir,
    pub handle: cryptill_sandbox::Handle,
    /// The sandbox's control routes: what the gateway does on its own.
    pub control: Control,
    http: reqwest::Client,
}

/// Starts a sandbox with the demo configuration, changed by `configure`.
pub async fn start(
    configure: impl FnOnce(cryptill_sandbox::Config) -> cryptill_sandbox::Config,
) -> Sandbox {
    let dir = tempfile::tempdir().unwrap();
    let config = configure(cryptill_sandbox::Config::demo(
        dir.path().join("gateway.sqlite3"),
    ));
    let handle = cryptill_sandbox::start(config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .unwrap();
    Sandbox {
        _dir: dir,
        control: handle.control(),
        handle,
        http: reqwest::Client::new(),
    }
}

impl Sandbox {
    /// The sandbox's own SQLite file: what the gateway holds, read directly.
    pub fn file(&self) -> std::path::PathBuf {
        self._dir.path().join("gateway.sqlite3")
    }

    /// Waits (at most 10 s, else fails) until `n` requests to endpoints
    /// containing `part` reached the sandbox. They are counted on arrival,
    /// before any fault is applied: a fault queued after this is not met
    /// by them (the conversion a recorded sale asks on a task of its own).
    pub async fn arrived(&self, part: &str, n: u64) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let counts = self.control.requests().await.unwrap();
            if counts.matching(part) >= n {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{n} requests to {part} never arrived: {counts:?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
    }

    /// Queues one-shot faults for the next dialect requests.
    pub async fn fault(&self, fault: Fault) {
        self.control.queue_faults(&[fault]).await.unwrap();
    }

    pub async fn clear_faults(&self) {
        self.control.clear_faults().await.unwrap();
    }

    /// A CoinGate call made by hand, as another program (or an earlier try
    /// whose answer was lost) would make it. Returns the JSON answer.
    pub async fn coingate(&self, method: &str, path: &str, form: &[(&str, &str)]) -> Value {
        let url = format!("{}{path}", self.handle.coingate_url());
        let request = match method {
            "GET" => self.http.get(url).query(form),
            "POST" => self.http.post(url).form(form),
            other => panic!("no {other} here"),
        };
        let response = request
            .header("Authorization", format!("Token {KEY}"))
            .send()
            .await
            .unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        assert!(status.is_success(), "{method} {path}: {status} {text}");
        serde_json::from_str(&text).unwrap()
    }

    pub async fn latency(&self, ms: u64) {
        let latency = std::time::Duration::from_millis(ms);
        self.control.set_latency(latency).await.unwrap();
    }

    /// Faults queued and not yet spent: a call that never reached the
    /// sandbox leaves them there.
    pub async fn unspent_faults(&self) -> Vec<Fault> {
        self.control.faults().await.unwrap().next.into()
    }
}

pub async fn coin(gateway: &dyn Gateway, symbol: &str) -> Coin {
    gateway
        .coins()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.symbol == symbol)
        .unwrap_or_else(|| panic!("{symbol} is not offered"))
}

/// The faults every dialect route can be given, and the error each must
/// become in a client.
pub const FAULTS: [Fault; 6] = [
    Fault::Http500,
    Fault::Http429,
    Fault::MalformedJson,
    Fault::Reset,
    Fault::EnvelopeError,
    Fault::BadKey,
];

/// Asserts that `err` is what `fault` must turn into, and that neither the
/// message nor its debug form carries the API key.
pub fn assert_fault_error(fault: Fault, call: &str, err: &Error) {
    let expected = match fault {
        Fault::Http500 => matches!(err, Error::GatewayDown { status: 500, .. }),
        Fault::Http429 => matches!(err, Error::GatewayRateLimited { .. }),
        Fault::MalformedJson => matches!(err, Error::GatewayProtocol { .. }),
        Fault::Reset => matches!(err, Error::GatewayUnreachable { .. }),
        Fault::EnvelopeError => matches!(
            err,
            Error::GatewayRefused { .. } | Error::GatewayDown { .. }
        ),
        Fault::BadKey => matches!(err, Error::GatewayAuth { .. }),
        other => panic!("no expected error for {other:?}"),
    };
    assert!(expected, "{call} under {fault:?}: got {err:?}");
    assert_no_key(err);
}

pub fn assert_no_key(err: &Error) {
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(!text.contains(KEY), "the API key leaked: {text}");
    }
}

/// An amount as the cashier would type it; the test's own text, so it parses.
pub fn money(text: &str, currency: &Currency) -> Money {
    Money::parse_entry(text, currency).unwrap()
}

pub fn eur() -> Currency {
    Currency::fiat("EUR").unwrap()
}

/// Bitcoin on its own network, with the gateway's id for it.
pub fn bitcoin(gateway_id: &str) -> Coin {
    Coin {
        symbol: "BTC".into(),
        title: "Bitcoin".into(),
        network: "Bitcoin".into(),
        decimals: 8,
        gateway_id: gateway_id.into(),
    }
}
