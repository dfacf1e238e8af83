//! Counos's wire format: the `{statusCode, statusMessage, data}` envelope,
//! its records read leniently, and how each becomes the normalised types of
//! `gateway` (gateways.md, "Counos").

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::error::Result;
use crate::gateway::wire::{decimal_from_raw, id_text, parse_time, raw_text};
use crate::gateway::{exact_money, Balance, Coin, GatewayOrder, SaleState, Withdrawal};
use crate::money::{Currency, Money};

/// How long the app waits for a Counos order that names no expiry
/// (gateways.md, Round 2: the field's name is not published; "the app must
/// still stop waiting at some point, and say so"). Measured from the
/// order's `createdAt`, CoinGate's pending time plus a margin.
pub const OWN_DEADLINE: chrono::Duration = chrono::Duration::minutes(30);

/// What the cashier is told about [`OWN_DEADLINE`].
pub const OWN_DEADLINE_NOTICE: &str = "Counos does not say when this order expires, so Cryptill \
     stops waiting 30 minutes after the order was made. A payment that arrives later is still \
     noticed and shown to the owner.";

/// One line of a Counos rate list: the price of one unit of `symbol`, exact
/// as the gateway wrote it. Either price may be missing from the list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rate {
    /// Upper-case, e.g. `BTC`, `EUR`, `XAU`.
    pub symbol: String,
    pub usd: Option<Decimal>,
    pub eur: Option<Decimal>,
}

/// Every Counos answer: `{statusCode, statusMessage, data}`.
#[derive(Deserialize)]
pub(super) struct Envelope {
    #[serde(rename = "statusCode")]
    pub(super) status_code: Option<i64>,
    #[serde(rename = "statusMessage")]
    pub(super) status_message: Option<String>,
    pub(super) data: Option<Box<RawValue>>,
}

#[derive(Deserialize)]
pub(super) struct Ticker {
    #[serde(deserialize_with = "id_text")]
    pub(super) id: String,
    pub(super) title: Option<String>,
    pub(super) keyword: String,
    #[serde(default)]
    pub(super) enabled: Option<bool>,
}

/// Reads `{converted_value, exchange_rate}` (gateways.md, "Convert":
/// snake_case, unlike the order fields). `exchange_rate`'s shape differs
/// between sources (Round 2: an array in the PHP model); if it is not a
/// plain positive number it is `None`.
pub(super) fn converted(raw: &RawValue) -> Result<(Decimal, Option<Decimal>), String> {
    #[derive(Deserialize)]
    struct Converted {
        converted_value: Box<RawValue>,
        #[serde(default)]
        exchange_rate: Option<Box<RawValue>>,
    }
    let converted: Converted =
        serde_json::from_str(raw.get()).map_err(|e| format!("conversion: {e}"))?;
    let value = decimal_from_raw(&converted.converted_value)
        .filter(|v| *v > Decimal::ZERO)
        .ok_or_else(|| {
            format!(
                "conversion gave no amount ({})",
                crate::gateway::address::shown(converted.converted_value.get())
            )
        })?;
    // A number, or an array holding one (the sandbox's reading of the PHP
    // model's `array`); anything else is not relied on.
    let rate = converted.exchange_rate.as_deref().and_then(|raw| {
        decimal_from_raw(raw).or_else(|| {
            serde_json::from_str::<Vec<Box<RawValue>>>(raw.get())
                .ok()
                .and_then(|items| items.first().and_then(|first| decimal_from_raw(first)))
        })
    });
    let rate = rate.filter(|r| *r > Decimal::ZERO && crate::gateway::sane_amount(*r));
    Ok((value, rate))
}

/// The network a coin travels on, as a cashier names it. Counos lists only
/// a keyword and a title; the well-known ones get their network's name.
pub(super) fn network_name(keyword: &str, title: &str) -> String {
    match keyword.to_ascii_lowercase().as_str() {
        "btc" => "Bitcoin".into(),
        "ltc" => "Litecoin".into(),
        "eth" => "Ethereum".into(),
        "ccx" | "cca" | "ccxx" => "Counos".into(),
        _ => title.to_string(),
    }
}

