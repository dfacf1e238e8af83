//! A typed client for the sandbox's `/control/` routes (see `control.rs` for
//! the routes themselves): what a real gateway does on its own (a payment
//! arriving, confirmations growing, an order expiring, a refund), and the
//! fault plan. The demo's "Simulate payment" buttons, cashier training and
//! every test drive the sandbox through it, so no caller writes a control
//! path or body by hand.
//!
//! Orders come back as their dialect's `GET` shows them (a Counos order or
//! withdrawal, a CoinGate order or withdrawal), as [`serde_json::Value`]: the
//! dialect's documented shape is what a test asserts on, and typing it here
//! would be a third reading of the wire format beside the sandbox's and the
//! app's.
//!
//! ```no_run
//! # async fn demo(sandbox: &cryptill_sandbox::Handle) -> Result<(), cryptill_sandbox::client::Error> {
//! use cryptill_sandbox::client::{Dialect, Payment};
//! use cryptill_sandbox::Fault;
//!
//! let control = sandbox.control();
//! control.pay(Dialect::Counos, "55500002", Payment::full()).await?;
//! control.queue_faults(&[Fault::Http500, Fault::Reset]).await?;
//! # Ok(()) }
//! ```

use std::fmt::Display;
use std::future::Future;
use std::time::Duration;

use reqwest::{Method, StatusCode, Url};
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};

use crate::faults::{Fault, FaultPlan};

/// Which gateway's orders a call is about: Counos knows an order by the
/// merchant's `orderId`, CoinGate by its own integer `id`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dialect {
    Counos,
    Coingate,
}

impl Dialect {
    /// The dialect's segment in a control path.
    fn segment(self) -> &'static str {
        match self {
            Dialect::Counos => "counos",
            Dialect::Coingate => "coingate",
        }
    }
}

/// A payment arriving, for [`Control::pay`]. Every part is optional: by
/// default the payment is what is left to pay, with enough confirmations to
/// count as paid.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Payment {
    /// In the coin's units (CoinGate: the pay currency's).
    pub amount: Option<Decimal>,
    /// `Some(0)` leaves a full payment unconfirmed.
    pub confirmations: Option<u32>,
    /// CoinGate only: the coin a `new` order is checked out in first, as the
    /// shopper picks it on the invoice page (the sandbox's default is BTC).
    pub pay_currency: Option<String>,
}

impl Payment {
    /// What is left to pay, fully confirmed.
    pub fn full() -> Self {
        Payment::default()
    }

    /// Exactly `amount` (less makes an underpayment, more an overpayment).
    pub fn of(amount: Decimal) -> Self {
        Payment {
            amount: Some(amount),
            ..Payment::default()
        }
    }

    /// With `confirmations` instead of enough to count as paid.
    pub fn confirmations(self, confirmations: u32) -> Self {
        Payment {
            confirmations: Some(confirmations),
            ..self
        }
    }

    /// CoinGate: in `coin` (a `new` order is checked out in it first).
    pub fn in_currency(self, coin: impl Into<String>) -> Self {
        Payment {
            pay_currency: Some(coin.into()),
            ..self
        }
    }
}

/// Why a control call failed, with what was asked, so the message alone says
/// what to fix.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("'{base_url}' is not a sandbox address such as http://127.0.0.1:8080")]
    BaseUrl { base_url: String },
    #[error("{call}: the sandbox did not answer ({source}); is it running?")]
    Unreachable {
        call: String,
        #[source]
        source: reqwest::Error,
    },
    /// 404: no such order or withdrawal (or no such route).
    #[error("{call}: {message}")]
    NotFound { call: String, message: String },
    /// 400: the sandbox refused the request, with its reason.
    #[error("{call}: the sandbox refused it: {message}")]
    Refused { call: String, message: String },
    /// Any other status (a failing sandbox database answers 500).
    #[error("{call}: the sandbox failed with HTTP {status}: {message}")]
    Failed {
        call: String,
        status: StatusCode,
        message: String,
    },
    /// A success whose body is not what the control routes answer.
    #[error("{call}: the sandbox's answer is not what its control routes send ({detail})")]
    Answer { call: String, detail: String },
    /// The blocking client could not start its own runtime.
    #[error("could not start a runtime for the blocking sandbox client: {0}")]
    Runtime(#[source] std::io::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The control routes of one sandbox, over HTTP. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Control {
    http: reqwest::Client,
    /// `http://HOST:PORT/control/`.
    base: Url,
}

impl Control {
    /// For the sandbox at `base_url`, such as `http://127.0.0.1:8080` (what
    /// [`crate::Handle::base_url`] gives; a trailing slash or a dialect path
    /// after the port is ignored, since control lives at the root).
    pub fn new(base_url: &str) -> Result<Self> {
        Self::with_client(reqwest::Client::new(), base_url)
    }

