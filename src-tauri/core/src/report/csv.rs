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

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Datelike, Local, Timelike, Utc};
use rust_decimal::Decimal;

use super::{check_export_path, SaleFilter};
use crate::error::{Error, Result};
use crate::ledger::{Ledger, Read, Sale};
use crate::money::Money;
use crate::sale::timestamp;

/// One column of the CSV: its header and how a sale fills its cell (the
/// raw text, appended to the buffer; quoting and neutralising come after).
/// A new column is one more entry in [`CSV_COLUMNS`].
pub struct Column {
    pub name: &'static str,
    pub cell: fn(&Sale, &mut String),
}

const fn col(name: &'static str, cell: fn(&Sale, &mut String)) -> Column {
    Column { name, cell }
}

fn push_opt(out: &mut String, value: &Option<String>) {
    if let Some(v) = value {
        out.push_str(v);
    }
}

fn push_money(out: &mut String, value: &Option<Money>) {
    if let Some(m) = value {
        out.push_str(&m.to_fixed());
    }
}

fn push_utc(out: &mut String, t: Option<DateTime<Utc>>) {
    if let Some(t) = t {
        out.push_str(&timestamp(t));
    }
}

/// `YYYY-MM-DD HH:MM:SS +HH:MM` in the till's time zone. Written field by
/// field: chrono's `format` parses its pattern again for every cell, a
/// sixth of the export's time at a million rows.
fn push_local(out: &mut String, t: Option<DateTime<Utc>>) {
    if let Some(t) = t {
        let l = t.with_timezone(&Local);
        let offset = l.offset().local_minus_utc();
        let (sign, offset) = if offset < 0 {
            ('-', -offset)
        } else {
            ('+', offset)
        };
        let _ = write!(
            out,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02} {sign}{:02}:{:02}",
            l.year(),
            l.month(),
            l.day(),
            l.hour(),
            l.minute(),
            l.second(),
            offset / 3600,
            offset / 60 % 60
        );
    }
}

/// The accountant's columns, in order.
pub const CSV_COLUMNS: &[Column] = &[
    col("sale", |s, o| {
        let _ = write!(o, "{}", s.id);
    }),
    col("created_utc", |s, o| push_utc(o, Some(s.created_at))),
    col("created_local", |s, o| push_local(o, Some(s.created_at))),
    col("paid_utc", |s, o| push_utc(o, s.paid_at)),
    col("paid_local", |s, o| push_local(o, s.paid_at)),
    col("state", |s, o| o.push_str(s.state.as_str())),
    col("fiat_currency", |s, o| o.push_str(s.fiat.currency().code())),
    col("fiat_total", |s, o| o.push_str(&s.fiat.to_fixed())),
    col("tip", |s, o| push_money(o, &s.tip)),
    col("fiat_net", |s, o| {
        let tip = s.tip.as_ref().map(Money::amount).unwrap_or(Decimal::ZERO);
        o.push_str(&Money::new(s.fiat.amount() - tip, s.fiat.currency().clone()).to_fixed());
    }),
    col("coin", |s, o| o.push_str(s.coin.code())),
    col("crypto_amount", |s, o| push_money(o, &s.crypto)),
    col("crypto_paid", |s, o| push_money(o, &s.paid)),
    col("rate", |s, o| {
        if let Some(r) = s.rate {
            let _ = write!(o, "{}", r.normalize());
        }
    }),
    col("gateway", |s, o| o.push_str(s.gateway.as_str())),
    col("gateway_order_id", |s, o| push_opt(o, &s.gateway_order_id)),
    col("merchant_order_id", |s, o| o.push_str(&s.merchant_order_id)),
    col("address", |s, o| push_opt(o, &s.address)),
    col("transaction_id", |s, o| push_opt(o, &s.transaction_id)),
    col("voided_utc", |s, o| push_utc(o, s.voided_at)),
    col("late_payment_utc", |s, o| push_utc(o, s.late_payment_at)),
    // Who sold it and in which shift (empty on a till without cashiers).
    col("cashier", |s, o| push_opt(o, &s.cashier)),
    col("shift", |s, o| {
        if let Some(n) = s.shift_id {
            let _ = write!(o, "{n}");
        }
    }),
];

