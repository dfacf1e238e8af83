//! `GET /ledger/accounts` and `GET /ledger/accounts/{id}`.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use rust_decimal::Decimal;
use serde::Serialize;

use super::balances::{balance, balances};
use crate::coingate::catalog::{self, AccountType, LedgerAccount, LEDGER_ACCOUNTS};
use crate::coingate::page::{Page, Paging, ACCOUNTS};
use crate::coingate::wire::{amount, ApiError};
use crate::state::Sandbox;

#[derive(Serialize)]
struct AccountCurrency {
    id: i64,
    title: &'static str,
    kind: &'static str,
    symbol: &'static str,
    enabled: bool,
    disabled_message: Option<&'static str>,
}

/// gateways.md: `{id (ULID), balance:"0.0", status, account_type:
/// "main|secondary", title, currency:{id,title,kind,symbol}}`; the reference
/// example's currency also carries `enabled` and `disabled_message`.
#[derive(Serialize)]
struct AccountJson {
    id: &'static str,
    balance: String,
    status: &'static str,
    account_type: &'static str,
    title: &'static str,
    currency: AccountCurrency,
}

fn account_json(account: &LedgerAccount, balance: Decimal) -> AccountJson {
    let currency = account.currency();
    AccountJson {
        id: account.id,
        balance: amount(balance),
        status: "active",
        account_type: match account.account_type {
            AccountType::Main => "main",
            AccountType::Secondary => "secondary",
        },
        title: account.title,
        currency: AccountCurrency {
            id: currency.id,
            title: currency.title,
            kind: currency.kind.as_str(),
            symbol: currency.symbol,
            enabled: !currency.is_disabled(),
            disabled_message: currency.disabled_message,
        },
    }
}

/// `GET /ledger/accounts?page=&per_page=`.
pub(crate) async fn accounts(
    State(sandbox): State<Arc<Sandbox>>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let paging = Paging::from_params(&params)?;
    let balances = sandbox.store.call(|conn| balances(conn)).await?;
    let all: Vec<_> = LEDGER_ACCOUNTS
        .iter()
        .map(|account| account_json(account, balances[account.id]))
        .collect();
    Ok(Page::of(ACCOUNTS, all, paging).into_response())
}

fn account_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "Ledger account not found",
        "LedgerAccountNotFound",
    )
}

/// `GET /ledger/accounts/{id}`.
pub(crate) async fn account(
    State(sandbox): State<Arc<Sandbox>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let account = catalog::ledger_account(&id).ok_or_else(account_not_found)?;
    let balance = sandbox
        .store
        .call(move |conn| balance(conn, account))
        .await?;
    Ok(Json(account_json(account, balance)).into_response())
}
