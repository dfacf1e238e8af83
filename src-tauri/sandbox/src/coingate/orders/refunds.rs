//! Merchant refunds: `POST /orders/{id}/refunds`, `GET /orders/{id}/refunds`
//! and `GET /orders/{id}/refunds/{refund_id}`, and what CoinGate does to a
//! refund on its own afterwards (driven by `/control`).
//!
//! gateways.md: "Refunds: `POST /orders/{id}/refunds` (amount in price
//! currency, address, currency_id, platform_id, reason, email,
//! ledger_account_id)"; CoinGate's reference adds an optional
//! `address_memo`. The refund's shape and statuses follow CoinGate's "Refund
//! Callback" and "Types of Refund Status" pages: `pending` when created,
//! `processing` on some workflows, then `rejected` or `completed` (final).
//! The refusal texts are the sandbox's own: CoinGate documents that invalid
//! requests answer 422 but not their wording.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rusqlite::{params, Connection};
use rust_decimal::Decimal;

use super::model::{Order, RefundStatus, Status};
use super::storage::find;
use crate::coingate::catalog;
use crate::coingate::wire::{amount, ApiError, Params};
use crate::json::parse_decimal;
use crate::state::{ActionError, Sandbox};
use crate::store::now;

fn refund_is_not_valid(errors: Vec<String>) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "Refund is not valid",
        "RefundIsNotValid",
    )
    .with_errors(errors)
}

fn refund_not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "Refund not found", "RecordNotFound")
}

/// What is left to refund on `order`, in its price currency: what the shopper
/// paid less every refund not rejected.
fn refundable_left(order: &Order) -> Decimal {
    (order.paid_in_price_currency() - order.refunded()).max(Decimal::ZERO)
}

/// Whether a merchant may refund the order at all: money arrived and the
/// order is settled (a return), or CoinGate marks it refundable (an
/// overpayment, or a payment to an order that did not complete).
fn may_refund(order: &Order, status: Status) -> bool {
    status.is_settled() || order.is_refundable(status)
}

/// The refund a request asks for, checked; every problem found is listed, as
/// Rails validations list them.
struct Asked {
    amount: Decimal,
    address: String,
    memo: Option<String>,
    reason: String,
    email: String,
    ledger_account_id: String,
}

fn check_request(order: &Order, params: &Params) -> Result<Asked, Vec<String>> {
    let mut errors = Vec::new();
    let required = |name: &str, errors: &mut Vec<String>| -> String {
        match params.text(name) {
            Some(value) => value.to_owned(),
            None => {
                errors.push(format!("{} can't be blank", humanize(name)));
                String::new()
            }
        }
    };
    let amount_text = required("amount", &mut errors);
    let address = required("address", &mut errors);
    let currency_id = required("currency_id", &mut errors);
    let platform_id = required("platform_id", &mut errors);
    let reason = required("reason", &mut errors);
    let email = required("email", &mut errors);
    let ledger_account_id = required("ledger_account_id", &mut errors);
    let checkout = order.checkout.as_ref();

    let asked_amount = parse_decimal(&amount_text);
    if !amount_text.is_empty() {
        match asked_amount {
            Some(value) if value > Decimal::ZERO => {
                if value.normalize().scale() > order.price_currency.places() {
                    errors.push(format!(
                        "Amount has more decimal places than {} allows",
                        order.price_currency.symbol
                    ));
                }
                let left = refundable_left(order);
                if value > left {
                    errors.push(format!(
                        "Amount is more than the refundable amount ({} {} left)",
                        amount(left),
                        order.price_currency.symbol
                    ));
                }
            }
            _ => errors.push("Amount must be greater than 0".to_owned()),
        }
    }
    if let Some(checkout) = checkout {
        if !currency_id.is_empty() && currency_id != checkout.currency.id.to_string() {
            errors.push(format!(
                "Currency is not valid (this order was paid in {}, currency id {})",
                checkout.currency.symbol, checkout.currency.id
            ));
        }
        let platform = checkout.currency.platform.as_ref();
        if !platform_id.is_empty() && platform.is_none_or(|p| platform_id != p.id.to_string()) {
            errors.push(format!(
                "Platform is not valid for {}",
                checkout.currency.symbol
            ));
        }
        if !address.is_empty() && !checkout.coin.accepts_address(&address) {
            errors.push(format!(
                "Address is not a valid {} address",
                checkout.currency.title
            ));
        }
    }
    if !email.is_empty() && !email.contains('@') {
        errors.push("Email is not valid".to_owned());
    }
    if !ledger_account_id.is_empty() && catalog::ledger_account(&ledger_account_id).is_none() {
        errors.push("Ledger account is not found".to_owned());
    }
    match asked_amount {
        Some(amount) if errors.is_empty() => Ok(Asked {
            amount,
            address,
            memo: params.text("address_memo").map(str::to_owned),
            reason,
            email,
            ledger_account_id,
        }),
        _ => Err(errors),
    }
}

