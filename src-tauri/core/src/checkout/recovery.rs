//! What happens to sales off the happy path: voids, sales for the owner,
//! late payments, and the sales found open at start-up.

use crate::error::ErrorKind;
use crate::said::Said;
use std::time::Duration;

use super::types::Payment;
use super::{Checkout, LATE_INTERVAL, LATE_WATCH};
use crate::error::{Error, Result};
use crate::gateway::{OrderRef, SaleState};
use crate::money::Money;

impl Checkout {
    /// The cashier cancels a sale before payment. The gateway is asked
    /// first: a sale it has seen any payment for is not voided (the money
    /// must be settled), and without an answer nothing is voided either.
    pub async fn void(&self, sale_id: i64) -> Result<Payment> {
        let sale = self.ledger.sale(sale_id)?;
        if !matches!(sale.state, SaleState::Creating | SaleState::Awaiting) {
            return Err(Error::not_allowed(Said::sale_cannot_be_canceled(
                sale_id,
                sale.state.as_str(),
            )));
        }
        let coin = self.gateway_coin(sale.coin.code(), &sale.network).await?;
        let order_ref = OrderRef {
            merchant_order_id: sale.merchant_order_id.clone(),
            gateway_order_id: sale.gateway_order_id.clone(),
        };
        match self.gateway.order(&order_ref, &coin).await {
            Ok(order) => {
                if !order.paid.amount().is_zero() || order.state != SaleState::Awaiting {
                    let sale = self.ledger.record_order(sale_id, &order)?;
                    return Err(Error::not_allowed(Said::sale_payment_seen(
                        sale_id,
                        sale.state.as_str(),
                    )));
                }
            }
            // The order was never made: there is nothing to pay into.
            Err(e) if e.kind() == ErrorKind::NotFound && sale.state == SaleState::Creating => {}
            Err(e) => return Err(e),
        }
        let after = self.ledger.void_sale(sale_id)?;
        tracing::info!(sale = sale_id, "sale voided by the cashier");
        self.publish(&sale, &after)
    }

    /// The cashier leaves the sale (e.g. underpaid) to the owner.
    pub fn mark_for_owner(&self, sale_id: i64) -> Result<Payment> {
        let sale = self.ledger.mark_needs_owner(sale_id)?;
        self.payment(&sale)
    }

    /// Looks once at every sale that expired or was voided in the last 24 h
    /// for a payment that came anyway, and flags it. Returns the sales flagged.
    pub async fn check_late_payments(&self) -> Result<Vec<i64>> {
        let mut flagged = Vec::new();
        let since = crate::clock::now() - LATE_WATCH;
        for sale in self.ledger.late_watch_sales(since, self.gateway.kind())? {
            // The sale's own order, by its gateway id: one request each,
            // drawn from the watcher's budget (what is not asked now is
            // asked next round), so this never crowds out a new charge.
            if self.is_watching() && !self.budget.try_take() {
                break;
            }
            let Ok(coin) = self.gateway_coin(sale.coin.code(), &sale.network).await else {
                continue;
            };
            let order_ref = OrderRef {
                merchant_order_id: sale.merchant_order_id.clone(),
                gateway_order_id: sale.gateway_order_id.clone(),
            };
            match self.gateway.order(&order_ref, &coin).await {
                Ok(order) => {
                    let before = sale.paid.as_ref().map(Money::amount).unwrap_or_default();
                    if order.paid.amount() > before {
                        tracing::warn!(sale = sale.id, paid = %order.paid, "late payment");
                        let after = self.ledger.record_late_payment(
                            sale.id,
                            &order.paid,
                            order.transaction_id.as_deref(),
                        )?;
                        self.publish(&sale, &after)?;
                        flagged.push(sale.id);
                    }
                }
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e @ Error::GatewayRateLimited { .. }) => {
                    // Stop this round; the budget pauses the watcher too.
                    self.budget.pause(Duration::from_secs(60));
                    tracing::warn!(error = %e, "late payment check rate-limited");
                    break;
                }
                Err(e) => tracing::debug!(sale = sale.id, error = %e, "late payment check failed"),
            }
        }
        Ok(flagged)
    }

    /// Runs [`Checkout::check_late_payments`] at a slow pace, for as long as the app runs.
    pub async fn watch_late_payments(&self) {
        loop {
            if let Err(e) = self.check_late_payments().await {
                tracing::warn!(error = %e, "late payment watch failed");
            }
            tokio::time::sleep(LATE_INTERVAL).await;
        }
    }

    /// Start-up recovery: every sale left open by the last run is asked
    /// about again (a sale stuck before its order is placed again, which
    /// re-finds the order if it was made) and so resumed or settled. Done
    /// once per run; later calls return the same list.
    pub async fn resume(&self) -> Vec<Payment> {
        self.resumed
            .get_or_init(|| async {
                let open = match self.ledger.open_sales() {
                    Ok(open) => open,
                    Err(e) => {
                        tracing::error!(error = %e, "cannot read open sales");
                        return Vec::new();
                    }
                };
                let mut resumed = Vec::new();
                for sale in open {
                    match self.refresh(sale.id).await {
                        Ok(payment) => resumed.push(payment),
                        Err(e) => {
                            // Still listed: the cashier sees it and the watch retries.
                            tracing::warn!(sale = sale.id, error = %e, "could not resume a sale");
                            if let Ok(payment) = self.payment(&sale) {
                                resumed.push(payment);
                            }
                        }
                    }
                }
                tracing::info!(count = resumed.len(), "open sales resumed");
                resumed
            })
            .await
            .clone()
    }
}
