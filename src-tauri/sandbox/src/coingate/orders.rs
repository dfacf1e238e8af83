//! Orders: create, checkout, read, list, and what happens to them on their
//! own (payments, confirmations, expiry, shoppers cancelling, refunds).
//!
//! The statuses are gateways.md's nine. Expiry is evaluated when an order is
//! read: a `new` or `pending` order past its `expire_at` reads as `expired`,
//! as the real gateway's background job would have made it. An underpaid
//! `pending` order expires too (gateways.md: the shopper may top up "before
//! expiry"); a `confirming` one does not, its money is on its way.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{NaiveDate, NaiveTime};
use rand::distr::{Alphanumeric, SampleString};
use rand::Rng;
use rusqlite::{params, Connection, OptionalExtension, Row};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde::Serialize;

use super::catalog::{self, Currency, Kind};
use super::wire::{amount, amount_or_zero, page_of, paging, param, time, ApiError, Params};
use crate::json::parse_decimal;
use crate::market::{new_transaction_id, Coin};
use crate::state::ActionError;
use crate::state::Sandbox;
use crate::store::{conversion_error, decimal_column, now};

/// gateways.md's nine statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    New,
    Pending,
    Confirming,
    Paid,
    Invalid,
    Expired,
    Canceled,
    Refunded,
    PartiallyRefunded,
}

impl Status {
    const ALL: [Status; 9] = [
        Status::New,
        Status::Pending,
        Status::Confirming,
        Status::Paid,
        Status::Invalid,
        Status::Expired,
        Status::Canceled,
        Status::Refunded,
        Status::PartiallyRefunded,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Pending => "pending",
            Status::Confirming => "confirming",
            Status::Paid => "paid",
            Status::Invalid => "invalid",
            Status::Expired => "expired",
            Status::Canceled => "canceled",
            Status::Refunded => "refunded",
            Status::PartiallyRefunded => "partially_refunded",
        }
    }

    fn parse(text: &str) -> Option<Status> {
        Status::ALL
            .into_iter()
            .find(|status| status.as_str() == text)
    }

    /// Paid, and the merchant was credited (refunds debit it later).
    fn is_settled(self) -> bool {
        matches!(
            self,
            Status::Paid | Status::Refunded | Status::PartiallyRefunded
        )
    }
}

/// What the merchant is credited in.
#[derive(Clone, Copy)]
enum Receive {
    Currency(&'static Currency),
    /// gateways.md: `DO_NOT_CONVERT` keeps the coin the shopper paid with.
    DoNotConvert,
}

const DO_NOT_CONVERT: &str = "DO_NOT_CONVERT";

impl Receive {
    fn symbol(self) -> &'static str {
        match self {
            Receive::Currency(currency) => currency.symbol,
            Receive::DoNotConvert => DO_NOT_CONVERT,
        }
    }

    fn parse(text: &str) -> Option<Receive> {
        if text.eq_ignore_ascii_case(DO_NOT_CONVERT) {
            return Some(Receive::DoNotConvert);
        }
        catalog::currency_by_symbol(text)
            .filter(|currency| currency.merchant_receive())
            .map(Receive::Currency)
    }
}

/// The coin chosen at checkout, and what it asks for.
struct Checkout {
    currency: &'static Currency,
    coin: &'static Coin,
    pay_amount: Decimal,
    /// The price of one coin in the price currency.
    conversion_rate: Decimal,
    address: String,
}

struct Transaction {
    id: i64,
    txid: String,
    amount: Decimal,
    confirmations: u32,
}

struct Refund {
    id: i64,
    request_amount: Decimal,
    refund_amount: Decimal,
    address: String,
    created_at: i64,
}

/// An order as stored, with its transactions and refunds.
pub(crate) struct Order {
    id: i64,
    uuid: String,
    merchant_order_id: Option<String>,
    title: String,
    price_amount: Decimal,
    price_currency: &'static Currency,
    receive: Receive,
    token: String,
    /// As stored; [`Order::status_at`] applies expiry.
    status: Status,
    checkout: Option<Checkout>,
    created_at: i64,
    expire_at: i64,
    paid_at: Option<i64>,
    transactions: Vec<Transaction>,
    refunds: Vec<Refund>,
}

/// CoinGate's processing fee, as its paid examples show it: 1% of the price
/// in the settlement currency.
const PROCESSING_FEE: Decimal = dec!(0.01);

/// The API app orders are made through (`orderable_type` "ApiApp").
const API_APP_ID: i64 = 4207;

impl Order {
    /// The status a read sees at `now`.
    pub(crate) fn status_at(&self, now: i64) -> Status {
        match self.status {
            Status::New | Status::Pending if now >= self.expire_at => Status::Expired,
            status => status,
        }
    }

    fn received(&self) -> Decimal {
        self.transactions.iter().map(|tx| tx.amount).sum()
    }

    fn pay_amount(&self) -> Decimal {
        self.checkout
            .as_ref()
            .map_or(Decimal::ZERO, |checkout| checkout.pay_amount)
    }

    /// gateways.md: "`underpaid_amount`, `overpaid_amount` (in pay-currency
    /// units)": what is still missing. Round 2: every documented fresh
    /// (checked-out, unpaid) order carries `underpaid_amount == pay_amount`,
    /// so a client must not read it as a part payment. Before checkout there
    /// is nothing to pay yet: zero.
    fn underpaid(&self) -> Decimal {
        if self.checkout.is_none() {
            return Decimal::ZERO;
        }
        (self.pay_amount() - self.received()).max(Decimal::ZERO)
    }

