//! Withdrawals to the merchant's own payout setting: their rows, their wire
//! shape, `GET /withdrawals` and `GET /withdrawals/{id}`, and one arriving.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use rusqlite::{params, Connection, Row};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::coingate::catalog::{self, Currency};
use crate::coingate::orders::CurrencyShort;
use crate::coingate::page::{Page, Paging, WITHDRAWALS};
use crate::coingate::wire::{amount, time, ApiError};
use crate::state::ActionError;
use crate::state::Sandbox;
use crate::store::{conversion_error, decimal_column, now, Table};

/// A withdrawal to the merchant's own payout setting, as stored.
pub(crate) struct Withdrawal {
    pub(super) id: i64,
    pub(super) currency: &'static Currency,
    pub(super) amount: Decimal,
    pub(super) status: String,
    pub(super) created_at: i64,
    completed_at: Option<i64>,
}

#[derive(Serialize)]
struct PayoutSettingJson {
    id: i64,
    title: &'static str,
    address: &'static str,
    currency: CurrencyShort,
}

#[derive(Serialize)]
pub(super) struct PlatformJson {
    pub(super) id: i64,
    pub(super) title: &'static str,
    pub(super) id_name: &'static str,
}

/// `{id, status, amount, created_at, completed_at, currency, payout_setting}`
/// (gateways.md), and the platform a coin went out on, as the official
/// Python client reads it.
#[derive(Serialize)]
pub(crate) struct WithdrawalJson {
    id: i64,
    status: String,
    amount: String,
    created_at: String,
    completed_at: Option<String>,
    currency: CurrencyShort,
    payout_setting: Option<PayoutSettingJson>,
    platform: Option<PlatformJson>,
}

impl Withdrawal {
    pub(crate) fn to_json(&self) -> WithdrawalJson {
        WithdrawalJson {
            id: self.id,
            status: self.status.clone(),
            amount: amount(self.amount),
            created_at: time(self.created_at),
            completed_at: self.completed_at.map(time),
            currency: CurrencyShort::from(self.currency),
            payout_setting: catalog::payout_setting_for(self.currency).map(|setting| {
                PayoutSettingJson {
                    id: setting.id,
                    title: setting.title,
                    address: setting.address,
                    currency: CurrencyShort::from(self.currency),
                }
            }),
            platform: self
                .currency
                .platform
                .as_ref()
                .map(|platform| PlatformJson {
                    id: platform.id,
                    title: platform.title,
                    id_name: platform.id_name,
                }),
        }
    }
}

fn withdrawal_from_row(row: &Row) -> rusqlite::Result<Withdrawal> {
    let symbol: String = row.get(1)?;
    Ok(Withdrawal {
        id: row.get(0)?,
        currency: catalog::currency_by_symbol(&symbol)
            .ok_or_else(|| conversion_error(1, format!("unknown currency '{symbol}'")))?,
        amount: decimal_column(row, 2)?,
        status: row.get(3)?,
        created_at: row.get(4)?,
        completed_at: row.get(5)?,
    })
}

const WITHDRAWALS_TABLE: Table<Withdrawal> = Table {
    name: "coingate_withdrawals",
    columns: "id, currency, amount, status, created_at, completed_at",
    from_row: withdrawal_from_row,
};

/// Newest first.
pub(super) fn withdrawals(conn: &Connection) -> rusqlite::Result<Vec<Withdrawal>> {
    WITHDRAWALS_TABLE.newest_first(conn)
}

pub(super) fn find_withdrawal(conn: &Connection, id: i64) -> rusqlite::Result<Option<Withdrawal>> {
    WITHDRAWALS_TABLE.find(conn, id)
}

/// `GET /withdrawals?page=&per_page=`, newest first.
pub(crate) async fn list_withdrawals(
    State(sandbox): State<Arc<Sandbox>>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let paging = Paging::from_params(&params)?;
    let all = sandbox.store.call(|conn| withdrawals(conn)).await?;
    Ok(Page::of(WITHDRAWALS, all, paging)
        .map(Withdrawal::to_json)
        .into_response())
}

fn withdrawal_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "Withdrawal not found",
        "WithdrawalNotFound",
    )
}

/// `GET /withdrawals/{id}`.
pub(crate) async fn get_withdrawal(
    State(sandbox): State<Arc<Sandbox>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: i64 = id.parse().map_err(|_| withdrawal_not_found())?;
    let withdrawal = sandbox
        .store
        .call(move |conn| find_withdrawal(conn, id))
        .await?
        .ok_or_else(withdrawal_not_found)?;
    Ok(Json(withdrawal.to_json()).into_response())
}

/// The withdrawal reached its payout setting.
pub(crate) fn complete_withdrawal(
    conn: &mut Connection,
    id: i64,
) -> Result<Withdrawal, ActionError> {
    let changed = conn.execute(
        "UPDATE coingate_withdrawals SET status = 'completed',
             completed_at = COALESCE(completed_at, ?1)
         WHERE id = ?2",
        params![now(), id],
    )?;
    if changed == 0 {
        return Err(ActionError::NotFound);
    }
    find_withdrawal(conn, id)?.ok_or(ActionError::NotFound)
}
