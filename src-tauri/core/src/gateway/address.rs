//! Is a payment address the gateway gave us plausible for its network?
//!
//! An address goes into the QR, onto the customer display and into the
//! ledger; a broken or hostile gateway answer must not put arbitrary text
//! there (issue #8: "any string is accepted as a payment address"). This is
//! a shape check per network family, not a checksum check: it refuses what
//! can never be an address of that network (wrong alphabet or length, a
//! space, a formula-looking first character such as `=`, `@`, `+`, `-`),
//! and lets a wallet verify the checksum as it always does.

/// The families whose address shape is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// Bitcoin and its descendants (Litecoin, Dogecoin, Counos, ...):
    /// bech32 (`bc1q...`, `tb1q...`, `ltc1...`) or base58 (`1...`, `3...`, `C...`).
    Bitcoin,
    /// Ethereum and the chains that share its addresses: `0x` + 40 hex.
    Evm,
    /// Binance Chain (BEP2): bech32 with the `bnb` / `tbnb` prefix.
    BinanceChain,
    /// Tron: base58, 34 characters, starting with `T`.
    Tron,
    /// Anything else: only the generic rules apply.
    Other,
}

/// The family of a network, by its name or id (`Ethereum`, `ethereum`,
/// `Binance Chain (BEP2)`, `binance_smart_chain`, ...), falling back to the
/// coin's own symbol when the network says nothing.
pub fn family(network: &str, symbol: &str) -> Family {
    let name: String = network
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    let has = |word: &str| name.contains(word);
    if has("bep20")
        || has("smartchain")
        || has("bsc")
        || has("erc20")
        || has("ethereum")
        || has("polygon")
        || has("arbitrum")
        || has("optimism")
        || has("avalanche")
    {
        return Family::Evm;
    }
    if has("bep2") || has("binancechain") {
        return Family::BinanceChain;
    }
    if has("tron") || has("trc20") {
        return Family::Tron;
    }
    if has("bitcoincash") {
        return Family::Other;
    }
    if has("bitcoin") || has("litecoin") || has("dogecoin") || has("counos") {
        return Family::Bitcoin;
    }
    if name.is_empty() {
        return match symbol.trim().to_ascii_uppercase().as_str() {
            "BTC" | "LTC" | "DOGE" | "CCX" | "CCA" => Family::Bitcoin,
            "ETH" => Family::Evm,
            _ => Family::Other,
        };
    }
    Family::Other
}

const BECH32: &str = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const BASE58: &str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// Checks `address` for the network; `Err` says what is wrong, for the log
/// and the cashier (the address itself is quoted shortened by the caller).
pub fn check(address: &str, network: &str, symbol: &str) -> Result<(), String> {
    generic(address)?;
    match family(network, symbol) {
        Family::Bitcoin => {
            if bech32_shape(address, None) || base58_shape(address, 25, 35) {
                Ok(())
            } else {
                Err(format!(
                    "it is not a {} address (neither bech32 nor base58 of the right length)",
                    network_label(network, symbol)
                ))
            }
        }
        Family::Evm => {
            let hex = address
                .strip_prefix("0x")
                .or_else(|| address.strip_prefix("0X"));
            match hex {
                Some(hex) if hex.len() == 40 && hex.chars().all(|c| c.is_ascii_hexdigit()) => {
                    Ok(())
                }
                _ => Err(format!(
                    "it is not a {} address (0x and 40 hexadecimal digits)",
                    network_label(network, symbol)
                )),
            }
        }
        Family::BinanceChain => {
            if bech32_shape(address, Some(&["bnb", "tbnb"])) {
                Ok(())
            } else {
                Err("it is not a Binance Chain address (bnb1...)".into())
            }
        }
        Family::Tron => {
            if address.starts_with('T') && base58_shape(address, 34, 34) {
                Ok(())
            } else {
                Err("it is not a Tron address (T and 33 base58 characters)".into())
            }
        }
        Family::Other => Ok(()),
    }
}

fn network_label(network: &str, symbol: &str) -> String {
    if network.trim().is_empty() {
        symbol.trim().to_string()
    } else {
        network.trim().to_string()
    }
}

/// What no address of any network looks like.
fn generic(address: &str) -> Result<(), String> {
    if address.is_empty() {
        return Err("it is empty".into());
    }
    if !(14..=128).contains(&address.len()) {
        return Err(format!(
            "it has {} characters; addresses have 14 to 128",
            address.chars().count()
        ));
    }
    if address.starts_with(['=', '@', '+', '-']) {
        return Err("it starts with a character no address starts with".into());
    }
    // Letters, digits, and the separators some chains use (`bitcoincash:`
    // prefixes, memo-less tags); never a space, a quote or a control character.
    if !address
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '.' | '-'))
    {
        return Err(
            "it has characters no address has (a space, punctuation or a non-ASCII letter)".into(),
        );
    }
    Ok(())
}

/// A bech32 address: a human-readable part, `1`, then at least 6 characters
/// of the bech32 alphabet; one case only; at most 90 characters (BIP 173).
fn bech32_shape(address: &str, prefixes: Option<&[&str]>) -> bool {
    if address.len() > 90 {
        return false;
    }
    let lower = address.to_ascii_lowercase();
    if address != lower && address != address.to_ascii_uppercase() {
        return false;
    }
    let Some((hrp, data)) = lower.rsplit_once('1') else {
        return false;
    };
    if hrp.is_empty() || !hrp.chars().all(|c| c.is_ascii_lowercase()) || data.len() < 6 {
        return false;
    }
    if let Some(prefixes) = prefixes {
        if !prefixes.contains(&hrp) {
            return false;
        }
    }
    data.chars().all(|c| BECH32.contains(c))
}

