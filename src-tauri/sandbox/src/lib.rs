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
//! Layout, from the bottom up: what every dialect shares (the settings
//! `config`, the coins and their prices `market`, the SQLite file `store`,
//! the running sandbox's state `state`, exact JSON numbers `json`, failure
//! injection `faults`, the request counts per endpoint `traffic`, and the
//! socket layer that can drop a connection on purpose `connection`); one module per dialect (`counos`, `coingate`); the
//! control routes over both (`control`); and the typed client for those
//! routes (`client`), for tests and the demo buttons. No module imports one
//! above it.
//!
//! Beside the gateway, `printer`: a virtual receipt printer on loopback that
//! keeps every byte (and can fail as real ones do), with a reader of the
//! ESC/POS it was sent, written from the command reference like the
//! dialects are from the gateways' documents.

pub mod client;
mod coingate;
mod config;
mod connection;
mod control;
mod counos;
mod faults;
mod json;
mod market;
pub mod printer;
mod state;
mod store;
mod traffic;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::connection::{ConnectionKill, KillableListener};
use crate::faults::Faults;
use crate::state::Sandbox;
use crate::store::Store;
use crate::traffic::Traffic;

pub use crate::config::{Config, DEMO_API_KEY};
pub use crate::faults::{Fault, FaultPlan};
pub use crate::traffic::RequestCounts;

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

    /// A typed client for this sandbox's `/control/` routes.
    pub fn control(&self) -> client::Control {
        client::Control::new(&self.base_url()).expect("a loopback address is a valid base URL")
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
    let traffic = Traffic::default();
    // Outside the faults: a request a fault refuses still reached the gateway.
    let counted = |router: Router| {
        router.layer(axum::middleware::from_fn_with_state(
            traffic.clone(),
            traffic::count,
        ))
    };
    let app = Router::new()
        .nest(
            "/counos/api",
            counted(counos::router(sandbox.clone(), faults.clone())),
        )
        .nest(
            "/coingate/v2",
            counted(coingate::router(sandbox.clone(), faults.clone())),
        )
        .nest(
            "/coingate/invoice",
            coingate::invoice_router(sandbox.clone()),
        )
        .nest(
            "/control",
            control::router(sandbox, faults, traffic.clone()),
        )
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
