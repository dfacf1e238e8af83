//! What the owner reads out of the ledger: the Z-report for a day or a shift,
//! the sales history with filters, and the CSV for the accountant. Sums are
//! exact decimals in each currency's precision; days are the till's local
//! days, times are also given in UTC.

mod batch;
mod csv;

use crate::said::Said;
use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Local, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use self::csv::{csv_header, export_csv, write_csv, CSV_COLUMNS};
use crate::error::{Error, Result};
use crate::gateway::SaleState;
use crate::ledger::{
    refunded_fiat, Ledger, Order, Read, RefundRecord, Sale, SaleCursor, SaleQuery, StatusFilter,
};
use crate::money::{Currency, Money};
use crate::sale::timestamp;

/// Which sales the owner looks at. Dates are the till's local days,
/// `YYYY-MM-DD`, both ends included; a missing end is open.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct SaleFilter {
    #[ts(optional)]
    pub from: Option<String>,
    #[ts(optional)]
    pub to: Option<String>,
    /// A sale state (`paid`, `expired`, ...), or `voided`, `late`, `exceptions`.
    #[ts(optional)]
    pub status: Option<String>,
    /// A coin symbol, e.g. `BTC`.
    #[ts(optional)]
    pub coin: Option<String>,
    /// Part of a sale number, order id, address or transaction id.
    #[ts(optional)]
    pub search: Option<String>,
    /// The cashier's name (any case).
    #[ts(optional)]
    pub cashier: Option<String>,
    /// The shift's number.
    #[ts(optional, type = "number")]
    pub shift: Option<i64>,
    /// The till's name (any case): on a shared ledger, that till's sales only.
    #[ts(optional)]
    pub till: Option<String>,
}

/// A `[from, to)` range of instants; an open end is `None`.
type DayRange = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

impl SaleFilter {
    /// One local day.
    pub fn day(day: &str) -> Self {
        Self {
            from: Some(day.into()),
            to: Some(day.into()),
            ..Self::default()
        }
    }

    /// Today, in the till's time zone.
    pub fn today() -> Self {
        Self::day(&Local::now().date_naive().format("%Y-%m-%d").to_string())
    }

    /// The UTC range `[from, to)` the dates cover.
    fn range(&self) -> Result<DayRange> {
        let from = clean(&self.from)
            .map(|d| day_start(&parse_day(d)?))
            .transpose()?;
        let to = clean(&self.to)
            .map(|d| {
                let day = parse_day(d)?;
                let next = day
                    .succ_opt()
                    .ok_or_else(|| Error::input(Said::date_too_far(d)))?;
                day_start(&next)
            })
            .transpose()?;
        if let (Some(f), Some(t)) = (from, to) {
            if f >= t {
                return Err(Error::input(Said::dates_swapped()));
            }
        }
        Ok((from, to))
    }

    /// The ledger query for this filter: its days as UTC instants, its
    /// status, coin and search as the ledger filters them (in SQLite, on
    /// indexes).
    pub fn query(&self) -> Result<SaleQuery> {
        let (from, to) = self.range()?;
        let status = clean(&self.status).map(|s| match s {
            "voided" => StatusFilter::Voided,
            "late" => StatusFilter::Late,
            "exceptions" => StatusFilter::Exceptions,
            state => StatusFilter::State(state.to_string()),
        });
        Ok(SaleQuery {
            from,
            to,
            status,
            coin: clean(&self.coin).map(str::to_ascii_uppercase),
            search: clean(&self.search).map(String::from),
            cashier: clean(&self.cashier).map(String::from),
            shift: self.shift,
            till: clean(&self.till).map(String::from),
        })
    }
}

fn clean(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

pub fn parse_day(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| Error::input(Said::not_a_date(text)))
}

