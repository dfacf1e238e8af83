//! What the CoinGate sandbox environment knows by id: currencies, platforms,
//! the merchant's ledger accounts, and the payout destinations set up in its
//! dashboard.
//!
//! gateways.md: "ids of currencies differ between" live and sandbox. These are
//! the sandbox's own: none is an id the live documentation shows (BTC 1, EUR
//! 2 or 11, LTC 49, ETH 50, ...), none follows the symbols' order, and
//! currency, platform and Counos ticker ids never coincide, so a client that
//! hard-codes an id or mixes one kind of id up with another fails here.
//! Prices come from the one table in `market`.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::market::{self, Coin, Fiat};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Crypto,
    Fiat,
}

impl Kind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Crypto => "crypto",
            Kind::Fiat => "fiat",
        }
    }
}

/// A blockchain network a coin is paid on (`platform_id` at checkout).
pub(crate) struct Platform {
    pub(crate) id: i64,
    pub(crate) id_name: &'static str,
    pub(crate) title: &'static str,
}

/// A currency as CoinGate lists it.
pub(crate) struct Currency {
    pub(crate) id: i64,
    pub(crate) symbol: &'static str,
    pub(crate) title: &'static str,
    pub(crate) kind: Kind,
    /// Coins only: the coin's own chain, the platform it is paid on.
    pub(crate) platform: Option<Platform>,
    /// Other platforms the coin is listed on, BEFORE its own chain, as the
    /// documented `/currencies` example lists ETH: `Binance Chain (BEP2)`
    /// first, `Ethereum` second (gateways.md, Round 2). A client that takes
    /// the first platform checks ETH out on BEP2. The sandbox lists them but
    /// has BEP2 deposits suspended: checkout on one answers 422.
    pub(crate) other_platforms: &'static [Platform],
    /// Set when the currency is temporarily unavailable for payment.
    pub(crate) disabled_message: Option<&'static str>,
}

/// Ordered by id, as `GET /currencies` lists them.
pub(crate) const CURRENCIES: [Currency; 6] = [
    Currency {
        id: 7,
        symbol: "BTC",
        title: "Bitcoin",
        kind: Kind::Crypto,
        platform: Some(Platform {
            id: 12,
            id_name: "bitcoin",
            title: "Bitcoin",
        }),
        disabled_message: None,
        other_platforms: &[],
    },
    Currency {
        id: 14,
        symbol: "EUR",
        title: "Euro",
        kind: Kind::Fiat,
        platform: None,
        disabled_message: None,
        other_platforms: &[],
    },
    Currency {
        id: 26,
        symbol: "LTC",
        title: "Litecoin",
        kind: Kind::Crypto,
        platform: Some(Platform {
            id: 18,
            id_name: "litecoin",
            title: "Litecoin",
        }),
        disabled_message: None,
        other_platforms: &[],
    },
    Currency {
        id: 33,
        symbol: "USD",
        title: "US Dollar",
        kind: Kind::Fiat,
        platform: None,
        disabled_message: None,
        other_platforms: &[],
    },
    Currency {
        id: 43,
        symbol: "ETH",
        title: "Ethereum",
        kind: Kind::Crypto,
        platform: Some(Platform {
            id: 15,
            id_name: "ethereum",
            title: "Ethereum",
        }),
        disabled_message: None,
        other_platforms: &[Platform {
            id: 5,
            id_name: "binance_chain",
            title: "Binance Chain (BEP2)",
        }],
    },
    // The coin the market table marks disabled: listed and quoted, refused at
    // checkout, so a client must honour `disabled`.
    Currency {
        id: 68,
        symbol: "DOGE",
        title: "Dogecoin",
        kind: Kind::Crypto,
        platform: Some(Platform {
            id: 21,
            id_name: "dogecoin",
            title: "Dogecoin",
        }),
        disabled_message: Some(
            "Dogecoin payments are temporarily unavailable. Please choose another currency.",
        ),
        other_platforms: &[],
    },
];

impl Currency {
    pub(crate) fn coin(&self) -> Option<&'static Coin> {
        match self.kind {
            Kind::Crypto => market::coin_by_symbol(self.symbol),
            Kind::Fiat => None,
        }
    }

    fn fiat(&self) -> Option<Fiat> {
        Fiat::from_symbol(self.symbol)
    }

    pub(crate) fn is_disabled(&self) -> bool {
        self.disabled_message.is_some()
    }

    /// The places amounts in this currency are kept to: cents for fiat, and
    /// 8 for every coin (CoinGate quotes ether to 8 places too).
    pub(crate) fn places(&self) -> u32 {
        match self.kind {
            Kind::Fiat => 2,
            Kind::Crypto => 8,
        }
    }

    /// An amount rounded to [`Currency::places`], half away from zero.
    pub(crate) fn round(&self, amount: Decimal) -> Decimal {
        amount.round_dp_with_strategy(self.places(), RoundingStrategy::MidpointAwayFromZero)
    }

    /// `merchant.pay`: shoppers can pay in it (coins only).
    pub(crate) fn merchant_pay(&self) -> bool {
        self.kind == Kind::Crypto
    }

    /// `merchant.receive`: settlements can be made in it.
    pub(crate) fn merchant_receive(&self) -> bool {
        !self.is_disabled()
    }

    /// `native`: a chain's own coin rather than a token on another chain.
    /// Every sandbox coin is native; fiat is not.
    pub(crate) fn native(&self) -> bool {
        self.kind == Kind::Crypto
    }
}

