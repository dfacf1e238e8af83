//! The orders in the sandbox's SQLite file.

use rand::Rng;
use rusqlite::{Connection, OptionalExtension, Row};

use super::model::{Checkout, Order, Receive, Refund, RefundStatus, Status, Transaction};
use crate::coingate::catalog::{self, Currency};
use crate::store::{conversion_error, decimal_column};

const COLUMNS: &str = "id, uuid, merchant_order_id, title, price_amount, \
    price_currency, receive_currency, token, status, pay_currency, pay_amount, conversion_rate, \
    payment_address, created_at, expire_at, paid_at";

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

pub(super) fn transactions(
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

pub(super) fn refunds(
    conn: &Connection,
    order_id: Option<i64>,
) -> rusqlite::Result<Vec<(i64, Refund)>> {
    let mut statement = conn.prepare(
        "SELECT order_id, id, request_amount, refund_amount, address, created_at, status,
                email, reason, address_memo, ledger_account_id, rejection_reason
         FROM coingate_refunds WHERE ?1 IS NULL OR order_id = ?1 ORDER BY id",
    )?;
    let rows = statement.query_map([order_id], |row| {
        let status: String = row.get(6)?;
        Ok((
            row.get(0)?,
            Refund {
                id: row.get(1)?,
                request_amount: decimal_column(row, 2)?,
                refund_amount: decimal_column(row, 3)?,
                address: row.get(4)?,
                created_at: row.get(5)?,
                status: RefundStatus::parse(&status).ok_or_else(|| {
                    conversion_error(6, format!("unknown refund status '{status}'"))
                })?,
                email: row.get(7)?,
                reason: row.get(8)?,
                address_memo: row.get(9)?,
                ledger_account_id: row.get(10)?,
                rejection_reason: row.get(11)?,
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
pub(super) fn new_uuid() -> String {
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
