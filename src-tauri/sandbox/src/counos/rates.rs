//! `exchange/rate/...`: rate lists and conversions.

use axum::extract::Query;
use axum::response::Response;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use serde_json::value::RawValue;

use super::wire::{param, success, ApiError};
use crate::json::{number, parse_decimal};
use crate::market::{self, Coin, Fiat, Quote, COINS, CURRENCIES, METALS};

/// gateways.md: rate field names are not published; these are the sandbox's.
#[derive(Serialize)]
struct Rate {
    symbol: String,
    name: &'static str,
    usd: Box<RawValue>,
    eur: Box<RawValue>,
}

impl From<&Coin> for Rate {
    fn from(coin: &Coin) -> Self {
        Rate {
            symbol: coin.symbol(),
            name: coin.title,
            usd: number(coin.usd),
            eur: number(coin.eur),
        }
    }
}

impl From<&Quote> for Rate {
    fn from(quote: &Quote) -> Self {
        Rate {
            symbol: quote.symbol.to_owned(),
            name: quote.name,
            usd: number(quote.usd),
            eur: number(quote.eur),
        }
    }
}

pub(crate) async fn crypto() -> Response {
    success("Success", COINS.iter().map(Rate::from).collect::<Vec<_>>())
}

pub(crate) async fn currencies() -> Response {
    success(
        "Success",
        CURRENCIES.iter().map(Rate::from).collect::<Vec<_>>(),
    )
}

pub(crate) async fn metals() -> Response {
    success("Success", METALS.iter().map(Rate::from).collect::<Vec<_>>())
}

/// gateways.md: `{"converted_value": number, "exchange_rate": ...}`, in snake
/// case unlike the order fields.
#[derive(Serialize)]
struct Conversion {
    converted_value: Box<RawValue>,
    exchange_rate: Box<RawValue>,
}

/// Converted values carry 8 decimals, rounded half-up: a satoshi for coins,
/// and the same rule for fiat so there is one rule to test against.
fn round(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(8, RoundingStrategy::MidpointAwayFromZero)
}

fn converted(
    converted_value: Option<Decimal>,
    exchange_rate: Decimal,
) -> Result<Response, ApiError> {
    let converted_value = converted_value
        .ok_or_else(|| ApiError::bad_request("The amount is too large to convert."))?;
    let data = Conversion {
        converted_value: number(round(converted_value)),
        // gateways.md, Round 2: the official PHP model types `exchange_rate`
        // as an array, not a number. The sandbox sends an array (holding the
        // rate), so a client that needs a number here fails against it.
        exchange_rate: RawValue::from_string(format!("[{}]", number(exchange_rate).get()))
            .expect("an array of one number is valid JSON"),
    };
    Ok(success("Success", data))
}

/// `?amount=9.99&from=USD&to=ccx`; an extra `rateOfchangePercentage=0`, sent
/// by one official client, is ignored like any other unknown parameter.
pub(crate) async fn currency_to_crypto(
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let amount = amount(&params)?;
    let fiat = fiat(&params, "from")?;
    let coin = coin(&params, "to")?;
    let price = coin.price_in(fiat);
    converted(amount.checked_div(price), price)
}

pub(crate) async fn crypto_to_currency(
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let amount = amount(&params)?;
    let coin = coin(&params, "from")?;
    let fiat = fiat(&params, "to")?;
    let price = coin.price_in(fiat);
    converted(amount.checked_mul(price), price)
}

pub(crate) async fn crypto_to_crypto(
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let amount = amount(&params)?;
    let from = coin(&params, "from")?;
    let to = coin(&params, "to")?;
    let value = amount
        .checked_mul(from.usd)
        .and_then(|usd| usd.checked_div(to.usd));
    converted(value, round(from.usd / to.usd))
}

fn required<'a>(params: &'a [(String, String)], name: &str) -> Result<&'a str, ApiError> {
    param(params, name)
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .ok_or_else(|| ApiError::bad_request(format!("The '{name}' parameter is missing.")))
}

fn amount(params: &[(String, String)]) -> Result<Decimal, ApiError> {
    let text = required(params, "amount")?;
    parse_decimal(text)
        .filter(|amount| amount.is_sign_positive() && !amount.is_zero())
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "The amount '{text}' is not valid: send a positive number with a '.' for decimals, such as 12.50."
            ))
        })
}

fn fiat(params: &[(String, String)], name: &str) -> Result<Fiat, ApiError> {
    let symbol = required(params, name)?;
    Fiat::from_symbol(symbol).ok_or_else(|| {
        ApiError::bad_request(format!(
            "Unknown currency '{symbol}' in '{name}'. Supported currencies: USD, EUR."
        ))
    })
}

fn coin(params: &[(String, String)], name: &str) -> Result<&'static Coin, ApiError> {
    let symbol = required(params, name)?;
    market::coin_by_symbol(symbol).ok_or_else(|| {
        ApiError::bad_request(format!(
            "Unknown crypto currency '{symbol}' in '{name}'. Supported crypto currencies: {}.",
            market::coin_symbols()
        ))
    })
}
