//! The local sales ledger: one SQLite file under the app-data dir. A sale is
//! written here before any gateway call, so nothing the counter does can be
//! lost to a crash or a dropped connection. Amounts are stored as exact
//! decimal text, times as UTC RFC 3339.

pub mod generate;
mod migrations;
mod owner;
mod prints;
mod query;
mod refunds;
mod shifts;

pub use prints::AutoPrint;
pub use refunds::{NewRefund, RefundKind, RefundRecord, RefundState, RefundUpdate};

pub use owner::OwnerAttempt;
pub(crate) use owner::PinHolder;
pub(crate) use shifts::no_open_shift;
pub use shifts::{CashierRecord, ShiftEvent, ShiftRecord};

pub use migrations::SCHEMA_VERSION;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction, TransactionBehavior};
use rust_decimal::Decimal;
use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::money::{Currency, Money};
use crate::sale::{timestamp, Coin, Conversion, GatewayKind, GatewayOrder, SaleState};

pub use query::{Order, Read, SaleCursor, SaleQuery, StatusFilter};

pub struct Ledger {
    conn: Mutex<Connection>,
    /// The file, for long reads on a connection of their own.
    path: PathBuf,
}

/// How long a write waits for another process's write to finish. Writes
/// are short (one sale, one answer), so this is never reached in practice
/// unless a process hangs holding the lock.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// After this long a placement claim is taken to be from a process that
/// died (or hung) mid-placement, and another may take it over. Longer than
/// any placement takes: a conversion and a create, each bounded by the
/// HTTP timeout, plus CoinGate's look-up of an earlier order.
pub const CLAIM_STALE_AFTER: chrono::Duration = chrono::Duration::seconds(120);

/// Who asks for a placement claim: unique per process and per caller, so a
/// claim is never mistaken for one's own.
pub fn claimant(role: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!(
        "{role}:{}:{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Whether the process that made `claimant` (see [`claimant`]) still runs
/// on this computer. Only Linux can tell cheaply (`/proc`); elsewhere, and
/// for any claimant not of this form, it counts as alive and its claim
/// waits to go stale.
fn claimant_alive(claimant: &str) -> bool {
    let Some(pid) = claimant
        .split(':')
        .nth(1)
        .and_then(|p| p.parse::<u32>().ok())
    else {
        return true;
    };
    if pid == std::process::id() {
        return true;
    }
    if cfg!(target_os = "linux") {
        return std::path::Path::new(&format!("/proc/{pid}")).exists();
    }
    true
}

/// A write transaction that takes the write lock at its start (`BEGIN
/// IMMEDIATE`): a deferred one that reads first cannot wait for the lock
/// when it later writes, and fails at once with "database is locked".
fn write_tx(conn: &mut Connection) -> rusqlite::Result<Transaction<'_>> {
    conn.transaction_with_behavior(TransactionBehavior::Immediate)
}

/// One line of a sale as the cashier typed it.
#[derive(Clone, Debug, PartialEq)]
pub struct SaleLine {
    pub label: String,
    pub amount: Money,
}

/// A sale as the ledger holds it.
#[derive(Clone, Debug, PartialEq)]
pub struct Sale {
    pub id: i64,
    /// The order id sent to the gateway, derived from `id` (see [`Ledger::begin_sale`]).
    pub merchant_order_id: String,
    pub state: SaleState,
    pub fiat: Money,
    pub coin: Currency,
    pub network: String,
    /// What the customer must pay; `None` until the gateway converted the price.
    pub crypto: Option<Money>,
    pub paid: Option<Money>,
    /// Price of one coin in the fiat currency, locked at the sale.
    pub rate: Option<Decimal>,
    pub gateway: GatewayKind,
    pub gateway_order_id: Option<String>,
    pub address: Option<String>,
    pub payment_uri: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub confirmations: u32,
    pub required_confirmations: u32,
    pub transaction_id: Option<String>,
    /// A sentence from the gateway client for the cashier, if any.
    pub notice: Option<String>,
    /// The part of `fiat` that is tip.
    pub tip: Option<Money>,
    /// When a payment arrived after the order had expired or was voided.
    pub late_payment_at: Option<DateTime<Utc>>,
    /// The cashier flagged the sale for the owner (e.g. underpaid).
    pub needs_owner: bool,
    /// The expired sale this one was made to replace.
    pub replaces_sale_id: Option<i64>,
    /// When the cashier voided the sale before payment.
    pub voided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    /// Who sold it: `None` on a till without cashiers (or before the first).
    pub cashier_id: Option<i64>,
    /// The cashier's name as it is now (a renamed cashier's sales follow).
    pub cashier: Option<String>,
    /// The shift it was sold in.
    pub shift_id: Option<i64>,
}

/// The stored PIN (a PHC string, never the PIN) and its lock-out state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnerAuth {
    pub pin_phc: String,
    pub failed_attempts: u32,
    pub locked_until: Option<DateTime<Utc>>,
}

