//! `terminal/balance`, `terminal/withdraws` and `terminal/withdraw`: the
//! terminal's wallet.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use rusqlite::{params, Connection, OptionalExtension, Row};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::orders::paid_amounts;
use super::wire::{param, require_json, success, ApiError};
use crate::json::{at_least_8_places, decimal, number, timestamp};
use crate::market::{self, new_transaction_id, Coin, COINS};
use crate::state::ActionError;
use crate::state::Sandbox;
use crate::store::{coin_column, decimal_column, now};

/// gateways.md quotes this refusal word for word; the app shows it as it is.
const WITHDRAW_NOT_PERMITTED: &str =
    "Withdraw is not permitted by API. Please contact the terminal owner.";

/// gateways.md: on success the gateway e-mails the owner a link that shows the
/// fee and the withdrawable amount, where the withdrawal is confirmed.
const WITHDRAW_REGISTERED: &str = "Your withdrawal request is registered. An e-mail with a \
     confirmation link has been sent to the terminal owner: it shows the fee and the \
     withdrawable amount, and the withdrawal is confirmed there.";

/// What the terminal holds of a coin: everything paid into its orders, less
/// every withdrawal, pending ones included.
fn balance(conn: &Connection, coin: &Coin) -> rusqlite::Result<Decimal> {
    let received: Decimal = paid_amounts(conn, coin)?.into_iter().sum();
    let mut statement = conn.prepare("SELECT amount FROM counos_withdrawals WHERE keyword = ?1")?;
    let withdrawn = statement
        .query_map([coin.keyword], |row| decimal_column(row, 0))?
        .sum::<rusqlite::Result<Decimal>>()?;
    Ok(received - withdrawn)
}

/// gateways.md: balance field names are not published; these are the sandbox's.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Balance {
    ticker_id: i64,
    keyword: &'static str,
    title: &'static str,
    balance: Box<RawValue>,
}

/// `GET terminal/balance`: one entry per enabled ticker.
pub(crate) async fn balances(State(sandbox): State<Arc<Sandbox>>) -> Result<Response, ApiError> {
    let balances = sandbox
        .store
        .call(|conn| {
            COINS
                .iter()
                .filter(|coin| coin.enabled)
                .map(|coin| {
                    Ok(Balance {
                        ticker_id: coin.ticker_id,
                        keyword: coin.keyword,
                        title: coin.title,
                        balance: number(at_least_8_places(balance(conn, coin)?)),
                    })
                })
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .await?;
    Ok(success("Success", balances))
}

/// A withdrawal as stored.
pub(crate) struct Withdrawal {
    id: i64,
    coin: &'static Coin,
    amount: Decimal,
    wallet_address: String,
    transaction_id: Option<String>,
    status: String,
    confirmations: u32,
    created_at: i64,
}

/// gateways.md publishes no field names for withdrawals; these are the
/// sandbox's, in the camel case of the order fields.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WithdrawalJson {
    id: i64,
    ticker_id: i64,
    keyword: &'static str,
    amount: Box<RawValue>,
    wallet_address: String,
    transaction_id: Option<String>,
    status: String,
    confirmations: u32,
    created_at: String,
}

impl Withdrawal {
    pub(crate) fn to_json(&self) -> WithdrawalJson {
        WithdrawalJson {
            id: self.id,
            ticker_id: self.coin.ticker_id,
            keyword: self.coin.keyword,
            amount: number(self.amount),
            wallet_address: self.wallet_address.clone(),
            transaction_id: self.transaction_id.clone(),
            status: self.status.clone(),
            confirmations: self.confirmations,
            created_at: timestamp(self.created_at),
        }
    }

    /// gateways.md: withdrawals are "searchable by wallet address or
    /// transaction id"; the sandbox matches substrings, ignoring case.
    fn matches(&self, search: &str) -> bool {
        let search = search.to_lowercase();
        self.wallet_address.to_lowercase().contains(&search)
            || self
                .transaction_id
                .as_ref()
                .is_some_and(|txid| txid.to_lowercase().contains(&search))
    }
}

const COLUMNS: &str =
    "id, keyword, amount, wallet_address, transaction_id, status, confirmations, created_at";

fn withdrawal_from_row(row: &Row) -> rusqlite::Result<Withdrawal> {
    Ok(Withdrawal {
        id: row.get(0)?,
        coin: coin_column(row, 1)?,
        amount: decimal_column(row, 2)?,
        wallet_address: row.get(3)?,
        transaction_id: row.get(4)?,
        status: row.get(5)?,
        confirmations: row.get(6)?,
        created_at: row.get(7)?,
    })
}

fn find(conn: &Connection, id: i64) -> rusqlite::Result<Option<Withdrawal>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM counos_withdrawals WHERE id = ?1"),
        [id],
        withdrawal_from_row,
    )
    .optional()
}

