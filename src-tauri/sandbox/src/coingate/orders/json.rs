//! The order on the wire, as CoinGate's create, checkout and get references
//! show it.

use serde::Serialize;

use super::model::{Order, Receive, API_APP_ID};
use crate::coingate::catalog::{self, Currency};
use crate::coingate::wire::{amount, amount_or_zero, time};

impl Order {
    pub(crate) fn to_json(&self, now: i64, base_url: &str) -> OrderJson {
        let status = self.status_at(now);
        let checkout = self.checkout.as_ref();
        let settled = status.is_settled();
        let coin_ref = |currency: &'static Currency| CoinRef {
            id: currency.id,
            title: currency.title,
            symbol: currency.symbol,
            platform: currency.platform.as_ref().map(|platform| PlatformShort {
                id: platform.id,
                title: platform.title,
            }),
        };
        OrderJson {
            id: self.id,
            status: status.as_str(),
            title: self.title.clone(),
            do_not_convert: matches!(self.receive, Receive::DoNotConvert),
            orderable_type: "ApiApp",
            orderable_id: API_APP_ID,
            uuid: checkout.map(|_| self.uuid.clone()),
            payment_gateway: checkout.map(|_| "coingate"),
            price_currency: self.price_currency.symbol,
            price_amount: amount(self.price_amount),
            pay_currency: checkout.map(|checkout| checkout.currency.symbol),
            pay_amount: checkout.map(|checkout| amount(checkout.pay_amount)),
            lightning_network: false,
            receive_currency: self.receive.symbol(),
            receive_amount: match self.receive_amount() {
                Some(receive) if settled => amount_or_zero(receive),
                _ => "0".to_owned(),
            },
            created_at: time(self.created_at),
            expire_at: checkout.map(|_| time(self.expire_at)),
            // gateways.md / the callback reference: only for paid, refunded
            // or partially refunded orders.
            paid_at: self.paid_at.filter(|_| settled).map(time),
            payment_address: checkout.map(|checkout| checkout.address.clone()),
            order_id: self.merchant_order_id.clone().unwrap_or_default(),
            // Built from the sandbox's address now rather than stored: the
            // demo sandbox gets a new port each run, and the link must open.
            payment_url: format!("{base_url}/coingate/invoice/{}", self.uuid),
            payment_request_uri: checkout.map(|checkout| {
                checkout
                    .coin
                    .payment_uri(&checkout.address, checkout.pay_amount)
                    .expect("pay amounts are checked at checkout")
            }),
            underpaid_amount: amount_or_zero(self.underpaid()),
            overpaid_amount: amount_or_zero(self.overpaid()),
            is_refundable: self.is_refundable(status),
            conversion_rate: checkout.map(|checkout| amount(checkout.conversion_rate)),
            platform: checkout
                .and_then(|checkout| checkout.currency.platform.as_ref())
                .map(|platform| PlatformRef {
                    id: platform.id,
                    title: platform.title,
                    id_name: platform.id_name,
                }),
            refunds: self
                .refunds
                .iter()
                .filter_map(|refund| {
                    let currency = checkout?.currency;
                    let account = catalog::main_account(self.settlement()?)?;
                    Some(RefundJson {
                        id: refund.id,
                        request_amount: amount(refund.request_amount),
                        refund_amount: amount(refund.refund_amount),
                        address: refund.address.clone(),
                        status: "completed",
                        memo: None,
                        created_at: time(refund.created_at),
                        order: IdRef { id: self.id },
                        refund_currency: coin_ref(currency),
                        transactions: Vec::new(),
                        ledger_account: LedgerRef {
                            id: account.id,
                            currency: CurrencyShort::from(account.currency()),
                        },
                    })
                })
                .collect(),
            voids: Vec::new(),
            fees: match (settled, self.settlement(), self.fee()) {
                (true, Some(settlement), Some(fee)) => vec![FeeJson {
                    kind: "processing_fee",
                    amount: amount(fee),
                    currency: FeeCurrency {
                        id: settlement.id,
                        symbol: settlement.symbol,
                    },
                }],
                _ => Vec::new(),
            },
            token: None,
            blockchain_transactions: checkout
                .map(|checkout| {
                    self.transactions
                        .iter()
                        .map(|tx| TransactionJson {
                            id: tx.id,
                            txid: tx.txid.clone(),
                            amount: amount(tx.amount),
                            status: if tx.confirmations >= checkout.coin.confirmations {
                                "confirmed"
                            } else {
                                "confirming"
                            },
                            network_confirmations: tx.confirmations,
                            currency: coin_ref(checkout.currency),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

// ---- the order on the wire ------------------------------------------------------

/// Field names and order as CoinGate's create, checkout and get references
/// show them. Fields that exist only once a coin is chosen are left out until
/// then (the callback reference: "`pay_currency, pay_amount, expire_at,
/// payment_address` are only sent when the customer chooses the currency").
#[derive(Serialize)]
pub(crate) struct OrderJson {
    pub(super) id: i64,
    pub(super) status: &'static str,
    pub(super) title: String,
    pub(super) do_not_convert: bool,
    pub(super) orderable_type: &'static str,
    pub(super) orderable_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) uuid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) payment_gateway: Option<&'static str>,
    pub(super) price_currency: &'static str,
    pub(super) price_amount: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) pay_currency: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) pay_amount: Option<String>,
    pub(super) lightning_network: bool,
    pub(super) receive_currency: &'static str,
    pub(super) receive_amount: String,
    pub(super) created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) expire_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) paid_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) payment_address: Option<String>,
    pub(super) order_id: String,
    pub(super) payment_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) payment_request_uri: Option<String>,
    pub(super) underpaid_amount: String,
    pub(super) overpaid_amount: String,
    pub(super) is_refundable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) conversion_rate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) platform: Option<PlatformRef>,
    pub(super) refunds: Vec<RefundJson>,
    pub(super) voids: Vec<()>,
    pub(super) fees: Vec<FeeJson>,
    /// Only in the create answer, as documented: the client keeps it to check
    /// callbacks against.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) token: Option<String>,
    pub(super) blockchain_transactions: Vec<TransactionJson>,
}

