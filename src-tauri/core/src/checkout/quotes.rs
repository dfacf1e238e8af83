//! Quotes: what a price costs in a coin before the cashier charges.

use std::time::Instant;

use rust_decimal::Decimal;

use super::types::Quote;
use super::{CachedRate, Checkout};
use crate::error::Result;
use crate::gateway::{Coin, Conversion};
use crate::money::{fixed, Money};
use crate::sale::timestamp;
use crate::settings::SaleLimits;

impl Checkout {
    /// What `amount` (as typed) costs in `coin` right now.
    pub async fn quote(&self, amount: &str, coin: &str) -> Result<Quote> {
        let fiat = SaleLimits::load(&self.ledger, &self.fiat)?.entry(amount)?;
        self.quote_in(&fiat, coin).await
    }

    /// What `fiat` (in any currency the gateway converts) costs in `coin`.
    /// The first quote of a pair is the gateway's own conversion; for the
    /// next minute its rate is reused. If the gateway cannot be asked, the
    /// last rate known is shown with its age and a warning: the gateway sets
    /// the binding amount at the charge anyway.
    pub async fn quote_in(&self, fiat: &Money, coin: &str) -> Result<Quote> {
        crate::settings::check_ceiling(fiat)?;
        let coin = self.coin(coin).await?;
        let cached = self.kept_rate(fiat, &coin);
        if let Some(rate) = &cached {
            if rate.at.elapsed() < self.rate_ttl {
                return Ok(quote_at(fiat, &coin, rate, None));
            }
        }
        let asked = Instant::now();
        match self.gateway.convert(fiat, &coin).await {
            Ok(conversion) => {
                let rate = self.keep_rate(fiat, &coin, &conversion, asked);
                Ok(quote_at(fiat, &coin, &rate, None))
            }
            Err(e) => match cached {
                Some(rate) if !rate.rate.is_zero() => {
                    tracing::warn!(coin = %coin.symbol, error = %e, "rate feed failed, showing the last rate");
                    let minutes = rate.at.elapsed().as_secs() / 60;
                    let age = if minutes == 0 {
                        "less than a minute".to_string()
                    } else {
                        format!("{minutes} min")
                    };
                    let warning = format!(
                        "The rate could not be updated, so this is the rate from {age} ago. Charging still works: the gateway sets the amount to pay."
                    );
                    Ok(quote_at(fiat, &coin, &rate, Some(warning)))
                }
                _ => Err(e),
            },
        }
    }

    /// Keeps the gateway's answer to "what does `fiat` cost in `coin`",
    /// asked at `asked`, as the pair's rate for the next minute: the
    /// quotes', and the charges' (`fresh_conversion`).
    pub(super) fn keep_rate(
        &self,
        fiat: &Money,
        coin: &Coin,
        conversion: &Conversion,
        asked: Instant,
    ) -> CachedRate {
        let rate = CachedRate {
            rate: conversion.rate,
            at: asked,
            fetched_at: crate::clock::now(),
            converted: Some((fiat.clone(), conversion.crypto.clone())),
            places: conversion.crypto.amount().scale().max(8).min(coin.decimals),
        };
        let key = (fiat.currency().code().to_string(), coin.symbol.clone());
        self.rates
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, rate.clone());
        rate
    }

    /// The rate kept for `fiat`'s currency and `coin`, however old.
    fn kept_rate(&self, fiat: &Money, coin: &Coin) -> Option<CachedRate> {
        let key = (fiat.currency().code().to_string(), coin.symbol.clone());
        self.rates
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
            .cloned()
    }

    /// What `fiat` costs in `coin` at the gateway's rate of the last minute,
    /// if the till has one (a quote's, an earlier charge's): exactly what a
    /// quote shows now (`CachedRate::crypto_for`). A charge uses it instead
    /// of asking the gateway again: CoinGate's rates change every 60 s and
    /// are not to be asked more often (gateways.md; its client keeps them
    /// that long already); Counos takes the amount the merchant sends
    /// (`expectedAmount`, "the amount that is expected to be paid") and
    /// offers its rates "to use in your application". Never an older rate
    /// (a quote may show one when the feed fails; a charge then asks), and
    /// never one a conversion's own checks would refuse.
    pub(super) fn fresh_conversion(&self, fiat: &Money, coin: &Coin) -> Option<Conversion> {
        let kept = self.kept_rate(fiat, coin)?;
        if kept.at.elapsed() >= self.rate_ttl {
            return None;
        }
        let crypto = kept.crypto_for(fiat, coin).ok()?;
        crate::gateway::checked_conversion(fiat, coin, Some(crypto.amount())).ok()?;
        Some(Conversion {
            crypto,
            rate: kept.rate,
        })
    }

    /// Quotes `amount` (as typed) in every coin offered at the counter; a
    /// coin whose rate cannot be had is left out, unless all fail.
    pub async fn quotes(&self, amount: &str) -> Result<Vec<Quote>> {
        let fiat = SaleLimits::load(&self.ledger, &self.fiat)?.entry(amount)?;
        let mut quotes = Vec::new();
        let mut last_error = None;
        for coin in self.offered_coins().await? {
            match self.quote_in(&fiat, &coin.symbol).await {
                Ok(quote) => quotes.push(quote),
                Err(e) => last_error = Some(e),
            }
        }
        match (quotes.is_empty(), last_error) {
            (true, Some(e)) => Err(e),
            _ => Ok(quotes),
        }
    }
}

fn quote_at(fiat: &Money, coin: &Coin, rate: &CachedRate, warning: Option<String>) -> Quote {
    // Rounded up, as the gateways do: never short of the price. Exact, and
    // no panic on a rate a gateway should never send (zero, negative, so
    // small the quotient overflows): such a quote shows no coin amount.
    let crypto = rate
        .crypto_for(fiat, coin)
        .unwrap_or_else(|_| Money::new(Decimal::ZERO, coin.currency()));
    Quote {
        fiat_amount: fiat.to_fixed(),
        fiat_currency: fiat.currency().code().to_string(),
        coin: coin.symbol.clone(),
        crypto_amount: crypto.to_fixed(),
        rate: fixed(rate.rate, fiat.currency().decimals()),
        fetched_at: timestamp(rate.fetched_at),
        age_seconds: rate.at.elapsed().as_secs().min(u32::MAX as u64) as u32,
        warning,
    }
}
