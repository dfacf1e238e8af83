//! The Counos envelope and the ways a Counos call fails.
//!
//! gateways.md: every response is `{"statusCode", "statusMessage", "data"}`;
//! an error can come as a non-2xx HTTP status or as HTTP 200 with a
//! `statusCode` outside 200..299, and a client must check both.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use crate::faults::Refusal;

/// gateways.md: a `statusMessage` containing "secret key is invalid" (any
/// case) means a bad API key.
const INVALID_KEY_MESSAGE: &str = "Secret key is invalid";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<T> {
    status_code: u16,
    status_message: String,
    data: T,
}

/// A 200 answer carrying `data`.
pub(crate) fn success(message: &str, data: impl Serialize) -> Response {
    Json(Envelope {
        status_code: 200,
        status_message: message.to_owned(),
        data,
    })
    .into_response()
}

/// A failed call: an HTTP status and the `statusCode`/`statusMessage` inside.
#[derive(Debug)]
pub(crate) struct ApiError {
    http: StatusCode,
    status_code: u16,
    message: String,
}

impl ApiError {
    /// The same code in the HTTP status and in the envelope.
    fn plain(http: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            http,
            status_code: http.as_u16(),
            message: message.into(),
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::plain(StatusCode::BAD_REQUEST, message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::plain(StatusCode::NOT_FOUND, message)
    }

    pub(crate) fn invalid_key() -> Self {
        Self::plain(StatusCode::UNAUTHORIZED, INVALID_KEY_MESSAGE)
    }

    pub(crate) fn method_not_allowed() -> Self {
        Self::plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "This call does not take that HTTP method.",
        )
    }

    pub(crate) fn unsupported_media_type() -> Self {
        Self::plain(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "The request body must be JSON, sent with Content-Type: application/json.",
        )
    }

    /// HTTP 200 with an error inside: the shape of the withdraw refusal.
    pub(crate) fn in_envelope(status_code: u16, message: impl Into<String>) -> Self {
        ApiError {
            http: StatusCode::OK,
            status_code,
            message: message.into(),
        }
    }

    /// A fault of the sandbox itself, logged with its cause.
    pub(crate) fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!("the Counos sandbox failed: {cause}");
        Self::plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            "An internal error occurred. Please try again later.",
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
        let envelope = Envelope {
            status_code: self.status_code,
            status_message: self.message,
            data: (),
        };
        (self.http, Json(envelope)).into_response()
    }
}

/// How the Counos dialect answers an injected fault.
pub(crate) fn refusal(refusal: Refusal) -> Response {
    match refusal {
        Refusal::ServerError => ApiError::plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            "An internal server error occurred.",
        )
        .into_response(),
        Refusal::TooManyRequests => {
            let mut response = ApiError::plain(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many requests. Please try again later.",
            )
            .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            response
        }
        Refusal::ErrorInEnvelope => ApiError::in_envelope(
            500,
            "The payment service is temporarily unavailable. Please try again later.",
        )
        .into_response(),
        Refusal::BadKey => ApiError::invalid_key().into_response(),
    }
}

/// A query parameter by its documented name. Names are matched exactly: the
/// documentation spells them in lower case, and a client that strays from it
/// should find out here, not in the shop.
pub(crate) fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// gateways.md: "POST bodies are JSON (`Content-Type: application/json`)".
pub(crate) fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
    if is_json {
        Ok(())
    } else {
        Err(ApiError::unsupported_media_type())
    }
}
