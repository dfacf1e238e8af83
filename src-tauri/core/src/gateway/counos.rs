//! Counos Payment Gateway client. Every fact it relies on is in
//! `shared/gateways.md` ("Counos Payment Gateway"); the comments cite them.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;
use url::Url;

use super::http::{self, unreachable};
use super::wire::{decimal_from_raw, id_text, parse_time, raw_text};
use super::{
    exact_money, Balance, Coin, Conversion, Gateway, GatewayKind, GatewayOrder, OrderRef,
    OrderRequest, SaleState, WithdrawReceipt, WithdrawRequest, Withdrawal,
};
use crate::error::{Error, Result};
use crate::money::{Currency, Money};
use crate::secret::Sensitive;

pub const LIVE_BASE_URL: &str = "https://payment.counos.io/api/";

/// The refusal Counos sends when the terminal may not withdraw (gateways.md,
/// "Withdraw": shown as it is, with what to do).
const WITHDRAW_NOT_PERMITTED: &str = "withdraw is not permitted by api";
const WITHDRAW_PERMISSION_HINT: &str = "In the Counos dashboard, tick 'allow withdraw and send \
     transaction from terminal's wallet' for this terminal, then try again.";

/// One of the three rate lists (gateways.md, "Rates").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateList {
    Crypto,
    Currencies,
    Metals,
}

impl RateList {
    fn path(self) -> &'static str {
        match self {
            RateList::Crypto => "exchange/rate/crypto",
            RateList::Currencies => "exchange/rate/currencies",
            RateList::Metals => "exchange/rate/metals",
        }
    }
}

/// One line of a Counos rate list: the price of one unit of `symbol`, exact
/// as the gateway wrote it. Either price may be missing from the list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rate {
    /// Upper-case, e.g. `BTC`, `EUR`, `XAU`.
    pub symbol: String,
    pub usd: Option<Decimal>,
    pub eur: Option<Decimal>,
}

/// What an amount of a coin is worth in a fiat currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Valuation {
    pub fiat: Money,
    /// Price of one coin in the fiat currency.
    pub rate: Decimal,
}

pub struct CounosClient {
    kind: GatewayKind,
    base: Url,
    key: Sensitive<String>,
    http: reqwest::Client,
    /// The gateway's clock minus the till's, from the `Date` header of the
    /// last answer. Counos has no status field, so whether an order has
    /// expired is judged against the gateway's time, never the till's: a
    /// till whose clock runs 20 minutes ahead must not call a fresh order
    /// expired (nor a paid one unpaid).
    gateway_clock: std::sync::Mutex<Option<chrono::Duration>>,
}

/// Every Counos answer: `{statusCode, statusMessage, data}`.
#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "statusCode")]
    status_code: Option<i64>,
    #[serde(rename = "statusMessage")]
    status_message: Option<String>,
    data: Option<Box<RawValue>>,
}

#[derive(Deserialize)]
struct Ticker {
    #[serde(deserialize_with = "id_text")]
    id: String,
    title: Option<String>,
    keyword: String,
    #[serde(default)]
    enabled: Option<bool>,
}

impl CounosClient {
    /// `kind` is `Counos` for the real gateway, `Demo` for the sandbox that
    /// speaks its dialect.
    pub fn new(kind: GatewayKind, base_url: &str, key: Sensitive<String>) -> Result<Self> {
        Ok(Self {
            kind,
            base: http::check_base_url(base_url)?,
            key,
            http: http::client(),
            gateway_clock: std::sync::Mutex::new(None),
        })
    }

    /// The gateway's idea of now: the till's clock corrected by the last
    /// `Date` header seen (the till's clock alone before any answer).
    fn gateway_now(&self) -> DateTime<Utc> {
        let offset = *self.gateway_clock.lock().unwrap_or_else(|p| p.into_inner());
        crate::clock::now() + offset.unwrap_or_else(chrono::Duration::zero)
    }

    fn note_gateway_time(&self, headers: &reqwest::header::HeaderMap) {
        let Some(date) = headers
            .get(reqwest::header::DATE)
            .and_then(|d| d.to_str().ok())
            .and_then(|d| DateTime::parse_from_rfc2822(d).ok())
        else {
            return;
        };
        let offset = date.with_timezone(&Utc) - crate::clock::now();
        *self.gateway_clock.lock().unwrap_or_else(|p| p.into_inner()) = Some(offset);
    }

