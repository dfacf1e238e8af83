//! CoinGate's paged lists: `?page=&per_page=` in, and out one object of one
//! shape, `{current_page, per_page, total_<items>, total_pages, <items>}`
//! (gateways.md: orders, ledger accounts, withdrawals; send requests call
//! their total `total_records`). Every list route answers through [`Page`],
//! so a list cannot get the paging or the field order wrong on its own.

use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use super::wire::{param, ApiError};

/// What one list calls its total and its items.
#[derive(Clone, Copy)]
pub(super) struct List {
    total: &'static str,
    items: &'static str,
}

impl List {
    const fn named(total: &'static str, items: &'static str) -> List {
        List { total, items }
    }
}

pub(super) const ORDERS: List = List::named("total_orders", "orders");
pub(super) const ACCOUNTS: List = List::named("total_accounts", "accounts");
pub(super) const WITHDRAWALS: List = List::named("total_withdrawals", "withdrawals");
pub(super) const SEND_REQUESTS: List = List::named("total_records", "send_requests");

/// `page` (from 1, default 1) and `per_page` (1 to 100, default 100; more
/// is capped at 100), as a request asks for them.
#[derive(Clone, Copy)]
pub(super) struct Paging {
    page: usize,
    per_page: usize,
}

impl Paging {
    pub(super) fn from_params(params: &[(String, String)]) -> Result<Paging, ApiError> {
        let number = |name: &str, default: usize| -> Result<usize, ApiError> {
            match param(params, name) {
                None => Ok(default),
                Some(text) => text
                    .parse::<usize>()
                    .ok()
                    .filter(|value| *value > 0)
                    .ok_or_else(|| {
                        ApiError::bad_request(format!(
                            "{name} must be a whole number from 1; got '{text}'."
                        ))
                    }),
            }
        };
        Ok(Paging {
            page: number("page", 1)?,
            per_page: number("per_page", 100)?.min(100),
        })
    }
}

/// One page of a list, with its counts.
pub(super) struct Page<T> {
    list: List,
    paging: Paging,
    total: usize,
    total_pages: usize,
    items: Vec<T>,
}

impl<T> Page<T> {
    /// The page `paging` asks for out of `all`.
    pub(super) fn of(list: List, all: Vec<T>, paging: Paging) -> Page<T> {
        let Paging { page, per_page } = paging;
        let total = all.len();
        let total_pages = total.div_ceil(per_page);
        let start = (page - 1).saturating_mul(per_page);
        let items = all.into_iter().skip(start).take(per_page).collect();
        Page {
            list,
            paging,
            total,
            total_pages,
            items,
        }
    }

    /// The same page with each item in its wire shape.
    pub(super) fn map<U>(self, to_json: impl FnMut(&T) -> U) -> Page<U> {
        Page {
            list: self.list,
            paging: self.paging,
            total: self.total,
            total_pages: self.total_pages,
            items: self.items.iter().map(to_json).collect(),
        }
    }
}

impl<T: Serialize> Serialize for Page<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(5))?;
        map.serialize_entry("current_page", &self.paging.page)?;
        map.serialize_entry("per_page", &self.paging.per_page)?;
        map.serialize_entry(self.list.total, &self.total)?;
        map.serialize_entry("total_pages", &self.total_pages)?;
        map.serialize_entry(self.list.items, &self.items)?;
        map.end()
    }
}

impl<T: Serialize> IntoResponse for Page<T> {
    fn into_response(self) -> Response {
        Json(self).into_response()
    }
}