/// Midnight at the start of `day` in the till's time zone, in UTC. On a day
/// whose midnight is skipped by a clock change, the first moment that exists.
fn day_start(day: &NaiveDate) -> Result<DateTime<Utc>> {
    let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    Local
        .from_local_datetime(&midnight)
        .earliest()
        .or_else(|| {
            Local
                .from_local_datetime(&(midnight + chrono::Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| Error::input(Said::day_has_no_start(day)))
}

/// The sales the filter keeps, oldest first. All of them in memory: for a
/// short range; the history pages and the CSV streams.
pub fn sales(ledger: &Ledger, filter: &SaleFilter) -> Result<Vec<Sale>> {
    let mut sales = Vec::new();
    ledger.each_sale(&filter.query()?, Read::ALL, |s| {
        sales.push(s);
        Ok(true)
    })?;
    Ok(sales)
}

/// A settled sale counts in the takings: paid in full, or more.
fn is_settled(sale: &Sale) -> bool {
    matches!(sale.state, SaleState::Paid | SaleState::Overpaid)
}

fn exception_kind(sale: &Sale) -> Option<&'static str> {
    if sale.late_payment_at.is_some() {
        Some("late")
    } else if sale.state == SaleState::Underpaid {
        Some("underpaid")
    } else if sale.state == SaleState::Overpaid {
        Some("overpaid")
    } else {
        None
    }
}

/// One line of the sales history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SaleRow {
    #[ts(type = "number")]
    pub id: i64,
    pub merchant_order_id: String,
    pub state: SaleState,
    pub fiat_amount: String,
    pub fiat_currency: String,
    pub tip_amount: Option<String>,
    pub coin: String,
    pub crypto_amount: Option<String>,
    pub paid_amount: Option<String>,
    /// Price of one coin in the fiat currency, locked at the sale.
    pub rate: Option<String>,
    pub gateway: String,
    pub gateway_order_id: Option<String>,
    pub address: Option<String>,
    pub transaction_id: Option<String>,
    /// RFC 3339 UTC.
    pub created_at: String,
    pub paid_at: Option<String>,
    pub voided_at: Option<String>,
    pub late_payment_at: Option<String>,
    pub needs_owner: bool,
    /// Who sold it; `None` on a till without cashiers.
    pub cashier: Option<String>,
    /// The shift it was sold in.
    #[ts(type = "number | null")]
    pub shift: Option<i64>,
    /// The till that sold it, on a shared ledger (`None`: this till).
    pub till: Option<String>,
    /// The sale's refunds, oldest first, each with its state, amounts and
    /// times (filled by [`history_page`]).
    pub refunds: Vec<RefundRecord>,
    /// What its refunds gave back or have on their way (sent or done), in
    /// the sale's currency, e.g. `"1.60"`; `None` when nothing was.
    pub refunded: Option<String>,
}

impl SaleRow {
    /// Sets the sale's refunds and the refunded figure they add up to.
    fn with_refunds(mut self, refunds: Vec<RefundRecord>) -> Result<Self> {
        self.refunded = refunded_fiat(&refunds)?.map(|m| m.to_fixed());
        self.refunds = refunds;
        Ok(self)
    }
}

impl From<&Sale> for SaleRow {
    fn from(s: &Sale) -> Self {
        Self {
            id: s.id,
            merchant_order_id: s.merchant_order_id.clone(),
            state: s.state,
            fiat_amount: s.fiat.to_fixed(),
            fiat_currency: s.fiat.currency().code().into(),
            tip_amount: s.tip.as_ref().map(Money::to_fixed),
            coin: s.coin.code().into(),
            crypto_amount: s.crypto.as_ref().map(Money::to_fixed),
            paid_amount: s.paid.as_ref().map(Money::to_fixed),
            rate: s.rate.map(|r| r.normalize().to_string()),
            gateway: s.gateway.as_str().into(),
            gateway_order_id: s.gateway_order_id.clone(),
            address: s.address.clone(),
            transaction_id: s.transaction_id.clone(),
            created_at: timestamp(s.created_at),
            paid_at: s.paid_at.map(timestamp),
            voided_at: s.voided_at.map(timestamp),
            late_payment_at: s.late_payment_at.map(timestamp),
            needs_owner: s.needs_owner,
            cashier: s.cashier.clone(),
            shift: s.shift_id,
            till: s.till.clone(),
            refunds: Vec::new(),
            refunded: None,
        }
    }
}

/// Which page of the history: the first, or the one after a cursor.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct PageRequest {
    /// The `next` of the page before; none for the newest sales.
    #[ts(optional)]
    pub after: Option<SaleCursor>,
    /// Rows per page, [`PAGE_SIZE`] when not given, at most [`MAX_PAGE_SIZE`].
    #[ts(optional)]
    pub limit: Option<u32>,
}

