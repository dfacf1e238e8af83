//! The screens' views of a sale, built from the ledger: the payment screen,
//! the shift's list, receipts.

use chrono::{DateTime, Utc};

use super::types::{Payment, Receipt, ReceiptLine, ReceiptRefund, SaleSummary};
use super::Checkout;
use crate::error::Result;
use crate::gateway::SaleState;
use crate::ledger::Sale;
use crate::money::{fixed, Money};
use crate::qr;
use crate::sale::timestamp;
use crate::settings::Settings;

impl Checkout {
    /// The start of today on the till's clock, in UTC.
    fn local_midnight() -> DateTime<Utc> {
        chrono::Local::now()
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(chrono::Local).earliest())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| crate::clock::now() - chrono::Duration::hours(24))
    }

    /// "Sales this shift", newest first: since the open shift began (it may
    /// have begun yesterday), or since local midnight on a till without
    /// cashiers.
    pub fn recent_sales(&self) -> Result<Vec<SaleSummary>> {
        let since = match self.ledger.open_shift()? {
            Some(shift) => shift.opened_at,
            None => Self::local_midnight(),
        };
        Ok(self
            .ledger
            .sales_since(since)?
            .into_iter()
            .map(|sale| SaleSummary {
                sale_id: sale.id,
                state: sale.state,
                fiat_amount: sale.fiat.to_fixed(),
                fiat_currency: sale.fiat.currency().code().to_string(),
                coin: sale.coin.code().to_string(),
                crypto_amount: sale
                    .crypto
                    .as_ref()
                    .map(Money::to_fixed)
                    .unwrap_or_default(),
                created_at: timestamp(sale.created_at),
                late_payment_at: sale.late_payment_at.map(timestamp),
                needs_owner: sale.needs_owner,
                voided: sale.voided_at.is_some(),
                replaces_sale_id: sale.replaces_sale_id,
                has_payment: sale
                    .paid
                    .as_ref()
                    .is_some_and(|paid| paid.amount() > rust_decimal::Decimal::ZERO),
                cashier: sale.cashier,
            })
            .collect())
    }

    /// The receipt of a sale.
    pub fn receipt(&self, sale_id: i64) -> Result<Receipt> {
        let sale = self.ledger.sale(sale_id)?;
        let settings = Settings::load(&self.ledger)?;
        let lines = self.ledger.sale_lines(sale_id)?;
        Ok(Receipt {
            sale_id,
            shop_name: settings.shop_name,
            footer: settings.receipt_footer,
            lines: lines
                .into_iter()
                .map(|l| ReceiptLine {
                    label: l.label,
                    amount: l.amount.to_fixed(),
                })
                .collect(),
            tip_amount: sale.tip.as_ref().map(Money::to_fixed),
            fiat_amount: sale.fiat.to_fixed(),
            fiat_currency: sale.fiat.currency().code().to_string(),
            coin: sale.coin.code().to_string(),
            network: sale.network.clone(),
            crypto_amount: sale
                .crypto
                .as_ref()
                .map(Money::to_fixed)
                .unwrap_or_default(),
            paid_amount: sale.paid.as_ref().map(Money::to_fixed).unwrap_or_default(),
            rate: sale.rate.map(|r| fixed(r, sale.fiat.currency().decimals())),
            address: sale.address.clone().unwrap_or_default(),
            gateway_order_id: sale.gateway_order_id.clone().unwrap_or_default(),
            transaction_id: sale.transaction_id.clone(),
            time: timestamp(sale.paid_at.unwrap_or(sale.created_at)),
            cashier: sale.cashier,
            refunds: self
                .ledger
                .sale_refunds(sale_id)?
                .into_iter()
                .filter(|r| r.state.holds_money())
                .map(|r| ReceiptRefund {
                    time: r.finished_at.or(r.sent_at).unwrap_or(r.requested_at),
                    fiat_amount: r.fiat_amount,
                    crypto_amount: r.crypto_amount,
                    coin: r.coin,
                    state: r.state,
                })
                .collect(),
        })
    }

    /// The payment screen's view of a sale.
    pub fn payment(&self, sale: &Sale) -> Result<Payment> {
        let crypto = sale
            .crypto
            .clone()
            .unwrap_or_else(|| Money::new(Default::default(), sale.coin.clone()));
        let address = sale.address.clone().unwrap_or_default();
        let uri = qr_uri(sale.payment_uri.as_deref(), &address, &crypto);
        let paid = sale.paid.as_ref().map(Money::amount).unwrap_or_default();
        let remaining = (sale.state == SaleState::Underpaid && paid < crypto.amount())
            .then(|| Money::new_rounded_up(crypto.amount() - paid, crypto.currency().clone()));
        let excess = (sale.state == SaleState::Overpaid && paid > crypto.amount())
            .then(|| Money::new(paid - crypto.amount(), crypto.currency().clone()));
        let can_top_up =
            !address.is_empty() && sale.expires_at.is_none_or(|at| at > crate::clock::now());
        let (remaining_uri, remaining_qr_png) = match &remaining {
            Some(rest) if can_top_up => {
                let uri = qr::payment_uri(&address, rest);
                let png = self.qr(&uri)?;
                (Some(uri), Some(png))
            }
            _ => (None, None),
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
            remaining_uri,
            remaining_qr_png,
            remaining_amount: remaining.as_ref().map(Money::to_fixed),
            excess_amount: excess.as_ref().map(Money::to_fixed),
            tip_amount: sale.tip.as_ref().map(Money::to_fixed),
            late_payment_at: sale.late_payment_at.map(timestamp),
            needs_owner: sale.needs_owner,
            voided_at: sale.voided_at.map(timestamp),
            replaces_sale_id: sale.replaces_sale_id,
            cashier: sale.cashier.clone(),
        })
    }

    pub(super) fn qr(&self, uri: &str) -> Result<String> {
        // A few entries: an underpaid screen shows two QRs, a second
        // window may follow another sale.
        let mut last = self.last_qr.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, png)) = last.iter().find(|(cached, _)| cached == uri) {
            return Ok(png.clone());
        }
        let png = qr::png_data_url(uri)?;
        if last.len() >= 4 {
            last.remove(0);
        }
        last.push((uri.to_string(), png.clone()));
        Ok(png)
    }
}

/// What the payment screen's QR encodes: the gateway's payment URI if it
/// gave one, else one made from the address and the amount; nothing
/// without an address. [`Checkout::payment`] and a charge's drawing beside
/// the order's commit (`create_order`) both ask here, so they draw the same
/// picture.
pub(super) fn qr_uri(gateway_uri: Option<&str>, address: &str, crypto: &Money) -> String {
    match (gateway_uri, address.is_empty()) {
        (Some(uri), _) => uri.to_string(),
        (None, false) => qr::payment_uri(address, crypto),
        (None, true) => String::new(),
    }
}
