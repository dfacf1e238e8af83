//! CoinGate (API v2) client. Every fact it relies on is in
//! `shared/gateways.md` ("CoinGate (API v2)"); the comments cite them.
//!
//! How a sale becomes a CoinGate payment:
//! 1. CoinGate does not de-duplicate `order_id`, so an order already made for
//!    the sale is looked up first (orders listed newest first, from just
//!    before the sale was recorded) and reused: a retry never makes a second.
//! 2. Otherwise `POST /orders` creates one priced in the shop's currency.
//! 3. `POST /orders/{id}/checkout` picks the coin and returns the address and
//!    the payment URI for the QR. CoinGate lets only some merchants call it;
//!    the others get 422, and the QR then opens CoinGate's hosted payment
//!    page, with a notice for the cashier.
//! 4. Callbacks never reach a counter laptop, so the sale is followed with
//!    `GET /orders/{id}`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;
use url::Url;

use super::http::{self, unreachable};
use super::wire::{
    decimal_from_raw, id_text, opt_count, opt_decimal, opt_id_text, parse_time, raw_text,
};
use super::{
    exact_money, Balance, Coin, Conversion, Gateway, GatewayKind, GatewayOrder, OrderRef,
    OrderRequest, SaleState, WithdrawReceipt, WithdrawRequest, Withdrawal,
};
use crate::error::{Error, Result};
use crate::money::{Currency, Money};
use crate::secret::Sensitive;

pub const LIVE_BASE_URL: &str = "https://api.coingate.com/v2/";
pub const SANDBOX_BASE_URL: &str = "https://api-sandbox.coingate.com/v2/";

/// `receive_currency` when the shop keeps the coins it is paid in.
pub const DO_NOT_CONVERT: &str = "DO_NOT_CONVERT";

/// gateways.md, "Limits": rates change every 60 s, do not ask more often.
const RATE_TTL: Duration = Duration::from_secs(60);
/// After a 429 without `Retry-After`: the limits are counted per minute.
const DEFAULT_BACKOFF: Duration = Duration::from_secs(60);
const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// How far before the sale an earlier order for it is looked for: the
/// laptop's clock and CoinGate's may disagree by this much.
const LOOKUP_MARGIN: chrono::Duration = chrono::Duration::minutes(15);
/// gateways.md, "List orders": `per_page` up to 100.
const PAGE_SIZE: u32 = 100;
/// A bound on paging, so a server that always says "more" cannot loop us
/// forever. 200 pages of 100 is 40 hours at the 500-an-hour order limit.
const MAX_PAGES: u32 = 200;

/// gateways.md, "Checkout": without it the QR shows the hosted page.
pub const HOSTED_PAGE_NOTICE: &str = "CoinGate did not give a payment address for this shop, \
     so the QR opens CoinGate's payment page; the customer pays there.";

/// gateways.md, "Limits": over 500 orders an hour, create answers 422 with this.
const ORDER_LIMIT_ERROR: &str = "order limit exceeded";
const ORDER_LIMIT_HINT: &str = "CoinGate accepts at most 500 orders per hour for one business. \
     Wait a while and try again, or ask CoinGate support to raise the limit.";

pub struct CoinGateClient {
    kind: GatewayKind,
    base: Url,
    key: Sensitive<String>,
    http: reqwest::Client,
    receive_currency: String,
    /// Merchant rates by (from, to), with when they were fetched; `None` is
    /// CoinGate's "no rate" (an empty body), remembered as long.
    rates: tokio::sync::Mutex<RateCache>,
    /// No call leaves before this, after CoinGate answered 429.
    backoff_until: std::sync::Mutex<Option<Instant>>,
}

/// Merchant rates by (from, to): when fetched, and the rate (`None`: no rate).
type RateCache = HashMap<(String, String), (Instant, Option<Decimal>)>;

/// Whether a call carries the API key. gateways.md: rates, ping and
/// currencies are public, and the key is not sent where it is not needed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Auth {
    Public,
    Private,
}

/// An HTTP answer before it is judged.
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

/// gateways.md, "Errors": `{"message", "reason", "errors": [str] | str | object}`.
#[derive(Deserialize, Default)]
struct ApiError {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    errors: Option<serde_json::Value>,
}

impl ApiError {
    /// Every error text, in order: `errors` in any of its shapes, else `message`.
    fn texts(&self) -> Vec<String> {
        let mut texts = Vec::new();
        if let Some(errors) = &self.errors {
            collect_texts(errors, None, &mut texts);
        }
        if texts.is_empty() {
            texts.extend(self.message.iter().map(|m| m.trim().to_string()));
        }
        texts.retain(|t| !t.is_empty());
        texts
    }
}

/// Flattens `errors`: a string, a list of strings, or an object of field ->
/// message(s) ("price_amount: is not a number").
fn collect_texts(value: &serde_json::Value, field: Option<&str>, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(match field {
            Some(field) => format!("{field}: {s}"),
            None => s.clone(),
        }),
        serde_json::Value::Array(items) => {
            for item in items {
                collect_texts(item, field, out);
            }
        }
        serde_json::Value::Object(map) => {
            for (key, item) in map {
                collect_texts(item, Some(key), out);
            }
        }
        serde_json::Value::Null => {}
        other => out.push(other.to_string()),
    }
}