    fn name(&self) -> &'static str {
        self.kind.name()
    }

    fn url(&self, path: &str) -> Url {
        self.base
            .join(path)
            .expect("relative Counos paths always join onto a checked base URL")
    }

    /// Sends a request and unwraps the envelope; the answer must carry data.
    async fn call(&self, request: reqwest::RequestBuilder) -> Result<Box<RawValue>> {
        let (_, data) = self.call_envelope(request).await?;
        data.ok_or_else(|| Error::GatewayProtocol {
            gateway: self.name().to_string(),
            detail: "the answer has no data".into(),
        })
    }

    /// Sends a request and checks the envelope: an error is an HTTP error
    /// *or* a 2xx whose `statusCode` is outside 200..299: a client must check
    /// both (gateways.md, "Envelope"). Returns `statusMessage` and `data`.
    async fn call_envelope(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<(String, Option<Box<RawValue>>)> {
        // Marked sensitive so no debug output of the request shows it.
        let key = http::key_header(self.key.expose()).ok_or_else(|| {
            Error::Input(format!(
                "The {} API key has characters a key cannot have. Paste it again from the dashboard.",
                self.name()
            ))
        })?;
        let response = request
            // Header names are case-insensitive; the official clients send it lower-case.
            .header("x-api-key", key)
            .header(ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| unreachable(self.name(), &e))?;
        let status = response.status();
        self.note_gateway_time(response.headers());
        if status.is_redirection() {
            return Err(http::redirected(self.name(), status));
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| unreachable(self.name(), &e))?;
        let gateway = self.name().to_string();
        let envelope = serde_json::from_slice::<Envelope>(&body);
        let message = envelope
            .as_ref()
            .ok()
            .and_then(|e| e.status_message.clone())
            .unwrap_or_default();
        if message
            .to_ascii_lowercase()
            .contains("secret key is invalid")
            || status.as_u16() == 401
        {
            return Err(Error::GatewayAuth { gateway });
        }
        if status.as_u16() == 429 {
            return Err(Error::GatewayRateLimited { gateway });
        }
        if status.is_server_error() {
            return Err(Error::GatewayDown {
                gateway,
                status: status.as_u16(),
            });
        }
        let envelope = envelope.map_err(|e| Error::GatewayProtocol {
            gateway: gateway.clone(),
            detail: format!("HTTP {}, not the expected JSON: {e}", status.as_u16()),
        })?;
        // gateways.md, Round 2: the PHP client treats an answer without
        // `statusCode` as a failure; so does this one.
        let code_ok = envelope
            .status_code
            .is_some_and(|code| (200..300).contains(&code));
        if !status.is_success() || !code_ok {
            let message = if message.trim().is_empty() {
                format!(
                    "HTTP {}, code {}",
                    status.as_u16(),
                    envelope.status_code.unwrap_or_default()
                )
            } else {
                message
            };
            if status.as_u16() == 404 {
                return Err(Error::NotFound(format!(
                    "{gateway} does not know this order ({message})."
                )));
            }
            return Err(Error::GatewayRefused { gateway, message });
        }
        let data = envelope.data.filter(|d| d.get() != "null");
        Ok((message, data))
    }

    fn protocol(&self, detail: impl Into<String>) -> Error {
        Error::GatewayProtocol {
            gateway: self.name().to_string(),
            detail: detail.into(),
        }
    }

    fn parse<T: for<'de> Deserialize<'de>>(&self, raw: &RawValue, what: &str) -> Result<T> {
        serde_json::from_str(raw.get()).map_err(|e| Error::GatewayProtocol {
            gateway: self.name().to_string(),
            detail: format!("{what}: {e}"),
        })
    }

    fn order_from(&self, raw: &RawValue, coin: &Coin) -> Result<(Fields, GatewayOrder)> {
        let fields: Fields = Fields(self.parse(raw, "order")?);
        let order = parse_order(&fields, coin, self.gateway_now())
            .map_err(|detail| self.protocol(format!("order: {detail}")))?;
        Ok((fields, order))
    }

    fn mismatch(&self, detail: String) -> Error {
        tracing::warn!(gateway = self.name(), %detail, "refused an answer that does not match the request");
        Error::GatewayMismatch {
            gateway: self.name().to_string(),
            detail,
        }
    }

    /// The order answer must be the order asked for: our order id, the
    /// sale's coin and, on create, its amount. gateways.md, Round 2:
    /// `renew: false` returns whatever order already has the id, so an id
    /// reused from an older ledger (a restored backup, a cloned install)
    /// would otherwise hand the new sale an old order.
    fn check_matches(
        &self,
        fields: &Fields,
        order: &GatewayOrder,
        merchant_order_id: &str,
        coin: &Coin,
        expected: Option<&Money>,
    ) -> Result<()> {
        let shown = super::address::shown;
        if !order.merchant_order_id.is_empty() && order.merchant_order_id != merchant_order_id {
            return Err(self.mismatch(format!(
                "order id {} instead of {merchant_order_id}",
                shown(&order.merchant_order_id)
            )));
        }
        if let Some(ticker) = fields.object("ticker") {
            let id_differs = ticker.text("id").is_some_and(|id| id != coin.gateway_id);
            let keyword_differs = ticker
                .text("keyword")
                .is_some_and(|k| !k.trim().eq_ignore_ascii_case(&coin.symbol));
            if id_differs || keyword_differs {
                let named = ticker
                    .text("keyword")
                    .or_else(|| ticker.text("id"))
                    .unwrap_or_default();
                return Err(self.mismatch(format!(
                    "an order in {} instead of {}",
                    shown(&named),
                    coin.symbol
                )));
            }
        }
        if let (Some(expected), Some(got)) = (expected, order.expected.as_ref()) {
            if got.amount() != expected.amount() {
                return Err(self.mismatch(format!(
                    "an order for {} {} instead of {expected}",
                    got.amount(),
                    coin.symbol
                )));
            }
        }
        Ok(())
    }

    /// A rate list, parsed leniently: its field names are not published
    /// (gateways.md, "Rates"), so any `symbol`-like field and any field whose
    /// name says USD or EUR is read, and the numbers are kept exact.
    pub async fn rates(&self, list: RateList) -> Result<Vec<Rate>> {
        let raw = self.call(self.http.get(self.url(list.path()))).await?;
        parse_rates(&raw).ok_or_else(|| self.protocol("the rate list is not a list of rates"))
    }

    /// What `crypto` is worth in `fiat` at the gateway's rate
    /// (`exchange/rate/crypto2currency/convert`).
    pub async fn crypto_to_fiat(&self, crypto: &Money, fiat: &Currency) -> Result<Valuation> {
        let request = self
            .http
            .get(self.url("exchange/rate/crypto2currency/convert"))
            .query(&[
                ("amount", crypto.to_fixed()),
                // Symbols match case-insensitively; the docs use lower case.
                ("from", crypto.currency().code().to_ascii_lowercase()),
                ("to", fiat.code().to_ascii_lowercase()),
            ]);
        let raw = self.call(request).await?;
        let (value, rate) = self.converted(&raw)?;
        // Checked: an amount of zero or a tiny value must not panic.
        let rate = rate
            .or_else(|| value.checked_div(crypto.amount()))
            .filter(|r| super::sane_amount(*r))
            .ok_or_else(|| {
                self.protocol(format!(
                    "{crypto} converted to {value} {fiat}, which gives no usable rate"
                ))
            })?;
        Ok(Valuation {
            fiat: Money::new(value, fiat.clone()),
            rate,
        })
    }

    /// Reads `{converted_value, exchange_rate}` (gateways.md, "Convert":
    /// snake_case, unlike the order fields). `exchange_rate`'s shape is not
    /// published; if it is not a plain positive number it is `None`.
    fn converted(&self, raw: &RawValue) -> Result<(Decimal, Option<Decimal>)> {
        converted(raw).map_err(|detail| self.protocol(detail))
    }

    /// Ticker keyword by ticker id, for records that name only the id.
    async fn keywords_by_ticker_id(&self) -> Result<BTreeMap<String, String>> {
        let raw = self
            .call(self.http.get(self.url("terminal/tickers")))
            .await?;
        let tickers: Vec<Ticker> = self.parse(&raw, "ticker list")?;
        Ok(tickers
            .into_iter()
            .map(|t| (t.id, t.keyword.to_ascii_uppercase()))
            .collect())
    }
}