/// The header line's names, in order.
pub fn csv_header() -> impl Iterator<Item = &'static str> {
    CSV_COLUMNS.iter().map(|c| c.name)
}

/// A cell a spreadsheet would run as a formula, made plain text.
pub fn neutralise(field: &str) -> std::borrow::Cow<'_, str> {
    if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{field}").into()
    } else {
        field.into()
    }
}

/// Appends one field to the line: neutralised, then quoted if it needs it.
fn push_field(line: &mut String, field: &str) {
    let field = neutralise(field);
    if field
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
    {
        line.push('"');
        line.push_str(&field.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(&field);
    }
}

#[cfg(test)]
fn quote(field: &str) -> String {
    let mut line = String::new();
    push_field(&mut line, field);
    line
}

/// Writes the CSV of the filter's sales to `out`, oldest first, each row as
/// it is read from the ledger (its own read connection: the counter goes on
/// selling meanwhile): memory stays that of one row whatever the ledger
/// holds. Returns the number of sales. `out` should be buffered.
pub fn write_csv(ledger: &Ledger, filter: &SaleFilter, out: &mut impl Write) -> Result<usize> {
    write_rows(ledger, filter, out, |e| {
        Error::Storage(format!("Cannot write the CSV ({e})."))
    })
}

/// [`write_csv`], with the caller's words for a failed write.
fn write_rows(
    ledger: &Ledger,
    filter: &SaleFilter,
    out: &mut impl Write,
    io: impl Fn(std::io::Error) -> Error,
) -> Result<usize> {
    let query = filter.query()?;
    let mut line = String::with_capacity(512);
    let mut cell = String::with_capacity(128);
    for (i, name) in csv_header().enumerate() {
        if i > 0 {
            line.push(',');
        }
        push_field(&mut line, name);
    }
    line.push_str("\r\n");
    out.write_all(line.as_bytes()).map_err(&io)?;
    let mut count = 0;
    ledger.stream_sales(&query, Read::ALL, |sale| {
        line.clear();
        for (i, column) in CSV_COLUMNS.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            cell.clear();
            (column.cell)(&sale, &mut cell);
            push_field(&mut line, &cell);
        }
        line.push_str("\r\n");
        out.write_all(line.as_bytes()).map_err(&io)?;
        count += 1;
        Ok(true)
    })?;
    Ok(count)
}

/// Writes the CSV to `path` (a temp file renamed into place, so a crash
/// never leaves half a file); returns the number of sales. Streams: rows go
/// to the file as they are read.
///
/// The temp file is new, made with a random name in the target folder and
/// opened exclusively (`O_CREAT | O_EXCL`, mode 0600, by `tempfile`), so a
/// file or symlink planted under a predictable name (the old `.csv.part`)
/// can neither receive the sales nor redirect them elsewhere. On any error
/// it is removed.
pub fn export_csv(ledger: &Ledger, filter: &SaleFilter, path: &Path) -> Result<usize> {
    check_export_path(path)?;
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
    let count = {
        let mut out = std::io::BufWriter::with_capacity(256 * 1024, partial.as_file_mut());
        let count = write_rows(ledger, filter, &mut out, fail)?;
        out.flush().map_err(fail)?;
        count
    };
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
    fn local_times_are_written_as_chrono_formats_them() {
        for t in [
            "2026-11-21T09:05:03.250Z",
            "2026-03-29T01:30:00.000Z",
            "1999-12-31T23:59:59.999Z",
        ] {
            let t = DateTime::parse_from_rfc3339(t).unwrap().with_timezone(&Utc);
            let mut ours = String::new();
            push_local(&mut ours, Some(t));
            let chrono = t
                .with_timezone(&Local)
                .format("%Y-%m-%d %H:%M:%S %:z")
                .to_string();
            assert_eq!(ours, chrono);
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
