//! Exact money: decimals with each currency's own precision, never floats.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::error::Error;

/// A currency or coin and the number of decimal places it is counted in.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Currency {
    code: String,
    decimals: u32,
}

impl Currency {
    pub fn new(code: &str, decimals: u32) -> Self {
        Self {
            code: code.trim().to_ascii_uppercase(),
            decimals,
        }
    }

    /// A shop currency by ISO 4217 code, with its minor-unit precision.
    pub fn fiat(code: &str) -> Result<Self, Error> {
        let code = code.trim().to_ascii_uppercase();
        let decimals = match code.as_str() {
            // ISO 4217 currencies without minor units.
            "JPY" | "KRW" | "ISK" | "CLP" | "VND" | "HUF" => 0,
            c if c.len() == 3 && c.chars().all(|ch| ch.is_ascii_alphabetic()) => 2,
            _ => {
                return Err(Error::Input(format!(
                    "'{code}' is not a currency code. Use a three-letter code such as EUR or USD."
                )))
            }
        };
        Ok(Self { code, decimals })
    }

    /// A coin by ticker symbol. Precision is the chain's smallest unit
    /// (satoshi, wei); unknown coins get 8 places, the common default.
    pub fn coin(symbol: &str) -> Self {
        let code = symbol.trim().to_ascii_uppercase();
        let decimals = match code.as_str() {
            "ETH" => 18,
            "USDT" | "USDC" => 6,
            "XRP" => 6,
            "TRX" => 6,
            _ => 8,
        };
        Self { code, decimals }
    }

    pub fn code(&self) -> &str {
        &self.code
    }

    pub fn decimals(&self) -> u32 {
        self.decimals
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)
    }
}

/// An amount together with its currency, so EUR is never added to BTC.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// Rounds to the currency's precision (half away from zero).
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        let amount = amount
            .round_dp_with_strategy(currency.decimals, RoundingStrategy::MidpointAwayFromZero)
            .normalize();
        Self { amount, currency }
    }

    /// Rounds up to the currency's precision: what a customer is asked to pay
    /// never falls short of the price by a fraction of a unit.
    pub fn new_rounded_up(amount: Decimal, currency: Currency) -> Self {
        let amount = amount
            .round_dp_with_strategy(currency.decimals, RoundingStrategy::AwayFromZero)
            .normalize();
        Self { amount, currency }
    }

    /// Parses what a cashier typed ("12.50", "12,50") into an amount of
    /// `currency`, refusing anything a gateway should never see.
    pub fn parse_entry(text: &str, currency: &Currency) -> Result<Self, Error> {
        let cleaned = text.trim().replace(',', ".");
        if cleaned.is_empty() {
            return Err(Error::Input("Type an amount first.".into()));
        }
        let valid_chars = cleaned.chars().all(|c| c.is_ascii_digit() || c == '.');
        let amount = Decimal::from_str(&cleaned)
            .ok()
            .filter(|_| valid_chars)
            .ok_or_else(|| {
                Error::Input(format!(
                    "'{text}' is not an amount. Type digits with at most one decimal point."
                ))
            })?;
        if amount.scale() > currency.decimals {
            return Err(Error::Input(format!(
                "{currency} has {} decimal places; '{text}' has more. Remove the extra digits.",
                currency.decimals
            )));
        }
        if amount.is_zero() {
            return Err(Error::Input(
                "The amount is zero. Type the price of the sale.".into(),
            ));
        }
        Ok(Self::new(amount, currency.clone()))
    }

    pub fn amount(&self) -> Decimal {
        self.amount
    }

    pub fn currency(&self) -> &Currency {
        &self.currency
    }

    /// The amount with exactly the currency's number of decimal places
    /// ("12.50", "0.00021552"), the form shown to people and stored.
    pub fn to_fixed(&self) -> String {
        fixed(self.amount, self.currency.decimals)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.to_fixed(), self.currency)
    }
}

/// `amount` written with exactly `decimals` places, no exponent, no grouping.
pub fn fixed(amount: Decimal, decimals: u32) -> String {
    let mut a = amount.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero);
    a.rescale(decimals);
    a.to_string()
}

/// Parses a decimal as gateways write it: plain ("0.0002"), or with an
/// exponent ("2.5E-4"), which some JSON encoders emit for small numbers.
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    let t = text.trim();
    Decimal::from_str(t)
        .ok()
        .or_else(|| Decimal::from_scientific(t).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        Currency::fiat("eur").unwrap()
    }

    #[test]
    fn entry_accepts_comma_or_dot_as_decimal_separator() {
        assert_eq!(
            Money::parse_entry("12,50", &eur()).unwrap().to_fixed(),
            "12.50"
        );
        assert_eq!(
            Money::parse_entry("12.5", &eur()).unwrap().to_fixed(),
            "12.50"
        );
    }

    #[test]
    fn entry_refuses_more_decimals_than_the_currency_has() {
        let err = Money::parse_entry("1.234", &eur()).unwrap_err();
        assert!(
            err.to_string().contains("EUR has 2 decimal places"),
            "{err}"
        );
        let yen = Currency::fiat("JPY").unwrap();
        assert!(Money::parse_entry("100.5", &yen).is_err());
        assert_eq!(Money::parse_entry("100", &yen).unwrap().to_fixed(), "100");
    }

    #[test]
    fn entry_refuses_zero_empty_negative_and_garbage() {
        for bad in ["", "0", "0.00", "-5", "1e3", "12.5.0", "abc", "+3"] {
            assert!(Money::parse_entry(bad, &eur()).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn crypto_amounts_keep_the_chains_precision() {
        let btc = Currency::coin("btc");
        let m = Money::new_rounded_up(Decimal::from_str("0.000215517241").unwrap(), btc);
        assert_eq!(m.to_fixed(), "0.00021552");
        assert_eq!(m.to_string(), "0.00021552 BTC");
        let eth = Currency::coin("ETH");
        let wei = Money::new(Decimal::from_str("0.000000000000000001").unwrap(), eth);
        assert_eq!(wei.to_fixed(), "0.000000000000000001");
    }

    #[test]
    fn gateway_decimals_parse_plain_and_exponent_forms() {
        assert_eq!(parse_decimal("2.5E-4").unwrap().to_string(), "0.00025");
        assert_eq!(parse_decimal(" 7469.5 ").unwrap().to_string(), "7469.5");
        assert!(parse_decimal("").is_none());
    }

    #[test]
    fn fiat_codes_are_validated() {
        assert!(Currency::fiat("EURO").is_err());
        assert_eq!(Currency::fiat("usd").unwrap().decimals(), 2);
    }
}
