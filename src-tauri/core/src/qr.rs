//! The payment QR, rendered in Rust so the webview never needs a QR library
//! and the command line can write the same picture to a file.

use std::io::Cursor;

use base64::Engine;
use image::{ImageFormat, Luma};
use qrcode::{EcLevel, QrCode};
use rust_decimal::{Decimal, RoundingStrategy};

use crate::error::{Error, Result};
use crate::money::Money;
use crate::said::Said;

/// Big enough to scan from 50 cm on a laptop screen, and a PNG of a few KiB.
const MIN_PIXELS: u32 = 480;

/// The payment URI to encode when the gateway gave none (gateways.md, "What
/// goes in the QR code"): BIP21 for bitcoin-style coins, EIP-681 for ether,
/// otherwise the bare address (every wallet can scan that; the amount is
/// shown beside the QR as text).
///
/// The address comes from the gateway, so it is treated as hostile: every
/// character outside RFC 3986's unreserved set is percent-encoded, and a
/// '?', '&' or '#' in it can never add or change a parameter (such as the
/// amount, or a `req-` parameter that would make a BIP21 URI invalid).
/// Always a parseable URI; the amount is exact, and left out when it is not
/// above zero (a wallet must never be asked to pay nothing).
pub fn payment_uri(address: &str, amount: &Money) -> String {
    let code = amount.currency().code();
    let scheme = match code {
        "BTC" => "bitcoin",
        "LTC" => "litecoin",
        "BCH" => "bitcoincash",
        "DOGE" => "dogecoin",
        "ETH" => "ethereum",
        _ => return address.to_string(),
    };
    // A coin taken on another chain (ETH on Binance Chain, ...) has an
    // address of that chain: no scheme of the coin's own chain fits it.
    let evm_address = address.starts_with("0x");
    let own_chain = if scheme == "ethereum" {
        evm_address
    } else {
        !evm_address && !address.starts_with("bnb")
    };
    if !own_chain {
        return address.to_string();
    }
    // Gateways may write a cash address with its prefix
    // ("bitcoincash:qp..."); the scheme is written once.
    let bare = address
        .get(..scheme.len() + 1)
        .filter(|head| head.eq_ignore_ascii_case(&format!("{scheme}:")))
        .map_or(address, |_| &address[scheme.len() + 1..]);
    let mut uri = format!("{scheme}:{}", encode_path(bare));
    if amount.amount() > Decimal::ZERO {
        if scheme == "ethereum" {
            // EIP-681 takes the value in wei, an integer; a fraction of a
            // wei (only from a gateway's over-precise amount) rounds up.
            uri.push_str("?value=");
            uri.push_str(&wei(amount.amount()));
        } else {
            // BIP21: '.' as separator, no grouping, no exponent.
            uri.push_str("?amount=");
            uri.push_str(&amount.to_fixed());
        }
    }
    uri
}

/// `ether` as an integer number of wei, by moving the decimal point in the
/// text: multiplying by 10^18 would overflow a Decimal above 79 billion ETH.
fn wei(ether: Decimal) -> String {
    let ether = ether
        .round_dp_with_strategy(18, RoundingStrategy::AwayFromZero)
        .normalize();
    let text = ether.to_string();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let digits = format!("{whole}{fraction:0<18}");
    match digits.trim_start_matches('0') {
        "" => "0".to_string(),
        d => d.to_string(),
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode_path(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A PNG of `text` as a QR code.
pub fn png(text: &str) -> Result<Vec<u8>> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| Error::input(Said::qr_cannot_draw(e)))?;
    let picture = code
        .render::<Luma<u8>>()
        .min_dimensions(MIN_PIXELS, MIN_PIXELS)
        .quiet_zone(true)
        .build();
    let mut bytes = Vec::new();
    picture
        .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
        .map_err(|e| Error::storage(Said::qr_cannot_encode(e)))?;
    Ok(bytes)
}

/// The QR as a `data:` URL the webview can show without any file access.
pub fn png_data_url(text: &str) -> Result<String> {
    Ok(format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png(text)?)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use std::str::FromStr;

    fn money(a: &str, coin: &str) -> Money {
        Money::new(Decimal::from_str(a).unwrap(), Currency::coin(coin))
    }

    #[test]
    fn bitcoin_uri_is_bip21_with_plain_decimal_amount() {
        assert_eq!(
            payment_uri("tb1qabc", &money("0.00021552", "BTC")),
            "bitcoin:tb1qabc?amount=0.00021552"
        );
    }

    #[test]
    fn ether_uri_is_eip681_with_value_in_wei() {
        assert_eq!(
            payment_uri("0xAbC", &money("0.0043", "ETH")),
            "ethereum:0xAbC?value=4300000000000000"
        );
    }

    #[test]
    fn an_address_cannot_add_or_change_uri_parameters() {
        let uri = payment_uri("tb1q?amount=1000&req-x=1#", &money("0.5", "BTC"));
        assert_eq!(
            uri,
            "bitcoin:tb1q%3Famount%3D1000%26req-x%3D1%23?amount=0.50000000"
        );
    }

    #[test]
    fn a_cash_address_prefix_is_not_written_twice() {
        assert_eq!(
            payment_uri("bitcoincash:qpm2q", &money("0.1", "BCH")),
            "bitcoincash:qpm2q?amount=0.10000000"
        );
    }

    #[test]
    fn ether_beyond_decimal_range_in_wei_does_not_overflow() {
        let uri = payment_uri("0xAbC", &money("79228162514.264337593543950335", "ETH"));
        assert_eq!(uri, "ethereum:0xAbC?value=79228162514264337593543950335");
    }

    #[test]
    fn a_zero_amount_is_left_out_of_the_uri() {
        assert_eq!(
            payment_uri("tb1qabc", &money("0", "BTC")),
            "bitcoin:tb1qabc"
        );
    }

    #[test]
    fn qr_png_is_a_real_png_of_scannable_size() {
        let bytes = png("bitcoin:tb1qabc?amount=0.00021552").unwrap();
        let picture = image::load_from_memory(&bytes).unwrap();
        assert!(picture.width() >= MIN_PIXELS && picture.width() == picture.height());
        assert!(png_data_url("x")
            .unwrap()
            .starts_with("data:image/png;base64,iVBOR"));
    }
}
