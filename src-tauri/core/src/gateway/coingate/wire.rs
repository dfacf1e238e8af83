//! CoinGate's wire format: the JSON it sends, and how each answer becomes
//! the normalised types of `gateway` (gateways.md, "CoinGate (API v2)").

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::error::Result;
use crate::gateway::wire::{
    decimal_from_raw, opt_count, opt_decimal, opt_id_text, parse_time, raw_text,
};
use crate::gateway::{exact_money, Coin, GatewayOrder, SaleState, Withdrawal};
use crate::money::{Currency, Money};

/// gateways.md, "Checkout": without it the QR shows the hosted page.
pub const HOSTED_PAGE_NOTICE: &str = "CoinGate did not give a payment address for this shop, \
     so the QR opens CoinGate's payment page; the customer pays there.";

/// One order as the order list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderSummary {
    pub id: String,
    pub merchant_order_id: Option<String>,
    /// CoinGate's own status word (`new`, `pending`, `paid`, ...).
    pub status: String,
    /// Ours, when the status is one CoinGate documents.
    pub state: Option<SaleState>,
    pub created_at: Option<DateTime<Utc>>,
}

/// gateways.md, "Errors": `{"message", "reason", "errors": [str] | str | object}`.
#[derive(Deserialize, Default)]
pub(super) struct ApiError {
    #[serde(default)]
    pub(super) message: Option<String>,
    #[serde(default)]
    pub(super) reason: Option<String>,
    #[serde(default)]
    pub(super) errors: Option<serde_json::Value>,
}

impl ApiError {
    /// Every error text, in order: `errors` in any of its shapes, else `message`.
    pub(super) fn texts(&self) -> Vec<String> {
        let mut texts = Vec::new();
        if let Some(errors) = &self.errors {
            collect_texts(errors, None, &mut texts);
        }
        if texts.is_empty() {
            texts.extend(self.message.iter().map(|m| m.trim().to_string()));
        }
        texts.retain(|t| !t.is_empty());
        texts
    }
}

/// Flattens `errors`: a string, a list of strings, or an object of field ->
/// message(s) ("price_amount: is not a number").
pub(super) fn collect_texts(value: &serde_json::Value, field: Option<&str>, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(match field {
            Some(field) => format!("{field}: {s}"),
            None => s.clone(),
        }),
        serde_json::Value::Array(items) => {
            for item in items {
                collect_texts(item, field, out);
            }
        }
        serde_json::Value::Object(map) => {
            for (key, item) in map {
                collect_texts(item, Some(key), out);
            }
        }
        serde_json::Value::Null => {}
        other => out.push(other.to_string()),
    }
}

/// An order as CoinGate writes it (gateways.md, "Create order", "Get
/// order", "Checkout"). Every field is optional so that the checkout answer,
/// which repeats only some, can be laid over the order.
#[derive(Clone, Debug, Default, Deserialize)]
pub(super) struct OrderJson {
    #[serde(default, deserialize_with = "opt_id_text")]
    pub(super) id: Option<String>,
    #[serde(default)]
    pub(super) status: Option<String>,
    #[serde(default, deserialize_with = "opt_id_text")]
    pub(super) order_id: Option<String>,
    #[serde(default)]
    pub(super) pay_currency: Option<String>,
    #[serde(default, deserialize_with = "opt_decimal")]
    pub(super) pay_amount: Option<Decimal>,
    #[serde(default, deserialize_with = "opt_decimal")]
    pub(super) price_amount: Option<Decimal>,
    #[serde(default)]
    pub(super) price_currency: Option<String>,
    #[serde(default)]
    pub(super) payment_address: Option<String>,
    #[serde(default)]
    pub(super) payment_url: Option<String>,
    #[serde(default)]
    pub(super) payment_request_uri: Option<String>,
    #[serde(default)]
    pub(super) expire_at: Option<String>,
    #[serde(default)]
    pub(super) created_at: Option<String>,
    #[serde(default, deserialize_with = "opt_decimal")]
    pub(super) underpaid_amount: Option<Decimal>,
    #[serde(default, deserialize_with = "opt_decimal")]
    pub(super) overpaid_amount: Option<Decimal>,
    #[serde(default)]
    pub(super) blockchain_transactions: Option<Vec<TransactionJson>>,
}

