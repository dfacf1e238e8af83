//! Fuzzing by property tests (docs/reliability.md, "Fuzzing"): the amount
//! parser and the payment-URI builder, fed everything a person or a gateway
//! could send. `cargo fuzz` needs a nightly toolchain this project's
//! machines cannot install, so proptest stands in with large case counts:
//! 100,000 per property in CI, 10 times more with `CRYPTILL_LONG=1`,
//! `PROPTEST_CASES=N` to set it outright. Failures proptest finds are kept
//! in `parsers_prop.proptest-regressions` and replayed first on every run;
//! `corpus/amounts.txt` holds the hand-picked hostile entries.

use std::str::FromStr;

use cryptill_core::money::{iso_4217, Currency, Money};
use cryptill_core::qr::{payment_uri, png};
use cryptill_core::ErrorKind;
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::Signed;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use rust_decimal::Decimal;

fn cases(ci: u32) -> u32 {
    if let Some(n) = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return n;
    }
    if std::env::var("CRYPTILL_LONG").is_ok_and(|v| v == "1") {
        ci * 10
    } else {
        ci
    }
}

fn config(ci: u32) -> ProptestConfig {
    ProptestConfig {
        cases: cases(ci),
        // Next to this file (cargo runs tests from the crate's folder), so
        // the cases that once failed are committed and replayed first.
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/core/parsers_prop.proptest-regressions",
        ))),
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------- amounts

/// The till's currencies: every ISO 4217 currency with minor units, and
/// coins at the precisions gateways use (owner withdrawals parse coin
/// amounts with the same parser).
fn currency() -> impl Strategy<Value = Currency> {
    let iso: Vec<Currency> = iso_4217()
        .filter(|c| c.minor_units.is_some())
        .map(|c| Currency::fiat(c.code).unwrap())
        .collect();
    prop_oneof![
        3 => proptest::sample::select(iso),
        1 => prop_oneof![Just(6u32), Just(8), Just(18)].prop_map(|d| Currency::new("COIN", d)),
    ]
}

/// The digits the parser reads: ASCII, Arabic-Indic, Persian, full-width.
const ZEROS: [char; 4] = ['0', '\u{0660}', '\u{06F0}', '\u{FF10}'];
const SEPARATORS: [char; 5] = ['.', ',', '\u{066B}', '\u{FF0E}', '\u{FF0C}'];

/// An independent reading of what a cashier typed: `Some(value)` when the
/// text is digits with at most one decimal separator (size and precision
/// aside), `None` for anything else.
fn reference_value(text: &str) -> Option<(BigRational, usize)> {
    let mut whole = BigInt::from(0);
    let mut fraction_digits = 0usize;
    let mut seen_separator = false;
    let mut any_digit = false;
    for c in text.trim().chars() {
        if let Some(d) = ZEROS
            .iter()
            .find_map(|z| (c as u32).checked_sub(*z as u32).filter(|d| *d < 10))
        {
            whole = whole * 10 + d;
            any_digit = true;
            if seen_separator {
                fraction_digits += 1;
            }
        } else if SEPARATORS.contains(&c) && !seen_separator {
            seen_separator = true;
        } else {
            return None;
        }
    }
    any_digit.then(|| {
        (
            BigRational::new(whole, BigInt::from(10).pow(fraction_digits as u32)),
            fraction_digits,
        )
    })
}

fn rational(d: Decimal) -> BigRational {
    BigRational::new(BigInt::from(d.mantissa()), BigInt::from(10).pow(d.scale()))
}

/// Whether a value can be held with every place of its currency: its
/// count of smallest units stays below a Decimal's 2^96.
fn fits_decimal(v: &BigRational, places: u32) -> bool {
    (v * BigRational::from_integer(BigInt::from(10).pow(places))).to_integer()
        < BigInt::from(1u128 << 96)
}

