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
/// How far before the sale's own creation time an earlier order for it is
/// looked for. The filter takes whole days (gateways.md, Round 2) in a zone
/// CoinGate does not name, so a day before covers any zone and any skew
/// between the laptop's clock and CoinGate's.
const LOOKUP_MARGIN: chrono::Duration = chrono::Duration::days(1);
/// A failed lookup is asked again this many times before the charge fails
/// (and the cashier's Retry looks again): a failed lookup never creates.
const LOOKUP_ATTEMPTS: u32 = 3;
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
    #[serde(default, deserialize_with = "opt_decimal")]
    price_amount: Option<Decimal>,
    #[serde(default)]
    price_currency: Option<String>,
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
            price_amount,
            price_currency,
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
    /// Any other 422 (gateways.md, Round 2: "an order already settled or not
    /// valid") is an error in its own words.
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

    fn mismatch(&self, detail: String) -> Error {
        tracing::warn!(gateway = self.name(), %detail, "refused an answer that does not match the request");
        Error::GatewayMismatch {
            gateway: self.name().to_string(),
            detail,
        }
    }

    /// The order answer must be the order of this request: our `order_id`,
    /// the sale's price and currency (issue #8).
    fn check_matches(&self, order: &OrderJson, request: &OrderRequest) -> Result<()> {
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
    async fn find_order_retrying(
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
    /// (public): the coins a shop can be paid in, one entry per enabled
    /// platform (network), whose id checkout needs. gateways.md, Round 2: a
    /// currency may be payable on several platforms, listed in no useful
    /// order (the documented ETH lists Binance Chain first), so each coin's
    /// entries start with its own chain, found by `id_name`/title, never by
    /// position; see [`own_chain_first`].
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
            id_name: Option<String>,
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
            .flat_map(|c| {
                let currency = Currency::coin(&c.symbol);
                let title = c
                    .title
                    .clone()
                    .unwrap_or_else(|| currency.code().to_string());
                let platforms: Vec<(String, String, String)> = c
                    .platforms
                    .iter()
                    .filter(|p| p.enabled != Some(false))
                    .map(|p| {
                        let id_name = p.id_name.clone().unwrap_or_default();
                        let network = p
                            .title
                            .clone()
                            .filter(|t| !t.trim().is_empty())
                            .or_else(|| Some(id_name.clone()).filter(|n| !n.is_empty()))
                            .unwrap_or_else(|| title.clone());
                        (p.id.clone(), id_name, network)
                    })
                    .collect();
                own_chain_first(&currency, &title, platforms)
                    .into_iter()
                    .map(|(platform_id, _, network)| Coin {
                        network,
                        symbol: currency.code().to_string(),
                        decimals: currency.decimals(),
                        title: title.clone(),
                        gateway_id: format!("{}:{platform_id}", c.id),
                    })
                    .collect::<Vec<_>>()
            })
            .collect())
    }

    /// The fiat price divided by the merchant rate COIN -> FIAT, rounded up
    /// to the coin's smallest unit: the customer is never asked for less.
    async fn convert(&self, fiat: &Money, coin: &Coin) -> Result<Conversion> {
        let rate: Decimal = self
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
        // Checked: a rate of 1e-28 must be refused, not overflow (issue #8).
        super::checked_conversion(fiat, coin, fiat.amount().checked_div(rate))
            .map_err(|detail| super::price_looks_wrong(self.name(), coin, detail))?;
        Ok(Conversion {
            // Exact: Decimal's own division keeps 28 digits and could come
            // out a unit short (docs/reliability.md, "Money").
            crypto: fiat.converted_up(rate, coin.currency())?,
            rate,
        })
    }

    async fn create_order(&self, request: &OrderRequest) -> Result<GatewayOrder> {
        // The window starts from the sale's own creation time, not the
        // till's clock now: a retry hours later still finds the order.
        let since = request.created_at - LOOKUP_MARGIN;
        let order = match self
            .find_order_retrying(&request.merchant_order_id, Some(since))
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
        self.check_matches(&order, request)?;
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

/// CoinGate statuses to Cryptill's sale states (gateways.md, "Statuses"
/// and Round 2):
///
/// | CoinGate status      | money                                   | sale state |
/// |----------------------|-----------------------------------------|------------|
/// | `new`                |                                         | Awaiting   |
/// | `pending`            | nothing arrived                         | Awaiting   |
/// | `pending`            | arrived, short of `pay_amount`          | Underpaid  |
/// | `confirming`         |                                         | Confirming |
/// | `paid`               | `overpaid_amount` = 0                   | Paid       |
/// | `paid`               | `overpaid_amount` > 0                   | Overpaid   |
/// | `invalid`            |                                         | Invalid    |
/// | `expired`            |                                         | Expired    |
/// | `canceled`           |                                         | Canceled   |
/// | `refunded`           |                                         | Refunded   |
/// | `partially_refunded` |                                         | Refunded   |
///
/// Round 2: on a `pending` order `underpaid_amount` is NOT "money still
/// missing after a part payment": every documented fresh order carries
/// `underpaid_amount == pay_amount`. Money has arrived only when
/// `blockchain_transactions` is non-empty (`money_arrived`) or
/// `0 < underpaid_amount < pay_amount`. `None` for a status CoinGate does
/// not document.
pub fn coingate_state(
    status: &str,
    underpaid: Decimal,
    overpaid: Decimal,
    pay_amount: Option<Decimal>,
    money_arrived: bool,
) -> Option<SaleState> {
    let part_paid = underpaid > Decimal::ZERO && pay_amount.is_some_and(|pay| underpaid < pay);
    Some(match status {
        "new" => SaleState::Awaiting,
        "pending" if money_arrived || part_paid => SaleState::Underpaid,
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

/// A currency's platforms (id, id_name, title) with the coin's own chain
/// first: the one whose `id_name` or title is the coin's name or symbol
/// (ETH -> "Ethereum", BTC -> "Bitcoin"). A token with no chain of its own
/// (USDT, ...) prefers Ethereum, then keeps CoinGate's order; the owner
/// picks another network per coin in Settings.
fn own_chain_first(
    currency: &Currency,
    title: &str,
    platforms: Vec<(String, String, String)>,
) -> Vec<(String, String, String)> {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase()
    };
    let names = [norm(title), norm(currency.code())];
    let own = |(_, id_name, network): &(String, String, String)| {
        let (id_name, network) = (norm(id_name), norm(network));
        names
            .iter()
            .any(|n| !n.is_empty() && (*n == id_name || *n == network))
    };
    let ethereum = |(_, id_name, network): &(String, String, String)| {
        norm(id_name) == "ethereum" || norm(network) == "ethereum"
    };
    let mut ordered = platforms;
    let first = ordered
        .iter()
        .position(own)
        .or_else(|| ordered.iter().position(ethereum));
    if let Some(first) = first {
        let own = ordered.remove(first);
        ordered.insert(0, own);
    }
    ordered
}

/// Whether a checkout 422 says this merchant may not use checkout at all
/// (gateways.md: "Only merchants that CoinGate has enabled may call it")
/// rather than something about this order. The wording is not published;
/// it is recognised by what it is about.
fn checkout_not_enabled(texts: &[String]) -> bool {
    texts.iter().any(|t| {
        let t = t.to_ascii_lowercase();
        (t.contains("checkout") || t.contains("merchant"))
            && (t.contains("not enabled")
                || t.contains("not allowed")
                || t.contains("not permitted")
                || t.contains("disabled"))
    })
}

/// Coin ids are `<currency id>:<platform id>` (see [`Coin::gateway_id`]).
fn split_gateway_id(id: &str) -> Option<(&str, &str)> {
    id.split_once(':').filter(|(_, p)| !p.is_empty())
}

/// A day as CoinGate's list filters take it: `YYYY-MM-DD` (UTC).
fn day(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
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
            order.pay_amount,
            order
                .blockchain_transactions
                .as_ref()
                .is_some_and(|t| !t.is_empty()),
        ),
        status,
        created_at: order.created_at.as_deref().and_then(parse_time),
    }
}

fn to_gateway_order(order: &OrderJson, coin: &Coin) -> Result<GatewayOrder, String> {
    let id = order.id.clone().ok_or("id is missing")?;
    let status = order.status.as_deref().ok_or("status is missing")?;
    // Every number a gateway sends is checked before any arithmetic: a
    // negative or absurd amount is refused, never computed with (issue #8).
    let amount = |name: &str, value: Option<Decimal>| -> Result<Decimal, String> {
        match value {
            Some(v) if !super::sane_amount(v) => Err(format!("{name} is out of range: {v}")),
            v => Ok(v.unwrap_or_default()),
        }
    };
    let underpaid = amount("underpaid_amount", order.underpaid_amount)?;
    let overpaid = amount("overpaid_amount", order.overpaid_amount)?;
    let pay_amount = order
        .pay_amount
        .map(|p| amount("pay_amount", Some(p)))
        .transpose()?;
    let transactions = order.blockchain_transactions.clone().unwrap_or_default();
    for t in &transactions {
        amount("a transaction amount", t.amount)?;
    }
    let state = coingate_state(
        status,
        underpaid,
        overpaid,
        pay_amount,
        !transactions.is_empty(),
    )
    .ok_or(format!(
        "unknown status '{}'",
        super::address::shown(status)
    ))?;
    let currency = coin.currency();
    // Amounts are in the pay currency (gateways.md, "Get order"); they count
    // for the sale only when that is the sale's coin.
    let same_coin = order
        .pay_currency
        .as_deref()
        .is_some_and(|c| c.trim().eq_ignore_ascii_case(&coin.symbol));
    let expected = pay_amount
        .filter(|_| same_coin)
        .map(|a| Money::new_rounded_up(a, currency.clone()));
    let sent: Option<Decimal> = transactions
        .iter()
        .try_fold(Decimal::ZERO, |sum, t| sum.checked_add(t.amount?))
        .filter(|_| same_coin && !transactions.is_empty());
    let expected_amount = expected.as_ref().map(Money::amount).unwrap_or_default();
    let paid = match sent {
        Some(sent) => sent,
        None => match state {
            // No transaction listed: what arrived is what is no longer missing.
            SaleState::Underpaid if underpaid < expected_amount => expected_amount - underpaid,
            SaleState::Confirming | SaleState::Paid | SaleState::Overpaid | SaleState::Refunded => {
                expected_amount + overpaid // both at most MAX_AMOUNT: no overflow
            }
            _ => Decimal::ZERO,
        },
    };
    let address = order.address().unwrap_or_default().to_string();
    if !address.is_empty() {
        super::address::check(&address, &coin.network, &coin.symbol).map_err(|why| {
            format!(
                "the payment address '{}' was refused: {why}",
                super::address::shown(&address)
            )
        })?;
    }
    let request_uri = order
        .payment_request_uri
        .as_deref()
        .map(str::trim)
        .filter(|u| super::address::safe_payment_uri(u, &address));
    // The hosted page is a web page at CoinGate: only a link that is safe
    // to open.
    let hosted = order.payment_url.as_deref().map(str::trim).filter(|u| {
        // https://, or http:// only on this computer (the sandbox).
        super::http::check_base_url(u).is_ok()
            && u.len() <= 512
            && !u.chars().any(|c| c.is_whitespace() || c.is_control())
    });
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

/// Every parser of this client over one answer text, for the property
/// tests: whatever it is, each returns (a value or an error).
#[cfg(test)]
pub(crate) fn parse_any(text: &str, coin: &Coin) {
    if let Ok(order) = serde_json::from_str::<OrderJson>(text) {
        let _ = to_gateway_order(&order, coin);
        let _ = summary(&order);
        let _ = order.clone().overlay(order);
    }
    if let Ok(page) = serde_json::from_str::<OrderPageJson>(text) {
        for order in &page.orders {
            let _ = summary(order);
            let _ = to_gateway_order(order, coin);
        }
    }
    if let Ok(error) = serde_json::from_str::<ApiError>(text) {
        let texts = error.texts();
        let _ = checkout_not_enabled(&texts);
    }
    if let Ok(record) = serde_json::from_str::<HashMap<String, Box<RawValue>>>(text) {
        let _ = parse_withdrawal(&record);
    }
    let _ = has_id(text.as_bytes());
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
        let pay = Some(d("0.001"));
        // (status, underpaid, overpaid, pay_amount, money arrived, state)
        let cases = [
            ("new", zero, zero, None, false, SaleState::Awaiting),
            ("new", some, zero, None, false, SaleState::Awaiting),
            ("pending", zero, zero, pay, false, SaleState::Awaiting),
            // Round 2: a fresh order carries underpaid_amount == pay_amount.
            ("pending", d("0.001"), zero, pay, false, SaleState::Awaiting),
            // No pay_amount to compare with and no transaction: nothing arrived.
            ("pending", some, zero, None, false, SaleState::Awaiting),
            ("pending", some, zero, pay, false, SaleState::Underpaid),
            ("pending", d("0.001"), zero, pay, true, SaleState::Underpaid),
            ("confirming", zero, zero, pay, true, SaleState::Confirming),
            ("paid", zero, zero, pay, true, SaleState::Paid),
            ("paid", d("0.001"), zero, pay, false, SaleState::Paid),
            ("paid", zero, some, pay, true, SaleState::Overpaid),
            ("invalid", zero, zero, pay, false, SaleState::Invalid),
            ("expired", zero, zero, pay, false, SaleState::Expired),
            ("expired", some, zero, pay, true, SaleState::Expired),
            ("canceled", zero, zero, None, false, SaleState::Canceled),
            ("refunded", zero, zero, pay, true, SaleState::Refunded),
            (
                "partially_refunded",
                zero,
                zero,
                pay,
                true,
                SaleState::Refunded,
            ),
        ];
        for (status, underpaid, overpaid, pay, arrived, state) in cases {
            assert_eq!(
                coingate_state(status, underpaid, overpaid, pay, arrived),
                Some(state),
                "{status} underpaid {underpaid} overpaid {overpaid} pay {pay:?} arrived {arrived}"
            );
        }
        assert_eq!(coingate_state("PAID", zero, zero, None, false), None);
        assert_eq!(coingate_state("cancelled", zero, zero, None, false), None);
    }

    // ---- the documented example shapes (gateways.md, Round 2) ----------------

    /// A testnet P2SH address, as the documented examples use.
    const DOC_ADDRESS: &str = "2MzyF5xtm2GRHvS3tRM2s7XrS1b8ukzAS1c";

    /// The checkout answer as documented: `pending`, a coin and address
    /// chosen, nothing paid, and `underpaid_amount` equal to `pay_amount`.
    fn documented_checkout_answer() -> String {
        format!(
            r#"{{"id": 1781, "status": "pending", "do_not_convert": false,
                "orderable_type": "ApiApp", "orderable_id": 4207,
                "price_currency": "EUR", "price_amount": "10.0",
                "pay_currency": "BTC", "pay_amount": "0.000253",
                "lightning_network": false, "receive_currency": "EUR", "receive_amount": "0",
                "created_at": "2023-04-17T08:03:55+00:00", "expire_at": "2023-04-17T08:23:55+00:00",
                "payment_address": "{DOC_ADDRESS}", "order_id": "115",
                "payment_url": "https://pay-sandbox.coingate.com/invoice/4949cf0a",
                "underpaid_amount": "0.000253", "overpaid_amount": "0",
                "is_refundable": false, "refunds": [], "voids": [], "fees": [],
                "blockchain_transactions": [],
                "payment_request_uri": "bitcoin:{DOC_ADDRESS}?amount=0.000253",
                "conversion_rate": "39525.69"}}"#
        )
    }

    #[test]
    fn the_documented_fresh_checkout_answer_is_awaiting_not_underpaid() {
        let o = to_gateway_order(&order(&documented_checkout_answer()), &btc()).unwrap();
        assert_eq!(o.state, SaleState::Awaiting);
        assert_eq!(o.paid.amount(), Decimal::ZERO);
        assert_eq!(o.expected.unwrap().to_fixed(), "0.00025300");
        assert_eq!(o.address, DOC_ADDRESS);
        assert_eq!(
            o.payment_uri.as_deref(),
            Some(format!("bitcoin:{DOC_ADDRESS}?amount=0.000253").as_str())
        );
    }

    #[test]
    fn the_documented_get_order_of_an_unpaid_order_is_awaiting() {
        // Get-order documents the same fields plus paid_at, fees and the
        // transactions; unpaid, underpaid_amount still equals pay_amount and
        // `blockchain_transactions` may be absent altogether.
        let json = documented_checkout_answer()
            .replace(r#""blockchain_transactions": [],"#, r#""paid_at": null,"#);
        let o = to_gateway_order(&order(&json), &btc()).unwrap();
        assert_eq!(o.state, SaleState::Awaiting);
        assert_eq!(o.paid.amount(), Decimal::ZERO);
    }

    #[test]
    fn the_documented_order_list_shows_its_unpaid_order_as_awaiting() {
        let page: OrderPageJson = serde_json::from_str(&format!(
            r#"{{"current_page": 1, "per_page": 1, "total_orders": 1, "total_pages": 1,
                "orders": [{}]}}"#,
            documented_checkout_answer()
        ))
        .unwrap();
        let listed = summary(&page.orders[0]);
        assert_eq!(listed.state, Some(SaleState::Awaiting));
        assert_eq!(listed.merchant_order_id.as_deref(), Some("115"));
    }

    #[test]
    fn both_documented_paid_callbacks_are_paid_in_full() {
        // The two documented `paid` callbacks also carry underpaid_amount ==
        // pay_amount; a paid order is paid, whatever that field says.
        for receive in ["EUR", "DO_NOT_CONVERT"] {
            let callback = format!(
                r#"{{"id": 343, "order_id": "115", "status": "paid", "pay_amount": "0.000253",
                    "pay_currency": "BTC", "price_amount": "10.0", "price_currency": "EUR",
                    "receive_currency": "{receive}", "receive_amount": "9.9",
                    "created_at": "2023-04-17T08:03:55+00:00", "token": "ad7a4a3a",
                    "underpaid_amount": "0.000253", "overpaid_amount": "0",
                    "is_refundable": false}}"#
            );
            let o = to_gateway_order(&order(&callback), &btc()).unwrap();
            assert_eq!(o.state, SaleState::Paid, "{receive}");
            assert_eq!(o.paid, o.expected.clone().unwrap(), "{receive}");
        }
    }

    #[test]
    fn the_documented_binance_checkout_with_underpaid_zero_is_awaiting() {
        let usdt = Coin {
            symbol: "USDT".into(),
            title: "Tether".into(),
            network: "Binance Pay".into(),
            decimals: 6,
            gateway_id: "20:30".into(),
        };
        let o = to_gateway_order(
            &order(
                r#"{"id": 1782, "status": "pending", "order_id": "116", "price_currency": "EUR",
                    "price_amount": "10.0", "pay_currency": "USDT", "pay_amount": "10.85",
                    "underpaid_amount": "0", "overpaid_amount": "0",
                    "payment_url": "https://pay-sandbox.coingate.com/invoice/58a2c"}"#,
            ),
            &usdt,
        )
        .unwrap();
        assert_eq!(o.state, SaleState::Awaiting);
        assert_eq!(o.notice.as_deref(), Some(HOSTED_PAGE_NOTICE));
    }

    #[test]
    fn a_transaction_on_a_pending_order_is_an_underpayment_of_what_arrived() {
        let json = documented_checkout_answer().replace(
            r#""blockchain_transactions": []"#,
            r#""blockchain_transactions": [{"id": 1, "txid": "ab12", "amount": "0.0001", "status": "unconfirmed", "network_confirmations": 0}]"#,
        );
        let o = to_gateway_order(&order(&json), &btc()).unwrap();
        assert_eq!(o.state, SaleState::Underpaid);
        assert_eq!(o.paid.to_fixed(), "0.00010000");
    }

    #[test]
    fn hostile_numbers_and_addresses_are_refused_not_computed_with() {
        let base = documented_checkout_answer();
        for (from, to) in [
            (
                r#""underpaid_amount": "0.000253""#,
                r#""underpaid_amount": "-79228162514264337593543950335""#,
            ),
            (
                r#""pay_amount": "0.000253""#,
                r#""pay_amount": "79228162514264337593543950335""#,
            ),
            (
                r#""blockchain_transactions": []"#,
                r#""blockchain_transactions": [{"amount": "79228162514264337593543950335"}, {"amount": "79228162514264337593543950335"}]"#,
            ),
        ] {
            let json = base.replace(from, to);
            let err = to_gateway_order(&order(&json), &btc()).unwrap_err();
            assert!(err.contains("out of range"), "{err}");
        }
        for address in [
            "=HYPERLINK(A1)xxxxxxxxxxxxxxxxx",
            "0x52908400098527886E0F7030069857D2E4169EE7",
            "bc1 qar0srrr7xfkvy5l643",
        ] {
            let json = base.replace(DOC_ADDRESS, address);
            let Ok(parsed) = serde_json::from_str::<OrderJson>(&json) else {
                continue;
            };
            let err = to_gateway_order(&parsed, &btc()).unwrap_err();
            assert!(err.contains("payment address"), "{err}");
        }
    }

    #[test]
    fn list_filters_are_whole_days() {
        let t = DateTime::parse_from_rfc3339("2026-11-28T23:59:30+00:00")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(day(t), "2026-11-28");
    }

    #[test]
    fn only_checkout_not_enabled_falls_back_to_the_hosted_page() {
        assert!(checkout_not_enabled(&[
            "Checkout is not enabled for this merchant: contact CoinGate support".into()
        ]));
        assert!(!checkout_not_enabled(&[
            "Order is paid: only a new order can be checked out".into()
        ]));
        assert!(!checkout_not_enabled(&[
            "Pay currency DOGE is disabled: unavailable".into()
        ]));
        assert!(!checkout_not_enabled(&[]));
    }

    #[test]
    fn eth_is_offered_on_its_own_chain_first_whatever_the_listed_order() {
        let platforms = vec![
            (
                "2".to_string(),
                "binance_chain".to_string(),
                "Binance Chain (BEP2)".to_string(),
            ),
            (
                "7".to_string(),
                "ethereum".to_string(),
                "Ethereum".to_string(),
            ),
        ];
        let ordered = own_chain_first(&Currency::coin("ETH"), "Ethereum", platforms);
        assert_eq!(ordered[0].0, "7");
        assert_eq!(ordered[1].0, "2");
        // A token with no chain of its own prefers Ethereum.
        let usdt = vec![
            (
                "9".to_string(),
                "tron".to_string(),
                "Tron (TRC20)".to_string(),
            ),
            (
                "7".to_string(),
                "ethereum".to_string(),
                "Ethereum".to_string(),
            ),
        ];
        assert_eq!(
            own_chain_first(&Currency::coin("USDT"), "Tether", usdt)[0].0,
            "7"
        );
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
                "payment_address": "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "expire_at": "2026-11-21T13:20:00+00:00",
                "payment_request_uri": "bitcoin:tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx?amount=0.00021552"}"#,
        );
        let o = to_gateway_order(&base.overlay(checkout), &btc()).unwrap();
        assert_eq!(o.gateway_order_id, "1780");
        assert_eq!(o.merchant_order_id, "ct-a-1");
        assert_eq!(o.state, SaleState::Awaiting);
        // Never asks for less than CoinGate computed.
        assert_eq!(o.expected.unwrap().to_fixed(), "0.00021552");
        assert_eq!(o.address, "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx");
        assert_eq!(
            o.payment_uri.as_deref(),
            Some("bitcoin:tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx?amount=0.00021552")
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
                    "payment_address": "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "underpaid_amount": "0.0004",
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
                    "payment_address": "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "overpaid_amount": "0.0001",
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
