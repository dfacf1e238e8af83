//! CoinGate's transport: requests, authentication, rate limits, back-off,
//! and the client's own calls (orders, rates, lists) over them.

use crate::said::Said;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;
use url::Url;

use super::wire::{
    checkout_not_enabled, has_id, split_gateway_id, summary, to_gateway_order, ApiError, OrderJson,
    OrderPageJson,
};
use super::{
    day, CoinGateClient, OrderPage, OrderQuery, PairRate, Rates, DEFAULT_BACKOFF, DO_NOT_CONVERT,
    LOOKUP_ATTEMPTS, MAX_BACKOFF, MAX_PAGES, ORDER_LIMIT_ERROR, ORDER_LIMIT_HINT, PAGE_SIZE,
    RATE_TTL,
};
use crate::error::{Error, Result};
use crate::gateway::http::{self, unreachable};
use crate::gateway::wire::decimal_from_raw;
use crate::gateway::{Coin, GatewayKind, GatewayOrder, OrderRequest};
use crate::secret::Sensitive;

/// Whether a call carries the API key. gateways.md: rates, ping and
/// currencies are public, and the key is not sent where it is not needed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Auth {
    Public,
    Private,
}

/// An HTTP answer before it is judged.
pub(super) struct Reply {
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
    pub(super) body: Vec<u8>,
}

impl CoinGateClient {
    /// `kind` is `Coingate` or `CoingateSandbox`; `base_url` is
    /// [`LIVE_BASE_URL`], [`SANDBOX_BASE_URL`] or a local sandbox.
    pub fn new(kind: GatewayKind, base_url: &str, key: Sensitive<String>) -> Result<Self> {
        let trimmed = key.expose().trim();
        // A key that cannot go in a header would fail on every call with a
        // vague transport error; say so now instead.
        if trimmed.is_empty() || HeaderValue::from_str(&format!("Token {trimmed}")).is_err() {
            return Err(Error::input(Said::coingate_key_bad(kind.name())));
        }
        Ok(Self {
            kind,
            base: http::check_base_url(base_url)?,
            key: Sensitive::new(trimmed.to_string()),
            http: http::client(),
            receive_currency: DO_NOT_CONVERT.to_string(),
            rates: tokio::sync::Mutex::new(HashMap::new()),
            backoff_until: std::sync::Mutex::new(None),
        })
    }

    /// What CoinGate pays the shop out in (gateways.md: e.g. `EUR`, `BTC`, or
    /// `DO_NOT_CONVERT`, the default: the shop keeps the coins).
    pub fn with_receive_currency(mut self, currency: &str) -> Self {
        let currency = currency.trim();
        if !currency.is_empty() {
            self.receive_currency = currency.to_ascii_uppercase();
        }
        self
    }