#[async_trait]
impl Gateway for CounosClient {
    fn kind(&self) -> GatewayKind {
        self.kind
    }

    async fn coins(&self) -> Result<Vec<Coin>> {
        let raw = self
            .call(self.http.get(self.url("terminal/tickers")))
            .await?;
        let tickers: Vec<Ticker> = self.parse(&raw, "ticker list")?;
        // Ticker ids are read from this call, never hard-coded (gateways.md, "Tickers").
        Ok(tickers
            .into_iter()
            .filter(|t| t.enabled.unwrap_or(true))
            .map(|t| {
                let currency = Currency::coin(&t.keyword);
                let title = t.title.unwrap_or_else(|| currency.code().to_string());
                Coin {
                    network: network_name(&t.keyword, &title),
                    symbol: currency.code().to_string(),
                    decimals: currency.decimals(),
                    title,
                    gateway_id: t.id,
                }
            })
            .collect())
    }

    async fn convert(&self, fiat: &Money, coin: &Coin) -> Result<Conversion> {
        let request = self
            .http
            .get(self.url("exchange/rate/currency2crypto/convert"))
            .query(&[
                ("amount", fiat.to_fixed()),
                ("from", fiat.currency().code().to_string()),
                // Symbols match case-insensitively; the docs use lower case.
                ("to", coin.symbol.to_ascii_lowercase()),
            ]);
        let raw = self.call(request).await?;
        let (value, rate) = self.converted(&raw)?;
        // Checked and bounded: a tiny converted_value once overflowed here
        // (issue #8); an absurd one is refused in words.
        let crypto = super::checked_conversion(fiat, coin, Some(value))
            .map_err(|detail| super::price_looks_wrong(self.name(), coin, detail))?;
        // gateways.md, Round 2: `exchange_rate` is typed as an array in the
        // PHP model; when it is not a plain number the rate is derived from
        // amount / converted_value (bounded by checked_conversion above).
        let rate = match rate {
            Some(rate) => rate,
            None => fiat
                .amount()
                .checked_div(value)
                .map(|r| r.round_dp(fiat.currency().decimals().max(8)))
                .ok_or_else(|| {
                    super::price_looks_wrong(
                        self.name(),
                        coin,
                        format!("{fiat} would be {value} {}", coin.symbol),
                    )
                })?,
        };
        Ok(Conversion { crypto, rate })
    }