/// A record's fields by name (matched ignoring case), values kept raw so
/// that amounts are read exactly and unpublished fields (the expiry, the
/// balance and withdrawal fields) can be looked for.
#[derive(Deserialize)]
#[serde(transparent)]
pub(super) struct Fields(pub(super) BTreeMap<String, Box<RawValue>>);

impl Fields {
    /// The first of `names` present as text or a number.
    pub(super) fn first_text(&self, names: &[&str]) -> Option<String> {
        names.iter().find_map(|name| self.text(name))
    }

    /// The first of `names` present as an amount.
    pub(super) fn first_decimal(&self, names: &[&str]) -> Option<Decimal> {
        names
            .iter()
            .find_map(|name| self.raw(name).and_then(decimal_from_raw))
    }

    /// A nested object, e.g. an order's `ticker`.
    pub(super) fn object(&self, name: &str) -> Option<Fields> {
        serde_json::from_str(self.raw(name)?.get()).ok()
    }

    pub(super) fn raw(&self, name: &str) -> Option<&RawValue> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
            .filter(|v| v.get() != "null")
    }

    pub(super) fn text(&self, name: &str) -> Option<String> {
        raw_text(self.raw(name)?)
    }

    pub(super) fn decimal(&self, name: &str) -> Result<Option<Decimal>, String> {
        match self.raw(name) {
            None => Ok(None),
            Some(raw) if raw.get() == "\"\"" => Ok(None),
            Some(raw) => decimal_from_raw(raw)
                .map(Some)
                .ok_or_else(|| format!("{name} is not an amount: {}", raw.get())),
        }
    }

    pub(super) fn count(&self, name: &str) -> u32 {
        self.text(name).and_then(|t| t.parse().ok()).unwrap_or(0)
    }

    pub(super) fn flag(&self, name: &str) -> bool {
        self.raw(name).is_some_and(|v| v.get() == "true")
    }

    /// The expiry's field name is not published (gateways.md: "look for an
    /// `expire*` field, and handle its absence").
    pub(super) fn expiry(&self) -> Option<DateTime<Utc>> {
        self.0
            .keys()
            .filter(|k| k.to_ascii_lowercase().starts_with("expire"))
            .find_map(|k| self.text(k).and_then(|t| parse_time(&t)))
    }
}

pub(super) fn parse_order(
    f: &Fields,
    coin: &Coin,
    now: DateTime<Utc>,
) -> Result<GatewayOrder, String> {
    let currency = coin.currency();
    // Every number is checked before it is compared or stored (issue #8).
    let amount = |name: &str| -> Result<Option<Decimal>, String> {
        match f.decimal(name)? {
            Some(v) if !crate::gateway::sane_amount(v) => {
                Err(format!("{name} is out of range: {v}"))
            }
            v => Ok(v),
        }
    };
    let expected = amount("expectedAmount")?.ok_or("expectedAmount is missing")?;
    let paid = amount("paidAmount")?.unwrap_or_default();
    let (expires_at, notice) = match f.expiry() {
        Some(at) => (Some(at), None),
        None => match f.text("createdAt").and_then(|t| parse_time(&t)) {
            Some(created) => (
                created.checked_add_signed(OWN_DEADLINE),
                Some(OWN_DEADLINE_NOTICE.to_string()),
            ),
            None => (None, None),
        },
    };
    let state = counos_state(f.flag("paid"), paid, expected, expires_at, now);
    let address = f.text("orderAddress").ok_or("orderAddress is missing")?;
    crate::gateway::address::check(&address, &coin.network, &coin.symbol).map_err(|why| {
        format!(
            "the payment address '{}' was refused: {why}",
            crate::gateway::address::shown(&address)
        )
    })?;
    Ok(GatewayOrder {
        gateway_order_id: f.text("id").ok_or("id is missing")?,
        merchant_order_id: f.text("merchantOrderId").unwrap_or_default(),
        state,
        expected: Some(Money::new(expected, currency.clone())),
        paid: Money::new(paid, currency),
        // paymentUriQrCode is "the payment URI / QR link": only a payment URI
        // (bitcoin:, ethereum:, ...) that names the address goes into our
        // QR; a web link to a picture of a QR does not, and the QR is built
        // from the address.
        payment_uri: f
            .text("paymentUriQrCode")
            .filter(|u| crate::gateway::address::safe_payment_uri(u.trim(), &address)),
        address,
        expires_at,
        confirmations: f.count("paymentConfirmations"),
        required_confirmations: f.count("expectedConfirmations"),
        transaction_id: f.text("transactionId"),
        notice,
    })
}

