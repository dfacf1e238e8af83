//! The HTTP policy every gateway client shares: TLS except on loopback, a
//! timeout on every call, and transport failures worded for the counter.

use crate::said::Said;
use std::net::IpAddr;
use std::time::Duration;

use url::Url;

use crate::error::{Error, Result};

/// A counter cannot wait forever: after this a call fails and Retry is offered.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Accepts `https://` anywhere and `http://` only on loopback (the sandbox),
/// so an API key never crosses a network in clear text.
pub fn check_base_url(raw: &str) -> Result<Url> {
    let mut url =
        Url::parse(raw.trim()).map_err(|e| Error::input(Said::not_a_web_address(raw, e)))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err(Error::input(Said::web_address_not_encrypted(raw))),
        other => return Err(Error::input(Said::web_address_scheme(raw, other))),
    }
    // Joining relative paths needs a trailing slash, or the last segment is dropped.
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        // gateways.md, Round 2 "Both": a redirect would carry the API key
        // (which no client library strips) to another host. A 3xx is
        // answered as it is and judged an error by the client.
        .redirect(reqwest::redirect::Policy::none())
        .timeout(REQUEST_TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        .https_only(false) // enforced per base URL by check_base_url
        .user_agent(concat!("Cryptill/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("a reqwest client with static settings always builds")
}

/// The API key as a header value marked sensitive, so that it is left out
/// of any debug output of the request. `None` if it cannot be a header.
pub fn key_header(value: &str) -> Option<reqwest::header::HeaderValue> {
    let mut header = reqwest::header::HeaderValue::from_str(value).ok()?;
    header.set_sensitive(true);
    Some(header)
}

/// A 3xx answer: the gateway (or something posing as it) tried to send the
/// call elsewhere. Not followed, see [`client`].
pub fn redirected(gateway: &str, status: reqwest::StatusCode) -> crate::error::Error {
    crate::error::Error::GatewayProtocol {
        gateway: gateway.to_string(),
        detail: format!(
            "it answered HTTP {} (a redirect to another address), which Cryptill does not follow \
             so the API key never goes elsewhere. Check the gateway address in Settings",
            status.as_u16()
        ),
    }
}

/// A transport failure (no answer at all), worded for the counter. The URL
/// is left out on purpose: it can carry query values.
pub fn unreachable(gateway: &str, e: &reqwest::Error) -> Error {
    let detail = if e.is_timeout() {
        "no answer in time".to_string()
    } else if e.is_connect() {
        "could not connect".to_string()
    } else if e.is_body() || e.is_decode() {
        "the connection broke off".to_string()
    } else {
        "the connection failed".to_string()
    };
    Error::GatewayUnreachable {
        gateway: gateway.to_string(),
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_refused_except_on_loopback() {
        assert!(check_base_url("http://payment.counos.io/api/").is_err());
        assert!(check_base_url("http://192.168.1.5/api/").is_err());
        assert!(check_base_url("ftp://example.com/").is_err());
        assert!(check_base_url("https://payment.counos.io/api/").is_ok());
        assert!(check_base_url("http://127.0.0.1:8080/counos/api/").is_ok());
        assert!(check_base_url("http://localhost:1/").is_ok());
        assert!(check_base_url("http://[::1]:1/").is_ok());
    }

    #[test]
    fn base_url_gets_a_trailing_slash_so_paths_join_under_it() {
        let url = check_base_url("https://payment.counos.io/api").unwrap();
        assert_eq!(
            url.join("terminal/tickers").unwrap().as_str(),
            "https://payment.counos.io/api/terminal/tickers"
        );
    }
}
