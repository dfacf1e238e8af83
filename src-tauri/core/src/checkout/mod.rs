//! The checkout: price in, order out, payment followed to its outcome.
//! Order of events for a charge, and why:
//! 1. the sale is committed to the ledger (nothing a crash can lose);
//! 2. the gateway converts the price, and the conversion is locked in the sale;
//! 3. the order is created under the sale's merchant order id, so repeating
//!    steps 2-3 after any failure finds the same order instead of a second one.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::gateway::{Coin, Conversion, Gateway, OrderRef, OrderRequest, SaleState};
use crate::ledger::{timestamp, Ledger, Sale};
use crate::money::{fixed, Currency, Money};
use crate::qr;
use crate::settings::Settings;

/// How often an open payment is asked about. Fast enough that "Paid" shows
/// within a few seconds, slow enough for the gateways' request limits.
pub const POLL_INTERVAL: Duration = Duration::from_secs(2);
/// Longest wait between polls while the gateway keeps failing.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// Which coins a terminal offers changes rarely; no need to ask each sale.
const COINS_TTL: Duration = Duration::from_secs(300);

/// A price converted into a coin, as the cashier sees it before charging.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Quote {
    pub fiat_amount: String,
    pub fiat_currency: String,
    pub coin: String,
    pub crypto_amount: String,
    /// Price of one coin in the fiat currency.
    pub rate: String,
    pub fetched_at: String,
}

/// Everything the payment screen shows about one sale.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Payment {
    #[ts(type = "number")]
    pub sale_id: i64,
    pub state: SaleState,
    pub fiat_amount: String,
    pub fiat_currency: String,
    pub coin: String,
    pub network: String,
    pub crypto_amount: String,
    pub paid_amount: String,
    pub address: String,
    pub payment_uri: String,
    /// The QR of `payment_uri`, a `data:image/png` URL.
    pub qr_png: String,
    /// RFC 3339 UTC; `None` when the gateway does not say.
    pub expires_at: Option<String>,
    pub confirmations: u32,
    pub required_confirmations: u32,
    pub gateway_order_id: String,
    /// Something the cashier should know about this payment, e.g. that the
    /// QR opens the gateway's payment page. Absent when there is nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub notice: Option<String>,
}

pub struct Checkout {
    ledger: Arc<Ledger>,
    gateway: Arc<dyn Gateway>,
    fiat: Currency,
    coins: Mutex<Option<(Instant, Vec<Coin>)>>,
    /// The last QR drawn: a payment screen is refreshed every few seconds
    /// and its QR almost never changes.
    last_qr: Mutex<Option<(String, String)>>,
}

impl Checkout {
    pub fn new(ledger: Arc<Ledger>, gateway: Arc<dyn Gateway>, fiat: Currency) -> Self {
        Self {
            ledger,
            gateway,
            fiat,
            coins: Mutex::new(None),
            last_qr: Mutex::new(None),
        }
    }

    pub fn fiat(&self) -> &Currency {
        &self.fiat
    }

    pub fn gateway(&self) -> &dyn Gateway {
        self.gateway.as_ref()
    }

