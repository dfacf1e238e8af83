//! The order on the wire, as CoinGate's create, checkout and get references
//! show it.

use serde::Serialize;

use super::model::{Order, Receive, Refund, RefundStatus, API_APP_ID};
use crate::coingate::catalog::{self, Currency};
use crate::coingate::wire::{amount, amount_or_zero, time};

/// A currency with its platform, as orders and refunds name the coin.
fn coin_ref(currency: &'static Currency) -> CoinRef {
    CoinRef {
        id: currency.id,
        title: currency.title,
        symbol: currency.symbol,
        platform: currency.platform.as_ref().map(|platform| PlatformShort {
            id: platform.id,
            title: platform.title,
        }),
    }
}

impl Order {
    /// A refund as the refund callback reference shows it (`id`, `order_id`,
    /// `status`, `request_amount`, `request_currency`, `address`,
    /// `additional_address_field`, `refund_amount`, `refund_currency` with its
    /// platform, `email`, `reason`, `ledger_account`, and
    /// `compliance_rejection_reason` only when rejected), plus the fields the
    /// order's `refunds[]` carried before (`order`, `memo`, `created_at`,
    /// `transactions`).
    pub(super) fn refund_json(&self, refund: &Refund) -> Option<RefundJson> {
        let currency = self.checkout.as_ref()?.currency;
        let account = refund
            .ledger_account_id
            .as_deref()
            .and_then(catalog::ledger_account)
            .or_else(|| catalog::main_account(self.settlement()?))?;
        Some(RefundJson {
            id: refund.id,
            order_id: self.id,
            status: refund.status.as_str(),
            request_amount: amount(refund.request_amount),
            request_currency: CurrencyShort::from(self.price_currency),
            refund_amount: amount(refund.refund_amount),
            address: refund.address.clone(),
            additional_address_field: refund.address_memo.clone(),
            memo: refund.address_memo.clone(),
            email: refund.email.clone(),
            reason: refund.reason.clone(),
            compliance_rejection_reason: refund
                .rejection_reason
                .clone()
                .filter(|_| refund.status == RefundStatus::Rejected),
            created_at: time(refund.created_at),
            order: IdRef { id: self.id },
            refund_currency: coin_ref(currency),
            transactions: Vec::new(),
            ledger_account: LedgerRef {
                id: account.id,
                currency: CurrencyShort::from(account.currency()),
            },
        })
    }

    pub(crate) fn to_json(&self, now: i64, base_url: &str) -> OrderJson {
        let status = self.status_at(now);
        let checkout = self.checkout.as_ref();
        let settled = status.is_settled();
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
                .filter_map(|refund| self.refund_json(refund))
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
    id: i64,
    status: &'static str,
    title: String,
    do_not_convert: bool,
    orderable_type: &'static str,
    orderable_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    uuid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_gateway: Option<&'static str>,
    price_currency: &'static str,
    price_amount: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pay_currency: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pay_amount: Option<String>,
    lightning_network: bool,
    receive_currency: &'static str,
    receive_amount: String,
    created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    expire_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    paid_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_address: Option<String>,
    order_id: String,
    payment_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_request_uri: Option<String>,
    underpaid_amount: String,
    overpaid_amount: String,
    is_refundable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    conversion_rate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    platform: Option<PlatformRef>,
    refunds: Vec<RefundJson>,
    voids: Vec<()>,
    fees: Vec<FeeJson>,
    /// Only in the create answer, as documented: the client keeps it to check
    /// callbacks against.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) token: Option<String>,
    blockchain_transactions: Vec<TransactionJson>,
}

#[derive(Serialize)]
struct PlatformRef {
    id: i64,
    title: &'static str,
    id_name: &'static str,
}

#[derive(Serialize)]
struct PlatformShort {
    id: i64,
    title: &'static str,
}

#[derive(Serialize)]
struct CoinRef {
    id: i64,
    title: &'static str,
    symbol: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    platform: Option<PlatformShort>,
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
struct IdRef {
    id: i64,
}

#[derive(Serialize)]
struct LedgerRef {
    id: &'static str,
    currency: CurrencyShort,
}

#[derive(Serialize)]
pub(crate) struct RefundJson {
    id: i64,
    order_id: i64,
    status: &'static str,
    request_amount: String,
    request_currency: CurrencyShort,
    refund_amount: String,
    address: String,
    additional_address_field: Option<String>,
    memo: Option<String>,
    email: Option<String>,
    reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    compliance_rejection_reason: Option<String>,
    created_at: String,
    order: IdRef,
    refund_currency: CoinRef,
    transactions: Vec<()>,
    ledger_account: LedgerRef,
}

#[derive(Serialize)]
struct FeeCurrency {
    id: i64,
    symbol: &'static str,
}

#[derive(Serialize)]
struct FeeJson {
    #[serde(rename = "type")]
    kind: &'static str,
    amount: String,
    currency: FeeCurrency,
}

#[derive(Serialize)]
struct TransactionJson {
    id: i64,
    txid: String,
    amount: String,
    status: &'static str,
    network_confirmations: u32,
    currency: CoinRef,
}
