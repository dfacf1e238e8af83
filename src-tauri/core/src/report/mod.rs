//! What the owner reads out of the ledger: the Z-report for a day or a shift,
//! the sales history with filters, and the CSV for the accountant. Sums are
//! exact decimals in each currency's precision; days are the till's local
//! days, times are also given in UTC.

mod csv;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Local, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use self::csv::{csv_text, export_csv, CSV_HEADER};
use crate::error::{Error, Result};
use crate::gateway::SaleState;
use crate::ledger::{Ledger, Sale};
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
                    .ok_or_else(|| Error::Input(format!("'{d}' is too far in the future.")))?;
                day_start(&next)
            })
            .transpose()?;
        if let (Some(f), Some(t)) = (from, to) {
            if f >= t {
                return Err(Error::Input(
                    "The first day comes after the last day. Swap them.".into(),
                ));
            }
        }
        Ok((from, to))
    }

    fn keeps(&self, sale: &Sale) -> bool {
        let status_ok = match clean(&self.status) {
            None => true,
            Some("voided") => sale.voided_at.is_some(),
            Some("late") => sale.late_payment_at.is_some(),
            Some("exceptions") => exception_kind(sale).is_some(),
            Some(state) => sale.state.as_str() == state,
        };
        let coin_ok = clean(&self.coin).is_none_or(|c| sale.coin.code().eq_ignore_ascii_case(c));
        let search_ok = clean(&self.search).is_none_or(|text| {
            let text = text.to_lowercase();
            [
                Some(sale.id.to_string()),
                Some(sale.merchant_order_id.clone()),
                sale.gateway_order_id.clone(),
                sale.address.clone(),
                sale.transaction_id.clone(),
            ]
            .into_iter()
            .flatten()
            .any(|field| field.to_lowercase().contains(&text))
        });
        status_ok && coin_ok && search_ok
    }
}

fn clean(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

pub fn parse_day(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        Error::Input(format!(
            "'{text}' is not a date. Write it as YYYY-MM-DD, e.g. 2026-11-21."
        ))
    })
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
        .ok_or_else(|| Error::Input(format!("{day} has no start in this time zone.")))
}

/// The sales the filter keeps, oldest first.
pub fn sales(ledger: &Ledger, filter: &SaleFilter) -> Result<Vec<Sale>> {
    let (from, to) = filter.range()?;
    let mut sales = ledger.sales_created_between(from, to)?;
    sales.retain(|s| filter.keeps(s));
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
        }
    }
}

/// Newest first, as the owner scrolls it.
pub fn history(ledger: &Ledger, filter: &SaleFilter) -> Result<Vec<SaleRow>> {
    Ok(sales(ledger, filter)?
        .iter()
        .rev()
        .map(SaleRow::from)
        .collect())
}

/// One coin's share of the takings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
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

/// The Z-report over the filter's days (its status, coin and search also apply).
pub fn z_report(ledger: &Ledger, filter: &SaleFilter, shop_currency: &str) -> Result<ZReport> {
    let currency = Currency::fiat(shop_currency)?;
    let all = sales(ledger, filter)?;
    let fiat = |d: Decimal| Money::new(d, currency.clone()).to_fixed();
    let (mut gross, mut tips, mut voided) = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    let (mut count, mut voids, mut expired, mut open, mut other) = (0u32, 0u32, 0u32, 0u32, 0u32);
    let mut coins: BTreeMap<String, (u32, Decimal, Decimal, Decimal, Currency)> = BTreeMap::new();
    let mut exceptions = Vec::new();
    let mut settled_times = Vec::new();
    for sale in &all {
        let ours = sale.fiat.currency().code() == currency.code();
        if let Some(kind) = exception_kind(sale) {
            exceptions.push(ReportException {
                sale_id: sale.id,
                kind: kind.into(),
                coin: sale.coin.code().into(),
                crypto_amount: sale.crypto.as_ref().map(Money::to_fixed),
                paid_amount: sale.paid.as_ref().map(Money::to_fixed),
                fiat_amount: sale.fiat.to_string(),
                created_at: timestamp(sale.created_at),
            });
        }
        if sale.voided_at.is_some() {
            voids += 1;
            if ours {
                voided += sale.fiat.amount();
            }
            continue;
        }
        match sale.state {
            SaleState::Expired => expired += 1,
            s if !s.is_final() => open += 1,
            _ => {}
        }
        if !is_settled(sale) {
            continue;
        }
        if !ours {
            other += 1;
            continue;
        }
        count += 1;
        settled_times.push(sale.created_at);
        gross += sale.fiat.amount();
        tips += sale.tip.as_ref().map(Money::amount).unwrap_or_default();
        let entry = coins.entry(sale.coin.code().to_string()).or_insert((
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
    Ok(ZReport {
        from: clean(&filter.from).map(String::from),
        to: clean(&filter.to).map(String::from),
        generated_at: timestamp(Utc::now()),
        currency: currency.code().into(),
        sales_count: count,
        gross: fiat(gross),
        tips: fiat(tips),
        net: fiat(gross - tips),
        coins: coins
            .into_iter()
            .map(|(coin, (sales, crypto, paid, fiat_sum, cur))| CoinTotal {
                coin,
                sales,
                crypto_amount: Money::new(crypto, cur.clone()).to_fixed(),
                paid_amount: Money::new(paid, cur).to_fixed(),
                fiat_amount: fiat(fiat_sum),
            })
            .collect(),
        voids,
        voided_amount: fiat(voided),
        expired,
        open,
        exceptions,
        other_currency_sales: other,
        first_sale_at: settled_times.first().copied().map(timestamp),
        last_sale_at: settled_times.last().copied().map(timestamp),
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
        format!("Sales:        {}", r.sales_count),
        format!("Total:        {} {}", r.gross, r.currency),
        format!("  of it tips: {} {}", r.tips, r.currency),
        format!("Net of tips:  {} {}", r.net, r.currency),
    ];
    for c in &r.coins {
        lines.push(format!(
            "  {:<6} {} sale(s): {} {} asked, {} {} received = {} {}",
            c.coin,
            c.sales,
            c.crypto_amount,
            c.coin,
            c.paid_amount,
            c.coin,
            c.fiat_amount,
            r.currency
        ));
    }
    lines.push(format!(
        "Voids:        {} ({} {})",
        r.voids, r.voided_amount, r.currency
    ));
    lines.push(format!("Expired:      {}", r.expired));
    lines.push(format!("Still open:   {}", r.open));
    for e in &r.exceptions {
        lines.push(format!(
            "  sale {} {}: {} asked {} {}, received {} {}",
            e.sale_id,
            e.kind,
            e.fiat_amount,
            e.crypto_amount.as_deref().unwrap_or("-"),
            e.coin,
            e.paid_amount.as_deref().unwrap_or("0"),
            e.coin
        ));
    }
    if r.other_currency_sales > 0 {
        lines.push(format!(
            "Sales in other currencies (not in the totals): {}",
            r.other_currency_sales
        ));
    }
    lines.push(format!(
        "First sale:   {}",
        r.first_sale_at.as_deref().unwrap_or("-")
    ));
    lines.push(format!(
        "Last sale:    {}",
        r.last_sale_at.as_deref().unwrap_or("-")
    ));
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
        return Err(Error::Input(format!(
            "'{}' is not a full path to a .csv file. Type one such as /home/shop/sales.csv.",
            path.display()
        )));
    }
    if path.parent().is_none_or(|p| !p.is_dir()) {
        return Err(Error::Input(format!(
            "The folder of '{}' does not exist. Choose an existing folder.",
            path.display()
        )));
    }
    Ok(())
}
