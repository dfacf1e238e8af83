//! The coins a terminal can take, as `terminal/tickers` and every order show
//! them.

use axum::response::Response;
use serde::Serialize;

use super::wire::success;
use crate::market::{Coin, COINS};

/// A ticker as `terminal/tickers` and orders show it.
#[derive(Serialize)]
pub(super) struct Ticker {
    id: i64,
    title: &'static str,
    keyword: &'static str,
    enabled: bool,
}

impl From<&Coin> for Ticker {
    fn from(coin: &Coin) -> Self {
        Ticker {
            id: coin.ticker_id,
            title: coin.title,
            keyword: coin.keyword,
            enabled: coin.enabled,
        }
    }
}

/// `GET terminal/tickers`.
pub(super) async fn tickers() -> Response {
    success(
        "Success",
        COINS.iter().map(Ticker::from).collect::<Vec<_>>(),
    )
}