/// One page of the sales history, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SalePage {
    pub rows: Vec<SaleRow>,
    /// Where the next (older) page starts; none when this is the last.
    pub next: Option<SaleCursor>,
}

pub const PAGE_SIZE: u32 = 100;
pub const MAX_PAGE_SIZE: u32 = 1_000;

/// One page of the history, newest first, as the owner scrolls it. Keyset
/// pagination: the page after a cursor reads from the cursor on, so the
/// thousandth page costs what the first does.
pub fn history_page(ledger: &Ledger, filter: &SaleFilter, page: &PageRequest) -> Result<SalePage> {
    let limit = page.limit.unwrap_or(PAGE_SIZE).clamp(1, MAX_PAGE_SIZE) as usize;
    let mut rows = Vec::with_capacity(limit + 1);
    // One more than the page: whether there is a next page at all.
    let read = Read {
        order: Order::NewestFirst,
        after: page.after.as_ref(),
        limit: Some(limit + 1),
    };
    ledger.each_sale(&filter.query()?, read, |s| {
        rows.push(s);
        Ok(true)
    })?;
    let next = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|s| SaleCursor {
            created_at: timestamp(s.created_at),
            id: s.id,
        })
    } else {
        None
    };
    // The page's refunds in one statement, handed to their sales.
    let ids: Vec<i64> = rows.iter().map(|s| s.id).collect();
    let mut refunds: BTreeMap<i64, Vec<RefundRecord>> = BTreeMap::new();
    for refund in ledger.refunds_of_sales(&ids)? {
        refunds.entry(refund.sale_id).or_default().push(refund);
    }
    let rows = rows
        .iter()
        .map(|s| SaleRow::from(s).with_refunds(refunds.remove(&s.id).unwrap_or_default()))
        .collect::<Result<_>>()?;
    Ok(SalePage { rows, next })
}

/// One coin's share of the takings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CoinTotal {
    pub coin: String,
    pub sales: u32,
    /// What the settled sales asked, at their locked rates.
    pub crypto_amount: String,
    /// What arrived.
    pub paid_amount: String,
    /// The same sales in the shop currency.
    pub fiat_amount: String,
}

/// A sale the owner should look at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ReportException {
    #[ts(type = "number")]
    pub sale_id: i64,
    /// `underpaid`, `overpaid` or `late`.
    pub kind: String,
    pub coin: String,
    pub crypto_amount: Option<String>,
    pub paid_amount: Option<String>,
    pub fiat_amount: String,
    pub created_at: String,
}

/// The Z-report: a day's (or shift's) takings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ZReport {
    /// First and last local day covered (`None`: open end).
    pub from: Option<String>,
    pub to: Option<String>,
    pub generated_at: String,
    pub currency: String,
    /// The range's sales added up, as a shift's report adds up its own.
    #[serde(flatten)]
    #[ts(flatten)]
    pub totals: SaleTotals,
    /// The tills whose sales the report covers, each with its own figures
    /// (one entry on a till of its own; every till that sold on a shared
    /// ledger), by name.
    pub tills: Vec<TillTotals>,
    /// Money given back in the range (refunds that finished as done then),
    /// per coin; refunds in another currency than the report's are left out.
    pub refunds: Vec<RefundTotal>,
    /// All of it in the report's currency, e.g. `"100.00"`.
    pub refunded: String,
}

/// One till's share of a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TillTotals {
    pub till: String,
    #[serde(flatten)]
    #[ts(flatten)]
    pub totals: SaleTotals,
}

/// One coin's refunds in a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RefundTotal {
    pub coin: String,
    pub refunds: u32,
    pub crypto_amount: String,
    pub fiat_amount: String,
}

impl RefundTotal {
    /// The coin's refund line of a printed report.
    pub fn line(&self, currency: &str) -> String {
        let c = &self.coin;
        format!(
            "  {c:<6} {} refund(s): {} {c} = {} {currency}",
            self.refunds, self.crypto_amount, self.fiat_amount
        )
    }
}