/// An order as CoinGate writes it (gateways.md, "Create order", "Get
/// order", "Checkout"). Every field is optional so that the checkout answer,
/// which repeats only some, can be laid over the order.
#[derive(Clone, Debug, Default, Deserialize)]
struct OrderJson {
    #[serde(default, deserialize_with = "opt_id_text")]
    id: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default, deserialize_with = "opt_id_text")]
    order_id: Option<String>,
    #[serde(default)]
    pay_currency: Option<String>,
    #[serde(default, deserialize_with = "opt_decimal")]
    pay_amount: Option<Decimal>,
    #[serde(default)]
    payment_address: Option<String>,
    #[serde(default)]
    payment_url: Option<String>,
    #[serde(default)]
    payment_request_uri: Option<String>,
    #[serde(default)]
    expire_at: Option<String>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default, deserialize_with = "opt_decimal")]
    underpaid_amount: Option<Decimal>,
    #[serde(default, deserialize_with = "opt_decimal")]
    overpaid_amount: Option<Decimal>,
    #[serde(default)]
    blockchain_transactions: Option<Vec<TransactionJson>>,
}

#[derive(Clone, Debug, Deserialize)]
struct TransactionJson {
    #[serde(default, deserialize_with = "opt_id_text")]
    txid: Option<String>,
    #[serde(default, deserialize_with = "opt_decimal")]
    amount: Option<Decimal>,
    #[serde(default, deserialize_with = "opt_count")]
    network_confirmations: Option<u32>,
}

impl OrderJson {
    /// The checkout answer laid over the order: what it says wins.
    fn overlay(mut self, top: OrderJson) -> Self {
        macro_rules! take {
            ($($field:ident),*) => { $( if top.$field.is_some() { self.$field = top.$field; } )* };
        }
        take!(
            id,
            status,
            order_id,
            pay_currency,
            pay_amount,
            payment_address,
            payment_url,
            payment_request_uri,
            expire_at,
            created_at,
            underpaid_amount,
            overpaid_amount,
            blockchain_transactions
        );
        self
    }

    fn address(&self) -> Option<&str> {
        self.payment_address
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
    }
}

/// A page of `GET /orders` (gateways.md, "List orders").
#[derive(Deserialize)]
struct OrderPageJson {
    #[serde(default, deserialize_with = "opt_count")]
    total_pages: Option<u32>,
    #[serde(default)]
    orders: Vec<OrderJson>,
}

/// One order as the order list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderSummary {
    pub id: String,
    pub merchant_order_id: Option<String>,
    /// CoinGate's own status word (`new`, `pending`, `paid`, ...).
    pub status: String,
    /// Ours, when the status is one CoinGate documents.
    pub state: Option<SaleState>,
    pub created_at: Option<DateTime<Utc>>,
}

/// Which orders to list.
#[derive(Clone, Debug, Default)]
pub struct OrderQuery {
    /// 1-based.
    pub page: u32,
    /// At most 100.
    pub per_page: u32,
    /// Newest first when true.
    pub newest_first: bool,
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
    pub status: Option<String>,
}

/// A page of orders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderPage {
    pub orders: Vec<OrderSummary>,
    pub total_pages: u32,
}

/// One merchant or trader rate: one `from` costs `rate` of `to`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PairRate {
    pub from: String,
    pub to: String,
    pub rate: Decimal,
}

/// `GET /rates` (gateways.md, "Rates").
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rates {
    pub merchant: Vec<PairRate>,
    pub trader_buy: Vec<PairRate>,
    pub trader_sell: Vec<PairRate>,
}

