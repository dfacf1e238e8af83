//! The [`Gateway`] trait over the Counos client.

use crate::said::Said;
use async_trait::async_trait;
use reqwest::header::CONTENT_TYPE;
use rust_decimal::Decimal;
use serde_json::value::RawValue;

use super::wire::{network_name, parse_balances, parse_withdrawal, records, Fields};
use super::{CounosClient, WITHDRAW_NOT_PERMITTED, WITHDRAW_PERMISSION_HINT};
use crate::error::{Error, Result};
use crate::gateway::{
    Balance, Coin, Conversion, Gateway, GatewayKind, GatewayOrder, GatewayRefund, OrderRef,
    OrderRequest, RefundProbe, RefundProgress, RefundRequest, WithdrawReceipt, WithdrawRequest,
    Withdrawal,
};
use crate::money::{Currency, Money};

#[async_trait]
impl Gateway for CounosClient {
    fn kind(&self) -> GatewayKind {
        self.kind
    }

    async fn coins(&self) -> Result<Vec<Coin>> {
        Ok(self
            .tickers()
            .await?
            .into_iter()
            .filter(|t| t.enabled.unwrap_or(true))
            .map(|t| {
                let currency = Currency::coin(&t.keyword);
                let title = t.title.unwrap_or_else(|| currency.code().to_string());
                Coin {
                    network: network_name(&t.keyword, &title),
                    symbol: currency.code().to_string(),
                    decimals: currency.decimals(),
                    title,
                    gateway_id: t.id,
                }
            })
            .collect())
    }

    async fn convert(&self, fiat: &Money, coin: &Coin) -> Result<Conversion> {
        let (value, rate) = self
            .convert_at(
                "exchange/rate/currency2crypto/convert",
                fiat.to_fixed(),
                fiat.currency().code().to_string(),
                // Symbols match case-insensitively; the docs use lower case.
                coin.symbol.to_ascii_lowercase(),
            )
            .await?;
        // Checked and bounded: a tiny converted_value once overflowed here
        // (issue #8); an absurd one is refused in words.
        let crypto = crate::gateway::checked_conversion(fiat, coin, Some(value))
            .map_err(|detail| crate::gateway::price_looks_wrong(self.name(), coin, detail))?;
        // gateways.md, Round 2: `exchange_rate` is typed as an array in the
        // PHP model; when it is not a plain number the rate is derived from
        // amount / converted_value (bounded by checked_conversion above).
        let rate = match rate {
            Some(rate) => rate,
            None => fiat
                .amount()
                .checked_div(value)
                .map(|r| r.round_dp(fiat.currency().decimals().max(8)))
                .ok_or_else(|| {
                    crate::gateway::price_looks_wrong(
                        self.name(),
                        coin,
                        format!("{fiat} would be {value} {}", coin.symbol),
                    )
                })?,
        };
        Ok(Conversion { crypto, rate })
    }

