//! The X report (the open shift so far) and the Z report (the shift at its
//! close): the day's Z-report figures over the shift's own sales, split by
//! cashier, with what changed since the last Z in sales of earlier shifts
//! (a void, a payment, a late payment): those are reported here, in the
//! next shift, because an old Z is never rewritten.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Result;
use crate::ledger::{Ledger, Sale, ShiftRecord};
use crate::money::Currency;
use crate::report::{
    exception, refund_lines, refund_totals, RefundTotal, ReportException, SaleTotals,
};
use crate::sale::timestamp;

/// One cashier's share of a shift.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CashierTotal {
    pub cashier: String,
    /// Settled sales (paid or overpaid).
    pub sales: u32,
    /// Total charged, tips included.
    pub gross: String,
    pub tips: String,
    pub net: String,
    pub voids: u32,
}

/// A cashier signing in (`open`, `switch`) or the shift's `close`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SignIn {
    pub kind: String,
    pub cashier: String,
    /// RFC 3339 UTC.
    pub at: String,
}

/// A shift's report: X while it is open (`number` is `None`), Z once closed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ShiftReport {
    /// The Z number, 1, 2, 3... per till; `None` for an X report.
    pub number: Option<u32>,
    #[ts(type = "number")]
    pub shift_id: i64,
    pub opened_at: String,
    pub opened_by: String,
    pub closed_at: Option<String>,
    pub closed_by: Option<String>,
    pub generated_at: String,
    pub currency: String,
    /// The shift's own sales added up (settled ones in the totals; voids,
    /// expiries, under/overpaid and late payments among the exceptions).
    #[serde(flatten)]
    #[ts(flatten)]
    pub totals: SaleTotals,
    pub cashiers: Vec<CashierTotal>,
    /// This shift's sales still waiting for payment: they carry over, and
    /// what becomes of them shows in a later shift's `earlier`.
    pub carried_over: Vec<ReportException>,
    /// Sales of earlier shifts (or from before shifts) that were paid
    /// (`paid`, `overpaid`), voided (`voided`) or paid late (`late`) since
    /// the last Z report.
    pub earlier: Vec<ReportException>,
    pub sign_ins: Vec<SignIn>,
    /// Money given back during the shift (refunds that finished as done
    /// since the last Z, so each is in exactly one Z), per coin, as the
    /// day's Z-report shows them. Empty in a Z stored before refunds.
    #[serde(default)]
    pub refunds: Vec<RefundTotal>,
    /// All of it in the report's currency, e.g. `"1.60"`.
    #[serde(default)]
    pub refunded: String,
}