    /// As [`Control::new`], sharing the caller's HTTP client.
    pub fn with_client(http: reqwest::Client, base_url: &str) -> Result<Self> {
        let bad = || Error::BaseUrl {
            base_url: base_url.to_owned(),
        };
        let mut base = Url::parse(base_url).map_err(|_| bad())?;
        if base.cannot_be_a_base() || !matches!(base.scheme(), "http" | "https") {
            return Err(bad());
        }
        base.set_path("/control/");
        base.set_query(None);
        base.set_fragment(None);
        Ok(Control { http, base })
    }

    // ---- Both dialects ----------------------------------------------------------

    /// A payment arrives for the order (after expiry too: a late payment).
    /// Answers the order. A `pay_currency` is CoinGate's only.
    pub async fn pay(
        &self,
        dialect: Dialect,
        order: impl Display,
        payment: Payment,
    ) -> Result<Value> {
        let mut body = Map::new();
        if let Some(amount) = payment.amount {
            body.insert("amount".into(), amount.to_string().into());
        }
        if let Some(confirmations) = payment.confirmations {
            body.insert("confirmations".into(), confirmations.into());
        }
        if let Some(coin) = payment.pay_currency {
            body.insert("pay_currency".into(), coin.into());
        }
        self.order_action(dialect, order, "pay", Value::Object(body))
            .await
    }

    /// The payment has `confirmations` now. Counos needs the number; CoinGate
    /// takes `None` as "as many as the coin needs".
    pub async fn confirm(
        &self,
        dialect: Dialect,
        order: impl Display,
        confirmations: Option<u32>,
    ) -> Result<Value> {
        let body = match confirmations {
            Some(n) => json!({ "confirmations": n }),
            None => json!({}),
        };
        self.order_action(dialect, order, "confirm", body).await
    }

    /// The order expires now (CoinGate: a `new` or `pending` one).
    pub async fn expire(&self, dialect: Dialect, order: impl Display) -> Result<Value> {
        self.order_action(dialect, order, "expire", json!({})).await
    }

    // ---- Counos -----------------------------------------------------------------

    /// Counos: the order was made `minutes` earlier than it was (its
    /// `createdAt` and expiry move back), for a client that keeps its own
    /// deadline when no expiry field is sent.
    pub async fn counos_age(&self, order: impl Display, minutes: u32) -> Result<Value> {
        let body = json!({ "minutes": minutes });
        self.order_action(Dialect::Counos, order, "age", body).await
    }

    /// Counos: the owner ticks (or unticks) "allow withdraw and send
    /// transaction from terminal's wallet" in the dashboard. Answers the tick
    /// as the sandbox now holds it.
    pub async fn permit_withdrawals(&self, permitted: bool) -> Result<bool> {
        #[derive(serde::Deserialize)]
        struct Permission {
            permitted: bool,
        }
        let body = json!({ "permitted": permitted });
        let answer: Permission = self
            .call(Method::POST, &["counos", "withdraw-permission"], Some(body))
            .await?;
        Ok(answer.permitted)
    }

    /// Counos: the owner confirmed the withdrawal's e-mail; it is done and
    /// gets a transaction id. Answers the withdrawal.
    pub async fn counos_complete_withdrawal(
        &self,
        id: i64,
        confirmations: Option<u32>,
    ) -> Result<Value> {
        let body = match confirmations {
            Some(n) => json!({ "confirmations": n }),
            None => json!({}),
        };
        let id = id.to_string();
        self.call(
            Method::POST,
            &["counos", "withdraws", &id, "complete"],
            Some(body),
        )
        .await
    }

    // ---- CoinGate ---------------------------------------------------------------

    /// CoinGate: the network or AML screening rejects the payment (`invalid`).
    pub async fn coingate_invalidate(&self, order: impl Display) -> Result<Value> {
        self.order_action(Dialect::Coingate, order, "invalid", json!({}))
            .await
    }

    /// CoinGate: the shopper cancels.
    pub async fn coingate_cancel(&self, order: impl Display) -> Result<Value> {
        self.order_action(Dialect::Coingate, order, "cancel", json!({}))
            .await
    }

    /// CoinGate: a refund in the price currency, `None` for all that is left
    /// (`refunded`; less makes `partially_refunded`).
    pub async fn coingate_refund(
        &self,
        order: impl Display,
        amount: Option<Decimal>,
    ) -> Result<Value> {
        let body = match amount {
            Some(amount) => json!({ "amount": amount.to_string() }),
            None => json!({}),
        };
        self.order_action(Dialect::Coingate, order, "refund", body)
            .await
    }

    /// CoinGate moves a merchant refund on: `process`, `complete` or
    /// `reject` (with `reason`, the compliance rejection reason). Answers
    /// the order.
    pub async fn coingate_refund_action(
        &self,
        order: impl Display,
        refund: impl Display,
        action: &str,
        reason: Option<&str>,
    ) -> Result<Value> {
        let (order, refund) = (order.to_string(), refund.to_string());
        let body = match reason {
            Some(reason) => json!({ "reason": reason }),
            None => json!({}),
        };
        self.call(
            Method::POST,
            &["coingate", "orders", &order, "refunds", &refund, action],
            Some(body),
        )
        .await
    }

