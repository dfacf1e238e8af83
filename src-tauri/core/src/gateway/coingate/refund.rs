//! Merchant refunds: `POST /orders/{id}/refunds`,
//! `GET /orders/{id}/refunds/{refund_id}`, and `GET /orders/{id}/refunds`
//! to find a refund whose answer was lost.
//!
//! gateways.md: "Refunds: `POST /orders/{id}/refunds` (amount in price
//! currency, address, currency_id, platform_id, reason, email,
//! ledger_account_id)". CoinGate's refund pages add the refund's shape
//! (`id`, `status`, `refund_amount`, `refund_currency`,
//! `compliance_rejection_reason`) and its statuses: `pending`, `processing`
//! (optional), then `rejected` or `completed`, both final. CoinGate e-mails
//! the shopper to approve the address; a refund is rejected when they do not.

use crate::said::Said;
use serde::Deserialize;

use super::client::Auth;
use super::wire::split_gateway_id;
use super::{CoinGateClient, DO_NOT_CONVERT};
use crate::error::{Error, Result};
use crate::gateway::wire::{id_text, opt_decimal};
use crate::gateway::{
    exact_money, GatewayRefund, OrderRef, RefundProbe, RefundProgress, RefundRequest,
};
use rust_decimal::Decimal;

#[derive(Deserialize)]
struct RefundJson {
    #[serde(deserialize_with = "id_text")]
    id: String,
    #[serde(default)]
    status: Option<String>,
    #[serde(default, deserialize_with = "opt_decimal")]
    refund_amount: Option<Decimal>,
    #[serde(default)]
    compliance_rejection_reason: Option<String>,
    /// What was asked, in the price currency (read when a lost answer is
    /// looked for among the order's refunds).
    #[serde(default, deserialize_with = "opt_decimal")]
    request_amount: Option<Decimal>,
    #[serde(default)]
    address: Option<String>,
}

/// A refund status as progress; an unknown word still waits (a status
/// CoinGate adds later must not be taken as money sent).
fn progress(status: &str) -> RefundProgress {
    match status.trim().to_ascii_lowercase().as_str() {
        "completed" => RefundProgress::Completed,
        "rejected" => RefundProgress::Rejected,
        _ => RefundProgress::Pending,
    }
}

impl CoinGateClient {
    fn gateway_refund(&self, answer: RefundJson, request_coin: Option<&str>) -> GatewayRefund {
        let status = answer.status.unwrap_or_else(|| "pending".into());
        let progress = progress(&status);
        let message = match (progress, answer.compliance_rejection_reason.as_deref()) {
            (RefundProgress::Pending, _) => Said::coingate_refund_pending(self.name(), &status),
            (RefundProgress::Completed, _) => Said::coingate_refund_completed(self.name()),
            (RefundProgress::Rejected, Some(why)) => {
                Said::coingate_refund_rejected_why(self.name(), why)
            }
            (RefundProgress::Rejected, None) => Said::coingate_refund_rejected(self.name()),
        };
        GatewayRefund {
            id: answer.id,
            status,
            progress,
            crypto: answer
                .refund_amount
                .zip(request_coin)
                .map(|(amount, coin)| exact_money(amount, crate::money::Currency::coin(coin))),
            message,
        }
    }

    /// The ledger account a refund is paid from: the main account of the
    /// currency the shop is paid out in (the coin itself for
    /// `DO_NOT_CONVERT`), found in `GET /ledger/accounts`.
    async fn refund_account(&self, coin: &str) -> Result<String> {
        let wanted = if self.receive_currency == DO_NOT_CONVERT {
            coin.to_ascii_uppercase()
        } else {
            self.receive_currency.clone()
        };
        self.ledger_accounts()
            .await?
            .into_iter()
            .find(|a| {
                a.currency.symbol.eq_ignore_ascii_case(&wanted)
                    && a.account_type.as_deref().unwrap_or("main") == "main"
            })
            .and_then(|a| a.id)
            .ok_or_else(|| Error::not_allowed(Said::refund_no_main_account(self.name(), &wanted)))
    }

