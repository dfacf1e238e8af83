//! Counos Payment Gateway client. Every fact it relies on is in
//! `shared/gateways.md` ("Counos Payment Gateway"); the comments cite them.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;
use url::Url;

use super::http::{self, unreachable};
use super::wire::{decimal_from_raw, id_text};
use super::{Coin, Conversion, Gateway, GatewayKind, GatewayOrder, OrderRequest, SaleState};
use crate::error::{Error, Result};
use crate::money::{Currency, Money};
use crate::secret::Sensitive;

pub const LIVE_BASE_URL: &str = "https://payment.counos.io/api/";

pub struct CounosClient {
    kind: GatewayKind,
    base: Url,
    key: Sensitive<String>,
    http: reqwest::Client,
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
        })
    }

    fn name(&self) -> &'static str {
        self.kind.name()
    }

    fn url(&self, path: &str) -> Url {
        self.base
            .join(path)
            .expect("relative Counos paths always join onto a checked base URL")
    }

    /// Sends a request and unwraps the envelope. An error is an HTTP error
    /// *or* a 2xx whose `statusCode` is outside 200..299: a client must check
    /// both (gateways.md, "Envelope").
    async fn call(&self, request: reqwest::RequestBuilder) -> Result<Box<RawValue>> {
        let response = request
            // Header names are case-insensitive; the official clients send it lower-case.
            .header("x-api-key", self.key.expose())
            .header(ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| unreachable(self.name(), &e))?;
        let status = response.status();
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
        let code_ok = envelope
            .status_code
            .is_none_or(|code| (200..300).contains(&code));
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
        envelope.data.ok_or_else(|| Error::GatewayProtocol {
            gateway,
            detail: "the answer has no data".into(),
        })
    }

    fn parse<T: for<'de> Deserialize<'de>>(&self, raw: &RawValue, what: &str) -> Result<T> {
        serde_json::from_str(raw.get()).map_err(|e| Error::GatewayProtocol {
            gateway: self.name().to_string(),
            detail: format!("{what}: {e}"),
        })
    }

    fn order_from(&self, raw: &RawValue, coin: &Coin) -> Result<GatewayOrder> {
        let fields: Fields = Fields(self.parse(raw, "order")?);
        parse_order(&fields, coin, Utc::now()).map_err(|detail| Error::GatewayProtocol {
            gateway: self.name().to_string(),
            detail: format!("order: {detail}"),
        })
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
        #[derive(Deserialize)]
        struct Converted {
            converted_value: Box<RawValue>,
            #[serde(default)]
            exchange_rate: Option<Box<RawValue>>,
        }
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
        let converted: Converted = self.parse(&raw, "conversion")?;
        let value = decimal_from_raw(&converted.converted_value)
            .filter(|v| *v > Decimal::ZERO)
            .ok_or_else(|| Error::GatewayProtocol {
                gateway: self.name().to_string(),
                detail: format!(
                    "conversion gave no amount ({})",
                    converted.converted_value.get()
                ),
            })?;
        let crypto = Money::new_rounded_up(value, coin.currency());
        // exchange_rate's shape is not published; if it is not a plain number,
        // the rate is what the conversion implies.
        let rate = converted
            .exchange_rate
            .as_deref()
            .and_then(decimal_from_raw)
            .filter(|r| *r > Decimal::ZERO)
            .unwrap_or_else(|| (fiat.amount() / value).round_dp(fiat.currency().decimals()));
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
        self.order_from(&raw, &request.coin)
    }

    async fn order(&self, merchant_order_id: &str, coin: &Coin) -> Result<GatewayOrder> {
        let mut url = self.url("terminal/order/");
        url.path_segments_mut()
            .expect("a checked base URL can have path segments")
            .pop_if_empty()
            .push(merchant_order_id);
        let raw = self.call(self.http.get(url)).await?;
        self.order_from(&raw, coin)
    }
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

/// An order's fields by lower-cased name, values kept raw so that amounts
/// are read exactly and unpublished fields (the expiry) can be looked for.
struct Fields(BTreeMap<String, Box<RawValue>>);

