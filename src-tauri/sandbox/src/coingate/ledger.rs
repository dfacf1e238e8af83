//! The merchant's money: ledger accounts, withdrawals and send requests.
//!
//! A balance is what paid orders credited to the main account of their
//! settlement currency (the receive amount, after CoinGate's fee), less
//! refunds and withdrawals, pending ones included. Send requests are drafts
//! that move nothing until the owner confirms them with 2FA in the dashboard
//! (gateways.md), which the sandbox does not have.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rusqlite::{params, Connection, Row};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde::Serialize;

use super::catalog::{
    self, AccountType, BeneficiaryPayoutSetting, Currency, LedgerAccount, LEDGER_ACCOUNTS,
};
use super::orders::{self, CurrencyShort};
use super::page::{Page, Paging, ACCOUNTS, SEND_REQUESTS, WITHDRAWALS};
use super::wire::{amount, time, time_ms, ApiError, Params};
use crate::json::parse_decimal;
use crate::state::ActionError;
use crate::state::Sandbox;
use crate::store::{conversion_error, decimal_column, now, Table};

/// Every account's balance, by account id.
fn balances(conn: &Connection) -> rusqlite::Result<HashMap<&'static str, Decimal>> {
    let mut balances: HashMap<&'static str, Decimal> = LEDGER_ACCOUNTS
        .iter()
        .map(|account| (account.id, Decimal::ZERO))
        .collect();
    let now = now();
    for order in orders::all(conn)? {
        if let Some((currency, credit)) = order.ledger_credit(now) {
            if let Some(account) = catalog::main_account(currency) {
                *balances.entry(account.id).or_default() += credit;
            }
        }
    }
    for withdrawal in withdrawals(conn)? {
        if let Some(account) = catalog::main_account(withdrawal.currency) {
            *balances.entry(account.id).or_default() -= withdrawal.amount;
        }
    }
    Ok(balances)
}

fn balance(conn: &Connection, account: &LedgerAccount) -> rusqlite::Result<Decimal> {
    Ok(balances(conn)?.get(account.id).copied().unwrap_or_default())
}

// ---- accounts ---------------------------------------------------------------------

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

// ---- withdrawals ------------------------------------------------------------------

