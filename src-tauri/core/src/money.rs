//! Exact money: decimals with each currency's own precision, never floats.

use crate::said::Said;
use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::error::Error;

/// ISO 4217 list one, embedded as data: every active code with its minor
/// units. Read at compile time, so a till never needs a network or a file to
/// know that KWD has 3 decimals and JPY none.
const ISO_4217: &str = include_str!("iso4217.tsv");

/// One row of the ISO 4217 table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IsoCurrency {
    pub code: &'static str,
    pub numeric: u16,
    /// Decimal places; `None` where ISO gives none ("N.A.": gold, SDR, test
    /// and no-currency codes), which no shop can price in.
    pub minor_units: Option<u32>,
    pub name: &'static str,
}

/// Every row of the embedded ISO 4217 table, in code order.
pub fn iso_4217() -> impl Iterator<Item = IsoCurrency> {
    ISO_4217
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|line| {
            let mut cols = line.split('\t');
            let code = cols.next()?;
            let numeric = cols.next()?.parse().ok()?;
            let minor_units = match cols.next()? {
                "-" => None,
                n => Some(n.parse().ok()?),
            };
            let name = cols.next()?;
            Some(IsoCurrency {
                code,
                numeric,
                minor_units,
                name,
            })
        })
}

/// The ISO 4217 row of an alphabetic code (upper case), if it is active.
/// The table is read once into a sorted list: every sale read back from the
/// ledger looks its currency up (a million for a full CSV export).
pub fn iso_currency(code: &str) -> Option<IsoCurrency> {
    static TABLE: std::sync::OnceLock<Vec<IsoCurrency>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut rows: Vec<IsoCurrency> = iso_4217().collect();
        rows.sort_by_key(|c| c.code);
        rows
    });
    table
        .binary_search_by(|c| c.code.cmp(code))
        .ok()
        .map(|i| table[i])
}

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

    /// A shop currency by ISO 4217 code, with its minor-unit precision from
    /// the embedded ISO table (KWD 3, JPY 0, CLF 4, EUR 2).
    pub fn fiat(code: &str) -> Result<Self, Error> {
        let code = code.trim().to_ascii_uppercase();
        match iso_currency(&code) {
            Some(IsoCurrency {
                minor_units: Some(decimals),
                ..
            }) => Ok(Self { code, decimals }),
            Some(row) => Err(Error::input(Said::currency_no_minor_unit(
                row.code, row.name,
            ))),
            None => Err(Error::input(Said::not_a_currency(shown(&code)))),
        }
    }

    /// The currency of a sale already in the ledger: its ISO precision, or
    /// 2 places for a code no longer (or never) on the ISO list, as every
    /// code was counted before the table was embedded. History stays
    /// readable after a currency is withdrawn (BGN on 2026-01-01).
    pub fn stored_fiat(code: &str) -> Self {
        Self::fiat(code).unwrap_or_else(|_| Self::new(code, 2))
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

    /// What a customer pays in `coin` for this fiat amount at `rate` (fiat
    /// units per coin), rounded up to the coin's smallest unit: never short
    /// of the price. Exact, by integer long division: `Decimal`'s own
    /// division keeps 28 significant digits, so a quotient a hair above a
    /// whole number of smallest units (or one with more digits than that)
    /// came out a unit short (docs/reliability.md, "Money"). A zero or
    /// negative rate, or a result too large to hold, is an error, never a
    /// panic.
    pub fn converted_up(&self, rate: Decimal, coin: Currency) -> Result<Money, Error> {
        let refused = || Error::input(Said::amount_unconvertible(self, &coin, rate));
        if rate <= Decimal::ZERO {
            return Err(refused());
        }
        let units = div_ceil_scaled(self.amount, rate, coin.decimals).ok_or_else(refused)?;
        let amount =
            Decimal::try_from_i128_with_scale(units, coin.decimals).map_err(|_| refused())?;
        Ok(Money::new(amount, coin))
    }

    /// Parses what a cashier typed ("12.50", "12,50", "١٢٫٥٠") into an
    /// amount of `currency`, refusing anything a gateway should never see.
    /// Every refusal says what to type instead; nothing here can panic,
    /// whatever the text (docs/reliability.md, "Fuzzing").
    pub fn parse_entry(text: &str, currency: &Currency) -> Result<Self, Error> {
        let typed = text.trim();
        if typed.is_empty() {
            return Err(Error::input(Said::amount_missing()));
        }
        let not_an_amount = || Error::input(Said::not_an_amount(shown(text)));
        let mut whole = String::new();
        let mut fraction: Option<String> = None;
        for c in typed.chars() {
            if let Some(d) = entry_digit(c) {
                fraction.as_mut().unwrap_or(&mut whole).push(d);
            } else if is_decimal_separator(c) {
                if fraction.is_some() {
                    // "1.234,56", "1,234.56", "1.234.567": grouping, which
                    // cannot be told from a decimal point.
                    return Err(Error::input(Said::amount_two_points(shown(text))));
                }
                fraction = Some(String::new());
            } else if matches!(
                c,
                '-' | '\u{2212}' | '\u{2012}' | '\u{2013}' | '\u{FE63}' | '\u{FF0D}'
            ) {
                return Err(Error::input(Said::amount_negative(shown(text))));
            } else if matches!(c, '+' | '\u{FF0B}') {
                return Err(Error::input(Said::amount_plus(shown(text))));
            } else if c.is_whitespace()
                || matches!(c, '\'' | '_' | '\u{2019}' | '\u{066C}' | '\u{00B7}')
            {
                return Err(Error::input(Said::amount_spaces(shown(text))));
            } else if c.is_numeric() {
                return Err(Error::input(Said::amount_foreign_digits(shown(text))));
            } else {
                return Err(not_an_amount());
            }
        }
        let fraction = fraction.unwrap_or_default();
        if whole.is_empty() && fraction.is_empty() {
            return Err(not_an_amount());
        }
        if fraction.len() > currency.decimals as usize {
            return Err(Error::input(Said::amount_too_precise(
                currency,
                currency.decimals,
                shown(text),
            )));
        }
        // Held with the currency's full precision: at most 28 digits in all
        // once the places are filled (a Decimal's 96 bits), so what the
        // till writes ("1000.00000000") always has every place. A longer
        // number is refused, never cut or wrapped. Leading zeros carry no
        // value; only one check of the length before parsing is needed.
        let whole = whole.trim_start_matches('0');
        let too_large = || Error::input(Said::amount_too_long(shown(text)));
        let places = currency.decimals as usize;
        let digits = format!("{whole}{fraction:0<places$}");
        let mantissa = match digits.len() {
            0 => 0,
            1..=38 => digits.parse::<i128>().map_err(|_| too_large())?,
            _ => return Err(too_large()),
        };
        let amount = Decimal::try_from_i128_with_scale(mantissa, currency.decimals)
            .map_err(|_| too_large())?;
        if amount.is_zero() {
            return Err(Error::input(Said::amount_zero()));
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

/// `a / b` in units of 10^-`decimals`, rounded away from zero, exactly;
/// `None` when the result needs more than Decimal's 96 bits. With
/// a = A·10^-sa and b = B·10^-sb the result is ceil(A·10^(sb+decimals-sa) / B):
/// long division one decimal digit at a time keeps every remainder below
/// B < 2^96, so u128 never overflows.
fn div_ceil_scaled(a: Decimal, b: Decimal, decimals: u32) -> Option<i128> {
    const LIMIT: u128 = 1 << 96;
    if b.is_zero() {
        return None;
    }
    let negative = a.is_sign_negative() != b.is_sign_negative() && !a.is_zero();
    let num = a.mantissa().unsigned_abs();
    let den = b.mantissa().unsigned_abs();
    let shift = i64::from(b.scale()) + i64::from(decimals) - i64::from(a.scale());
    let (quotient, remainder) = if shift >= 0 {
        let (mut q, mut r) = (num / den, num % den);
        for _ in 0..shift {
            // r < den < 2^96, so r * 10 < 2^100.
            let r10 = r * 10;
            q = q.checked_mul(10)?.checked_add(r10 / den)?;
            if q >= LIMIT {
                return None;
            }
            r = r10 % den;
        }
        (q, r)
    } else {
        // Dividing by den·10^-shift; past u128 it is above num, so the
        // quotient is 0 with a remainder of num.
        match 10u128
            .checked_pow(u32::try_from(-shift).ok()?)
            .and_then(|p| den.checked_mul(p))
        {
            Some(d) => (num / d, num % d),
            None => (0, num),
        }
    };
    let units = quotient + u128::from(remainder != 0);
    if units >= LIMIT {
        return None;
    }
    let units = units as i128;
    Some(if negative { -units } else { units })
}

/// A digit as typed on the keyboards a till meets: ASCII, Arabic-Indic,
/// Persian (extended Arabic-Indic) and full-width (Japanese and Chinese input
/// methods). Other scripts' digits get a clear refusal rather than a guess.
fn entry_digit(c: char) -> Option<char> {
    let zero = match c {
        '0'..='9' => return Some(c),
        '\u{0660}'..='\u{0669}' => '\u{0660}',
        '\u{06F0}'..='\u{06F9}' => '\u{06F0}',
        '\u{FF10}'..='\u{FF19}' => '\u{FF10}',
        _ => return None,
    };
    char::from_digit(c as u32 - zero as u32, 10)
}

/// '.' and ',' (either is the decimal point, as the cashier's locale has
/// it), the Arabic decimal separator and the full-width stops.
fn is_decimal_separator(c: char) -> bool {
    matches!(c, '.' | ',' | '\u{066B}' | '\u{FF0E}' | '\u{FF0C}')
}

/// What the person typed, fit to quote back in a message: at most 32
/// characters, without control or direction-changing characters that would
/// garble the sentence around it.
fn shown(text: &str) -> String {
    let clean = |c: &char| {
        !c.is_control()
            && !matches!(*c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
    };
    let text = text.trim();
    let mut out: String = text.chars().filter(clean).take(32).collect();
    if text.chars().filter(clean).nth(32).is_some() {
        out.push('…');
    }
    out
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