fn base58_shape(address: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&address.len()) && address.chars().all(|c| BASE58.contains(c))
}

/// An address shortened for a message: never the whole of a hostile string.
pub fn shown(address: &str) -> String {
    let clean: String = address
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .take(48)
        .collect();
    if address.chars().count() > 48 {
        format!("{clean}...")
    } else {
        clean
    }
}

/// A payment URI (`bitcoin:<address>?amount=`) is put in the QR only if it is
/// one: a URI scheme, no whitespace, not a web link, and it names `address`.
pub fn safe_payment_uri(uri: &str, address: &str) -> bool {
    let Some((scheme, rest)) = uri.split_once(':') else {
        return false;
    };
    !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !scheme.eq_ignore_ascii_case("http")
        && !scheme.eq_ignore_ascii_case("https")
        && uri.len() <= 512
        && !uri.chars().any(|c| c.is_whitespace() || c.is_control())
        && !address.is_empty()
        && rest.trim_start_matches('/').starts_with(address)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitcoin_family_accepts_bech32_and_base58_of_the_right_shape() {
        for ok in [
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx",
            "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
            "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
            "2MzyF5xtm2GRHvS3tRM2s7XrS1b8ukzAS1c",
            "tltc1qw508d6qejxtdg4y5r3zarvary0c5xw7kgmn4n9",
        ] {
            assert_eq!(check(ok, "Bitcoin", "BTC"), Ok(()), "{ok}");
        }
        // A Counos X address: C and 33 base58 characters.
        assert_eq!(
            check("CK1n3bSJgqvRMSGpeZ8xnmJ3H7qKqSAjkQ", "Counos", "CCX"),
            Ok(())
        );
        for bad in [
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdO", // O is not bech32
            "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN0",         // 0 is not base58
            "bc1 qar0srrr7xfkvy5l643lydnw9re59gtzzwf5md",
            "0x52908400098527886E0F7030069857D2E4169EE7",
            "=HYPERLINK(\"http://x\")",
            "@SUM(A1:A9)xxxxxxxxxxxxxxxxxxxxxxxxx",
            "+1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
            "",
        ] {
            assert!(check(bad, "Bitcoin", "BTC").is_err(), "{bad}");
        }
    }

    #[test]
    fn evm_chains_take_0x_and_40_hex_digits() {
        assert_eq!(
            check(
                "0x52908400098527886E0F7030069857D2E4169EE7",
                "Ethereum",
                "ETH"
            ),
            Ok(())
        );
        assert_eq!(
            check(
                "0x52908400098527886E0F7030069857D2E4169EE7",
                "BNB Smart Chain (BEP20)",
                "USDT"
            ),
            Ok(())
        );
        assert!(check(
            "0x52908400098527886E0F7030069857D2E4169EE",
            "Ethereum",
            "ETH"
        )
        .is_err());
        assert!(check(
            "0x52908400098527886E0F7030069857D2E4169EEZ",
            "Ethereum",
            "ETH"
        )
        .is_err());
        assert!(check(
            "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx",
            "Ethereum",
            "ETH"
        )
        .is_err());
    }

    #[test]
    fn binance_chain_is_not_mistaken_for_an_evm_chain() {
        assert_eq!(family("Binance Chain (BEP2)", "ETH"), Family::BinanceChain);
        assert_eq!(family("binance_smart_chain", "USDT"), Family::Evm);
        assert_eq!(
            check(
                "bnb1grpf0955h0ykzq3ar5nmum7y6gdfl6lxfn46h2",
                "Binance Chain (BEP2)",
                "ETH"
            ),
            Ok(())
        );
        assert!(check(
            "0x52908400098527886E0F7030069857D2E4169EE7",
            "Binance Chain (BEP2)",
            "ETH"
        )
        .is_err());
    }

    #[test]
    fn unknown_networks_still_refuse_spaces_and_formula_characters() {
        assert_eq!(
            check("rEb8TK3gBgk5auZkwc6sHnwrGVJH8DuaLh", "Ripple", "XRP"),
            Ok(())
        );
        assert!(check("rEb8TK3gBgk5 auZkwc6sHnwrGVJH8DuaLh", "Ripple", "XRP").is_err());
        assert!(check("=rEb8TK3gBgk5auZkwc6sHnwrGVJH8DuaLh", "Ripple", "XRP").is_err());
        assert!(check("short", "Ripple", "XRP").is_err());
    }

    #[test]
    fn payment_uris_must_name_the_address_and_not_be_web_links() {
        let a = "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx";
        assert!(safe_payment_uri(&format!("bitcoin:{a}?amount=0.1"), a));
        assert!(!safe_payment_uri("bitcoin:tb1qother?amount=0.1", a));
        assert!(!safe_payment_uri(&format!("https://evil.example/{a}"), a));
        assert!(!safe_payment_uri(
            &format!("bitcoin:{a}?amount=0.1 extra"),
            a
        ));
    }
}