    fn overpaid(&self) -> Decimal {
        if self.checkout.is_none() {
            return Decimal::ZERO;
        }
        (self.received() - self.pay_amount()).max(Decimal::ZERO)
    }

    fn all_confirmed(&self, coin: &Coin) -> bool {
        self.transactions
            .iter()
            .all(|tx| tx.confirmations >= coin.confirmations)
    }

    /// Where a pending or confirming order stands after its transactions
    /// changed.
    fn status_after_payment(&self) -> Status {
        let Some(checkout) = &self.checkout else {
            return self.status;
        };
        if self.received() < checkout.pay_amount {
            Status::Pending
        } else if self.all_confirmed(checkout.coin) {
            Status::Paid
        } else {
            Status::Confirming
        }
    }

    /// The currency the merchant is credited in.
    fn settlement(&self) -> Option<&'static Currency> {
        match self.receive {
            Receive::Currency(currency) => Some(currency),
            Receive::DoNotConvert => self.checkout.as_ref().map(|checkout| checkout.currency),
        }
    }

    /// The price in the settlement currency, before the fee.
    fn gross(&self) -> Option<Decimal> {
        let settlement = self.settlement()?;
        match self.receive {
            Receive::DoNotConvert => Some(self.pay_amount()),
            Receive::Currency(_) => {
                catalog::convert(self.price_amount, self.price_currency, settlement)
            }
        }
    }

    fn fee(&self) -> Option<Decimal> {
        let settlement = self.settlement()?;
        Some(settlement.round(self.gross()? * PROCESSING_FEE))
    }

    /// gateways.md's `receive_amount`: credited when paid, the price in the
    /// settlement currency less the processing fee.
    fn receive_amount(&self) -> Option<Decimal> {
        Some(self.gross()? - self.fee()?)
    }

    fn refunded(&self) -> Decimal {
        self.refunds
            .iter()
            .map(|refund| refund.request_amount)
            .sum()
    }

    /// What the order adds to the settlement currency's main ledger account:
    /// the receive amount once settled, less refunds in that currency.
    pub(crate) fn ledger_credit(&self, now: i64) -> Option<(&'static Currency, Decimal)> {
        if !self.status_at(now).is_settled() {
            return None;
        }
        let settlement = self.settlement()?;
        let refunded = self
            .refunds
            .iter()
            .filter_map(|refund| {
                catalog::convert(refund.request_amount, self.price_currency, settlement)
            })
            .sum::<Decimal>();
        Some((settlement, self.receive_amount()? - refunded))
    }

    /// Whether the shopper has money to ask back: paid to an order that did
    /// not complete, or paid more than asked. Not documented beyond "whether
    /// the shopper can request a refund"; this is the sandbox's reading.
    fn is_refundable(&self, status: Status) -> bool {
        let unfinished = matches!(status, Status::Expired | Status::Canceled | Status::Invalid);
        (unfinished && !self.received().is_zero()) || !self.overpaid().is_zero()
    }

    pub(crate) fn to_json(&self, now: i64, base_url: &str) -> OrderJson {
        let status = self.status_at(now);
        let checkout = self.checkout.as_ref();
        let settled = status.is_settled();
        let coin_ref = |currency: &'static Currency| CoinRef {
            id: currency.id,
            title: currency.title,
            symbol: currency.symbol,
            platform: currency.platform.as_ref().map(|platform| PlatformShort {
                id: platform.id,
                title: platform.title,
            }),
        };
        OrderJson {
            id: self.id,
            status: status.as_str(),
            title: self.title.clone(),
            do_not_convert: matches!(self.receive, Receive::DoNotConvert),
            orderable_type: "ApiApp",
            orderable_id: API_APP_ID,
            uuid: checkout.map(|_| self.uuid.clone()),
            payment_gateway: checkout.map(|_| "coingate"),
            price_currency: self.price_currency.symbol,
            price_amount: amount(self.price_amount),
            pay_currency: checkout.map(|checkout| checkout.currency.symbol),
            pay_amount: checkout.map(|checkout| amount(checkout.pay_amount)),
            lightning_network: false,
            receive_currency: self.receive.symbol(),
            receive_amount: match self.receive_amount() {
                Some(receive) if settled => amount_or_zero(receive),
                _ => "0".to_owned(),
            },
            created_at: time(self.created_at),
            expire_at: checkout.map(|_| time(self.expire_at)),
            // gateways.md / the callback reference: only for paid, refunded
            // or partially refunded orders.
            paid_at: self.paid_at.filter(|_| settled).map(time),
            payment_address: checkout.map(|checkout| checkout.address.clone()),
            order_id: self.merchant_order_id.clone().unwrap_or_default(),
            // Built from the sandbox's address now rather than stored: the
            // demo sandbox gets a new port each run, and the link must open.
            payment_url: format!("{base_url}/coingate/invoice/{}", self.uuid),
            payment_request_uri: checkout.map(|checkout| {
                checkout
                    .coin
                    .payment_uri(&checkout.address, checkout.pay_amount)
                    .expect("pay amounts are checked at checkout")
            }),
            underpaid_amount: amount_or_zero(self.underpaid()),
            overpaid_amount: amount_or_zero(self.overpaid()),
            is_refundable: self.is_refundable(status),
            conversion_rate: checkout.map(|checkout| amount(checkout.conversion_rate)),
            platform: checkout
                .and_then(|checkout| checkout.currency.platform.as_ref())
                .map(|platform| PlatformRef {
                    id: platform.id,
                    title: platform.title,
                    id_name: platform.id_name,
                }),
            refunds: self
                .refunds
                .iter()
                .filter_map(|refund| {
                    let currency = checkout?.currency;
                    let account = catalog::main_account(self.settlement()?)?;
                    Some(RefundJson {
                        id: refund.id,
                        request_amount: amount(refund.request_amount),
                        refund_amount: amount(refund.refund_amount),
                        address: refund.address.clone(),
                        status: "completed",
                        memo: None,
                        created_at: time(refund.created_at),
                        order: IdRef { id: self.id },
                        refund_currency: coin_ref(currency),
                        transactions: Vec::new(),
                        ledger_account: LedgerRef {
                            id: account.id,
                            currency: CurrencyShort::from(account.currency()),
                        },
                    })
                })
                .collect(),
            voids: Vec::new(),
            fees: match (settled, self.settlement(), self.fee()) {
                (true, Some(settlement), Some(fee)) => vec![FeeJson {
                    kind: "processing_fee",
                    amount: amount(fee),
                    currency: FeeCurrency {
                        id: settlement.id,
                        symbol: settlement.symbol,
                    },
                }],
                _ => Vec::new(),
            },
            token: None,
            blockchain_transactions: checkout
                .map(|checkout| {
                    self.transactions
                        .iter()
                        .map(|tx| TransactionJson {
                            id: tx.id,
                            txid: tx.txid.clone(),
                            amount: amount(tx.amount),
                            status: if tx.confirmations >= checkout.coin.confirmations {
                                "confirmed"
                            } else {
                                "confirming"
                            },
                            network_confirmations: tx.confirmations,
                            currency: coin_ref(checkout.currency),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

// ---- the order on the wire ------------------------------------------------------

/// Field names and order as CoinGate's create, checkout and get references
/// show them. Fields that exist only once a coin is chosen are left out until
/// then (the callback reference: "`pay_currency, pay_amount, expire_at,
/// payment_address` are only sent when the customer chooses the currency").
#[derive(Serialize)]
pub(crate) struct OrderJson {
    id: i64,
    status: &'static str,
    title: String,
    do_not_convert: bool,
    orderable_type: &'static str,
    orderable_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    uuid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_gateway: Option<&'static str>,
    price_currency: &'static str,
    price_amount: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pay_currency: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pay_amount: Option<String>,
    lightning_network: bool,
    receive_currency: &'static str,
    receive_amount: String,
    created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    expire_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    paid_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_address: Option<String>,
    order_id: String,
    payment_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_request_uri: Option<String>,
    underpaid_amount: String,
    overpaid_amount: String,
    is_refundable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    conversion_rate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    platform: Option<PlatformRef>,
    refunds: Vec<RefundJson>,
    voids: Vec<()>,
    fees: Vec<FeeJson>,
    /// Only in the create answer, as documented: the client keeps it to check
    /// callbacks against.
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
    blockchain_transactions: Vec<TransactionJson>,
}

#[derive(Serialize)]
struct PlatformRef {
    id: i64,
    title: &'static str,
    id_name: &'static str,
}

#[derive(Serialize)]
struct PlatformShort {
    id: i64,
    title: &'static str,
}

#[derive(Serialize)]
struct CoinRef {
    id: i64,
    title: &'static str,
    symbol: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    platform: Option<PlatformShort>,
}

#[derive(Serialize)]
pub(crate) struct CurrencyShort {
    id: i64,
    title: &'static str,
    symbol: &'static str,
}

impl From<&'static Currency> for CurrencyShort {
    fn from(currency: &'static Currency) -> Self {
        CurrencyShort {
            id: currency.id,
            title: currency.title,
            symbol: currency.symbol,
        }
    }
}

#[derive(Serialize)]
struct IdRef {
    id: i64,
}

#[derive(Serialize)]
struct LedgerRef {
    id: &'static str,
    currency: CurrencyShort,
}

#[derive(Serialize)]
struct RefundJson {
    id: i64,
    request_amount: String,
    refund_amount: String,
    address: String,
    status: &'static str,
    memo: Option<String>,
    created_at: String,
    order: IdRef,
    refund_currency: CoinRef,
    transactions: Vec<()>,
    ledger_account: LedgerRef,
}

#[derive(Serialize)]
struct FeeCurrency {
    id: i64,
    symbol: &'static str,
}

#[derive(Serialize)]
struct FeeJson {
    #[serde(rename = "type")]
    kind: &'static str,
    amount: String,
    currency: FeeCurrency,
}

#[derive(Serialize)]
struct TransactionJson {
    id: i64,
    txid: String,
    amount: String,
    status: &'static str,
    network_confirmations: u32,
    currency: CoinRef,
}

// ---- storage ----------------------------------------------------------------------

const COLUMNS: &str = "id, uuid, merchant_order_id, title, price_amount, price_currency, \
                       receive_currency, token, status, pay_currency, pay_amount, \
                       conversion_rate, payment_address, created_at, expire_at, paid_at";

fn currency_column(row: &Row, column: usize) -> rusqlite::Result<&'static Currency> {
    let symbol: String = row.get(column)?;
    catalog::currency_by_symbol(&symbol)
        .ok_or_else(|| conversion_error(column, format!("unknown currency '{symbol}'")))
}

fn order_from_row(row: &Row) -> rusqlite::Result<Order> {
    let receive: String = row.get(6)?;
    let status: String = row.get(8)?;
    let checkout = match row.get::<_, Option<String>>(9)? {
        None => None,
        Some(_) => {
            let currency = currency_column(row, 9)?;
            let coin = currency
                .coin()
                .ok_or_else(|| conversion_error(9, format!("'{}' is no coin", currency.symbol)))?;
            Some(Checkout {
                currency,
                coin,
                pay_amount: decimal_column(row, 10)?,
                conversion_rate: decimal_column(row, 11)?,
                address: row.get(12)?,
            })
        }
    };
    Ok(Order {
        id: row.get(0)?,
        uuid: row.get(1)?,
        merchant_order_id: row.get(2)?,
        title: row.get(3)?,
        price_amount: decimal_column(row, 4)?,
        price_currency: currency_column(row, 5)?,
        receive: Receive::parse(&receive)
            .ok_or_else(|| conversion_error(6, format!("unknown receive currency '{receive}'")))?,
        token: row.get(7)?,
        status: Status::parse(&status)
            .ok_or_else(|| conversion_error(8, format!("unknown status '{status}'")))?,
        checkout,
        created_at: row.get(13)?,
        expire_at: row.get(14)?,
        paid_at: row.get(15)?,
        transactions: Vec::new(),
        refunds: Vec::new(),
    })
}

fn transactions(
    conn: &Connection,
    order_id: Option<i64>,
) -> rusqlite::Result<Vec<(i64, Transaction)>> {
    let mut statement = conn.prepare(
        "SELECT order_id, id, txid, amount, confirmations FROM coingate_transactions
         WHERE ?1 IS NULL OR order_id = ?1 ORDER BY id",
    )?;
    let rows = statement.query_map([order_id], |row| {
        Ok((
            row.get(0)?,
            Transaction {
                id: row.get(1)?,
                txid: row.get(2)?,
                amount: decimal_column(row, 3)?,
                confirmations: row.get(4)?,
            },
        ))
    })?;
    rows.collect()
}

fn refunds(conn: &Connection, order_id: Option<i64>) -> rusqlite::Result<Vec<(i64, Refund)>> {
    let mut statement = conn.prepare(
        "SELECT order_id, id, request_amount, refund_amount, address, created_at
         FROM coingate_refunds WHERE ?1 IS NULL OR order_id = ?1 ORDER BY id",
    )?;
    let rows = statement.query_map([order_id], |row| {
        Ok((
            row.get(0)?,
            Refund {
                id: row.get(1)?,
                request_amount: decimal_column(row, 2)?,
                refund_amount: decimal_column(row, 3)?,
                address: row.get(4)?,
                created_at: row.get(5)?,
            },
        ))
    })?;
    rows.collect()
}

pub(crate) fn find(conn: &Connection, id: i64) -> rusqlite::Result<Option<Order>> {
    let order = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM coingate_orders WHERE id = ?1"),
            [id],
            order_from_row,
        )
        .optional()?;
    let Some(mut order) = order else {
        return Ok(None);
    };
    order.transactions = transactions(conn, Some(id))?
        .into_iter()
        .map(|(_, tx)| tx)
        .collect();
    order.refunds = refunds(conn, Some(id))?
        .into_iter()
        .map(|(_, refund)| refund)
        .collect();
    Ok(Some(order))
}

/// Every order, oldest first, with its transactions and refunds.
pub(crate) fn all(conn: &Connection) -> rusqlite::Result<Vec<Order>> {
    let mut statement = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM coingate_orders ORDER BY created_at, id"
    ))?;
    let mut orders = statement
        .query_map([], order_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut index = std::collections::HashMap::new();
    for (position, order) in orders.iter().enumerate() {
        index.insert(order.id, position);
    }
    for (order_id, tx) in transactions(conn, None)? {
        if let Some(&position) = index.get(&order_id) {
            orders[position].transactions.push(tx);
        }
    }
    for (order_id, refund) in refunds(conn, None)? {
        if let Some(&position) = index.get(&order_id) {
            orders[position].refunds.push(refund);
        }
    }
    Ok(orders)
}

/// Whole seconds, rounded up, capped so that times stay valid dates.
pub(crate) fn seconds(ttl: std::time::Duration) -> i64 {
    const CENTURY: u64 = 100 * 366 * 24 * 60 * 60;
    let seconds = ttl.as_secs() + u64::from(ttl.subsec_nanos() > 0);
    i64::try_from(seconds.min(CENTURY)).expect("a century of seconds fits in i64")
}

/// A UUID v4 in its usual text form, for the invoice link.
fn new_uuid() -> String {
    let mut bytes: [u8; 16] = rand::rng().random();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

// ---- create -----------------------------------------------------------------------

struct NewOrder {
    merchant_order_id: Option<String>,
    title: String,
    description: String,
    price_amount: Decimal,
    price_currency: &'static Currency,
    receive: Receive,
    callback_url: Option<String>,
    cancel_url: Option<String>,
    success_url: Option<String>,
    token: String,
    shopper: Option<String>,
}

/// The largest price the sandbox takes, so that every conversion stays far
/// inside a decimal's range.
const MAX_PRICE: Decimal = dec!(1000000000000);

/// Checks a create request the way CoinGate's 422 lists every problem at once,
/// in its Rails-style wording ("Price can't be blank").
fn read_new_order(params: &Params) -> Result<NewOrder, ApiError> {
    let mut errors = Vec::new();

    let price_amount = match params.text("price_amount") {
        None => {
            errors.push("Price amount can't be blank".to_owned());
            None
        }
        Some(text) => match parse_decimal(text) {
            None => {
                errors.push("Price amount is not a number".to_owned());
                None
            }
            Some(price) if price <= Decimal::ZERO => {
                errors.push("Price amount must be greater than 0".to_owned());
                None
            }
            Some(price) if price > MAX_PRICE => {
                errors.push(format!(
                    "Price amount must be less than or equal to {MAX_PRICE}"
                ));
                None
            }
            Some(price) => Some(price),
        },
    };

    let price_currency = match params.text("price_currency") {
        None => {
            errors.push("Price currency can't be blank".to_owned());
            None
        }
        Some(symbol) => {
            let currency = catalog::currency_by_symbol(symbol);
            if currency.is_none() {
                errors.push(format!("Price currency {symbol} is not supported"));
            }
            currency
        }
    };

    // gateways.md: "also send `receive_currency`". When it is left out the
    // sandbox settles in the price currency, or keeps the coin when it
    // cannot settle in that (a disabled coin).
    let receive = match params.text("receive_currency") {
        Some(symbol) => {
            let receive = Receive::parse(symbol);
            if receive.is_none() {
                errors.push(format!("Receive currency {symbol} is not supported"));
            }
            receive
        }
        None => price_currency.map(|currency| {
            if currency.merchant_receive() {
                Receive::Currency(currency)
            } else {
                Receive::DoNotConvert
            }
        }),
    };

    let title = sized_text(params, "title", "Title", 3, 150, &mut errors);
    let description = sized_text(params, "description", "Description", 3, 500, &mut errors);

    let mut url = |key: &str, name: &str| {
        let value = params.text(key)?;
        if value.starts_with("http://") || value.starts_with("https://") {
            Some(value.to_owned())
        } else {
            errors.push(format!("{name} is not a valid URL"));
            None
        }
    };
    let callback_url = url("callback_url", "Callback url");
    let cancel_url = url("cancel_url", "Cancel url");
    let success_url = url("success_url", "Success url");

    let shopper = params.nested("shopper");
    if let Some((_, kind)) = shopper.iter().find(|(field, _)| field == "type") {
        if kind != "business" && kind != "personal" {
            errors.push("Shopper type must be 'business' or 'personal'".to_owned());
        }
    }
    let shopper = (!shopper.is_empty()).then(|| {
        let object: serde_json::Map<String, serde_json::Value> = shopper
            .into_iter()
            .map(|(field, value)| (field, serde_json::Value::String(value)))
            .collect();
        serde_json::Value::Object(object).to_string()
    });

    match (price_amount, price_currency, receive, title, description) {
        (
            Some(price_amount),
            Some(price_currency),
            Some(receive),
            Some(title),
            Some(description),
        ) if errors.is_empty() => {
            Ok(NewOrder {
                merchant_order_id: params.text("order_id").map(str::to_owned),
                title,
                description,
                price_amount,
                price_currency,
                receive,
                callback_url,
                cancel_url,
                success_url,
                // gateways.md: `token` is the merchant's callback secret; one
                // is made up when none is sent, as the documented example
                // answers with one.
                token: params
                    .text("token")
                    .map(str::to_owned)
                    .unwrap_or_else(|| Alphanumeric.sample_string(&mut rand::rng(), 30)),
                shopper,
            })
        }
        _ => Err(ApiError::order_is_not_valid(errors)),
    }
}

/// A required text of `min..=max` characters.
fn sized_text(
    params: &Params,
    key: &str,
    name: &str,
    min: usize,
    max: usize,
    errors: &mut Vec<String>,
) -> Option<String> {
    let Some(text) = params.text(key) else {
        errors.push(format!("{name} can't be blank"));
        return None;
    };
    let length = text.chars().count();
    if length < min {
        errors.push(format!("{name} is too short (minimum is {min} characters)"));
        None
    } else if length > max {
        errors.push(format!("{name} is too long (maximum is {max} characters)"));
        None
    } else {
        Some(text.to_owned())
    }
}

/// gateways.md: "500 orders per hour per business (over it: 422
/// `OrderIsNotValid`, errors `["Order limit exceeded (contact support to
/// increase)"]`)". The sandbox counts the last 3600 seconds.
const ORDER_LIMIT_EXCEEDED: &str = "Order limit exceeded (contact support to increase)";

fn insert(
    conn: &mut Connection,
    new: NewOrder,
    per_hour: u32,
    new_ttl: i64,
) -> Result<Order, ApiError> {
    let tx = conn.transaction()?;
    let now = now();
    let recent: i64 = tx.query_row(
        "SELECT COUNT(*) FROM coingate_orders WHERE created_at > ?1",
        [now - 3600],
        |row| row.get(0),
    )?;
    if recent >= i64::from(per_hour) {
        return Err(ApiError::order_is_not_valid(vec![
            ORDER_LIMIT_EXCEEDED.to_owned()
        ]));
    }
    // gateways.md: "CoinGate does not de-duplicate `order_id`": every create
    // is a new order, whatever its order_id.
    tx.execute(
        "INSERT INTO coingate_orders (uuid, merchant_order_id, title, description, price_amount,
             price_currency, receive_currency, callback_url, cancel_url, success_url, token,
             shopper, status, created_at, expire_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'new', ?13, ?14)",
        params![
            new_uuid(),
            new.merchant_order_id,
            new.title,
            new.description,
            new.price_amount.to_string(),
            new.price_currency.symbol,
            new.receive.symbol(),
            new.callback_url,
            new.cancel_url,
            new.success_url,
            new.token,
            new.shopper,
            now,
            now.saturating_add(new_ttl),
        ],
    )?;
    let order = find(&tx, tx.last_insert_rowid())?.expect("the order was just inserted");
    tx.commit()?;
    Ok(order)
}

/// `POST /orders`, form-encoded (documented) or JSON.
pub(crate) async fn create_order(
    State(sandbox): State<Arc<Sandbox>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let params = Params::from_body(&headers, &body)?;
    let new = read_new_order(&params)?;
    let per_hour = sandbox.config.coingate_orders_per_hour;
    let new_ttl = seconds(sandbox.config.coingate_new_ttl);
    let order = sandbox
        .store
        .call(move |conn| insert(conn, new, per_hour, new_ttl))
        .await?;
    let mut json = order.to_json(now(), &sandbox.base_url);
    json.token = Some(order.token.clone());
    Ok(Json(json).into_response())
}

// ---- checkout ---------------------------------------------------------------------

/// A checkout the order can take: the coin, and what it asks for.
struct CheckoutPlan {
    currency: &'static Currency,
    pay_amount: Decimal,
    conversion_rate: Decimal,
    address: String,
}

/// Checks that the order can take `currency` now, and prices it: the price
/// converted at the table rate, to 8 places, to a new address.
fn plan_checkout(order: &Order, currency: &'static Currency) -> Result<CheckoutPlan, Vec<String>> {
    let status = order.status_at(now());
    let switchable = status == Status::Pending && order.transactions.is_empty();
    if status != Status::New && !switchable {
        return Err(vec![format!(
            "Order is {}: only a new order, or a pending one not yet paid, can be checked out",
            status.as_str()
        )]);
    }
    let coin = currency
        .coin()
        .expect("pay currencies are coins; checked before");
    let too_small = || {
        vec![format!(
            "Price amount is too small to pay in {}",
            currency.symbol
        )]
    };
    let conversion_rate =
        catalog::quoted_rate(currency, order.price_currency).ok_or_else(too_small)?;
    let pay_amount = catalog::convert(order.price_amount, order.price_currency, currency)
        .filter(|pay| *pay > Decimal::ZERO)
        .ok_or_else(too_small)?;
    let address = coin.new_address();
    if coin.payment_uri(&address, pay_amount).is_none() {
        return Err(too_small());
    }
    Ok(CheckoutPlan {
        currency,
        pay_amount,
        conversion_rate,
        address,
    })
}

/// The order becomes `pending` for `pending_ttl` from now.
fn save_checkout(
    conn: &Connection,
    id: i64,
    plan: &CheckoutPlan,
    pending_ttl: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE coingate_orders SET status = 'pending', pay_currency = ?1, pay_amount = ?2,
             conversion_rate = ?3, payment_address = ?4, expire_at = ?5
         WHERE id = ?6",
        params![
            plan.currency.symbol,
            plan.pay_amount.to_string(),
            plan.conversion_rate.to_string(),
            plan.address,
            now().saturating_add(pending_ttl),
            id,
        ],
    )?;
    Ok(())
}