impl Fields {
    fn raw(&self, name: &str) -> Option<&RawValue> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
            .filter(|v| v.get() != "null")
    }

    fn text(&self, name: &str) -> Option<String> {
        let raw = self.raw(name)?;
        match serde_json::from_str::<serde_json::Value>(raw.get()).ok()? {
            serde_json::Value::String(s) if !s.trim().is_empty() => Some(s),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
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

/// Counos times arrive as RFC 3339, or without a zone (read as UTC), or as
/// Unix seconds. Cryptill stores UTC (gateways.md: one client converts to a
/// fixed local zone).
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(dt.with_timezone(&Utc));
    }
    if let Ok(naive) = NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(naive.and_utc());
    }
    t.parse::<i64>()
        .ok()
        .and_then(|secs| DateTime::from_timestamp(secs, 0))
}

fn parse_order(f: &Fields, coin: &Coin, now: DateTime<Utc>) -> Result<GatewayOrder, String> {
    let currency = coin.currency();
    let expected = f
        .decimal("expectedAmount")?
        .ok_or("expectedAmount is missing")?;
    let paid = f.decimal("paidAmount")?.unwrap_or_default();
    let expires_at = f.expiry();
    let state = counos_state(f.flag("paid"), paid, expected, expires_at, now);
    Ok(GatewayOrder {
        gateway_order_id: f.text("id").ok_or("id is missing")?,
        merchant_order_id: f.text("merchantOrderId").unwrap_or_default(),
        state,
        expected: Money::new(expected, currency.clone()),
        paid: Money::new(paid, currency),
        address: f.text("orderAddress").ok_or("orderAddress is missing")?,
        // paymentUriQrCode is "the payment URI / QR link": only a payment URI
        // (bitcoin:, ethereum:, ...) goes into our QR; a web link to a
        // picture of a QR does not, and the QR is built from the address.
        payment_uri: f
            .text("paymentUriQrCode")
            .filter(|u| !u.starts_with("http://") && !u.starts_with("https://")),
        expires_at,
        confirmations: f.count("paymentConfirmations"),
        required_confirmations: f.count("expectedConfirmations"),
        transaction_id: f.text("transactionId"),
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
        let e = d("0.0002");
        assert_eq!(
            counos_state(false, d("0"), e, later, now),
            SaleState::Awaiting
        );
        assert_eq!(
            counos_state(false, d("0"), e, None, now),
            SaleState::Awaiting
        );
        assert_eq!(
            counos_state(false, d("0"), e, earlier, now),
            SaleState::Expired
        );
        assert_eq!(
            counos_state(false, d("0.0001"), e, later, now),
            SaleState::Underpaid
        );
        assert_eq!(
            counos_state(false, d("0.0001"), e, earlier, now),
            SaleState::Underpaid
        );
        assert_eq!(
            counos_state(false, d("0.0002"), e, later, now),
            SaleState::Confirming
        );
        assert_eq!(
            counos_state(true, d("0.0002"), e, later, now),
            SaleState::Paid
        );
        // A payment that lands after the expiry is still a payment.
        assert_eq!(
            counos_state(true, d("0.0002"), e, earlier, now),
            SaleState::Paid
        );
        assert_eq!(
            counos_state(true, d("0.0003"), e, later, now),
            SaleState::Overpaid
        );
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
                "orderAddress": "tb1qxyz", "paymentUriQrCode": "bitcoin:tb1qxyz?amount=0.00021552",
                "paid": true, "expireAt": "2026-11-21T13:05:00Z", "transactionId": null}"#,
        );
        let o = parse_order(&f, &btc(), Utc::now()).unwrap();
        assert_eq!(o.gateway_order_id, "7");
        assert_eq!(o.merchant_order_id, "123");
        assert_eq!(o.expected.to_fixed(), "0.00021552");
        assert_eq!(o.paid, o.expected);
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
            r#"{"id": "a1", "expectedAmount": "1", "orderAddress": "tb1q",
                "paymentUriQrCode": "https://payment.counos.io/qr/a1.png", "paid": false}"#,
        );
        let o = parse_order(&f, &btc(), Utc::now()).unwrap();
        assert_eq!(o.payment_uri, None);
        assert_eq!(o.expires_at, None);
        assert_eq!(o.state, SaleState::Awaiting);
    }

    #[test]
    fn zone_less_and_unix_times_are_read_as_utc() {
        assert_eq!(
            parse_time("2026-11-21T13:05:00.123").unwrap().to_rfc3339(),
            "2026-11-21T13:05:00.123+00:00"
        );
        assert_eq!(parse_time("0").unwrap().timestamp(), 0);
        assert!(parse_time("soon").is_none());
    }
}