    pub(super) fn name(&self) -> &'static str {
        self.kind.name()
    }

    pub(super) fn url(&self, path: &str) -> Url {
        self.base
            .join(path)
            .expect("relative CoinGate paths always join onto a checked base URL")
    }

    /// `orders/{id}` plus `rest`, with the id escaped as one path segment.
    pub(super) fn order_url(&self, id: &str, rest: &[&str]) -> Url {
        let mut url = self.url("orders/");
        url.path_segments_mut()
            .expect("a checked base URL can have path segments")
            .pop_if_empty()
            .push(id)
            .extend(rest);
        url
    }

    pub(super) fn protocol(&self, detail: impl Into<String>) -> Error {
        Error::GatewayProtocol {
            gateway: self.name().to_string(),
            detail: detail.into(),
        }
    }

    pub(super) fn rate_limited(&self) -> Error {
        Error::GatewayRateLimited {
            gateway: self.name().to_string(),
        }
    }

    /// Sends a request; only a missing answer is an error here.
    pub(super) async fn send(&self, request: reqwest::RequestBuilder, auth: Auth) -> Result<Reply> {
        // After a 429, nothing leaves before the delay is over: asking again
        // at once only extends the ban (gateways.md, "Limits").
        let until = *self.backoff_until.lock().unwrap_or_else(|p| p.into_inner());
        if until.is_some_and(|until| Instant::now() < until) {
            return Err(self.rate_limited());
        }
        let mut request = request;
        if auth == Auth::Private {
            // gateways.md: `Authorization: Token <key>`.
            let value = http::key_header(&format!("Token {}", self.key.expose()))
                .expect("checked in new()");
            request = request.header(AUTHORIZATION, value);
        }
        let response = request
            .send()
            .await
            .map_err(|e| unreachable(self.name(), &e))?;
        let status = response.status();
        if status.is_redirection() {
            return Err(http::redirected(self.name(), status));
        }
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(|e| unreachable(self.name(), &e))?
            .to_vec();
        Ok(Reply {
            status,
            headers,
            body,
        })
    }

    /// Judges an answer: an error in any documented shape becomes an
    /// [`Error`], identified by HTTP status and `reason` (gateways.md,
    /// "Errors"); `what` names the thing asked for, for a 404.
    pub(super) fn check(&self, reply: &Reply, what: &str) -> Result<()> {
        let gateway = self.name().to_string();
        let status = reply.status.as_u16();
        let error = serde_json::from_slice::<ApiError>(&reply.body).ok();
        let reason = error
            .as_ref()
            .and_then(|e| e.reason.clone())
            .unwrap_or_default();
        let texts = error.as_ref().map(ApiError::texts).unwrap_or_default();
        if reply.status.is_success() {
            // An error inside a 200: an object with a `reason` and a message,
            // and none of the fields of an answer.
            let error_shaped = error
                .as_ref()
                .is_some_and(|e| e.reason.is_some() && (e.message.is_some() || e.errors.is_some()))
                && !has_id(&reply.body);
            if !error_shaped {
                return Ok(());
            }
        }
        let joined = if texts.is_empty() {
            format!("HTTP {status}")
        } else {
            texts.join("; ")
        };
        if status == 429 || reason.starts_with("RateLimit") {
            // The docs name it RateLimitException and RateLimitExceeded.
            self.back_off(&reply.headers);
            return Err(self.rate_limited());
        }
        if status == 401 || matches!(reason.as_str(), "BadCredentials" | "BadAuthToken") {
            return Err(Error::GatewayAuth { gateway });
        }
        if status == 404
            || matches!(
                reason.as_str(),
                "PageNotFound" | "RecordNotFound" | "OrderNotFound"
            )
        {
            return Err(Error::not_found(Said::coingate_unknown(
                &gateway, what, &joined,
            )));
        }
        if reply.status.is_server_error() || reason == "InternalServerError" {
            // A 200 that says InternalServerError is the same trouble.
            return Err(Error::GatewayDown {
                gateway,
                status: if reply.status.is_server_error() {
                    status
                } else {
                    500
                },
            });
        }
        let mut message = joined;
        if message.to_ascii_lowercase().contains(ORDER_LIMIT_ERROR) {
            message = format!("{message}. {ORDER_LIMIT_HINT}");
        }
        Err(Error::GatewayRefused { gateway, message })
    }

    pub(super) fn back_off(&self, headers: &HeaderMap) {
        let delay = headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs)
            .unwrap_or(DEFAULT_BACKOFF)
            .clamp(Duration::from_secs(1), MAX_BACKOFF);
        tracing::warn!(
            seconds = delay.as_secs(),
            "CoinGate asked to slow down; backing off"
        );
        *self.backoff_until.lock().unwrap_or_else(|p| p.into_inner()) =
            Some(Instant::now() + delay);
    }

    pub(super) fn parse<T: for<'de> Deserialize<'de>>(
        &self,
        reply: &Reply,
        what: &str,
    ) -> Result<T> {
        serde_json::from_slice(&reply.body).map_err(|e| {
            self.protocol(format!(
                "{what}: HTTP {}, not the expected JSON: {e}",
                reply.status.as_u16()
            ))
        })
    }

    /// A JSON call: sent, checked and parsed.
    pub(super) async fn json<T: for<'de> Deserialize<'de>>(
        &self,
        request: reqwest::RequestBuilder,
        auth: Auth,
        what: &str,
    ) -> Result<T> {
        let reply = self
            .send(request.header(ACCEPT, "application/json"), auth)
            .await?;
        self.check(&reply, what)?;
        self.parse(&reply, what)
    }

    /// A POST with a form body: gateways.md documents
    /// `application/x-www-form-urlencoded` for POST bodies.
    pub(super) fn post_form(&self, url: Url, fields: &[(&str, &str)]) -> reqwest::RequestBuilder {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.http
            .post(url)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
    }

    /// `GET /ping` (public): `{"ping":"pong","time":"..."}`. Returns CoinGate's time.
    pub async fn ping(&self) -> Result<String> {
        #[derive(Deserialize)]
        struct Pong {
            ping: String,
            #[serde(default)]
            time: Option<String>,
        }
        let pong: Pong = self
            .json(self.http.get(self.url("ping")), Auth::Public, "ping")
            .await?;
        if !pong.ping.eq_ignore_ascii_case("pong") {
            return Err(self.protocol(format!("ping answered '{}', not 'pong'", pong.ping)));
        }
        Ok(pong.time.unwrap_or_default())
    }

    /// `GET /rates/merchant/{from}/{to}` (public, text/plain: a bare number;
    /// an empty body means no rate). At most one request per pair per 60 s
    /// (gateways.md: "Rates change every 60 s: do not ask more often").
    pub async fn merchant_rate(&self, from: &str, to: &str) -> Result<Option<Decimal>> {
        let pair = (
            from.trim().to_ascii_uppercase(),
            to.trim().to_ascii_uppercase(),
        );
        // Held across the request: two quotes at once make one call, not two.
        let mut cache = self.rates.lock().await;
        if let Some((at, rate)) = cache.get(&pair) {
            if at.elapsed() < RATE_TTL {
                return Ok(*rate);
            }
        }
        let mut url = self.url("rates/merchant/");
        url.path_segments_mut()
            .expect("a checked base URL can have path segments")
            .pop_if_empty()
            .push(&pair.0)
            .push(&pair.1);
        let reply = self.send(self.http.get(url), Auth::Public).await?;
        let what = format!("a rate from {} to {}", pair.0, pair.1);
        self.check(&reply, &what)?;
        let text = String::from_utf8_lossy(&reply.body);
        let text = text.trim().trim_matches('"').trim();
        let rate = if text.is_empty() {
            None
        } else {
            Some(
                crate::money::parse_decimal(text)
                    .filter(|r| *r > Decimal::ZERO)
                    .ok_or_else(|| self.protocol(format!("{what}: '{text}' is not a rate")))?,
            )
        };
        cache.insert(pair, (Instant::now(), rate));
        Ok(rate)
    }

    /// `GET /rates` (public): every merchant and trader rate.
    pub async fn rates(&self) -> Result<Rates> {
        type Table = HashMap<String, HashMap<String, Box<RawValue>>>;
        #[derive(Deserialize)]
        struct Trader {
            #[serde(default)]
            buy: Table,
            #[serde(default)]
            sell: Table,
        }
        #[derive(Deserialize)]
        struct RatesJson {
            #[serde(default)]
            merchant: Table,
            #[serde(default)]
            trader: Option<Trader>,
        }
        fn flatten(table: &Table) -> Vec<PairRate> {
            let mut rates: Vec<PairRate> = table
                .iter()
                .flat_map(|(from, to)| {
                    to.iter().filter_map(move |(to, raw)| {
                        Some(PairRate {
                            from: from.to_ascii_uppercase(),
                            to: to.to_ascii_uppercase(),
                            rate: decimal_from_raw(raw)?,
                        })
                    })
                })
                .collect();
            rates.sort_by(|a, b| (&a.from, &a.to).cmp(&(&b.from, &b.to)));
            rates
        }
        let json: RatesJson = self
            .json(self.http.get(self.url("rates")), Auth::Public, "the rates")
            .await?;
        Ok(Rates {
            merchant: flatten(&json.merchant),
            trader_buy: json
                .trader
                .as_ref()
                .map(|t| flatten(&t.buy))
                .unwrap_or_default(),
            trader_sell: json
                .trader
                .as_ref()
                .map(|t| flatten(&t.sell))
                .unwrap_or_default(),
        })
    }

    /// `GET /orders` with the documented filters.
    pub async fn list_orders(&self, query: &OrderQuery) -> Result<OrderPage> {
        let page = self.order_page(query).await?;
        Ok(OrderPage {
            total_pages: page.total_pages.unwrap_or(1),
            orders: page.orders.iter().map(summary).collect(),
        })
    }

    pub(super) async fn order_page(&self, query: &OrderQuery) -> Result<OrderPageJson> {
        let mut params = vec![
            ("per_page", query.per_page.clamp(1, PAGE_SIZE).to_string()),
            ("page", query.page.max(1).to_string()),
            (
                "sort",
                if query.newest_first {
                    "created_at_desc"
                } else {
                    "created_at_asc"
                }
                .to_string(),
            ),
        ];
        // gateways.md, Round 2: documented as dates (`2018-09-01`), not
        // timestamps. Both bounds are whole days.
        if let Some(from) = query.created_from {
            params.push(("created_at[from]", day(from)));
        }
        if let Some(to) = query.created_to {
            params.push(("created_at[to]", day(to)));
        }
        if let Some(status) = &query.status {
            params.push(("status", status.clone()));
        }
        self.json(
            self.http.get(self.url("orders")).query(&params),
            Auth::Private,
            "the order list",
        )
        .await
    }

    /// The order CoinGate already has for our merchant order id, if any.
    /// CoinGate does not de-duplicate `order_id` (gateways.md, "Create
    /// order"), so this is what makes a retry safe. Orders are read newest
    /// first from `since` on; if several carry the id, the oldest (the one
    /// first made for the sale) is the sale's.
    pub(super) async fn find_order(
        &self,
        merchant_order_id: &str,
        since: Option<DateTime<Utc>>,
    ) -> Result<Option<OrderJson>> {
        let mut found = None;
        let mut page = 1;
        loop {
            let query = OrderQuery {
                page,
                per_page: PAGE_SIZE,
                newest_first: true,
                created_from: since,
                ..OrderQuery::default()
            };
            let answer = self.order_page(&query).await?;
            let last_page = answer.total_pages.unwrap_or(1).max(1);
            let empty = answer.orders.is_empty();
            for order in answer.orders {
                if order.order_id.as_deref() == Some(merchant_order_id) {
                    found = Some(order);
                }
            }
            if empty || page >= last_page {
                return Ok(found);
            }
            if page >= MAX_PAGES {
                return Err(self.protocol(format!(
                    "more than {MAX_PAGES} pages of orders to search for {merchant_order_id}"
                )));
            }
            page += 1;
        }
    }

    pub(super) async fn get_order(&self, id: &str) -> Result<OrderJson> {
        self.json(
            self.http.get(self.order_url(id, &[])),
            Auth::Private,
            &format!("order {id}"),
        )
        .await
    }

    /// `POST /orders/{id}/checkout` with `pay_currency` and `platform_id`.
    /// `Ok(None)` is CoinGate's 422 for a merchant it has not enabled for
    /// this call (gateways.md, "Checkout"): the hosted page is used instead.
    /// Any other 422 (gateways.md, Round 2: "an order already settled or not
    /// valid") is an error in its own words.
    pub(super) async fn checkout(&self, id: &str, coin: &Coin) -> Result<Option<OrderJson>> {
        let (_, platform_id) = split_gateway_id(&coin.gateway_id).ok_or_else(|| {
            self.protocol(format!("coin id '{}' has no platform", coin.gateway_id))
        })?;
        let request = self.post_form(
            self.order_url(id, &["checkout"]),
            &[("pay_currency", &coin.symbol), ("platform_id", platform_id)],
        );
        let reply = self
            .send(request.header(ACCEPT, "application/json"), Auth::Private)
            .await?;
        if reply.status == StatusCode::UNPROCESSABLE_ENTITY {
            let error = serde_json::from_slice::<ApiError>(&reply.body).unwrap_or_default();
            let texts = error.texts();
            if error.reason.as_deref() != Some("OrderNotFound") && checkout_not_enabled(&texts) {
                tracing::info!(
                    order = id,
                    errors = %texts.join("; "),
                    "CoinGate has not enabled checkout for this merchant; using the hosted payment page"
                );
                return Ok(None);
            }
            if error.reason.as_deref() != Some("OrderNotFound") {
                let said = if texts.is_empty() {
                    "no reason given".to_string()
                } else {
                    texts.join("; ")
                };
                return Err(Error::GatewayRefused {
                    gateway: self.name().to_string(),
                    message: format!(
                        "it could not prepare the payment of order {id} in {} on {} ({said}). \
                         Pick another coin or network, or start a new sale.",
                        coin.symbol, coin.network
                    ),
                });
            }
        }
        let what = format!("order {id}");
        self.check(&reply, &what)?;
        let answer: OrderJson = self.parse(&reply, &what)?;
        // Never trust an answer that does not match the request (issue #8).
        if let Some(other) = answer.id.as_deref().filter(|other| *other != id) {
            return Err(self.mismatch(format!("asked to check out order {id}, got order {other}")));
        }
        if let Some(paying) = answer
            .pay_currency
            .as_deref()
            .filter(|c| !c.trim().eq_ignore_ascii_case(&coin.symbol))
        {
            return Err(self.mismatch(format!(
                "asked for {} and got {}",
                coin.symbol,
                crate::gateway::address::shown(paying)
            )));
        }
        Ok(Some(answer))
    }

    pub(super) fn mismatch(&self, detail: String) -> Error {
        tracing::warn!(gateway = self.name(), %detail, "refused an answer that does not match the request");
        Error::GatewayMismatch {
            gateway: self.name().to_string(),
            detail,
        }
    }

    /// The order answer must be the order of this request: our `order_id`,
    /// the sale's price and currency (issue #8).
    pub(super) fn check_matches(&self, order: &OrderJson, request: &OrderRequest) -> Result<()> {
        if let Some(other) = order
            .order_id
            .as_deref()
            .filter(|o| *o != request.merchant_order_id)
        {
            return Err(self.mismatch(format!(
                "order id {} instead of {}",
                crate::gateway::address::shown(other),
                request.merchant_order_id
            )));
        }
        if order.order_id.is_none() {
            return Err(self.mismatch(format!(
                "the order carries no order id, {} was asked for",
                request.merchant_order_id
            )));
        }
        if let Some(currency) = order.price_currency.as_deref().filter(|c| {
            !c.trim()
                .eq_ignore_ascii_case(request.fiat.currency().code())
        }) {
            return Err(self.mismatch(format!(
                "priced in {} instead of {}",
                crate::gateway::address::shown(currency),
                request.fiat.currency()
            )));
        }
        if let Some(price) = order.price_amount.filter(|p| *p != request.fiat.amount()) {
            return Err(self.mismatch(format!("a price of {price} instead of {}", request.fiat)));
        }
        Ok(())
    }

    /// [`Self::find_order`], asked again after a failure that may pass (no
    /// answer, a server error, an unreadable page). Still failing: the error,
    /// and no order is created (issue #8: a failed lookup must never lead to
    /// a second order).
    pub(super) async fn find_order_retrying(
        &self,
        merchant_order_id: &str,
        since: Option<DateTime<Utc>>,
    ) -> Result<Option<OrderJson>> {
        let mut attempt = 1;
        loop {
            match self.find_order(merchant_order_id, since).await {
                Ok(found) => return Ok(found),
                Err(
                    e @ (Error::GatewayUnreachable { .. }
                    | Error::GatewayDown { .. }
                    | Error::GatewayProtocol { .. }),
                ) if attempt < LOOKUP_ATTEMPTS => {
                    tracing::warn!(error = %e, attempt, "looking for an earlier CoinGate order failed; asking again");
                    tokio::time::sleep(Duration::from_millis(500 * u64::from(attempt))).await;
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    pub(super) fn gateway_order(&self, order: &OrderJson, coin: &Coin) -> Result<GatewayOrder> {
        to_gateway_order(order, coin).map_err(|detail| self.protocol(format!("order: {detail}")))
    }
}
