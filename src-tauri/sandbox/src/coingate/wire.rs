//! How CoinGate writes errors, amounts and times, and how it reads request
//! bodies.
//!
//! gateways.md: errors are `{"message", "reason", "errors"?}`, identified by
//! HTTP status and `reason`; amounts are JSON strings; POST bodies are
//! documented as `application/x-www-form-urlencoded` with nested fields as
//! `shopper[email]=`, and JSON is accepted too.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, SecondsFormat};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::value::RawValue;

use crate::faults::{Refusal, Refuse};

/// A failed call, in CoinGate's error shape.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    message: String,
    reason: &'static str,
    errors: Option<Vec<String>>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    message: &'a str,
    reason: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<&'a [String]>,
}

impl ApiError {
    pub(crate) fn new(
        status: StatusCode,
        message: impl Into<String>,
        reason: &'static str,
    ) -> Self {
        ApiError {
            status,
            message: message.into(),
            reason,
            errors: None,
        }
    }

    pub(crate) fn with_errors(mut self, errors: Vec<String>) -> Self {
        self.errors = Some(errors);
        self
    }

    /// The documented example of a bad key: "Not found App by Access-Key".
    pub(crate) fn bad_credentials() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "Not found App by Access-Key",
            "BadCredentials",
        )
    }

    /// An `Authorization` header that is not `Token <key>` or `Bearer <key>`.
    pub(crate) fn bad_auth_token() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "Auth Token is not valid",
            "BadAuthToken",
        )
    }

    /// gateways.md: "Unknown id: 404 `OrderNotFound`".
    pub(crate) fn order_not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "Order not found", "OrderNotFound")
    }

    /// The checkout reference documents an unknown order as this 422.
    pub(crate) fn order_does_not_exist() -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Order does not exist",
            "OrderNotFound",
        )
    }

    /// 422 with the validation messages, in CoinGate's Rails-like wording.
    pub(crate) fn order_is_not_valid(errors: Vec<String>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Order is not valid",
            "OrderIsNotValid",
        )
        .with_errors(errors)
    }

    pub(crate) fn page_not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "Page not found", "PageNotFound")
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message, "BadRequest")
    }

    /// A fault of the sandbox itself, logged with its cause.
    pub(crate) fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!("the CoinGate sandbox failed: {cause}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong in CoinGate. Please try again later.",
            "InternalServerError",
        )
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(err: rusqlite::Error) -> Self {
        ApiError::internal(err)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            message: &self.message,
            reason: self.reason,
            errors: self.errors.as_deref(),
        };
        (self.status, Json(body)).into_response()
    }
}

/// How the CoinGate dialect answers injected faults. gateways.md: 429 comes
/// with `RateLimitException` or `RateLimitExceeded` ("the docs use both"), so
/// successive 429s of one sandbox alternate, starting with the first.
pub(crate) fn refusal() -> Refuse {
    let rate_limited = Arc::new(AtomicUsize::new(0));
    Arc::new(move |refusal| match refusal {
        // CoinGate has no error-inside-200 form: an envelope_error fault is
        // its plain server error.
        Refusal::ServerError | Refusal::ErrorInEnvelope => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong in CoinGate. Please try again later.",
            "InternalServerError",
        )
        .into_response(),
        Refusal::TooManyRequests => {
            let reason = if rate_limited
                .fetch_add(1, Ordering::SeqCst)
                .is_multiple_of(2)
            {
                "RateLimitException"
            } else {
                "RateLimitExceeded"
            };
            let mut response = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "API request limit is exceeded",
                reason,
            )
            .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            response
        }
        Refusal::BadKey => ApiError::bad_credentials().into_response(),
    })
}

// ---- amounts and times --------------------------------------------------------

/// An amount the way CoinGate's Ruby side writes a decimal: no trailing
/// zeros, but at least one decimal place (`"10.0"`, `"0.00001225"`).
pub(crate) fn amount(value: Decimal) -> String {
    let value = value.normalize();
    if value.scale() == 0 {
        format!("{value}.0")
    } else {
        value.to_string()
    }
}

/// `receive_amount`, `underpaid_amount` and `overpaid_amount` are a bare `"0"`
/// while zero, as every documented example shows them.
pub(crate) fn amount_or_zero(value: Decimal) -> String {
    if value.is_zero() {
        "0".to_owned()
    } else {
        amount(value)
    }
}