/// A report's refund lines as text (the day's Z-report and a shift's X/Z
/// say them alike): the sum, then one line per coin.
pub fn refund_lines(refunded: &str, refunds: &[RefundTotal], currency: &str) -> Vec<String> {
    let mut lines = vec![format!("Refunded:     {refunded} {currency}")];
    lines.extend(refunds.iter().map(|r| r.line(currency)));
    lines
}

/// The refunds done in `[from, to)` in `currency`, per coin, and their sum
/// in it. Checked decimal sums: a ledger that does not add up is an error.
pub fn refund_totals(
    ledger: &Ledger,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    currency: &Currency,
) -> Result<(Vec<RefundTotal>, Money)> {
    let overflow = || Error::storage(Said::refunds_do_not_add_up());
    let mut per_coin: Vec<(String, u32, Money, Decimal)> = Vec::new();
    let mut total = Decimal::ZERO;
    for refund in ledger.refunds_done_between(from, to)? {
        if refund.fiat_currency != currency.code() {
            continue;
        }
        let fiat = refund.fiat()?.amount();
        let crypto = refund.crypto()?;
        total = total.checked_add(fiat).ok_or_else(overflow)?;
        match per_coin.iter_mut().find(|(coin, ..)| *coin == refund.coin) {
            Some((_, count, sum, fiat_sum)) => {
                *count += 1;
                let added = sum
                    .amount()
                    .checked_add(crypto.amount())
                    .ok_or_else(overflow)?;
                *sum = Money::new(added, crypto.currency().clone());
                *fiat_sum = fiat_sum.checked_add(fiat).ok_or_else(overflow)?;
            }
            None => per_coin.push((refund.coin.clone(), 1, crypto, fiat)),
        }
    }
    let totals = per_coin
        .into_iter()
        .map(|(coin, refunds, crypto, fiat)| RefundTotal {
            coin,
            refunds,
            crypto_amount: crypto.to_fixed(),
            fiat_amount: Money::new(fiat, currency.clone()).to_fixed(),
        })
        .collect();
    Ok((totals, Money::new(total, currency.clone())))
}

impl CoinTotal {
    /// The coin's line of a printed report.
    pub fn line(&self, currency: &str) -> String {
        let c = &self.coin;
        format!(
            "  {c:<6} {} sale(s): {} {c} asked, {} {c} received = {} {currency}",
            self.sales, self.crypto_amount, self.paid_amount, self.fiat_amount
        )
    }
}

impl ReportException {
    /// The exception's line of a printed report.
    pub fn line(&self) -> String {
        format!(
            "  sale {} {}: {} asked {} {}, received {} {}",
            self.sale_id,
            self.kind,
            self.fiat_amount,
            self.crypto_amount.as_deref().unwrap_or("-"),
            self.coin,
            self.paid_amount.as_deref().unwrap_or("0"),
            self.coin
        )
    }
}

/// What a set of sales adds up to: the figures a Z-report (of a day or of
/// a shift) and an X report share. A shift's report carries it whole
/// (`shift::ShiftReport`), and so does the day's [`ZReport`]; both flatten
/// it, so their JSON has the figures at the top level.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SaleTotals {
    /// Settled sales (paid or overpaid) in the shop currency.
    pub sales_count: u32,
    /// Total charged, tips included.
    pub gross: String,
    pub tips: String,
    /// Gross less tips.
    pub net: String,
    pub coins: Vec<CoinTotal>,
    pub voids: u32,
    pub voided_amount: String,
    pub expired: u32,
    /// Sales still waiting for payment.
    pub open: u32,
    pub exceptions: Vec<ReportException>,
    /// Settled sales charged in another currency than the shop's (made from
    /// the command line); not in the totals above.
    pub other_currency_sales: u32,
    pub first_sale_at: Option<String>,
    pub last_sale_at: Option<String>,
}

/// An exception line for `sale` of `kind`.
pub(crate) fn exception(sale: &Sale, kind: &str) -> ReportException {
    ReportException {
        sale_id: sale.id,
        kind: kind.into(),
        coin: sale.coin.code().into(),
        crypto_amount: sale.crypto.as_ref().map(Money::to_fixed),
        paid_amount: sale.paid.as_ref().map(Money::to_fixed),
        fiat_amount: sale.fiat.to_string(),
        created_at: timestamp(sale.created_at),
    }
}