/// The coin named by `pay_currency`, if shoppers may pay with it now.
fn pay_currency(symbol: &str) -> Result<&'static Currency, String> {
    let currency = catalog::currency_by_symbol(symbol)
        .filter(|currency| currency.kind == Kind::Crypto)
        .ok_or_else(|| format!("Pay currency {symbol} is not supported"))?;
    match currency.disabled_message {
        Some(message) => Err(format!(
            "Pay currency {} is disabled: {message}",
            currency.symbol
        )),
        None => Ok(currency),
    }
}

/// `POST /orders/{id}/checkout` with `pay_currency` and `platform_id`.
pub(crate) async fn checkout(
    State(sandbox): State<Arc<Sandbox>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    // gateways.md: "Only merchants that CoinGate has enabled may call it;
    // others get 422."
    if !sandbox.config.coingate_checkout_enabled {
        return Err(ApiError::order_is_not_valid(vec![
            "Checkout is not enabled for this merchant: contact CoinGate support to enable it, \
             or send the shopper to payment_url"
                .to_owned(),
        ]));
    }
    // The checkout reference documents an unknown order as 422 OrderNotFound
    // "Order does not exist" (unlike GET, which answers 404).
    let id: i64 = id.parse().map_err(|_| ApiError::order_does_not_exist())?;
    let params = Params::from_body(&headers, &body)?;

    let mut errors = Vec::new();
    let currency = match params.text("pay_currency") {
        None => {
            errors.push("Pay currency can't be blank".to_owned());
            None
        }
        Some(symbol) => pay_currency(symbol).map_err(|err| errors.push(err)).ok(),
    };
    match params.text("platform_id") {
        None => errors.push("Platform can't be blank".to_owned()),
        Some(text) => {
            let platform = currency.and_then(|currency| currency.platform.as_ref());
            let other = currency.and_then(|currency| {
                let id = text.parse::<i64>().ok()?;
                currency.other_platforms.iter().find(|p| p.id == id)
            });
            match (text.parse::<i64>(), currency, platform) {
                (Err(_), _, _) => errors.push(format!("Platform {text} is not valid")),
                (Ok(_), Some(currency), _) if other.is_some() => errors.push(format!(
                    "{} deposits on {} are suspended; choose another platform",
                    currency.symbol,
                    other.map_or("", |p| p.title)
                )),
                (Ok(id), Some(currency), Some(platform)) if id != platform.id => errors.push(
                    format!("Platform {id} is not available for {}", currency.symbol),
                ),
                _ => {}
            }
        }
    }
    let currency = match currency {
        Some(currency) if errors.is_empty() => currency,
        _ => return Err(ApiError::order_is_not_valid(errors)),
    };

    let pending_ttl = seconds(sandbox.config.coingate_pending_ttl);
    let order = sandbox
        .store
        .call(move |conn| {
            let tx = conn.transaction()?;
            let order = find(&tx, id)?.ok_or_else(ApiError::order_does_not_exist)?;
            let plan = plan_checkout(&order, currency).map_err(ApiError::order_is_not_valid)?;
            save_checkout(&tx, id, &plan, pending_ttl)?;
            let order = find(&tx, id)?.expect("the order exists");
            tx.commit()?;
            Ok::<_, ApiError>(order)
        })
        .await?;
    Ok(Json(order.to_json(now(), &sandbox.base_url)).into_response())
}