#[derive(Clone, Debug, Deserialize)]
pub(super) struct TransactionJson {
    #[serde(default, deserialize_with = "opt_id_text")]
    pub(super) txid: Option<String>,
    #[serde(default, deserialize_with = "opt_decimal")]
    pub(super) amount: Option<Decimal>,
    #[serde(default, deserialize_with = "opt_count")]
    pub(super) network_confirmations: Option<u32>,
}

impl OrderJson {
    /// The checkout answer laid over the order: what it says wins.
    pub(super) fn overlay(mut self, top: OrderJson) -> Self {
        macro_rules! take {
            ($($field:ident),*) => { $( if top.$field.is_some() { self.$field = top.$field; } )* };
        }
        take!(
            id,
            status,
            order_id,
            pay_currency,
            pay_amount,
            price_amount,
            price_currency,
            payment_address,
            payment_url,
            payment_request_uri,
            expire_at,
            created_at,
            underpaid_amount,
            overpaid_amount,
            blockchain_transactions
        );
        self
    }

    pub(super) fn address(&self) -> Option<&str> {
        self.payment_address
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
    }
}

/// A page of `GET /orders` (gateways.md, "List orders").
#[derive(Deserialize)]
pub(super) struct OrderPageJson {
    #[serde(default, deserialize_with = "opt_count")]
    pub(super) total_pages: Option<u32>,
    #[serde(default)]
    pub(super) orders: Vec<OrderJson>,
}

/// CoinGate statuses to Cryptill's sale states (gateways.md, "Statuses"
/// and Round 2):
///
/// | CoinGate status      | money                                   | sale state |
/// |----------------------|-----------------------------------------|------------|
/// | `new`                |                                         | Awaiting   |
/// | `pending`            | nothing arrived                         | Awaiting   |
/// | `pending`            | arrived, short of `pay_amount`          | Underpaid  |
/// | `confirming`         |                                         | Confirming |
/// | `paid`               | `overpaid_amount` = 0                   | Paid       |
/// | `paid`               | `overpaid_amount` > 0                   | Overpaid   |
/// | `invalid`            |                                         | Invalid    |
/// | `expired`            |                                         | Expired    |
/// | `canceled`           |                                         | Canceled   |
/// | `refunded`           |                                         | Refunded   |
/// | `partially_refunded` |                                         | Refunded   |
///
/// Round 2: on a `pending` order `underpaid_amount` is NOT "money still
/// missing after a part payment": every documented fresh order carries
/// `underpaid_amount == pay_amount`. Money has arrived only when
/// `blockchain_transactions` is non-empty (`money_arrived`) or
/// `0 < underpaid_amount < pay_amount`. `None` for a status CoinGate does
/// not document.
pub fn coingate_state(
    status: &str,
    underpaid: Decimal,
    overpaid: Decimal,
    pay_amount: Option<Decimal>,
    money_arrived: bool,
) -> Option<SaleState> {
    let part_paid = underpaid > Decimal::ZERO && pay_amount.is_some_and(|pay| underpaid < pay);
    Some(match status {
        "new" => SaleState::Awaiting,
        "pending" if money_arrived || part_paid => SaleState::Underpaid,
        "pending" => SaleState::Awaiting,
        "confirming" => SaleState::Confirming,
        "paid" if overpaid > Decimal::ZERO => SaleState::Overpaid,
        "paid" => SaleState::Paid,
        "invalid" => SaleState::Invalid,
        "expired" => SaleState::Expired,
        "canceled" => SaleState::Canceled,
        "refunded" | "partially_refunded" => SaleState::Refunded,
        _ => return None,
    })
}

/// Whether a checkout 422 says this merchant may not use checkout at all
/// (gateways.md: "Only merchants that CoinGate has enabled may call it")
/// rather than something about this order. The wording is not published;
/// it is recognised by what it is about.
pub(super) fn checkout_not_enabled(texts: &[String]) -> bool {
    texts.iter().any(|t| {
        let t = t.to_ascii_lowercase();
        (t.contains("checkout") || t.contains("merchant"))
            && (t.contains("not enabled")
                || t.contains("not allowed")
                || t.contains("not permitted")
                || t.contains("disabled"))
    })
}