/// The one property of the parser, for any text: no panic; a refusal is an
/// input error with a short, printable message; an acceptance is exactly
/// the typed value, positive, within the currency's places, and survives a
/// round trip through the text the till shows.
fn check_entry(text: &str, currency: &Currency) -> Result<(), TestCaseError> {
    let reference = reference_value(text);
    match Money::parse_entry(text, currency) {
        Ok(money) => {
            let Some((value, places)) = reference else {
                return Err(TestCaseError::fail(format!("accepted {text:?} as {money}")));
            };
            prop_assert!(places <= currency.decimals() as usize, "{:?}", text);
            prop_assert!(value.is_positive(), "{:?}", text);
            prop_assert_eq!(rational(money.amount()), value);
            prop_assert_eq!(money.currency(), currency);
            let shown = money.to_fixed();
            let again = Money::parse_entry(&shown, currency);
            prop_assert_eq!(
                again.as_ref().ok(),
                Some(&money),
                "{:?} -> {:?}",
                text,
                shown
            );
            let decimals = shown.split_once('.').map_or(0, |(_, f)| f.len());
            prop_assert_eq!(decimals, currency.decimals() as usize, "{}", shown);
        }
        Err(error) if error.kind() == ErrorKind::Input => {
            let message = error.to_string();
            prop_assert!(!message.is_empty());
            prop_assert!(message.chars().count() <= 200, "{}", message);
            prop_assert!(!message.chars().any(char::is_control), "{:?}", message);
            if let Some((value, places)) = reference {
                // Digits with one separator are refused only for a reason
                // the message names.
                let why = if places > currency.decimals() as usize {
                    "decimal places"
                } else if !value.is_positive() {
                    "zero"
                } else if !fits_decimal(&value, currency.decimals()) {
                    "too large"
                } else {
                    return Err(TestCaseError::fail(format!(
                        "refused the valid {text:?}: {message}"
                    )));
                };
                prop_assert!(message.contains(why), "{:?}: {}", text, message);
            }
        }
        Err(other) => {
            return Err(TestCaseError::fail(format!(
                "{text:?}: not an input error: {other:?}"
            )))
        }
    }
    Ok(())
}

/// What people type: digits in one script, maybe a separator, maybe
/// grouping, signs, exponents, spaces, other scripts' digits.
fn amount_like() -> impl Strategy<Value = String> {
    let digit = prop_oneof![
        8 => proptest::char::range('0', '9'),
        1 => proptest::sample::select(vec![
            '\u{0660}', '\u{0665}', '\u{06F0}', '\u{06F9}', '\u{FF10}', '\u{FF19}',
            // Digits the parser does not read: Bengali, Devanagari,
            // mathematical bold, superscript.
            '\u{09E7}', '\u{0967}', '\u{1D7CF}', '\u{00B9}',
        ]),
    ];
    let piece = prop_oneof![
        10 => digit.prop_map(String::from),
        2 => proptest::sample::select(vec![".", ","]).prop_map(String::from),
        1 => proptest::sample::select(vec![
            " ", "'", "_", "\u{00A0}", "\u{202F}", "\u{066B}", "\u{066C}", "\u{FF0E}",
            "-", "+", "\u{2212}", "e", "E", "e-3", "$", "€", "EUR", "\u{202E}", "\n", "\0",
            "NaN", "inf", "0x", "½",
        ])
        .prop_map(String::from),
    ];
    (
        proptest::collection::vec(piece, 0..40),
        proptest::sample::select(vec!["", " ", "\t", "\u{3000}"]),
    )
        .prop_map(|(pieces, pad)| format!("{pad}{}{pad}", pieces.concat()))
}

/// A correctly typed amount of `currency`: digits in one script, one of the
/// separators, at most the currency's places.
fn valid_entry() -> impl Strategy<Value = (String, Currency)> {
    currency().prop_flat_map(|currency| {
        let places = currency.decimals() as usize;
        (
            // Up to 10 whole digits: with 18 places that is Decimal's 28.
            "[0-9]{0,10}",
            proptest::option::of(
                proptest::string::string_regex(&format!("[0-9]{{0,{places}}}")).unwrap(),
            ),
            proptest::sample::select(ZEROS.to_vec()),
            proptest::sample::select(SEPARATORS.to_vec()),
            Just(currency),
        )
            .prop_map(|(whole, fraction, zero, separator, currency)| {
                let script = |s: &str| -> String {
                    s.chars()
                        .map(|c| char::from_u32(zero as u32 + c.to_digit(10).unwrap()).unwrap())
                        .collect()
                };
                let mut text = script(&whole);
                if let Some(f) = fraction {
                    text.push(separator);
                    text.push_str(&script(&f));
                }
                (text, currency)
            })
    })
}