    async fn create_order(&self, request: &OrderRequest) -> Result<GatewayOrder> {
        let ticker_id: i64 =
            request
                .coin
                .gateway_id
                .parse()
                .map_err(|_| Error::GatewayProtocol {
                    gateway: self.name().to_string(),
                    detail: format!("ticker id '{}' is not a number", request.coin.gateway_id),
                })?;
        // The amount goes out as a JSON number written from the decimal's own
        // text, so no float ever rounds it.
        let amount = RawValue::from_string(request.crypto.to_fixed())
            .expect("a fixed-point decimal is valid JSON");
        let body = serde_json::json!({
            "orderId": request.merchant_order_id,
            "tickerId": ticker_id,
            "expectedAmount": amount,
            // renew:false makes a retry return the existing order unchanged,
            // so the same sale can never create a second order (gateways.md).
            "renew": false,
        });
        let raw = self
            .call(
                self.http
                    .post(self.url("terminal/order"))
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.to_string()),
            )
            .await?;
        let (fields, order) = self.order_from(&raw, &request.coin)?;
        self.check_matches(
            &fields,
            &order,
            &request.merchant_order_id,
            &request.coin,
            Some(&request.crypto),
        )?;
        Ok(order)
    }

    /// Counos finds an order by our merchant order id (gateways.md, "Order
    /// status"); its own id is not needed.
    async fn order(&self, order: &OrderRef, coin: &Coin) -> Result<GatewayOrder> {
        let mut url = self.url("terminal/order/");
        url.path_segments_mut()
            .expect("a checked base URL can have path segments")
            .pop_if_empty()
            .push(&order.merchant_order_id);
        let raw = self.call(self.http.get(url)).await?;
        let (fields, found) = self.order_from(&raw, coin)?;
        self.check_matches(&fields, &found, &order.merchant_order_id, coin, None)?;
        Ok(found)
    }

    /// The ticker list needs the key like every call, so it tests it cheaply.
    async fn test_key(&self) -> Result<()> {
        self.call(self.http.get(self.url("terminal/tickers")))
            .await?;
        Ok(())
    }

    /// `terminal/balance`: field names are not published (gateways.md,
    /// "Balance"), so they are read leniently.
    async fn balances(&self) -> Result<Vec<Balance>> {
        let raw = self
            .call(self.http.get(self.url("terminal/balance")))
            .await?;
        parse_balances(&raw).ok_or_else(|| self.protocol("the balance is not a list of balances"))
    }

    /// `terminal/withdraws`. The search parameter's name is not published
    /// (gateways.md, "Withdraw list"), so `search=` is sent and the list is
    /// also filtered here by address and transaction id: the result is right
    /// whatever the server does with the parameter.
    async fn withdrawals(&self, search: Option<&str>) -> Result<Vec<Withdrawal>> {
        let search = search.map(str::trim).filter(|s| !s.is_empty());
        let mut request = self.http.get(self.url("terminal/withdraws"));
        if let Some(search) = search {
            request = request.query(&[("search", search)]);
        }
        let raw = self.call(request).await?;
        let records =
            records(&raw).ok_or_else(|| self.protocol("the withdrawal list is not a list"))?;
        let mut withdrawals = records
            .iter()
            .map(parse_withdrawal)
            .collect::<Result<Vec<_>, String>>()
            .map_err(|detail| self.protocol(format!("withdrawal: {detail}")))?;
        // A record that names its coin only by ticker id gets its symbol here.
        if withdrawals.iter().any(|w| w.coin.starts_with('#')) {
            let keywords = self.keywords_by_ticker_id().await?;
            for w in &mut withdrawals {
                if let Some(keyword) = w.coin.strip_prefix('#').and_then(|id| keywords.get(id)) {
                    w.coin = keyword.clone();
                }
            }
        }
        if let Some(search) = search {
            withdrawals.retain(|w| w.matches(search));
        }
        Ok(withdrawals)
    }

    /// `terminal/withdraw` with `{amount, tickerId, walletAddress}`. The
    /// per-ticker minimum is not published, so it is left to the gateway,
    /// whose refusal is shown as it says (gateways.md, "Withdraw").
    async fn withdraw(&self, request: &WithdrawRequest) -> Result<WithdrawReceipt> {
        let address = request.address.trim();
        if address.is_empty() {
            return Err(Error::Input(
                "Type or paste the wallet address to withdraw to.".into(),
            ));
        }
        if request.amount.amount() <= Decimal::ZERO {
            return Err(Error::Input(
                "The amount to withdraw must be more than zero.".into(),
            ));
        }
        let ticker_id: i64 = request.coin.gateway_id.parse().map_err(|_| {
            self.protocol(format!(
                "ticker id '{}' is not a number",
                request.coin.gateway_id
            ))
        })?;
        // A JSON number written from the decimal's own text, never a float.
        let amount = RawValue::from_string(request.amount.to_fixed())
            .expect("a fixed-point decimal is valid JSON");
        let body = serde_json::json!({
            "amount": amount,
            "tickerId": ticker_id,
            "walletAddress": address,
        });
        let answer = self
            .call_envelope(
                self.http
                    .post(self.url("terminal/withdraw"))
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.to_string()),
            )
            .await;
        let (_, data) = answer.map_err(|e| match e {
            // Shown as it is, with what to do (gateways.md, "Withdraw").
            Error::GatewayRefused { gateway, message }
                if message
                    .to_ascii_lowercase()
                    .contains(WITHDRAW_NOT_PERMITTED) =>
            {
                Error::GatewayRefused {
                    gateway,
                    message: format!("{} {WITHDRAW_PERMISSION_HINT}", message.trim()),
                }
            }
            other => other,
        })?;
        let withdrawal = data
            .as_deref()
            .and_then(|raw| serde_json::from_str::<Fields>(raw.get()).ok())
            .and_then(|fields| parse_withdrawal(&fields).ok())
            .map(|mut w| {
                if w.coin.is_empty() || w.coin.starts_with('#') {
                    w.coin = request.coin.symbol.clone();
                }
                w
            });
        // gateways.md: on success the gateway e-mails the owner a link showing
        // the fee and the withdrawable amount, where the withdrawal is
        // confirmed. The app must say so.
        let message = format!(
            "{} registered the withdrawal of {} to {address}. It has e-mailed the terminal \
             owner a confirmation link that shows the fee and the withdrawable amount; \
             nothing is sent until the owner confirms the withdrawal there.",
            self.name(),
            request.amount
        );
        Ok(WithdrawReceipt {
            withdrawal,
            message,
        })
    }
}