#[derive(Serialize)]
pub(super) struct PlatformRef {
    pub(super) id: i64,
    pub(super) title: &'static str,
    pub(super) id_name: &'static str,
}

#[derive(Serialize)]
pub(super) struct PlatformShort {
    pub(super) id: i64,
    pub(super) title: &'static str,
}

#[derive(Serialize)]
pub(super) struct CoinRef {
    pub(super) id: i64,
    pub(super) title: &'static str,
    pub(super) symbol: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) platform: Option<PlatformShort>,
}

#[derive(Serialize)]
pub(crate) struct CurrencyShort {
    pub(super) id: i64,
    pub(super) title: &'static str,
    pub(super) symbol: &'static str,
}

impl From<&'static Currency> for CurrencyShort {
    fn from(currency: &'static Currency) -> Self {
        CurrencyShort {
            id: currency.id,
            title: currency.title,
            symbol: currency.symbol,
        }
    }
}

#[derive(Serialize)]
pub(super) struct IdRef {
    pub(super) id: i64,
}

#[derive(Serialize)]
pub(super) struct LedgerRef {
    pub(super) id: &'static str,
    pub(super) currency: CurrencyShort,
}

#[derive(Serialize)]
pub(super) struct RefundJson {
    pub(super) id: i64,
    pub(super) request_amount: String,
    pub(super) refund_amount: String,
    pub(super) address: String,
    pub(super) status: &'static str,
    pub(super) memo: Option<String>,
    pub(super) created_at: String,
    pub(super) order: IdRef,
    pub(super) refund_currency: CoinRef,
    pub(super) transactions: Vec<()>,
    pub(super) ledger_account: LedgerRef,
}

#[derive(Serialize)]
pub(super) struct FeeCurrency {
    pub(super) id: i64,
    pub(super) symbol: &'static str,
}

#[derive(Serialize)]
pub(super) struct FeeJson {
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) amount: String,
    pub(super) currency: FeeCurrency,
}

#[derive(Serialize)]
pub(super) struct TransactionJson {
    pub(super) id: i64,
    pub(super) txid: String,
    pub(super) amount: String,
    pub(super) status: &'static str,
    pub(super) network_confirmations: u32,
    pub(super) currency: CoinRef,
}