/// A withdrawal the owner asked for, and what the gateway answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct WithdrawalRequest {
    #[ts(type = "number")]
    pub id: i64,
    pub gateway: String,
    pub coin: String,
    pub amount: String,
    pub address: String,
    /// RFC 3339 UTC.
    pub requested_at: String,
    /// `sent` (no answer recorded: the app stopped or the line dropped),
    /// `registered`, `refused` or `failed`.
    pub outcome: String,
    pub message: Option<String>,
    pub gateway_withdrawal_id: Option<String>,
    pub answered_at: Option<String>,
}

fn parse_ts(s: &str) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
        })
}

fn parse_dec(s: &str) -> rusqlite::Result<Decimal> {
    Decimal::from_str(s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn bad_value(what: &str, value: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        format!("unknown {what} '{value}'").into(),
    )
}

impl Ledger {
    /// Opens (or creates) the ledger file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self> {
        let mut conn = Connection::open(path).map_err(|e| {
            Error::Storage(format!(
                "Cannot open the sales ledger at {} ({e}). Check that the folder exists and is writable.",
                path.display()
            ))
        })?;
        // The busy timeout comes before anything else: even switching to WAL
        // takes a lock, and the window, the watcher and any number of
        // command-line runs share this file. A writer that finds it busy
        // waits (up to BUSY_TIMEOUT) instead of failing with "database is locked".
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // WAL keeps the file consistent if the app is killed mid-write and
        // lets readers go on while one process writes.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        // SQLite leaves foreign keys off per connection unless asked.
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrations::apply(&mut conn).map_err(|e| {
            Error::Storage(format!(
                "Cannot update the sales ledger at {} ({e}). Your sales are untouched; install the latest Cryptill.",
                path.display()
            ))
        })?;
        Ok(Self {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written
        // (each write is a transaction), so a poisoned lock is still usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.conn().execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Stores several settings at once: all of them or, on an error, none.
    pub fn set_settings<'a>(
        &self,
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<()> {
        let mut conn = self.conn();
        let tx = write_tx(&mut conn)?;
        for (key, value) in pairs {
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Records a new sale before the gateway hears of it, and gives it the
    /// merchant order id the gateway will know it by (see
    /// [`next_merchant_order_id`]). Sales recorded before keep theirs.
    pub fn begin_sale(&self, fiat: &Money, coin: &Coin, gateway: GatewayKind) -> Result<Sale> {
        self.begin_itemised_sale(fiat, coin, gateway, &[], None, None)
    }

    /// Inserts a sale inside `tx` and gives it its merchant order id.
    fn insert_sale(
        tx: &Transaction<'_>,
        fiat: &Money,
        coin: &Coin,
        gateway: GatewayKind,
    ) -> Result<i64> {
        let created = crate::clock::now();
        // Who sells: the open shift's cashier. Refused before any gateway
        // call when cashiers exist and no shift is open; with none set up
        // the sale has no cashier, as before cashiers existed.
        let (shift_id, cashier_id) = shifts::selling_shift(tx)?.unzip();
        let merchant_order_id = next_merchant_order_id(tx, created)?;
        let now = timestamp(created);
        tx.execute(
            "INSERT INTO sales (merchant_order_id, state, fiat_amount, fiat_currency, coin,
                                coin_decimals, network, gateway, created_at, updated_at)
             VALUES (?8, 'creating', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
            params![
                fiat.to_fixed(),
                fiat.currency().code(),
                coin.symbol,
                coin.decimals,
                coin.network,
                gateway.as_str(),
                now,
                merchant_order_id
            ],
        )?;
        let id = tx.last_insert_rowid();
        if shift_id.is_some() {
            tx.execute(
                "UPDATE sales SET shift_id = ?1, cashier_id = ?2 WHERE id = ?3",
                params![shift_id, cashier_id, id],
            )?;
        }
        Ok(id)
    }

    /// Locks the conversion the order will be created with.
    pub fn record_conversion(&self, id: i64, conversion: &Conversion) -> Result<()> {
        self.conn().execute(
            "UPDATE sales SET crypto_amount = ?1, rate = ?2, updated_at = ?3 WHERE id = ?4",
            params![
                conversion.crypto.to_fixed(),
                conversion.rate.to_string(),
                timestamp(crate::clock::now()),
                id
            ],
        )?;
        Ok(())
    }

    /// Stores what the gateway says of the sale's order. The order's
    /// expected amount is the binding one, so it replaces the quoted amount.
    /// What a gateway does not repeat on every answer (the amount before a
    /// coin is chosen, the payment URI only checkout gives, a notice) is
    /// kept from before.
    pub fn record_order(&self, id: i64, order: &GatewayOrder) -> Result<Sale> {
        let now = crate::clock::now();
        let settled = matches!(order.state, SaleState::Paid | SaleState::Overpaid);
        self.conn().execute(
            "UPDATE sales SET state = ?1, gateway_order_id = ?2,
                    crypto_amount = COALESCE(?3, crypto_amount),
                    paid_amount = ?4, address = ?5, payment_uri = COALESCE(?6, payment_uri),
                    expires_at = ?7, confirmations = ?8, required_confirmations = ?9, tx_id = ?10,
                    updated_at = ?11,
                    paid_at = CASE WHEN ?12 AND paid_at IS NULL THEN ?11 ELSE paid_at END,
                    notice = COALESCE(?14, notice)
             WHERE id = ?13 AND voided_at IS NULL",
            params![
                order.state.as_str(),
                order.gateway_order_id,
                order.expected.as_ref().map(Money::to_fixed),
                order.paid.to_fixed(),
                order.address,
                order.payment_uri,
                order.expires_at.map(timestamp),
                order.confirmations,
                order.required_confirmations,
                order.transaction_id,
                timestamp(now),
                settled,
                id,
                order.notice
            ],
        )?;
        self.sale(id)
    }

    pub fn sale(&self, id: i64) -> Result<Sale> {
        self.conn()
            .query_row(&format!("{SELECT_SALE} WHERE id = ?1"), [id], sale_from_row)
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("There is no sale number {id} in the ledger.")))
    }

    /// A sale by what a person may have at hand: the local sale number, our
    /// merchant order id, or the gateway's order id.
    pub fn find_sale(&self, reference: &str) -> Result<Sale> {
        let reference = reference.trim();
        let found: Option<i64> = self
            .conn()
            .query_row(
                "SELECT id FROM sales
                 WHERE merchant_order_id = ?1 OR gateway_order_id = ?1 OR CAST(id AS TEXT) = ?1
                 ORDER BY (CAST(id AS TEXT) = ?1) DESC, id DESC LIMIT 1",
                [reference],
                |r| r.get(0),
            )
            .optional()?;
        match found {
            Some(id) => self.sale(id),
            None => Err(Error::NotFound(format!(
                "No sale in the ledger has the number or order id '{reference}'."
            ))),
        }
    }

    /// Records a sale as the cashier entered it: its lines (label, amount)
    /// and tip, which together make `fiat`, and the expired sale it
    /// replaces, if any. One transaction: the lines never exist without the
    /// sale. Then it is a new sale like any other (see [`Ledger::begin_sale`]).
    pub fn begin_itemised_sale(
        &self,
        fiat: &Money,
        coin: &Coin,
        gateway: GatewayKind,
        lines: &[SaleLine],
        tip: Option<&Money>,
        replaces_sale_id: Option<i64>,
    ) -> Result<Sale> {
        let mut conn = self.conn();
        let tx = write_tx(&mut conn)?;
        let id = Self::insert_sale(&tx, fiat, coin, gateway)?;
        tx.execute(
            "UPDATE sales SET tip_amount = ?1, replaces_sale_id = ?2 WHERE id = ?3",
            params![tip.map(Money::to_fixed), replaces_sale_id, id],
        )?;
        for (position, line) in lines.iter().enumerate() {
            tx.execute(
                "INSERT INTO sale_lines (sale_id, position, label, amount) VALUES (?1, ?2, ?3, ?4)",
                params![id, position as i64, line.label, line.amount.to_fixed()],
            )?;
        }
        tx.commit()?;
        drop(conn);
        self.sale(id)
    }

    /// Claims the sale for placing its gateway order: one atomic write, so
    /// of any number of threads and processes trying at once exactly one
    /// gets `true`. A claim older than [`CLAIM_STALE_AFTER`] (its holder
    /// died) can be taken over. Only a sale still `creating` is claimed.
    pub fn claim_placement(&self, id: i64, claimant: &str) -> Result<bool> {
        let now = crate::clock::now();
        let stale = timestamp(now - CLAIM_STALE_AFTER);
        let changed = self.conn().execute(
            "UPDATE sales SET placement_claimant = ?1, placement_claimed_at = ?2
             WHERE id = ?3 AND state = 'creating' AND voided_at IS NULL
               AND (placement_claimant IS NULL OR placement_claimant = ?1
                    OR placement_claimed_at < ?4)",
            params![claimant, timestamp(now), id, stale],
        )?;
        if changed == 1 {
            return Ok(true);
        }
        // A claim whose process is gone (killed mid-placement) is taken over
        // at once: a restart must not wait for it to go stale. Compare and
        // swap on the old claimant, so two takers still make one winner.
        let held: Option<String> = self
            .conn()
            .query_row(
                "SELECT placement_claimant FROM sales WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        let Some(held) = held.filter(|h| !claimant_alive(h)) else {
            return Ok(false);
        };
        let taken = self.conn().execute(
            "UPDATE sales SET placement_claimant = ?1, placement_claimed_at = ?2
             WHERE id = ?3 AND state = 'creating' AND voided_at IS NULL
               AND placement_claimant = ?4",
            params![claimant, timestamp(now), id, held],
        )?;
        if taken == 1 {
            tracing::info!(sale = id, from = %held, "took over the placement claim of a process that is gone");
        }
        Ok(taken == 1)
    }

    /// Gives up a placement claim (the placement failed, so another may try
    /// at once instead of after the claim goes stale).
    pub fn release_placement(&self, id: i64, claimant: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE sales SET placement_claimant = NULL, placement_claimed_at = NULL
             WHERE id = ?1 AND placement_claimant = ?2",
            params![id, claimant],
        )?;
        Ok(())
    }

    /// The sale's lines in the order they were typed; empty for a sale
    /// charged as one amount.
    pub fn sale_lines(&self, sale_id: i64) -> Result<Vec<SaleLine>> {
        let sale = self.sale(sale_id)?;
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT label, amount FROM sale_lines WHERE sale_id = ?1 ORDER BY position")?;
        let lines = stmt
            .query_map([sale_id], |r| {
                Ok(SaleLine {
                    label: r.get(0)?,
                    amount: Money::new(
                        parse_dec(&r.get::<_, String>(1)?)?,
                        sale.fiat.currency().clone(),
                    ),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(lines)
    }

    /// The cashier voids a sale before payment: it stays in the ledger,
    /// `canceled`, with the time of the void. Only an open sale can be voided.
    pub fn void_sale(&self, id: i64) -> Result<Sale> {
        let now = timestamp(crate::clock::now());
        let changed = self.conn().execute(
            "UPDATE sales SET state = 'canceled', voided_at = ?1, updated_at = ?1
             WHERE id = ?2 AND state IN ('creating', 'awaiting')",
            params![now, id],
        )?;
        let sale = self.sale(id)?;
        if changed == 0 {
            return Err(Error::NotAllowed(format!(
                "Sale {id} is {} and cannot be canceled any more.",
                sale.state.as_str()
            )));
        }
        Ok(sale)
    }

    /// Flags the sale for the owner (e.g. an underpayment the cashier could
    /// not settle at the counter).
    pub fn mark_needs_owner(&self, id: i64) -> Result<Sale> {
        self.conn().execute(
            "UPDATE sales SET needs_owner = 1, updated_at = ?1 WHERE id = ?2",
            params![timestamp(crate::clock::now()), id],
        )?;
        self.sale(id)
    }

    /// A payment arrived for a sale that had expired or was voided. The
    /// sale keeps its state (a replacement may have been paid too: the owner
    /// settles it); the payment and its time are recorded once.
    pub fn record_late_payment(&self, id: i64, paid: &Money, tx_id: Option<&str>) -> Result<Sale> {
        let now = timestamp(crate::clock::now());
        self.conn().execute(
            "UPDATE sales SET paid_amount = ?1, tx_id = COALESCE(?2, tx_id),
                    late_payment_at = COALESCE(late_payment_at, ?3), updated_at = ?3
             WHERE id = ?4",
            params![paid.to_fixed(), tx_id, now, id],
        )?;
        self.sale(id)
    }

    /// Expired and voided sales still worth watching for a late payment:
    /// those that ended after `since` and have none recorded yet.
    /// Only sales with a gateway order id: without one the gateway never made
    /// an order that could be paid, and looking one up (CoinGate lists its
    /// whole order history for it) would cost the shop its request budget.
    /// Only sales of `gateway`: another gateway's order cannot be asked here.
    pub fn late_watch_sales(
        &self,
        since: DateTime<Utc>,
        gateway: GatewayKind,
    ) -> Result<Vec<Sale>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "{SELECT_SALE} WHERE state IN ('expired', 'canceled') AND late_payment_at IS NULL
             AND gateway_order_id IS NOT NULL AND gateway_order_id != '' AND gateway = ?2
             AND COALESCE(voided_at, expires_at, updated_at) >= ?1 ORDER BY id"
        ))?;
        let sales = stmt
            .query_map(params![timestamp(since), gateway.as_str()], sale_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(sales)
    }

    /// Sales recorded at or after `since`, newest first.
    pub fn sales_since(&self, since: DateTime<Utc>) -> Result<Vec<Sale>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "{SELECT_SALE} WHERE created_at >= ?1 ORDER BY id DESC"
        ))?;
        let sales = stmt
            .query_map([timestamp(since)], sale_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(sales)
    }

    /// Sales whose outcome is not known yet, oldest first.
    pub fn open_sales(&self) -> Result<Vec<Sale>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "{SELECT_SALE} WHERE state IN ('creating', 'awaiting', 'confirming', 'underpaid') ORDER BY id"
        ))?;
        let sales = stmt
            .query_map([], sale_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(sales)
    }
}

