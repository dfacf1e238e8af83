//! The accountant's CSV: one line per sale, fiat and crypto side by side,
//! tips in their own column, times in UTC and in the till's local time,
//! both order ids. RFC 4180: comma separated, CRLF line ends, fields quoted
//! when they hold a comma, quote or line break, quotes doubled.

use std::path::Path;

use chrono::{DateTime, Local, Utc};
use rust_decimal::Decimal;

use super::{check_export_path, sales, SaleFilter};
use crate::error::{Error, Result};
use crate::ledger::{timestamp, Ledger, Sale};
use crate::money::Money;

pub const CSV_HEADER: [&str; 21] = [
    "sale",
    "created_utc",
    "created_local",
    "paid_utc",
    "paid_local",
    "state",
    "fiat_currency",
    "fiat_total",
    "tip",
    "fiat_net",
    "coin",
    "crypto_amount",
    "crypto_paid",
    "rate",
    "gateway",
    "gateway_order_id",
    "merchant_order_id",
    "address",
    "transaction_id",
    "voided_utc",
    "late_payment_utc",
];

fn quote(field: &str) -> String {
    if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

fn local(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local)
        .format("%Y-%m-%d %H:%M:%S %:z")
        .to_string()
}

fn row(s: &Sale) -> Vec<String> {
    let tip = s.tip.as_ref().map(Money::amount).unwrap_or(Decimal::ZERO);
    let net = Money::new(s.fiat.amount() - tip, s.fiat.currency().clone());
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    vec![
        s.id.to_string(),
        timestamp(s.created_at),
        local(s.created_at),
        s.paid_at.map(timestamp).unwrap_or_default(),
        s.paid_at.map(local).unwrap_or_default(),
        s.state.as_str().into(),
        s.fiat.currency().code().into(),
        s.fiat.to_fixed(),
        s.tip.as_ref().map(Money::to_fixed).unwrap_or_default(),
        net.to_fixed(),
        s.coin.code().into(),
        s.crypto.as_ref().map(Money::to_fixed).unwrap_or_default(),
        s.paid.as_ref().map(Money::to_fixed).unwrap_or_default(),
        s.rate
            .map(|r| r.normalize().to_string())
            .unwrap_or_default(),
        s.gateway.as_str().into(),
        opt(&s.gateway_order_id),
        s.merchant_order_id.clone(),
        opt(&s.address),
        opt(&s.transaction_id),
        s.voided_at.map(timestamp).unwrap_or_default(),
        s.late_payment_at.map(timestamp).unwrap_or_default(),
    ]
}

/// The CSV text for the filter's sales, oldest first.
pub fn csv_text(ledger: &Ledger, filter: &SaleFilter) -> Result<(String, usize)> {
    let sales = sales(ledger, filter)?;
    let mut out = String::new();
    let mut line = |fields: Vec<String>| {
        out.push_str(
            &fields
                .iter()
                .map(|f| quote(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    };
    line(CSV_HEADER.iter().map(|h| h.to_string()).collect());
    for sale in &sales {
        line(row(sale));
    }
    Ok((out, sales.len()))
}

/// Writes the CSV to `path` (a temp file renamed into place, so a crash
/// never leaves half a file); returns the number of sales.
pub fn export_csv(ledger: &Ledger, filter: &SaleFilter, path: &Path) -> Result<usize> {
    check_export_path(path)?;
    let (text, count) = csv_text(ledger, filter)?;
    let partial = path.with_extension("csv.part");
    let fail = |e: std::io::Error| {
        Error::Storage(format!(
            "Cannot write the CSV to {} ({e}). Choose a folder you can write to.",
            path.display()
        ))
    };
    std::fs::write(&partial, text).map_err(fail)?;
    std::fs::rename(&partial, path).map_err(fail)?;
    Ok(count)
}
