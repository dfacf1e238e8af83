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

use crate::said::Said;
use std::io::Write;
use std::path::Path;
use std::str::FromStr;
use std::sync::mpsc;

use chrono::{DateTime, Datelike, Local, NaiveDate, Offset, TimeZone, Timelike, Utc};
use rust_decimal::Decimal;

use super::batch::Batch;
use super::{check_export_path, SaleFilter};
use crate::error::{Error, Result};
use crate::ledger::{sum_amount_list, Ledger, StoredSale};
use crate::money::{fixed, Currency};
use crate::sale::timestamp;

/// One column of the CSV: its header and how a sale fills its cell (the
/// raw text, appended to the buffer; quoting and neutralising come after).
/// A new column is one more entry in [`CSV_COLUMNS`].
///
/// Cells are written from the ledger's stored text ([`StoredSale`]): the
/// amounts are stored as the fixed text the CSV shows and the times as
/// RFC 3339 UTC, so in a well-kept ledger most cells are copied as they are.
/// Text in any other form (a hand-edited ledger) goes through the parse and
/// format it always went through, so the file is the same either way.
pub struct Column {
    pub name: &'static str,
    pub cell: fn(&StoredSale<'_>, &mut Cell),
}

const fn col(name: &'static str, cell: fn(&StoredSale<'_>, &mut Cell)) -> Column {
    Column { name, cell }
}

/// A cell being written, and what the cells of one export share: the
/// shop currency's decimals and the local time zone's offset, looked up
/// once instead of once a row.
pub struct Cell {
    text: String,
    fiat: Option<(String, u32)>,
    /// (UTC hour, offset in seconds) of the last local times written.
    zone: [(i64, i32); 2],
    /// This till's name, for the sales of a SQLite ledger (all its own).
    till: String,
}

impl Cell {
    fn new() -> Self {
        Self {
            text: String::with_capacity(128),
            fiat: None,
            zone: [(i64::MIN, 0); 2],
            till: String::new(),
        }
    }

    fn push(&mut self, text: &str) {
        self.text.push_str(text);
    }

    fn push_opt(&mut self, text: Option<&str>) {
        if let Some(t) = text {
            self.text.push_str(t);
        }
    }

    fn push_int(&mut self, n: i64) {
        self.text.push_str(itoa(n, &mut [0; 20]));
    }

    /// The decimals of the sale's shop currency (ISO 4217, as the ledger
    /// reads them), cached for the run of sales in the same currency.
    fn fiat_decimals(&mut self, code: &str) -> u32 {
        match &self.fiat {
            Some((cached, decimals)) if cached == code => *decimals,
            _ => {
                let decimals = Currency::stored_fiat(code).decimals();
                self.fiat = Some((code.to_string(), decimals));
                decimals
            }
        }
    }

    /// A stored amount with exactly `decimals` places: copied when stored so,
    /// else parsed and rounded as [`fixed`] does.
    fn push_amount(&mut self, stored: Option<&str>, decimals: u32) {
        let Some(stored) = stored else { return };
        if is_fixed(stored, decimals) {
            self.text.push_str(stored);
        } else if let Ok(d) = Decimal::from_str(stored) {
            self.text.push_str(&fixed(d, decimals));
        }
    }

    /// A stored UTC time, as [`timestamp`] writes it.
    fn push_utc(&mut self, stored: Option<&str>) {
        let Some(t) = stored.and_then(parse_utc) else {
            return;
        };
        match stored {
            Some(stored) if utc_parts(stored).is_some() => self.text.push_str(stored),
            _ => self.text.push_str(&timestamp(t)),
        }
    }