impl SaleTotals {
    /// Adds up `sales` in the shop's `currency`. Sums are exact decimals.
    pub fn of<'s>(sales: impl IntoIterator<Item = &'s Sale>, currency: &Currency) -> Self {
        let mut tally = Tally::new(currency);
        for sale in sales {
            tally.add(sale);
        }
        tally.finish()
    }
}

/// [`SaleTotals`] as it is being added up, one sale at a time: the day's
/// report feeds it straight from the ledger's rows, so a long range costs
/// time, never memory.
struct Tally<'c> {
    currency: &'c Currency,
    gross: Decimal,
    tips: Decimal,
    voided: Decimal,
    count: u32,
    voids: u32,
    expired: u32,
    open: u32,
    other: u32,
    /// Per coin: sales, crypto asked, crypto paid, fiat, the coin.
    coins: BTreeMap<String, (u32, Decimal, Decimal, Decimal, Currency)>,
    exceptions: Vec<ReportException>,
    first_sale: Option<DateTime<Utc>>,
    last_sale: Option<DateTime<Utc>>,
}

impl<'c> Tally<'c> {
    fn new(currency: &'c Currency) -> Self {
        Tally {
            currency,
            gross: Decimal::ZERO,
            tips: Decimal::ZERO,
            voided: Decimal::ZERO,
            count: 0,
            voids: 0,
            expired: 0,
            open: 0,
            other: 0,
            coins: BTreeMap::new(),
            exceptions: Vec::new(),
            first_sale: None,
            last_sale: None,
        }
    }

    fn add(&mut self, sale: &Sale) {
        let ours = sale.fiat.currency().code() == self.currency.code();
        if let Some(kind) = exception_kind(sale) {
            self.exceptions.push(exception(sale, kind));
        }
        if sale.voided_at.is_some() {
            self.voids += 1;
            if ours {
                self.voided += sale.fiat.amount();
            }
            return;
        }
        match sale.state {
            SaleState::Expired => self.expired += 1,
            s if !s.is_final() => self.open += 1,
            _ => {}
        }
        if !is_settled(sale) {
            return;
        }
        if !ours {
            self.other += 1;
            return;
        }
        self.count += 1;
        self.first_sale.get_or_insert(sale.created_at);
        self.last_sale = Some(sale.created_at);
        self.gross += sale.fiat.amount();
        self.tips += sale.tip.as_ref().map(Money::amount).unwrap_or_default();
        let entry = self.coins.entry(sale.coin.code().to_string()).or_insert((
            0,
            Decimal::ZERO,
            Decimal::ZERO,
            Decimal::ZERO,
            sale.coin.clone(),
        ));
        entry.0 += 1;
        entry.1 += sale.crypto.as_ref().map(Money::amount).unwrap_or_default();
        entry.2 += sale.paid.as_ref().map(Money::amount).unwrap_or_default();
        entry.3 += sale.fiat.amount();
    }

    fn finish(self) -> SaleTotals {
        let currency = self.currency;
        let fiat = |d: Decimal| Money::new(d, currency.clone()).to_fixed();
        SaleTotals {
            sales_count: self.count,
            gross: fiat(self.gross),
            tips: fiat(self.tips),
            net: fiat(self.gross - self.tips),
            coins: self
                .coins
                .into_iter()
                .map(|(coin, (sales, crypto, paid, fiat_sum, cur))| CoinTotal {
                    coin,
                    sales,
                    crypto_amount: Money::new(crypto, cur.clone()).to_fixed(),
                    paid_amount: Money::new(paid, cur).to_fixed(),
                    fiat_amount: fiat(fiat_sum),
                })
                .collect(),
            voids: self.voids,
            voided_amount: fiat(self.voided),
            expired: self.expired,
            open: self.open,
            exceptions: self.exceptions,
            other_currency_sales: self.other,
            first_sale_at: self.first_sale.map(timestamp),
            last_sale_at: self.last_sale.map(timestamp),
        }
    }
}

