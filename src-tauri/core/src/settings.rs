//! The shop's settings, typed, with their defaults and their rules. They are
//! kept in the ledger's `settings` table, one row a setting, so a setting
//! added later needs no migration and an old ledger reads with defaults.

use crate::said::Said;
use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::ledger::Ledger;
use crate::money::{fixed, Currency, Money};
use crate::sale::GatewayKind;

/// The setting that overrides a gateway's API address (a test server, a
/// proxy); one per gateway, so a CoinGate sandbox address never applies to
/// the live CoinGate.
pub fn base_url_setting(kind: GatewayKind) -> String {
    format!("{}_base_url", kind.as_str().replace('-', "_"))
}

/// No amount the till handles has more than this many digits before the
/// decimal point (under a trillion): far above any sale at a counter, and
/// far below where a price times a rate could overflow a decimal (28 digits).
/// Applies to every door (window, IPC, command line) and every currency.
pub const MAX_AMOUNT_DIGITS: usize = 12;
/// Lines in one sale: a typo guard and a bound on the work one entry makes.
pub const MAX_LINES: usize = 100;

/// Refuses an amount with more than [`MAX_AMOUNT_DIGITS`] whole digits.
pub fn check_ceiling(amount: &Money) -> Result<()> {
    let whole = amount.amount().trunc().abs().to_string();
    if whole.trim_start_matches('0').len() > MAX_AMOUNT_DIGITS {
        return Err(too_large(&amount.to_fixed()));
    }
    Ok(())
}

fn too_large(text: &str) -> Error {
    Error::input(Said::sale_too_large(
        text.chars().take(40).collect::<String>(),
        MAX_AMOUNT_DIGITS,
    ))
}

/// The amount rules of one sale, the same at every door: each amount as
/// typed (digits, the currency's precision, not zero, under the ceiling),
/// each line and the total at most the shop's maximum sale, at most
/// [`MAX_LINES`] lines, and a total added with overflow checks.
#[derive(Clone, Debug)]
pub struct SaleLimits {
    fiat: Currency,
    max_sale: Option<Decimal>,
}

impl SaleLimits {
    pub fn load(ledger: &Ledger, fiat: &Currency) -> Result<Self> {
        // The one setting the limits need, not all of them: every charge
        // and quote reads it.
        let max_sale_amount = match ledger.setting("max_sale_amount")? {
            Some(stored) => stored,
            None => Settings::default().max_sale_amount,
        };
        Ok(Self {
            fiat: fiat.clone(),
            max_sale: max_sale(&max_sale_amount),
        })
    }

    pub fn fiat(&self) -> &Currency {
        &self.fiat
    }

    /// One amount as typed, e.g. a line, a tip or an amount to quote.
    pub fn entry(&self, text: &str) -> Result<Money> {
        let whole = text.trim().split(['.', ',']).next().unwrap_or_default();
        // Only digits are counted here; anything else is parse_entry's to name.
        if whole.bytes().all(|b| b.is_ascii_digit())
            && whole.trim_start_matches('0').len() > MAX_AMOUNT_DIGITS
        {
            return Err(too_large(text.trim()));
        }
        let amount = Money::parse_entry(text, &self.fiat)?;
        self.check_part(&amount)?;
        Ok(amount)
    }

    /// One part of a sale (a line, a tip): under the ceiling and the maximum.
    pub fn check_part(&self, amount: &Money) -> Result<()> {
        check_ceiling(amount)?;
        self.check_max(amount)
    }

    fn check_max(&self, amount: &Money) -> Result<()> {
        match self.max_sale {
            Some(max) if amount.amount() > max => Err(Error::input(Said::sale_over_max(
                amount,
                format!("{} {}", fixed(max, self.fiat.decimals()), self.fiat.code()),
            ))),
            _ => Ok(()),
        }
    }

    /// The number of lines of a sale.
    pub fn check_lines(&self, lines: usize) -> Result<()> {
        if lines > MAX_LINES {
            return Err(Error::input(Said::sale_too_many_lines(MAX_LINES, lines)));
        }
        Ok(())
    }