// ---- read -------------------------------------------------------------------------

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

#[derive(Serialize)]
struct OrderList {
    current_page: usize,
    per_page: usize,
    total_orders: usize,
    total_pages: usize,
    orders: Vec<OrderJson>,
}

/// `GET /orders?per_page=&page=&sort=&created_at[from]=&created_at[to]=
/// &status=` (and `paid_at[from]`/`[to]`, also documented).
pub(crate) async fn list_orders(
    State(sandbox): State<Arc<Sandbox>>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let (page, per_page) = paging(&params)?;
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
    let total_orders = orders.len();
    let (orders, total_pages) = page_of(orders, page, per_page);
    Ok(Json(OrderList {
        current_page: page,
        per_page,
        total_orders,
        total_pages,
        orders: orders
            .iter()
            .map(|order| order.to_json(now, &sandbox.base_url))
            .collect(),
    })
    .into_response())
}

/// `POST /orders/{id}/refunds`: the sandbox has no shoppers to confirm a
/// refund address by e-mail, so it refuses with the documented refund error
/// and says how to simulate one instead.
pub(crate) async fn create_refund(
    State(sandbox): State<Arc<Sandbox>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: i64 = id.parse().map_err(|_| ApiError::order_not_found())?;
    sandbox
        .store
        .call(move |conn| find(conn, id))
        .await?
        .ok_or_else(ApiError::order_not_found)?;
    Err(ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "Refund is not valid",
        "RefundIsNotValid",
    )
    .with_errors(vec![format!(
        "Refunds are not available in the Cryptill sandbox: simulate one with \
         POST /control/coingate/orders/{id}/refund"
    )]))
}

