//! Refunds (issue 18): money given back to a customer for a sale, one row
//! per refund, linked to its sale.
//!
//! The one SQL path (`db.rs`): the same statements run on the till's
//! SQLite file and on the shop's shared PostgreSQL ledger, where refunds sit
//! beside the sales they belong to. Amounts are decimal text, times RFC 3339
//! UTC text (the server's clock on a shared ledger). Sums are made here in
//! `Decimal` with checked arithmetic, never in SQL.
//!
//! Life cycle: `requested` (a cashier asked; waits for the owner) →
//! `approved` → `sending` (written before the gateway hears of it, so a
//! crash mid-call leaves a trace) → `sent` (the gateway accepted it) →
//! `done` or `failed`; or `rejected` by the owner before sending. Nothing is
//! `sent` unless the gateway accepted it.

use crate::said::Said;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use ts_rs::TS;

use super::db::{args, Cols, Db, Value};
use super::Ledger;
use crate::error::{Error, Result};
use crate::money::{Currency, Money};
use crate::sale::timestamp;

/// Why money goes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum RefundKind {
    /// The customer returns goods.
    Return,
    /// The customer paid more than asked: the excess goes back.
    Overpaid,
    /// The customer paid part and could not finish: what arrived goes back.
    Underpaid,
}

impl RefundKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RefundKind::Return => "return",
            RefundKind::Overpaid => "overpaid",
            RefundKind::Underpaid => "underpaid",
        }
    }

    pub fn parse(text: &str) -> Option<RefundKind> {
        [
            RefundKind::Return,
            RefundKind::Overpaid,
            RefundKind::Underpaid,
        ]
        .into_iter()
        .find(|kind| kind.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// For receipts and reports.
    pub fn label(self) -> &'static str {
        match self {
            RefundKind::Return => "Return",
            RefundKind::Overpaid => "Overpaid excess",
            RefundKind::Underpaid => "Stranded underpayment",
        }
    }
}

/// Where a refund stands (see the module's life cycle).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum RefundState {
    Requested,
    Approved,
    Sending,
    Sent,
    Done,
    Failed,
    Rejected,
}

impl RefundState {
    pub const ALL: [RefundState; 7] = [
        RefundState::Requested,
        RefundState::Approved,
        RefundState::Sending,
        RefundState::Sent,
        RefundState::Done,
        RefundState::Failed,
        RefundState::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RefundState::Requested => "requested",
            RefundState::Approved => "approved",
            RefundState::Sending => "sending",
            RefundState::Sent => "sent",
            RefundState::Done => "done",
            RefundState::Failed => "failed",
            RefundState::Rejected => "rejected",
        }
    }

    fn parse(text: &str) -> Option<RefundState> {
        Self::ALL.into_iter().find(|state| state.as_str() == text)
    }

    /// Done, failed or rejected: nothing more happens to it.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            RefundState::Done | RefundState::Failed | RefundState::Rejected
        )
    }

    /// Whether its amount is spoken for: every refund but a failed or
    /// rejected one counts against what the sale can still give back.
    pub fn holds_money(self) -> bool {
        !matches!(self, RefundState::Failed | RefundState::Rejected)
    }

    /// Given back or on its way: the gateway accepted it (`sent`) or the
    /// money went out (`done`). What a sale's "refunded" figure and the
    /// CSV's `refunded` column add up (its subquery in `query.rs` names the
    /// same two states).
    pub fn is_refunded(self) -> bool {
        matches!(self, RefundState::Sent | RefundState::Done)
    }

    /// For the person at the counter.
    pub fn label(self) -> &'static str {
        match self {
            RefundState::Requested => "waiting for the owner",
            RefundState::Approved => "approved, not sent yet",
            RefundState::Sending => "being sent (no answer from the gateway yet)",
            RefundState::Sent => "accepted by the gateway",
            RefundState::Done => "refunded",
            RefundState::Failed => "failed",
            RefundState::Rejected => "rejected by the owner",
        }
    }
}

