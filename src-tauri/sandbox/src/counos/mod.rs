//! The Counos Payment Gateway dialect, served under `/counos/api/` as the real
//! one is under `https://payment.counos.io/api/` (gateways.md, "Counos Payment
//! Gateway").

pub(crate) mod orders;
mod rates;
mod tickers;
pub(crate) mod wallet;
mod wire;

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use self::wire::ApiError;
use crate::faults::{self, Faults, Injector};
use crate::state::Sandbox;

/// The dialect's routes, behind the API-key check and, outermost, the faults.
pub(crate) fn router(sandbox: Arc<Sandbox>, faults: Faults) -> Router {
    let injector = Injector {
        faults,
        refuse: Arc::new(wire::refusal),
    };
    Router::new()
        .route("/exchange/rate/crypto", get(rates::crypto))
        .route("/exchange/rate/currencies", get(rates::currencies))
        .route("/exchange/rate/metals", get(rates::metals))
        .route(
            "/exchange/rate/currency2crypto/convert",
            get(rates::currency_to_crypto),
        )
        .route(
            "/exchange/rate/crypto2currency/convert",
            get(rates::crypto_to_currency),
        )
        .route(
            "/exchange/rate/crypto2crypto/convert",
            get(rates::crypto_to_crypto),
        )
        .route("/terminal/tickers", get(tickers::tickers))
        .route("/terminal/order", post(orders::create_order))
        .route("/terminal/order/{orderId}", get(orders::get_order))
        .route("/terminal/balance", get(wallet::balances))
        .route("/terminal/withdraws", get(wallet::withdrawals))
        .route("/terminal/withdraw", post(wallet::withdraw))
        .fallback(|| async { ApiError::not_found("Not found") })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        .layer(from_fn_with_state(sandbox.clone(), require_api_key))
        .layer(from_fn_with_state(injector, faults::inject))
        .with_state(sandbox)
}

/// gateways.md: the `X-API-KEY` header on every call, rates included. Header
/// names are case-insensitive (clients send it lower-case).
async fn require_api_key(
    State(sandbox): State<Arc<Sandbox>>,
    request: Request,
    next: Next,
) -> Response {
    let key = request
        .headers()
        .get("x-api-key")
        .and_then(|value| value.to_str().ok());
    let known = key.is_some_and(|key| {
        sandbox
            .config
            .api_keys
            .iter()
            .any(|accepted| accepted == key)
    });
    if known {
        next.run(request).await
    } else {
        ApiError::invalid_key().into_response()
    }
}