// ---- what the gateway does on its own, driven by /control --------------------------

fn existing(conn: &Connection, id: i64) -> Result<Order, ActionError> {
    find(conn, id)?.ok_or(ActionError::NotFound)
}

fn set_status(conn: &Connection, order: &Order, status: Status) -> rusqlite::Result<()> {
    let paid_at = match (status, order.paid_at) {
        (Status::Paid, None) => Some(now()),
        (_, paid_at) => paid_at,
    };
    conn.execute(
        "UPDATE coingate_orders SET status = ?1, paid_at = ?2 WHERE id = ?3",
        params![status.as_str(), paid_at, order.id],
    )?;
    Ok(())
}

/// What a control payment brings.
pub(crate) struct Payment {
    pub(crate) amount: Option<Decimal>,
    pub(crate) confirmations: Option<u32>,
    pub(crate) pay_currency: Option<String>,
}

/// A payment arrives. A `new` order is first checked out in `pay_currency`
/// (BTC by default), as a shopper does on the hosted invoice page, whether or
/// not the API checkout is enabled. `amount` defaults to what is left to pay;
/// `confirmations` to enough for the coin.
///
/// A payment to an expired, canceled or invalid order is recorded as a late
/// payment and changes no status: CoinGate does not complete such orders on
/// its own, and a till must not hand over goods for one; the shopper can ask
/// for the money back (`is_refundable` turns true).
pub(crate) fn pay(
    conn: &mut Connection,
    id: i64,
    payment: Payment,
    pending_ttl: i64,
) -> Result<Order, ActionError> {
    let tx = conn.transaction()?;
    let mut order = existing(&tx, id)?;
    let now = now();
    if order.status_at(now) == Status::New {
        let symbol = payment.pay_currency.as_deref().unwrap_or("BTC");
        let currency = pay_currency(symbol).map_err(ActionError::Invalid)?;
        let plan = plan_checkout(&order, currency)
            .map_err(|errors| ActionError::Invalid(errors.join("; ")))?;
        save_checkout(&tx, id, &plan, pending_ttl)?;
        order = existing(&tx, id)?;
    }
    let Some(checkout) = &order.checkout else {
        return Err(ActionError::Invalid(
            "This order expired before a coin was chosen: there is no address to pay to."
                .to_owned(),
        ));
    };
    if let Some(symbol) = &payment.pay_currency {
        if !checkout.currency.symbol.eq_ignore_ascii_case(symbol) {
            return Err(ActionError::Invalid(format!(
                "This order is paid in {}, not {symbol}.",
                checkout.currency.symbol
            )));
        }
    }
    let amount = match payment.amount {
        Some(amount) => amount,
        None => checkout.pay_amount - order.received(),
    };
    if amount <= Decimal::ZERO {
        return Err(ActionError::Invalid(
            "Nothing is left to pay on this order; give an amount to overpay it.".to_owned(),
        ));
    }
    if amount.normalize().scale() > checkout.currency.places() {
        return Err(ActionError::Invalid(format!(
            "amount has more than {} decimal places.",
            checkout.currency.places()
        )));
    }
    order
        .received()
        .checked_add(amount)
        .ok_or_else(|| ActionError::Invalid("The amount is too large.".to_owned()))?;
    tx.execute(
        "INSERT INTO coingate_transactions (order_id, txid, amount, confirmations, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            order.id,
            new_transaction_id(),
            amount.to_string(),
            payment.confirmations.unwrap_or(checkout.coin.confirmations),
            now,
        ],
    )?;
    let status = order.status_at(now);
    let order = existing(&tx, id)?;
    match status {
        Status::Pending | Status::Confirming => {
            set_status(&tx, &order, order.status_after_payment())?
        }
        // A lazily expired order becomes expired for good: its late payment
        // must not make it paid.
        Status::Expired => set_status(&tx, &order, Status::Expired)?,
        _ => {}
    }
    let order = existing(&tx, id)?;
    tx.commit()?;
    Ok(order)
}