/// Reads `{converted_value, exchange_rate}` (gateways.md, "Convert":
/// snake_case, unlike the order fields). `exchange_rate`'s shape differs
/// between sources (Round 2: an array in the PHP model); if it is not a
/// plain positive number it is `None`.
fn converted(raw: &RawValue) -> Result<(Decimal, Option<Decimal>), String> {
    #[derive(Deserialize)]
    struct Converted {
        converted_value: Box<RawValue>,
        #[serde(default)]
        exchange_rate: Option<Box<RawValue>>,
    }
    let converted: Converted =
        serde_json::from_str(raw.get()).map_err(|e| format!("conversion: {e}"))?;
    let value = decimal_from_raw(&converted.converted_value)
        .filter(|v| *v > Decimal::ZERO)
        .ok_or_else(|| {
            format!(
                "conversion gave no amount ({})",
                super::address::shown(converted.converted_value.get())
            )
        })?;
    // A number, or an array holding one (the sandbox's reading of the PHP
    // model's `array`); anything else is not relied on.
    let rate = converted.exchange_rate.as_deref().and_then(|raw| {
        decimal_from_raw(raw).or_else(|| {
            serde_json::from_str::<Vec<Box<RawValue>>>(raw.get())
                .ok()
                .and_then(|items| items.first().and_then(|first| decimal_from_raw(first)))
        })
    });
    let rate = rate.filter(|r| *r > Decimal::ZERO && super::sane_amount(*r));
    Ok((value, rate))
}

/// The network a coin travels on, as a cashier names it. Counos lists only
/// a keyword and a title; the well-known ones get their network's name.
fn network_name(keyword: &str, title: &str) -> String {
    match keyword.to_ascii_lowercase().as_str() {
        "btc" => "Bitcoin".into(),
        "ltc" => "Litecoin".into(),
        "eth" => "Ethereum".into(),
        "ccx" | "cca" | "ccxx" => "Counos".into(),
        _ => title.to_string(),
    }
}

/// A record's fields by name (matched ignoring case), values kept raw so
/// that amounts are read exactly and unpublished fields (the expiry, the
/// balance and withdrawal fields) can be looked for.
#[derive(Deserialize)]
#[serde(transparent)]
struct Fields(BTreeMap<String, Box<RawValue>>);

impl Fields {
    /// The first of `names` present as text or a number.
    fn first_text(&self, names: &[&str]) -> Option<String> {
        names.iter().find_map(|name| self.text(name))
    }

    /// The first of `names` present as an amount.
    fn first_decimal(&self, names: &[&str]) -> Option<Decimal> {
        names
            .iter()
            .find_map(|name| self.raw(name).and_then(decimal_from_raw))
    }

    /// A nested object, e.g. an order's `ticker`.
    fn object(&self, name: &str) -> Option<Fields> {
        serde_json::from_str(self.raw(name)?.get()).ok()
    }

    fn raw(&self, name: &str) -> Option<&RawValue> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
            .filter(|v| v.get() != "null")
    }

    fn text(&self, name: &str) -> Option<String> {
        raw_text(self.raw(name)?)
    }

    fn decimal(&self, name: &str) -> Result<Option<Decimal>, String> {
        match self.raw(name) {
            None => Ok(None),
            Some(raw) if raw.get() == "\"\"" => Ok(None),
            Some(raw) => decimal_from_raw(raw)
                .map(Some)
                .ok_or_else(|| format!("{name} is not an amount: {}", raw.get())),
        }
    }

    fn count(&self, name: &str) -> u32 {
        self.text(name).and_then(|t| t.parse().ok()).unwrap_or(0)
    }

    fn flag(&self, name: &str) -> bool {
        self.raw(name).is_some_and(|v| v.get() == "true")
    }

    /// The expiry's field name is not published (gateways.md: "look for an
    /// `expire*` field, and handle its absence").
    fn expiry(&self) -> Option<DateTime<Utc>> {
        self.0
            .keys()
            .filter(|k| k.to_ascii_lowercase().starts_with("expire"))
            .find_map(|k| self.text(k).and_then(|t| parse_time(&t)))
    }
}

/// How long the app waits for a Counos order that names no expiry
/// (gateways.md, Round 2: the field's name is not published; "the app must
/// still stop waiting at some point, and say so"). Measured from the
/// order's `createdAt`, CoinGate's pending time plus a margin.
pub const OWN_DEADLINE: chrono::Duration = chrono::Duration::minutes(30);

/// What the cashier is told about [`OWN_DEADLINE`].
pub const OWN_DEADLINE_NOTICE: &str = "Counos does not say when this order expires, so Cryptill \
     stops waiting 30 minutes after the order was made. A payment that arrives later is still \
     noticed and shown to the owner.";

fn parse_order(f: &Fields, coin: &Coin, now: DateTime<Utc>) -> Result<GatewayOrder, String> {
    let currency = coin.currency();
    // Every number is checked before it is compared or stored (issue #8).
    let amount = |name: &str| -> Result<Option<Decimal>, String> {
        match f.decimal(name)? {
            Some(v) if !super::sane_amount(v) => Err(format!("{name} is out of range: {v}")),
            v => Ok(v),
        }
    };
    let expected = amount("expectedAmount")?.ok_or("expectedAmount is missing")?;
    let paid = amount("paidAmount")?.unwrap_or_default();
    let (expires_at, notice) = match f.expiry() {
        Some(at) => (Some(at), None),
        None => match f.text("createdAt").and_then(|t| parse_time(&t)) {
            Some(created) => (
                created.checked_add_signed(OWN_DEADLINE),
                Some(OWN_DEADLINE_NOTICE.to_string()),
            ),
            None => (None, None),
        },
    };
    let state = counos_state(f.flag("paid"), paid, expected, expires_at, now);
    let address = f.text("orderAddress").ok_or("orderAddress is missing")?;
    super::address::check(&address, &coin.network, &coin.symbol).map_err(|why| {
        format!(
            "the payment address '{}' was refused: {why}",
            super::address::shown(&address)
        )
    })?;
    Ok(GatewayOrder {
        gateway_order_id: f.text("id").ok_or("id is missing")?,
        merchant_order_id: f.text("merchantOrderId").unwrap_or_default(),
        state,
        expected: Some(Money::new(expected, currency.clone())),
        paid: Money::new(paid, currency),
        // paymentUriQrCode is "the payment URI / QR link": only a payment URI
        // (bitcoin:, ethereum:, ...) that names the address goes into our
        // QR; a web link to a picture of a QR does not, and the QR is built
        // from the address.
        payment_uri: f
            .text("paymentUriQrCode")
            .filter(|u| super::address::safe_payment_uri(u.trim(), &address)),
        address,
        expires_at,
        confirmations: f.count("paymentConfirmations"),
        required_confirmations: f.count("expectedConfirmations"),
        transaction_id: f.text("transactionId"),
        notice,
    })
}