/// A withdrawal to the merchant's own payout setting, as stored.
pub(crate) struct Withdrawal {
    id: i64,
    currency: &'static Currency,
    amount: Decimal,
    status: String,
    created_at: i64,
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
struct PlatformJson {
    id: i64,
    title: &'static str,
    id_name: &'static str,
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
fn withdrawals(conn: &Connection) -> rusqlite::Result<Vec<Withdrawal>> {
    WITHDRAWALS_TABLE.newest_first(conn)
}

fn find_withdrawal(conn: &Connection, id: i64) -> rusqlite::Result<Option<Withdrawal>> {
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

/// The owner withdraws from a main account in the dashboard: `pending` until
/// [`complete_withdrawal`]. The balance drops at once.
pub(crate) fn create_withdrawal(
    conn: &mut Connection,
    symbol: &str,
    amount: Decimal,
) -> Result<Withdrawal, ActionError> {
    let currency = catalog::currency_by_symbol(symbol)
        .filter(|currency| catalog::payout_setting_for(currency).is_some())
        .ok_or_else(|| {
            ActionError::Invalid(format!(
                "currency must be one with a payout setting (BTC, ETH, LTC, EUR, USD); got '{symbol}'."
            ))
        })?;
    let account = catalog::main_account(currency).expect("payout currencies have a main account");
    if amount <= Decimal::ZERO || amount.normalize().scale() > currency.places() {
        return Err(ActionError::Invalid(format!(
            "amount must be more than 0 with at most {} decimal places.",
            currency.places()
        )));
    }
    let tx = conn.transaction()?;
    let available = balance(&tx, account)?;
    if amount > available {
        return Err(ActionError::Invalid(format!(
            "The amount {amount} {symbol} is more than the {} balance of {available} {symbol}.",
            account.title,
            symbol = currency.symbol
        )));
    }
    tx.execute(
        "INSERT INTO coingate_withdrawals (currency, amount, status, created_at)
         VALUES (?1, ?2, 'pending', ?3)",
        params![currency.symbol, amount.to_string(), now()],
    )?;
    let withdrawal =
        find_withdrawal(&tx, tx.last_insert_rowid())?.expect("the withdrawal was just inserted");
    tx.commit()?;
    Ok(withdrawal)
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

// ---- send requests ----------------------------------------------------------------

/// CoinGate's service and conversion fees on a send request, as its example
/// shows them: 1% each of the balance debit.
const SEND_FEE: Decimal = dec!(0.01);

/// A send request as stored.
struct SendRequest {
    id: i64,
    account: &'static LedgerAccount,
    payout: &'static BeneficiaryPayoutSetting,
    input_amount: Decimal,
    input_currency: &'static Currency,
    purpose: String,
    external_id: Option<String>,
    callback_url: Option<String>,
    status: String,
    created_at_ms: i64,
}

/// The amounts a send request moves, from the fixed rates.
struct Figures {
    input_to_sending_rate: Decimal,
    sending_amount: Decimal,
    sending_to_balance_debit_rate: Decimal,
    balance_debit_amount: Decimal,
    service_fee: Decimal,
    conversion_fee: Decimal,
}

/// As the reference example reads: `input_to_sending_rate` is sending units
/// per input unit, `sending_to_balance_debit_rate` sending units per balance
/// unit, and the fees are in the balance currency on top of the debit.
fn figures(
    input_amount: Decimal,
    input: &'static Currency,
    sending: &'static Currency,
    balance: &'static Currency,
) -> Option<Figures> {
    let sending_amount = catalog::convert(input_amount, input, sending)?;
    let balance_debit_amount = catalog::convert(sending_amount, sending, balance)?;
    let fee = balance.round(balance_debit_amount * SEND_FEE);
    Some(Figures {
        input_to_sending_rate: catalog::quoted_rate(input, sending)?,
        sending_amount,
        sending_to_balance_debit_rate: catalog::quoted_rate(balance, sending)?,
        balance_debit_amount,
        service_fee: fee,
        conversion_fee: if sending.id == balance.id {
            Decimal::ZERO
        } else {
            fee
        },
    })
}

#[derive(Serialize)]
struct KindCurrency {
    id: i64,
    title: &'static str,
    kind: &'static str,
    symbol: &'static str,
}

impl From<&'static Currency> for KindCurrency {
    fn from(currency: &'static Currency) -> Self {
        KindCurrency {
            id: currency.id,
            title: currency.title,
            kind: currency.kind.as_str(),
            symbol: currency.symbol,
        }
    }
}

#[derive(Serialize)]
struct SendLedgerAccount {
    id: &'static str,
    balance: String,
    status: &'static str,
    currency: CurrencyShort,
}

#[derive(Serialize)]
struct BeneficiaryPayoutSettingJson {
    id: i64,
    created_at: &'static str,
    beneficiary_id: i64,
    platform: Option<PlatformJson>,
    crypto_address: &'static str,
    crypto_address_metadata: Option<String>,
    currency: KindCurrency,
}

#[derive(Serialize)]
struct Fee {
    amount: String,
    currency: KindCurrency,
}

#[derive(Serialize)]
struct SendFees {
    service_fee: Fee,
    conversion_fee: Fee,
}

#[derive(Serialize)]
struct Actions {
    confirm: String,
    cancel: String,
}

/// The documented send request, field for field.
#[derive(Serialize)]
struct SendRequestJson {
    id: i64,
    status: String,
    purpose: String,
    callback_url: Option<String>,
    created_at: String,
    external_id: Option<String>,
    ledger_account: SendLedgerAccount,
    input_amount: String,
    input_currency: KindCurrency,
    sending_amount: String,
    sending_currency: KindCurrency,
    input_to_sending_rate: String,
    sending_to_balance_debit_rate: String,
    balance_debit_amount: String,
    balance_debit_currency: KindCurrency,
    beneficiary_payout_setting: BeneficiaryPayoutSettingJson,
    fees: SendFees,
    blockchain_transactions: Vec<()>,
    actions_required: Actions,
    requires_2fa_confirmation: bool,
}

impl SendRequest {
    fn to_json(&self, balance: Decimal, base_url: &str) -> SendRequestJson {
        let sending = self.payout.currency();
        let balance_currency = self.account.currency();
        let figures = figures(
            self.input_amount,
            self.input_currency,
            sending,
            balance_currency,
        )
        .expect("amounts are checked when the send request is made");
        let link =
            |action: &str| format!("{base_url}/coingate/v2/send_requests/{}/{action}", self.id);
        SendRequestJson {
            id: self.id,
            status: self.status.clone(),
            purpose: self.purpose.clone(),
            callback_url: self.callback_url.clone(),
            created_at: time_ms(self.created_at_ms),
            external_id: self.external_id.clone(),
            ledger_account: SendLedgerAccount {
                id: self.account.id,
                balance: amount(balance),
                status: "active",
                currency: CurrencyShort::from(balance_currency),
            },
            input_amount: amount(self.input_amount),
            input_currency: KindCurrency::from(self.input_currency),
            sending_amount: amount(figures.sending_amount),
            sending_currency: KindCurrency::from(sending),
            input_to_sending_rate: amount(figures.input_to_sending_rate),
            sending_to_balance_debit_rate: amount(figures.sending_to_balance_debit_rate),
            balance_debit_amount: amount(figures.balance_debit_amount),
            balance_debit_currency: KindCurrency::from(balance_currency),
            beneficiary_payout_setting: BeneficiaryPayoutSettingJson {
                id: self.payout.id,
                created_at: self.payout.created_at,
                beneficiary_id: self.payout.beneficiary_id,
                platform: sending.platform.as_ref().map(|platform| PlatformJson {
                    id: platform.id,
                    title: platform.title,
                    id_name: platform.id_name,
                }),
                crypto_address: self.payout.crypto_address,
                crypto_address_metadata: None,
                currency: KindCurrency::from(sending),
            },
            fees: SendFees {
                service_fee: Fee {
                    amount: amount(figures.service_fee),
                    currency: KindCurrency::from(balance_currency),
                },
                conversion_fee: Fee {
                    amount: amount(figures.conversion_fee),
                    currency: KindCurrency::from(balance_currency),
                },
            },
            blockchain_transactions: Vec::new(),
            actions_required: Actions {
                confirm: link("confirm"),
                cancel: link("cancel"),
            },
            requires_2fa_confirmation: true,
        }
    }
}

fn send_request_from_row(row: &Row) -> rusqlite::Result<SendRequest> {
    let account: String = row.get(1)?;
    let payout: i64 = row.get(2)?;
    let currency: String = row.get(4)?;
    Ok(SendRequest {
        id: row.get(0)?,
        account: catalog::ledger_account(&account)
            .ok_or_else(|| conversion_error(1, format!("unknown ledger account '{account}'")))?,
        payout: catalog::beneficiary_payout_setting(payout)
            .ok_or_else(|| conversion_error(2, format!("unknown payout setting {payout}")))?,
        input_amount: decimal_column(row, 3)?,
        input_currency: catalog::currency_by_symbol(&currency)
            .ok_or_else(|| conversion_error(4, format!("unknown currency '{currency}'")))?,
        purpose: row.get(5)?,
        external_id: row.get(6)?,
        callback_url: row.get(7)?,
        status: row.get(8)?,
        created_at_ms: row.get(9)?,
    })
}

const SEND_REQUESTS_TABLE: Table<SendRequest> = Table {
    name: "coingate_send_requests",
    columns: "id, ledger_account_id, payout_setting_id, amount, amount_currency, purpose, \
              external_id, callback_url, status, created_at_ms",
    from_row: send_request_from_row,
};

fn find_send_request(conn: &Connection, id: i64) -> rusqlite::Result<Option<SendRequest>> {
    SEND_REQUESTS_TABLE.find(conn, id)
}

fn send_request_not_valid(errors: Vec<String>) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "SendRequest is not valid",
        "SendRequestIsNotValid",
    )
    .with_errors(errors)
}

fn send_request_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "Send request not found",
        "SendRequestNotFound",
    )
}

