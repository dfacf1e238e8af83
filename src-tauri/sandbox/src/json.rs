//! Exact amounts in and out of JSON.
//!
//! Money never passes through `f64` here (style.md: "money is exact"): JSON
//! numbers are written from a decimal's own text and read from the literal
//! text of the request, whether the client sent a number or a string
//! (gateways.md: amounts "may arrive as number or string").

use std::str::FromStr;

use chrono::{DateTime, SecondsFormat};
use rust_decimal::Decimal;
use serde_json::value::RawValue;

/// A JSON number with exactly the decimal's digits.
pub(crate) fn number(value: Decimal) -> Box<RawValue> {
    RawValue::from_string(value.to_string()).expect("a decimal's text is a valid JSON number")
}

/// At least 8 decimal places (`0.00000000`), more when the amount has them:
/// how the gateway writes `paidAmount` and balances.
pub(crate) fn at_least_8_places(mut value: Decimal) -> Decimal {
    if value.scale() < 8 {
        value.rescale(8);
    }
    value
}

/// An amount sent as a JSON number (`0.0002`, `2e-4`) or string (`"0.0002"`).
pub(crate) fn decimal(raw: &RawValue) -> Option<Decimal> {
    let text = raw.get().trim();
    if text.starts_with('"') {
        parse_decimal(&serde_json::from_str::<String>(text).ok()?)
    } else if text.contains(['e', 'E']) {
        // serde_json has already checked the number's grammar.
        Decimal::from_scientific(text).ok()
    } else {
        parse_decimal(text)
    }
}

/// Plain decimal text: an optional minus, digits, an optional fraction. Rejects
/// what `Decimal::from_str` would quietly take (`1_000`, `+5`, `.5`), because a
/// gateway would not.
pub(crate) fn parse_decimal(text: &str) -> Option<Decimal> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match digits.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (digits, None),
    };
    let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole) || !fraction.is_none_or(all_digits) {
        return None;
    }
    Decimal::from_str_exact(text).ok()
}

/// An id sent as a JSON string (`"inv-125"`) or number (`125`), as text.
pub(crate) fn text_or_number(raw: &RawValue) -> Option<String> {
    let text = raw.get().trim();
    if text.starts_with('"') {
        serde_json::from_str(text).ok()
    } else if serde_json::Number::from_str(text).is_ok() {
        Some(text.to_owned())
    } else {
        None
    }
}

/// ISO 8601 in UTC with a `Z`, to the second: `2026-11-21T13:05:00Z`.
pub(crate) fn timestamp(unix_seconds: i64) -> String {
    DateTime::from_timestamp(unix_seconds, 0)
        .expect("stored times are within chrono's range")
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.to_owned()).unwrap()
    }

    #[test]
    fn amounts_keep_every_digit_whether_sent_as_number_or_string() {
        assert_eq!(
            decimal(&raw("0.00012345")).unwrap().to_string(),
            "0.00012345"
        );
        assert_eq!(
            decimal(&raw("\"0.00012345\"")).unwrap().to_string(),
            "0.00012345"
        );
        assert_eq!(
            decimal(&raw("1.2345e-4")).unwrap().to_string(),
            "0.00012345"
        );
        assert_eq!(number(Decimal::new(1250, 2)).get(), "12.50");
    }

    #[test]
    fn amounts_a_gateway_would_refuse_are_not_read() {
        for text in [
            "\"1_000\"",
            "\"+5\"",
            "\".5\"",
            "\"5.\"",
            "\"1,5\"",
            "\"\"",
            "null",
            "true",
        ] {
            assert_eq!(decimal(&raw(text)), None, "{text}");
        }
    }

    #[test]
    fn ids_are_read_as_text_from_strings_or_numbers() {
        assert_eq!(
            text_or_number(&raw("\"inv-125\"")).as_deref(),
            Some("inv-125")
        );
        assert_eq!(text_or_number(&raw("125")).as_deref(), Some("125"));
        assert_eq!(text_or_number(&raw("null")), None);
        assert_eq!(text_or_number(&raw("{}")), None);
    }
}
