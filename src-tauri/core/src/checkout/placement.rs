//! Placing a recorded sale's gateway order (exclusively, once) and following it.

use crate::error::ErrorKind;
use crate::said::Said;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::types::Payment;
use super::views;
use super::{Checkout, FOLLOW_RECHECK, MAX_BACKOFF, PLACEMENT_WAIT, POLL_INTERVAL};
use crate::error::{Error, Result};
use crate::gateway::{Coin, Conversion, OrderRef, OrderRequest, SaleState};
use crate::ledger::Sale;
use crate::money::Money;
use crate::settings::Settings;

/// A conversion asked for while its sale was being recorded (`charge_sale`):
/// the price and coin it was asked for, and the gateway's answer to come.
/// Used under the placement claim when the sale has none locked and is
/// still that price in that coin; otherwise dropped, and asked again there.
pub(super) struct Asked {
    fiat: Money,
    coin: Coin,
    at: Instant,
    answer: tokio::task::JoinHandle<Result<Conversion>>,
}

impl Checkout {
    /// Asks the gateway to convert `fiat` into `coin` on a task of its own,
    /// so the question is on its way while the caller writes the sale.
    pub(super) fn ask_conversion(&self, fiat: &Money, coin: &Coin) -> Asked {
        let gateway = Arc::clone(&self.gateway);
        let (price, to) = (fiat.clone(), coin.clone());
        Asked {
            fiat: fiat.clone(),
            coin: coin.clone(),
            at: Instant::now(),
            answer: tokio::spawn(async move { gateway.convert(&price, &to).await }),
        }
    }

    /// The conversion a placement locks when none was asked for it: the
    /// gateway's rate of the last minute if the till has one (what a quote
    /// shows now, `fresh_conversion`), else the gateway's answer, kept as
    /// the pair's rate for the next minute.
    async fn convert_now(&self, fiat: &Money, coin: &Coin) -> Result<Conversion> {
        if let Some(conversion) = self.fresh_conversion(fiat, coin) {
            return Ok(conversion);
        }
        let asked = Instant::now();
        let conversion = self.gateway.convert(fiat, coin).await?;
        self.keep_rate(fiat, coin, &conversion, asked);
        Ok(conversion)
    }

    /// Creates the gateway order of a recorded sale, or returns it if it
    /// exists already: the merchant order id is the sale's, so the gateway
    /// finds the order made by an earlier try (Counos `renew: false`,
    /// CoinGate looked up by `order_id`).
    pub async fn place(&self, sale_id: i64) -> Result<Payment> {
        let sale = self.ledger.sale(sale_id)?;
        if sale.state == SaleState::Creating {
            return self.place_order(sale).await;
        }
        self.payment(&sale)
    }

