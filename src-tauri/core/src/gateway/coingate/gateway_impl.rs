//! The [`Gateway`] trait over the CoinGate client: how a sale, a key test,
//! balances and withdrawals map onto CoinGate's calls.

use crate::said::Said;
use std::collections::HashMap;

use async_trait::async_trait;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::client::Auth;
use super::wire::parse_withdrawal;
use super::{clamp, own_chain_first, CoinGateClient, LOOKUP_MARGIN, MAX_PAGES, PAGE_SIZE};
use crate::error::{Error, Result};
use crate::gateway::wire::{id_text, opt_count, opt_decimal, opt_id_text};
use crate::gateway::{
    exact_money, Balance, Coin, Conversion, Gateway, GatewayKind, GatewayOrder, GatewayRefund,
    OrderRef, OrderRequest, RefundProbe, RefundRequest, WithdrawReceipt, WithdrawRequest,
    Withdrawal,
};
use crate::money::{Currency, Money};

#[async_trait]
impl Gateway for CoinGateClient {
    fn kind(&self) -> GatewayKind {
        self.kind
    }

    /// `GET /currencies?kind=crypto&native=true&merchant_pay=true&enabled=true`
    /// (public): the coins a shop can be paid in, one entry per enabled
    /// platform (network), whose id checkout needs. gateways.md, Round 2: a
    /// currency may be payable on several platforms, listed in no useful
    /// order (the documented ETH lists Binance Chain first), so each coin's
    /// entries start with its own chain, found by `id_name`/title, never by
    /// position; see [`own_chain_first`].
    async fn coins(&self) -> Result<Vec<Coin>> {
        #[derive(Deserialize)]
        struct Merchant {
            #[serde(default)]
            pay: Option<bool>,
        }
        #[derive(Deserialize)]
        struct Platform {
            #[serde(deserialize_with = "id_text")]
            id: String,
            #[serde(default)]
            id_name: Option<String>,
            #[serde(default)]
            title: Option<String>,
            #[serde(default)]
            enabled: Option<bool>,
        }
        #[derive(Deserialize)]
        struct CurrencyJson {
            #[serde(deserialize_with = "id_text")]
            id: String,
            #[serde(default)]
            title: Option<String>,
            symbol: String,
            #[serde(default)]
            disabled: Option<bool>,
            #[serde(default)]
            merchant: Option<Merchant>,
            #[serde(default)]
            platforms: Vec<Platform>,
        }
        let request = self.http.get(self.url("currencies")).query(&[
            ("kind", "crypto"),
            ("native", "true"),
            ("merchant_pay", "true"),
            ("enabled", "true"),
        ]);
        let currencies: Vec<CurrencyJson> = self
            .json(request, Auth::Public, "the currency list")
            .await?;
        Ok(currencies
            .into_iter()
            // The filters are asked for, and checked again here.
            .filter(|c| c.disabled != Some(true))
            .filter(|c| c.merchant.as_ref().and_then(|m| m.pay) != Some(false))
            .flat_map(|c| {
                let currency = Currency::coin(&c.symbol);
                let title = c
                    .title
                    .clone()
                    .unwrap_or_else(|| currency.code().to_string());
                let platforms: Vec<(String, String, String)> = c
                    .platforms
                    .iter()
                    .filter(|p| p.enabled != Some(false))
                    .map(|p| {
                        let id_name = p.id_name.clone().unwrap_or_default();
                        let network = p
                            .title
                            .clone()
                            .filter(|t| !t.trim().is_empty())
                            .or_else(|| Some(id_name.clone()).filter(|n| !n.is_empty()))
                            .unwrap_or_else(|| title.clone());
                        (p.id.clone(), id_name, network)
                    })
                    .collect();
                own_chain_first(&currency, &title, platforms)
                    .into_iter()
                    .map(|(platform_id, _, network)| Coin {
                        network,
                        symbol: currency.code().to_string(),
                        decimals: currency.decimals(),
                        title: title.clone(),
                        gateway_id: format!("{}:{platform_id}", c.id),
                    })
                    .collect::<Vec<_>>()
            })
            .collect())
    }

