//! What the gateway does to an order on its own, driven by `/control`:
//! payments, confirmations, expiry, rejection, the shopper cancelling and
//! refunds.

use rusqlite::{params, Connection};
use rust_decimal::Decimal;

use super::checkout::{pay_currency, plan_checkout, save_checkout};
use super::model::{Order, Status};
use super::storage::find;
use crate::coingate::catalog::{self};
use crate::market::new_transaction_id;
use crate::state::ActionError;
use crate::store::now;

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
