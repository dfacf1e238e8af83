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

/// Ordered by ticker id, as `terminal/tickers` lists them.
pub(crate) const COINS: [Coin; 5] = [
    Coin {
        ticker_id: 3,
        keyword: "ccx",
        title: "Counos X",
        enabled: true,
        usd: dec!(0.50),
        eur: dec!(0.46),
        confirmations: 1,
        decimals: 8,
        min_withdraw: dec!(10),
        address: AddressStyle {
            prefix: "C",
            alphabet: BASE58,
            len: 33,
        },
        uri: UriStyle::Bip21 { scheme: "counos" },
    },
    Coin {
        ticker_id: 11,
        keyword: "btc",
        title: "Bitcoin",
        enabled: true,
        usd: dec!(62000.00),
        eur: dec!(58000.00),
        confirmations: 2,
        decimals: 8,
        min_withdraw: dec!(0.0005),
        // A P2WPKH testnet address: 42 characters in all.
        address: AddressStyle {
            prefix: "tb1q",
            alphabet: BECH32,
            len: 38,
        },
        uri: UriStyle::Bip21 { scheme: "bitcoin" },
    },
    Coin {
        ticker_id: 17,
        keyword: "eth",
        title: "Ethereum",
        enabled: true,
        usd: dec!(3100.00),
        eur: dec!(2900.00),
        confirmations: 12,
        decimals: 18,
        min_withdraw: dec!(0.01),
        address: AddressStyle {
            prefix: "0x",
            alphabet: HEX,
            len: 40,
        },
        // Sepolia, the test network.
        uri: UriStyle::Eip681 {
            chain_id: 11_155_111,
        },
    },
    Coin {
        ticker_id: 23,
        keyword: "ltc",
        title: "Litecoin",
        enabled: true,
        usd: dec!(86.00),
        eur: dec!(80.00),
        confirmations: 6,
        decimals: 8,
        min_withdraw: dec!(0.1),
        address: AddressStyle {
            prefix: "tltc1q",
            alphabet: BECH32,
            len: 38,
        },
        uri: UriStyle::Bip21 { scheme: "litecoin" },
    },
    // Disabled in the dashboard (Counos) and temporarily unavailable
    // (CoinGate): listed, quoted, but refused for orders and checkouts, so a
    // client must honour `enabled` / `disabled`.
    Coin {
        ticker_id: 29,
        keyword: "doge",
        title: "Dogecoin",
        enabled: false,
        usd: dec!(0.16),
        eur: dec!(0.15),
        confirmations: 6,
        decimals: 8,
        min_withdraw: dec!(20),
        address: AddressStyle {
            prefix: "n",
            alphabet: BASE58,
            len: 33,
        },
        uri: UriStyle::Bip21 { scheme: "dogecoin" },
    },
];

/// A priced thing that is not a coin: a fiat currency or a metal.
pub(crate) struct Quote {
    pub(crate) symbol: &'static str,
    pub(crate) name: &'static str,
    pub(crate) usd: Decimal,
    pub(crate) eur: Decimal,
}

/// One unit of each currency, priced in USD and EUR.
pub(crate) const CURRENCIES: [Quote; 2] = [
    Quote {
        symbol: "USD",
        name: "US Dollar",
        usd: dec!(1.0),
        eur: dec!(0.935),
    },
    Quote {
        symbol: "EUR",
        name: "Euro",
        usd: dec!(1.0695),
        eur: dec!(1.0),
    },
];

/// One troy ounce, priced in USD and EUR.
pub(crate) const METALS: [Quote; 2] = [
    Quote {
        symbol: "XAU",
        name: "Gold",
        usd: dec!(2650.00),
        eur: dec!(2478.00),
    },
    Quote {
        symbol: "XAG",
        name: "Silver",
        usd: dec!(31.20),
        eur: dec!(29.17),
    },
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