    /// `YYYY-MM-DD HH:MM:SS +HH:MM` in the till's time zone.
    fn push_local(&mut self, stored: Option<&str>, which: usize) {
        let Some(t) = stored.and_then(parse_utc) else {
            return;
        };
        let offset = self.offset(t, which);
        let l = t.naive_utc() + chrono::Duration::seconds(offset.into());
        let (sign, offset) = if offset < 0 {
            ('-', -offset)
        } else {
            ('+', offset)
        };
        let out = &mut self.text;
        pad(out, l.year() as u32, 4);
        out.push('-');
        pad(out, l.month(), 2);
        out.push('-');
        pad(out, l.day(), 2);
        out.push(' ');
        pad(out, l.hour(), 2);
        out.push(':');
        pad(out, l.minute(), 2);
        out.push(':');
        pad(out, l.second(), 2);
        out.push(' ');
        out.push(sign);
        pad(out, (offset / 3600) as u32, 2);
        out.push(':');
        pad(out, (offset / 60 % 60) as u32, 2);
    }

    /// The local offset at `t`. Cached per UTC hour when it is the same at
    /// the hour's first and last second (time zones change at most once in
    /// an hour), so an hour with a change looks each time up.
    fn offset(&mut self, t: DateTime<Utc>, which: usize) -> i32 {
        let at = |t: DateTime<Utc>| Local.offset_from_utc_datetime(&t.naive_utc()).fix();
        let hour = t.timestamp().div_euclid(3600);
        let (cached_hour, cached) = self.zone[which];
        if cached_hour == hour {
            return cached;
        }
        let start = DateTime::from_timestamp(hour * 3600, 0).unwrap_or(t);
        let end = DateTime::from_timestamp(hour * 3600 + 3599, 0).unwrap_or(t);
        let (first, last) = (at(start), at(end));
        if first == last {
            self.zone[which] = (hour, first.local_minus_utc());
            first.local_minus_utc()
        } else {
            at(t).local_minus_utc()
        }
    }
}

