//! Every dialect request counted by endpoint, as a gateway's dashboard
//! counts them (CoinGate: "API » Requests"), so tests can hold the app to the
//! documented limits (gateways.md: private and public endpoints 200 a minute;
//! rates change every 60 s, "do not ask more often") by counting, not timing.
//!
//! An endpoint is the method and the route as written (`GET
//! /coingate/v2/orders/{id}`), so asking about ten orders counts ten on one
//! endpoint; a path no route matches counts under its own path. Every
//! request that arrives counts, a faulted one too: the gateway saw it.
//! `GET /control/requests` shows the counts, `DELETE` starts them again;
//! control requests are never counted.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use serde::{Deserialize, Serialize};

/// The counts, as `GET /control/requests` answers them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestCounts {
    /// Requests per endpoint (`METHOD /route`) since the start or the last reset.
    pub endpoints: BTreeMap<String, u64>,
    /// All of them.
    pub total: u64,
}

impl RequestCounts {
    /// The requests of every endpoint whose `METHOD /route` contains `part`.
    pub fn matching(&self, part: &str) -> u64 {
        self.endpoints
            .iter()
            .filter(|(endpoint, _)| endpoint.contains(part))
            .map(|(_, n)| n)
            .sum()
    }
}

#[derive(Clone, Default)]
pub(crate) struct Traffic(Arc<Mutex<RequestCounts>>);

impl Traffic {
    fn counts(&self) -> std::sync::MutexGuard<'_, RequestCounts> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn snapshot(&self) -> RequestCounts {
        self.counts().clone()
    }

    pub(crate) fn reset(&self) {
        *self.counts() = RequestCounts::default();
    }
}

/// The middleware around each dialect's router: counts, then passes on.
pub(crate) async fn count(
    State(traffic): State<Traffic>,
    request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| request.uri().path().to_string());
    let endpoint = format!("{} {route}", request.method());
    {
        let mut counts = traffic.counts();
        *counts.endpoints.entry(endpoint).or_default() += 1;
        counts.total += 1;
    }
    next.run(request).await
}
