//! The CoinGate API v2 dialect, served under `/coingate/v2/` as the real one
//! is under `https://api-sandbox.coingate.com/v2` (gateways.md, "CoinGate (API
//! v2)"), and its hosted invoice page under `/coingate/invoice/`.
//!
//! Layout: `catalog` (the environment's ids, accounts and payout settings),
//! `wire` (errors, amounts, times, request bodies), `page` (the one shape of
//! every paged list), `public` (the calls that need no key), `orders` (a
//! folder: the order, its wire shape, its rows, its routes and what happens
//! to it on its own), `ledger` (accounts, withdrawals, send requests) and
//! `invoice` (the page behind `payment_url`).

mod catalog;
mod invoice;
mod ledger;
pub(crate) mod orders;
mod page;
mod public;
mod wire;

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::Router;

pub(crate) use self::ledger::{complete_withdrawal, create_withdrawal};
use self::wire::ApiError;
use crate::faults::{self, Faults, Injector};
use crate::state::Sandbox;

/// The dialect's routes: the public ones, the private ones behind the key
/// check, and outermost the faults, which every route spends.
pub(crate) fn router(sandbox: Arc<Sandbox>, faults: Faults) -> Router {
    let injector = Injector {
        faults,
        refuse: wire::refusal(),
    };
    let public = Router::new()
        .route("/ping", get(public::ping))
        .route("/rates", get(public::all_rates))
        .route("/rates/merchant", get(public::merchant_rates))
        .route("/rates/merchant/{from}/{to}", get(public::merchant_rate))
        .route("/rates/trader", get(public::trader_rates))
        .route("/rates/trader/{kind}", get(public::trader_rates_of))
        .route("/rates/trader/{kind}/{from}/{to}", get(public::trader_rate))
        .route("/currencies", get(public::currencies))
        .route("/platforms", get(public::platforms))
        .route("/ips-v4", get(public::ips_v4));
    let private = Router::new()
        .route("/auth/test", get(public::auth_test))
        .route(
            "/orders",
            post(orders::create_order).get(orders::list_orders),
        )
        .route("/orders/{id}", get(orders::get_order))
        .route("/orders/{id}/checkout", post(orders::checkout))
        .route(
            "/orders/{id}/refunds",
            post(orders::create_refund).get(orders::list_refunds),
        )
        .route("/orders/{id}/refunds/{refund_id}", get(orders::get_refund))
        .route("/ledger/accounts", get(ledger::accounts))
        .route("/ledger/accounts/{id}", get(ledger::account))
        .route("/withdrawals", get(ledger::list_withdrawals))
        .route("/withdrawals/{id}", get(ledger::get_withdrawal))
        .route(
            "/send_requests",
            post(ledger::create_send_request).get(ledger::list_send_requests),
        )
        .route("/send_requests/{id}", get(ledger::get_send_request))
        .route(
            "/send_requests/{id}/confirm",
            patch(ledger::confirm_send_request),
        )
        .route(
            "/send_requests/{id}/cancel",
            patch(ledger::cancel_send_request),
        )
        .route_layer(from_fn_with_state(sandbox.clone(), require_token));
    public
        .merge(private)
        // CoinGate's routing answers an unknown path, or a known path with
        // another method, as a missing page.
        .fallback(|| async { ApiError::page_not_found() })
        .method_not_allowed_fallback(|| async { ApiError::page_not_found() })
        .layer(from_fn_with_state(injector, faults::inject))
        .with_state(sandbox)
}

pub(crate) fn invoice_router(sandbox: Arc<Sandbox>) -> Router {
    invoice::router(sandbox)
}

/// gateways.md: `Authorization: Token <key>`, and `Bearer <key>` as the
/// official libraries send it (the scheme, like any HTTP auth scheme, in any
/// case). No header or an unknown key: 401 `BadCredentials`; a header of
/// another shape: 401 `BadAuthToken`.
async fn require_token(
    State(sandbox): State<Arc<Sandbox>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(header) = request.headers().get(AUTHORIZATION) else {
        return ApiError::bad_credentials().into_response();
    };
    let key = header
        .to_str()
        .ok()
        .and_then(|value| value.trim().split_once(' '))
        .filter(|(scheme, _)| {
            scheme.eq_ignore_ascii_case("token") || scheme.eq_ignore_ascii_case("bearer")
        })
        .map(|(_, key)| key.trim())
        .filter(|key| !key.is_empty() && !key.contains(' '));
    let Some(key) = key else {
        return ApiError::bad_auth_token().into_response();
    };
    if sandbox
        .config
        .api_keys
        .iter()
        .any(|accepted| accepted == key)
    {
        next.run(request).await
    } else {
        ApiError::bad_credentials().into_response()
    }
}