/// Order times as CoinGate writes them: `2022-12-09T14:02:41+00:00`.
pub(crate) fn time(unix_seconds: i64) -> String {
    DateTime::from_timestamp(unix_seconds, 0)
        .expect("stored times are within chrono's range")
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// Send request times, which CoinGate writes with milliseconds and a `Z`.
pub(crate) fn time_ms(unix_millis: i64) -> String {
    DateTime::from_timestamp_millis(unix_millis)
        .expect("stored times are within chrono's range")
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

// ---- request bodies -------------------------------------------------------------

/// A POST body as flat parameters, nested ones keyed `shopper[email]` as in
/// the documented form encoding, whichever way the body came. The last of
/// repeated keys wins, as in Rails.
#[derive(Debug, Default)]
pub(crate) struct Params(BTreeMap<String, String>);

impl Params {
    /// JSON when the content type says so; otherwise the documented form
    /// encoding (also when no content type is sent, as Rails reads it).
    pub(crate) fn from_body(headers: &HeaderMap, body: &[u8]) -> Result<Params, ApiError> {
        let mime = headers
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(';').next())
            .map(|mime| mime.trim().to_ascii_lowercase())
            .unwrap_or_default();
        if mime == "application/json" || mime.ends_with("+json") {
            Self::from_json(body)
        } else {
            Self::from_form(body)
        }
    }

    fn from_form(body: &[u8]) -> Result<Params, ApiError> {
        let text = std::str::from_utf8(body)
            .map_err(|_| ApiError::bad_request("The request body is not valid UTF-8."))?;
        let mut params = BTreeMap::new();
        for pair in text.split('&').filter(|pair| !pair.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = form_decode(key).ok_or_else(|| {
                ApiError::bad_request(format!("The form field name '{key}' is not valid."))
            })?;
            let value = form_decode(value).ok_or_else(|| {
                ApiError::bad_request(format!("The value of the form field '{key}' is not valid."))
            })?;
            params.insert(key, value);
        }
        Ok(Params(params))
    }

    fn from_json(body: &[u8]) -> Result<Params, ApiError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Params::default());
        }
        let object: BTreeMap<String, Box<RawValue>> =
            serde_json::from_slice(body).map_err(|err| {
                ApiError::bad_request(format!("The body is not a JSON object: {err}."))
            })?;
        let mut params = BTreeMap::new();
        flatten(&mut params, None, object)?;
        Ok(Params(params))
    }

    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// A value with surrounding blanks removed; None when absent or blank.
    pub(crate) fn text(&self, key: &str) -> Option<&str> {
        self.get(key)
            .map(str::trim)
            .filter(|value| !value.is_empty())
    }

    /// The nested fields under `prefix[...]`, as `(field, value)`.
    pub(crate) fn nested(&self, prefix: &str) -> Vec<(String, String)> {
        let start = format!("{prefix}[");
        self.0
            .iter()
            .filter_map(|(key, value)| {
                let field = key.strip_prefix(&start)?;
                Some((
                    field.strip_suffix(']').unwrap_or(field).to_owned(),
                    value.clone(),
                ))
            })
            .collect()
    }
}

/// JSON values as the text a form would have carried: numbers keep their
/// literal digits (money never passes through `f64`), objects nest as
/// `outer[inner]`, and null or arrays carry nothing.
fn flatten(
    params: &mut BTreeMap<String, String>,
    prefix: Option<&str>,
    object: BTreeMap<String, Box<RawValue>>,
) -> Result<(), ApiError> {
    for (key, raw) in object {
        let key = match prefix {
            Some(prefix) => format!("{prefix}[{key}]"),
            None => key,
        };
        let text = raw.get().trim();
        match text.as_bytes().first() {
            Some(b'{') => {
                let inner: BTreeMap<String, Box<RawValue>> =
                    serde_json::from_str(text).map_err(|err| {
                        ApiError::bad_request(format!("'{key}' is not valid: {err}."))
                    })?;
                flatten(params, Some(&key), inner)?;
            }
            Some(b'"') => {
                let value: String = serde_json::from_str(text).map_err(|err| {
                    ApiError::bad_request(format!("'{key}' is not valid: {err}."))
                })?;
                params.insert(key, value);
            }
            Some(b'[') | Some(b'n') | None => {}
            Some(_) => {
                params.insert(key, text.to_owned());
            }
        }
    }
    Ok(())
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte,
/// and the bytes must be UTF-8.
fn form_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// A query parameter by its documented name.
pub(crate) fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .rev()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(content_type: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, content_type.parse().unwrap());
        headers
    }

    #[test]
    fn a_form_body_and_a_json_body_read_the_same() {
        let form = Params::from_body(
            &headers("application/x-www-form-urlencoded; charset=utf-8"),
            b"title=My+Store+Order+%23111&price_amount=10.50&shopper%5Bemail%5D=a%40b.c",
        )
        .unwrap();
        let json = Params::from_body(
            &headers("application/json"),
            br#"{"title": "My Store Order #111", "price_amount": 10.50, "shopper": {"email": "a@b.c"}, "x": null}"#,
        )
        .unwrap();
        for params in [form, json] {
            assert_eq!(params.get("title"), Some("My Store Order #111"));
            assert_eq!(params.get("price_amount"), Some("10.50"));
            assert_eq!(
                params.nested("shopper"),
                vec![("email".to_owned(), "a@b.c".to_owned())]
            );
            assert_eq!(params.get("x"), None);
        }
    }

    #[test]
    fn broken_bodies_are_bad_requests() {
        assert!(Params::from_body(&headers("application/json"), b"{nope").is_err());
        assert!(Params::from_body(&HeaderMap::new(), b"a=%zz").is_err());
        assert!(Params::from_body(&HeaderMap::new(), b"").is_ok());
    }

    #[test]
    fn amounts_are_written_as_coingate_writes_them() {
        assert_eq!(amount(Decimal::new(1000, 2)), "10.0");
        assert_eq!(amount(Decimal::new(1225, 8)), "0.00001225");
        assert_eq!(amount(Decimal::ZERO), "0.0");
        assert_eq!(amount_or_zero(Decimal::ZERO), "0");
        assert_eq!(time(0), "1970-01-01T00:00:00+00:00");
        assert_eq!(time_ms(1_250), "1970-01-01T00:00:01.250Z");
    }
}