/// Case-insensitive, as symbols come from clients and URLs.
pub(crate) fn currency_by_symbol(symbol: &str) -> Option<&'static Currency> {
    CURRENCIES
        .iter()
        .find(|currency| currency.symbol.eq_ignore_ascii_case(symbol))
}

pub(crate) fn currency_by_id(id: i64) -> Option<&'static Currency> {
    CURRENCIES.iter().find(|currency| currency.id == id)
}

/// The price of one `from` in `to`, exactly as the market table gives it: a
/// coin's own EUR or USD price, the fiat cross rate, or for two coins the
/// ratio of their USD prices (as the Counos dialect converts crypto to
/// crypto). Rounding is left to the caller.
pub(crate) fn exact_rate(from: &Currency, to: &Currency) -> Option<Decimal> {
    if from.id == to.id {
        return Some(Decimal::ONE);
    }
    match (from.coin(), from.fiat(), to.coin(), to.fiat()) {
        (Some(coin), _, _, Some(fiat)) => Some(coin.price_in(fiat)),
        (_, Some(fiat), Some(coin), _) => Decimal::ONE.checked_div(coin.price_in(fiat)),
        (Some(from), _, Some(to), _) => from.usd.checked_div(to.usd),
        (_, Some(_), _, Some(fiat)) => {
            let quote = market::CURRENCIES
                .iter()
                .find(|quote| quote.symbol == from.symbol)?;
            Some(match fiat {
                Fiat::Usd => quote.usd,
                Fiat::Eur => quote.eur,
            })
        }
        _ => None,
    }
}

/// A rate as CoinGate quotes it: 8 decimal places, half away from zero.
pub(crate) fn quoted_rate(from: &Currency, to: &Currency) -> Option<Decimal> {
    exact_rate(from, to)
        .map(|rate| rate.round_dp_with_strategy(8, RoundingStrategy::MidpointAwayFromZero))
}

/// `amount` of `from` in `to`, rounded to `to`'s places.
pub(crate) fn convert(amount: Decimal, from: &Currency, to: &Currency) -> Option<Decimal> {
    let rate = exact_rate(from, to)?;
    amount.checked_mul(rate).map(|value| to.round(value))
}

// ---- the merchant's account ---------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum AccountType {
    Main,
    Secondary,
}

/// A ledger account: a balance in one currency. Paid orders credit the main
/// account of their settlement currency.
pub(crate) struct LedgerAccount {
    /// ULID-shaped, as CoinGate's are.
    pub(crate) id: &'static str,
    pub(crate) currency: &'static str,
    pub(crate) account_type: AccountType,
    pub(crate) title: &'static str,
}

pub(crate) const LEDGER_ACCOUNTS: [LedgerAccount; 6] = [
    LedgerAccount {
        id: "01JM9S346Q3D25VT4F5V37E3S3",
        currency: "EUR",
        account_type: AccountType::Main,
        title: "Euro main account",
    },
    LedgerAccount {
        id: "01JE28JT97KB6CQ643DZVMXXQK",
        currency: "USD",
        account_type: AccountType::Main,
        title: "US Dollar main account",
    },
    LedgerAccount {
        id: "01JFBF5KZNWJ47TAN9ZT24MNPZ",
        currency: "BTC",
        account_type: AccountType::Main,
        title: "Bitcoin main account",
    },
    LedgerAccount {
        id: "01JX45HY43KWJRP1XPA7Z3DJ8F",
        currency: "ETH",
        account_type: AccountType::Main,
        title: "Ethereum main account",
    },
    LedgerAccount {
        id: "01JSSZ5AWSH8VHTPRE95B9EE0Z",
        currency: "LTC",
        account_type: AccountType::Main,
        title: "Litecoin main account",
    },
    // Nothing credits it: it is there so that a client handles more than one
    // account per currency, and `account_type` "secondary".
    LedgerAccount {
        id: "01JBGJ09TQM83XSSSS6YS3C4DW",
        currency: "EUR",
        account_type: AccountType::Secondary,
        title: "Euro reserve",
    },
];

impl LedgerAccount {
    pub(crate) fn currency(&self) -> &'static Currency {
        currency_by_symbol(self.currency).expect("ledger accounts are in listed currencies")
    }
}

pub(crate) fn ledger_account(id: &str) -> Option<&'static LedgerAccount> {
    LEDGER_ACCOUNTS.iter().find(|account| account.id == id)
}

/// The main account that paid orders settled in `currency` credit.
pub(crate) fn main_account(currency: &Currency) -> Option<&'static LedgerAccount> {
    LEDGER_ACCOUNTS.iter().find(|account| {
        account.account_type == AccountType::Main && account.currency == currency.symbol
    })
}