/// Whether `s` is the text [`fixed`] writes with `decimals` places: digits
/// without a needless leading zero, and exactly `decimals` after a point.
fn is_fixed(s: &str, decimals: u32) -> bool {
    let (whole, fraction) = match s.split_once('.') {
        Some((w, f)) if decimals > 0 => (w, f),
        None if decimals == 0 => (s, ""),
        _ => return false,
    };
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && (whole.len() == 1 || !whole.starts_with('0'))
        && fraction.len() == decimals as usize
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

/// The parts of `YYYY-MM-DDTHH:MM:SS.mmmZ`, the form [`timestamp`] stores.
fn utc_parts(s: &str) -> Option<[u32; 7]> {
    let b = s.as_bytes();
    let shape = b"dddd-dd-ddTdd:dd:dd.dddZ";
    if b.len() != shape.len()
        || !b.iter().zip(shape).all(|(c, p)| {
            if *p == b'd' {
                c.is_ascii_digit()
            } else {
                c == p
            }
        })
    {
        return None;
    }
    let n = |from: usize, to: usize| {
        b[from..to]
            .iter()
            .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'))
    };
    Some([
        n(0, 4),
        n(5, 7),
        n(8, 10),
        n(11, 13),
        n(14, 16),
        n(17, 19),
        n(20, 23),
    ])
}

/// A stored time: the stored form read directly, any other RFC 3339 text
/// through chrono.
fn parse_utc(s: &str) -> Option<DateTime<Utc>> {
    if let Some([y, mo, d, h, mi, sec, ms]) = utc_parts(s) {
        if let Some(t) = NaiveDate::from_ymd_opt(y as i32, mo, d)
            .and_then(|d| d.and_hms_milli_opt(h, mi, sec, ms))
        {
            return Some(t.and_utc());
        }
    }
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// `n` with at least `width` digits, zero padded.
fn pad(out: &mut String, n: u32, width: usize) {
    let mut buf = [0; 20];
    let digits = itoa(n.into(), &mut buf);
    for _ in digits.len()..width {
        out.push('0');
    }
    out.push_str(digits);
}

/// `n` in decimal, in `buf`.
fn itoa(n: i64, buf: &mut [u8; 20]) -> &str {
    let mut i = buf.len();
    let mut m = n.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (m % 10) as u8;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    if n < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    std::str::from_utf8(&buf[i..]).expect("ASCII digits")
}

/// A stored rate as [`Decimal::normalize`] writes it: no trailing zeros.
fn push_rate(cell: &mut Cell, stored: Option<&str>) {
    let Some(stored) = stored else { return };
    let plain = !stored.is_empty()
        && stored.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && stored.bytes().filter(|b| *b == b'.').count() <= 1
        && !stored.starts_with('.')
        && !stored.ends_with('.')
        && (!stored.starts_with('0') || stored == "0" || stored.starts_with("0."));
    if plain {
        let trimmed = if stored.contains('.') {
            stored.trim_end_matches('0').trim_end_matches('.')
        } else {
            stored
        };
        cell.push(trimmed);
    } else if let Ok(r) = Decimal::from_str(stored) {
        cell.push(&r.normalize().to_string());
    }
}

/// The fiat total less the tip, at the shop currency's decimals.
fn push_net(cell: &mut Cell, s: &StoredSale<'_>) {
    let decimals = cell.fiat_decimals(s.fiat_currency);
    match s.tip_amount {
        None => cell.push_amount(Some(s.fiat_amount), decimals),
        Some(tip) => {
            let parse = |t: &str| Decimal::from_str(t).ok();
            if let (Some(total), Some(tip)) = (parse(s.fiat_amount), parse(tip)) {
                cell.push(&fixed(total - tip, decimals));
            }
        }
    }
}

/// The accountant's columns, in order.
pub const CSV_COLUMNS: &[Column] = &[
    col("sale", |s, c| c.push_int(s.id)),
    col("created_utc", |s, c| c.push_utc(Some(s.created_at))),
    col("created_local", |s, c| c.push_local(Some(s.created_at), 0)),
    col("paid_utc", |s, c| c.push_utc(s.paid_at)),
    col("paid_local", |s, c| c.push_local(s.paid_at, 1)),
    col("state", |s, c| c.push(s.state)),
    col("fiat_currency", |s, c| {
        if s.fiat_currency.bytes().all(|b| b.is_ascii_uppercase()) {
            c.push(s.fiat_currency)
        } else {
            c.push(Currency::stored_fiat(s.fiat_currency).code())
        }
    }),
    col("fiat_total", |s, c| {
        let decimals = c.fiat_decimals(s.fiat_currency);
        c.push_amount(Some(s.fiat_amount), decimals)
    }),
    col("tip", |s, c| {
        let decimals = c.fiat_decimals(s.fiat_currency);
        c.push_amount(s.tip_amount, decimals)
    }),
    col("fiat_net", |s, c| push_net(c, s)),
    col("coin", |s, c| {
        if s.coin
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            c.push(s.coin)
        } else {
            c.push(Currency::new(s.coin, s.coin_decimals).code())
        }
    }),
    col("crypto_amount", |s, c| {
        c.push_amount(s.crypto_amount, s.coin_decimals)
    }),
    col("crypto_paid", |s, c| {
        c.push_amount(s.paid_amount, s.coin_decimals)
    }),
    col("rate", |s, c| push_rate(c, s.rate)),
    col("gateway", |s, c| c.push(s.gateway)),
    col("gateway_order_id", |s, c| c.push_opt(s.gateway_order_id)),
    col("merchant_order_id", |s, c| c.push(s.merchant_order_id)),
    col("address", |s, c| c.push_opt(s.address)),
    col("transaction_id", |s, c| c.push_opt(s.tx_id)),
    col("voided_utc", |s, c| c.push_utc(s.voided_at)),
    col("late_payment_utc", |s, c| c.push_utc(s.late_payment_at)),
    // Who sold it and in which shift (empty on a till without cashiers).
    col("cashier", |s, c| c.push_opt(s.cashier)),
    col("shift", |s, c| {
        if let Some(n) = s.shift_id {
            c.push_int(n)
        }
    }),
    // The till that sold it: on a shared ledger the server names it; on
    // SQLite every sale is the till's own.
    col("till", |s, c| {
        let till = s.till.unwrap_or(c.till.as_str());
        c.text.push_str(till)
    }),
    // What the sale's refunds gave back or have on their way (sent or
    // done), in the shop's currency; empty when none.
    col("refunded", |s, c| {
        if let Some(sum) = s.refunded.and_then(sum_amount_list) {
            let decimals = c.fiat_decimals(s.fiat_currency);
            c.push(&fixed(sum, decimals))
        }
    }),
];

/// The header line's names, in order.
pub fn csv_header() -> impl Iterator<Item = &'static str> {
    CSV_COLUMNS.iter().map(|c| c.name)
}