/// A checked create request, not yet checked against the balance.
struct NewSendRequest {
    account: &'static LedgerAccount,
    payout: &'static BeneficiaryPayoutSetting,
    amount: Decimal,
    currency: &'static Currency,
    purpose: String,
    external_id: Option<String>,
    callback_url: Option<String>,
}

fn read_send_request(params: &Params) -> Result<NewSendRequest, ApiError> {
    let mut errors = Vec::new();
    let account = match params.text("ledger_account_id") {
        None => {
            errors.push("Ledger account can't be blank".to_owned());
            None
        }
        Some(id) => {
            let account = catalog::ledger_account(id);
            if account.is_none() {
                errors.push("Ledger account is invalid".to_owned());
            }
            account
        }
    };
    let payout = match params.text("beneficiary_payout_setting_id") {
        None => {
            errors.push("Beneficiary payout setting can't be blank".to_owned());
            None
        }
        Some(id) => {
            let payout = id
                .parse()
                .ok()
                .and_then(catalog::beneficiary_payout_setting);
            if payout.is_none() {
                errors.push("Beneficiary payout setting is invalid".to_owned());
            }
            payout
        }
    };
    let amount = match params
        .text("amount")
        .map(|text| (text, parse_decimal(text)))
    {
        None => {
            errors.push("Amount can't be blank".to_owned());
            None
        }
        Some((_, None)) => {
            errors.push("Amount is not a number".to_owned());
            None
        }
        Some((_, Some(amount))) if amount <= Decimal::ZERO => {
            errors.push("Amount must be greater than 0".to_owned());
            None
        }
        Some((_, Some(amount))) => Some(amount),
    };
    let currency = match params.text("amount_currency_id") {
        None => {
            errors.push("Amount currency can't be blank".to_owned());
            None
        }
        Some(id) => {
            let currency = id.parse().ok().and_then(catalog::currency_by_id);
            if currency.is_none() {
                errors.push("Amount currency is invalid".to_owned());
            }
            currency
        }
    };
    let purpose = params.text("purpose").map(str::to_owned);
    if purpose.is_none() {
        errors.push("Purpose can't be blank".to_owned());
    }
    let external_id = params.text("external_id").map(str::to_owned);
    if external_id
        .as_ref()
        .is_some_and(|id| id.chars().count() > 50)
    {
        errors.push("External id is too long (maximum is 50 characters)".to_owned());
    }
    match (account, payout, amount, currency, purpose) {
        (Some(account), Some(payout), Some(amount), Some(currency), Some(purpose))
            if errors.is_empty() =>
        {
            Ok(NewSendRequest {
                account,
                payout,
                amount,
                currency,
                purpose,
                external_id,
                callback_url: params.text("callback_url").map(str::to_owned),
            })
        }
        _ => Err(send_request_not_valid(errors)),
    }
}

