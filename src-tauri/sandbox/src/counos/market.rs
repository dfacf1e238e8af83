//! The sandbox terminal's coins and every rate it quotes, in one table.
//!
//! Rates are fixed so that tests can assert exact amounts. Ticker ids are
//! deliberately not sequential: gateways.md says "never hard-code ids, read
//! them from this call", and a client that guesses 1, 2, 3 fails here.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;

/// A coin the terminal knows, with its ticker and its chain's habits.
pub(crate) struct Coin {
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
    /// A withdrawal must exceed this (gateways.md: "must exceed a per-ticker
    /// minimum").
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
    // Disabled in the dashboard: listed, quoted, but refused for orders, so a
    // client must honour `enabled`.
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