/// The records in a list answer: a JSON array, or an object that wraps one
/// (`{"items": [...]}`), or an object keyed by symbol (`{"btc": {...}}`,
/// `{"btc": 0.5}`), whose key is kept as `symbol` when the record has none.
fn records(raw: &RawValue) -> Option<Vec<Fields>> {
    if let Ok(list) = serde_json::from_str::<Vec<Box<RawValue>>>(raw.get()) {
        return Some(
            list.iter()
                .filter_map(|item| serde_json::from_str::<Fields>(item.get()).ok())
                .collect(),
        );
    }
    let object: Fields = serde_json::from_str(raw.get()).ok()?;
    if let Some(list) = object
        .0
        .values()
        .find(|v| v.get().trim_start().starts_with('['))
    {
        return records(list);
    }
    Some(
        object
            .0
            .iter()
            .map(|(key, value)| {
                let mut fields = serde_json::from_str::<Fields>(value.get()).unwrap_or_else(|_| {
                    // A bare amount keyed by symbol.
                    Fields(BTreeMap::from([("amount".to_string(), value.clone())]))
                });
                if fields.raw("symbol").is_none() {
                    let key =
                        RawValue::from_string(serde_json::Value::from(key.as_str()).to_string())
                            .expect("a JSON string is valid JSON");
                    fields.0.insert("symbol".into(), key);
                }
                fields
            })
            .collect(),
    )
}

/// A record's coin: its own symbol field, or its nested ticker's keyword.
fn symbol_of(f: &Fields) -> Option<String> {
    f.first_text(&["keyword", "symbol", "ticker", "currency", "coin", "code"])
        .or_else(|| {
            ["ticker", "currency", "coin"]
                .iter()
                .find_map(|name| f.object(name))
                .and_then(|nested| nested.first_text(&["keyword", "symbol", "code"]))
        })
        .map(|s| s.trim().to_ascii_uppercase())
}

/// A price field: named `usd`/`eur` or carrying the code in its name
/// (`priceUsd`, `usd_rate`, ...), directly or in one nested object.
fn price(f: &Fields, code: &str) -> Option<Decimal> {
    let direct =
        f.0.iter()
            .filter(|(k, _)| k.to_ascii_lowercase().contains(code))
            .find_map(|(_, v)| decimal_from_raw(v));
    direct.or_else(|| {
        f.0.values()
            .filter_map(|v| serde_json::from_str::<Fields>(v.get()).ok())
            .find_map(|nested| price(&nested, code))
    })
}

fn parse_rates(raw: &RawValue) -> Option<Vec<Rate>> {
    Some(
        records(raw)?
            .iter()
            .filter_map(|f| {
                Some(Rate {
                    symbol: symbol_of(f)?,
                    usd: price(f, "usd"),
                    eur: price(f, "eur"),
                })
            })
            .collect(),
    )
}

fn parse_balances(raw: &RawValue) -> Option<Vec<Balance>> {
    Some(
        records(raw)?
            .iter()
            .filter_map(|f| {
                let coin = symbol_of(f)?;
                let amount =
                    f.first_decimal(&["balance", "amount", "available", "value", "total"])?;
                let title = f
                    .first_text(&["title", "name"])
                    .or_else(|| f.object("ticker").and_then(|t| t.first_text(&["title"])))
                    .unwrap_or_else(|| coin.clone());
                Some(Balance {
                    amount: exact_money(amount, Currency::coin(&coin)),
                    coin,
                    title,
                })
            })
            .collect(),
    )
}

/// A withdrawal, read leniently (gateways.md: "status, confirmations, tx
/// id"; the field names are not published). A coin known only by its ticker
/// id comes back as `#<id>` for the caller to name.
fn parse_withdrawal(f: &Fields) -> Result<Withdrawal, String> {
    let coin = symbol_of(f)
        .or_else(|| f.text("tickerId").map(|id| format!("#{id}")))
        .unwrap_or_default();
    let amount = f
        .first_decimal(&["amount", "value"])
        .map(|a| exact_money(a, Currency::coin(coin.trim_start_matches('#'))));
    Ok(Withdrawal {
        id: f
            .first_text(&["id", "withdrawId", "withdrawalId"])
            .ok_or("id is missing")?,
        coin,
        amount,
        address: f.first_text(&["walletAddress", "address", "wallet", "destination", "to"]),
        transaction_id: f.first_text(&["transactionId", "txId", "txid", "transactionHash", "hash"]),
        status: f
            .first_text(&["status", "state"])
            .unwrap_or_else(|| "unknown".into()),
        confirmations: f
            .first_text(&["confirmations", "confirmation", "paymentConfirmations"])
            .and_then(|t| t.parse().ok()),
        created_at: f
            .first_text(&["createdAt", "created_at", "created", "date", "time"])
            .and_then(|t| parse_time(&t)),
    })
}

