//! Reading gateway numbers exactly. Gateways send amounts as JSON numbers or
//! as strings (Counos `paidAmount` arrives either way, CoinGate amounts are
//! strings). A JSON number must not pass through `f64` on its way to a
//! decimal, so the raw text of the value is parsed instead.

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

/// `#[serde(deserialize_with = "wire::decimal")]` for a required amount.
pub fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    let raw = Box::<RawValue>::deserialize(d)?;
    decimal_from_raw(&raw)
        .ok_or_else(|| serde::de::Error::custom(format!("not an amount: {}", raw.get())))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Probe {
        #[serde(deserialize_with = "decimal")]
        a: Decimal,
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
        assert_eq!(p.a.to_string(), "0.123456789012345678");
        assert_eq!(p.b, Some(p.a));
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
}