/// Coin ids are `<currency id>:<platform id>` (see [`Coin::gateway_id`]).
pub(super) fn split_gateway_id(id: &str) -> Option<(&str, &str)> {
    id.split_once(':').filter(|(_, p)| !p.is_empty())
}

/// Whether a 2xx body is an answer rather than an error: answers carry an
/// `id` or a list; error bodies carry neither.
pub(super) fn has_id(body: &[u8]) -> bool {
    serde_json::from_slice::<HashMap<String, Box<RawValue>>>(body).is_ok_and(|fields| {
        ["id", "orders", "accounts", "withdrawals", "ping"]
            .iter()
            .any(|k| fields.contains_key(*k))
    })
}

pub(super) fn summary(order: &OrderJson) -> OrderSummary {
    let status = order.status.clone().unwrap_or_default();
    OrderSummary {
        id: order.id.clone().unwrap_or_default(),
        merchant_order_id: order.order_id.clone(),
        state: coingate_state(
            &status,
            order.underpaid_amount.unwrap_or_default(),
            order.overpaid_amount.unwrap_or_default(),
            order.pay_amount,
            order
                .blockchain_transactions
                .as_ref()
                .is_some_and(|t| !t.is_empty()),
        ),
        status,
        created_at: order.created_at.as_deref().and_then(parse_time),
    }
}

pub(super) fn to_gateway_order(order: &OrderJson, coin: &Coin) -> Result<GatewayOrder, String> {
    let id = order.id.clone().ok_or("id is missing")?;
    let status = order.status.as_deref().ok_or("status is missing")?;
    // Every number a gateway sends is checked before any arithmetic: a
    // negative or absurd amount is refused, never computed with (issue #8).
    let amount = |name: &str, value: Option<Decimal>| -> Result<Decimal, String> {
        match value {
            Some(v) if !crate::gateway::sane_amount(v) => {
                Err(format!("{name} is out of range: {v}"))
            }
            v => Ok(v.unwrap_or_default()),
        }
    };
    let underpaid = amount("underpaid_amount", order.underpaid_amount)?;
    let overpaid = amount("overpaid_amount", order.overpaid_amount)?;
    let pay_amount = order
        .pay_amount
        .map(|p| amount("pay_amount", Some(p)))
        .transpose()?;
    let transactions = order.blockchain_transactions.clone().unwrap_or_default();
    for t in &transactions {
        amount("a transaction amount", t.amount)?;
    }
    let state = coingate_state(
        status,
        underpaid,
        overpaid,
        pay_amount,
        !transactions.is_empty(),
    )
    .ok_or(format!(
        "unknown status '{}'",
        crate::gateway::address::shown(status)
    ))?;
    let currency = coin.currency();
    // Amounts are in the pay currency (gateways.md, "Get order"); they count
    // for the sale only when that is the sale's coin.
    let same_coin = order
        .pay_currency
        .as_deref()
        .is_some_and(|c| c.trim().eq_ignore_ascii_case(&coin.symbol));
    let expected = pay_amount
        .filter(|_| same_coin)
        .map(|a| Money::new_rounded_up(a, currency.clone()));
    let sent: Option<Decimal> = transactions
        .iter()
        .try_fold(Decimal::ZERO, |sum, t| sum.checked_add(t.amount?))
        .filter(|_| same_coin && !transactions.is_empty());
    let expected_amount = expected.as_ref().map(Money::amount).unwrap_or_default();
    let paid = match sent {
        Some(sent) => sent,
        None => match state {
            // No transaction listed: what arrived is what is no longer missing.
            SaleState::Underpaid if underpaid < expected_amount => expected_amount - underpaid,
            SaleState::Confirming | SaleState::Paid | SaleState::Overpaid | SaleState::Refunded => {
                expected_amount + overpaid // both at most MAX_AMOUNT: no overflow
            }
            _ => Decimal::ZERO,
        },
    };
    let address = order.address().unwrap_or_default().to_string();
    if !address.is_empty() {
        crate::gateway::address::check(&address, &coin.network, &coin.symbol).map_err(|why| {
            format!(
                "the payment address '{}' was refused: {why}",
                crate::gateway::address::shown(&address)
            )
        })?;
    }
    let request_uri = order
        .payment_request_uri
        .as_deref()
        .map(str::trim)
        .filter(|u| crate::gateway::address::safe_payment_uri(u, &address));
    // The hosted page is a web page at CoinGate: only a link that is safe
    // to open.
    let hosted = order.payment_url.as_deref().map(str::trim).filter(|u| {
        // https://, or http:// only on this computer (the sandbox).
        crate::gateway::http::check_base_url(u).is_ok()
            && u.len() <= 512
            && !u.chars().any(|c| c.is_whitespace() || c.is_control())
    });
    // No address: checkout was refused (or not done), and the QR opens the
    // hosted page (gateways.md, "Checkout": "falls back ..., and says so").
    let (payment_uri, notice) = match (request_uri, address.is_empty(), hosted) {
        (Some(uri), _, _) => (Some(uri.to_string()), None),
        (None, true, Some(url)) => (Some(url.to_string()), Some(HOSTED_PAGE_NOTICE.to_string())),
        _ => (None, None),
    };
    Ok(GatewayOrder {
        gateway_order_id: id,
        merchant_order_id: order.order_id.clone().unwrap_or_default(),
        state,
        expected,
        paid: Money::new(paid, currency),
        address,
        payment_uri,
        expires_at: order.expire_at.as_deref().and_then(parse_time),
        confirmations: transactions
            .iter()
            .filter_map(|t| t.network_confirmations)
            .max()
            .unwrap_or(0),
        // CoinGate does not say how many confirmations it waits for.
        required_confirmations: 0,
        transaction_id: transactions.iter().find_map(|t| t.txid.clone()),
        notice,
    })
}