/// Counos has no status field; the state follows from `paid`, the amounts
/// and the expiry (gateways.md, "Order status"):
/// - `paid` true: paid in full with enough confirmations (overpaid if more
///   than expected arrived);
/// - paid in full but `paid` false: waiting for confirmations;
/// - `0 < paidAmount < expectedAmount`: underpaid (the customer may top up);
/// - nothing paid and past the expiry: expired; otherwise awaiting payment.
pub fn counos_state(
    paid_flag: bool,
    paid: Decimal,
    expected: Decimal,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> SaleState {
    if paid_flag {
        if paid > expected {
            SaleState::Overpaid
        } else {
            SaleState::Paid
        }
    } else if paid >= expected && expected > Decimal::ZERO {
        SaleState::Confirming
    } else if paid > Decimal::ZERO {
        SaleState::Underpaid
    } else if expires_at.is_some_and(|at| at <= now) {
        SaleState::Expired
    } else {
        SaleState::Awaiting
    }
}

/// Every parser of this client over one answer text, for the property
/// tests: whatever it is, each returns (a value or an error).
#[cfg(test)]
pub(crate) fn parse_any(text: &str, coin: &Coin, now: DateTime<Utc>) {
    let _ = serde_json::from_str::<Envelope>(text);
    let Ok(raw) = RawValue::from_string(text.to_string()) else {
        return;
    };
    if let Ok(fields) = serde_json::from_str::<Fields>(text) {
        let _ = parse_order(&fields, coin, now);
        let _ = parse_withdrawal(&fields);
        let _ = fields.expiry();
    }
    let _ = converted(&raw);
    let _ = parse_rates(&raw);
    let _ = parse_balances(&raw);
    if let Some(records) = records(&raw) {
        for record in &records {
            let _ = parse_withdrawal(record);
            let _ = parse_order(record, coin, now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn state_follows_paid_flag_amounts_and_expiry() {
        let now = Utc::now();
        let later = Some(now + Duration::minutes(5));
        let earlier = Some(now - Duration::minutes(5));
        let expected = d("0.0002");
        // (paid flag, paid amount, expiry, state)
        let cases = [
            (false, "0", later, SaleState::Awaiting),
            (false, "0", None, SaleState::Awaiting),
            (false, "0", earlier, SaleState::Expired),
            (false, "0.0001", later, SaleState::Underpaid),
            (false, "0.0001", earlier, SaleState::Underpaid),
            (false, "0.0002", later, SaleState::Confirming),
            (true, "0.0002", later, SaleState::Paid),
            // A payment that lands after the expiry is still a payment.
            (true, "0.0002", earlier, SaleState::Paid),
            (true, "0.0003", later, SaleState::Overpaid),
        ];
        for (flag, paid, expiry, state) in cases {
            assert_eq!(
                counos_state(flag, d(paid), expected, expiry, now),
                state,
                "paid flag {flag}, paid {paid}, expiry {expiry:?}"
            );
        }
    }

    fn btc() -> Coin {
        Coin {
            symbol: "BTC".into(),
            title: "Bitcoin".into(),
            network: "Bitcoin".into(),
            decimals: 8,
            gateway_id: "11".into(),
        }
    }

    fn fields(json: &str) -> Fields {
        Fields(serde_json::from_str(json).unwrap())
    }

    #[test]
    fn order_parses_amounts_as_numbers_or_strings_and_finds_the_expiry() {
        let f = fields(
            r#"{"id": 7, "merchantOrderId": 123, "expectedAmount": 0.00021552,
                "paidAmount": "0.00021552", "paymentConfirmations": 2, "expectedConfirmations": 2,
                "orderAddress": "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "paymentUriQrCode": "bitcoin:tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx?amount=0.00021552",
                "paid": true, "expireAt": "2026-11-21T13:05:00Z", "transactionId": null}"#,
        );
        let o = parse_order(&f, &btc(), Utc::now()).unwrap();
        assert_eq!(o.gateway_order_id, "7");
        assert_eq!(o.merchant_order_id, "123");
        assert_eq!(o.expected.as_ref().unwrap().to_fixed(), "0.00021552");
        assert_eq!(Some(o.paid), o.expected);
        assert_eq!(o.state, SaleState::Paid);
        assert_eq!(
            o.expires_at.unwrap().to_rfc3339(),
            "2026-11-21T13:05:00+00:00"
        );
        assert_eq!(o.transaction_id, None);
        assert_eq!(o.confirmations, 2);
    }

    #[test]
    fn a_web_link_to_a_qr_picture_is_not_used_as_payment_uri() {
        let f = fields(
            r#"{"id": "a1", "expectedAmount": "1", "orderAddress": "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx",
                "paymentUriQrCode": "https://payment.counos.io/qr/a1.png", "paid": false}"#,
        );
        let o = parse_order(&f, &btc(), Utc::now()).unwrap();
        assert_eq!(o.payment_uri, None);
        assert_eq!(o.expires_at, None);
        assert_eq!(o.state, SaleState::Awaiting);
    }

    fn raw(json: &str) -> Box<RawValue> {
        RawValue::from_string(json.to_string()).unwrap()
    }

    #[test]
    fn rate_lists_are_read_whatever_the_field_names_and_stay_exact() {
        let list = parse_rates(&raw(
            r#"[{"symbol": "btc", "name": "Bitcoin", "usd": 62000.123456789012345678, "eur": "58000"},
                {"code": "XAU", "priceUSD": 2650}]"#,
        ))
        .unwrap();
        assert_eq!(list[0].symbol, "BTC");
        assert_eq!(list[0].usd.unwrap().to_string(), "62000.123456789012345678");
        assert_eq!(list[0].eur, Some(d("58000")));
        assert_eq!(
            list[1],
            Rate {
                symbol: "XAU".into(),
                usd: Some(d("2650")),
                eur: None
            }
        );
        let keyed = parse_rates(&raw(r#"{"btc": {"rate": {"USD": 1.5}}}"#)).unwrap();
        assert_eq!(
            keyed,
            vec![Rate {
                symbol: "BTC".into(),
                usd: Some(d("1.5")),
                eur: None
            }]
        );
    }

    #[test]
    fn balances_are_read_from_lists_or_symbol_keyed_objects() {
        let list = parse_balances(&raw(
            r#"[{"tickerId": 11, "keyword": "btc", "title": "Bitcoin", "balance": 0.000215520000001}]"#,
        ))
        .unwrap();
        assert_eq!(list[0].coin, "BTC");
        assert_eq!(list[0].title, "Bitcoin");
        // More places than the coin counts in are kept, not rounded away.
        assert_eq!(list[0].amount.to_fixed(), "0.000215520000001");
        let keyed = parse_balances(&raw(r#"{"ltc": "1.5"}"#)).unwrap();
        assert_eq!(
            (keyed[0].coin.as_str(), keyed[0].amount.to_fixed()),
            ("LTC", "1.50000000".into())
        );
    }

    #[test]
    fn withdrawals_are_read_leniently_and_searched_by_address_or_tx() {
        let f = fields(
            r#"{"id": 9, "tickerId": 11, "amount": "0.001", "walletAddress": "tb1qABC",
                "transactionId": null, "status": "pending", "confirmations": 0,
                "createdAt": "2026-11-21T13:05:00Z"}"#,
        );
        let w = parse_withdrawal(&f).unwrap();
        assert_eq!(w.coin, "#11");
        assert_eq!(w.amount.as_ref().unwrap().to_fixed(), "0.00100000");
        assert_eq!((w.status.as_str(), w.confirmations), ("pending", Some(0)));
        assert!(w.matches("abc"));
        assert!(!w.matches("ffff"));
    }

    #[test]
    fn an_order_without_an_expiry_gets_the_apps_own_deadline_from_created_at() {
        let f = fields(
            r#"{"id": 8, "merchantOrderId": "4401", "expectedAmount": "0.0002", "paidAmount": 0,
                "orderAddress": "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "paid": false,
                "createdAt": "2026-11-21T13:00:00Z"}"#,
        );
        let created = parse_time("2026-11-21T13:00:00Z").unwrap();
        let o = parse_order(&f, &btc(), created + Duration::minutes(5)).unwrap();
        assert_eq!(o.expires_at, Some(created + OWN_DEADLINE));
        assert_eq!(o.state, SaleState::Awaiting);
        assert_eq!(o.notice.as_deref(), Some(OWN_DEADLINE_NOTICE));
        let late = parse_order(&f, &btc(), created + OWN_DEADLINE).unwrap();
        assert_eq!(late.state, SaleState::Expired);
    }

    #[test]
    fn exchange_rate_as_an_array_or_missing_is_not_needed() {
        // gateways.md, Round 2: the PHP model types exchange_rate as an array.
        for json in [
            r#"{"converted_value": 0.00021552, "exchange_rate": {"eur": 58000}}"#,
            r#"{"converted_value": 0.00021552, "exchange_rate": []}"#,
            r#"{"converted_value": 0.00021552, "exchange_rate": [{"rate": 1}]}"#,
            r#"{"converted_value": 0.00021552}"#,
        ] {
            let (value, rate) = converted(&raw(json)).unwrap();
            assert_eq!(value, d("0.00021552"), "{json}");
            assert_eq!(rate, None, "{json}");
        }
        let (_, rate) = converted(&raw(
            r#"{"converted_value": 1, "exchange_rate": [58000.00]}"#,
        ))
        .unwrap();
        assert_eq!(rate, Some(d("58000")));
        let (_, rate) =
            converted(&raw(r#"{"converted_value": 1, "exchange_rate": "58000"}"#)).unwrap();
        assert_eq!(rate, Some(d("58000")));
    }

    #[test]
    fn a_tiny_or_huge_converted_value_is_refused_in_words_not_a_panic() {
        let eur = Money::new(d("10"), Currency::fiat("EUR").unwrap());
        for value in [
            "0.0000000000000000000000000001",
            "0.000000000001",
            "79228162514264337593543950335",
        ] {
            let err = super::super::checked_conversion(&eur, &btc(), Some(d(value))).unwrap_err();
            assert!(err.contains("10.00 EUR would be"), "{value}: {err}");
        }
        assert!(super::super::checked_conversion(&eur, &btc(), None).is_err());
        let ok = super::super::checked_conversion(&eur, &btc(), Some(d("0.000172413793"))).unwrap();
        assert_eq!(ok.to_fixed(), "0.00017242");
        let e = super::super::price_looks_wrong("Counos", &btc(), "x".into());
        assert!(
            e.to_string()
                .starts_with("Counos's price for BTC looks wrong: x"),
            "{e}"
        );
    }

    #[test]
    fn hostile_order_numbers_and_addresses_are_refused() {
        for json in [
            r#"{"id": 1, "expectedAmount": "-1", "orderAddress": "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"}"#,
            r#"{"id": 1, "expectedAmount": "1", "paidAmount": "1e30", "orderAddress": "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"}"#,
            r#"{"id": 1, "expectedAmount": "1", "orderAddress": "@SUM(A1:A2)xxxxxxxxxxxxxxxx"}"#,
            r#"{"id": 1, "expectedAmount": "1", "orderAddress": "tb1q w508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"}"#,
        ] {
            assert!(
                parse_order(&fields(json), &btc(), Utc::now()).is_err(),
                "{json}"
            );
        }
    }
}