/// `amount_in_price` → the field's name as Rails words it.
fn humanize(field: &str) -> String {
    let field = field.strip_suffix("_id").unwrap_or(field).replace('_', " ");
    let mut chars = field.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn order_id(id: &str) -> Result<i64, ApiError> {
    id.parse().map_err(|_| ApiError::order_not_found())
}

/// `POST /orders/{id}/refunds`: a `pending` refund, or 422 listing why not.
pub(crate) async fn create_refund(
    State(sandbox): State<Arc<Sandbox>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let id = order_id(&id)?;
    let params = Params::from_body(&headers, &body)?;
    let created = sandbox
        .store
        .call(move |conn| -> Result<_, ApiError> {
            let tx = conn.transaction()?;
            let order = find(&tx, id)?.ok_or_else(ApiError::order_not_found)?;
            let status = order.status_at(now());
            if !may_refund(&order, status) || refundable_left(&order).is_zero() {
                return Err(refund_is_not_valid(vec![format!(
                    "Order is not refundable (status {}, {} {} left to refund)",
                    status.as_str(),
                    amount(refundable_left(&order)),
                    order.price_currency.symbol
                )]));
            }
            let asked = check_request(&order, &params).map_err(refund_is_not_valid)?;
            let checkout = order
                .checkout
                .as_ref()
                .expect("a refundable order was checked out");
            // The coin amount at the order's own rate: the money the shopper
            // sent comes back as the same coin amount it was worth then.
            let refund_amount = asked
                .amount
                .checked_div(checkout.conversion_rate)
                .map(|coins| checkout.currency.round(coins))
                .ok_or_else(|| refund_is_not_valid(vec!["Amount is too large".to_owned()]))?;
            tx.execute(
                "INSERT INTO coingate_refunds (order_id, request_amount, refund_amount, address,
                     created_at, status, email, reason, address_memo, ledger_account_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?7, ?8, ?9)",
                params![
                    id,
                    asked.amount.to_string(),
                    refund_amount.to_string(),
                    asked.address,
                    now(),
                    asked.email,
                    asked.reason,
                    asked.memo,
                    asked.ledger_account_id,
                ],
            )?;
            let refund_id = tx.last_insert_rowid();
            let order = find(&tx, id)?.ok_or_else(ApiError::order_not_found)?;
            tx.commit()?;
            Ok((order, refund_id))
        })
        .await?;
    refund_answer(&created.0, created.1)
}

fn refund_answer(order: &Order, refund_id: i64) -> Result<Response, ApiError> {
    let refund = order
        .refunds
        .iter()
        .find(|refund| refund.id == refund_id)
        .and_then(|refund| order.refund_json(refund))
        .ok_or_else(refund_not_found)?;
    Ok(Json(refund).into_response())
}

/// `GET /orders/{id}/refunds`: the order's refunds, oldest first. The list's
/// wrapper is not documented; a bare array is the sandbox's reading.
pub(crate) async fn list_refunds(
    State(sandbox): State<Arc<Sandbox>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = order_id(&id)?;
    let order = sandbox
        .store
        .call(move |conn| find(conn, id))
        .await?
        .ok_or_else(ApiError::order_not_found)?;
    let refunds: Vec<_> = order
        .refunds
        .iter()
        .filter_map(|refund| order.refund_json(refund))
        .collect();
    Ok(Json(refunds).into_response())
}

/// `GET /orders/{id}/refunds/{refund_id}`.
pub(crate) async fn get_refund(
    State(sandbox): State<Arc<Sandbox>>,
    Path((id, refund_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let id = order_id(&id)?;
    let refund_id: i64 = refund_id.parse().map_err(|_| refund_not_found())?;
    let order = sandbox
        .store
        .call(move |conn| find(conn, id))
        .await?
        .ok_or_else(ApiError::order_not_found)?;
    refund_answer(&order, refund_id)
}

/// CoinGate moves a refund on (`/control`): to `processing`, or to a final
/// `completed` (the order turns `refunded` once all the shopper paid is back,
/// `partially_refunded` before, if it was settled) or `rejected` (with the
/// compliance reason; the amount is free to refund again).
pub(crate) fn advance_refund(
    conn: &mut Connection,
    id: i64,
    refund_id: i64,
    to: RefundStatus,
    rejection_reason: Option<String>,
) -> Result<Order, ActionError> {
    let tx = conn.transaction()?;
    let order = find(&tx, id)?.ok_or(ActionError::NotFound)?;
    let refund = order
        .refunds
        .iter()
        .find(|refund| refund.id == refund_id)
        .ok_or(ActionError::NotFound)?;
    if refund.status.is_final() {
        return Err(ActionError::Invalid(format!(
            "Refund {refund_id} is already {}.",
            refund.status.as_str()
        )));
    }
    tx.execute(
        "UPDATE coingate_refunds SET status = ?1, rejection_reason = ?2 WHERE id = ?3",
        params![to.as_str(), rejection_reason, refund_id],
    )?;
    let order = find(&tx, id)?.ok_or(ActionError::NotFound)?;
    let status = order.status_at(now());
    if to == RefundStatus::Completed && status.is_settled() {
        let completed: Decimal = order
            .refunds
            .iter()
            .filter(|refund| refund.status == RefundStatus::Completed)
            .map(|refund| refund.request_amount)
            .sum();
        let next = if completed >= order.paid_in_price_currency() {
            Status::Refunded
        } else {
            Status::PartiallyRefunded
        };
        tx.execute(
            "UPDATE coingate_orders SET status = ?1 WHERE id = ?2",
            params![next.as_str(), id],
        )?;
    }
    let order = find(&tx, id)?.ok_or(ActionError::NotFound)?;
    tx.commit()?;
    Ok(order)
}
