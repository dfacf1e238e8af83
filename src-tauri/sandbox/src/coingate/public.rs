//! The public calls, which need no key (gateways.md: "Public, no auth: rates,
//! `GET /ping`, `GET /currencies`, `GET /platforms`, `GET /ips-v4`").

use std::collections::BTreeMap;

use axum::extract::{Path, Query};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use rust_decimal::{Decimal, RoundingStrategy};
use rust_decimal_macros::dec;
use serde::Serialize;

use super::catalog::{self, Currency, Kind, CURRENCIES};
use super::wire::{amount, param, time, ApiError};
use crate::store::now;

/// `GET /ping`: `{"ping":"pong","time":"..."}`.
pub(crate) async fn ping() -> Response {
    Json(serde_json::json!({ "ping": "pong", "time": time(now()) })).into_response()
}

/// `GET /auth/test`: 200 for a good key (the key check is the router's). The
/// body is not documented; the sandbox answers a plain `OK`.
pub(crate) async fn auth_test() -> Response {
    text("OK".to_owned())
}

fn text(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

// ---- rates ------------------------------------------------------------------------

/// Which of CoinGate's rate lists.
#[derive(Clone, Copy)]
enum Side {
    Merchant,
    Buy,
    Sell,
}

/// The trader lists are the merchant rate with a 1% spread either way: not
/// documented, but different enough that a client reading the wrong list
/// shows a wrong price in a test.
fn rate(side: Side, from: &Currency, to: &Currency) -> Option<Decimal> {
    let merchant = catalog::quoted_rate(from, to)?;
    let spread = match side {
        Side::Merchant => return Some(merchant),
        Side::Buy => dec!(1.01),
        Side::Sell => dec!(0.99),
    };
    Some(
        merchant
            .checked_mul(spread)?
            .round_dp_with_strategy(8, RoundingStrategy::MidpointAwayFromZero),
    )
}

/// `{"BTC": {"EUR": "58000.0", ...}, ...}`: every listed currency against
/// every other, the rates as strings.
fn table(side: Side) -> BTreeMap<&'static str, BTreeMap<&'static str, String>> {
    CURRENCIES
        .iter()
        .map(|from| {
            let row = CURRENCIES
                .iter()
                .filter(|to| to.id != from.id)
                .filter_map(|to| Some((to.symbol, amount(rate(side, from, to)?))))
                .collect();
            (from.symbol, row)
        })
        .collect()
}

/// gateways.md: `GET /rates` -> `{"merchant":{"BTC":{"EUR":"7449.99",...}},
/// "trader":{"buy":{...},"sell":{...}}}`.
pub(crate) async fn all_rates() -> Response {
    Json(serde_json::json!({
        "merchant": table(Side::Merchant),
        "trader": { "buy": table(Side::Buy), "sell": table(Side::Sell) },
    }))
    .into_response()
}

pub(crate) async fn merchant_rates() -> Response {
    Json(table(Side::Merchant)).into_response()
}

pub(crate) async fn trader_rates() -> Response {
    Json(serde_json::json!({ "buy": table(Side::Buy), "sell": table(Side::Sell) })).into_response()
}

pub(crate) async fn trader_rates_of(Path(kind): Path<String>) -> Response {
    match trader_side(&kind) {
        Some(side) => Json(table(side)).into_response(),
        None => ApiError::page_not_found().into_response(),
    }
}

fn trader_side(kind: &str) -> Option<Side> {
    match kind {
        "buy" => Some(Side::Buy),
        "sell" => Some(Side::Sell),
        _ => None,
    }
}

/// gateways.md: `GET /rates/merchant/{from}/{to}` -> text/plain, a bare number
/// such as `7469.5`, and an empty body when there is no rate.
pub(crate) async fn merchant_rate(Path((from, to)): Path<(String, String)>) -> Response {
    pair_rate(Side::Merchant, &from, &to)
}

pub(crate) async fn trader_rate(
    Path((kind, from, to)): Path<(String, String, String)>,
) -> Response {
    match trader_side(&kind) {
        Some(side) => pair_rate(side, &from, &to),
        None => ApiError::page_not_found().into_response(),
    }
}

fn pair_rate(side: Side, from: &str, to: &str) -> Response {
    let rate = catalog::currency_by_symbol(from)
        .zip(catalog::currency_by_symbol(to))
        .and_then(|(from, to)| rate(side, from, to));
    text(rate.map(amount).unwrap_or_default())
}

// ---- currencies and platforms ------------------------------------------------------

#[derive(Serialize)]
struct Merchant {
    price: bool,
    pay: bool,
    receive: bool,
}

#[derive(Serialize)]
struct CurrencyPlatform {
    id: i64,
    id_name: &'static str,
    title: &'static str,
    enabled: bool,
}

/// gateways.md: `[{id, title, kind, symbol, native, disabled,
/// disabled_message, merchant:{price,pay,receive}, platforms:[{id,id_name,
/// title,enabled}]}]`.
#[derive(Serialize)]
struct CurrencyJson {
    id: i64,
    title: &'static str,
    kind: &'static str,
    symbol: &'static str,
    native: bool,
    disabled: bool,
    disabled_message: Option<&'static str>,
    merchant: Merchant,
    platforms: Vec<CurrencyPlatform>,
}

impl From<&Currency> for CurrencyJson {
    fn from(currency: &Currency) -> Self {
        CurrencyJson {
            id: currency.id,
            title: currency.title,
            kind: currency.kind.as_str(),
            symbol: currency.symbol,
            native: currency.native(),
            disabled: currency.is_disabled(),
            disabled_message: currency.disabled_message,
            merchant: Merchant {
                price: true,
                pay: currency.merchant_pay(),
                receive: currency.merchant_receive(),
            },
            // The documented order: other platforms first, the own chain last.
            platforms: currency
                .other_platforms
                .iter()
                .chain(currency.platform.iter())
                .map(|platform| CurrencyPlatform {
                    id: platform.id,
                    id_name: platform.id_name,
                    title: platform.title,
                    enabled: !currency.is_disabled(),
                })
                .collect(),
        }
    }
}

/// A boolean filter: `true` keeps what has the property, `false` what lacks
/// it; any other value filters nothing.
fn flag(params: &[(String, String)], name: &str) -> Option<bool> {
    match param(params, name)?.to_ascii_lowercase().as_str() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// A wanted value of a property, and the property.
type Filter = (Option<bool>, fn(&Currency) -> bool);

/// `GET /currencies?kind=crypto&native=true&merchant_pay=true&enabled=true`
/// (also `merchant_receive` and `merchant_price`).
pub(crate) async fn currencies(Query(params): Query<Vec<(String, String)>>) -> Response {
    let kind = param(&params, "kind").map(str::to_ascii_lowercase);
    let filters: [Filter; 5] = [
        (flag(&params, "native"), Currency::native),
        (flag(&params, "enabled"), |c: &Currency| !c.is_disabled()),
        (flag(&params, "merchant_pay"), Currency::merchant_pay),
        (
            flag(&params, "merchant_receive"),
            Currency::merchant_receive,
        ),
        (flag(&params, "merchant_price"), |_: &Currency| true),
    ];
    let listed: Vec<CurrencyJson> = CURRENCIES
        .iter()
        .filter(|currency| {
            kind.as_deref()
                .is_none_or(|kind| kind == currency.kind.as_str())
        })
        .filter(|currency| {
            filters
                .iter()
                .all(|(wanted, has)| wanted.is_none_or(|wanted| has(currency) == wanted))
        })
        .map(CurrencyJson::from)
        .collect();
    Json(listed).into_response()
}

#[derive(Serialize)]
struct PlatformCurrency {
    id: i64,
    title: &'static str,
    symbol: &'static str,
    enabled: bool,
}

#[derive(Serialize)]
struct PlatformJson {
    id: i64,
    title: &'static str,
    id_name: &'static str,
    disabled: bool,
    disabled_message: Option<&'static str>,
    currencies: Vec<PlatformCurrency>,
}

/// `GET /platforms[?enabled=true]`: each network with the currencies paid on
/// it, ordered by id.
pub(crate) async fn platforms(Query(params): Query<Vec<(String, String)>>) -> Response {
    let enabled = flag(&params, "enabled");
    let mut listed: Vec<PlatformJson> = CURRENCIES
        .iter()
        .filter(|currency| currency.kind == Kind::Crypto)
        .flat_map(|currency| {
            currency
                .platform
                .iter()
                .chain(currency.other_platforms.iter())
                .map(move |platform| (currency, platform))
        })
        .map(|(currency, platform)| PlatformJson {
            id: platform.id,
            title: platform.title,
            id_name: platform.id_name,
            disabled: currency.is_disabled(),
            disabled_message: currency.disabled_message,
            currencies: vec![PlatformCurrency {
                id: currency.id,
                title: currency.title,
                symbol: currency.symbol,
                enabled: !currency.is_disabled(),
            }],
        })
        .filter(|platform| enabled.is_none_or(|enabled| enabled != platform.disabled))
        .collect();
    listed.sort_by_key(|platform| platform.id);
    Json(listed).into_response()
}

/// The addresses CoinGate's callbacks come from. The sandbox sends none, but
/// a client that allow-lists them gets loopback addresses it can test with.
const CALLBACK_IPS: [&str; 2] = ["127.0.0.1", "127.0.0.2"];

/// `GET /ips-v4[?separator=|]`: text/plain, one address a line by default.
pub(crate) async fn ips_v4(Query(params): Query<Vec<(String, String)>>) -> Response {
    let separator = params
        .iter()
        .rev()
        .find(|(key, _)| key == "separator")
        .map(|(_, value)| value.as_str())
        .filter(|value| !value.is_empty())
        .unwrap_or("\n");
    text(CALLBACK_IPS.join(separator))
}