    /// `POST /orders/{id}/refunds`.
    pub(super) async fn create_refund(&self, request: &RefundRequest) -> Result<GatewayRefund> {
        let order_id = request
            .order
            .gateway_order_id
            .as_deref()
            .ok_or_else(|| Error::not_allowed(Said::refund_no_coingate_order()))?;
        let email = request
            .email
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .ok_or_else(|| Error::input(Said::refund_email_missing()))?;
        let (currency_id, platform_id) =
            split_gateway_id(&request.coin.gateway_id).ok_or_else(|| {
                self.protocol(format!(
                    "coin id '{}' has no platform",
                    request.coin.gateway_id
                ))
            })?;
        let account = self.refund_account(&request.coin.symbol).await?;
        let amount = request.fiat.to_fixed();
        let form = self.post_form(
            self.order_url(order_id, &["refunds"]),
            &[
                ("amount", amount.as_str()),
                ("address", request.address.as_str()),
                ("currency_id", currency_id),
                ("platform_id", platform_id),
                ("reason", request.reason.as_str()),
                ("email", email),
                ("ledger_account_id", account.as_str()),
            ],
        );
        let answer: RefundJson = self
            .json(form, Auth::Private, &format!("order {order_id}"))
            .await?;
        Ok(self.gateway_refund(answer, Some(&request.coin.symbol)))
    }

    /// `GET /orders/{id}/refunds`: the order's refunds, searched for one
    /// of the probe's amount (`request_amount`, in the price currency, as
    /// it was asked) to its address that no refund of ours claims yet. The
    /// list's wrapper is not documented: a bare array, or an object holding
    /// it as `refunds` or `data`, is read.
    pub(super) async fn find_order_refund(
        &self,
        probe: &RefundProbe,
    ) -> Result<Option<GatewayRefund>> {
        let Some(order_id) = probe.order.gateway_order_id.as_deref() else {
            return Ok(None);
        };
        let what = format!("the refunds of order {order_id}");
        let answer: serde_json::Value = self
            .json(
                self.http.get(self.order_url(order_id, &["refunds"])),
                Auth::Private,
                &what,
            )
            .await?;
        let list = match &answer {
            serde_json::Value::Array(items) => items.as_slice(),
            serde_json::Value::Object(o) => ["refunds", "data"]
                .iter()
                .find_map(|k| o.get(*k).and_then(|v| v.as_array()))
                .map(Vec::as_slice)
                .ok_or_else(|| self.protocol(format!("{what} are not a list")))?,
            _ => return Err(self.protocol(format!("{what} are not a list"))),
        };
        for item in list {
            let refund: RefundJson = serde_json::from_value(item.clone())
                .map_err(|e| self.protocol(format!("a refund of order {order_id}: {e}")))?;
            let same_amount = refund.request_amount == Some(probe.fiat.amount());
            if same_amount && probe.fits(&refund.id, refund.address.as_deref()) {
                return Ok(Some(self.gateway_refund(refund, None)));
            }
        }
        Ok(None)
    }

    /// `GET /orders/{id}/refunds/{refund_id}`.
    pub(super) async fn get_refund(
        &self,
        order: &OrderRef,
        refund_id: &str,
    ) -> Result<GatewayRefund> {
        let order_id = order
            .gateway_order_id
            .as_deref()
            .ok_or_else(|| Error::not_found(Said::sale_no_coingate_order()))?;
        let answer: RefundJson = self
            .json(
                self.http
                    .get(self.order_url(order_id, &["refunds", refund_id])),
                Auth::Private,
                &format!("refund {refund_id} of order {order_id}"),
            )
            .await?;
        if answer.id != refund_id {
            return Err(self.mismatch(format!("asked for refund {refund_id}, got {}", answer.id)));
        }
        Ok(self.gateway_refund(answer, None))
    }
}
