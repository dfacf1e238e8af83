//! The accountant's CSV: one line per sale, fiat and crypto side by side,
//! tips in their own column, times in UTC and in the till's local time,
//! both order ids. RFC 4180: comma separated, CRLF line ends, fields quoted
//! when they hold a comma, quote or line break, quotes doubled.
//!
//! Spreadsheet-safe: a cell that starts with `=`, `+`, `-`, `@`, a tab or a
//! carriage return would open as a formula in Excel, LibreOffice or Google
//! Sheets (CSV injection), and gateway text (addresses, order ids,
//! transaction ids) is not ours to trust. Such a cell gets a leading single
//! quote, as OWASP's "CSV Injection" page recommends. Amounts never start
//! with one of these (they are never negative), so numbers stay numbers.

use std::path::Path;

use chrono::{DateTime, Local, Utc};
use rust_decimal::Decimal;

use super::{check_export_path, sales, SaleFilter};
use crate::error::{Error, Result};
use crate::ledger::{Ledger, Sale};
use crate::money::Money;
use crate::sale::timestamp;

pub const CSV_HEADER: [&str; 23] = [
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
    // Who sold it and in which shift (empty on a till without cashiers).
    "cashier",
    "shift",
];

/// A cell a spreadsheet would run as a formula, made plain text.
pub fn neutralise(field: &str) -> std::borrow::Cow<'_, str> {
    if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{field}").into()
    } else {
        field.into()
    }
}

fn quote(field: &str) -> String {
    let field = neutralise(field);
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
        opt(&s.cashier),
        s.shift_id.map(|n| n.to_string()).unwrap_or_default(),
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
///
/// The temp file is new, made with a random name in the target folder and
/// opened exclusively (`O_CREAT | O_EXCL`, mode 0600, by `tempfile`), so a
/// file or symlink planted under a predictable name (the old `.csv.part`)
/// can neither receive the sales nor redirect them elsewhere. On any error
/// it is removed.
pub fn export_csv(ledger: &Ledger, filter: &SaleFilter, path: &Path) -> Result<usize> {
    use std::io::Write;
    check_export_path(path)?;
    let (text, count) = csv_text(ledger, filter)?;
    let fail = |e: std::io::Error| {
        Error::Storage(format!(
            "Cannot write the CSV to {} ({e}). Choose a folder you can write to.",
            path.display()
        ))
    };
    let folder = path.parent().unwrap_or(Path::new("."));
    let mut partial = tempfile::Builder::new()
        .prefix(".cryptill-export-")
        .suffix(".part")
        .tempfile_in(folder)
        .map_err(fail)?;
    partial.write_all(text.as_bytes()).map_err(fail)?;
    partial.as_file().sync_all().map_err(fail)?;
    partial.persist(path).map_err(|e| fail(e.error))?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_a_spreadsheet_would_run_as_formulas_are_written_as_text() {
        for (cell, written) in [
            (
                "=HYPERLINK(\"http://x\")",
                "\"'=HYPERLINK(\"\"http://x\"\")\"",
            ),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tcmd", "'\tcmd"),
            ("\r=1", "\"'\r=1\""),
            ("bc1qplain", "bc1qplain"),
            ("12.50", "12.50"),
            ("a=b", "a=b"),
        ] {
            assert_eq!(quote(cell), written, "{cell:?}");
        }
    }

    #[test]
    #[cfg(unix)]
    fn the_export_never_writes_through_a_planted_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open(&dir.path().join("l.sqlite3")).unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "untouched").unwrap();
        let out = dir.path().join("sales.csv");
        // The name the export used to write to, planted as a symlink.
        std::os::unix::fs::symlink(&victim, dir.path().join("sales.csv.part")).unwrap();
        assert_eq!(
            export_csv(&ledger, &SaleFilter::default(), &out).unwrap(),
            0
        );
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
        assert!(std::fs::read_to_string(&out).unwrap().starts_with("sale,"));
        // No temp file is left behind.
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".cryptill-export-"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
}