fn insert_send_request(conn: &mut Connection, new: NewSendRequest) -> Result<i64, ApiError> {
    let tx = conn.transaction()?;
    let mut errors = Vec::new();
    if let Some(external_id) = &new.external_id {
        let taken: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM coingate_send_requests WHERE external_id = ?1)",
            [external_id],
            |row| row.get(0),
        )?;
        if taken {
            errors.push("External id has already been taken".to_owned());
        }
    }
    let balance_currency = new.account.currency();
    match figures(
        new.amount,
        new.currency,
        new.payout.currency(),
        balance_currency,
    ) {
        Some(figures) if !figures.sending_amount.is_zero() => {
            let needed =
                figures.balance_debit_amount + figures.service_fee + figures.conversion_fee;
            if needed > balance(&tx, new.account)? {
                errors.push("Ledger account balance is insufficient".to_owned());
            }
        }
        _ => errors.push("Amount is too small to send".to_owned()),
    }
    if !errors.is_empty() {
        return Err(send_request_not_valid(errors));
    }
    tx.execute(
        "INSERT INTO coingate_send_requests (ledger_account_id, payout_setting_id, amount,
             amount_currency, purpose, external_id, callback_url, status, created_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'draft', ?8)",
        params![
            new.account.id,
            new.payout.id,
            new.amount.to_string(),
            new.currency.symbol,
            new.purpose,
            new.external_id,
            new.callback_url,
            chrono::Utc::now().timestamp_millis(),
        ],
    )?;
    let id = tx.last_insert_rowid();
    tx.commit()?;
    Ok(id)
}