    /// The fiat price divided by the merchant rate COIN -> FIAT, rounded up
    /// to the coin's smallest unit: the customer is never asked for less.
    async fn convert(&self, fiat: &Money, coin: &Coin) -> Result<Conversion> {
        let rate: Decimal = self
            .merchant_rate(&coin.symbol, fiat.currency().code())
            .await?
            .ok_or_else(|| Error::GatewayRefused {
                gateway: self.name().to_string(),
                message: format!(
                    "it has no rate from {} to {} right now. Pick another coin.",
                    coin.symbol,
                    fiat.currency()
                ),
            })?;
        // Checked: a rate of 1e-28 must be refused, not overflow (issue #8).
        crate::gateway::checked_conversion(fiat, coin, fiat.amount().checked_div(rate))
            .map_err(|detail| crate::gateway::price_looks_wrong(self.name(), coin, detail))?;
        Ok(Conversion {
            // Exact: Decimal's own division keeps 28 digits and could come
            // out a unit short (docs/reliability.md, "Money").
            crypto: fiat.converted_up(rate, coin.currency())?,
            rate,
        })
    }

    async fn create_order(&self, request: &OrderRequest) -> Result<GatewayOrder> {
        // The window starts from the sale's own creation time, not the
        // till's clock now: a retry hours later still finds the order.
        let since = request.created_at - LOOKUP_MARGIN;
        let order = match self
            .find_order_retrying(&request.merchant_order_id, Some(since))
            .await?
        {
            // The listed form may lack details; the order itself has them all.
            Some(found) => {
                let id = found
                    .id
                    .clone()
                    .ok_or_else(|| self.protocol("a listed order has no id"))?;
                tracing::info!(order = %id, merchant_order = %request.merchant_order_id, "reusing the CoinGate order made before");
                self.get_order(&id).await?
            }
            None => {
                let title = clamp(&request.title, 3, 150, &request.merchant_order_id);
                let description = clamp(&request.description, 3, 500, &title);
                let price = request.fiat.to_fixed();
                let form = self.post_form(
                    self.url("orders"),
                    &[
                        ("order_id", &request.merchant_order_id),
                        ("price_amount", &price),
                        ("price_currency", request.fiat.currency().code()),
                        ("receive_currency", &self.receive_currency),
                        ("title", &title),
                        ("description", &description),
                    ],
                );
                self.json(form, Auth::Private, "the new order").await?
            }
        };
        let id = order
            .id
            .clone()
            .ok_or_else(|| self.protocol("the new order has no id"))?;
        self.check_matches(&order, request)?;
        // Only an order with no coin chosen yet needs checkout; one already
        // checked out (an earlier try whose answer was lost) is used as it is.
        let order = if order.status.as_deref() == Some("new") && order.address().is_none() {
            match self.checkout(&id, &request.coin).await? {
                Some(checkout) => order.overlay(checkout),
                None => order,
            }
        } else {
            order
        };
        let mut result = self.gateway_order(&order, &request.coin)?;
        // Before a coin is chosen CoinGate names no amount; the sale's own
        // conversion is what the customer is shown.
        if result.expected.is_none() {
            result.expected = Some(request.crypto.clone());
        }
        Ok(result)
    }

    /// `GET /orders/{id}`: CoinGate finds orders only by its own id. Without
    /// one (never recorded), the order is looked for by our merchant id.
    async fn order(&self, order: &OrderRef, coin: &Coin) -> Result<GatewayOrder> {
        let found = match &order.gateway_order_id {
            Some(id) => self.get_order(id).await?,
            None => {
                let listed = self
                    .find_order(&order.merchant_order_id, None)
                    .await?
                    .and_then(|o| o.id)
                    .ok_or_else(|| {
                        Error::not_found(Said::no_order_for_sale(
                            self.name(),
                            &order.merchant_order_id,
                        ))
                    })?;
                self.get_order(&listed).await?
            }
        };
        self.gateway_order(&found, coin)
    }

    /// `GET /auth/test` answers 200 for a good key (gateways.md).
    async fn test_key(&self) -> Result<()> {
        let reply = self
            .send(self.http.get(self.url("auth/test")), Auth::Private)
            .await?;
        self.check(&reply, "the key test")
    }