/// The records in a list answer: a JSON array, or an object that wraps one
/// (`{"items": [...]}`), or an object keyed by symbol (`{"btc": {...}}`,
/// `{"btc": 0.5}`), whose key is kept as `symbol` when the record has none.
pub(super) fn records(raw: &RawValue) -> Option<Vec<Fields>> {
    if let Ok(list) = serde_json::from_str::<Vec<Box<RawValue>>>(raw.get()) {
        return Some(
            list.iter()
                .filter_map(|item| serde_json::from_str::<Fields>(item.get()).ok())
                .collect(),
        );
    }
    let object: Fields = serde_json::from_str(raw.get()).ok()?;
    if let Some(list) = object
        .0
        .values()
        .find(|v| v.get().trim_start().starts_with('['))
    {
        return records(list);
    }
    Some(
        object
            .0
            .iter()
            .map(|(key, value)| {
                let mut fields = serde_json::from_str::<Fields>(value.get()).unwrap_or_else(|_| {
                    // A bare amount keyed by symbol.
                    Fields(BTreeMap::from([("amount".to_string(), value.clone())]))
                });
                if fields.raw("symbol").is_none() {
                    let key =
                        RawValue::from_string(serde_json::Value::from(key.as_str()).to_string())
                            .expect("a JSON string is valid JSON");
                    fields.0.insert("symbol".into(), key);
                }
                fields
            })
            .collect(),
    )
}

/// A record's coin: its own symbol field, or its nested ticker's keyword.
pub(super) fn symbol_of(f: &Fields) -> Option<String> {
    f.first_text(&["keyword", "symbol", "ticker", "currency", "coin", "code"])
        .or_else(|| {
            ["ticker", "currency", "coin"]
                .iter()
                .find_map(|name| f.object(name))
                .and_then(|nested| nested.first_text(&["keyword", "symbol", "code"]))
        })
        .map(|s| s.trim().to_ascii_uppercase())
}

/// A price field: named `usd`/`eur` or carrying the code in its name
/// (`priceUsd`, `usd_rate`, ...), directly or in one nested object.
pub(super) fn price(f: &Fields, code: &str) -> Option<Decimal> {
    let direct =
        f.0.iter()
            .filter(|(k, _)| k.to_ascii_lowercase().contains(code))
            .find_map(|(_, v)| decimal_from_raw(v));
    direct.or_else(|| {
        f.0.values()
            .filter_map(|v| serde_json::from_str::<Fields>(v.get()).ok())
            .find_map(|nested| price(&nested, code))
    })
}

pub(super) fn parse_rates(raw: &RawValue) -> Option<Vec<Rate>> {
    Some(
        records(raw)?
            .iter()
            .filter_map(|f| {
                Some(Rate {
                    symbol: symbol_of(f)?,
                    usd: price(f, "usd"),
                    eur: price(f, "eur"),
                })
            })
            .collect(),
    )
}