/// Every transaction of the order now has `confirmations`, by default as
/// many as the coin needs.
pub(crate) fn confirm(
    conn: &mut Connection,
    id: i64,
    confirmations: Option<u32>,
) -> Result<Order, ActionError> {
    let tx = conn.transaction()?;
    let order = existing(&tx, id)?;
    let (Some(checkout), false) = (&order.checkout, order.transactions.is_empty()) else {
        return Err(ActionError::Invalid(
            "This order has no payment to confirm yet; pay it first.".to_owned(),
        ));
    };
    let confirmations = confirmations.unwrap_or(checkout.coin.confirmations);
    tx.execute(
        "UPDATE coingate_transactions SET confirmations = ?1 WHERE order_id = ?2",
        params![confirmations, id],
    )?;
    let status = order.status_at(now());
    let order = existing(&tx, id)?;
    if matches!(status, Status::Pending | Status::Confirming) {
        set_status(&tx, &order, order.status_after_payment())?;
    }
    let order = existing(&tx, id)?;
    tx.commit()?;
    Ok(order)
}

/// Moves an order to `to` when its status (at now) is one of `from`.
fn transition(
    conn: &mut Connection,
    id: i64,
    from: &[Status],
    to: Status,
    why: &str,
) -> Result<Order, ActionError> {
    let tx = conn.transaction()?;
    let order = existing(&tx, id)?;
    let status = order.status_at(now());
    if !from.contains(&status) {
        let from: Vec<_> = from.iter().map(|status| status.as_str()).collect();
        return Err(ActionError::Invalid(format!(
            "This order is {}; {why} only from {}.",
            status.as_str(),
            from.join(" or ")
        )));
    }
    set_status(&tx, &order, to)?;
    let order = existing(&tx, id)?;
    tx.commit()?;
    Ok(order)
}