proptest! {
    #![proptest_config(config(100_000))]

    #[test]
    fn any_text_is_an_exact_amount_or_a_clear_refusal(text in any::<String>(), currency in currency()) {
        check_entry(&text, &currency)?;
    }

    #[test]
    fn amount_like_text_is_an_exact_amount_or_a_clear_refusal(text in amount_like(), currency in currency()) {
        check_entry(&text, &currency)?;
    }

    #[test]
    fn correctly_typed_amounts_are_accepted_and_round_trip((text, currency) in valid_entry()) {
        let reference = reference_value(&text);
        check_entry(&text, &currency)?;
        if reference.is_some_and(|(v, _)| v.is_positive()) {
            prop_assert!(Money::parse_entry(&text, &currency).is_ok(), "{:?}", text);
        }
    }
}

proptest! {
    #![proptest_config(config(1_000))]

    /// Digit strings far beyond what a Decimal holds, with and without a
    /// point and leading zeros: refused as too large (or accepted when the
    /// zeros make it small), never cut, wrapped or slow.
    #[test]
    fn huge_digit_strings_are_refused_as_too_large_not_cut(
        zeros in 0usize..2_000,
        digits in "[1-9][0-9]{0,3000}",
        fraction in proptest::option::of("[0-9]{0,3000}"),
        currency in currency(),
    ) {
        let mut text = "0".repeat(zeros) + &digits;
        if let Some(f) = fraction {
            text = text + "." + &f;
        }
        check_entry(&text, &currency)?;
    }
}

/// Entries found hostile by hand or by earlier runs, replayed every time in
/// every currency precision.
#[test]
fn the_corpus_of_hostile_entries_is_refused_or_read_exactly() {
    let corpus = include_str!("corpus/amounts.txt");
    let mut count = 0;
    for line in corpus
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        // Escapes let the corpus hold controls and invisible characters.
        let text = unescape(line);
        for currency in ["JPY", "EUR", "KWD", "CLF"] {
            check_entry(&text, &Currency::fiat(currency).unwrap()).unwrap();
        }
        check_entry(&text, &Currency::coin("ETH")).unwrap();
        count += 1;
    }
    assert!(count >= 40, "corpus has {count} entries");
}

fn unescape(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(i) = rest.find("\\u{") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find('}').map(|e| i + e).expect("closed escape");
        let code = u32::from_str_radix(&rest[i + 3..end], 16).expect("hex escape");
        out.push(char::from_u32(code).expect("a char"));
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The messages a cashier sees for the usual mistakes: each names what to
/// type instead.
#[test]
fn usual_typing_mistakes_get_a_message_that_says_what_to_type() {
    let eur = Currency::fiat("EUR").unwrap();
    let said = |text: &str| Money::parse_entry(text, &eur).unwrap_err().to_string();
    assert_eq!(said("  "), "Type an amount first.");
    assert!(said("1.234,56").contains("without thousands separators"));
    assert!(said("1 234").contains("spaces or thousands separators"));
    assert!(said("-5").contains("without a minus sign"));
    assert!(said("+5").contains("without a sign"));
    assert!(said("\u{09E7}\u{09E8}").contains("Type it with 0-9"));
    assert!(said("1e3").contains("is not an amount"));
    assert!(said(&"9".repeat(40)).contains("too large"));
    assert!(said("0,00").contains("zero"));
    // A long or invisible entry is quoted short and clean.
    let long = said(&format!("{}x\u{202E}\n", "1".repeat(500)));
    assert!(
        long.chars().count() < 150 && !long.contains('\u{202E}'),
        "{long}"
    );
    // Digits from Arabic, Persian and Japanese keyboards are read.
    assert_eq!(
        Money::parse_entry("١٢٫٥٠", &eur).unwrap().to_fixed(),
        "12.50"
    );
    assert_eq!(
        Money::parse_entry("۱۲,۵", &eur).unwrap().to_fixed(),
        "12.50"
    );
    assert_eq!(
        Money::parse_entry("１２．５０", &eur).unwrap().to_fixed(),
        "12.50"
    );
}

// ------------------------------------------------------------ payment URI

fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// Addresses as a gateway might send them, hostile ones included.
fn address() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-km-zA-HJ-NP-Z1-9]{20,60}",
        2 => "(bitcoincash:|BITCOINCASH:|ethereum:|bitcoin:)?[a-zA-Z0-9?&=#%:/@;+. -]{0,60}",
        2 => any::<String>(),
        1 => "(0x[0-9a-fA-F]{40})(\\?value=1&|#|%3F)?.{0,10}",
    ]
}