/// Order ids count milliseconds from here: with three node digits they stay
/// below 2^53 for 285 years.
const ORDER_ID_EPOCH_MS: i64 = 1_704_067_200_000; // 2024-01-01T00:00:00Z
/// The install node takes the last three digits.
const ORDER_ID_NODES: i64 = 1_000;
/// Below 2^53, so a JavaScript-based server keeps the id exact.
const MAX_ORDER_ID: i64 = (1 << 53) - 1;

/// The merchant order id for a new sale, the one place ids are made.
///
/// gateways.md, Round 2: Counos's official client types `orderId` as an
/// integer, its README as a string; an id that is both (digits only, a
/// signed 64-bit integer, below 2^53) is safe under either reading. It is
/// `<milliseconds since 2024-01-01><3-digit install node>`:
/// - the millisecond never repeats within an install (each id is at least
///   one later than the last one issued), and a restored or copied ledger
///   issues ids from the clock, later than any it issued before the copy,
///   so Counos `renew:false` cannot hand a new sale an old order (the
///   client also refuses an answer that does not match the sale);
/// - the node (random per ledger, kept in `settings`) keeps two laptops
///   that share a terminal key apart even within one millisecond, 999
///   times in 1000.
///
/// A till id may later take part of the node; only this function changes.
pub(crate) fn next_merchant_order_id(
    tx: &rusqlite::Transaction<'_>,
    now: DateTime<Utc>,
) -> Result<String> {
    let node: i64 = match tx
        .query_row(
            "SELECT value FROM settings WHERE key = 'order_id_node'",
            [],
            |r| r.get::<_, String>(0),
        )
        .optional()?
        .and_then(|v| v.parse().ok())
    {
        Some(node) => node,
        None => {
            let mut bytes = [0u8; 2];
            getrandom::fill(&mut bytes).map_err(|e| {
                Error::Storage(format!("Cannot make an order id ({e}). Try again."))
            })?;
            let mut bytes4 = [0u8; 4];
            bytes4[..2].copy_from_slice(&bytes);
            getrandom::fill(&mut bytes4[2..]).map_err(|e| {
                Error::Storage(format!("Cannot make an order id ({e}). Try again."))
            })?;
            let node = i64::from(u32::from_le_bytes(bytes4)) % ORDER_ID_NODES;
            tx.execute(
                "INSERT INTO settings (key, value) VALUES ('order_id_node', ?1)",
                [node.to_string()],
            )?;
            node
        }
    };
    let last: i64 = tx
        .query_row(
            "SELECT value FROM settings WHERE key = 'order_id_last_tick'",
            [],
            |r| r.get::<_, String>(0),
        )
        .optional()?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut tick = (now.timestamp_millis() - ORDER_ID_EPOCH_MS)
        .max(last.saturating_add(1))
        .max(1);
    loop {
        let id = tick
            .checked_mul(ORDER_ID_NODES)
            .and_then(|v| v.checked_add(node))
            .filter(|id| *id <= MAX_ORDER_ID)
            .ok_or_else(|| Error::Storage("The order id counter is exhausted.".into()))?;
        let id = id.to_string();
        let taken: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM sales WHERE merchant_order_id = ?1)",
            [&id],
            |r| r.get(0),
        )?;
        if !taken {
            tx.execute(
                "INSERT INTO settings (key, value) VALUES ('order_id_last_tick', ?1)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [tick.to_string()],
            )?;
            return Ok(id);
        }
        tick += 1;
    }
}

