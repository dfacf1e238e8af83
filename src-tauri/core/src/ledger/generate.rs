//! A ledger full of realistic sales, for benchmarks and for trying the
//! owner's screens on a shop that has sold for years. Rows go through the
//! real schema (every column the counter writes, sale lines, merchant order
//! ids in the one format [`super::next_merchant_order_id`] makes), in one
//! transaction with one prepared statement, so a million sales take seconds.
//!
//! The mix is a small shop's: most sales paid, some expired or voided at the
//! counter, a few overpaid, a few underpaid (closed since by the gateway:
//! expired with what was paid, flagged for the owner), a few paid late; tips
//! on some; two lines on a third; sales in opening hours, the last on `end`.
//! No sale is left open: the till's watcher would follow it.
//! Deterministic for a seed.

use chrono::{DateTime, Duration, Timelike, Utc};
use rusqlite::params;
use rust_decimal::Decimal;

use super::{timestamp, write_tx, Ledger, ORDER_ID_EPOCH_MS, ORDER_ID_NODES};
use crate::error::{Error, Result};

/// How many sales over how many days.
#[derive(Clone, Debug)]
pub struct Fill {
    pub sales: u64,
    /// The sales spread over this many days before `end`.
    pub days: u32,
    pub end: DateTime<Utc>,
    pub seed: u64,
    /// The shop currency, as Settings holds it.
    pub currency: String,
}

impl Fill {
    pub fn new(sales: u64, days: u32) -> Self {
        Self {
            sales,
            days: days.max(1),
            end: Utc::now(),
            seed: 11,
            currency: "EUR".into(),
        }
    }
}

/// SplitMix64: a tiny deterministic generator, enough for sample data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn hex(&mut self, len: usize) -> String {
        let mut s = String::with_capacity(len);
        while s.len() < len {
            s.push_str(&format!("{:016x}", self.next()));
        }
        s.truncate(len);
        s
    }
}

/// symbol, network, decimals, price of one coin in the shop currency, URI scheme.
const COINS: [(&str, &str, u32, i64, &str); 4] = [
    ("BTC", "Bitcoin", 8, 58_000, "bitcoin"),
    ("ETH", "Ethereum", 18, 3_100, "ethereum"),
    ("LTC", "Litecoin", 8, 72, "litecoin"),
    ("USDT", "Tron", 6, 1, "tron"),
];