impl CoinGateClient {
    /// `kind` is `Coingate` or `CoingateSandbox`; `base_url` is
    /// [`LIVE_BASE_URL`], [`SANDBOX_BASE_URL`] or a local sandbox.
    pub fn new(kind: GatewayKind, base_url: &str, key: Sensitive<String>) -> Result<Self> {
        let trimmed = key.expose().trim();
        // A key that cannot go in a header would fail on every call with a
        // vague transport error; say so now instead.
        if trimmed.is_empty() || HeaderValue::from_str(&format!("Token {trimmed}")).is_err() {
            return Err(Error::Input(format!(
                "The {} API key is empty or has characters a key cannot have. Paste it again from the CoinGate dashboard.",
                kind.name()
            )));
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

    fn name(&self) -> &'static str {
        self.kind.name()
    }

    fn url(&self, path: &str) -> Url {
        self.base
            .join(path)
            .expect("relative CoinGate paths always join onto a checked base URL")
    }

    /// `orders/{id}` plus `rest`, with the id escaped as one path segment.
    fn order_url(&self, id: &str, rest: &[&str]) -> Url {
        let mut url = self.url("orders/");
        url.path_segments_mut()
            .expect("a checked base URL can have path segments")
            .pop_if_empty()
            .push(id)
            .extend(rest);
        url
    }

    fn protocol(&self, detail: impl Into<String>) -> Error {
        Error::GatewayProtocol {
            gateway: self.name().to_string(),
            detail: detail.into(),
        }
    }

    fn rate_limited(&self) -> Error {
        Error::GatewayRateLimited {
            gateway: self.name().to_string(),
        }
    }

    /// Sends a request; only a missing answer is an error here.
    async fn send(&self, request: reqwest::RequestBuilder, auth: Auth) -> Result<Reply> {
        // After a 429, nothing leaves before the delay is over: asking again
        // at once only extends the ban (gateways.md, "Limits").
        let until = *self.backoff_until.lock().unwrap_or_else(|p| p.into_inner());
        if until.is_some_and(|until| Instant::now() < until) {
            return Err(self.rate_limited());
        }
        let mut request = request;
        if auth == Auth::Private {
            // gateways.md: `Authorization: Token <key>`.
            let mut value = HeaderValue::from_str(&format!("Token {}", self.key.expose()))
                .expect("checked in new()");
            value.set_sensitive(true);
            request = request.header(AUTHORIZATION, value);
        }
        let response = request
            .send()
            .await
            .map_err(|e| unreachable(self.name(), &e))?;
        let status = response.status();
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
    fn check(&self, reply: &Reply, what: &str) -> Result<()> {
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
            return Err(Error::NotFound(format!(
                "{gateway} does not know {what} ({joined}). Check it in the CoinGate dashboard."
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

    fn back_off(&self, headers: &HeaderMap) {
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

    fn parse<T: for<'de> Deserialize<'de>>(&self, reply: &Reply, what: &str) -> Result<T> {
        serde_json::from_slice(&reply.body).map_err(|e| {
            self.protocol(format!(
                "{what}: HTTP {}, not the expected JSON: {e}",
                reply.status.as_u16()
            ))
        })
    }

    /// A JSON call: sent, checked and parsed.
    async fn json<T: for<'de> Deserialize<'de>>(
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
    fn post_form(&self, url: Url, fields: &[(&str, &str)]) -> reqwest::RequestBuilder {
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

    async fn order_page(&self, query: &OrderQuery) -> Result<OrderPageJson> {
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
        if let Some(from) = query.created_from {
            params.push(("created_at[from]", rfc3339(from)));
        }
        if let Some(to) = query.created_to {
            params.push(("created_at[to]", rfc3339(to)));
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
    async fn find_order(
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

    async fn get_order(&self, id: &str) -> Result<OrderJson> {
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
    async fn checkout(&self, id: &str, coin: &Coin) -> Result<Option<OrderJson>> {
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
            if error.reason.as_deref() != Some("OrderNotFound") {
                tracing::info!(
                    order = id,
                    errors = %error.texts().join("; "),
                    "CoinGate refused checkout; using the hosted payment page"
                );
                return Ok(None);
            }
        }
        let what = format!("order {id}");
        self.check(&reply, &what)?;
        self.parse(&reply, &what).map(Some)
    }

    fn gateway_order(&self, order: &OrderJson, coin: &Coin) -> Result<GatewayOrder> {
        to_gateway_order(order, coin).map_err(|detail| self.protocol(format!("order: {detail}")))
    }
}

#[async_trait]
impl Gateway for CoinGateClient {
    fn kind(&self) -> GatewayKind {
        self.kind
    }

    /// `GET /currencies?kind=crypto&native=true&merchant_pay=true&enabled=true`
    /// (public): the coins a shop can be paid in, each offered on its first
    /// enabled platform, whose id checkout needs.
    async fn coins(&self) -> Result<Vec<Coin>> {
        #[derive(Deserialize)]
        struct Merchant {
            #[serde(default)]
            pay: Option<bool>,
        }
        #[derive(Deserialize)]
        struct Platform {
            #[serde(deserialize_with = "id_text")]
            id: String,
            #[serde(default)]
            title: Option<String>,
            #[serde(default)]
            enabled: Option<bool>,
        }
        #[derive(Deserialize)]
        struct CurrencyJson {
            #[serde(deserialize_with = "id_text")]
            id: String,
            #[serde(default)]
            title: Option<String>,
            symbol: String,
            #[serde(default)]
            disabled: Option<bool>,
            #[serde(default)]
            merchant: Option<Merchant>,
            #[serde(default)]
            platforms: Vec<Platform>,
        }
        let request = self.http.get(self.url("currencies")).query(&[
            ("kind", "crypto"),
            ("native", "true"),
            ("merchant_pay", "true"),
            ("enabled", "true"),
        ]);
        let currencies: Vec<CurrencyJson> = self
            .json(request, Auth::Public, "the currency list")
            .await?;
        Ok(currencies
            .into_iter()
            // The filters are asked for, and checked again here.
            .filter(|c| c.disabled != Some(true))
            .filter(|c| c.merchant.as_ref().and_then(|m| m.pay) != Some(false))
            .filter_map(|c| {
                let platform = c.platforms.iter().find(|p| p.enabled != Some(false))?;
                let currency = Currency::coin(&c.symbol);
                let title = c
                    .title
                    .clone()
                    .unwrap_or_else(|| currency.code().to_string());
                Some(Coin {
                    network: platform.title.clone().unwrap_or_else(|| title.clone()),
                    symbol: currency.code().to_string(),
                    decimals: currency.decimals(),
                    title,
                    gateway_id: format!("{}:{}", c.id, platform.id),
                })
            })
            .collect())
    }

    /// The fiat price divided by the merchant rate COIN -> FIAT, rounded up
    /// to the coin's smallest unit: the customer is never asked for less.
    async fn convert(&self, fiat: &Money, coin: &Coin) -> Result<Conversion> {
        let rate = self
            .merchant_rate(&coin.symbol, fiat.currency().code())
            .await?
            .ok_or_else(|| Error::GatewayRefused {
                gateway: self.name().to_string(),
                message: format!(
                    "it has no rate from {} to {} right now. Pick another coin.",
                    coin.symbol,
                    fiat.currency()
                ),
            })?;
        Ok(Conversion {
            // Exact and checked: a hostile rate is an error, not a panic.
            crypto: fiat.converted_up(rate, coin.currency())?,
            rate,
        })
    }

    async fn create_order(&self, request: &OrderRequest) -> Result<GatewayOrder> {
        let since = request.created_at - LOOKUP_MARGIN;
        let order = match self
            .find_order(&request.merchant_order_id, Some(since))
            .await?
        {
            // The listed form may lack details; the order itself has them all.
            Some(found) => {
                let id = found
                    .id
                    .clone()
                    .ok_or_else(|| self.protocol("a listed order has no id"))?;
                tracing::info!(order = %id, merchant_order = %request.merchant_order_id, "reusing the CoinGate order made before");
                self.get_order(&id).await?
            }
            None => {
                let title = clamp(&request.title, 3, 150, &request.merchant_order_id);
                let description = clamp(&request.description, 3, 500, &title);
                let price = request.fiat.to_fixed();
                let form = self.post_form(
                    self.url("orders"),
                    &[
                        ("order_id", &request.merchant_order_id),
                        ("price_amount", &price),
                        ("price_currency", request.fiat.currency().code()),
                        ("receive_currency", &self.receive_currency),
                        ("title", &title),
                        ("description", &description),
                    ],
                );
                self.json(form, Auth::Private, "the new order").await?
            }
        };
        let id = order
            .id
            .clone()
            .ok_or_else(|| self.protocol("the new order has no id"))?;
        // Only an order with no coin chosen yet needs checkout; one already
        // checked out (an earlier try whose answer was lost) is used as it is.
        let order = if order.status.as_deref() == Some("new") && order.address().is_none() {
            match self.checkout(&id, &request.coin).await? {
                Some(checkout) => order.overlay(checkout),
                None => order,
            }
        } else {
            order
        };
        let mut result = self.gateway_order(&order, &request.coin)?;
        // Before a coin is chosen CoinGate names no amount; the sale's own
        // conversion is what the customer is shown.
        if result.expected.is_none() {
            result.expected = Some(request.crypto.clone());
        }
        Ok(result)
    }

    /// `GET /orders/{id}`: CoinGate finds orders only by its own id. Without
    /// one (never recorded), the order is looked for by our merchant id.
    async fn order(&self, order: &OrderRef, coin: &Coin) -> Result<GatewayOrder> {
        let found = match &order.gateway_order_id {
            Some(id) => self.get_order(id).await?,
            None => {
                let listed = self
                    .find_order(&order.merchant_order_id, None)
                    .await?
                    .and_then(|o| o.id)
                    .ok_or_else(|| {
                        Error::NotFound(format!(
                            "{} has no order for sale {}.",
                            self.name(),
                            order.merchant_order_id
                        ))
                    })?;
                self.get_order(&listed).await?
            }
        };
        self.gateway_order(&found, coin)
    }

    /// `GET /auth/test` answers 200 for a good key (gateways.md).
    async fn test_key(&self) -> Result<()> {
        let reply = self
            .send(self.http.get(self.url("auth/test")), Auth::Private)
            .await?;
        self.check(&reply, "the key test")
    }

    /// `GET /ledger/accounts`, every page: one balance per account.
    async fn balances(&self) -> Result<Vec<Balance>> {
        #[derive(Deserialize)]
        struct CurrencyJson {
            symbol: String,
            #[serde(default)]
            title: Option<String>,
            #[serde(default)]
            kind: Option<String>,
        }
        #[derive(Deserialize)]
        struct Account {
            #[serde(default, deserialize_with = "opt_decimal")]
            balance: Option<Decimal>,
            #[serde(default)]
            title: Option<String>,
            #[serde(default)]
            account_type: Option<String>,
            currency: CurrencyJson,
        }
        #[derive(Deserialize)]
        struct Page {
            #[serde(default, deserialize_with = "opt_count")]
            total_pages: Option<u32>,
            #[serde(default)]
            accounts: Vec<Account>,
        }
        let mut balances = Vec::new();
        let mut page = 1;
        loop {
            let request = self.http.get(self.url("ledger/accounts")).query(&[
                ("page", page.to_string()),
                ("per_page", PAGE_SIZE.to_string()),
            ]);
            let answer: Page = self.json(request, Auth::Private, "the accounts").await?;
            let empty = answer.accounts.is_empty();
            for account in answer.accounts {
                let symbol = account.currency.symbol.trim().to_ascii_uppercase();
                let currency = if account.currency.kind.as_deref() == Some("fiat") {
                    Currency::fiat(&symbol).unwrap_or_else(|_| Currency::new(&symbol, 2))
                } else {
                    Currency::coin(&symbol)
                };
                let title = account
                    .title
                    .or(account.currency.title)
                    .unwrap_or_else(|| symbol.clone());
                let title = match account.account_type.as_deref() {
                    Some("secondary") if !title.to_lowercase().contains("secondary") => {
                        format!("{title} (secondary)")
                    }
                    _ => title,
                };
                balances.push(Balance {
                    coin: symbol,
                    title,
                    amount: exact_money(account.balance.unwrap_or_default(), currency),
                });
            }
            if empty || page >= answer.total_pages.unwrap_or(1).min(MAX_PAGES) {
                return Ok(balances);
            }
            page += 1;
        }
    }

    /// `GET /withdrawals`, every page. CoinGate documents no search
    /// parameter, so the search is done here, on address and transaction id.
    async fn withdrawals(&self, search: Option<&str>) -> Result<Vec<Withdrawal>> {
        #[derive(Deserialize)]
        struct Page {
            #[serde(default, deserialize_with = "opt_count")]
            total_pages: Option<u32>,
            #[serde(default)]
            withdrawals: Vec<HashMap<String, Box<RawValue>>>,
        }
        let mut withdrawals = Vec::new();
        let mut page = 1;
        loop {
            let request = self.http.get(self.url("withdrawals")).query(&[
                ("page", page.to_string()),
                ("per_page", PAGE_SIZE.to_string()),
            ]);
            let answer: Page = self.json(request, Auth::Private, "the withdrawals").await?;
            let empty = answer.withdrawals.is_empty();
            for record in &answer.withdrawals {
                withdrawals.push(
                    parse_withdrawal(record)
                        .map_err(|detail| self.protocol(format!("withdrawal: {detail}")))?,
                );
            }
            if empty || page >= answer.total_pages.unwrap_or(1).min(MAX_PAGES) {
                break;
            }
            page += 1;
        }
        if let Some(search) = search.map(str::trim).filter(|s| !s.is_empty()) {
            withdrawals.retain(|w| w.matches(search));
        }
        Ok(withdrawals)
    }

    /// CoinGate payouts (`POST /send_requests`) answer `draft` and must be
    /// confirmed with two-factor authentication in the dashboard
    /// (gateways.md, "Withdrawals"), which an app cannot do.
    async fn withdraw(&self, _request: &WithdrawRequest) -> Result<WithdrawReceipt> {
        Err(Error::NotAllowed(format!(
            "{} payouts cannot be sent from Cryptill: CoinGate asks for each payout to be \
             requested and confirmed with two-factor authentication in its dashboard. \
             Open the CoinGate dashboard, go to Payouts, and request it there.",
            self.name()
        )))
    }
}

/// CoinGate statuses to Cryptill's sale states (gateways.md, "Statuses"):
///
/// | CoinGate status      | amounts               | sale state |
/// |----------------------|-----------------------|------------|
/// | `new`                |                       | Awaiting   |
/// | `pending`            | `underpaid_amount` = 0| Awaiting   |
/// | `pending`            | `underpaid_amount` > 0| Underpaid  |
/// | `confirming`         |                       | Confirming |
/// | `paid`               | `overpaid_amount` = 0 | Paid       |
/// | `paid`               | `overpaid_amount` > 0 | Overpaid   |
/// | `invalid`            |                       | Invalid    |
/// | `expired`            |                       | Expired    |
/// | `canceled`           |                       | Canceled   |
/// | `refunded`           |                       | Refunded   |
/// | `partially_refunded` |                       | Refunded   |
///
/// `new` has no coin chosen yet, `pending` awaits the payment (the shopper
/// may top up an underpayment before expiry). `None` for a status CoinGate
/// does not document.
pub fn coingate_state(status: &str, underpaid: Decimal, overpaid: Decimal) -> Option<SaleState> {
    Some(match status {
        "new" => SaleState::Awaiting,
        "pending" if underpaid > Decimal::ZERO => SaleState::Underpaid,
        "pending" => SaleState::Awaiting,
        "confirming" => SaleState::Confirming,
        "paid" if overpaid > Decimal::ZERO => SaleState::Overpaid,
        "paid" => SaleState::Paid,
        "invalid" => SaleState::Invalid,
        "expired" => SaleState::Expired,
        "canceled" => SaleState::Canceled,
        "refunded" | "partially_refunded" => SaleState::Refunded,
        _ => return None,
    })
}

/// Coin ids are `<currency id>:<platform id>` (see [`Coin::gateway_id`]).
fn split_gateway_id(id: &str) -> Option<(&str, &str)> {
    id.split_once(':').filter(|(_, p)| !p.is_empty())
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Text within CoinGate's length bounds (title 3..150, description 3..500
/// characters, gateways.md "Create order"): cut at `max` characters, and
/// `fallback` when too short.
fn clamp(text: &str, min: usize, max: usize, fallback: &str) -> String {
    let text = text.trim();
    let text = if text.chars().count() < min {
        fallback.trim()
    } else {
        text
    };
    let mut text: String = text.chars().take(max).collect();
    while text.chars().count() < min {
        text.push('.');
    }
    text
}

/// Whether a 2xx body is an answer rather than an error: answers carry an
/// `id` or a list; error bodies carry neither.
fn has_id(body: &[u8]) -> bool {
    serde_json::from_slice::<HashMap<String, Box<RawValue>>>(body).is_ok_and(|fields| {
        ["id", "orders", "accounts", "withdrawals", "ping"]
            .iter()
            .any(|k| fields.contains_key(*k))
    })
}

fn summary(order: &OrderJson) -> OrderSummary {
    let status = order.status.clone().unwrap_or_default();
    OrderSummary {
        id: order.id.clone().unwrap_or_default(),
        merchant_order_id: order.order_id.clone(),
        state: coingate_state(
            &status,
            order.underpaid_amount.unwrap_or_default(),
            order.overpaid_amount.unwrap_or_default(),
        ),
        status,
        created_at: order.created_at.as_deref().and_then(parse_time),
    }
}

fn to_gateway_order(order: &OrderJson, coin: &Coin) -> Result<GatewayOrder, String> {
    let id = order.id.clone().ok_or("id is missing")?;
    let status = order.status.as_deref().ok_or("status is missing")?;
    let underpaid = order.underpaid_amount.unwrap_or_default();
    let overpaid = order.overpaid_amount.unwrap_or_default();
    let state =
        coingate_state(status, underpaid, overpaid).ok_or(format!("unknown status '{status}'"))?;
    let currency = coin.currency();
    // Amounts are in the pay currency (gateways.md, "Get order"); they count
    // for the sale only when that is the sale's coin.
    let same_coin = order
        .pay_currency
        .as_deref()
        .is_some_and(|c| c.trim().eq_ignore_ascii_case(&coin.symbol));
    let expected = order
        .pay_amount
        .filter(|_| same_coin)
        .map(|a| Money::new_rounded_up(a, currency.clone()));
    let transactions = order.blockchain_transactions.clone().unwrap_or_default();
    let sent: Option<Decimal> = transactions
        .iter()
        .map(|t| t.amount)
        .sum::<Option<Decimal>>()
        .filter(|_| same_coin && !transactions.is_empty());
    let expected_amount = expected.as_ref().map(Money::amount).unwrap_or_default();
    let paid = sent.unwrap_or(match state {
        SaleState::Underpaid => (expected_amount - underpaid).max(Decimal::ZERO),
        SaleState::Confirming | SaleState::Paid | SaleState::Overpaid | SaleState::Refunded => {
            expected_amount + overpaid
        }
        _ => Decimal::ZERO,
    });
    let address = order.address().unwrap_or_default().to_string();
    let request_uri = order
        .payment_request_uri
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty());
    let hosted = order
        .payment_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty());
    // No address: checkout was refused (or not done), and the QR opens the
    // hosted page (gateways.md, "Checkout": "falls back ..., and says so").
    let (payment_uri, notice) = match (request_uri, address.is_empty(), hosted) {
        (Some(uri), _, _) => (Some(uri.to_string()), None),
        (None, true, Some(url)) => (Some(url.to_string()), Some(HOSTED_PAGE_NOTICE.to_string())),
        _ => (None, None),
    };
    Ok(GatewayOrder {
        gateway_order_id: id,
        merchant_order_id: order.order_id.clone().unwrap_or_default(),
        state,
        expected,
        paid: Money::new(paid, currency),
        address,
        payment_uri,
        expires_at: order.expire_at.as_deref().and_then(parse_time),
        confirmations: transactions
            .iter()
            .filter_map(|t| t.network_confirmations)
            .max()
            .unwrap_or(0),
        // CoinGate does not say how many confirmations it waits for.
        required_confirmations: 0,
        transaction_id: transactions.iter().find_map(|t| t.txid.clone()),
        notice,
    })
}

/// A withdrawal from `GET /withdrawals`: `{id, status, amount, created_at,
/// completed_at, currency, payout_setting}` (gateways.md). `currency` may be
/// an object or a symbol; the address, if any, is in `payout_setting`.
fn parse_withdrawal(record: &HashMap<String, Box<RawValue>>) -> Result<Withdrawal, String> {
    type Object = HashMap<String, Box<RawValue>>;
    let text = |o: &Object, k: &str| o.get(k).and_then(|v| raw_text(v));
    let object = |o: &Object, k: &str| {
        o.get(k)
            .and_then(|v| serde_json::from_str::<Object>(v.get()).ok())
    };
    let coin = text(record, "currency")
        .or_else(|| object(record, "currency").and_then(|c| text(&c, "symbol")))
        .unwrap_or_default()
        .to_ascii_uppercase();
    let payout = object(record, "payout_setting");
    let address = text(record, "address").or_else(|| {
        payout.as_ref().and_then(|p| {
            ["address", "crypto_address", "wallet_address"]
                .iter()
                .find_map(|k| text(p, k))
        })
    });
    Ok(Withdrawal {
        id: text(record, "id").ok_or("id is missing")?,
        amount: record
            .get("amount")
            .and_then(|v| decimal_from_raw(v))
            .map(|a| exact_money(a, Currency::coin(&coin))),
        coin,
        address,
        transaction_id: ["txid", "transaction_id", "blockchain_transaction_id"]
            .iter()
            .find_map(|k| text(record, k)),
        status: text(record, "status").unwrap_or_else(|| "unknown".into()),
        confirmations: None,
        created_at: text(record, "created_at").and_then(|t| parse_time(&t)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn every_documented_status_maps_to_one_sale_state() {
        let zero = Decimal::ZERO;
        let some = d("0.0001");
        let cases = [
            ("new", zero, zero, SaleState::Awaiting),
            ("new", some, zero, SaleState::Awaiting),
            ("pending", zero, zero, SaleState::Awaiting),
            ("pending", some, zero, SaleState::Underpaid),
            ("confirming", zero, zero, SaleState::Confirming),
            ("paid", zero, zero, SaleState::Paid),
            ("paid", zero, some, SaleState::Overpaid),
            ("invalid", zero, zero, SaleState::Invalid),
            ("expired", zero, zero, SaleState::Expired),
            ("expired", some, zero, SaleState::Expired),
            ("canceled", zero, zero, SaleState::Canceled),
            ("refunded", zero, zero, SaleState::Refunded),
            ("partially_refunded", zero, zero, SaleState::Refunded),
        ];
        for (status, underpaid, overpaid, state) in cases {
            assert_eq!(
                coingate_state(status, underpaid, overpaid),
                Some(state),
                "{status} underpaid {underpaid} overpaid {overpaid}"
            );
        }
        assert_eq!(coingate_state("PAID", zero, zero), None);
        assert_eq!(coingate_state("cancelled", zero, zero), None);
    }

    #[test]
    fn errors_in_every_documented_shape_are_read() {
        let texts = |json: &str| serde_json::from_str::<ApiError>(json).unwrap().texts();
        assert_eq!(
            texts(
                r#"{"message":"Order is not valid","reason":"OrderIsNotValid","errors":["Price amount is not a number","Title is too short"]}"#
            ),
            ["Price amount is not a number", "Title is too short"]
        );
        assert_eq!(
            texts(
                r#"{"message":"x","reason":"OrderIsNotValid","errors":"Receive currency is invalid"}"#
            ),
            ["Receive currency is invalid"]
        );
        assert_eq!(
            texts(
                r#"{"message":"x","reason":"OrderIsNotValid","errors":{"price_amount":["is missing"]}}"#
            ),
            ["price_amount: is missing"]
        );
        assert_eq!(
            texts(r#"{"message":"Order not found","reason":"OrderNotFound"}"#),
            ["Order not found"]
        );
    }

    fn btc() -> Coin {
        Coin {
            symbol: "BTC".into(),
            title: "Bitcoin".into(),
            network: "Bitcoin".into(),
            decimals: 8,
            gateway_id: "1:2".into(),
        }
    }

    fn order(json: &str) -> OrderJson {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_checked_out_order_gives_address_amount_and_uri() {
        let base = order(
            r#"{"id": 1780, "status": "new", "order_id": "ct-a-1", "price_amount": "12.50",
                "price_currency": "EUR", "payment_url": "https://pay.coingate.com/invoice/x",
                "underpaid_amount": "0", "overpaid_amount": "0", "created_at": "2026-11-21T13:00:00+00:00"}"#,
        );
        let checkout = order(
            r#"{"id": 1780, "status": "pending", "pay_currency": "BTC", "pay_amount": "0.000215517241",
                "payment_address": "tb1qxyz", "expire_at": "2026-11-21T13:20:00+00:00",
                "payment_request_uri": "bitcoin:tb1qxyz?amount=0.00021552"}"#,
        );
        let o = to_gateway_order(&base.overlay(checkout), &btc()).unwrap();
        assert_eq!(o.gateway_order_id, "1780");
        assert_eq!(o.merchant_order_id, "ct-a-1");
        assert_eq!(o.state, SaleState::Awaiting);
        // Never asks for less than CoinGate computed.
        assert_eq!(o.expected.unwrap().to_fixed(), "0.00021552");
        assert_eq!(o.address, "tb1qxyz");
        assert_eq!(
            o.payment_uri.as_deref(),
            Some("bitcoin:tb1qxyz?amount=0.00021552")
        );
        assert_eq!(o.notice, None);
        assert_eq!(
            o.expires_at.unwrap().to_rfc3339(),
            "2026-11-21T13:20:00+00:00"
        );
    }

    #[test]
    fn without_an_address_the_qr_opens_the_hosted_page_and_says_so() {
        let o = to_gateway_order(
            &order(
                r#"{"id": "7", "status": "new", "order_id": 12, "payment_url": "https://pay.coingate.com/invoice/x"}"#,
            ),
            &btc(),
        )
        .unwrap();
        assert_eq!(
            o.payment_uri.as_deref(),
            Some("https://pay.coingate.com/invoice/x")
        );
        assert_eq!(o.notice.as_deref(), Some(HOSTED_PAGE_NOTICE));
        assert_eq!(o.expected, None);
        assert_eq!(o.merchant_order_id, "12");
    }

    #[test]
    fn paid_amounts_follow_transactions_or_the_underpayment() {
        let o = to_gateway_order(
            &order(
                r#"{"id": 1, "status": "pending", "pay_currency": "btc", "pay_amount": "0.001",
                    "payment_address": "tb1q", "underpaid_amount": "0.0004",
                    "blockchain_transactions": null}"#,
            ),
            &btc(),
        )
        .unwrap();
        assert_eq!(o.state, SaleState::Underpaid);
        assert_eq!(o.paid.to_fixed(), "0.00060000");
        let o = to_gateway_order(
            &order(
                r#"{"id": 1, "status": "paid", "pay_currency": "BTC", "pay_amount": "0.001",
                    "payment_address": "tb1q", "overpaid_amount": "0.0001",
                    "blockchain_transactions": [{"txid": "ab12", "amount": "0.0011", "network_confirmations": "3"}]}"#,
            ),
            &btc(),
        )
        .unwrap();
        assert_eq!(o.state, SaleState::Overpaid);
        assert_eq!(o.paid.to_fixed(), "0.00110000");
        assert_eq!(o.transaction_id.as_deref(), Some("ab12"));
        assert_eq!(o.confirmations, 3);
    }

    #[test]
    fn an_unknown_status_is_a_protocol_error_not_a_guess() {
        let err = to_gateway_order(&order(r#"{"id": 1, "status": "teleported"}"#), &btc());
        assert!(err.unwrap_err().contains("teleported"));
    }

    #[test]
    fn titles_and_descriptions_fit_coingate_bounds() {
        assert_eq!(clamp("ab", 3, 150, "Sale ct-1"), "Sale ct-1");
        assert_eq!(clamp("", 3, 150, "x"), "x..");
        let long = "é".repeat(600);
        assert_eq!(clamp(&long, 3, 500, "x").chars().count(), 500);
    }

    #[test]
    fn withdrawals_read_currency_as_object_or_symbol() {
        let record: HashMap<String, Box<RawValue>> = serde_json::from_str(
            r#"{"id": 5, "status": "completed", "amount": "0.5", "created_at": "2026-01-02T03:04:05+00:00",
                "currency": {"id": 1, "symbol": "btc"}, "payout_setting": {"id": 3, "address": "bc1qq"}}"#,
        )
        .unwrap();
        let w = parse_withdrawal(&record).unwrap();
        assert_eq!((w.id.as_str(), w.coin.as_str()), ("5", "BTC"));
        assert_eq!(w.amount.unwrap().to_fixed(), "0.50000000");
        assert_eq!(w.address.as_deref(), Some("bc1qq"));
        let record: HashMap<String, Box<RawValue>> = serde_json::from_str(
            r#"{"id": "6", "status": "pending", "amount": 2, "currency": "EUR"}"#,
        )
        .unwrap();
        assert_eq!(parse_withdrawal(&record).unwrap().coin, "EUR");
    }

    fn judge(status: u16, body: &str) -> (CoinGateClient, Result<()>) {
        let client = CoinGateClient::new(
            GatewayKind::Coingate,
            LIVE_BASE_URL,
            Sensitive::new("k".into()),
        )
        .unwrap();
        let reply = Reply {
            status: StatusCode::from_u16(status).unwrap(),
            headers: HeaderMap::new(),
            body: body.as_bytes().to_vec(),
        };
        let verdict = client.check(&reply, "order 7");
        (client, verdict)
    }

    #[test]
    fn answers_are_judged_by_status_and_reason() {
        assert!(judge(200, r#"{"id": 7, "status": "new"}"#).1.is_ok());
        assert!(judge(200, "7469.5").1.is_ok());
        assert!(matches!(
            judge(
                401,
                r#"{"message":"Auth Token is not valid","reason":"BadAuthToken"}"#
            )
            .1,
            Err(Error::GatewayAuth { .. })
        ));
        let (_, not_found) = judge(
            404,
            r#"{"message":"Order not found","reason":"OrderNotFound"}"#,
        );
        assert_eq!(
            not_found.unwrap_err().to_string(),
            "CoinGate does not know order 7 (Order not found). Check it in the CoinGate dashboard."
        );
        assert!(matches!(
            judge(422, r#"{"message":"x","reason":"OrderNotFound"}"#).1,
            Err(Error::NotFound(_))
        ));
        match judge(
            422,
            r#"{"message":"Order is not valid","reason":"OrderIsNotValid","errors":["Order limit exceeded (contact support to increase)"]}"#,
        )
        .1
        {
            Err(Error::GatewayRefused { message, .. }) => {
                assert!(message.starts_with("Order limit exceeded (contact support to increase)."));
                assert!(message.contains("at most 500 orders per hour"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            judge(503, "<html>down</html>").1,
            Err(Error::GatewayDown { status: 503, .. })
        ));
        assert!(matches!(
            judge(400, "").1,
            Err(Error::GatewayRefused { message, .. }) if message == "HTTP 400"
        ));
    }

    #[test]
    fn an_error_inside_a_200_is_still_an_error() {
        assert!(matches!(
            judge(
                200,
                r#"{"message":"Something went wrong","reason":"InternalServerError"}"#
            )
            .1,
            Err(Error::GatewayDown { status: 500, .. })
        ));
        assert!(matches!(
            judge(200, r#"{"message":"Bad","reason":"BadCredentials"}"#).1,
            Err(Error::GatewayAuth { .. })
        ));
    }

    #[test]
    fn a_429_holds_every_call_back_for_the_delay_asked() {
        let (client, verdict) = judge(
            429,
            r#"{"message":"API request limit is exceeded","reason":"RateLimitExceeded"}"#,
        );
        assert!(matches!(verdict, Err(Error::GatewayRateLimited { .. })));
        let until = client.backoff_until.lock().unwrap().unwrap();
        let left = until - Instant::now();
        assert!(
            left > Duration::from_secs(55) && left <= DEFAULT_BACKOFF,
            "{left:?}"
        );
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("5"));
        client.back_off(&headers);
        let left = client.backoff_until.lock().unwrap().unwrap() - Instant::now();
        assert!(left <= Duration::from_secs(5), "{left:?}");
    }

    #[test]
    fn a_key_that_cannot_be_a_header_is_refused_up_front() {
        let err = CoinGateClient::new(
            GatewayKind::Coingate,
            LIVE_BASE_URL,
            Sensitive::new("abc\ndef".into()),
        )
        .err()
        .unwrap();
        assert!(!err.to_string().contains("abc"), "{err}");
    }
}
