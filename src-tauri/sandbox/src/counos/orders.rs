//! `terminal/order`: orders, their payments, and how they are written.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use rusqlite::{params, Connection, OptionalExtension, Row};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::tickers::Ticker;
use super::wire::{require_json, success, ApiError};
use crate::json::{at_least_8_places, decimal, number, text_or_number, timestamp};
use crate::market::{self, new_transaction_id, Coin};
use crate::state::ActionError;
use crate::state::Sandbox;
use crate::store::{coin_column, decimal_column, now};

/// An order as stored.
pub(crate) struct Order {
    id: i64,
    merchant_order_id: String,
    coin: &'static Coin,
    expected_amount: Decimal,
    paid_amount: Decimal,
    payment_confirmations: u32,
    order_address: String,
    transaction_id: Option<String>,
    created_at: i64,
    updated_at: i64,
    expire_at: i64,
}

/// The sandbox's one terminal, as orders name it.
#[derive(Serialize)]
struct Terminal {
    id: i64,
    title: &'static str,
}

const TERMINAL: Terminal = Terminal {
    id: 1,
    title: "Cryptill sandbox terminal",
};

/// An order on the wire, with the field names of gateways.md.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OrderJson {
    id: i64,
    merchant_order_id: String,
    expected_amount: Box<RawValue>,
    /// A string on purpose: gateways.md says `paidAmount` "may arrive as
    /// number or string", and the string is the form clients forget.
    paid_amount: String,
    payment_confirmations: u32,
    expected_confirmations: u32,
    order_address: String,
    payment_uri_qr_code: String,
    transaction_id: Option<String>,
    paid: bool,
    terminal: Terminal,
    created_at: String,
    updated_at: String,
    /// gateways.md leaves this field's name unpublished; clients look for an
    /// `expire*` field and must cope without one (`Config::counos_expiry_field`).
    #[serde(skip_serializing_if = "Option::is_none")]
    expire_at: Option<String>,
    ticker: Ticker,
}

impl OrderJson {
    /// The order as a dialect route sends it: without its expiry field when
    /// the sandbox is set to leave it out.
    pub(crate) fn expiry_if(mut self, shown: bool) -> Self {
        if !shown {
            self.expire_at = None;
        }
        self
    }
}

impl Order {
    /// gateways.md: "`paid` turns true once paid in full with enough
    /// confirmations".
    fn is_paid(&self) -> bool {
        self.paid_amount >= self.expected_amount
            && self.payment_confirmations >= self.coin.confirmations
    }

    pub(crate) fn to_json(&self) -> OrderJson {
        OrderJson {
            id: self.id,
            merchant_order_id: self.merchant_order_id.clone(),
            expected_amount: number(self.expected_amount),
            paid_amount: at_least_8_places(self.paid_amount).to_string(),
            payment_confirmations: self.payment_confirmations,
            expected_confirmations: self.coin.confirmations,
            order_address: self.order_address.clone(),
            payment_uri_qr_code: self
                .coin
                .payment_uri(&self.order_address, self.expected_amount)
                .expect("amounts are checked when the order is created"),
            transaction_id: self.transaction_id.clone(),
            paid: self.is_paid(),
            terminal: TERMINAL,
            created_at: timestamp(self.created_at),
            updated_at: timestamp(self.updated_at),
            expire_at: Some(timestamp(self.expire_at)),
            ticker: Ticker::from(self.coin),
        }
    }
}

// ---- storage ----------------------------------------------------------------

const COLUMNS: &str = "id, merchant_order_id, keyword, expected_amount, paid_amount, \
                       payment_confirmations, order_address, transaction_id, \
                       created_at, updated_at, expire_at";

fn order_from_row(row: &Row) -> rusqlite::Result<Order> {
    Ok(Order {
        id: row.get(0)?,
        merchant_order_id: row.get(1)?,
        coin: coin_column(row, 2)?,
        expected_amount: decimal_column(row, 3)?,
        paid_amount: decimal_column(row, 4)?,
        payment_confirmations: row.get(5)?,
        order_address: row.get(6)?,
        transaction_id: row.get(7)?,
        created_at: row.get(8)?,
        updated_at: row.get(9)?,
        expire_at: row.get(10)?,
    })
}

fn find(conn: &Connection, merchant_order_id: &str) -> rusqlite::Result<Option<Order>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM counos_orders WHERE merchant_order_id = ?1"),
        [merchant_order_id],
        order_from_row,
    )
    .optional()
}

/// All orders of one coin, for balances.
pub(crate) fn paid_amounts(conn: &Connection, coin: &Coin) -> rusqlite::Result<Vec<Decimal>> {
    let mut statement = conn.prepare("SELECT paid_amount FROM counos_orders WHERE keyword = ?1")?;
    let amounts = statement.query_map([coin.keyword], |row| decimal_column(row, 0))?;
    amounts.collect()
}

