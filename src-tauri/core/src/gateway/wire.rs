//! Reading gateway numbers exactly. Gateways send amounts as JSON numbers or
//! as strings (Counos `paidAmount` arrives either way, CoinGate amounts are
//! strings). A JSON number must not pass through `f64` on its way to a
//! decimal, so the raw text of the value is parsed instead.

use chrono::{DateTime, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use crate::money::parse_decimal;

/// Parses a raw JSON value (number or string) into a decimal.
pub fn decimal_from_raw(raw: &RawValue) -> Option<Decimal> {
    let text = raw.get().trim();
    if text.starts_with('"') {
        let s: String = serde_json::from_str(text).ok()?;
        parse_decimal(&s)
    } else {
        parse_decimal(text)
    }
}

/// `#[serde(default, deserialize_with = "wire::opt_decimal")]`: a missing,
/// null or empty amount is `None`.
pub fn opt_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    let raw = Option::<Box<RawValue>>::deserialize(d)?;
    match raw {
        None => Ok(None),
        Some(raw) if raw.get() == "null" || raw.get() == "\"\"" => Ok(None),
        Some(raw) => decimal_from_raw(&raw)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("not an amount: {}", raw.get()))),
    }
}

/// An id the gateway may send as a string or a number (Counos `orderId`).
pub fn id_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let raw = Box::<RawValue>::deserialize(d)?;
    let text = raw.get().trim();
    if text.starts_with('"') {
        serde_json::from_str(text).map_err(serde::de::Error::custom)
    } else {
        Ok(text.to_string())
    }
}

/// `#[serde(default, deserialize_with = "wire::opt_id_text")]`: an id as
/// text, `None` when missing, null or empty (CoinGate `order_id`).
pub fn opt_id_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let raw = Option::<Box<RawValue>>::deserialize(d)?;
    match raw {
        None => Ok(None),
        Some(raw) => Ok(raw_text(&raw)),
    }
}

/// `#[serde(default, deserialize_with = "wire::opt_count")]`: a count sent
/// as a number or a string; anything else is `None`.
pub fn opt_count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let raw = Option::<Box<RawValue>>::deserialize(d)?;
    Ok(raw
        .and_then(|raw| raw_text(&raw))
        .and_then(|t| t.trim().parse().ok()))
}

/// A raw JSON string or number as text; `None` for null, empty text,
/// objects, arrays and booleans.
pub fn raw_text(raw: &RawValue) -> Option<String> {
    let text = raw.get().trim();
    let value = if text.starts_with('"') {
        serde_json::from_str::<String>(text).ok()?
    } else if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        // The number's own text: never through f64.
        text.to_string()
    } else {
        return None;
    };
    Some(value).filter(|v| !v.trim().is_empty())
}

/// Gateway times arrive as RFC 3339, or without a zone (read as UTC), or as
/// Unix seconds. Cryptill stores UTC (gateways.md: one Counos client
/// converts to a fixed local zone).
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(dt.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(t, format) {
            return Some(naive.and_utc());
        }
    }
    t.parse::<i64>()
        .ok()
        .and_then(|secs| DateTime::from_timestamp(secs, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Probe {
        #[serde(deserialize_with = "opt_decimal")]
        a: Option<Decimal>,
        #[serde(default, deserialize_with = "opt_decimal")]
        b: Option<Decimal>,
        #[serde(deserialize_with = "id_text")]
        id: String,
    }

    #[test]
    fn numbers_and_strings_parse_to_the_same_exact_decimal() {
        // 18 significant digits: more than an f64 carries.
        let p: Probe = serde_json::from_str(
            r#"{"a": 0.123456789012345678, "b": "0.123456789012345678", "id": 42}"#,
        )
        .unwrap();
        assert_eq!(p.a.unwrap().to_string(), "0.123456789012345678");
        assert_eq!(p.b, p.a);
        assert_eq!(p.id, "42");
    }

    #[test]
    fn null_missing_and_empty_amounts_are_none() {
        for json in [
            r#"{"a":1,"id":"x"}"#,
            r#"{"a":1,"b":null,"id":"x"}"#,
            r#"{"a":1,"b":"","id":"x"}"#,
        ] {
            let p: Probe = serde_json::from_str(json).unwrap();
            assert_eq!(p.b, None, "{json}");
        }
    }

    #[test]
    fn garbage_amounts_are_errors() {
        assert!(serde_json::from_str::<Probe>(r#"{"a":"lots","id":"x"}"#).is_err());
        assert!(serde_json::from_str::<Probe>(r#"{"a":true,"id":"x"}"#).is_err());
    }

    #[test]
    fn ids_and_counts_read_from_strings_or_numbers() {
        #[derive(Deserialize)]
        struct Ids {
            #[serde(default, deserialize_with = "opt_id_text")]
            order_id: Option<String>,
            #[serde(default, deserialize_with = "opt_count")]
            n: Option<u32>,
        }
        let p: Ids = serde_json::from_str(r#"{"order_id": 12, "n": "3"}"#).unwrap();
        assert_eq!((p.order_id.as_deref(), p.n), (Some("12"), Some(3)));
        let p: Ids = serde_json::from_str(r#"{"order_id": null, "n": null}"#).unwrap();
        assert_eq!((p.order_id, p.n), (None, None));
        let p: Ids = serde_json::from_str(r#"{"order_id": ""}"#).unwrap();
        assert_eq!((p.order_id, p.n), (None, None));
    }

    #[test]
    fn zone_less_and_unix_times_are_read_as_utc() {
        assert_eq!(
            parse_time("2026-11-21T13:05:00.123").unwrap().to_rfc3339(),
            "2026-11-21T13:05:00.123+00:00"
        );
        assert_eq!(
            parse_time("2018-12-12T12:12:12+02:00")
                .unwrap()
                .to_rfc3339(),
            "2018-12-12T10:12:12+00:00"
        );
        assert_eq!(parse_time("0").unwrap().timestamp(), 0);
        assert!(parse_time("soon").is_none());
    }
}