pub(super) fn parse_balances(raw: &RawValue) -> Option<Vec<Balance>> {
    Some(
        records(raw)?
            .iter()
            .filter_map(|f| {
                let coin = symbol_of(f)?;
                let amount =
                    f.first_decimal(&["balance", "amount", "available", "value", "total"])?;
                let title = f
                    .first_text(&["title", "name"])
                    .or_else(|| f.object("ticker").and_then(|t| t.first_text(&["title"])))
                    .unwrap_or_else(|| coin.clone());
                Some(Balance {
                    amount: exact_money(amount, Currency::coin(&coin)),
                    coin,
                    title,
                })
            })
            .collect(),
    )
}

/// A withdrawal, read leniently (gateways.md: "status, confirmations, tx
/// id"; the field names are not published). A coin known only by its ticker
/// id comes back as `#<id>` for the caller to name.
pub(super) fn parse_withdrawal(f: &Fields) -> Result<Withdrawal, String> {
    let coin = symbol_of(f)
        .or_else(|| f.text("tickerId").map(|id| format!("#{id}")))
        .unwrap_or_default();
    let amount = f
        .first_decimal(&["amount", "value"])
        .map(|a| exact_money(a, Currency::coin(coin.trim_start_matches('#'))));
    Ok(Withdrawal {
        id: f
            .first_text(&["id", "withdrawId", "withdrawalId"])
            .ok_or("id is missing")?,
        coin,
        amount,
        address: f.first_text(&["walletAddress", "address", "wallet", "destination", "to"]),
        transaction_id: f.first_text(&["transactionId", "txId", "txid", "transactionHash", "hash"]),
        status: f
            .first_text(&["status", "state"])
            .unwrap_or_else(|| "unknown".into()),
        confirmations: f
            .first_text(&["confirmations", "confirmation", "paymentConfirmations"])
            .and_then(|t| t.parse().ok()),
        created_at: f
            .first_text(&["createdAt", "created_at", "created", "date", "time"])
            .and_then(|t| parse_time(&t)),
    })
}

/// Counos has no status field; the state follows from `paid`, the amounts
/// and the expiry (gateways.md, "Order status"):
/// - `paid` true: paid in full with enough confirmations (overpaid if more
///   than expected arrived);
/// - paid in full but `paid` false: waiting for confirmations;
/// - `0 < paidAmount < expectedAmount`: underpaid (the customer may top up);
/// - nothing paid and past the expiry: expired; otherwise awaiting payment.
pub fn counos_state(
    paid_flag: bool,
    paid: Decimal,
    expected: Decimal,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> SaleState {
    if paid_flag {
        if paid > expected {
            SaleState::Overpaid
        } else {
            SaleState::Paid
        }
    } else if paid >= expected && expected > Decimal::ZERO {
        SaleState::Confirming
    } else if paid > Decimal::ZERO {
        SaleState::Underpaid
    } else if expires_at.is_some_and(|at| at <= now) {
        SaleState::Expired
    } else {
        SaleState::Awaiting
    }
}

/// Every parser of this client over one answer text, for the property
/// tests: whatever it is, each returns (a value or an error).
#[cfg(test)]
pub(crate) fn parse_any(text: &str, coin: &Coin, now: DateTime<Utc>) {
    let _ = serde_json::from_str::<Envelope>(text);
    let Ok(raw) = RawValue::from_string(text.to_string()) else {
        return;
    };
    if let Ok(fields) = serde_json::from_str::<Fields>(text) {
        let _ = parse_order(&fields, coin, now);
        let _ = parse_withdrawal(&fields);
        let _ = fields.expiry();
    }
    let _ = converted(&raw);
    let _ = parse_rates(&raw);
    let _ = parse_balances(&raw);
    if let Some(records) = records(&raw) {
        for record in &records {
            let _ = parse_withdrawal(record);
            let _ = parse_order(record, coin, now);
        }
    }
}