struct NewOrder {
    merchant_order_id: String,
    coin: &'static Coin,
    expected_amount: Decimal,
    renew: bool,
}

/// gateways.md: `renew: false` with a used orderId returns the existing order
/// unchanged ("this is what makes a retry safe"); `renew: true` deletes it and
/// creates it again; for a new orderId `renew` has no effect.
fn create(conn: &mut Connection, new: NewOrder, ttl_seconds: i64) -> rusqlite::Result<Order> {
    let tx = conn.transaction()?;
    if let Some(existing) = find(&tx, &new.merchant_order_id)? {
        if !new.renew {
            return Ok(existing);
        }
        tx.execute(
            "DELETE FROM counos_orders WHERE merchant_order_id = ?1",
            [&new.merchant_order_id],
        )?;
    }
    let created_at = now();
    tx.execute(
        "INSERT INTO counos_orders (merchant_order_id, keyword, expected_amount, paid_amount,
             payment_confirmations, order_address, transaction_id, created_at, updated_at, expire_at)
         VALUES (?1, ?2, ?3, '0', 0, ?4, NULL, ?5, ?5, ?6)",
        params![
            new.merchant_order_id,
            new.coin.keyword,
            new.expected_amount.to_string(),
            new.coin.new_address(),
            created_at,
            created_at.saturating_add(ttl_seconds),
        ],
    )?;
    let order = find(&tx, &new.merchant_order_id)?.expect("the order was just inserted");
    tx.commit()?;
    Ok(order)
}

// ---- Counos calls -------------------------------------------------------------

#[derive(Deserialize)]
struct NewOrderBody<'a> {
    #[serde(rename = "orderId", borrow, default)]
    order_id: Option<&'a RawValue>,
    #[serde(rename = "tickerId", default)]
    ticker_id: Option<i64>,
    #[serde(rename = "expectedAmount", borrow, default)]
    expected_amount: Option<&'a RawValue>,
    #[serde(default)]
    renew: bool,
}

/// `POST terminal/order`.
pub(crate) async fn create_order(
    State(sandbox): State<Arc<Sandbox>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    require_json(&headers)?;
    let new = read_new_order(&body)?;
    let ttl_seconds = ttl_seconds(&sandbox);
    let order = sandbox
        .store
        .call(move |conn| create(conn, new, ttl_seconds))
        .await?;
    Ok(success(
        "Success",
        order
            .to_json()
            .expiry_if(sandbox.config.counos_expiry_field),
    ))
}

/// Whole seconds, rounded up; capped so that `expireAt` stays a valid date.
fn ttl_seconds(sandbox: &Sandbox) -> i64 {
    const CENTURY: u64 = 100 * 366 * 24 * 60 * 60;
    let ttl = sandbox.config.order_ttl;
    let seconds = ttl.as_secs() + u64::from(ttl.subsec_nanos() > 0);
    i64::try_from(seconds.min(CENTURY)).expect("a century of seconds fits in i64")
}

fn read_new_order(body: &[u8]) -> Result<NewOrder, ApiError> {
    let body: NewOrderBody = serde_json::from_slice(body).map_err(|err| {
        ApiError::bad_request(format!("The order request is not valid JSON: {err}."))
    })?;

    let merchant_order_id = body.order_id.ok_or_else(|| {
        ApiError::bad_request("orderId is missing: send your own order id, such as \"inv-125\".")
    })?;
    let merchant_order_id = text_or_number(merchant_order_id)
        .ok_or_else(|| ApiError::bad_request("orderId must be a string or a number."))?;
    if merchant_order_id.trim().is_empty() {
        return Err(ApiError::bad_request("orderId must not be empty."));
    }
    // gateways.md, Round 2: the official PHP client declares orderId `int`.
    // The sandbox holds clients to the form valid under both readings:
    // digits only, below 2^53 (a JavaScript server keeps it exact).
    let digits = merchant_order_id.bytes().all(|b| b.is_ascii_digit());
    if !digits
        || merchant_order_id
            .parse::<u64>()
            .map_or(true, |n| n >= 1 << 53)
    {
        return Err(ApiError::bad_request(format!(
            "orderId must be a whole number below 2^53, such as 125; got '{merchant_order_id}'."
        )));
    }

    let ticker_id = body.ticker_id.ok_or_else(|| {
        ApiError::bad_request("tickerId is missing: use an id from terminal/tickers.")
    })?;
    let coin = market::coin_by_ticker_id(ticker_id).ok_or_else(|| {
        ApiError::bad_request(format!(
            "Unknown tickerId {ticker_id}: use an id from terminal/tickers."
        ))
    })?;
    if !coin.enabled {
        return Err(ApiError::bad_request(format!(
            "{} (tickerId {ticker_id}) is not enabled for this terminal.",
            coin.title
        )));
    }

    let expected_amount = body
        .expected_amount
        .ok_or_else(|| ApiError::bad_request("expectedAmount is missing."))?;
    let expected_amount = decimal(expected_amount).ok_or_else(|| {
        ApiError::bad_request(format!(
            "expectedAmount must be a number, such as 0.0002; got {}.",
            expected_amount.get()
        ))
    })?;
    if expected_amount <= Decimal::ZERO {
        return Err(ApiError::bad_request(
            "expectedAmount must be greater than zero.",
        ));
    }
    coin.check_precision("expectedAmount", expected_amount)
        .map_err(ApiError::bad_request)?;
    if coin.payment_uri("", expected_amount).is_none() {
        return Err(ApiError::bad_request("expectedAmount is too large."));
    }

    Ok(NewOrder {
        merchant_order_id,
        coin,
        expected_amount,
        renew: body.renew,
    })
}