/// A refund as the ledger holds it. Times are RFC 3339 UTC text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RefundRecord {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub sale_id: i64,
    pub kind: RefundKind,
    pub reason: String,
    /// In the shop's currency, e.g. `"1.60"`.
    pub fiat_amount: String,
    pub fiat_currency: String,
    /// In the coin, e.g. `"0.00002759"`.
    pub crypto_amount: String,
    pub coin: String,
    pub coin_decimals: u32,
    pub network: String,
    pub address: String,
    pub email: Option<String>,
    pub gateway: String,
    pub state: RefundState,
    /// `owner`, or `cashier <name>`.
    pub requested_by: String,
    pub approved_by: Option<String>,
    pub gateway_refund_id: Option<String>,
    /// The gateway's own word for it.
    pub gateway_status: Option<String>,
    /// The last sentence about it: the gateway's answer, or why not, in
    /// English (as the command line says it).
    pub message: Option<String>,
    /// The same sentence's code and values, for the window to say in the
    /// shop's language; `None` for a note the owner typed and for rows
    /// written before notes had codes (shown as they are).
    pub said: Option<Said>,
    pub requested_at: String,
    pub approved_at: Option<String>,
    pub sent_at: Option<String>,
    pub finished_at: Option<String>,
    pub updated_at: String,
}

impl RefundRecord {
    pub fn fiat(&self) -> Result<Money> {
        money(
            &self.fiat_amount,
            Currency::stored_fiat(&self.fiat_currency),
        )
    }

    pub fn crypto(&self) -> Result<Money> {
        money(
            &self.crypto_amount,
            Currency::new(&self.coin, self.coin_decimals),
        )
    }
}

fn money(text: &str, currency: Currency) -> Result<Money> {
    Decimal::from_str(text)
        .map(|amount| Money::new(amount, currency))
        .map_err(|_| Error::storage(Said::ledger_bad_refund_amount(text)))
}

/// What `refunds` gave back (or have on their way) in the shop's currency:
/// the sum of those [`RefundState::is_refunded`], `None` when there are none.
/// Checked: a ledger that does not add up is an error.
pub fn refunded_fiat(refunds: &[RefundRecord]) -> Result<Option<Money>> {
    let mut sum: Option<Money> = None;
    for refund in refunds.iter().filter(|r| r.state.is_refunded()) {
        let fiat = refund.fiat()?;
        sum = Some(match sum {
            None => fiat,
            Some(so_far) => {
                let added = so_far.amount().checked_add(fiat.amount()).ok_or_else(|| {
                    Error::storage(Said::sale_refunds_do_not_add_up(refund.sale_id))
                })?;
                Money::new(added, so_far.currency().clone())
            }
        });
    }
    Ok(sum)
}

/// The sum of amounts the ledger handed over as one text, separated by
/// spaces (the CSV's per-sale aggregate, `group_concat`/`string_agg` of the
/// refunds' stored amounts): added up exactly here, never in SQL (SQLite's
/// `SUM` of text is a float). `None` when a part is not a number or the sum
/// overflows.
pub fn sum_amount_list(list: &str) -> Option<Decimal> {
    list.split_ascii_whitespace()
        .try_fold(Decimal::ZERO, |sum, part| {
            sum.checked_add(Decimal::from_str(part).ok()?)
        })
}

/// A refund about to be recorded.
#[derive(Clone, Debug)]
pub struct NewRefund<'a> {
    pub sale_id: i64,
    pub kind: RefundKind,
    pub reason: &'a str,
    pub fiat: &'a Money,
    pub crypto: &'a Money,
    pub network: &'a str,
    pub address: &'a str,
    pub email: Option<&'a str>,
    pub gateway: &'a str,
    pub requested_by: &'a str,
    /// Set when the owner asks (approved at once).
    pub approved_by: Option<&'a str>,
}

/// What the gateway said about a refund, to record.
#[derive(Clone, Debug)]
pub struct RefundUpdate<'a> {
    pub state: RefundState,
    pub gateway_refund_id: Option<&'a str>,
    pub gateway_status: Option<&'a str>,
    /// Stored as its English and as its code and values.
    pub message: &'a Said,
}

