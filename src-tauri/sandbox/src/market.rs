//! The coins the sandbox knows and every price it quotes, in one table that
//! both dialects read.
//!
//! Prices are fixed so that tests can assert exact amounts, and a Counos order
//! and a CoinGate order for the same price ask for the same coin amount. Each
//! row also carries the chain's habits (address shape, payment URI, smallest
//! unit, confirmations) and the Counos terminal's settings for the coin
//! (ticker id, withdrawal minimum). CoinGate's own ids for the same coins are
//! in `coingate::catalog`: the two gateways number things differently.
//!
//! Counos ticker ids are deliberately not sequential: gateways.md says "never
//! hard-code ids, read them from this call", and a client that guesses 1, 2, 3
//! fails here.

use rand::Rng;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

/// A coin the sandbox knows, with its chain's habits.
pub(crate) struct Coin {
    /// Counos: the terminal's ticker id.
    pub(crate) ticker_id: i64,
    pub(crate) keyword: &'static str,
    pub(crate) title: &'static str,
    pub(crate) enabled: bool,
    /// Price of one coin.
    pub(crate) usd: Decimal,
    pub(crate) eur: Decimal,
    /// Confirmations after which an order counts as paid.
    pub(crate) confirmations: u32,
    /// The smallest unit, as decimal places (satoshi: 8, wei: 18).
    pub(crate) decimals: u32,
    /// Counos: a withdrawal must exceed this (gateways.md: "must exceed a
    /// per-ticker minimum").
    pub(crate) min_withdraw: Decimal,
    pub(crate) address: AddressStyle,
    pub(crate) uri: UriStyle,
}

/// How a random testnet-looking address is made: a fixed prefix, then `len`
/// characters drawn from `alphabet`.
pub(crate) struct AddressStyle {
    pub(crate) prefix: &'static str,
    pub(crate) alphabet: &'static str,
    pub(crate) len: usize,
}

/// How a payment URI is written.
pub(crate) enum UriStyle {
    /// BIP21 and its look-alikes: `scheme:<address>?amount=<decimal>`.
    Bip21 { scheme: &'static str },
    /// EIP-681: `ethereum:<address>@<chain id>?value=<wei>`.
    Eip681 { chain_id: u64 },
}

const BECH32: &str = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const BASE58: &str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const HEX: &str = "0123456789abcdef";

/// `len` characters from `alphabet` after `prefix`.
const fn address(prefix: &'static str, alphabet: &'static str, len: usize) -> AddressStyle {
    AddressStyle {
        prefix,
        alphabet,
        len,
    }
}

const fn bip21(scheme: &'static str) -> UriStyle {
    UriStyle::Bip21 { scheme }
}

/// One row of [`COINS`], its columns in the table's order.
#[allow(clippy::too_many_arguments)]
const fn coin(
    ticker_id: i64,
    keyword: &'static str,
    title: &'static str,
    enabled: bool,
    (usd, eur): (Decimal, Decimal),
    confirmations: u32,
    decimals: u32,
    min_withdraw: Decimal,
    address: AddressStyle,
    uri: UriStyle,
) -> Coin {
    Coin {
        ticker_id,
        keyword,
        title,
        enabled,
        usd,
        eur,
        confirmations,
        decimals,
        min_withdraw,
        address,
        uri,
    }
}

/// Ordered by ticker id, as `terminal/tickers` lists them. Bitcoin's address
/// is a P2WPKH testnet one (42 characters in all); ether's URI is on Sepolia,
/// the test network. Dogecoin is disabled in the dashboard (Counos) and
/// temporarily unavailable (CoinGate): listed, quoted, but refused for orders
/// and checkouts, so a client must honour `enabled` / `disabled`.
#[rustfmt::skip]
pub(crate) const COINS: [Coin; 5] = [
    //   ticker keyword  title       enabled (USD,              EUR)               confs dec min withdraw  address                        payment URI
    coin(3,  "ccx",  "Counos X", true,  (dec!(0.50),     dec!(0.46)),     1,  8,  dec!(10),     address("C", BASE58, 33),      bip21("counos")),
    coin(11, "btc",  "Bitcoin",  true,  (dec!(62000.00), dec!(58000.00)), 2,  8,  dec!(0.0005), address("tb1q", BECH32, 38),   bip21("bitcoin")),
    coin(17, "eth",  "Ethereum", true,  (dec!(3100.00),  dec!(2900.00)),  12, 18, dec!(0.01),   address("0x", HEX, 40),        UriStyle::Eip681 { chain_id: 11_155_111 }),
    coin(23, "ltc",  "Litecoin", true,  (dec!(86.00),    dec!(80.00)),    6,  8,  dec!(0.1),    address("tltc1q", BECH32, 38), bip21("litecoin")),
    coin(29, "doge", "Dogecoin", false, (dec!(0.16),     dec!(0.15)),     6,  8,  dec!(20),     address("n", BASE58, 33),      bip21("dogecoin")),
];

/// A priced thing that is not a coin: a fiat currency or a metal.
pub(crate) struct Quote {
    pub(crate) symbol: &'static str,
    pub(crate) name: &'static str,
    pub(crate) usd: Decimal,
    pub(crate) eur: Decimal,
}

const fn quote(symbol: &'static str, name: &'static str, usd: Decimal, eur: Decimal) -> Quote {
    Quote {
        symbol,
        name,
        usd,
        eur,
    }
}

/// One unit of each currency, priced in USD and EUR.
#[rustfmt::skip]
pub(crate) const CURRENCIES: [Quote; 2] = [
    quote("USD", "US Dollar", dec!(1.0),    dec!(0.935)),
    quote("EUR", "Euro",      dec!(1.0695), dec!(1.0)),
];

/// One troy ounce, priced in USD and EUR.
#[rustfmt::skip]
pub(crate) const METALS: [Quote; 2] = [
    quote("XAU", "Gold",   dec!(2650.00), dec!(2478.00)),
    quote("XAG", "Silver", dec!(31.20),   dec!(29.17)),
];

/// The fiat currencies coins are priced in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fiat {
    Usd,
    Eur,
}