fn coin_amount() -> impl Strategy<Value = Money> {
    let coin = proptest::sample::select(vec![
        ("BTC", 8u32),
        ("LTC", 8),
        ("BCH", 8),
        ("DOGE", 8),
        ("ETH", 18),
        ("ETH", 24),
        ("XRP", 6),
        ("USDT", 6),
    ]);
    (
        coin,
        any::<u128>(),
        0u32..=28,
        1u32..=29,
        prop::bool::weighted(0.05),
    )
        .prop_map(|((code, places), m, scale, digits, negative)| {
            let m = (m % 10u128.pow(digits)).min((1u128 << 96) - 1) as i128;
            let amount = Decimal::from_i128_with_scale(if negative { -m } else { m }, scale);
            Money::new(amount, Currency::new(code, places))
        })
}

/// The wei an EIP-681 `value` must carry: the ether amount, rounded up to
/// a whole wei.
fn wei(amount: Decimal) -> BigInt {
    (rational(amount) * BigRational::from_integer(BigInt::from(10).pow(18)))
        .ceil()
        .to_integer()
}

fn check_uri(address: &str, amount: &Money) -> Result<(), TestCaseError> {
    let uri = payment_uri(address, amount);
    let scheme = match amount.currency().code() {
        "BTC" => "bitcoin",
        "LTC" => "litecoin",
        "BCH" => "bitcoincash",
        "DOGE" => "dogecoin",
        "ETH" => "ethereum",
        _ => {
            // No URI scheme: the bare address, shown as text too.
            prop_assert_eq!(uri, address);
            return Ok(());
        }
    };
    // An address of another chain (ETH on Binance Chain, a 0x address for
    // a bitcoin-family coin): no scheme of the coin's own chain fits it, so
    // the bare address is shown (gateways.md, networks, Round 2).
    let evm = address.starts_with("0x");
    let own_chain = if scheme == "ethereum" {
        evm
    } else {
        !evm && !address.starts_with("bnb")
    };
    if !own_chain {
        prop_assert_eq!(uri, address);
        return Ok(());
    }
    prop_assert!(uri.is_ascii() && !uri.contains([' ', '#']), "{}", uri);
    let url = url::Url::parse(&uri).map_err(|e| TestCaseError::fail(format!("{uri}: {e}")))?;
    prop_assert_eq!(url.scheme(), scheme);
    prop_assert_eq!(url.fragment(), None);
    // The path is the address, byte for byte, without a repeated scheme.
    let prefix = format!("{scheme}:");
    let bare = match address.get(..prefix.len()) {
        Some(head) if head.eq_ignore_ascii_case(&prefix) => &address[prefix.len()..],
        _ => address,
    };
    prop_assert_eq!(
        percent_decode(url.path()),
        bare.as_bytes().to_vec(),
        "{}",
        uri
    );
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    if amount.amount() <= Decimal::ZERO {
        prop_assert!(pairs.is_empty(), "{}", uri);
        return Ok(());
    }
    // Exactly one parameter: the amount, which no address can add to or
    // change (and so no `req-` parameter that would void a BIP21 URI).
    prop_assert_eq!(pairs.len(), 1, "{}", uri);
    let (key, value) = &pairs[0];
    if scheme == "ethereum" {
        prop_assert_eq!(key, "value");
        prop_assert!(value.bytes().all(|b| b.is_ascii_digit()), "{}", uri);
        prop_assert_eq!(BigInt::from_str(value).unwrap(), wei(amount.amount()));
    } else {
        prop_assert_eq!(key, "amount");
        prop_assert!(
            value.bytes().all(|b| b.is_ascii_digit() || b == b'.'),
            "{}",
            uri
        );
        prop_assert_eq!(
            rational(Decimal::from_str(value).unwrap()),
            rational(amount.amount())
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(100_000))]

    #[test]
    fn payment_uris_parse_carry_the_exact_amount_and_admit_no_injection(
        address in address(),
        amount in coin_amount(),
    ) {
        check_uri(&address, &amount)?;
    }
}

proptest! {
    #![proptest_config(config(200))]

    /// Drawing the QR never panics: a URI too long for a QR code is a clear
    /// error.
    #[test]
    fn any_payment_uri_draws_or_is_refused_clearly(
        address in prop_oneof!["[a-zA-Z0-9]{20,60}", ".{0,300}", "[a-z]{3000,4000}"],
        amount in coin_amount(),
    ) {
        match png(&payment_uri(&address, &amount)) {
            Ok(bytes) => prop_assert!(bytes.starts_with(b"\x89PNG")),
            Err(e) => prop_assert!(e.to_string().contains("Cannot draw a QR code"), "{}", e),
        }
    }
}