/// Why the owner refused a refund.
#[derive(Clone, Copy, Debug)]
pub enum RejectWhy<'a> {
    /// In the owner's own words: kept as typed, in any language.
    Typed(&'a str),
    /// The core's sentence, when the owner gave no reason.
    Said(&'a Said),
}

const COLUMNS: &str = "id, sale_id, kind, reason, fiat_amount, fiat_currency, crypto_amount, coin,
    coin_decimals, network, address, email, gateway, state, requested_by, approved_by,
    gateway_refund_id, gateway_status, message, requested_at, approved_at, sent_at, finished_at,
    updated_at, message_said";

fn bad(what: &str, value: &str) -> Error {
    Error::storage(Said::ledger_unknown_value(what, value))
}

fn decimals(r: &dyn Cols, i: usize) -> Result<u32> {
    let v = r.int(i)?;
    u32::try_from(v).map_err(|_| bad("coin precision", &v.to_string()))
}

fn from_row(r: &dyn Cols) -> Result<RefundRecord> {
    let kind = r.text(2)?;
    let state = r.text(13)?;
    Ok(RefundRecord {
        id: r.int(0)?,
        sale_id: r.int(1)?,
        kind: RefundKind::parse(&kind).ok_or_else(|| bad("refund kind", &kind))?,
        reason: r.text(3)?,
        fiat_amount: r.text(4)?,
        fiat_currency: r.text(5)?,
        crypto_amount: r.text(6)?,
        coin: r.text(7)?,
        coin_decimals: decimals(r, 8)?,
        network: r.text(9)?,
        address: r.text(10)?,
        email: r.opt_text(11)?,
        gateway: r.text(12)?,
        state: RefundState::parse(&state).ok_or_else(|| bad("refund state", &state))?,
        requested_by: r.text(14)?,
        approved_by: r.opt_text(15)?,
        gateway_refund_id: r.opt_text(16)?,
        gateway_status: r.opt_text(17)?,
        message: r.opt_text(18)?,
        said: Said::from_stored(r.opt_text(24)?),
        requested_at: r.text(19)?,
        approved_at: r.opt_text(20)?,
        sent_at: r.opt_text(21)?,
        finished_at: r.opt_text(22)?,
        updated_at: r.text(23)?,
    })
}

/// What the sale can still give back, in its coin: what was paid less every
/// refund that holds money. `None` when nothing was paid.
fn left_to_refund(db: &mut dyn Db, sale_id: i64) -> Result<Option<Money>> {
    let sale = db.first(
        "SELECT paid_amount, coin, coin_decimals FROM sales WHERE id = ?1",
        args![sale_id],
        |r| Ok((r.opt_text(0)?, r.text(1)?, decimals(r, 2)?)),
    )?;
    let Some((paid, coin, decimals)) = sale else {
        return Err(Error::not_found(Said::refund_sale_not_found(sale_id)));
    };
    let currency = Currency::new(&coin, decimals);
    let Some(paid) = paid else {
        return Ok(None);
    };
    let paid = money(&paid, currency.clone())?;
    if paid.amount() <= Decimal::ZERO {
        return Ok(None);
    }
    let rows = db.all(
        "SELECT crypto_amount, state FROM refunds WHERE sale_id = ?1",
        args![sale_id],
        |r| Ok((r.text(0)?, r.text(1)?)),
    )?;
    let mut left = paid.amount();
    for (amount, state) in rows {
        if RefundState::parse(&state).is_none_or(RefundState::holds_money) {
            let amount = money(&amount, currency.clone())?.amount();
            left = left
                .checked_sub(amount)
                .ok_or_else(|| Error::storage(Said::sale_refunds_do_not_add_up(sale_id)))?;
        }
    }
    Ok(Some(Money::new(left.max(Decimal::ZERO), currency)))
}

impl Ledger {
    /// Records a refund, refused when it would give back more than the sale
    /// was paid less its earlier refunds. The check and the insert are one
    /// write transaction, so two refunds asked at once cannot both pass it.
    pub fn begin_refund(&self, new: &NewRefund<'_>) -> Result<RefundRecord> {
        let now = timestamp(self.now());
        let id = self.in_tx(|db, _| {
            let left = left_to_refund(db, new.sale_id)?.ok_or_else(|| {
                Error::not_allowed(Said::refund_nothing_paid(new.sale_id))
            })?;
            if new.crypto.currency().code() != left.currency().code() {
                return Err(Error::input(Said::refund_same_coin(new.sale_id, left.currency().code(), left.currency().code())));
            }
            if new.crypto.amount() <= Decimal::ZERO {
                return Err(Error::input(Said::refund_zero()));
            }
            if new.crypto.amount() > left.amount() {
                return Err(more_than_left(new.sale_id, &left));
            }
            let (state, approved_at) = match new.approved_by {
                Some(_) => (RefundState::Approved, Some(now.as_str())),
                None => (RefundState::Requested, None),
            };
            db.int(
                "INSERT INTO refunds (sale_id, kind, reason, fiat_amount, fiat_currency,
                     crypto_amount, coin, coin_decimals, network, address, email, gateway, state,
                     requested_by, approved_by, requested_at, approved_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?16)
                 RETURNING id",
                args![
                    new.sale_id,
                    new.kind.as_str(),
                    new.reason,
                    new.fiat.to_fixed(),
                    new.fiat.currency().code(),
                    new.crypto.to_fixed(),
                    new.crypto.currency().code(),
                    new.crypto.currency().decimals(),
                    new.network,
                    new.address,
                    new.email,
                    new.gateway,
                    state.as_str(),
                    new.requested_by,
                    new.approved_by,
                    now.as_str(),
                    approved_at,
                ],
            )
        })?;
        self.refund(id)
    }

    /// What `sale_id` can still give back, in its coin (`None`: nothing paid).
    pub fn refundable_left(&self, sale_id: i64) -> Result<Option<Money>> {
        self.in_tx(|db, _| left_to_refund(db, sale_id))
    }

    pub fn refund(&self, id: i64) -> Result<RefundRecord> {
        self.with_db(|db, _| {
            db.first(
                &format!("SELECT {COLUMNS} FROM refunds WHERE id = ?1"),
                args![id],
                from_row,
            )
        })?
        .ok_or_else(|| Error::not_found(Said::refund_not_found(id)))
    }

    /// Every refund, newest first; `states` keeps only those (empty: all).
    pub fn refunds(&self, states: &[RefundState]) -> Result<Vec<RefundRecord>> {
        let all = self.with_db(|db, _| {
            db.all(
                &format!("SELECT {COLUMNS} FROM refunds ORDER BY requested_at DESC, id DESC"),
                args![],
                from_row,
            )
        })?;
        Ok(all
            .into_iter()
            .filter(|r| states.is_empty() || states.contains(&r.state))
            .collect())
    }

    /// A sale's refunds, oldest first.
    pub fn sale_refunds(&self, sale_id: i64) -> Result<Vec<RefundRecord>> {
        self.with_db(|db, _| {
            db.all(
                &format!(
                    "SELECT {COLUMNS} FROM refunds WHERE sale_id = ?1 ORDER BY requested_at, id"
                ),
                args![sale_id],
                from_row,
            )
        })
    }

    /// The refunds of each of `sale_ids`, oldest first: one statement for a
    /// page of the sales history, not one per sale.
    pub fn refunds_of_sales(&self, sale_ids: &[i64]) -> Result<Vec<RefundRecord>> {
        if sale_ids.is_empty() {
            return Ok(Vec::new());
        }
        let marks = (1..=sale_ids.len())
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let ids: Vec<Value> = sale_ids.iter().map(|id| Value::Int(*id)).collect();
        self.with_db(|db, _| {
            db.all(
                &format!(
                    "SELECT {COLUMNS} FROM refunds WHERE sale_id IN ({marks})
                     ORDER BY requested_at, id"
                ),
                &ids,
                from_row,
            )
        })
    }

    /// Refunds that finished as done in `[from, to)` (`None`: open end),
    /// oldest first: what a report counts as money given back.
    pub fn refunds_done_between(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<RefundRecord>> {
        let from = from.map(timestamp).unwrap_or_default();
        let to = to.map(timestamp).unwrap_or_else(|| "9999".into());
        self.with_db(|db, _| {
            db.all(
                &format!(
                    "SELECT {COLUMNS} FROM refunds
                     WHERE state = 'done' AND finished_at >= ?1 AND finished_at < ?2
                     ORDER BY finished_at, id"
                ),
                args![from, to],
                from_row,
            )
        })
    }

    /// Moves a refund from one of `from` to `to`, or says why not (it moved
    /// on meanwhile, e.g. another window approved it).
    fn move_refund(
        &self,
        id: i64,
        from: &[RefundState],
        to: RefundState,
        set: &str,
        values: &[Value],
    ) -> Result<RefundRecord> {
        let now = timestamp(self.now());
        let allowed = from
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        let extra = if set.is_empty() {
            String::new()
        } else {
            format!(", {set}")
        };
        // ?1 state, ?2 updated_at, ?3 id, then the caller's values from ?4.
        let sql = format!(
            "UPDATE refunds SET state = ?1, updated_at = ?2{extra}
             WHERE id = ?3 AND state IN ({allowed})"
        );
        let mut all = args![to.as_str(), now, id].to_vec();
        all.extend_from_slice(values);
        let changed = self.with_db(|db, _| db.execute(&sql, &all))?;
        let record = self.refund(id)?;
        if changed == 0 {
            return Err(Error::not_allowed(match to {
                RefundState::Approved => Said::refund_cannot_be_approved(id, record.state.label()),
                RefundState::Rejected => Said::refund_cannot_be_rejected(id, record.state.label()),
                RefundState::Sending => Said::refund_cannot_be_sent(id, record.state.label()),
                _ => Said::refund_cannot_be_changed(id, record.state.label()),
            }));
        }
        Ok(record)
    }

    /// The owner approves a requested refund.
    pub fn approve_refund(&self, id: i64, approved_by: &str) -> Result<RefundRecord> {
        let now = timestamp(self.now());
        self.move_refund(
            id,
            &[RefundState::Requested],
            RefundState::Approved,
            "approved_by = ?4, approved_at = ?5",
            args![approved_by, now],
        )
    }

    /// The owner refuses a refund not sent yet: `why` as the owner typed
    /// it, or the sentence said when they gave no reason.
    pub fn reject_refund(&self, id: i64, by: &str, why: RejectWhy<'_>) -> Result<RefundRecord> {
        let now = timestamp(self.now());
        let (text, said) = match why {
            RejectWhy::Typed(typed) => (typed.to_string(), None),
            RejectWhy::Said(said) => (said.to_string(), Some(said.to_stored())),
        };
        self.move_refund(
            id,
            &[RefundState::Requested, RefundState::Approved],
            RefundState::Rejected,
            "approved_by = ?4, message = ?5, finished_at = ?6, message_said = ?7",
            args![by, text, now, said],
        )
    }

    /// Claims an approved refund for sending: one write, so two windows
    /// pressing Send at once send it once.
    pub fn start_sending_refund(&self, id: i64) -> Result<RefundRecord> {
        self.move_refund(id, &[RefundState::Approved], RefundState::Sending, "", &[])
    }

    /// Records the gateway's answer (or silence) for a refund being sent or
    /// followed. `sent_at` is set the first time it reaches `sent` or
    /// beyond (or gets a gateway id); `finished_at` when it becomes final.
    pub fn update_refund(&self, id: i64, update: &RefundUpdate<'_>) -> Result<RefundRecord> {
        let now = timestamp(self.now());
        let finished = update.state.is_final().then_some(now.as_str());
        // Sent once the gateway gave an id, or once it is known to have
        // taken it (the owner's word for a send that lost its answer).
        let sent = (update.gateway_refund_id.is_some() || update.state.is_refunded())
            .then_some(now.as_str());
        self.move_refund(
            id,
            &[RefundState::Sending, RefundState::Sent],
            update.state,
            "gateway_refund_id = COALESCE(?4, gateway_refund_id),
             gateway_status = COALESCE(?5, gateway_status), message = ?6,
             sent_at = COALESCE(sent_at, ?7), finished_at = COALESCE(finished_at, ?8),
             message_said = ?9",
            args![
                update.gateway_refund_id,
                update.gateway_status,
                update.message.to_string(),
                sent,
                finished,
                update.message.to_stored(),
            ],
        )
    }
}

/// A refund beyond what the sale can still give back, said the same way
/// when the counter previews it and when the ledger refuses to record it.
pub fn more_than_left(sale_id: i64, left: &Money) -> Error {
    Error::input(Said::refund_more_than_left(sale_id, left))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_amounts_handed_over_as_one_text_add_up_exactly_or_not_at_all() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        // 0.1 + 0.2 in floats is 0.30000000000000004; here it is 0.30.
        assert_eq!(sum_amount_list("0.10 0.20"), Some(d("0.30")));
        assert_eq!(sum_amount_list("1.60"), Some(d("1.60")));
        assert_eq!(sum_amount_list(""), Some(Decimal::ZERO));
        assert_eq!(sum_amount_list("1.60 abc"), None);
        assert_eq!(sum_amount_list(&format!("{} 1", Decimal::MAX)), None);
    }
}
