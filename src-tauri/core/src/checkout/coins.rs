//! Which coins the till offers, on which network.

use crate::said::Said;
use std::time::Instant;

use super::types::CoinNetwork;
use super::{Checkout, COINS_TTL};
use crate::error::{Error, Result};
use crate::gateway::Coin;
use crate::settings::{CoinChoice, Settings};

impl Checkout {
    /// The coins this terminal accepts.
    pub async fn coins(&self) -> Result<Vec<Coin>> {
        if let Some(coins) = self.cached_coins() {
            return Ok(coins);
        }
        // One fetch at a time; whoever waited finds the list it brought.
        let _fetching = self.coins_fetch.lock().await;
        if let Some(coins) = self.cached_coins() {
            return Ok(coins);
        }
        let coins = self.gateway.coins().await?;
        *self.coins.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((Instant::now(), coins.clone()));
        Ok(coins)
    }

    fn cached_coins(&self) -> Option<Vec<Coin>> {
        self.coins
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .filter(|(at, _)| at.elapsed() < COINS_TTL)
            .map(|(_, coins)| coins.clone())
    }

    /// A coin offered at the counter, for a new sale.
    pub(super) async fn coin(&self, symbol: &str) -> Result<Coin> {
        let symbol = symbol.trim().to_ascii_uppercase();
        // What `offered_coins` gives for this one symbol, without making
        // every other coin's entry (each charge and quote comes here).
        let choice = CoinChoice::load(&self.ledger)?;
        let coins = self.coins().await?;
        let chosen = choice.coin_networks.get(&symbol).map(String::as_str);
        let wanted = choice.offered_coins.is_empty()
            || choice
                .offered_coins
                .iter()
                .any(|o| o.eq_ignore_ascii_case(&symbol));
        // Not offered: say so, or why the network chosen for it cannot be used.
        match crate::gateway::pick_network(&coins, &symbol, chosen)? {
            Some(coin) if wanted => Ok(coin),
            _ => Err(Error::input(Said::coin_not_offered(symbol))),
        }
    }

    /// A coin the gateway knows, for following a sale already made (the
    /// shop may have stopped offering it since), on the sale's own network.
    pub(super) async fn gateway_coin(&self, symbol: &str, network: &str) -> Result<Coin> {
        let symbol = symbol.trim().to_ascii_uppercase();
        let coins = self.coins().await?;
        let on_network = coins
            .iter()
            .find(|c| c.symbol == symbol && c.network == network)
            .cloned();
        on_network
            .or_else(|| coins.into_iter().find(|c| c.symbol == symbol))
            .ok_or_else(|| Error::not_found(Said::coin_no_longer_listed(symbol)))
    }

    /// The coins offered at the counter: those the gateway enables, narrowed
    /// to the shop's choice (`offered_coins`; empty means all), each once,
    /// on the network chosen for it in Settings or else its own chain.
    pub async fn offered_coins(&self) -> Result<Vec<Coin>> {
        // The two settings it needs, not all of them: every charge and
        // quote comes here.
        let settings = CoinChoice::load(&self.ledger)?;
        let coins = self.coins().await?;
        let mut offered = Vec::new();
        for coin in &coins {
            let wanted = settings.offered_coins.is_empty()
                || settings
                    .offered_coins
                    .iter()
                    .any(|o| o.eq_ignore_ascii_case(&coin.symbol));
            if !wanted || offered.iter().any(|c: &Coin| c.symbol == coin.symbol) {
                continue;
            }
            let chosen = settings.coin_networks.get(&coin.symbol).map(String::as_str);
            match crate::gateway::pick_network(&coins, &coin.symbol, chosen) {
                Ok(Some(coin)) => offered.push(coin),
                Ok(None) => {}
                // Never another network than the one chosen: the coin is left
                // out, and charging it says why (see `coin`).
                Err(e) => {
                    tracing::warn!(coin = %coin.symbol, error = %e, "the network chosen for this coin is not offered")
                }
            }
        }
        Ok(offered)
    }

    /// Every coin and network the gateway offers, and which network each
    /// coin is taken on at the counter (`cryptill coins`, Settings).
    pub async fn coin_networks(&self) -> Result<Vec<CoinNetwork>> {
        let coins = self.coins().await?;
        let settings = Settings::load(&self.ledger)?;
        let mut listed = Vec::new();
        for coin in &coins {
            let chosen = settings.coin_networks.get(&coin.symbol).map(String::as_str);
            // A stale choice (a network no longer offered) shows no network
            // as used, and the error says what to do when the coin is charged.
            let used = crate::gateway::pick_network(&coins, &coin.symbol, chosen)
                .ok()
                .flatten();
            listed.push(CoinNetwork {
                symbol: coin.symbol.clone(),
                title: coin.title.clone(),
                network: coin.network.clone(),
                default: coins.iter().find(|c| c.symbol == coin.symbol) == Some(coin),
                used: used.as_ref() == Some(coin),
            });
        }
        Ok(listed)
    }

    /// Takes `symbol` on `network` from now on (`cryptill gateway network
    /// ETH Ethereum`, the Settings picker). The network must be one the
    /// gateway offers the coin on; sales already made keep theirs.
    pub async fn set_network(&self, symbol: &str, network: &str) -> Result<Coin> {
        let symbol = symbol.trim().to_ascii_uppercase();
        let coins = self.coins().await?;
        let coin = crate::gateway::pick_network(&coins, &symbol, Some(network))?
            .ok_or_else(|| Error::input(Said::coin_not_at_terminal(&symbol)))?;
        let mut settings = Settings::load(&self.ledger)?;
        settings.coin_networks.insert(symbol, coin.network.clone());
        settings.save(&self.ledger)?;
        Ok(coin)
    }
}