/// The Z-report over the filter's days (its status, coin and search also apply).
pub fn z_report(ledger: &Ledger, filter: &SaleFilter, shop_currency: &str) -> Result<ZReport> {
    let currency = Currency::fiat(shop_currency)?;
    let mut tally = Tally::new(&currency);
    // This till's sales carry no till name on SQLite: they are this till's.
    let own = ledger.status().till_name;
    let mut tills: BTreeMap<String, Tally> = BTreeMap::new();
    // One pass over the range as it is read, oldest first: a long range
    // costs time, never memory.
    ledger.each_sale(&filter.query()?, Read::ALL, |sale| {
        tally.add(&sale);
        let till = sale.till.clone().unwrap_or_else(|| own.clone());
        tills
            .entry(till)
            .or_insert_with(|| Tally::new(&currency))
            .add(&sale);
        Ok(true)
    })?;
    let (from, to) = filter.range()?;
    let (refunds, refunded) = refund_totals(ledger, from, to, &currency)?;
    Ok(ZReport {
        from: clean(&filter.from).map(String::from),
        to: clean(&filter.to).map(String::from),
        generated_at: timestamp(Utc::now()),
        currency: currency.code().into(),
        totals: tally.finish(),
        tills: tills
            .into_iter()
            .map(|(till, t)| TillTotals {
                till,
                totals: t.finish(),
            })
            .collect(),
        refunds,
        refunded: refunded.to_fixed(),
    })
}

/// The report as text, for the terminal and for printing.
impl ZReport {
    /// The days covered, as a person reads them: one day, or "from to to".
    pub fn period(&self) -> String {
        match (&self.from, &self.to) {
            (Some(f), Some(t)) if f == t => f.clone(),
            (f, t) => format!(
                "{} to {}",
                f.as_deref().unwrap_or("the start"),
                t.as_deref().unwrap_or("now")
            ),
        }
    }
}

pub fn z_report_text(r: &ZReport) -> String {
    let period = r.period();
    let mut lines = vec![
        format!("Z-report {period}"),
        format!("Sales:        {}", r.totals.sales_count),
        format!("Total:        {} {}", r.totals.gross, r.currency),
        format!("  of it tips: {} {}", r.totals.tips, r.currency),
        format!("Net of tips:  {} {}", r.totals.net, r.currency),
    ];
    for c in &r.totals.coins {
        lines.push(c.line(&r.currency));
    }
    lines.push(format!(
        "Voids:        {} ({} {})",
        r.totals.voids, r.totals.voided_amount, r.currency
    ));
    lines.push(format!("Expired:      {}", r.totals.expired));
    lines.push(format!("Still open:   {}", r.totals.open));
    for e in &r.totals.exceptions {
        lines.push(e.line());
    }
    lines.extend(refund_lines(&r.refunded, &r.refunds, &r.currency));
    if r.totals.other_currency_sales > 0 {
        lines.push(format!(
            "Sales in other currencies (not in the totals): {}",
            r.totals.other_currency_sales
        ));
    }
    lines.push(format!(
        "First sale:   {}",
        r.totals.first_sale_at.as_deref().unwrap_or("-")
    ));
    lines.push(format!(
        "Last sale:    {}",
        r.totals.last_sale_at.as_deref().unwrap_or("-")
    ));
    if r.tills.len() > 1 {
        for t in &r.tills {
            lines.push(format!(
                "Till {}: {} sale(s), {} {}",
                t.till, t.totals.sales_count, t.totals.gross, r.currency
            ));
        }
    }
    lines.join("\n")
}

/// Where a CSV may be written: an absolute path to a `.csv` file in an
/// existing folder. The window passes what the owner typed.
pub fn check_export_path(path: &Path) -> Result<()> {
    if !path.is_absolute()
        || path
            .extension()
            .is_none_or(|e| !e.eq_ignore_ascii_case("csv"))
    {
        return Err(Error::input(Said::csv_path_not_full(path.display())));
    }
    if path.parent().is_none_or(|p| !p.is_dir()) {
        return Err(Error::input(Said::csv_folder_missing(path.display())));
    }
    Ok(())
}