    async fn create_order(&self, request: &OrderRequest) -> Result<GatewayOrder> {
        let ticker_id: i64 =
            request
                .coin
                .gateway_id
                .parse()
                .map_err(|_| Error::GatewayProtocol {
                    gateway: self.name().to_string(),
                    detail: format!("ticker id '{}' is not a number", request.coin.gateway_id),
                })?;
        // The amount goes out as a JSON number written from the decimal's own
        // text, so no float ever rounds it.
        let amount = RawValue::from_string(request.crypto.to_fixed())
            .expect("a fixed-point decimal is valid JSON");
        let body = serde_json::json!({
            "orderId": request.merchant_order_id,
            "tickerId": ticker_id,
            "expectedAmount": amount,
            // renew:false makes a retry return the existing order unchanged,
            // so the same sale can never create a second order (gateways.md).
            "renew": false,
        });
        let raw = self
            .call(
                self.http
                    .post(self.url("terminal/order"))
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.to_string()),
            )
            .await?;
        let (fields, order) = self.order_from(&raw, &request.coin)?;
        self.check_matches(
            &fields,
            &order,
            &request.merchant_order_id,
            &request.coin,
            Some(&request.crypto),
        )?;
        Ok(order)
    }

    /// Counos finds an order by our merchant order id (gateways.md, "Order
    /// status"); its own id is not needed.
    async fn order(&self, order: &OrderRef, coin: &Coin) -> Result<GatewayOrder> {
        let mut url = self.url("terminal/order/");
        url.path_segments_mut()
            .expect("a checked base URL can have path segments")
            .pop_if_empty()
            .push(&order.merchant_order_id);
        let raw = self.call(self.http.get(url)).await?;
        let (fields, found) = self.order_from(&raw, coin)?;
        self.check_matches(&fields, &found, &order.merchant_order_id, coin, None)?;
        Ok(found)
    }

    /// The ticker list needs the key like every call, so it tests it cheaply.
    async fn test_key(&self) -> Result<()> {
        self.call(self.http.get(self.url("terminal/tickers")))
            .await?;
        Ok(())
    }

    /// `terminal/balance`: field names are not published (gateways.md,
    /// "Balance"), so they are read leniently.
    async fn balances(&self) -> Result<Vec<Balance>> {
        let raw = self
            .call(self.http.get(self.url("terminal/balance")))
            .await?;
        parse_balances(&raw).ok_or_else(|| self.protocol("the balance is not a list of balances"))
    }

    /// `terminal/withdraws`. The search parameter's name is not published
    /// (gateways.md, "Withdraw list"), so `search=` is sent and the list is
    /// also filtered here by address and transaction id: the result is right
    /// whatever the server does with the parameter.
    async fn withdrawals(&self, search: Option<&str>) -> Result<Vec<Withdrawal>> {
        let search = search.map(str::trim).filter(|s| !s.is_empty());
        let mut request = self.http.get(self.url("terminal/withdraws"));
        if let Some(search) = search {
            request = request.query(&[("search", search)]);
        }
        let raw = self.call(request).await?;
        let records =
            records(&raw).ok_or_else(|| self.protocol("the withdrawal list is not a list"))?;
        let mut withdrawals = records
            .iter()
            .map(parse_withdrawal)
            .collect::<Result<Vec<_>, String>>()
            .map_err(|detail| self.protocol(format!("withdrawal: {detail}")))?;
        // A record that names its coin only by ticker id gets its symbol here.
        if withdrawals.iter().any(|w| w.coin.starts_with('#')) {
            let keywords = self.keywords_by_ticker_id().await?;
            for w in &mut withdrawals {
                if let Some(keyword) = w.coin.strip_prefix('#').and_then(|id| keywords.get(id)) {
                    w.coin = keyword.clone();
                }
            }
        }
        if let Some(search) = search {
            withdrawals.retain(|w| w.matches(search));
        }
        Ok(withdrawals)
    }

    /// `terminal/withdraw` with `{amount, tickerId, walletAddress}`. The
    /// per-ticker minimum is not published, so it is left to the gateway,
    /// whose refusal is shown as it says (gateways.md, "Withdraw").
    async fn withdraw(&self, request: &WithdrawRequest) -> Result<WithdrawReceipt> {
        let address = request.address.trim();
        if address.is_empty() {
            return Err(Error::input(Said::withdraw_address_missing()));
        }
        if request.amount.amount() <= Decimal::ZERO {
            return Err(Error::input(Said::withdraw_amount_zero()));
        }
        let ticker_id: i64 = request.coin.gateway_id.parse().map_err(|_| {
            self.protocol(format!(
                "ticker id '{}' is not a number",
                request.coin.gateway_id
            ))
        })?;
        // A JSON number written from the decimal's own text, never a float.
        let amount = RawValue::from_string(request.amount.to_fixed())
            .expect("a fixed-point decimal is valid JSON");
        let body = serde_json::json!({
            "amount": amount,
            "tickerId": ticker_id,
            "walletAddress": address,
        });
        let answer = self
            .call_envelope(
                self.http
                    .post(self.url("terminal/withdraw"))
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.to_string()),
            )
            .await;
        let (_, data) = answer.map_err(|e| match e {
            // Shown as it is, with what to do (gateways.md, "Withdraw").
            Error::GatewayRefused { gateway, message }
                if message
                    .to_ascii_lowercase()
                    .contains(WITHDRAW_NOT_PERMITTED) =>
            {
                Error::GatewayRefused {
                    gateway,
                    message: format!("{} {WITHDRAW_PERMISSION_HINT}", message.trim()),
                }
            }
            other => other,
        })?;
        let withdrawal = data
            .as_deref()
            .and_then(|raw| serde_json::from_str::<Fields>(raw.get()).ok())
            .and_then(|fields| parse_withdrawal(&fields).ok())
            .map(|mut w| {
                if w.coin.is_empty() || w.coin.starts_with('#') {
                    w.coin = request.coin.symbol.clone();
                }
                w
            });
        // gateways.md: on success the gateway e-mails the owner a link showing
        // the fee and the withdrawable amount, where the withdrawal is
        // confirmed. The app must say so.
        let said = Said::withdrawal_registered(self.name(), &request.amount, address);
        Ok(WithdrawReceipt {
            withdrawal,
            message: said.to_string(),
            said,
        })
    }

    /// Counos has no refund call (gateways.md lists none): a refund is an
    /// owner withdrawal of the coin amount to the customer's address, and
    /// so takes the withdrawal's e-mail confirmation step.
    async fn refund(&self, request: &RefundRequest) -> Result<GatewayRefund> {
        let receipt = self
            .withdraw(&WithdrawRequest {
                coin: request.coin.clone(),
                amount: request.crypto.clone(),
                address: request.address.clone(),
            })
            .await?;
        let (id, status) = receipt
            .withdrawal
            .as_ref()
            .map(|w| (w.id.clone(), w.status.clone()))
            .unwrap_or_else(|| (String::new(), "registered".into()));
        Ok(GatewayRefund {
            progress: withdrawal_progress(&status),
            id,
            status,
            crypto: Some(request.crypto.clone()),
            message: Said::refund_as_withdrawal(receipt.said),
        })
    }

    async fn find_refund(&self, probe: &RefundProbe) -> Result<Option<GatewayRefund>> {
        let list = self.withdrawals(Some(&probe.address)).await?;
        let Some(found) = lost_withdrawal(probe, list) else {
            return Ok(None);
        };
        // Read as any followed refund is.
        self.refund_status(&probe.order, &found.id).await.map(Some)
    }

    /// The withdrawal behind a refund, found in the withdrawal list by its id.
    async fn refund_status(&self, _: &OrderRef, refund_id: &str) -> Result<GatewayRefund> {
        let found = self
            .withdrawals(None)
            .await?
            .into_iter()
            .find(|w| !refund_id.is_empty() && w.id == refund_id)
            .ok_or_else(|| Error::not_found(Said::withdrawal_not_listed(self.name(), refund_id)))?;
        let progress = withdrawal_progress(&found.status);
        let message = match (
            progress,
            found.address.as_deref(),
            found.transaction_id.as_deref(),
        ) {
            (RefundProgress::Completed, Some(to), Some(tx)) => Said::withdrawal_done_tx(to, tx),
            (RefundProgress::Completed, Some(to), None) => Said::withdrawal_done(to),
            (RefundProgress::Completed, None, Some(tx)) => Said::withdrawal_done_no_address_tx(tx),
            (RefundProgress::Completed, None, None) => Said::withdrawal_done_no_address(),
            _ => Said::withdrawal_waits_for_email(),
        };
        Ok(GatewayRefund {
            id: found.id,
            status: found.status,
            progress,
            crypto: found.amount,
            message,
        })
    }
}

/// The withdrawal behind a refund whose answer was lost: Counos lists
/// withdrawals "searchable by wallet address" (gateways.md), newest first;
/// the newest of the refund's coin amount to its address that no refund of
/// ours claims is it.
fn lost_withdrawal(probe: &RefundProbe, list: Vec<Withdrawal>) -> Option<Withdrawal> {
    list.into_iter().find(|w| {
        w.coin.eq_ignore_ascii_case(probe.crypto.currency().code())
            && w.amount.as_ref().map(Money::amount) == Some(probe.crypto.amount())
            && probe.fits(&w.id, w.address.as_deref())
    })
}

/// A Counos withdrawal's status as refund progress: `done` (or `completed`)
/// means sent; anything else still waits for the e-mailed confirmation.
fn withdrawal_progress(status: &str) -> RefundProgress {
    match status.trim().to_ascii_lowercase().as_str() {
        "done" | "completed" | "complete" | "confirmed" => RefundProgress::Completed,
        "rejected" | "canceled" | "cancelled" | "failed" => RefundProgress::Rejected,
        _ => RefundProgress::Pending,
    }
}