    /// The sum of checked parts, itself checked: no overflow, at most the maximum.
    pub fn total<'a>(&self, parts: impl IntoIterator<Item = &'a Money>) -> Result<Money> {
        let mut total = Decimal::ZERO;
        for part in parts {
            total = total
                .checked_add(part.amount())
                .ok_or_else(|| too_large("the total"))?;
        }
        let total = Money::new(total, self.fiat.clone());
        check_ceiling(&total)?;
        self.check_max(&total)?;
        Ok(total)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Settings {
    pub shop_name: String,
    /// ISO 4217 code of the shop's currency, e.g. `EUR`.
    pub fiat_currency: String,
    /// BCP 47 locale for number formatting and the keypad's decimal key, e.g. `de-DE`.
    pub locale: String,
    pub tips_enabled: bool,
    /// Tip presets in whole percent, e.g. `[5, 10, 15]`.
    pub tip_presets: Vec<u32>,
    /// Largest sale the till accepts, in the shop currency (a typo guard).
    pub max_sale_amount: String,
    pub sound: bool,
    pub receipt_footer: String,
    /// Owner mode locks itself after this many idle minutes.
    pub idle_lock_minutes: u32,
    /// Owner mode locks when the window loses focus.
    pub lock_on_blur: bool,
    /// Coins offered at the counter (upper-case symbols); empty: every coin the gateway enables.
    pub offered_coins: Vec<String>,
    /// The network each coin is taken on, by upper-case symbol (e.g.
    /// `ETH` -> `Ethereum`), as the gateway names it. A coin not listed is
    /// taken on its own chain (gateways.md, Round 2).
    pub coin_networks: BTreeMap<String, String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            shop_name: "My shop".into(),
            fiat_currency: "EUR".into(),
            locale: "en-IE".into(),
            tips_enabled: false,
            tip_presets: vec![5, 10, 15],
            max_sale_amount: "10000".into(),
            sound: true,
            receipt_footer: "Thank you!".into(),
            idle_lock_minutes: 5,
            lock_on_blur: false,
            offered_coins: Vec::new(),
            coin_networks: BTreeMap::new(),
        }
    }
}

const KEYS: &[&str] = &[
    "shop_name",
    "fiat_currency",
    "locale",
    "tips_enabled",
    "tip_presets",
    "max_sale_amount",
    "sound",
    "receipt_footer",
    "idle_lock_minutes",
    "lock_on_blur",
    "offered_coins",
    "coin_networks",
];

/// The settings' names on the command line (`cryptill settings get|set`),
/// in the order the owner's settings screen shows them.
pub const SETTING_NAMES: &[&str] = &[
    "shop-name",
    "currency",
    "locale",
    "coins",
    "tips",
    "tip-presets",
    "max-sale",
    "sound",
    "receipt-footer",
    "idle-lock-minutes",
    "lock-on-blur",
];

fn unknown_setting(name: &str) -> Error {
    Error::input(Said::no_such_setting(name, SETTING_NAMES.join(", ")))
}

fn on_off(name: &str, value: &str) -> Result<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" => Ok(true),
        "off" | "false" | "no" => Ok(false),
        other => Err(Error::input(Said::not_on_or_off(other, name))),
    }
}

