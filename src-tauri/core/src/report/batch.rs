//! Rows of the CSV export on their way from the thread that reads the
//! ledger to the thread that writes the file (see `csv::write_rows`).
//!
//! A [`StoredSale`] borrows its text from the row SQLite (or the shared
//! ledger's client) is stepping on, so it cannot cross threads. A
//! [`Batch`] copies the rows' text, one after another, into one `String`
//! and keeps where each value starts and ends: one copy of about 300 bytes
//! a sale, no allocation per sale, and the writing side gets the same
//! [`StoredSale`]s back, borrowed from the batch. Batches are reused
//! (cleared, their capacity kept), so the export's memory stays that of a
//! few batches whatever the ledger holds.

use crate::ledger::StoredSale;

/// A batch is handed on when it holds this many sales...
pub const BATCH_SALES: usize = 1024;
/// ... or this much text (a ledger with very long values).
const BATCH_TEXT: usize = 512 * 1024;

/// Where one value is in [`Batch::text`]; `NONE` for a NULL.
type Span = (usize, usize);
const NONE: Span = (usize::MAX, 0);

/// One sale of a batch: its numbers, and where its texts are.
#[derive(Clone, Copy)]
struct Row {
    id: i64,
    coin_decimals: u32,
    shift_id: Option<i64>,
    texts: [Span; TEXTS],
}

/// The text fields of [`StoredSale`], in the order [`Batch::push`] keeps.
const TEXTS: usize = 20;

/// Sales copied out of the ledger's rows, in the order they were read.
#[derive(Default)]
pub struct Batch {
    text: String,
    rows: Vec<Row>,
}

impl Batch {
    pub fn new() -> Self {
        Self {
            text: String::with_capacity(BATCH_SALES * 320),
            rows: Vec::with_capacity(BATCH_SALES),
        }
    }

    /// Whether the batch should be handed on.
    pub fn is_full(&self) -> bool {
        self.rows.len() >= BATCH_SALES || self.text.len() >= BATCH_TEXT
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Empties the batch for reuse, keeping its memory.
    pub fn clear(&mut self) {
        self.text.clear();
        self.rows.clear();
    }

    fn span(&mut self, value: Option<&str>) -> Span {
        match value {
            Some(v) => {
                let start = self.text.len();
                self.text.push_str(v);
                (start, self.text.len())
            }
            None => NONE,
        }
    }

    /// Copies `s` to the end of the batch.
    pub fn push(&mut self, s: &StoredSale<'_>) {
        let texts = [
            Some(s.created_at),
            s.paid_at,
            Some(s.state),
            Some(s.fiat_currency),
            Some(s.fiat_amount),
            s.tip_amount,
            Some(s.coin),
            s.crypto_amount,
            s.paid_amount,
            s.rate,
            Some(s.gateway),
            s.gateway_order_id,
            Some(s.merchant_order_id),
            s.address,
            s.tx_id,
            s.voided_at,
            s.late_payment_at,
            s.cashier,
            s.till,
            s.refunded,
        ]
        .map(|v| self.span(v));
        self.rows.push(Row {
            id: s.id,
            coin_decimals: s.coin_decimals,
            shift_id: s.shift_id,
            texts,
        });
    }

    /// The batch's sales, as they were pushed.
    pub fn sales(&self) -> impl Iterator<Item = StoredSale<'_>> {
        self.rows.iter().map(|row| {
            let opt = |i: usize| match row.texts[i] {
                NONE => None,
                (start, end) => Some(&self.text[start..end]),
            };
            // Pushed as `Some`, so never NONE.
            let text = |i: usize| opt(i).unwrap_or_default();
            StoredSale {
                id: row.id,
                created_at: text(0),
                paid_at: opt(1),
                state: text(2),
                fiat_currency: text(3),
                fiat_amount: text(4),
                tip_amount: opt(5),
                coin: text(6),
                coin_decimals: row.coin_decimals,
                crypto_amount: opt(7),
                paid_amount: opt(8),
                rate: opt(9),
                gateway: text(10),
                gateway_order_id: opt(11),
                merchant_order_id: text(12),
                address: opt(13),
                tx_id: opt(14),
                voided_at: opt(15),
                late_payment_at: opt(16),
                cashier: opt(17),
                shift_id: row.shift_id,
                till: opt(18),
                refunded: opt(19),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sale(id: i64, long: &str) -> StoredSale<'_> {
        StoredSale {
            id,
            created_at: "2026-11-29T12:00:00.000Z",
            paid_at: None,
            state: "paid",
            fiat_currency: "EUR",
            fiat_amount: "12.50",
            tip_amount: Some(""),
            coin: "BTC",
            coin_decimals: 8,
            crypto_amount: Some("0.00021000"),
            paid_amount: None,
            rate: Some("58000"),
            gateway: "sandbox",
            gateway_order_id: Some(long),
            merchant_order_id: "cryptill-1",
            address: Some("bc1q\u{e9}\u{1F600}"),
            tx_id: None,
            voided_at: None,
            late_payment_at: None,
            cashier: Some("Ana"),
            shift_id: Some(id * 2),
            till: None,
            refunded: Some("1.00 2.00"),
        }
    }

    #[test]
    fn a_batch_gives_back_every_sale_as_pushed_in_order_nulls_and_empty_texts_apart() {
        let long = "x".repeat(BATCH_TEXT);
        let mut batch = Batch::new();
        for id in 1..=3 {
            let s = sale(id, if id == 2 { &long } else { "o" });
            batch.push(&s);
        }
        assert!(batch.is_full(), "a batch past its text bound is handed on");
        let back: Vec<_> = batch.sales().map(|s| format!("{s:?}")).collect();
        let want: Vec<_> = (1..=3)
            .map(|id| format!("{:?}", sale(id, if id == 2 { &long } else { "o" })))
            .collect();
        assert_eq!(back, want);
        batch.clear();
        assert!(batch.is_empty() && !batch.is_full());
        assert_eq!(batch.sales().count(), 0);
    }
}