    /// CoinGate: the owner withdraws `amount` from `currency`'s main ledger
    /// account in the dashboard; `pending`, and the balance drops. Answers the
    /// withdrawal.
    pub async fn coingate_withdraw(&self, currency: &str, amount: Decimal) -> Result<Value> {
        let body = json!({ "currency": currency, "amount": amount.to_string() });
        self.call(Method::POST, &["coingate", "withdrawals"], Some(body))
            .await
    }

    /// CoinGate: the withdrawal arrived.
    pub async fn coingate_complete_withdrawal(&self, id: i64) -> Result<Value> {
        let id = id.to_string();
        self.call(
            Method::POST,
            &["coingate", "withdrawals", &id, "complete"],
            Some(json!({})),
        )
        .await
    }

    // ---- Faults -----------------------------------------------------------------

    /// The fault plan as it stands.
    pub async fn faults(&self) -> Result<FaultPlan> {
        self.call(Method::GET, &["faults"], None).await
    }

    /// Queues one-shot faults behind those not yet spent; each is spent by
    /// the next dialect request (control calls spend none).
    pub async fn queue_faults(&self, faults: &[Fault]) -> Result<FaultPlan> {
        self.call(Method::POST, &["faults"], Some(json!({ "next": faults })))
            .await
    }

    /// Every dialect answer waits `latency` from now on (whole milliseconds;
    /// zero for none).
    pub async fn set_latency(&self, latency: Duration) -> Result<FaultPlan> {
        let ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
        self.call(Method::POST, &["faults"], Some(json!({ "latency_ms": ms })))
            .await
    }

    /// No latency and no queued faults.
    pub async fn clear_faults(&self) -> Result<FaultPlan> {
        self.call(Method::DELETE, &["faults"], None).await
    }

    // ---- Request counts ---------------------------------------------------------

    /// How many dialect requests each endpoint has had (control calls are
    /// not counted).
    pub async fn requests(&self) -> Result<crate::RequestCounts> {
        self.call(Method::GET, &["requests"], None).await
    }

    /// Starts the counts again from zero.
    pub async fn reset_requests(&self) -> Result<crate::RequestCounts> {
        self.call(Method::DELETE, &["requests"], None).await
    }

    // ---- Transport --------------------------------------------------------------

    async fn order_action(
        &self,
        dialect: Dialect,
        order: impl Display,
        action: &str,
        body: Value,
    ) -> Result<Value> {
        let order = order.to_string();
        self.call(
            Method::POST,
            &[dialect.segment(), "orders", &order, action],
            Some(body),
        )
        .await
    }

    /// One request; each segment is escaped, so an order id holding `/` or
    /// `?` names that order instead of another route.
    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        segments: &[&str],
        body: Option<Value>,
    ) -> Result<T> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .expect("checked in Control::with_client")
            .pop_if_empty()
            .extend(segments);
        let call = format!("{method} {}", url.path());
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let unreachable = |source| Error::Unreachable {
            call: call.clone(),
            source,
        };
        let response = request.send().await.map_err(unreachable)?;
        let status = response.status();
        let text = response.text().await.map_err(unreachable)?;
        if !status.is_success() {
            // Control errors are `{"error": "..."}`; anything else is shown as sent.
            let message = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|json| json["error"].as_str().map(str::to_owned))
                .unwrap_or(text);
            return Err(match status {
                StatusCode::NOT_FOUND => Error::NotFound { call, message },
                StatusCode::BAD_REQUEST => Error::Refused { call, message },
                status => Error::Failed {
                    call,
                    status,
                    message,
                },
            });
        }
        serde_json::from_str(&text).map_err(|err| Error::Answer {
            call,
            detail: format!("{err}: {text}"),
        })
    }
}

/// For callers on plain threads (the app's crash suite drives processes from
/// std threads): the same [`Control`], run on a runtime of its own.
pub mod blocking {
    use super::{Error, Result};

    /// A [`super::Control`] with its own current-thread runtime. Not for use
    /// inside an async runtime (blocking there panics): use the async client.
    pub struct Control {
        runtime: tokio::runtime::Runtime,
        control: super::Control,
    }

    impl Control {
        /// As [`super::Control::new`].
        pub fn new(base_url: &str) -> Result<Self> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(Error::Runtime)?;
            let control = super::Control::new(base_url)?;
            Ok(Control { runtime, control })
        }

        /// Runs one call of the async client to its end, as in
        /// `control.run(|c| c.set_latency(Duration::from_millis(300)))`.
        pub fn run<'a, T, F>(&'a self, call: impl FnOnce(&'a super::Control) -> F) -> T
        where
            F: super::Future<Output = T> + 'a,
        {
            self.runtime.block_on(call(&self.control))
        }
    }
}