fn list(items: &[impl ToString]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn split(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// `offered_coins` as stored (none: every coin the gateway enables).
fn offered_coins(stored: Option<String>) -> Vec<String> {
    match stored {
        Some(v) => split(&v).map(str::to_ascii_uppercase).collect(),
        // The default (`Settings::default`): every coin.
        None => Vec::new(),
    }
}

/// `coin_networks` as stored: `ETH=Ethereum;USDT=Tron`.
fn coin_networks(stored: Option<String>) -> BTreeMap<String, String> {
    match stored {
        Some(v) => v
            .split(';')
            .filter_map(|pair| pair.split_once('='))
            .map(|(coin, network)| (coin.trim().to_ascii_uppercase(), network.trim().to_string()))
            .filter(|(coin, network)| !coin.is_empty() && !network.is_empty())
            .collect(),
        // The default (`Settings::default`): each coin on its own chain.
        None => BTreeMap::new(),
    }
}

/// Which coins the counter offers and on which network: the two settings
/// every charge and quote reads (`Checkout::coin`), read alone, as
/// [`Settings::load`] reads them, instead of every setting.
pub struct CoinChoice {
    /// [`Settings::offered_coins`].
    pub offered_coins: Vec<String>,
    /// [`Settings::coin_networks`].
    pub coin_networks: BTreeMap<String, String>,
}

impl CoinChoice {
    pub fn load(ledger: &Ledger) -> Result<Self> {
        Ok(Self {
            offered_coins: offered_coins(ledger.setting_text("offered_coins")?),
            coin_networks: coin_networks(ledger.setting_text("coin_networks")?),
        })
    }
}

impl Settings {
    /// Reads the settings; a missing or unreadable value falls back to its
    /// default rather than stopping the till.
    pub fn load(ledger: &Ledger) -> Result<Self> {
        let d = Self::default();
        // One query for all of them: a charge loads them (the coins offered).
        let mut stored = ledger.settings_stored()?;
        let mut get = |key: &str| Ok::<_, Error>(stored.remove(key));
        let flag = |v: Option<String>, default: bool| v.map(|v| v == "true").unwrap_or(default);
        Ok(Self {
            shop_name: get("shop_name")?.unwrap_or(d.shop_name),
            fiat_currency: get("fiat_currency")?.unwrap_or(d.fiat_currency),
            locale: get("locale")?.unwrap_or(d.locale),
            tips_enabled: flag(get("tips_enabled")?, d.tips_enabled),
            tip_presets: match get("tip_presets")? {
                Some(v) => split(&v).filter_map(|p| p.parse().ok()).collect(),
                None => d.tip_presets,
            },
            max_sale_amount: get("max_sale_amount")?.unwrap_or(d.max_sale_amount),
            sound: flag(get("sound")?, d.sound),
            receipt_footer: get("receipt_footer")?.unwrap_or(d.receipt_footer),
            idle_lock_minutes: get("idle_lock_minutes")?
                .and_then(|v| v.parse().ok())
                .unwrap_or(d.idle_lock_minutes),
            lock_on_blur: flag(get("lock_on_blur")?, d.lock_on_blur),
            offered_coins: offered_coins(get("offered_coins")?),
            coin_networks: coin_networks(get("coin_networks")?),
        })
    }

    /// Checks every rule, naming the setting that breaks one.
    pub fn validate(&self) -> Result<()> {
        if self.shop_name.trim().is_empty() || self.shop_name.chars().count() > 80 {
            return Err(Error::input(Said::shop_name_length()));
        }
        let currency = Currency::fiat(&self.fiat_currency)?;
        if self.locale.trim().is_empty()
            || !self
                .locale
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(Error::input(Said::not_a_locale(&self.locale)));
        }
        if self.tip_presets.len() > 6 || self.tip_presets.iter().any(|p| *p == 0 || *p > 100) {
            return Err(Error::input(Said::tip_presets_rule()));
        }
        let max_ok = self.max_sale().is_some_and(|m| {
            m > Decimal::ZERO
                && m.scale() <= currency.decimals()
                && check_ceiling(&Money::new(m, currency.clone())).is_ok()
        });
        if !max_ok {
            return Err(Error::input(Said::max_sale_rule(
                &self.max_sale_amount,
                &currency,
                MAX_AMOUNT_DIGITS,
            )));
        }
        if self.receipt_footer.chars().count() > 300 {
            return Err(Error::input(Said::footer_too_long()));
        }
        if !(1..=240).contains(&self.idle_lock_minutes) {
            return Err(Error::input(Said::idle_lock_range()));
        }
        if self
            .offered_coins
            .iter()
            .any(|c| c.is_empty() || !c.chars().all(|ch| ch.is_ascii_alphanumeric()))
        {
            return Err(Error::input(Said::coins_are_tickers()));
        }
        for (coin, network) in &self.coin_networks {
            if coin.is_empty() || !coin.chars().all(|ch| ch.is_ascii_alphanumeric()) {
                return Err(Error::input(Said::network_coin_not_ticker(coin)));
            }
            let network = network.trim();
            if network.is_empty()
                || network.chars().count() > 60
                || network.contains([';', '='])
                || network.chars().any(char::is_control)
            {
                return Err(Error::input(Said::not_a_network(network, coin)));
            }
        }
        Ok(())
    }

    /// Validates and stores every setting in one transaction: a rejected
    /// value changes nothing.
    pub fn save(&self, ledger: &Ledger) -> Result<()> {
        self.validate()?;
        // On a shared ledger the shop's tills agree on the currency; asked
        // only when it changes, so the other settings save while the
        // server is down.
        let currency = self.fiat_currency.trim().to_ascii_uppercase();
        if Settings::load(ledger)?.fiat_currency != currency {
            ledger.check_shop_currency(&currency)?;
        }
        let values = [
            self.shop_name.trim().to_string(),
            self.fiat_currency.trim().to_ascii_uppercase(),
            self.locale.trim().to_string(),
            self.tips_enabled.to_string(),
            list(&self.tip_presets),
            self.max_sale_amount.trim().to_string(),
            self.sound.to_string(),
            self.receipt_footer.clone(),
            self.idle_lock_minutes.to_string(),
            self.lock_on_blur.to_string(),
            list(&self.offered_coins),
            self.coin_networks
                .iter()
                .map(|(coin, network)| {
                    format!("{}={}", coin.trim().to_ascii_uppercase(), network.trim())
                })
                .collect::<Vec<_>>()
                .join(";"),
        ];
        ledger.set_settings(KEYS.iter().copied().zip(values.iter().map(String::as_str)))
    }

    /// One setting as text, by the name the command line uses (see
    /// [`SETTING_NAMES`]): the same text [`Settings::set`] reads back, so a
    /// value copied from `settings get` can be set again as it is.
    pub fn get(&self, name: &str) -> Result<String> {
        let flag = |on: bool| if on { "on" } else { "off" }.to_string();
        Ok(match name {
            "shop-name" => self.shop_name.clone(),
            "currency" => self.fiat_currency.clone(),
            "locale" => self.locale.clone(),
            "coins" if self.offered_coins.is_empty() => "all".into(),
            "coins" => list(&self.offered_coins),
            "tips" => flag(self.tips_enabled),
            "tip-presets" => list(&self.tip_presets),
            "max-sale" => self.max_sale_amount.clone(),
            "sound" => flag(self.sound),
            "receipt-footer" => self.receipt_footer.clone(),
            "idle-lock-minutes" => self.idle_lock_minutes.to_string(),
            "lock-on-blur" => flag(self.lock_on_blur),
            _ => return Err(unknown_setting(name)),
        })
    }

    /// Every setting by name, in [`SETTING_NAMES`] order.
    pub fn named(&self) -> Vec<(&'static str, String)> {
        SETTING_NAMES
            .iter()
            .map(|name| (*name, self.get(name).expect("every listed name is known")))
            .collect()
    }

    /// Changes one setting from text, by name, and checks the result with
    /// every rule the window's Save checks ([`Settings::validate`]), so the
    /// command line refuses exactly what the window refuses. Nothing is
    /// stored here: [`Settings::save`] does that.
    pub fn set(&mut self, name: &str, value: &str) -> Result<()> {
        match name {
            "shop-name" => self.shop_name = value.trim().to_string(),
            "currency" => self.fiat_currency = value.trim().to_ascii_uppercase(),
            "locale" => self.locale = value.trim().to_string(),
            "coins" => {
                self.offered_coins = if value.trim().eq_ignore_ascii_case("all") {
                    Vec::new()
                } else {
                    split(value).map(str::to_ascii_uppercase).collect()
                }
            }
            "tips" => self.tips_enabled = on_off(name, value)?,
            "tip-presets" => {
                self.tip_presets = split(value)
                    .map(|p| {
                        p.trim_end_matches('%')
                            .trim()
                            .parse()
                            .map_err(|_| Error::input(Said::not_a_tip_percentage(p)))
                    })
                    .collect::<Result<_>>()?
            }
            "max-sale" => self.max_sale_amount = value.trim().to_string(),
            "sound" => self.sound = on_off(name, value)?,
            "receipt-footer" => self.receipt_footer = value.to_string(),
            "idle-lock-minutes" => {
                self.idle_lock_minutes = value
                    .trim()
                    .parse()
                    .map_err(|_| Error::input(Said::not_idle_minutes(value.trim())))?
            }
            "lock-on-blur" => self.lock_on_blur = on_off(name, value)?,
            _ => return Err(unknown_setting(name)),
        }
        self.validate()
    }

    /// The maximum sale amount as a decimal (validated on save).
    pub fn max_sale(&self) -> Option<Decimal> {
        max_sale(&self.max_sale_amount)
    }
}

/// The largest sale as stored; `None`: no valid limit.
fn max_sale(stored: &str) -> Option<Decimal> {
    Decimal::from_str(stored.trim()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ledger() -> (tempfile::TempDir, Ledger) {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open(&dir.path().join("l.sqlite3")).unwrap();
        (dir, ledger)
    }

    /// A charge reads the coins offered and their networks alone
    /// (`CoinChoice`); it must read them as the whole settings do.
    #[test]
    fn the_coins_offered_read_alone_are_those_the_settings_read() {
        let (dir, ledger) = ledger();
        let alone = CoinChoice::load(&ledger).unwrap();
        let all = Settings::load(&ledger).unwrap();
        assert_eq!(alone.offered_coins, all.offered_coins);
        assert_eq!(alone.coin_networks, all.coin_networks);
        ledger.set_setting("offered_coins", " btc, eth ,").unwrap();
        ledger
            .set_setting("coin_networks", "eth=Ethereum; usdt = Tron;bad")
            .unwrap();
        let alone = CoinChoice::load(&ledger).unwrap();
        let all = Settings::load(&ledger).unwrap();
        assert_eq!(alone.offered_coins, ["BTC", "ETH"]);
        assert_eq!(alone.offered_coins, all.offered_coins);
        assert_eq!(alone.coin_networks.len(), 2);
        assert_eq!(alone.coin_networks, all.coin_networks);
        // A value that is not text is no setting, for both: the default.
        rusqlite::Connection::open(dir.path().join("l.sqlite3"))
            .unwrap()
            .execute(
                "UPDATE settings SET value = X'07' WHERE key = 'offered_coins'",
                [],
            )
            .unwrap();
        let alone = CoinChoice::load(&ledger).unwrap();
        assert!(alone.offered_coins.is_empty());
        assert_eq!(
            alone.offered_coins,
            Settings::load(&ledger).unwrap().offered_coins
        );
    }

    #[test]
    fn a_new_ledger_reads_the_defaults() {
        let (_dir, ledger) = ledger();
        assert_eq!(Settings::load(&ledger).unwrap(), Settings::default());
    }

    #[test]
    fn saved_settings_read_back_exactly() {
        let (_dir, ledger) = ledger();
        let s = Settings {
            shop_name: "Corner Café".into(),
            fiat_currency: "usd".into(),
            locale: "de-DE".into(),
            tips_enabled: true,
            tip_presets: vec![10, 20],
            max_sale_amount: "2500.50".into(),
            sound: false,
            receipt_footer: "Danke, bis bald".into(),
            idle_lock_minutes: 10,
            lock_on_blur: true,
            offered_coins: vec!["BTC".into(), "LTC".into()],
            coin_networks: BTreeMap::from([
                ("ETH".into(), "Ethereum".into()),
                ("USDT".into(), "Tron (TRC20)".into()),
            ]),
        };
        s.save(&ledger).unwrap();
        let back = Settings::load(&ledger).unwrap();
        assert_eq!(back.fiat_currency, "USD");
        assert_eq!(
            back,
            Settings {
                fiat_currency: "USD".into(),
                ..s
            }
        );
    }

    #[test]
    fn a_bad_value_is_refused_by_name_and_nothing_changes() {
        let (_dir, ledger) = ledger();
        let bad = Settings {
            shop_name: "New name".into(),
            max_sale_amount: "12.345".into(),
            ..Settings::default()
        };
        let err = bad.save(&ledger).unwrap_err();
        assert!(err.to_string().contains("maximum sale amount"), "{err}");
        assert_eq!(Settings::load(&ledger).unwrap().shop_name, "My shop");
        for bad in [
            Settings {
                tip_presets: vec![0],
                ..Settings::default()
            },
            Settings {
                fiat_currency: "EURO".into(),
                ..Settings::default()
            },
            Settings {
                idle_lock_minutes: 0,
                ..Settings::default()
            },
            Settings {
                offered_coins: vec!["B-TC".into()],
                ..Settings::default()
            },
            Settings {
                shop_name: " ".into(),
                ..Settings::default()
            },
            Settings {
                coin_networks: BTreeMap::from([("ETH".into(), "a=b".into())]),
                ..Settings::default()
            },
        ] {
            assert!(bad.save(&ledger).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn every_named_setting_reads_back_as_it_was_set() {
        let mut s = Settings::default();
        for (name, value, back) in [
            ("shop-name", " Corner Café ", "Corner Café"),
            ("currency", "usd", "USD"),
            ("locale", "de-DE", "de-DE"),
            ("coins", "btc, ltc", "BTC,LTC"),
            ("tips", "yes", "on"),
            ("tip-presets", "10, 20%", "10,20"),
            ("max-sale", "2500.50", "2500.50"),
            ("sound", "off", "off"),
            ("receipt-footer", "Danke!", "Danke!"),
            ("idle-lock-minutes", "30", "30"),
            ("lock-on-blur", "on", "on"),
        ] {
            s.set(name, value).unwrap();
            assert_eq!(s.get(name).unwrap(), back, "{name}");
        }
        s.set("coins", "all").unwrap();
        assert!(s.offered_coins.is_empty());
        assert_eq!(s.named().len(), SETTING_NAMES.len());
        // What `get` prints, `set` takes back unchanged.
        let again = s.clone();
        for (name, value) in again.named() {
            s.set(name, &value).unwrap();
        }
        assert_eq!(s, again);
    }

    #[test]
    fn a_bad_named_value_is_refused_with_a_sentence_naming_it() {
        for (name, value, says) in [
            ("colour", "red", "no setting 'colour'"),
            ("currency", "EURO", "EURO"),
            ("tips", "maybe", "on or off"),
            ("tip-presets", "5,ten", "'ten' is not a whole percentage"),
            ("tip-presets", "0", "between 1 and 100"),
            ("max-sale", "12.345", "maximum sale amount"),
            ("idle-lock-minutes", "0", "1 to 240"),
            ("idle-lock-minutes", "-1", "not a number of minutes"),
            ("shop-name", "  ", "1 to 80 characters"),
            ("coins", "B-TC", "ticker symbols"),
            ("locale", "de_DE", "not a locale"),
        ] {
            let mut s = Settings::default();
            let err = s.set(name, value).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::Input, "{name}");
            assert!(err.to_string().contains(says), "{name}={value}: {err}");
        }
    }

    fn limits(ledger: &Ledger) -> SaleLimits {
        SaleLimits::load(ledger, &Currency::fiat("EUR").unwrap()).unwrap()
    }

    #[test]
    fn amounts_follow_the_maximum_the_precision_and_the_ceiling() {
        let (_dir, ledger) = ledger();
        let limits = limits(&ledger);
        assert_eq!(limits.entry("10000").unwrap().to_fixed(), "10000.00");
        for (bad, says) in [
            ("10000.01", "more than this till takes"),
            ("99999999", "more than this till takes"),
            ("1.005", "2 decimal places"),
            ("9999999999999", "too large"),
            ("99999999999999999999999999999", "too large"),
            ("7922816251426433759354395033500", "too large"),
            ("0", "zero"),
        ] {
            let err = limits.entry(bad).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::Input, "{bad}");
            assert!(err.to_string().contains(says), "{bad}: {err}");
        }
    }

    #[test]
    fn a_total_is_checked_for_overflow_and_the_maximum() {
        let (_dir, ledger) = ledger();
        let limits = limits(&ledger);
        let eur = Currency::fiat("EUR").unwrap();
        let part = |s: &str| Money::new(Decimal::from_str(s).unwrap(), eur.clone());
        let parts = [part("6000"), part("4000")];
        assert_eq!(limits.total(&parts).unwrap().to_fixed(), "10000.00");
        let parts = [part("6000"), part("4000.01")];
        assert!(limits.total(&parts).is_err());
        // Parts that would overflow a decimal are refused, not a panic.
        let huge = Money::new(Decimal::MAX, eur.clone());
        let err = limits.total([&huge, &huge]).unwrap_err();
        assert!(err.to_string().contains("too large"), "{err}");
        assert!(limits.check_lines(MAX_LINES).is_ok());
        assert!(limits.check_lines(MAX_LINES + 1).is_err());
        // The owner cannot lift the maximum past the ceiling.
        let s = Settings {
            max_sale_amount: "10000000000000".into(),
            ..Settings::default()
        };
        assert!(s.validate().is_err());
    }
}
