//! `POST /orders`: reading and checking a new order, and the hourly order
//! limit.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use rand::distr::{Alphanumeric, SampleString};
use rusqlite::{params, Connection};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::model::{Order, Receive};
use super::storage::{find, new_uuid, seconds};
use crate::coingate::catalog::{self, Currency};
use crate::coingate::wire::{ApiError, Params};
use crate::json::parse_decimal;
use crate::state::Sandbox;
use crate::store::now;

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
