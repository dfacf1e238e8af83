//! Counos's transport and the client's own calls (tickers, rates, orders).

use crate::said::Said;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use reqwest::header::ACCEPT;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;
use url::Url;

use super::wire::{converted, parse_order, parse_rates, Envelope, Fields, Ticker};
use super::{CounosClient, Rate, RateList, Valuation};
use crate::error::{Error, Result};
use crate::gateway::http::{self, unreachable};
use crate::gateway::{Coin, GatewayKind, GatewayOrder};
use crate::money::{Currency, Money};
use crate::secret::Sensitive;

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
    pub(super) fn gateway_now(&self) -> DateTime<Utc> {
        let offset = *self.gateway_clock.lock().unwrap_or_else(|p| p.into_inner());
        crate::clock::now() + offset.unwrap_or_else(chrono::Duration::zero)
    }

    pub(super) fn note_gateway_time(&self, headers: &reqwest::header::HeaderMap) {
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

    pub(super) fn name(&self) -> &'static str {
        self.kind.name()
    }

    pub(super) fn url(&self, path: &str) -> Url {
        self.base
            .join(path)
            .expect("relative Counos paths always join onto a checked base URL")
    }

    /// Sends a request and unwraps the envelope; the answer must carry data.
    pub(super) async fn call(&self, request: reqwest::RequestBuilder) -> Result<Box<RawValue>> {
        let (_, data) = self.call_envelope(request).await?;
        data.ok_or_else(|| Error::GatewayProtocol {
            gateway: self.name().to_string(),
            detail: "the answer has no data".into(),
        })
    }

    /// Sends a request and checks the envelope: an error is an HTTP error
    /// *or* a 2xx whose `statusCode` is outside 200..299: a client must check
    /// both (gateways.md, "Envelope"). Returns `statusMessage` and `data`.
    pub(super) async fn call_envelope(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<(String, Option<Box<RawValue>>)> {
        // Marked sensitive so no debug output of the request shows it.
        let key = http::key_header(self.key.expose())
            .ok_or_else(|| Error::input(Said::api_key_bad_characters(self.name())))?;
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
                return Err(Error::not_found(Said::order_unknown(&gateway, &message)));
            }
            return Err(Error::GatewayRefused { gateway, message });
        }
        let data = envelope.data.filter(|d| d.get() != "null");
        Ok((message, data))
    }

    pub(super) fn protocol(&self, detail: impl Into<String>) -> Error {
        Error::GatewayProtocol {
            gateway: self.name().to_string(),
            detail: detail.into(),
        }
    }

    pub(super) fn parse<T: for<'de> Deserialize<'de>>(
        &self,
        raw: &RawValue,
        what: &str,
    ) -> Result<T> {
        serde_json::from_str(raw.get()).map_err(|e| Error::GatewayProtocol {
            gateway: self.name().to_string(),
            detail: format!("{what}: {e}"),
        })
    }

    pub(super) fn order_from(&self, raw: &RawValue, coin: &Coin) -> Result<(Fields, GatewayOrder)> {
        let fields: Fields = Fields(self.parse(raw, "order")?);
        let order = parse_order(&fields, coin, self.gateway_now())
            .map_err(|detail| self.protocol(format!("order: {detail}")))?;
        Ok((fields, order))
    }

    pub(super) fn mismatch(&self, detail: String) -> Error {
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
    pub(super) fn check_matches(
        &self,
        fields: &Fields,
        order: &GatewayOrder,
        merchant_order_id: &str,
        coin: &Coin,
        expected: Option<&Money>,
    ) -> Result<()> {
        let shown = crate::gateway::address::shown;
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

    /// One call of an `exchange/rate/.../convert` route: `amount` of `from`
    /// in `to`, read as (converted value, exchange rate if given).
    pub(super) async fn convert_at(
        &self,
        path: &str,
        amount: String,
        from: String,
        to: String,
    ) -> Result<(Decimal, Option<Decimal>)> {
        let request =
            self.http
                .get(self.url(path))
                .query(&[("amount", amount), ("from", from), ("to", to)]);
        let raw = self.call(request).await?;
        self.converted(&raw)
    }

    /// What `crypto` is worth in `fiat` at the gateway's rate
    /// (`exchange/rate/crypto2currency/convert`).
    pub async fn crypto_to_fiat(&self, crypto: &Money, fiat: &Currency) -> Result<Valuation> {
        // Symbols match case-insensitively; the docs use lower case.
        let (value, rate) = self
            .convert_at(
                "exchange/rate/crypto2currency/convert",
                crypto.to_fixed(),
                crypto.currency().code().to_ascii_lowercase(),
                fiat.code().to_ascii_lowercase(),
            )
            .await?;
        // Checked: an amount of zero or a tiny value must not panic.
        let rate = rate
            .or_else(|| value.checked_div(crypto.amount()))
            .filter(|r| crate::gateway::sane_amount(*r))
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
    pub(super) fn converted(&self, raw: &RawValue) -> Result<(Decimal, Option<Decimal>)> {
        converted(raw).map_err(|detail| self.protocol(detail))
    }

    /// The terminal's tickers. Their ids are read from this call, never
    /// hard-coded (gateways.md, "Tickers").
    pub(super) async fn tickers(&self) -> Result<Vec<Ticker>> {
        let raw = self
            .call(self.http.get(self.url("terminal/tickers")))
            .await?;
        self.parse(&raw, "ticker list")
    }

    /// Ticker keyword by ticker id, for records that name only the id.
    pub(super) async fn keywords_by_ticker_id(&self) -> Result<BTreeMap<String, String>> {
        Ok(self
            .tickers()
            .await?
            .into_iter()
            .map(|t| (t.id, t.keyword.to_ascii_uppercase()))
            .collect())
    }
}