/// The columns of a sale, in the order [`SELECT_SALE`] reads them.
/// `sale_from_row` reads them by position: looking a column up by name
/// costs a scan of the statement's column names, and it was more than half
/// the time of reading a million sales. `the_sale_columns_are_read_where_select_sale_puts_them`
/// holds the two lists together; a new column is one more entry in each.
const SALE_COLUMNS: [&str; 31] = [
    "id",
    "merchant_order_id",
    "state",
    "fiat_amount",
    "fiat_currency",
    "coin",
    "coin_decimals",
    "network",
    "crypto_amount",
    "paid_amount",
    "rate",
    "gateway",
    "gateway_order_id",
    "address",
    "payment_uri",
    "expires_at",
    "confirmations",
    "required_confirmations",
    "tx_id",
    "notice",
    "tip_amount",
    "late_payment_at",
    "needs_owner",
    "replaces_sale_id",
    "voided_at",
    "created_at",
    "updated_at",
    "paid_at",
    "cashier_id",
    "shift_id",
    "cashier_name",
];

const SELECT_SALE: &str = "SELECT id, merchant_order_id, state, fiat_amount, fiat_currency, coin,
    coin_decimals, network, crypto_amount, paid_amount, rate, gateway, gateway_order_id, address,
    payment_uri, expires_at, confirmations, required_confirmations, tx_id, notice, tip_amount,
    late_payment_at, needs_owner, replaces_sale_id, voided_at, created_at,
    updated_at, paid_at, cashier_id, shift_id,
    (SELECT name FROM cashiers WHERE cashiers.id = sales.cashier_id) AS cashier_name FROM sales";