/// Where a withdrawal of one currency goes: the merchant's own payout
/// setting for it, as set up in the dashboard.
pub(crate) struct PayoutSetting {
    pub(crate) id: i64,
    pub(crate) title: &'static str,
    pub(crate) address: &'static str,
    pub(crate) currency: &'static str,
}

pub(crate) const PAYOUT_SETTINGS: [PayoutSetting; 5] = [
    PayoutSetting {
        id: 5501,
        title: "Bitcoin cold wallet",
        address: "tb1quauvt7txunf9zeu2qyrzv0pa5uvwjlq9a369s5",
        currency: "BTC",
    },
    PayoutSetting {
        id: 5502,
        title: "Ethereum wallet",
        address: "0x79023c39c200661fccd268a29a0d347301ef56e6",
        currency: "ETH",
    },
    PayoutSetting {
        id: 5503,
        title: "Litecoin wallet",
        address: "tltc1qg6c8e6dq3npdtexzfdusq4jcyy9d0qhhag7gct",
        currency: "LTC",
    },
    PayoutSetting {
        id: 5504,
        title: "Business bank account",
        address: "LT601010012345678901",
        currency: "EUR",
    },
    PayoutSetting {
        id: 5505,
        title: "US Dollar bank account",
        address: "GB33BUKB20201555555555",
        currency: "USD",
    },
];

pub(crate) fn payout_setting_for(currency: &Currency) -> Option<&'static PayoutSetting> {
    PAYOUT_SETTINGS
        .iter()
        .find(|setting| setting.currency == currency.symbol)
}

/// A third party's address that send requests pay to.
pub(crate) struct BeneficiaryPayoutSetting {
    pub(crate) id: i64,
    pub(crate) beneficiary_id: i64,
    pub(crate) currency: &'static str,
    pub(crate) crypto_address: &'static str,
    /// As CoinGate writes it: milliseconds and a `Z`.
    pub(crate) created_at: &'static str,
}

pub(crate) const BENEFICIARY_PAYOUT_SETTINGS: [BeneficiaryPayoutSetting; 3] = [
    BeneficiaryPayoutSetting {
        id: 7701,
        beneficiary_id: 4401,
        currency: "BTC",
        crypto_address: "tb1qfnw0v2vc796rxxzs0es6ljtygw7y3ddpy36u0r",
        created_at: "2026-01-05T09:30:00.000Z",
    },
    BeneficiaryPayoutSetting {
        id: 7702,
        beneficiary_id: 4401,
        currency: "ETH",
        crypto_address: "0x159b42b4ea410fb9102f29a422eb14ab2f2d0f0c",
        created_at: "2026-01-05T09:31:00.000Z",
    },
    BeneficiaryPayoutSetting {
        id: 7703,
        beneficiary_id: 4401,
        currency: "LTC",
        crypto_address: "tltc1qcqy998s64caua9pn97pw8llsqhnfv24ul05esv",
        created_at: "2026-01-05T09:32:00.000Z",
    },
];

impl BeneficiaryPayoutSetting {
    pub(crate) fn currency(&self) -> &'static Currency {
        currency_by_symbol(self.currency).expect("payout settings are in listed currencies")
    }
}

pub(crate) fn beneficiary_payout_setting(id: i64) -> Option<&'static BeneficiaryPayoutSetting> {
    BENEFICIARY_PAYOUT_SETTINGS
        .iter()
        .find(|setting| setting.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_coin_currency_has_a_market_row_and_a_platform() {
        for currency in CURRENCIES.iter().filter(|c| c.kind == Kind::Crypto) {
            let coin = currency.coin().expect(currency.symbol);
            assert_eq!(coin.enabled, !currency.is_disabled(), "{}", currency.symbol);
            assert!(currency.platform.is_some(), "{}", currency.symbol);
        }
    }

    #[test]
    fn ids_are_unique_across_currencies_platforms_and_counos_tickers() {
        let mut ids: Vec<i64> = CURRENCIES.iter().map(|c| c.id).collect();
        ids.extend(
            CURRENCIES
                .iter()
                .filter_map(|c| c.platform.as_ref().map(|p| p.id)),
        );
        ids.extend(
            CURRENCIES
                .iter()
                .flat_map(|c| c.other_platforms.iter().map(|p| p.id)),
        );
        ids.extend(market::COINS.iter().map(|coin| coin.ticker_id));
        let count = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), count);
    }

    #[test]
    fn rates_come_from_the_market_table() {
        let rate = |from: &str, to: &str| {
            quoted_rate(
                currency_by_symbol(from).unwrap(),
                currency_by_symbol(to).unwrap(),
            )
            .map(|rate| rate.normalize().to_string())
        };
        assert_eq!(rate("BTC", "EUR").as_deref(), Some("58000"));
        assert_eq!(rate("btc", "usd").as_deref(), Some("62000"));
        assert_eq!(rate("ETH", "BTC").as_deref(), Some("0.05"));
        assert_eq!(rate("EUR", "USD").as_deref(), Some("1.0695"));
        assert_eq!(rate("EUR", "BTC").as_deref(), Some("0.00001724"));
        assert_eq!(rate("LTC", "LTC").as_deref(), Some("1"));
    }
}