impl Fiat {
    /// Case-insensitive, as the convert calls match symbols.
    pub(crate) fn from_symbol(symbol: &str) -> Option<Fiat> {
        if symbol.eq_ignore_ascii_case("usd") {
            Some(Fiat::Usd)
        } else if symbol.eq_ignore_ascii_case("eur") {
            Some(Fiat::Eur)
        } else {
            None
        }
    }
}

impl Coin {
    /// The URI to put in the QR code (gateways.md, "What goes in the QR code"):
    /// amounts with a '.' and no grouping or exponent. None if the amount does not
    /// fit the coin's smallest unit.
    pub(crate) fn payment_uri(&self, address: &str, amount: Decimal) -> Option<String> {
        match self.uri {
            UriStyle::Bip21 { scheme } => {
                Some(format!("{scheme}:{address}?amount={}", amount.normalize()))
            }
            UriStyle::Eip681 { chain_id } => {
                let unit = Decimal::from_i128_with_scale(10_i128.pow(self.decimals), 0);
                let wei = amount.checked_mul(unit)?.normalize();
                (wei.scale() == 0).then(|| format!("ethereum:{address}@{chain_id}?value={wei}"))
            }
        }
    }

    /// An address that looks like the coin's testnet addresses, new per order.
    pub(crate) fn new_address(&self) -> String {
        let style = &self.address;
        let alphabet = style.alphabet.as_bytes();
        let mut rng = rand::rng();
        let mut address = String::from(style.prefix);
        address.extend(
            (0..style.len).map(|_| char::from(alphabet[rng.random_range(0..alphabet.len())])),
        );
        address
    }

    /// Whether `address` could be one of this coin's testnet addresses: the
    /// style's prefix, then its alphabet only, at its length (bech32 ones
    /// may be longer: a script hash is). A refund to anything else is
    /// refused, as a real gateway refuses an address of another network.
    pub(crate) fn accepts_address(&self, address: &str) -> bool {
        let style = &self.address;
        let Some(rest) = address.strip_prefix(style.prefix) else {
            return false;
        };
        let longest = if style.alphabet == BECH32 {
            style.len + 24
        } else {
            style.len
        };
        (style.len..=longest).contains(&rest.len())
            && rest.chars().all(|c| style.alphabet.contains(c))
    }

    /// Checks an amount against the coin's smallest unit: an order for a tenth of
    /// a satoshi cannot be paid, and a client that asks for one has a rounding bug.
    pub(crate) fn check_precision(&self, field: &str, amount: Decimal) -> Result<(), String> {
        if amount.normalize().scale() > self.decimals {
            return Err(format!(
                "{field} has more decimal places than {} allows ({}).",
                self.title, self.decimals
            ));
        }
        Ok(())
    }

    pub(crate) fn price_in(&self, fiat: Fiat) -> Decimal {
        match fiat {
            Fiat::Usd => self.usd,
            Fiat::Eur => self.eur,
        }
    }

    /// The coin's symbol as rate lists show it (`BTC`).
    pub(crate) fn symbol(&self) -> String {
        self.keyword.to_ascii_uppercase()
    }
}

/// Case-insensitive: gateways.md says "symbols are matched case-insensitively".
pub(crate) fn coin_by_symbol(symbol: &str) -> Option<&'static Coin> {
    COINS
        .iter()
        .find(|coin| coin.keyword.eq_ignore_ascii_case(symbol))
}

pub(crate) fn coin_by_ticker_id(ticker_id: i64) -> Option<&'static Coin> {
    COINS.iter().find(|coin| coin.ticker_id == ticker_id)
}

/// The symbols a client may use, for error messages.
pub(crate) fn coin_symbols() -> String {
    COINS
        .iter()
        .map(Coin::symbol)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A 64-hex transaction id.
pub(crate) fn new_transaction_id() -> String {
    let mut rng = rand::rng();
    (0..32)
        .map(|_| format!("{:02x}", rng.random::<u8>()))
        .collect()
}
