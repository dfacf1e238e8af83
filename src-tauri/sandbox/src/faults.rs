//! Failure injection for every dialect route.
//!
//! `POST /control/faults` sets a latency, which holds until changed, and queues
//! one-shot faults, each spent by the next dialect request (control requests
//! never spend one). The middleware below wraps each dialect's router, so no
//! route can forget them; each dialect says how its own errors look (CoinGate's
//! renderer keeps a little state: it alternates the two documented 429
//! reasons).
//!
//! Two faults let the request through before failing its answer:
//! `malformed_json` and `reset`. A lost answer after the gateway acted is the
//! case that makes a client retry an order with `renew: false` (gateways.md:
//! "this is what makes a retry safe"), so the sandbox acts on the request
//! first. The other faults refuse the request before it reaches the gateway.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::connection::ConnectionKill;

/// How long `stall` holds an answer back: past the clients' 15 s timeout.
const STALL: Duration = Duration::from_secs(40);

/// A one-shot fault, named as `POST /control/faults` takes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Fault {
    /// HTTP 500 with the dialect's error body.
    #[serde(rename = "http_500")]
    Http500,
    /// HTTP 429 with the dialect's error body.
    #[serde(rename = "http_429")]
    Http429,
    /// HTTP 200 whose JSON body is cut in half.
    #[serde(rename = "malformed_json")]
    MalformedJson,
    /// The connection is dropped with no response at all.
    #[serde(rename = "reset")]
    Reset,
    /// HTTP 200 carrying an error in the body (Counos: statusCode 500;
    /// CoinGate has no such form and answers as for `http_500`).
    #[serde(rename = "envelope_error")]
    EnvelopeError,
    /// The dialect's invalid-API-key answer, whatever key was sent.
    #[serde(rename = "bad_key")]
    BadKey,
    /// HTTP 307 to another loopback address, as a hijacked or misconfigured
    /// gateway might answer: a client that follows it carries its key there.
    #[serde(rename = "redirect")]
    Redirect,
    /// The request is acted on, then the answer is held back longer than any
    /// client waits (a timeout after the gateway acted, like `reset`).
    #[serde(rename = "stall")]
    Stall,
    /// Spends its turn and lets the request through untouched, so a fault
    /// queued behind N of these hits the (N+1)th call of a sale.
    #[serde(rename = "pass")]
    Pass,
}

/// The faults that replace the gateway's answer; each dialect renders them.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Refusal {
    ServerError,
    TooManyRequests,
    ErrorInEnvelope,
    BadKey,
}

/// The current plan, as `GET`/`POST /control/faults` show it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultPlan {
    /// How long every dialect answer waits, in milliseconds.
    pub latency_ms: u64,
    /// The one-shot faults not yet spent, the next first.
    pub next: VecDeque<Fault>,
}

/// Shared by the control routes (which change the plan) and the middleware.
#[derive(Clone, Default)]
pub(crate) struct Faults(Arc<Mutex<FaultPlan>>);

impl Faults {
    fn plan(&self) -> std::sync::MutexGuard<'_, FaultPlan> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn snapshot(&self) -> FaultPlan {
        self.plan().clone()
    }

    /// Sets the latency when given and queues `next` behind faults not yet spent.
    pub(crate) fn add(&self, latency_ms: Option<u64>, next: &[Fault]) -> FaultPlan {
        let mut plan = self.plan();
        if let Some(latency_ms) = latency_ms {
            plan.latency_ms = latency_ms;
        }
        plan.next.extend(next);
        plan.clone()
    }

    pub(crate) fn clear(&self) {
        *self.plan() = FaultPlan::default();
    }

    /// The latency to apply and the fault this request spends, taken on
    /// arrival so that concurrent requests spend faults in arrival order.
    fn take(&self) -> (Duration, Option<Fault>) {
        let mut plan = self.plan();
        let fault = plan.next.pop_front();
        (Duration::from_millis(plan.latency_ms), fault)
    }
}

/// How a dialect answers a refused request.
pub(crate) type Refuse = Arc<dyn Fn(Refusal) -> Response + Send + Sync>;

/// The middleware's state: the shared plan and how the dialect answers.
#[derive(Clone)]
pub(crate) struct Injector {
    pub(crate) faults: Faults,
    pub(crate) refuse: Refuse,
}

/// Install with `axum::middleware::from_fn_with_state(injector, faults::inject)`
/// as the outermost layer of a dialect's router.
pub(crate) async fn inject(
    State(injector): State<Injector>,
    request: Request,
    next: Next,
) -> Response {
    let (latency, fault) = injector.faults.take();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let Some(fault) = fault else {
        return next.run(request).await;
    };
    tracing::debug!(?fault, path = %request.uri().path(), "injecting a fault");
    match fault {
        Fault::Http500 => (injector.refuse)(Refusal::ServerError),
        Fault::Http429 => (injector.refuse)(Refusal::TooManyRequests),
        Fault::EnvelopeError => (injector.refuse)(Refusal::ErrorInEnvelope),
        Fault::BadKey => (injector.refuse)(Refusal::BadKey),
        Fault::Pass => next.run(request).await,
        Fault::MalformedJson => truncate(next.run(request).await).await,
        Fault::Redirect => {
            let to = format!("http://127.0.0.1:9{}", request.uri().path());
            (
                StatusCode::TEMPORARY_REDIRECT,
                [(header::LOCATION, to)],
                "Moved",
            )
                .into_response()
        }
        Fault::Stall => {
            let answer = next.run(request).await;
            tokio::time::sleep(STALL).await;
            answer
        }
        Fault::Reset => {
            let kill = request
                .extensions()
                .get::<ConnectInfo<ConnectionKill>>()
                .map(|info| info.0.clone())
                .expect("dialect routes are served with ConnectionKill connect info");
            let _lost = next.run(request).await;
            kill.trigger();
            // Never written: the connection fails on its first write.
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The gateway's real answer, status 200, cut in half. Every JSON answer of a
/// dialect is an object or array, so any strict prefix is invalid JSON.
/// (CoinGate's few text/plain answers, such as a bare rate, are cut too; half
/// a number may still read as a number, so tests use JSON routes.)
async fn truncate(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(err) => {
            tracing::error!("could not read a response to truncate: {err}");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    parts.status = StatusCode::OK;
    parts.headers.remove(header::CONTENT_LENGTH);
    let cut = bytes.slice(..bytes.len() / 2);
    Response::from_parts(parts, Body::from(cut))
}