pub(super) fn make(
    ledger: &Ledger,
    shift: &ShiftRecord,
    number: Option<u32>,
    now: DateTime<Utc>,
    currency: &Currency,
) -> Result<ShiftReport> {
    let sales = ledger.shift_sales(shift.id)?;
    let totals = SaleTotals::of(&sales, currency);
    let mut by_cashier: BTreeMap<String, Vec<&Sale>> = BTreeMap::new();
    for sale in &sales {
        let name = sale.cashier.clone().unwrap_or_default();
        by_cashier.entry(name).or_default().push(sale);
    }
    let cashiers = by_cashier
        .into_iter()
        .map(|(cashier, sales)| {
            let t = SaleTotals::of(sales, currency);
            CashierTotal {
                cashier,
                sales: t.sales_count,
                gross: t.gross,
                tips: t.tips,
                net: t.net,
                voids: t.voids,
            }
        })
        .collect();
    let carried_over = sales
        .iter()
        .filter(|s| s.voided_at.is_none() && !s.state.is_final())
        .map(|s| exception(s, "open"))
        .collect();
    // Since the last Z (or, for the first shift, since it opened): what
    // happened in that window to sales a Z already reported.
    let after = ledger.last_close()?.unwrap_or(shift.opened_at);
    let in_window = |t: Option<DateTime<Utc>>| t.is_some_and(|t| t > after && t <= now);
    let mut earlier = Vec::new();
    for sale in ledger.sales_settled_between(shift.id, after, now)? {
        if in_window(sale.voided_at) {
            earlier.push(exception(&sale, "voided"));
        }
        if in_window(sale.paid_at) {
            earlier.push(exception(&sale, sale.state.as_str()));
        }
        if in_window(sale.late_payment_at) {
            earlier.push(exception(&sale, "late"));
        }
    }
    // Refunds done in the same window as those sales, (after, now]: one
    // done in the very millisecond of this report (the ledger keeps
    // milliseconds) is in it, and the next shift, which starts after it,
    // does not count it again. `refund_totals` takes [from, to).
    let millisecond = chrono::Duration::milliseconds(1);
    let (refunds, refunded) = refund_totals(
        ledger,
        Some(after + millisecond),
        Some(now + millisecond),
        currency,
    )?;
    let sign_ins = ledger
        .shift_events(shift.id)?
        .into_iter()
        .map(|e| SignIn {
            kind: e.kind,
            cashier: e.cashier,
            at: timestamp(e.at),
        })
        .collect();
    Ok(ShiftReport {
        number,
        shift_id: shift.id,
        opened_at: timestamp(shift.opened_at),
        opened_by: shift.opened_by.clone(),
        closed_at: shift.closed_at.map(timestamp),
        closed_by: shift.closed_by.clone(),
        generated_at: timestamp(now),
        currency: currency.code().into(),
        totals,
        cashiers,
        carried_over,
        earlier,
        sign_ins,
        refunds,
        refunded: refunded.to_fixed(),
    })
}

/// The report as text, for the terminal and for printing.
pub fn shift_report_text(r: &ShiftReport) -> String {
    let c = &r.currency;
    let t = &r.totals;
    let title = match r.number {
        Some(n) => format!(
            "Z report {n} (shift closed {})",
            r.closed_at.as_deref().unwrap_or("-")
        ),
        None => format!("X report (shift open since {}, so far)", r.opened_at),
    };
    let mut lines = vec![
        title,
        format!("Opened by:    {} at {}", r.opened_by, r.opened_at),
    ];
    if let Some(by) = &r.closed_by {
        lines.push(format!("Closed by:    {by}"));
    }
    lines.push(format!("Sales:        {}", t.sales_count));
    lines.push(format!("Total:        {} {c}", t.gross));
    lines.push(format!("  of it tips: {} {c}", t.tips));
    lines.push(format!("Net of tips:  {} {c}", t.net));
    lines.push("Per cashier:".into());
    for p in &r.cashiers {
        lines.push(format!(
            "  {:<16} {} sale(s): {} {c}, tips {} {c}, voids {}",
            p.cashier, p.sales, p.gross, p.tips, p.voids
        ));
    }
    lines.push("Per coin:".into());
    for k in &t.coins {
        lines.push(k.line(c));
    }
    lines.push(format!(
        "Voids:        {} ({} {c})",
        t.voids, t.voided_amount
    ));
    lines.push(format!("Expired:      {}", t.expired));
    let list = |lines: &mut Vec<String>, title: &str, items: &[ReportException]| {
        lines.push(format!("{title}: {}", items.len()));
        lines.extend(items.iter().map(ReportException::line));
    };
    list(&mut lines, "Under/overpaid, late", &t.exceptions);
    list(&mut lines, "Open, carried over", &r.carried_over);
    list(
        &mut lines,
        "Earlier sales settled in this shift",
        &r.earlier,
    );
    // A Z stored before refunds were reported has no figure: no line.
    if !r.refunded.is_empty() {
        lines.extend(refund_lines(&r.refunded, &r.refunds, c));
    }
    if t.other_currency_sales > 0 {
        lines.push(format!(
            "Sales in other currencies (not in the totals): {}",
            t.other_currency_sales
        ));
    }
    lines.push("Sign-ins:".into());
    for s in &r.sign_ins {
        lines.push(format!("  {} {} {}", s.at, s.kind, s.cashier));
    }
    lines.join("\n")
}