    /// `GET /ledger/accounts`, every page: one balance per account.
    async fn balances(&self) -> Result<Vec<Balance>> {
        let mut balances = Vec::new();
        for account in self.ledger_accounts().await? {
            let symbol = account.currency.symbol.trim().to_ascii_uppercase();
            let currency = if account.currency.kind.as_deref() == Some("fiat") {
                Currency::fiat(&symbol).unwrap_or_else(|_| Currency::new(&symbol, 2))
            } else {
                Currency::coin(&symbol)
            };
            let title = account
                .title
                .or(account.currency.title)
                .unwrap_or_else(|| symbol.clone());
            let title = match account.account_type.as_deref() {
                Some("secondary") if !title.to_lowercase().contains("secondary") => {
                    format!("{title} (secondary)")
                }
                _ => title,
            };
            balances.push(Balance {
                coin: symbol,
                title,
                amount: exact_money(account.balance.unwrap_or_default(), currency),
            });
        }
        Ok(balances)
    }

    /// `GET /withdrawals`, every page. CoinGate documents no search
    /// parameter, so the search is done here, on address and transaction id.
    async fn withdrawals(&self, search: Option<&str>) -> Result<Vec<Withdrawal>> {
        #[derive(Deserialize)]
        struct Page {
            #[serde(default, deserialize_with = "opt_count")]
            total_pages: Option<u32>,
            #[serde(default)]
            withdrawals: Vec<HashMap<String, Box<RawValue>>>,
        }
        let mut withdrawals = Vec::new();
        let mut page = 1;
        loop {
            let request = self.http.get(self.url("withdrawals")).query(&[
                ("page", page.to_string()),
                ("per_page", PAGE_SIZE.to_string()),
            ]);
            let answer: Page = self.json(request, Auth::Private, "the withdrawals").await?;
            let empty = answer.withdrawals.is_empty();
            for record in &answer.withdrawals {
                withdrawals.push(
                    parse_withdrawal(record)
                        .map_err(|detail| self.protocol(format!("withdrawal: {detail}")))?,
                );
            }
            if empty || page >= answer.total_pages.unwrap_or(1).min(MAX_PAGES) {
                break;
            }
            page += 1;
        }
        if let Some(search) = search.map(str::trim).filter(|s| !s.is_empty()) {
            withdrawals.retain(|w| w.matches(search));
        }
        Ok(withdrawals)
    }

    /// CoinGate payouts (`POST /send_requests`) answer `draft` and must be
    /// confirmed with two-factor authentication in the dashboard
    /// (gateways.md, "Withdrawals"), which an app cannot do.
    async fn withdraw(&self, _request: &WithdrawRequest) -> Result<WithdrawReceipt> {
        Err(Error::not_allowed(Said::coingate_payouts_in_dashboard(
            self.name(),
        )))
    }

    async fn refund(&self, request: &RefundRequest) -> Result<GatewayRefund> {
        self.create_refund(request).await
    }

    async fn refund_status(&self, order: &OrderRef, refund_id: &str) -> Result<GatewayRefund> {
        self.get_refund(order, refund_id).await
    }

    async fn find_refund(&self, probe: &RefundProbe) -> Result<Option<GatewayRefund>> {
        self.find_order_refund(probe).await
    }
}

/// One account of `GET /ledger/accounts`: what the balances and a refund's
/// payout account read of it.
#[derive(Deserialize)]
pub(super) struct LedgerAccount {
    #[serde(default, deserialize_with = "opt_id_text")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "opt_decimal")]
    pub balance: Option<Decimal>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub account_type: Option<String>,
    pub currency: LedgerAccountCurrency,
}

#[derive(Deserialize)]
pub(super) struct LedgerAccountCurrency {
    pub symbol: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
}

impl CoinGateClient {
    /// `GET /ledger/accounts`, every page (at most `MAX_PAGES`).
    pub(super) async fn ledger_accounts(&self) -> Result<Vec<LedgerAccount>> {
        #[derive(Deserialize)]
        struct Page {
            #[serde(default, deserialize_with = "opt_count")]
            total_pages: Option<u32>,
            #[serde(default)]
            accounts: Vec<LedgerAccount>,
        }
        let mut accounts = Vec::new();
        let mut page = 1;
        loop {
            let request = self.http.get(self.url("ledger/accounts")).query(&[
                ("page", page.to_string()),
                ("per_page", PAGE_SIZE.to_string()),
            ]);
            let answer: Page = self.json(request, Auth::Private, "the accounts").await?;
            let empty = answer.accounts.is_empty();
            accounts.extend(answer.accounts);
            if empty || page >= answer.total_pages.unwrap_or(1).min(MAX_PAGES) {
                return Ok(accounts);
            }
            page += 1;
        }
    }
}