    /// Places the sale's order, exclusively: it is claimed in the ledger
    /// first, so of two placements at once (the watcher and a reopen, the
    /// window and `cryptill order`, two processes) one creates the order and
    /// the other waits for it. Never two gateway orders for one sale.
    pub(super) async fn place_order(&self, sale: Sale) -> Result<Payment> {
        let claimant = crate::ledger::claimant("place");
        let waited_since = Instant::now();
        let mut sale = sale;
        loop {
            if let Some(payment) = self.place_claimed(sale.clone(), &claimant).await? {
                return Ok(payment);
            }
            // Someone else is placing it: wait for their answer.
            if waited_since.elapsed() > PLACEMENT_WAIT {
                return Err(Error::not_allowed(Said::sale_being_sent(sale.id)));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            sale = self.ledger.sale(sale.id)?;
            if sale.state != SaleState::Creating {
                return self.payment(&sale);
            }
        }
    }

    /// Places the sale if `claimant` gets (or holds) its placement claim;
    /// `None` if someone else holds it. A failure gives the claim up, so the
    /// next try need not wait for it to go stale.
    pub(super) async fn place_claimed(
        &self,
        sale: Sale,
        claimant: &str,
    ) -> Result<Option<Payment>> {
        if !self.ledger.claim_placement(sale.id, claimant)? {
            let now = self.ledger.sale(sale.id)?;
            if now.state != SaleState::Creating {
                return self.payment(&now).map(Some);
            }
            return Ok(None);
        }
        // Read again under the claim: another placement may have finished
        // between our first read and the claim.
        let sale = self.ledger.sale(sale.id)?;
        if sale.state != SaleState::Creating {
            return self.payment(&sale).map(Some);
        }
        self.create_claimed(&sale, claimant, None).await.map(Some)
    }

    /// Places a sale recorded a moment ago holding `claimant`'s placement
    /// claim (`charge`, `Ledger::begin_claimed_sale`): nobody else can have
    /// claimed or placed it, so neither a claim nor a read of it again first.
    pub(super) async fn place_new_claimed(
        &self,
        sale: Sale,
        claimant: &str,
        asked: Option<Asked>,
    ) -> Result<Payment> {
        self.create_claimed(&sale, claimant, asked).await
    }

    /// Creates the order of a sale whose claim `claimant` holds. A failure
    /// gives the claim up, so the next try need not wait for it to go stale.
    async fn create_claimed(
        &self,
        sale: &Sale,
        claimant: &str,
        asked: Option<Asked>,
    ) -> Result<Payment> {
        let placed = self.create_order(sale, asked).await;
        if placed.is_err() {
            if let Err(e) = self.ledger.release_placement(sale.id, claimant) {
                tracing::warn!(sale = sale.id, error = %e, "cannot give up a placement claim");
            }
        }
        placed
    }

    /// Converts (once; the first conversion stays locked) and creates the
    /// order. Safe to repeat after any failure: the gateway returns the
    /// order already made for this merchant order id.
    ///
    /// When the disk is waited for, and why (BENCHMARKS.md, "Round 23" and
    /// "Round 23b"): the sale, its placement claim and its conversion are
    /// committed without a flush (in the log: a crash of the app loses none
    /// of them), and the log is flushed on another thread *while the
    /// order's request is on its way*; the flush is waited for before the
    /// answer is recorded. The order's own commit does not wait for the
    /// disk either: what a customer can pay is recoverable from what is on
    /// disk by then (the sale, its merchant order id and its conversion),
    /// because the gateway hands back the order it made for that id. What
    /// a power cut leaves, by when it comes:
    /// - before the order's request is sent: maybe the newest of the
    ///   sale, claim and conversion are gone (the log keeps a prefix of its
    ///   commits). The gateway never heard of the sale; a sale that
    ///   survived is placed again at the next start (`resume`).
    /// - while the request is out, before the flush is done: the gateway
    ///   may hold an order the ledger has lost: no QR was shown, so it is
    ///   never paid and expires. If the sale itself is gone, its merchant
    ///   order id is never issued again (it counts milliseconds, later than
    ///   any issued before: `next_merchant_order_id`); a copied or
    ///   restored id is still refused by the clients' `check_matches`. If
    ///   the sale survived but its conversion did not, the next start
    ///   converts again; CoinGate re-finds the order by `order_id` and its
    ///   fiat price (the same); on Counos `renew: false` returns the order
    ///   with the first amount, which `check_matches` refuses when the rate
    ///   moved: the sale stays unplaced with that sentence until the
    ///   cashier voids it (void finds the unpaid order): never a second
    ///   order, never a QR for it.
    /// - after the flush, before the order's commit is on disk, whether or
    ///   not the QR was shown and paid: sale and conversion are durable;
    ///   the next start places the sale again with the same id and amount
    ///   (the claim of the process the cut killed is taken over), and the
    ///   gateway hands back the order it made, with any payment made to it
    ///   (Counos `renew: false`, CoinGate found by `order_id` before
    ///   anything is created; gateways.md "Round 2"). Tested from an image
    ///   of the disk taken there, in both dialects (`outcomes::`
    ///   `a_power_cut_before_the_order_commit_is_on_disk_finds_the_paid_order_at_the_next_start`).
    /// - after the next synced commit or checkpoint (the watcher's first
    ///   recorded answer, any other write of the till): everything.
    ///
    /// On the shared PostgreSQL ledger every commit is the server's, durable
    /// when it answers; the flush does nothing there.
    pub(super) async fn create_order(&self, sale: &Sale, asked: Option<Asked>) -> Result<Payment> {
        let coin = self.gateway_coin(sale.coin.code(), &sale.network).await?;
        let crypto = match sale.crypto.clone() {
            Some(crypto) => crypto,
            None => {
                let conversion: Conversion = match asked {
                    // Asked while the sale was recorded (`charge_sale`),
                    // for its price and coin: the same question,
                    // answered already.
                    Some(asked) if asked.fiat == sale.fiat && asked.coin == coin => {
                        match asked.answer.await {
                            Ok(answer) => {
                                let conversion = answer?;
                                self.keep_rate(&sale.fiat, &coin, &conversion, asked.at);
                                conversion
                            }
                            // The task died (the runtime is stopping): ask again.
                            Err(_) => self.convert_now(&sale.fiat, &coin).await?,
                        }
                    }
                    _ => self.convert_now(&sale.fiat, &coin).await?,
                };
                self.ledger.record_conversion(sale.id, &conversion)?;
                conversion.crypto
            }
        };
        // Only the shop's name is needed here, not every setting.
        let shop = self
            .ledger
            .setting("shop_name")?
            .unwrap_or_else(|| Settings::default().shop_name);
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
        // The flush runs beside the request (it takes no lock the request
        // needs); whatever the gateway answers, even nothing, it is waited
        // for first: the gateway may have acted on the request.
        let ledger = Arc::clone(&self.ledger);
        let flush = tokio::task::spawn_blocking(move || ledger.flush());
        let order = self.gateway.create_order(&request).await;
        flush.await.map_err(|e| {
            // Panicked or cancelled (the runtime is stopping): not on disk.
            let log = self.ledger.log_file();
            Error::storage(Said::data_file_cannot_write(log.display(), e))
        })??;
        let order = order?;
        // The order is recorded (not waiting for the disk, see above) and
        // read back on a blocking thread while the QR the payment screen
        // will show is drawn here, into the cache `publish` draws from
        // (BENCHMARKS.md, "Round 25"). Its URI is the one the recorded sale
        // gives (`views::qr_uri`: the gateway's URI, else the address and
        // the order's amount, else the conversion); were it ever not,
        // `publish` would draw its own.
        let uri = views::qr_uri(
            order.payment_uri.as_deref().or(sale.payment_uri.as_deref()),
            &order.address,
            order.expected.as_ref().unwrap_or(&request.crypto),
        );
        let ledger = Arc::clone(&self.ledger);
        let (id, placed) = (sale.id, order.clone());
        let recording =
            tokio::task::spawn_blocking(move || ledger.record_placed_order(id, &placed));
        if !uri.is_empty() {
            // A drawing that fails is drawn again, and told, by `publish`.
            let _ = self.qr(&uri);
        }
        let after = recording.await.map_err(|e| {
            // Panicked or cancelled (the runtime is stopping): not recorded.
            let log = self.ledger.log_file();
            Error::storage(Said::data_file_cannot_write(log.display(), e))
        })??;
        tracing::info!(sale = sale.id, order = %order.gateway_order_id, "order placed");
        self.publish(sale, &after)
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
        let coin = self.gateway_coin(sale.coin.code(), &sale.network).await?;
        let order_ref = OrderRef {
            merchant_order_id: sale.merchant_order_id.clone(),
            gateway_order_id: sale.gateway_order_id.clone(),
        };
        let order = self.gateway.order(&order_ref, &coin).await?;
        let after = self.ledger.record_order(sale_id, &order)?;
        if after.state.is_final() && !sale.state.is_final() {
            tracing::info!(sale = sale.id, state = after.state.as_str(), "sale settled");
        }
        self.publish(&sale, &after)
    }

    /// Follows a sale until it is final or `on_update` returns false (nobody
    /// is watching any more). Each answer is passed on. With the watcher
    /// running in this process (the window, `sale --wait`), the sale is
    /// simply the one looked at: the watcher asks about it more often and
    /// its changes are passed on. Without one, it is polled here; while the
    /// gateway fails, polls back off so a dead connection is not hammered.
    pub async fn follow(
        &self,
        sale_id: i64,
        mut on_update: impl FnMut(Payment) -> bool,
    ) -> Result<()> {
        if self.is_watching() {
            return self.follow_watched(sale_id, on_update).await;
        }
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
                Err(e) if e.kind() == ErrorKind::NotFound => return Err(e),
                Err(e) => {
                    tracing::warn!(sale = sale_id, error = %e, "payment status check failed");
                    delay = (delay * 2).min(MAX_BACKOFF);
                }
            }
            tokio::time::sleep(delay).await;
        }
    }

    pub(super) async fn follow_watched(
        &self,
        sale_id: i64,
        mut on_update: impl FnMut(Payment) -> bool,
    ) -> Result<()> {
        let mut updates = self.subscribe();
        self.set_focus(Some(sale_id));
        let result: Result<()> = async {
            let mut last = self.payment(&self.ledger.sale(sale_id)?)?;
            if !on_update(last.clone()) || last.state.is_final() {
                return Ok(());
            }
            loop {
                let next = match tokio::time::timeout(FOLLOW_RECHECK, updates.recv()).await {
                    Ok(Ok(update)) if update.payment.sale_id == sale_id => update.payment,
                    Ok(Ok(_)) => continue,
                    Ok(Err(tokio::sync::broadcast::error::RecvError::Closed)) => return Ok(()),
                    // Missed updates, or a quiet while: the ledger has the
                    // latest word (another process may have written it).
                    Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) | Err(_) => {
                        self.payment(&self.ledger.sale(sale_id)?)?
                    }
                };
                let done = next.state.is_final();
                if next != last || done {
                    if !on_update(next.clone()) || done {
                        return Ok(());
                    }
                } else if !on_update(next.clone()) {
                    return Ok(());
                }
                last = next;
            }
        }
        .await;
        if self.focused() == Some(sale_id) {
            self.set_focus(None);
        }
        result
    }
}