/// A withdrawal from `GET /withdrawals`: `{id, status, amount, created_at,
/// completed_at, currency, payout_setting}` (gateways.md). `currency` may be
/// an object or a symbol; the address, if any, is in `payout_setting`.
pub(super) fn parse_withdrawal(
    record: &HashMap<String, Box<RawValue>>,
) -> Result<Withdrawal, String> {
    type Object = HashMap<String, Box<RawValue>>;
    let text = |o: &Object, k: &str| o.get(k).and_then(|v| raw_text(v));
    let object = |o: &Object, k: &str| {
        o.get(k)
            .and_then(|v| serde_json::from_str::<Object>(v.get()).ok())
    };
    let coin = text(record, "currency")
        .or_else(|| object(record, "currency").and_then(|c| text(&c, "symbol")))
        .unwrap_or_default()
        .to_ascii_uppercase();
    let payout = object(record, "payout_setting");
    let address = text(record, "address").or_else(|| {
        payout.as_ref().and_then(|p| {
            ["address", "crypto_address", "wallet_address"]
                .iter()
                .find_map(|k| text(p, k))
        })
    });
    Ok(Withdrawal {
        id: text(record, "id").ok_or("id is missing")?,
        amount: record
            .get("amount")
            .and_then(|v| decimal_from_raw(v))
            .map(|a| exact_money(a, Currency::coin(&coin))),
        coin,
        address,
        transaction_id: ["txid", "transaction_id", "blockchain_transaction_id"]
            .iter()
            .find_map(|k| text(record, k)),
        status: text(record, "status").unwrap_or_else(|| "unknown".into()),
        confirmations: None,
        created_at: text(record, "created_at").and_then(|t| parse_time(&t)),
    })
}

/// Every parser of this client over one answer text, for the property
/// tests: whatever it is, each returns (a value or an error).
#[cfg(test)]
pub(crate) fn parse_any(text: &str, coin: &Coin) {
    if let Ok(order) = serde_json::from_str::<OrderJson>(text) {
        let _ = to_gateway_order(&order, coin);
        let _ = summary(&order);
        let _ = order.clone().overlay(order);
    }
    if let Ok(page) = serde_json::from_str::<OrderPageJson>(text) {
        for order in &page.orders {
            let _ = summary(order);
            let _ = to_gateway_order(order, coin);
        }
    }
    if let Ok(error) = serde_json::from_str::<ApiError>(text) {
        let texts = error.texts();
        let _ = checkout_not_enabled(&texts);
    }
    if let Ok(record) = serde_json::from_str::<HashMap<String, Box<RawValue>>>(text) {
        let _ = parse_withdrawal(&record);
    }
    let _ = has_id(text.as_bytes());
}