/// What a cell a spreadsheet would run as a formula starts with.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell a spreadsheet would run as a formula, made plain text.
pub fn neutralise(field: &str) -> std::borrow::Cow<'_, str> {
    if field.starts_with(FORMULA_STARTS) {
        format!("'{field}").into()
    } else {
        field.into()
    }
}

/// Appends one field to the line: neutralised, then quoted if it needs it.
fn push_field(line: &mut String, field: &str) {
    let field = neutralise(field);
    if needs_quotes(&field) {
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

/// Full batches the reading thread may get ahead of the writing one (about
/// 15 ms of reading): enough that one thread losing its core for a moment
/// on a busy till does not stall the other. With the one being filled and
/// the one being written, at most ten batches (about 7 MB) are alive,
/// whatever the ledger holds.
const IN_FLIGHT: usize = 8;
/// CSV bytes the writing thread gathers before one `write` to `out`: small
/// enough to still be in the core's cache when the kernel copies it (1 MiB
/// writes cost the kernel twice the time of 256 KiB ones, measured).
const CHUNK: usize = 256 * 1024;

/// Writes the CSV of the filter's sales to `out`, oldest first, as they are
/// read from the ledger (its own read connection: the counter goes on
/// selling meanwhile): memory stays that of a few batches of rows whatever
/// the ledger holds. Returns the number of sales. `out` gets large writes
/// (about 256 KiB each), so it needs no buffer of its own.
pub fn write_csv(
    ledger: &Ledger,
    filter: &SaleFilter,
    out: &mut (impl Write + Send),
) -> Result<usize> {
    write_rows(ledger, filter, out, |e| {
        Error::storage(Said::csv_write_failed(e))
    })
}

/// [`write_csv`], with the caller's words for a failed write.
///
/// Two threads, so the export uses both cores of a small till: this one
/// steps through the ledger's rows and copies each sale into a [`Batch`];
/// a scoped thread formats the batches' sales into CSV and writes them, in
/// the order they were read (one channel, one reader, one writer). At a
/// million sales reading took 1.8 s of CPU and writing 1.5 s, at the same
/// time, where one thread took 3.2 s (BENCHMARKS.md, round 23).
///
/// Either side's failure stops the other: a failed write drops the
/// channel, so the reading stops at its next batch; a failed read ends the
/// channel, the writer finishes, and the read's error is returned (the
/// writer's first, when both failed: the read then failed because the
/// writer stopped).
fn write_rows(
    ledger: &Ledger,
    filter: &SaleFilter,
    out: &mut (impl Write + Send),
    io: impl Fn(std::io::Error) -> Error + Sync,
) -> Result<usize> {
    let query = filter.query()?;
    let till = ledger.status().till_name;
    let (full, to_write) = mpsc::sync_channel::<Batch>(IN_FLIGHT);
    let (written, reuse) = mpsc::channel::<Batch>();
    std::thread::scope(|scope| {
        let writer = scope.spawn(|| write_batches(till, to_write, written, out, &io));
        let read = read_batches(ledger, &query, &full, &reuse);
        // The writer ends when the channel does.
        drop(full);
        let wrote = writer.join().unwrap_or_else(|_| {
            Err(io(std::io::Error::other(
                "the export's writing thread stopped",
            )))
        });
        let count = wrote?;
        read?;
        Ok(count)
    })
}

/// The reading side of [`write_rows`]: the query's rows, a batch at a time.
fn read_batches(
    ledger: &Ledger,
    query: &crate::ledger::SaleQuery,
    full: &mpsc::SyncSender<Batch>,
    reuse: &mpsc::Receiver<Batch>,
) -> Result<()> {
    let mut batch = Batch::new();
    let mut writer_gone = false;
    ledger.stream_stored(query, |sale| {
        batch.push(sale);
        if batch.is_full() {
            let next = reuse.try_recv().unwrap_or_else(|_| Batch::new());
            if full.send(std::mem::replace(&mut batch, next)).is_err() {
                // The writer stopped on an error; it reports it.
                writer_gone = true;
                return Ok(false);
            }
        }
        Ok(true)
    })?;
    if !batch.is_empty() && !writer_gone {
        // A send fails only when the writer stopped, which then reports why.
        let _ = full.send(batch);
    }
    Ok(())
}

/// The writing side of [`write_rows`]: the header, then each batch's sales
/// as CSV lines, in the order the batches come.
fn write_batches(
    till: String,
    batches: mpsc::Receiver<Batch>,
    written: mpsc::Sender<Batch>,
    out: &mut impl Write,
    io: &impl Fn(std::io::Error) -> Error,
) -> Result<usize> {
    let mut chunk = String::with_capacity(CHUNK + 64 * 1024);
    let mut cell = Cell::new();
    cell.till = till;
    for (i, name) in csv_header().enumerate() {
        if i > 0 {
            chunk.push(',');
        }
        push_field(&mut chunk, name);
    }
    chunk.push_str("\r\n");
    let mut count = 0;
    for mut batch in batches {
        for sale in batch.sales() {
            push_sale(&mut chunk, &mut cell, &sale);
        }
        count += batch.len();
        if chunk.len() >= CHUNK {
            out.write_all(chunk.as_bytes()).map_err(io)?;
            chunk.clear();
        }
        batch.clear();
        // The reader may have finished; then the batch is simply dropped.
        let _ = written.send(batch);
    }
    out.write_all(chunk.as_bytes()).map_err(io)?;
    out.flush().map_err(io)?;
    Ok(count)
}

/// Appends one sale's CSV line.
///
/// Each cell is written straight onto the line (the line is the cell's
/// text meanwhile), and only a cell that needs quoting or neutralising is
/// taken off and put back through [`push_field`]: at a million sales, 25
/// million cells are not copied twice.
fn push_sale(line: &mut String, cell: &mut Cell, sale: &StoredSale<'_>) {
    std::mem::swap(line, &mut cell.text);
    for (i, column) in CSV_COLUMNS.iter().enumerate() {
        if i > 0 {
            cell.text.push(',');
        }
        let start = cell.text.len();
        (column.cell)(sale, cell);
        if needs_care(&cell.text[start..]) {
            let field = cell.text.split_off(start);
            push_field(&mut cell.text, &field);
        }
    }
    cell.text.push_str("\r\n");
    std::mem::swap(line, &mut cell.text);
}

/// Whether [`push_field`] would change `field` (neutralise or quote it).
fn needs_care(field: &str) -> bool {
    field.starts_with(FORMULA_STARTS) || needs_quotes(field)
}

/// Whether `field` must be quoted (RFC 4180).
fn needs_quotes(field: &str) -> bool {
    field
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
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
    let fail = |e: std::io::Error| Error::storage(Said::csv_cannot_write(path.display(), e));
    let folder = path.parent().unwrap_or(Path::new("."));
    let partial = tempfile::Builder::new()
        .prefix(".cryptill-export-")
        .suffix(".part")
        .tempfile_in(folder)
        .map_err(fail)?;
    let count = write_rows(ledger, filter, &mut partial.as_file(), fail)?;
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

    /// The cell as the export wrote it before it copied stored text: parsed
    /// into a decimal, then formatted.
    fn parsed(stored: &str, decimals: u32) -> String {
        Decimal::from_str(stored)
            .map(|d| fixed(d, decimals))
            .unwrap_or_default()
    }

    #[test]
    fn stored_amounts_and_rates_are_written_as_parsing_and_formatting_them_would() {
        for (stored, decimals) in [
            ("12.50", 2),
            ("12.5", 2),
            ("012.50", 2),
            ("0.00", 2),
            ("1000", 0),
            ("1000.0", 0),
            ("0.014758620000000000", 18),
            ("0.01475862", 18),
            ("12.505", 2),
            ("1e3", 2),
            ("-1.00", 2),
            (".50", 2),
            ("7.", 2),
        ] {
            let mut cell = Cell::new();
            cell.push_amount(Some(stored), decimals);
            assert_eq!(
                cell.text,
                parsed(stored, decimals),
                "{stored} at {decimals}"
            );
        }
        for stored in [
            "58000", "58000.00", "0.000", "0", "0.1230", "100", "3.14159", "007", "1.5e2",
        ] {
            let mut cell = Cell::new();
            push_rate(&mut cell, Some(stored));
            let want = Decimal::from_str(stored)
                .map(|r| r.normalize().to_string())
                .unwrap_or_default();
            assert_eq!(cell.text, want, "{stored}");
        }
    }

    #[test]
    fn stored_times_in_any_rfc3339_form_are_written_in_the_stored_form() {
        for (stored, utc) in [
            ("2026-11-21T09:05:03.250Z", "2026-11-21T09:05:03.250Z"),
            ("2026-11-21T10:05:03.25+01:00", "2026-11-21T09:05:03.250Z"),
            ("2026-11-21T09:05:03Z", "2026-11-21T09:05:03.000Z"),
            ("2026-13-21T09:05:03.250Z", ""),
        ] {
            let mut cell = Cell::new();
            cell.push_utc(Some(stored));
            assert_eq!(cell.text, utc, "{stored}");
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
            let mut ours = Cell::new();
            ours.push_local(Some(&timestamp(t)), 0);
            let ours = ours.text;
            let chrono = t
                .with_timezone(&Local)
                .format("%Y-%m-%d %H:%M:%S %:z")
                .to_string();
            assert_eq!(ours, chrono);
        }
    }

    #[test]
    fn cells_written_onto_the_line_are_quoted_and_neutralised_as_each_cell_alone_would_be() {
        let sale = StoredSale {
            id: 7,
            created_at: "2026-11-29T12:00:00.000Z",
            paid_at: Some("2026-11-29T12:01:00+01:00"),
            state: "paid",
            fiat_currency: "eur",
            fiat_amount: "12.5",
            tip_amount: Some("1.00"),
            coin: "BTC",
            coin_decimals: 8,
            crypto_amount: Some("0.00021"),
            paid_amount: None,
            rate: Some("58000.10"),
            gateway: "=cmd|' /C calc'!A0",
            gateway_order_id: Some("a,b"),
            merchant_order_id: "say \"hi\"",
            address: Some("-2+3"),
            tx_id: Some("line\r\nbreak"),
            voided_at: None,
            late_payment_at: Some("\t@x"),
            cashier: Some("@SUM(A1)"),
            shift_id: Some(-1),
            till: Some("+till, \"two\""),
            refunded: Some("1.00 0.50"),
        };
        let mut each = String::new();
        let mut cell = Cell::new();
        for (i, column) in CSV_COLUMNS.iter().enumerate() {
            if i > 0 {
                each.push(',');
            }
            cell.text.clear();
            (column.cell)(&sale, &mut cell);
            push_field(&mut each, &cell.text);
        }
        each.push_str("\r\n");
        let mut line = "before\r\n".to_string();
        push_sale(&mut line, &mut Cell::new(), &sale);
        assert_eq!(line, format!("before\r\n{each}"));
        assert!(line.contains(",'=cmd|' /C calc'!A0,\"a,b\","), "{line}");
    }

    /// A ledger of `sales` made through the real schema, in a temp dir.
    fn filled(sales: usize) -> (tempfile::TempDir, Ledger) {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open(&dir.path().join("l.sqlite3")).unwrap();
        crate::ledger::generate::fill(
            &ledger,
            &crate::ledger::generate::Fill::new(sales as u64, 20),
        )
        .unwrap();
        (dir, ledger)
    }

    /// The CSV as one thread writes it: each sale formatted as it is read.
    fn one_thread(ledger: &Ledger) -> String {
        let mut csv = csv_header().collect::<Vec<_>>().join(",") + "\r\n";
        let mut cell = Cell::new();
        cell.till = ledger.status().till_name;
        ledger
            .stream_stored(&SaleFilter::default().query().unwrap(), |sale| {
                push_sale(&mut csv, &mut cell, sale);
                Ok(true)
            })
            .unwrap();
        csv
    }

    /// Files of a folder a failed export may have left.
    fn parts(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".cryptill-export-") || n.ends_with(".csv"))
            .collect()
    }

    #[test]
    fn the_two_thread_export_writes_every_sale_once_in_ledger_order_as_one_thread_would() {
        // Three batches and a part: the order must hold across them.
        let sales = 3 * super::super::batch::BATCH_SALES + 100;
        let (dir, ledger) = filled(sales);
        let path = dir.path().join("sales.csv");
        assert_eq!(
            export_csv(&ledger, &SaleFilter::default(), &path).unwrap(),
            sales
        );
        let csv = std::fs::read_to_string(&path).unwrap();
        assert_eq!(csv, one_thread(&ledger));
        let ids: Vec<i64> = csv
            .lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(ids.len(), sales);
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), sales, "no sale twice");
        let mut written = Vec::new();
        assert_eq!(
            write_csv(&ledger, &SaleFilter::default(), &mut written).unwrap(),
            sales
        );
        assert_eq!(String::from_utf8(written).unwrap(), csv);
    }

    #[test]
    fn a_sale_that_cannot_be_read_midway_fails_the_export_and_leaves_no_file() {
        let sales = 3 * super::super::batch::BATCH_SALES;
        let (dir, ledger) = filled(sales);
        // A hand-edited ledger: a state that is not text, two batches in,
        // so the writing thread has already written the first ones.
        let db = rusqlite::Connection::open(dir.path().join("l.sqlite3")).unwrap();
        db.execute(
            "UPDATE sales SET state = x'ff00' WHERE id = (SELECT id FROM sales
             ORDER BY created_at, id LIMIT 1 OFFSET ?1)",
            [2 * super::super::batch::BATCH_SALES + 10],
        )
        .unwrap();
        drop(db);
        let path = dir.path().join("sales.csv");
        let err = export_csv(&ledger, &SaleFilter::default(), &path).unwrap_err();
        assert!(matches!(err, Error::Ledger { .. }), "{err:?}");
        assert!(!path.exists());
        assert_eq!(parts(dir.path()), Vec::<String>::new());
    }

    /// A disk that fills up after `room` bytes.
    struct FullDisk {
        room: usize,
        asked: usize,
    }

    impl Write for FullDisk {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.asked += 1;
            if buf.len() > self.room {
                return Err(std::io::ErrorKind::StorageFull.into());
            }
            self.room -= buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_write_that_fails_midway_stops_the_reading_and_says_the_write_failed() {
        let (_dir, ledger) = filled(4 * super::super::batch::BATCH_SALES);
        let mut disk = FullDisk {
            room: CHUNK / 2,
            asked: 0,
        };
        let err = write_csv(&ledger, &SaleFilter::default(), &mut disk).unwrap_err();
        assert!(err.to_string().starts_with("Cannot write the CSV"), "{err}");
        assert!(err.to_string().contains("space"), "{err}");
        // The first write (a chunk) failed, and nothing was tried after it.
        assert_eq!(disk.asked, 1);
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
