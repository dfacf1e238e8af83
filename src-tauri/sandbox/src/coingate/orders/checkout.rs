//! `POST /orders/{id}/checkout`: the shopper's coin is chosen and the order
//! gets an address and a pay amount.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use rusqlite::{params, Connection};
use rust_decimal::Decimal;

use super::model::{Order, Status};
use super::storage::{find, seconds};
use crate::coingate::catalog::{self, Currency, Kind};
use crate::coingate::wire::{ApiError, Params};
use crate::state::Sandbox;
use crate::store::now;

/// A checkout the order can take: the coin, and what it asks for.
pub(super) struct CheckoutPlan {
    currency: &'static Currency,
    pay_amount: Decimal,
    conversion_rate: Decimal,
    address: String,
}

/// Checks that the order can take `currency` now, and prices it: the price
/// converted at the table rate, to 8 places, to a new address.
pub(super) fn plan_checkout(
    order: &Order,
    currency: &'static Currency,
) -> Result<CheckoutPlan, Vec<String>> {
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
pub(super) fn save_checkout(
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
pub(super) fn pay_currency(symbol: &str) -> Result<&'static Currency, String> {
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