/// The position of a column of [`SALE_COLUMNS`], found at compile time.
const fn col(name: &str) -> usize {
    let mut i = 0;
    while i < SALE_COLUMNS.len() {
        let (a, b) = (SALE_COLUMNS[i].as_bytes(), name.as_bytes());
        if a.len() == b.len() {
            let mut j = 0;
            while j < a.len() && a[j] == b[j] {
                j += 1;
            }
            if j == a.len() {
                return i;
            }
        }
        i += 1;
    }
    panic!("not a column of SALE_COLUMNS")
}

fn sale_from_row(r: &Row<'_>) -> rusqlite::Result<Sale> {
    macro_rules! at {
        ($name:literal) => {
            const { col($name) }
        };
    }
    let fiat_currency: String = r.get(at!("fiat_currency"))?;
    let fiat_currency = Currency::stored_fiat(&fiat_currency);
    let coin = Currency::new(
        &r.get::<_, String>(at!("coin"))?,
        r.get(at!("coin_decimals"))?,
    );
    let money = |col: usize, cur: &Currency| -> rusqlite::Result<Option<Money>> {
        r.get::<_, Option<String>>(col)?
            .map(|s| parse_dec(&s).map(|d| Money::new(d, cur.clone())))
            .transpose()
    };
    let state: String = r.get(at!("state"))?;
    let gateway: String = r.get(at!("gateway"))?;
    let opt_ts = |col: usize| -> rusqlite::Result<Option<DateTime<Utc>>> {
        r.get::<_, Option<String>>(col)?
            .map(|s| parse_ts(&s))
            .transpose()
    };
    let tip = money(at!("tip_amount"), &fiat_currency)?;
    Ok(Sale {
        id: r.get(at!("id"))?,
        merchant_order_id: r.get(at!("merchant_order_id"))?,
        state: SaleState::parse(&state).ok_or_else(|| bad_value("sale state", &state))?,
        fiat: Money::new(
            parse_dec(&r.get::<_, String>(at!("fiat_amount"))?)?,
            fiat_currency,
        ),
        crypto: money(at!("crypto_amount"), &coin)?,
        paid: money(at!("paid_amount"), &coin)?,
        coin,
        network: r
            .get::<_, Option<String>>(at!("network"))?
            .unwrap_or_default(),
        rate: r
            .get::<_, Option<String>>(at!("rate"))?
            .map(|s| parse_dec(&s))
            .transpose()?,
        gateway: GatewayKind::parse(&gateway).ok_or_else(|| bad_value("gateway", &gateway))?,
        gateway_order_id: r.get(at!("gateway_order_id"))?,
        address: r.get(at!("address"))?,
        payment_uri: r.get(at!("payment_uri"))?,
        expires_at: opt_ts(at!("expires_at"))?,
        confirmations: r.get(at!("confirmations"))?,
        required_confirmations: r.get(at!("required_confirmations"))?,
        transaction_id: r.get(at!("tx_id"))?,
        notice: r.get(at!("notice"))?,
        tip,
        late_payment_at: opt_ts(at!("late_payment_at"))?,
        needs_owner: r.get(at!("needs_owner"))?,
        replaces_sale_id: r.get(at!("replaces_sale_id"))?,
        voided_at: opt_ts(at!("voided_at"))?,
        created_at: parse_ts(&r.get::<_, String>(at!("created_at"))?)?,
        updated_at: parse_ts(&r.get::<_, String>(at!("updated_at"))?)?,
        paid_at: opt_ts(at!("paid_at"))?,
        cashier_id: r.get(at!("cashier_id"))?,
        cashier: r.get(at!("cashier_name"))?,
        shift_id: r.get(at!("shift_id"))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn btc() -> Coin {
        Coin::test_bitcoin("11")
    }

    #[test]
    fn a_new_sale_is_on_disk_with_a_unique_merchant_order_id() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.sqlite3");
        let fiat = Money::parse_entry("12.50", &Currency::fiat("EUR").unwrap()).unwrap();
        let first = Ledger::open(&path)
            .unwrap()
            .begin_sale(&fiat, &btc(), GatewayKind::Demo)
            .unwrap();
        // Reopen: the sale survived, and the next one gets a different id.
        let ledger = Ledger::open(&path).unwrap();
        let again = ledger.sale(first.id).unwrap();
        assert_eq!(again.state, SaleState::Creating);
        assert_eq!(again.fiat.to_string(), "12.50 EUR");
        let second = ledger.begin_sale(&fiat, &btc(), GatewayKind::Demo).unwrap();
        assert_ne!(first.merchant_order_id, second.merchant_order_id);
        // gateways.md, Round 2: digits only, below 2^53, valid as integer and string.
        for id in [&first.merchant_order_id, &second.merchant_order_id] {
            assert!(id.chars().all(|c| c.is_ascii_digit()), "{id}");
            assert!(id.parse::<i64>().unwrap() < (1i64 << 53), "{id}");
        }
        assert!(
            second.merchant_order_id.parse::<i64>().unwrap()
                > first.merchant_order_id.parse::<i64>().unwrap()
        );
        assert_eq!(ledger.open_sales().unwrap().len(), 2);
        assert_eq!(ledger.find_sale("2").unwrap().id, second.id);
        assert_eq!(
            ledger.find_sale(&first.merchant_order_id).unwrap().id,
            first.id
        );
        assert!(ledger
            .find_sale("nope")
            .unwrap_err()
            .to_string()
            .contains("'nope'"));
    }

    #[test]
    fn a_restored_ledger_never_reissues_an_order_id_it_gave_before() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.sqlite3");
        let backup = dir.path().join("backup.sqlite3");
        let fiat = Money::parse_entry("1", &Currency::fiat("EUR").unwrap()).unwrap();
        {
            let ledger = Ledger::open(&path).unwrap();
            ledger.begin_sale(&fiat, &btc(), GatewayKind::Demo).unwrap();
            ledger
                .conn()
                .execute_batch(&format!("VACUUM INTO '{}'", backup.display()))
                .unwrap();
        }
        // A restore happens later than the backup; a millisecond is enough.
        std::thread::sleep(std::time::Duration::from_millis(5));
        let sold_after_backup = Ledger::open(&path)
            .unwrap()
            .begin_sale(&fiat, &btc(), GatewayKind::Demo)
            .unwrap();
        std::fs::copy(&backup, &path).unwrap();
        for extra in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{extra}", path.display()));
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
        let restored = Ledger::open(&path).unwrap();
        let sold_after_restore = restored
            .begin_sale(&fiat, &btc(), GatewayKind::Demo)
            .unwrap();
        // Same local sale number, a different order id at the gateway.
        assert_eq!(sold_after_restore.id, sold_after_backup.id);
        assert_ne!(
            sold_after_restore.merchant_order_id,
            sold_after_backup.merchant_order_id
        );
    }

    #[test]
    fn old_sales_keep_the_order_ids_they_were_made_with() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open(&dir.path().join("l")).unwrap();
        let fiat = Money::parse_entry("1", &Currency::fiat("EUR").unwrap()).unwrap();
        let old = ledger.begin_sale(&fiat, &btc(), GatewayKind::Demo).unwrap();
        ledger
            .conn()
            .execute(
                "UPDATE sales SET merchant_order_id = 'ct-a1b2c3-1' WHERE id = ?1",
                [old.id],
            )
            .unwrap();
        let new = ledger.begin_sale(&fiat, &btc(), GatewayKind::Demo).unwrap();
        assert_eq!(
            ledger.sale(old.id).unwrap().merchant_order_id,
            "ct-a1b2c3-1"
        );
        assert_eq!(ledger.find_sale("ct-a1b2c3-1").unwrap().id, old.id);
        assert!(new.merchant_order_id.chars().all(|c| c.is_ascii_digit()));
    }

    #[test]
    fn two_installs_never_share_merchant_order_ids_even_in_one_millisecond() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let fiat = Money::parse_entry("1", &Currency::fiat("EUR").unwrap()).unwrap();
        let (ledger_a, ledger_b) = (
            Ledger::open(&a.path().join("l")).unwrap(),
            Ledger::open(&b.path().join("l")).unwrap(),
        );
        // Each install draws its node once; two that drew different nodes
        // (999 times in 1000) differ whatever the clock says.
        ledger_a.set_setting("order_id_node", "17").unwrap();
        ledger_b.set_setting("order_id_node", "942").unwrap();
        let now = Utc::now();
        let id = |ledger: &Ledger| {
            let mut conn = ledger.conn();
            let tx = conn.transaction().unwrap();
            next_merchant_order_id(&tx, now).unwrap()
        };
        let (id_a, id_b) = (id(&ledger_a), id(&ledger_b));
        assert_ne!(id_a, id_b);
        assert!(
            id_a.ends_with("017") && id_b.ends_with("942"),
            "{id_a} {id_b}"
        );
        // A fresh install draws and keeps its node.
        let c = tempfile::tempdir().unwrap();
        let ledger_c = Ledger::open(&c.path().join("l")).unwrap();
        let sale = ledger_c
            .begin_sale(&fiat, &btc(), GatewayKind::Demo)
            .unwrap();
        let node: i64 = ledger_c
            .setting("order_id_node")
            .unwrap()
            .unwrap()
            .parse()
            .unwrap();
        assert!((0..1000).contains(&node));
        assert!(sale.merchant_order_id.ends_with(&format!("{node:03}")));
    }

    #[test]
    fn the_sale_columns_are_read_where_select_sale_puts_them() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open(&dir.path().join("l")).unwrap();
        let conn = ledger.conn();
        let stmt = conn.prepare(SELECT_SALE).unwrap();
        assert_eq!(stmt.column_names(), SALE_COLUMNS.to_vec());
    }

    #[test]
    fn settings_round_trip_and_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open(&dir.path().join("l")).unwrap();
        assert_eq!(ledger.setting("shop_name").unwrap(), None);
        ledger.set_setting("shop_name", "Corner Café").unwrap();
        ledger
            .set_setting("shop_name", "Corner Café & Bakery")
            .unwrap();
        assert_eq!(
            ledger.setting("shop_name").unwrap().as_deref(),
            Some("Corner Café & Bakery")
        );
    }
}