/// The order's lifetime ends now (gateways.md: "an unpaid one expires").
pub(crate) fn expire(conn: &mut Connection, id: i64) -> Result<Order, ActionError> {
    transition(
        conn,
        id,
        &[Status::New, Status::Pending],
        Status::Expired,
        "an order expires",
    )
}

/// The network or AML screening rejected the payment.
pub(crate) fn invalidate(conn: &mut Connection, id: i64) -> Result<Order, ActionError> {
    transition(
        conn,
        id,
        &[Status::Pending, Status::Confirming, Status::Paid],
        Status::Invalid,
        "a payment is rejected",
    )
}

/// The shopper cancels on the invoice page (gateways.md: there is no API
/// call for it).
pub(crate) fn cancel(conn: &mut Connection, id: i64) -> Result<Order, ActionError> {
    transition(
        conn,
        id,
        &[Status::New, Status::Pending],
        Status::Canceled,
        "a shopper cancels",
    )
}

/// A refund of `amount` in the price currency (as CoinGate's refund request
/// takes it), by default what is not refunded yet: `refunded` when all of
/// the price is back, `partially_refunded` otherwise.
pub(crate) fn refund(
    conn: &mut Connection,
    id: i64,
    amount: Option<Decimal>,
) -> Result<Order, ActionError> {
    let tx = conn.transaction()?;
    let order = existing(&tx, id)?;
    let status = order.status_at(now());
    if !matches!(status, Status::Paid | Status::PartiallyRefunded) {
        return Err(ActionError::Invalid(format!(
            "This order is {}; only a paid or partially refunded order is refunded.",
            status.as_str()
        )));
    }
    let left = order.price_amount - order.refunded();
    let amount = amount.unwrap_or(left);
    if amount <= Decimal::ZERO || amount > left {
        return Err(ActionError::Invalid(format!(
            "amount must be more than 0 and at most the {left} {} not yet refunded.",
            order.price_currency.symbol
        )));
    }
    let checkout = order
        .checkout
        .as_ref()
        .expect("a paid order was checked out");
    let refund_amount = catalog::convert(amount, order.price_currency, checkout.currency)
        .ok_or_else(|| ActionError::Invalid("The amount is too large.".to_owned()))?;
    tx.execute(
        "INSERT INTO coingate_refunds (order_id, request_amount, refund_amount, address, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            id,
            amount.to_string(),
            refund_amount.to_string(),
            checkout.coin.new_address(),
            now(),
        ],
    )?;
    let to = if amount == left {
        Status::Refunded
    } else {
        Status::PartiallyRefunded
    };
    set_status(&tx, &order, to)?;
    let order = existing(&tx, id)?;
    tx.commit()?;
    Ok(order)
}

/// The order behind an invoice link.
pub(crate) fn find_by_uuid(conn: &Connection, uuid: &str) -> rusqlite::Result<Option<Order>> {
    let id: Option<i64> = conn
        .query_row(
            "SELECT id FROM coingate_orders WHERE uuid = ?1",
            [uuid],
            |row| row.get(0),
        )
        .optional()?;
    match id {
        Some(id) => find(conn, id),
        None => Ok(None),
    }
}