/// `GET terminal/withdraws[?search=...]`, newest first.
pub(crate) async fn withdrawals(
    State(sandbox): State<Arc<Sandbox>>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let search = param(&params, "search").unwrap_or("").trim().to_owned();
    let all = sandbox
        .store
        .call(|conn| {
            let mut statement = conn.prepare(&format!(
                "SELECT {COLUMNS} FROM counos_withdrawals ORDER BY id DESC"
            ))?;
            let rows = statement.query_map([], withdrawal_from_row)?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
        })
        .await?;
    let found: Vec<_> = all
        .iter()
        .filter(|withdrawal| withdrawal.matches(&search))
        .map(Withdrawal::to_json)
        .collect();
    Ok(success("Success", found))
}

#[derive(Deserialize)]
struct WithdrawBody<'a> {
    #[serde(borrow, default)]
    amount: Option<&'a RawValue>,
    #[serde(rename = "tickerId", default)]
    ticker_id: Option<i64>,
    #[serde(rename = "walletAddress", default)]
    wallet_address: Option<String>,
}

/// `POST terminal/withdraw`.
pub(crate) async fn withdraw(
    State(sandbox): State<Arc<Sandbox>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    // gateways.md: without the dashboard tick the gateway answers with this
    // message, and the sandbox sends it as an error inside an HTTP 200 so a
    // client that checks only the HTTP status is caught.
    if !sandbox
        .withdraw_permitted
        .load(std::sync::atomic::Ordering::SeqCst)
    {
        return Err(ApiError::in_envelope(403, WITHDRAW_NOT_PERMITTED));
    }
    require_json(&headers)?;
    let body: WithdrawBody = serde_json::from_slice(&body).map_err(|err| {
        ApiError::bad_request(format!("The withdraw request is not valid JSON: {err}."))
    })?;

    let ticker_id = body.ticker_id.ok_or_else(|| {
        ApiError::bad_request("tickerId is missing: use an id from terminal/tickers.")
    })?;
    let coin = market::coin_by_ticker_id(ticker_id)
        .filter(|coin| coin.enabled)
        .ok_or_else(|| {
            ApiError::bad_request(format!("Unknown or disabled tickerId {ticker_id}."))
        })?;
    let wallet_address = body
        .wallet_address
        .map(|address| address.trim().to_owned())
        .filter(|address| !address.is_empty())
        .ok_or_else(|| ApiError::bad_request("walletAddress is missing."))?;
    let amount = body
        .amount
        .and_then(decimal)
        .ok_or_else(|| ApiError::bad_request("amount is missing or not a number."))?;
    coin.check_precision("amount", amount)
        .map_err(ApiError::bad_request)?;
    // gateways.md: "The amount must exceed a per-ticker minimum."
    if amount <= coin.min_withdraw {
        return Err(ApiError::bad_request(format!(
            "The amount must be more than the minimum withdrawal of {} {}.",
            coin.min_withdraw,
            coin.symbol()
        )));
    }

    let withdrawal = sandbox
        .store
        .call(move |conn| record_withdrawal(conn, coin, amount, &wallet_address))
        .await?;
    Ok(success(WITHDRAW_REGISTERED, withdrawal.to_json()))
}

fn record_withdrawal(
    conn: &mut Connection,
    coin: &'static Coin,
    amount: Decimal,
    wallet_address: &str,
) -> Result<Withdrawal, ApiError> {
    let tx = conn.transaction()?;
    let available = balance(&tx, coin)?;
    if amount > available {
        return Err(ApiError::bad_request(format!(
            "The amount {amount} {symbol} is more than the terminal's balance of {available} {symbol}.",
            symbol = coin.symbol()
        )));
    }
    tx.execute(
        "INSERT INTO counos_withdrawals (keyword, amount, wallet_address, transaction_id, status,
             confirmations, created_at)
         VALUES (?1, ?2, ?3, NULL, 'pending', 0, ?4)",
        params![coin.keyword, amount.to_string(), wallet_address, now()],
    )?;
    let withdrawal = find(&tx, tx.last_insert_rowid())?.expect("the withdrawal was just inserted");
    tx.commit()?;
    Ok(withdrawal)
}

/// The owner confirmed the e-mail and the transaction went out: the
/// withdrawal is done, with a transaction id and `confirmations`.
pub(crate) fn complete(
    conn: &mut Connection,
    id: i64,
    confirmations: Option<u32>,
) -> Result<Withdrawal, ActionError> {
    let tx = conn.transaction()?;
    let withdrawal = find(&tx, id)?.ok_or(ActionError::NotFound)?;
    tx.execute(
        "UPDATE counos_withdrawals SET status = 'done', confirmations = ?1,
             transaction_id = COALESCE(transaction_id, ?2)
         WHERE id = ?3",
        params![
            confirmations.unwrap_or(withdrawal.coin.confirmations),
            new_transaction_id(),
            id
        ],
    )?;
    let withdrawal = find(&tx, id)?.ok_or(ActionError::NotFound)?;
    tx.commit()?;
    Ok(withdrawal)
}
