//! `/control/`: what a real gateway does on its own, on demand.
//!
//! The demo's "Simulate payment" buttons, cashier training and the tests drive
//! the sandbox through these routes. They need no API key and never spend an
//! injected fault. Answers are bare JSON, without a dialect's envelope: an
//! order or withdrawal in its dialect's shape, or `{"error": "..."}` with 400
//! or 404. Request bodies are optional JSON objects; an empty body means `{}`.
//!
//! - `GET | POST | DELETE /control/faults`: see, add to, or clear the fault
//!   plan. POST takes `{"latency_ms": u64?, "next": [fault, ...]?}`; the
//!   latency holds until changed, `next` is queued behind unspent faults.
//!   Faults: `http_500`, `http_429`, `malformed_json`, `reset`,
//!   `envelope_error`, `bad_key`. Answers `{"latency_ms", "next"}`.
//! - `GET | DELETE /control/requests`: the dialect requests counted per
//!   endpoint (`{"endpoints": {"GET /counos/api/terminal/tickers": n, ...},
//!   "total": n}`), or start the counts again (see `traffic`).
//! - `POST /control/counos/orders/{orderId}/pay` `{"amount": "0.0001"?,
//!   "confirmations": n?}`: a payment arrives (default: what is left to pay,
//!   with enough confirmations to count as paid). Works after expiry too: a
//!   late payment.
//! - `POST /control/counos/orders/{orderId}/confirm` `{"confirmations": n}`.
//! - `POST /control/counos/orders/{orderId}/expire`: the order expires now.
//! - `POST /control/counos/orders/{orderId}/age` `{"minutes": n}`: the order
//!   was made `n` minutes earlier than it was (its `createdAt` and expiry
//!   move back), as if the counter had waited that long: for a client that
//!   keeps its own deadline when no expiry field is sent.
//! - `POST /control/counos/withdraw-permission` `{"permitted": bool}`: the
//!   owner ticks (or unticks) "allow withdraw and send transaction from
//!   terminal's wallet" in the dashboard. Answers `{"permitted": bool}`.
//! - `POST /control/counos/withdraws/{id}/complete` `{"confirmations": n?}`:
//!   the owner confirmed the e-mail; the withdrawal is done and gets a
//!   transaction id.
//!
//! CoinGate orders, by CoinGate's order id; each answers the order as
//! `GET /orders/{id}` would:
//!
//! - `POST /control/coingate/orders/{id}/pay` `{"amount": "0.0001"?,
//!   "confirmations": n?, "pay_currency": "BTC"?}`: a payment arrives, in
//!   pay-currency units (default: what is left to pay, with enough
//!   confirmations to be paid; `0` confirmations leaves a full payment
//!   `confirming`). Less than asked leaves the order `pending` with an
//!   `underpaid_amount`; more makes it `paid` with an `overpaid_amount`. A
//!   `new` order is first checked out in `pay_currency` (default BTC), as
//!   the shopper does on the invoice page. An expired, canceled or invalid
//!   order records the payment (a late payment) and keeps its status.
//! - `POST /control/coingate/orders/{id}/confirm` `{"confirmations": n?}`
//!   (default: as many as the coin needs).
//! - `POST /control/coingate/orders/{id}/expire`: a `new` or `pending` order
//!   expires now.
//! - `POST /control/coingate/orders/{id}/invalid`: the network or AML
//!   screening rejects the payment.
//! - `POST /control/coingate/orders/{id}/cancel`: the shopper cancels.
//! - `POST /control/coingate/orders/{id}/refund` `{"amount": "5.00"?}`: in the
//!   price currency, default all that is left: `refunded` or
//!   `partially_refunded`.
//! - `POST /control/coingate/orders/{id}/refunds/{refund_id}/process`, `.../complete`
//!   and `.../reject` `{"reason": "..."?}`: CoinGate moves a merchant refund
//!   (made with `POST /orders/{id}/refunds`) to `processing`, `completed` or
//!   `rejected`, as its sandbox-only "Mark as Completed" / "Mark as Rejected"
//!   calls do.
//! - `POST /control/coingate/withdrawals` `{"currency": "BTC", "amount":
//!   "0.001"}`: the owner withdraws from that currency's main ledger account
//!   in the dashboard; `pending`, and the balance drops.
//! - `POST /control/coingate/withdrawals/{id}/complete`: it arrived.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::coingate;
use crate::counos::{orders, wallet};
use crate::faults::{Fault, Faults};
use crate::json::decimal;
use crate::state::{ActionError, Sandbox};
use crate::store::now;
use crate::traffic::Traffic;
use rust_decimal::Decimal;