/// `GET terminal/order/{orderId}`.
pub(crate) async fn get_order(
    State(sandbox): State<Arc<Sandbox>>,
    Path(merchant_order_id): Path<String>,
) -> Result<Response, ApiError> {
    let order = sandbox
        .store
        .call(move |conn| find(conn, &merchant_order_id))
        .await?;
    let order = order.ok_or_else(|| ApiError::not_found("Order not found"))?;
    Ok(success(
        "Success",
        order
            .to_json()
            .expiry_if(sandbox.config.counos_expiry_field),
    ))
}

// ---- what the gateway does on its own, driven by /control -----------------

fn existing(conn: &Connection, merchant_order_id: &str) -> Result<Order, ActionError> {
    find(conn, merchant_order_id)?.ok_or(ActionError::NotFound)
}

/// A payment arrives. `amount` defaults to what is left to pay; the order's
/// confirmations become `confirmations`, by default enough to count as paid.
/// Expired orders take payments too: that is a late payment.
pub(crate) fn pay(
    conn: &mut Connection,
    merchant_order_id: &str,
    amount: Option<Decimal>,
    confirmations: Option<u32>,
) -> Result<Order, ActionError> {
    let tx = conn.transaction()?;
    let order = existing(&tx, merchant_order_id)?;
    let amount = match amount {
        Some(amount) => amount,
        None => order.expected_amount - order.paid_amount,
    };
    if amount <= Decimal::ZERO {
        return Err(ActionError::Invalid(
            "Nothing is left to pay on this order; give an amount to overpay it.".to_owned(),
        ));
    }
    order
        .coin
        .check_precision("amount", amount)
        .map_err(ActionError::Invalid)?;
    let paid_amount = order
        .paid_amount
        .checked_add(amount)
        .ok_or_else(|| ActionError::Invalid("The amount is too large.".to_owned()))?;
    tx.execute(
        "UPDATE counos_orders SET paid_amount = ?1, payment_confirmations = ?2,
             transaction_id = ?3, updated_at = ?4
         WHERE id = ?5",
        params![
            paid_amount.to_string(),
            confirmations.unwrap_or(order.coin.confirmations),
            new_transaction_id(),
            now(),
            order.id,
        ],
    )?;
    let order = existing(&tx, merchant_order_id)?;
    tx.commit()?;
    Ok(order)
}

/// The payment's confirmations change.
pub(crate) fn confirm(
    conn: &mut Connection,
    merchant_order_id: &str,
    confirmations: u32,
) -> Result<Order, ActionError> {
    let tx = conn.transaction()?;
    let order = existing(&tx, merchant_order_id)?;
    if order.transaction_id.is_none() {
        return Err(ActionError::Invalid(
            "This order has no payment to confirm yet; pay it first.".to_owned(),
        ));
    }
    tx.execute(
        "UPDATE counos_orders SET payment_confirmations = ?1, updated_at = ?2 WHERE id = ?3",
        params![confirmations, now(), order.id],
    )?;
    let order = existing(&tx, merchant_order_id)?;
    tx.commit()?;
    Ok(order)
}

/// The order's lifetime ends now.
pub(crate) fn expire(conn: &mut Connection, merchant_order_id: &str) -> Result<Order, ActionError> {
    let tx = conn.transaction()?;
    let order = existing(&tx, merchant_order_id)?;
    let now = now();
    tx.execute(
        "UPDATE counos_orders SET expire_at = ?1, updated_at = ?1 WHERE id = ?2",
        params![now, order.id],
    )?;
    let order = existing(&tx, merchant_order_id)?;
    tx.commit()?;
    Ok(order)
}

/// The order was made `seconds` earlier: `createdAt` and the expiry move back.
pub(crate) fn age(
    conn: &mut Connection,
    merchant_order_id: &str,
    seconds: i64,
) -> Result<Order, ActionError> {
    let tx = conn.transaction()?;
    let order = existing(&tx, merchant_order_id)?;
    tx.execute(
        "UPDATE counos_orders SET created_at = created_at - ?1, expire_at = expire_at - ?1
         WHERE id = ?2",
        params![seconds, order.id],
    )?;
    let order = existing(&tx, merchant_order_id)?;
    tx.commit()?;
    Ok(order)
}
