//! A fake payment gateway on loopback.
//!
//! It speaks two dialects exactly as `shared/gateways.md` describes them
//! (paths, field names, envelopes, status codes): Counos Payment Gateway under
//! `/counos/api/` and CoinGate API v2 under `/coingate/v2/` (with CoinGate's
//! hosted invoice page under `/coingate/invoice/`). `/control/` does what a
//! real gateway does on its own: payments arriving, confirmations growing,
//! orders expiring, shoppers cancelling, refunds, and failures.
//! The app runs it in-process for demo and cashier-training modes; the tests
//! talk to it over real HTTP.
//!
//! It shares no code or types with the app's gateway clients on purpose: it is
//! a second, independent reading of the documented wire format, so a client
//! that misreads the format fails its tests instead of agreeing with itself.
//!
//! Layout: one module per dialect (`counos`, `coingate`), plus what every
//! dialect shares: the coins and their prices (`market`), the SQLite file
//! (`store`), failure injection (`faults`), the control routes (`control`),
//! exact JSON numbers (`json`) and the socket layer that can drop a connection
//! on purpose (`connection`).

mod coingate;
mod connection;
mod control;
mod counos;
mod faults;
mod json;
mod market;
mod store;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::connection::{ConnectionKill, KillableListener};
use crate::faults::Faults;
use crate::store::Store;

/// The API key the demo and training terminals use.
pub const DEMO_API_KEY: &str = "cryptill-demo-terminal-key";

/// How a sandbox behaves; one value per running sandbox.
#[derive(Clone, Debug)]
pub struct Config {
    /// The sandbox's own SQLite file: it keeps its orders across restarts like
    /// a real gateway.
    pub db_path: PathBuf,
    /// Accepted API keys: Counos `X-API-KEY` values and CoinGate
    /// `Authorization: Token <key>` (or `Bearer <key>`) values alike.
    pub api_keys: Vec<String>,
    /// Counos order lifetime.
    pub order_ttl: Duration,
    /// The dashboard tick "allow withdraw and send transaction from terminal's
    /// wallet".
    pub withdraw_permitted: bool,
    /// CoinGate: how long a `pending` order (coin chosen) waits for payment
    /// before it expires.
    pub coingate_pending_ttl: Duration,
    /// CoinGate: how long a `new` order (no coin chosen) lives.
    pub coingate_new_ttl: Duration,
    /// CoinGate enables `POST /orders/{id}/checkout` only for some merchants;
    /// false answers it with 422 as for the others.
    pub coingate_checkout_enabled: bool,
    /// CoinGate's order limit per business, over any rolling hour.
    pub coingate_orders_per_hour: u32,
    /// Counos: whether orders carry an expiry field (`expireAt`). Its name
    /// is not published (gateways.md), so a client must also cope without
    /// one; false leaves it out.
    pub counos_expiry_field: bool,
}

impl Config {
    /// The demo terminal: key [`DEMO_API_KEY`], Counos orders live 15
    /// minutes, withdrawals not permitted (the dashboard default); CoinGate's
    /// documented defaults: `pending` expires after 20 minutes, `new` after 2
    /// hours, 500 orders per hour, and checkout enabled so the app can show a
    /// payment URI in its QR.
    pub fn demo(db_path: impl Into<PathBuf>) -> Self {
        Config {
            db_path: db_path.into(),
            api_keys: vec![DEMO_API_KEY.to_owned()],
            order_ttl: Duration::from_secs(15 * 60),
            withdraw_permitted: false,
            coingate_pending_ttl: Duration::from_secs(20 * 60),
            coingate_new_ttl: Duration::from_secs(2 * 60 * 60),
            coingate_checkout_enabled: true,
            coingate_orders_per_hour: 500,
            counos_expiry_field: true,
        }
    }
}

