//! `GET /orders/{id}` and `GET /orders`.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{NaiveDate, NaiveTime};

use super::model::Status;
use super::storage::{all, find};
use crate::coingate::page::{Page, Paging, ORDERS};
use crate::coingate::wire::{param, ApiError};
use crate::state::Sandbox;
use crate::store::now;

/// `GET /orders/{id}`.
pub(crate) async fn get_order(
    State(sandbox): State<Arc<Sandbox>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: i64 = id.parse().map_err(|_| ApiError::order_not_found())?;
    let order = sandbox
        .store
        .call(move |conn| find(conn, id))
        .await?
        .ok_or_else(ApiError::order_not_found)?;
    Ok(Json(order.to_json(now(), &sandbox.base_url)).into_response())
}

/// A time bound: a date (`2018-09-01`, the whole day). gateways.md, Round 2:
/// documented as dates, not timestamps; the sandbox refuses a timestamp so
/// that a client sending one is caught here rather than at CoinGate.
fn time_bound(
    params: &[(String, String)],
    name: &str,
    end_of_day: bool,
) -> Result<Option<i64>, ApiError> {
    let Some(text) = param(params, name) else {
        return Ok(None);
    };
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let time = if end_of_day {
            NaiveTime::from_hms_opt(23, 59, 59).expect("a valid time")
        } else {
            NaiveTime::MIN
        };
        return Ok(Some(date.and_time(time).and_utc().timestamp()));
    }
    Err(ApiError::bad_request(format!(
        "{name} must be a date such as 2018-09-01; got '{text}'."
    )))
}

/// `GET /orders?per_page=&page=&sort=&created_at[from]=&created_at[to]=
/// &status=` (and `paid_at[from]`/`[to]`, also documented).
pub(crate) async fn list_orders(
    State(sandbox): State<Arc<Sandbox>>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let paging = Paging::from_params(&params)?;
    let newest_first = match param(&params, "sort").unwrap_or("created_at_desc") {
        "created_at_desc" => true,
        "created_at_asc" => false,
        other => {
            return Err(ApiError::bad_request(format!(
                "sort must be created_at_desc or created_at_asc; got '{other}'."
            )))
        }
    };
    let status = match param(&params, "status") {
        None => None,
        Some(text) => Some(Status::parse(text).ok_or_else(|| {
            let all: Vec<_> = Status::ALL.iter().map(|status| status.as_str()).collect();
            ApiError::bad_request(format!(
                "status must be one of {}; got '{text}'.",
                all.join(", ")
            ))
        })?),
    };
    let created_from = time_bound(&params, "created_at[from]", false)?;
    let created_to = time_bound(&params, "created_at[to]", true)?;
    let paid_from = time_bound(&params, "paid_at[from]", false)?;
    let paid_to = time_bound(&params, "paid_at[to]", true)?;

    let mut orders = sandbox.store.call(|conn| all(conn)).await?;
    let now = now();
    orders.retain(|order| {
        let paid_at = order.paid_at.filter(|_| order.status_at(now).is_settled());
        status.is_none_or(|status| order.status_at(now) == status)
            && created_from.is_none_or(|from| order.created_at >= from)
            && created_to.is_none_or(|to| order.created_at <= to)
            && paid_from.is_none_or(|from| paid_at.is_some_and(|paid| paid >= from))
            && paid_to.is_none_or(|to| paid_at.is_some_and(|paid| paid <= to))
    });
    if newest_first {
        orders.reverse();
    }
    Ok(Page::of(ORDERS, orders, paging)
        .map(|order| order.to_json(now, &sandbox.base_url))
        .into_response())
}
