//! Send requests: drafts of a payout that move nothing until the owner
//! confirms them with 2FA in the dashboard (gateways.md), which the sandbox
//! does not have.

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

use super::balances::{balance, balances};
use super::withdrawals::PlatformJson;
use crate::coingate::catalog::{self, BeneficiaryPayoutSetting, Currency, LedgerAccount};
use crate::coingate::orders::CurrencyShort;
use crate::coingate::page::{Page, Paging, SEND_REQUESTS};
use crate::coingate::wire::{amount, time_ms, ApiError, Params};
use crate::json::parse_decimal;
use crate::state::Sandbox;
use crate::store::{conversion_error, decimal_column, Table};

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
    pub(super) fn to_json(&self, balance: Decimal, base_url: &str) -> SendRequestJson {
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

/// The `{id}` of a send request's path: one that is not a number is one
/// CoinGate does not know.
fn send_request_id(id: &str) -> Result<i64, ApiError> {
    id.parse().map_err(|_| send_request_not_found())
}

/// Runs `change` on the send request at `id`, then answers it as it now
/// stands, with its account's balance; the `GET` and `PATCH` routes of one
/// request answer alike.
async fn answer_send_request(
    sandbox: &Sandbox,
    id: &str,
    change: impl FnOnce(&Connection, i64) -> rusqlite::Result<()> + Send + 'static,
) -> Result<Response, ApiError> {
    let id = send_request_id(id)?;
    let (request, balance) = sandbox
        .store
        .call(move |conn| {
            change(conn, id)?;
            send_request_with_balance(conn, id)
        })
        .await?;
    Ok(Json(request.to_json(balance, &sandbox.base_url)).into_response())
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
    answer_send_request(&sandbox, &id, |_, _| Ok(())).await
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
    let id = send_request_id(&id)?;
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
    answer_send_request(&sandbox, &id, |conn, id| {
        conn.execute(
            "UPDATE coingate_send_requests SET status = 'canceled' WHERE id = ?1",
            [id],
        )
        .map(drop)
    })
    .await
}