/// Why a sandbox could not start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("could not open the sandbox database at {path}: {source}")]
    Database {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("could not listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// A running sandbox. Dropping it stops the server too; [`Handle::shutdown`]
/// also waits until it has stopped.
pub struct Handle {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    server: JoinHandle<()>,
}

impl Handle {
    /// The address the sandbox listens on (with the real port when 0 was asked).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, with no trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The Counos base URL, `http://127.0.0.1:PORT/counos/api/`: with the
    /// trailing slash, like the real `https://payment.counos.io/api/`.
    pub fn counos_url(&self) -> String {
        format!("{}/counos/api/", self.base_url())
    }

    /// The CoinGate base URL, `http://127.0.0.1:PORT/coingate/v2/`: with the
    /// trailing slash, so that relative paths such as `orders` join under it.
    pub fn coingate_url(&self) -> String {
        format!("{}/coingate/v2/", self.base_url())
    }

    /// Stops accepting connections, lets requests in flight finish, and
    /// returns once the server has stopped.
    pub async fn shutdown(self) {
        // An Err only means the server already stopped on its own.
        let _ = self.stop.send(());
        if let Err(err) = self.server.await {
            tracing::error!("the sandbox server task failed: {err}");
        }
    }
}

/// What every dialect and the control routes share.
pub(crate) struct Sandbox {
    pub(crate) config: Config,
    pub(crate) store: Store,
    /// `http://127.0.0.1:PORT`, for the links a gateway hands out (CoinGate's
    /// `payment_url`, a send request's confirm link).
    pub(crate) base_url: String,
    /// The dashboard tick, starting from [`Config::withdraw_permitted`]; the
    /// control route `/control/counos/withdraw-permission` changes it while
    /// running, as an owner ticking the box in the dashboard would.
    pub(crate) withdraw_permitted: std::sync::atomic::AtomicBool,
}

/// Opens (or creates) the database, binds `addr` (port 0 picks a free port)
/// and serves on the current tokio runtime. Returns once the socket listens.
pub async fn start(config: Config, addr: SocketAddr) -> Result<Handle, Error> {
    let store = Store::open(&config.db_path).map_err(|source| Error::Database {
        path: config.db_path.clone(),
        source,
    })?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| Error::Listen { addr, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| Error::Listen { addr, source })?;

    let local = reachable(bound);
    let sandbox = Arc::new(Sandbox {
        withdraw_permitted: std::sync::atomic::AtomicBool::new(config.withdraw_permitted),
        config,
        store,
        base_url: format!("http://{local}"),
    });
    let faults = Faults::default();
    let app = Router::new()
        .nest(
            "/counos/api",
            counos::router(sandbox.clone(), faults.clone()),
        )
        .nest(
            "/coingate/v2",
            coingate::router(sandbox.clone(), faults.clone()),
        )
        .nest(
            "/coingate/invoice",
            coingate::invoice_router(sandbox.clone()),
        )
        .nest("/control", control::router(sandbox, faults))
        .fallback(unknown_path);

    let (stop, stopped) = oneshot::channel::<()>();
    let serve = axum::serve(
        KillableListener::new(listener),
        app.into_make_service_with_connect_info::<ConnectionKill>(),
    )
    .with_graceful_shutdown(async {
        // Resolves on shutdown() and also when the Handle is dropped.
        let _ = stopped.await;
    });
    let server = tokio::spawn(async move {
        if let Err(err) = serve.await {
            tracing::error!("the sandbox server stopped: {err}");
        }
    });

    Ok(Handle {
        addr: local,
        stop,
        server,
    })
}

/// A sandbox bound to 0.0.0.0 or [::] is still reached over loopback.
fn reachable(bound: SocketAddr) -> SocketAddr {
    let ip = match bound.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, bound.port())
}

async fn unknown_path() -> Response {
    let error = "No such sandbox path. The Counos dialect is under /counos/api/, the \
                 CoinGate dialect under /coingate/v2/ and the sandbox controls under /control/.";
    (
        StatusCode::NOT_FOUND,
        Json(serde_json::json!({ "error": error })),
    )
        .into_response()
}