pub(crate) fn router(sandbox: Arc<Sandbox>, faults: Faults, traffic: Traffic) -> Router {
    let faults = Router::new()
        .route(
            "/faults",
            get(show_faults).post(add_faults).delete(clear_faults),
        )
        .with_state(faults);
    let counos = Router::new()
        .route("/counos/orders/{orderId}/pay", post(pay_order))
        .route("/counos/orders/{orderId}/confirm", post(confirm_order))
        .route("/counos/orders/{orderId}/expire", post(expire_order))
        .route("/counos/orders/{orderId}/age", post(age_order))
        .route("/counos/withdraws/{id}/complete", post(complete_withdrawal))
        .route("/counos/withdraw-permission", post(withdraw_permission))
        .with_state(sandbox.clone());
    let coingate = Router::new()
        .route("/coingate/orders/{id}/pay", post(coingate_pay))
        .route("/coingate/orders/{id}/confirm", post(coingate_confirm))
        .route("/coingate/orders/{id}/expire", post(coingate_expire))
        .route("/coingate/orders/{id}/invalid", post(coingate_invalid))
        .route("/coingate/orders/{id}/cancel", post(coingate_cancel))
        .route("/coingate/orders/{id}/refund", post(coingate_refund))
        .route(
            "/coingate/orders/{id}/refunds/{refund_id}/{action}",
            post(coingate_refund_action),
        )
        .route("/coingate/withdrawals", post(coingate_withdraw))
        .route(
            "/coingate/withdrawals/{id}/complete",
            post(coingate_complete_withdrawal),
        )
        .with_state(sandbox);
    let requests = Router::new()
        .route("/requests", get(show_requests).delete(reset_requests))
        .with_state(traffic);
    faults
        .merge(counos)
        .merge(coingate)
        .merge(requests)
        .fallback(|| async { ControlError::not_found("No such control route.") })
}

struct ControlError {
    status: StatusCode,
    message: String,
}

impl ControlError {
    fn bad_request(message: impl Into<String>) -> Self {
        ControlError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    fn not_found(message: impl Into<String>) -> Self {
        ControlError {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }
}

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.message });
        (self.status, Json(body)).into_response()
    }
}

impl From<ActionError> for ControlError {
    fn from(err: ActionError) -> Self {
        match err {
            ActionError::NotFound => {
                ControlError::not_found("No such order or withdrawal in the sandbox.")
            }
            ActionError::Invalid(message) => ControlError::bad_request(message),
            ActionError::Store(err) => {
                tracing::error!("a sandbox control action failed: {err}");
                ControlError {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    message: format!("The sandbox database failed: {err}"),
                }
            }
        }
    }
}

/// An optional JSON object body; unknown fields are refused so that a typo in
/// a test (`latency` for `latency_ms`) fails loudly instead of doing nothing.
fn read_body<T: DeserializeOwned + Default>(body: &[u8]) -> Result<T, ControlError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body)
        .map_err(|err| ControlError::bad_request(format!("The body is not valid: {err}.")))
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultsBody {
    latency_ms: Option<u64>,
    #[serde(default)]
    next: Vec<Fault>,
}

async fn show_faults(State(faults): State<Faults>) -> Response {
    Json(faults.snapshot()).into_response()
}

async fn add_faults(State(faults): State<Faults>, body: Bytes) -> Result<Response, ControlError> {
    let body: FaultsBody = read_body(&body)?;
    Ok(Json(faults.add(body.latency_ms, &body.next)).into_response())
}

async fn show_requests(State(traffic): State<Traffic>) -> Response {
    Json(traffic.snapshot()).into_response()
}

async fn reset_requests(State(traffic): State<Traffic>) -> Response {
    traffic.reset();
    Json(traffic.snapshot()).into_response()
}