    /// The coins this terminal accepts.
    pub async fn coins(&self) -> Result<Vec<Coin>> {
        if let Some((at, coins)) = self
            .coins
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            if at.elapsed() < COINS_TTL {
                return Ok(coins.clone());
            }
        }
        let coins = self.gateway.coins().await?;
        *self.coins.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((Instant::now(), coins.clone()));
        Ok(coins)
    }

    async fn coin(&self, symbol: &str) -> Result<Coin> {
        let symbol = symbol.trim().to_ascii_uppercase();
        self.coins()
            .await?
            .into_iter()
            .find(|c| c.symbol == symbol)
            .ok_or_else(|| {
                Error::Input(format!(
                    "{symbol} is not offered by this terminal. Pick one of the coins shown."
                ))
            })
    }

    /// What `amount` (as typed) costs in `coin` right now.
    pub async fn quote(&self, amount: &str, coin: &str) -> Result<Quote> {
        self.quote_in(&Money::parse_entry(amount, &self.fiat)?, coin)
            .await
    }

    /// What `fiat` (in any currency the gateway converts) costs in `coin`.
    pub async fn quote_in(&self, fiat: &Money, coin: &str) -> Result<Quote> {
        let coin = self.coin(coin).await?;
        let conversion = self.gateway.convert(fiat, &coin).await?;
        Ok(Quote {
            fiat_amount: fiat.to_fixed(),
            fiat_currency: fiat.currency().code().to_string(),
            coin: coin.symbol,
            crypto_amount: conversion.crypto.to_fixed(),
            rate: fixed(conversion.rate, fiat.currency().decimals()),
            fetched_at: timestamp(Utc::now()),
        })
    }

    /// Charges `amount` (as typed) in `coin`: the sale is in the ledger
    /// before the gateway is called.
    pub async fn charge(&self, amount: &str, coin: &str) -> Result<Payment> {
        self.charge_in(&Money::parse_entry(amount, &self.fiat)?, coin)
            .await
    }

    /// Charges `fiat` in `coin` (the command line may name another currency
    /// than the shop's).
    pub async fn charge_in(&self, fiat: &Money, coin: &str) -> Result<Payment> {
        let coin = self.coin(coin).await?;
        let sale = self.ledger.begin_sale(fiat, &coin, self.gateway.kind())?;
        tracing::info!(sale = sale.id, order = %sale.merchant_order_id, "sale recorded, creating order");
        self.place_order(sale).await
    }

    /// Converts (once; the first conversion stays locked) and creates the
    /// order. Safe to repeat after any failure: the gateway returns the
    /// order already made for this merchant order id.
    async fn place_order(&self, sale: Sale) -> Result<Payment> {
        let coin = self.coin(sale.coin.code()).await?;
        let crypto = match sale.crypto.clone() {
            Some(crypto) => crypto,
            None => {
                let conversion: Conversion = self.gateway.convert(&sale.fiat, &coin).await?;
                self.ledger.record_conversion(sale.id, &conversion)?;
                conversion.crypto
            }
        };
        let shop = Settings::load(&self.ledger)?.shop_name;
        let request = OrderRequest {
            title: format!("Sale {} at {}", sale.merchant_order_id, shop.trim()),
            description: format!(
                "{} paid in {} at {} (Cryptill sale {}).",
                sale.fiat,
                coin.symbol,
                shop.trim(),
                sale.merchant_order_id
            ),
            merchant_order_id: sale.merchant_order_id.clone(),
            created_at: sale.created_at,
            coin,
            crypto,
            fiat: sale.fiat.clone(),
        };
        let order = self.gateway.create_order(&request).await?;
        let sale = self.ledger.record_order(sale.id, &order)?;
        self.payment(&sale)
    }

    /// Asks the gateway about the sale, records the answer and returns it.
    /// A sale whose order was never confirmed created is placed again.
    pub async fn refresh(&self, sale_id: i64) -> Result<Payment> {
        let sale = self.ledger.sale(sale_id)?;
        if sale.state.is_final() {
            return self.payment(&sale);
        }
        if sale.state == SaleState::Creating {
            return self.place_order(sale).await;
        }
        let coin = self.coin(sale.coin.code()).await?;
        let order_ref = OrderRef {
            merchant_order_id: sale.merchant_order_id.clone(),
            gateway_order_id: sale.gateway_order_id.clone(),
        };
        let order = self.gateway.order(&order_ref, &coin).await?;
        let sale = self.ledger.record_order(sale_id, &order)?;
        if sale.state.is_final() {
            tracing::info!(sale = sale.id, state = sale.state.as_str(), "sale settled");
        }
        self.payment(&sale)
    }

    /// Follows a sale until it is final or `on_update` returns false (nobody
    /// is watching any more). Each answer is passed on; while the gateway
    /// fails, polls back off so a dead connection is not hammered.
    pub async fn follow(
        &self,
        sale_id: i64,
        mut on_update: impl FnMut(Payment) -> bool,
    ) -> Result<()> {
        let mut delay = POLL_INTERVAL;
        loop {
            match self.refresh(sale_id).await {
                Ok(payment) => {
                    let done = payment.state.is_final();
                    if !on_update(payment) || done {
                        return Ok(());
                    }
                    delay = POLL_INTERVAL;
                }
                Err(e @ Error::NotFound(_)) => return Err(e),
                Err(e) => {
                    tracing::warn!(sale = sale_id, error = %e, "payment status check failed");
                    delay = (delay * 2).min(MAX_BACKOFF);
                }
            }
            tokio::time::sleep(delay).await;
        }
    }

    pub fn sale(&self, sale_id: i64) -> Result<Sale> {
        self.ledger.sale(sale_id)
    }

    /// The payment screen's view of a sale.
    pub fn payment(&self, sale: &Sale) -> Result<Payment> {
        let crypto = sale
            .crypto
            .clone()
            .unwrap_or_else(|| Money::new(Default::default(), sale.coin.clone()));
        let address = sale.address.clone().unwrap_or_default();
        let uri = match (&sale.payment_uri, address.is_empty()) {
            (Some(uri), _) => uri.clone(),
            (None, false) => qr::payment_uri(&address, &crypto),
            (None, true) => String::new(),
        };
        Ok(Payment {
            sale_id: sale.id,
            state: sale.state,
            fiat_amount: sale.fiat.to_fixed(),
            fiat_currency: sale.fiat.currency().code().to_string(),
            coin: sale.coin.code().to_string(),
            network: sale.network.clone(),
            crypto_amount: crypto.to_fixed(),
            paid_amount: sale
                .paid
                .clone()
                .unwrap_or_else(|| Money::new(Default::default(), sale.coin.clone()))
                .to_fixed(),
            qr_png: if uri.is_empty() {
                String::new()
            } else {
                self.qr(&uri)?
            },
            payment_uri: uri,
            address,
            expires_at: sale.expires_at.map(timestamp),
            confirmations: sale.confirmations,
            required_confirmations: sale.required_confirmations,
            gateway_order_id: sale.gateway_order_id.clone().unwrap_or_default(),
            notice: sale.notice.clone(),
        })
    }

    fn qr(&self, uri: &str) -> Result<String> {
        let mut last = self.last_qr.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((cached_uri, png)) = last.as_ref() {
            if cached_uri == uri {
                return Ok(png.clone());
            }
        }
        let png = qr::png_data_url(uri)?;
        *last = Some((uri.to_string(), png.clone()));
        Ok(png)
    }
}

/// Seconds until `expires_at`, never negative.
pub fn seconds_left(expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<i64> {
    expires_at.map(|at| (at - now).num_seconds().max(0))
}