/// The send request and its account's balance now.
fn send_request_with_balance(
    conn: &Connection,
    id: i64,
) -> Result<(SendRequest, Decimal), ApiError> {
    let request = find_send_request(conn, id)?.ok_or_else(send_request_not_found)?;
    let balance = balance(conn, request.account)?;
    Ok((request, balance))
}

/// `POST /send_requests`: answers a `draft` (gateways.md: "needs
/// confirmation (2FA) in the dashboard").
pub(crate) async fn create_send_request(
    State(sandbox): State<Arc<Sandbox>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let params = Params::from_body(&headers, &body)?;
    let new = read_send_request(&params)?;
    let (request, balance) = sandbox
        .store
        .call(move |conn| {
            let id = insert_send_request(conn, new)?;
            send_request_with_balance(conn, id)
        })
        .await?;
    Ok(Json(request.to_json(balance, &sandbox.base_url)).into_response())
}

/// `GET /send_requests/{id}`.
pub(crate) async fn get_send_request(
    State(sandbox): State<Arc<Sandbox>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: i64 = id.parse().map_err(|_| send_request_not_found())?;
    let (request, balance) = sandbox
        .store
        .call(move |conn| send_request_with_balance(conn, id))
        .await?;
    Ok(Json(request.to_json(balance, &sandbox.base_url)).into_response())
}

/// `GET /send_requests?page=&per_page=`, newest first.
pub(crate) async fn list_send_requests(
    State(sandbox): State<Arc<Sandbox>>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let paging = Paging::from_params(&params)?;
    let (all, balances) = sandbox
        .store
        .call(|conn| {
            Ok::<_, rusqlite::Error>((SEND_REQUESTS_TABLE.newest_first(conn)?, balances(conn)?))
        })
        .await?;
    Ok(Page::of(SEND_REQUESTS, all, paging)
        .map(|request| request.to_json(balances[request.account.id], &sandbox.base_url))
        .into_response())
}

/// `PATCH /send_requests/{id}/confirm`: the sandbox has no second factor to
/// confirm with, so the draft stays a draft.
pub(crate) async fn confirm_send_request(
    State(sandbox): State<Arc<Sandbox>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: i64 = id.parse().map_err(|_| send_request_not_found())?;
    sandbox
        .store
        .call(move |conn| find_send_request(conn, id))
        .await?
        .ok_or_else(send_request_not_found)?;
    Err(send_request_not_valid(vec![
        "Confirm this send request with two-factor authentication in the CoinGate dashboard; \
         the sandbox has no dashboard, so it stays a draft"
            .to_owned(),
    ]))
}

/// `PATCH /send_requests/{id}/cancel`.
pub(crate) async fn cancel_send_request(
    State(sandbox): State<Arc<Sandbox>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: i64 = id.parse().map_err(|_| send_request_not_found())?;
    let (request, balance) = sandbox
        .store
        .call(move |conn| {
            conn.execute(
                "UPDATE coingate_send_requests SET status = 'canceled' WHERE id = ?1",
                [id],
            )?;
            send_request_with_balance(conn, id)
        })
        .await?;
    Ok(Json(request.to_json(balance, &sandbox.base_url)).into_response())
}