async fn clear_faults(State(faults): State<Faults>) -> Response {
    faults.clear();
    Json(faults.snapshot()).into_response()
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PermissionBody {
    permitted: Option<bool>,
}

async fn withdraw_permission(
    State(sandbox): State<Arc<Sandbox>>,
    body: Bytes,
) -> Result<Response, ControlError> {
    let body: PermissionBody = read_body(&body)?;
    let permitted = body.permitted.ok_or_else(|| {
        ControlError::bad_request("permitted is missing, as in {\"permitted\": true}.")
    })?;
    sandbox
        .withdraw_permitted
        .store(permitted, std::sync::atomic::Ordering::SeqCst);
    Ok(Json(serde_json::json!({ "permitted": permitted })).into_response())
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PayBody {
    amount: Option<Box<RawValue>>,
    confirmations: Option<u32>,
}

async fn pay_order(
    State(sandbox): State<Arc<Sandbox>>,
    Path(order_id): Path<String>,
    body: Bytes,
) -> Result<Response, ControlError> {
    let body: PayBody = read_body(&body)?;
    let amount = match body.amount {
        Some(raw) => Some(decimal(&raw).ok_or_else(|| {
            ControlError::bad_request(format!(
                "amount must be a decimal such as \"0.0001\"; got {}.",
                raw.get()
            ))
        })?),
        None => None,
    };
    let order = sandbox
        .store
        .call(move |conn| orders::pay(conn, &order_id, amount, body.confirmations))
        .await?;
    Ok(Json(order.to_json()).into_response())
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfirmationsBody {
    confirmations: Option<u32>,
}

async fn confirm_order(
    State(sandbox): State<Arc<Sandbox>>,
    Path(order_id): Path<String>,
    body: Bytes,
) -> Result<Response, ControlError> {
    let body: ConfirmationsBody = read_body(&body)?;
    let confirmations = body.confirmations.ok_or_else(|| {
        ControlError::bad_request("confirmations is missing, as in {\"confirmations\": 2}.")
    })?;
    let order = sandbox
        .store
        .call(move |conn| orders::confirm(conn, &order_id, confirmations))
        .await?;
    Ok(Json(order.to_json()).into_response())
}

async fn expire_order(
    State(sandbox): State<Arc<Sandbox>>,
    Path(order_id): Path<String>,
) -> Result<Response, ControlError> {
    let order = sandbox
        .store
        .call(move |conn| orders::expire(conn, &order_id))
        .await?;
    Ok(Json(order.to_json()).into_response())
}

#[derive(serde::Deserialize, Default)]
struct AgeBody {
    minutes: Option<i64>,
}

async fn age_order(
    State(sandbox): State<Arc<Sandbox>>,
    Path(order_id): Path<String>,
    body: Bytes,
) -> Result<Response, ControlError> {
    let body: AgeBody = read_body(&body)?;
    let minutes = body
        .minutes
        .filter(|m| (0..=100 * 366 * 24 * 60).contains(m))
        .ok_or_else(|| ControlError::bad_request("minutes is missing, as in {\"minutes\": 31}."))?;
    let order = sandbox
        .store
        .call(move |conn| orders::age(conn, &order_id, minutes * 60))
        .await?;
    Ok(Json(order.to_json()).into_response())
}

async fn complete_withdrawal(
    State(sandbox): State<Arc<Sandbox>>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, ControlError> {
    let body: ConfirmationsBody = read_body(&body)?;
    let withdrawal = sandbox
        .store
        .call(move |conn| wallet::complete(conn, id, body.confirmations))
        .await?;
    Ok(Json(withdrawal.to_json()).into_response())
}

// ---- CoinGate ---------------------------------------------------------------------

/// CoinGate ids are integers; anything else names no order.
fn coingate_id(id: &str) -> Result<i64, ControlError> {
    id.parse()
        .map_err(|_| ControlError::not_found("No such order or withdrawal in the sandbox."))
}

fn optional_decimal(
    raw: Option<Box<RawValue>>,
    example: &str,
) -> Result<Option<Decimal>, ControlError> {
    raw.map(|raw| {
        decimal(&raw).ok_or_else(|| {
            ControlError::bad_request(format!(
                "amount must be a decimal such as \"{example}\"; got {}.",
                raw.get()
            ))
        })
    })
    .transpose()
}

/// The order as `GET /orders/{id}` shows it.
async fn coingate_order<F>(sandbox: Arc<Sandbox>, action: F) -> Result<Response, ControlError>
where
    F: FnOnce(&mut rusqlite::Connection) -> Result<coingate::orders::Order, ActionError>
        + Send
        + 'static,
{
    let order = sandbox.store.call(action).await?;
    Ok(Json(order.to_json(now(), &sandbox.base_url)).into_response())
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CoinGatePayBody {
    amount: Option<Box<RawValue>>,
    confirmations: Option<u32>,
    pay_currency: Option<String>,
}

async fn coingate_pay(
    State(sandbox): State<Arc<Sandbox>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ControlError> {
    let id = coingate_id(&id)?;
    let body: CoinGatePayBody = read_body(&body)?;
    let payment = coingate::orders::Payment {
        amount: optional_decimal(body.amount, "0.0001")?,
        confirmations: body.confirmations,
        pay_currency: body.pay_currency,
    };
    let pending_ttl = coingate::orders::seconds(sandbox.config.coingate_pending_ttl);
    coingate_order(sandbox, move |conn| {
        coingate::orders::pay(conn, id, payment, pending_ttl)
    })
    .await
}

async fn coingate_confirm(
    State(sandbox): State<Arc<Sandbox>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ControlError> {
    let id = coingate_id(&id)?;
    let body: ConfirmationsBody = read_body(&body)?;
    coingate_order(sandbox, move |conn| {
        coingate::orders::confirm(conn, id, body.confirmations)
    })
    .await
}

async fn coingate_expire(
    State(sandbox): State<Arc<Sandbox>>,
    Path(id): Path<String>,
) -> Result<Response, ControlError> {
    let id = coingate_id(&id)?;
    coingate_order(sandbox, move |conn| coingate::orders::expire(conn, id)).await
}

async fn coingate_invalid(
    State(sandbox): State<Arc<Sandbox>>,
    Path(id): Path<String>,
) -> Result<Response, ControlError> {
    let id = coingate_id(&id)?;
    coingate_order(sandbox, move |conn| coingate::orders::invalidate(conn, id)).await
}

async fn coingate_cancel(
    State(sandbox): State<Arc<Sandbox>>,
    Path(id): Path<String>,
) -> Result<Response, ControlError> {
    let id = coingate_id(&id)?;
    coingate_order(sandbox, move |conn| coingate::orders::cancel(conn, id)).await
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AmountBody {
    amount: Option<Box<RawValue>>,
}

async fn coingate_refund(
    State(sandbox): State<Arc<Sandbox>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ControlError> {
    let id = coingate_id(&id)?;
    let body: AmountBody = read_body(&body)?;
    let amount = optional_decimal(body.amount, "5.00")?;
    coingate_order(sandbox, move |conn| {
        coingate::orders::refund(conn, id, amount)
    })
    .await
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RejectBody {
    reason: Option<String>,
}

async fn coingate_refund_action(
    State(sandbox): State<Arc<Sandbox>>,
    Path((id, refund_id, action)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, ControlError> {
    let id = coingate_id(&id)?;
    let refund_id = coingate_id(&refund_id)?;
    let to = match action.as_str() {
        "process" => coingate::orders::RefundStatus::Processing,
        "complete" => coingate::orders::RefundStatus::Completed,
        "reject" => coingate::orders::RefundStatus::Rejected,
        other => {
            return Err(ControlError::not_found(format!(
                "'{other}' is not a refund action: process, complete or reject."
            )))
        }
    };
    let body: RejectBody = read_body(&body)?;
    let reason = (to == coingate::orders::RefundStatus::Rejected).then(|| {
        body.reason
            .unwrap_or_else(|| "The shopper did not approve the return address.".to_owned())
    });
    coingate_order(sandbox, move |conn| {
        coingate::orders::advance_refund(conn, id, refund_id, to, reason)
    })
    .await
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct WithdrawBody {
    currency: Option<String>,
    amount: Option<Box<RawValue>>,
}

async fn coingate_withdraw(
    State(sandbox): State<Arc<Sandbox>>,
    body: Bytes,
) -> Result<Response, ControlError> {
    let body: WithdrawBody = read_body(&body)?;
    let currency = body.currency.ok_or_else(|| {
        ControlError::bad_request("currency is missing, as in {\"currency\": \"BTC\"}.")
    })?;
    let amount = optional_decimal(body.amount, "0.001")?.ok_or_else(|| {
        ControlError::bad_request("amount is missing, as in {\"amount\": \"0.001\"}.")
    })?;
    let withdrawal = sandbox
        .store
        .call(move |conn| coingate::create_withdrawal(conn, &currency, amount))
        .await?;
    Ok(Json(withdrawal.to_json()).into_response())
}

async fn coingate_complete_withdrawal(
    State(sandbox): State<Arc<Sandbox>>,
    Path(id): Path<String>,
) -> Result<Response, ControlError> {
    let id = coingate_id(&id)?;
    let withdrawal = sandbox
        .store
        .call(move |conn| coingate::complete_withdrawal(conn, id))
        .await?;
    Ok(Json(withdrawal.to_json()).into_response())
}