/// Adds `fill.sales` sales to the ledger; returns the id of the last.
pub fn fill(ledger: &Ledger, fill: &Fill) -> Result<i64> {
    let mut rng = Rng(fill.seed);
    // Opening hours 08:00 to 20:00 (UTC here: sample data), on each day.
    let first_day = fill.end - Duration::days(i64::from(fill.days) - 1);
    let day_start =
        |t: DateTime<Utc>| t - Duration::seconds(i64::from(t.num_seconds_from_midnight()));
    let first_day = day_start(first_day);
    let mut times: Vec<i64> = (0..fill.sales)
        .map(|_| {
            let day = rng.below(u64::from(fill.days)) as i64;
            let ms = 8 * 3_600_000 + rng.below(12 * 3_600_000) as i64;
            let t = first_day.timestamp_millis() + day * 86_400_000 + ms;
            // Today's sales are before now.
            t.min(fill.end.timestamp_millis() - rng.below(3_600_000) as i64)
        })
        .collect();
    times.sort_unstable();

    let mut conn = ledger.conn();
    let tx = write_tx(&mut conn)?;
    let number = |key: &str| -> Option<i64> {
        tx.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get::<_, String>(0)
        })
        .ok()
        .and_then(|v| v.parse().ok())
    };
    // The install's node and last tick, as next_merchant_order_id keeps them.
    let node = number("order_id_node").unwrap_or(7);
    let mut last_tick = number("order_id_last_tick").unwrap_or(0);
    let mut last_id = 0;
    {
        let mut sale = tx.prepare(
            "INSERT INTO sales (merchant_order_id, state, fiat_amount, fiat_currency, coin,
                 coin_decimals, network, crypto_amount, paid_amount, rate, gateway,
                 gateway_order_id, address, payment_uri, expires_at, confirmations,
                 required_confirmations, tx_id, created_at, updated_at, paid_at, tip_amount,
                 late_payment_at, needs_owner, voided_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'demo', ?11, ?12, ?13, ?14, ?15,
                     ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)",
        )?;
        let mut line = tx.prepare(
            "INSERT INTO sale_lines (sale_id, position, label, amount) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for ms in times {
            let created = DateTime::<Utc>::from_timestamp_millis(ms)
                .ok_or_else(|| Error::Input("The fill's end is out of range.".into()))?;
            let tick = (ms - ORDER_ID_EPOCH_MS).max(last_tick + 1);
            last_tick = tick;
            let merchant_order_id = (tick * ORDER_ID_NODES + node).to_string();

            let (symbol, network, decimals, price, scheme) = COINS[rng.below(4) as usize];
            // Prices mostly small, a few large: 1.00 to ~150.00.
            let cents = 100 + (rng.below(3_000) * rng.below(500)) / 100;
            let tip_cents = if rng.below(100) < 15 {
                (cents / 10).max(50)
            } else {
                0
            };
            let fiat = Decimal::new((cents + tip_cents) as i64, 2);
            let drift = Decimal::new(900 + rng.below(200) as i64, 3);
            let rate = (Decimal::from(price) * drift).round_dp(2);
            let crypto = (fiat / rate).round_dp(decimals.min(8));
            let roll = rng.below(1000);
            let (state, paid, voided, late) = match roll {
                0..=819 => ("paid", Some(crypto), false, false),
                820..=839 => ("overpaid", Some(crypto * Decimal::new(11, 1)), false, false),
                // Underpaid, then closed by the gateway: an `underpaid`
                // sale would still be open, and the watcher would follow
                // thousands of them.
                840..=859 => ("expired", Some(crypto / Decimal::TWO), false, false),
                860..=944 => ("expired", None, false, false),
                945..=949 => ("expired", Some(crypto), false, true),
                _ => ("canceled", None, true, false),
            };
            let ts = timestamp(created);
            let paid_at = paid
                .filter(|_| !late && state != "expired")
                .map(|_| timestamp(created + Duration::seconds(40 + rng.below(600) as i64)));
            let expires = created + Duration::minutes(15);
            let address = format!("{}1q{}", symbol.to_ascii_lowercase(), rng.hex(38));
            let crypto_text = crypto.to_string();
            let uri = format!("{scheme}:{address}?amount={crypto_text}");
            let tx_id = paid.map(|_| rng.hex(64));
            let updated = paid_at.clone().unwrap_or_else(|| timestamp(expires));
            sale.execute(params![
                merchant_order_id,
                state,
                fiat.to_string(),
                fill.currency,
                symbol,
                decimals,
                network,
                crypto_text,
                paid.map(|p| p.round_dp(decimals).to_string()),
                rate.to_string(),
                (100_000_000 + rng.below(900_000_000)).to_string(),
                address,
                uri,
                timestamp(expires),
                if paid.is_some() { 2 } else { 0 },
                2,
                tx_id,
                ts,
                updated,
                paid_at,
                (tip_cents > 0).then(|| Decimal::new(tip_cents as i64, 2).to_string()),
                late.then(|| timestamp(expires + Duration::minutes(30))),
                state == "expired" && paid.is_some() && !late,
                voided.then(|| timestamp(created + Duration::minutes(2))),
            ])?;
            last_id = tx.last_insert_rowid();
            // A third of the sales are itemised: two or three lines.
            if rng.below(3) == 0 {
                let first = cents / 2;
                for (position, (label, amount)) in [("Coffee", first), ("Cake", cents - first)]
                    .iter()
                    .enumerate()
                {
                    line.execute(params![
                        last_id,
                        position as i64,
                        label,
                        Decimal::new(*amount as i64, 2).to_string()
                    ])?;
                }
            }
        }
    }
    tx.execute(
        "INSERT INTO settings (key, value) VALUES ('order_id_last_tick', ?1)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [last_tick.to_string()],
    )?;
    // The search index as a till's ledger has it: every sale indexed (one
    // batch, as the queue is indexed).
    super::query::index_queue(&tx)?;
    tx.commit()?;
    // No ANALYZE: a shop's ledger has no planner statistics either, so the
    // benchmarks see the query plans a shop gets.
    Ok(last_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{self, SaleFilter};
    use crate::sale::{Coin, GatewayKind};

    #[test]
    fn a_filled_ledger_reads_back_and_goes_on_selling() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open(&dir.path().join("l.sqlite3")).unwrap();
        let last = fill(&ledger, &Fill::new(3_000, 30)).unwrap();
        assert_eq!(ledger.sale(last).unwrap().id, 3_000);
        let all = report::sales(&ledger, &SaleFilter::default()).unwrap();
        assert_eq!(all.len(), 3_000);
        // Every stored value parses back: amounts, times, states.
        let paid = all.iter().filter(|s| s.state.as_str() == "paid").count();
        assert!((2_200..2_700).contains(&paid), "{paid}");
        assert!(all.iter().any(|s| s.late_payment_at.is_some()));
        assert!(all.iter().any(|s| s.voided_at.is_some()));
        assert!(all.iter().any(|s| s.tip.is_some()));
        assert!(all.windows(2).all(|w| w[0].created_at <= w[1].created_at));
        // Nothing is left open for the watcher to follow.
        assert!(ledger.open_sales().unwrap().is_empty());
        // A sale rung up after the fill gets a fresh merchant order id.
        let fiat =
            crate::money::Money::parse_entry("2", &crate::money::Currency::fiat("EUR").unwrap())
                .unwrap();
        let next = ledger
            .begin_sale(&fiat, &Coin::test_bitcoin("1"), GatewayKind::Demo)
            .unwrap();
        assert!(all
            .iter()
            .all(|s| s.merchant_order_id != next.merchant_order_id));
        assert!(
            next.merchant_order_id.parse::<i64>().unwrap()
                > all
                    .last()
                    .unwrap()
                    .merchant_order_id
                    .parse::<i64>()
                    .unwrap()
        );
    }
}
