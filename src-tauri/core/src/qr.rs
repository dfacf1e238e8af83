//! The payment QR, rendered in Rust so the webview never needs a QR library
//! and the command line can write the same picture to a file.

use std::io::Cursor;

use base64::Engine;
use image::{ImageFormat, Luma};
use qrcode::{EcLevel, QrCode};
use rust_decimal::Decimal;

use crate::error::{Error, Result};
use crate::money::{fixed, Money};

/// Big enough to scan from 50 cm on a laptop screen, and a PNG of a few KiB.
const MIN_PIXELS: u32 = 480;

/// The payment URI to encode when the gateway gave none (gateways.md, "What
/// goes in the QR code"): BIP21 for bitcoin-style coins, EIP-681 for ether,
/// otherwise the bare address (every wallet can scan that; the amount is
/// shown beside the QR as text).
pub fn payment_uri(address: &str, amount: &Money) -> String {
    let scheme = match amount.currency().code() {
        "BTC" => Some("bitcoin"),
        "LTC" => Some("litecoin"),
        "BCH" => Some("bitcoincash"),
        "DOGE" => Some("dogecoin"),
        _ => None,
    };
    // A coin taken on another chain (ETH on Binance Chain, ...) has an
    // address of that chain: no scheme of the coin's own chain fits it.
    let evm_address = address.starts_with("0x");
    if let Some(scheme) = scheme.filter(|_| !evm_address && !address.starts_with("bnb")) {
        // BIP21: '.' as separator, no grouping, no exponent.
        return format!("{scheme}:{address}?amount={}", amount.to_fixed());
    }
    if amount.currency().code() == "ETH" && evm_address {
        // EIP-681 takes the value in wei, an integer. Checked: an absurd
        // amount leaves the bare address rather than overflowing.
        if let Some(wei) = amount
            .amount()
            .checked_mul(Decimal::from(1_000_000_000_000_000_000u64))
        {
            return format!("ethereum:{address}?value={}", fixed(wei, 0));
        }
    }
    address.to_string()
}

/// A PNG of `text` as a QR code.
pub fn png(text: &str) -> Result<Vec<u8>> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| Error::Input(format!("Cannot draw a QR code for this payment ({e}).")))?;
    let picture = code
        .render::<Luma<u8>>()
        .min_dimensions(MIN_PIXELS, MIN_PIXELS)
        .quiet_zone(true)
        .build();
    let mut bytes = Vec::new();
    picture
        .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
        .map_err(|e| Error::Storage(format!("Cannot encode the QR picture ({e}).")))?;
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
    fn qr_png_is_a_real_png_of_scannable_size() {
        let bytes = png("bitcoin:tb1qabc?amount=0.00021552").unwrap();
        let picture = image::load_from_memory(&bytes).unwrap();
        assert!(picture.width() >= MIN_PIXELS && picture.width() == picture.height());
        assert!(png_data_url("x")
            .unwrap()
            .starts_with("data:image/png;base64,iVBOR"));
    }
}
