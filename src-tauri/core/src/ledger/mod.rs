//! The sales ledger: one SQLite file under the app-data dir and, for a shop
//! with several tills, a shared PostgreSQL server that holds the shop's
//! sales (see [`pg`]; the owner's choice is kept next to the file, see
//! [`choice`]). A sale is written before any gateway call, so nothing the
//! counter does can be lost to a crash or a dropped connection. Amounts are
//! stored as exact decimal text, times as UTC RFC 3339. The sales' SQL is
//! written once for both databases ([`db`]).

pub mod choice;
mod copy;
pub(crate) mod db;
mod flush;
pub mod generate;
mod live;
mod migrations;
mod owner;
mod pg;
mod prints;
mod query;
mod refunds;
mod shifts;

pub use prints::AutoPrint;
pub use refunds::more_than_left;
pub use refunds::{
    refunded_fiat, sum_amount_list, NewRefund, RefundKind, RefundRecord, RefundState, RefundUpdate,
    RejectWhy,
};

pub(crate) use owner::PinHolder;
pub use owner::{OwnerAttempt, WithdrawalTurn};
pub(crate) use shifts::no_open_shift;
pub use shifts::{CashierRecord, ShiftEvent, ShiftRecord};

pub use choice::LedgerChoice;
pub use copy::Moved;
pub use db::Backend;
pub use live::ShopSaleChanged;
pub use migrations::SCHEMA_VERSION;
pub use pg::PG_SCHEMA_VERSION;

use crate::said::Said;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use rust_decimal::Decimal;
use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::money::{Currency, Money};
use crate::sale::{timestamp, Coin, Conversion, GatewayKind, GatewayOrder, SaleState};

use db::{args, Cols, Db, SqliteDb};
use pg::{Pg, PgDb};

pub use query::{Order, Read, SaleCursor, SaleQuery, StatusFilter, StoredSale};

pub struct Ledger {
    /// The till's own file: its settings, owner PIN, cashiers and shifts,
    /// and (unless the till writes to a shared ledger) its sales.
    conn: Mutex<Connection>,
    /// The file, for long reads on a connection of their own.
    path: PathBuf,
    /// The shop's shared ledger, when the owner chose one.
    shared: Option<Shared>,
    /// Commits made without waiting for the disk ([`flush`]).
    unflushed: flush::Unflushed,
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
    /// The shift it was sold in (the till's own shift numbers).
    pub shift_id: Option<i64>,
    /// The till that sold it, on a shared ledger (`None` on SQLite: this till).
    pub till: Option<String>,
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
    /// The answer in English (with the gateway's own words where it refused).
    pub message: Option<String>,
    /// The same answer's sentence, for the window to say in the shop's
    /// language; `None` for requests answered before answers had codes.
    pub said: Option<Said>,
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

/// The shared ledger this till writes its sales to, when it has one.
struct Shared {
    pg: Mutex<Pg>,
    /// This till's number on the server (the last digits of its order ids).
    till: i64,
    till_name: Mutex<String>,
    /// The live updates from the server, once someone asked for them.
    listener: std::sync::OnceLock<live::Listener>,
}

/// Which sales a statement may touch: on the shared ledger a till follows,
/// places and numbers only its own sales, and its shifts are its own.
pub(crate) struct Scope {
    pub(crate) till: Option<i64>,
}

impl Scope {
    pub(crate) const SQLITE: Scope = Scope { till: None };

    /// ` AND till_id = N` on the shared ledger, nothing on SQLite. The
    /// number is the till's own, never input.
    pub(crate) fn mine(&self) -> String {
        self.till
            .map(|t| format!(" AND till_id = {t}"))
            .unwrap_or_default()
    }
}

/// The setting with this till's id on a shared ledger (random, made once).
pub const TILL_UUID: &str = "till_uuid";
/// The setting with this till's name.
pub const TILL_NAME: &str = "till_name";
/// The setting with the shared ledger this till last registered with and
/// its number there (`HOST:PORT/DB|N`), so it can open while that server is
/// down.
const SHARED_TILL: &str = "shared_till";
/// The name of a till that was never named.
pub const DEFAULT_TILL_NAME: &str = "Till 1";

impl Ledger {
    /// Opens the till's ledger: the SQLite file at `path` and, when the
    /// owner chose a shared ledger (`cryptill ledger use`, kept next to the
    /// file, see [`choice`]), the PostgreSQL server its sales go to.
    pub fn open(path: &Path) -> Result<Self> {
        let local = Self::open_sqlite(path)?;
        match choice::read(path)? {
            LedgerChoice::Sqlite => Ok(local),
            LedgerChoice::Postgres { url, password } => {
                let password = if password {
                    Some(choice::password(&local, path)?)
                } else {
                    None
                };
                local.attach(&url, password.as_ref().map(|p| p.expose().as_str()))
            }
        }
    }

    /// Opens (or creates) the till's SQLite file and brings its schema up to date.
    pub fn open_sqlite(path: &Path) -> Result<Self> {
        let mut conn = Connection::open(path)
            .map_err(|e| Error::storage(Said::ledger_cannot_open(path.display(), e)))?;
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
        migrations::apply(&mut conn)
            .map_err(|e| Error::storage(Said::ledger_cannot_update(path.display(), e)))?;
        Ok(Self {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
            shared: None,
            unflushed: Default::default(),
        })
    }

    /// Connects this till to the shared ledger at `url`: the server's schema
    /// is brought up to date (or a newer one refused) and the till gets its
    /// number there. Its own SQLite file stays open for what is the till's.
    ///
    /// A till that has used this server before opens even while the server
    /// cannot be reached (its number is kept in its file): the window comes
    /// up, a new sale gets the outage sentence, and the open sales are
    /// followed again once the server answers.
    pub(crate) fn attach(mut self, url: &str, password: Option<&str>) -> Result<Self> {
        let (pg, connected) = Pg::start(url, password)?;
        let known = self
            .setting(SHARED_TILL)?
            .and_then(|v| {
                let (place, till) = v.rsplit_once('|')?;
                Some((place.to_string(), till.parse::<i64>().ok()?))
            })
            .filter(|(place, _)| *place == pg.place)
            .map(|(_, till)| till);
        let (till, name) = match (connected, known) {
            (Ok(()), _) => {
                let uuid = self.till_uuid()?;
                let name = self.setting(TILL_NAME)?;
                let (till, name) =
                    pg.register_till(&uuid, name.as_deref(), &timestamp(pg.now()))?;
                self.set_setting(SHARED_TILL, &format!("{}|{till}", pg.place))?;
                (till, name)
            }
            (Err(e), Some(till)) if e.to_string() == pg::unreachable(&pg.place).to_string() => {
                tracing::warn!(ledger = %pg.place, "the shop's ledger cannot be reached; opening without it");
                let name = self
                    .setting(TILL_NAME)?
                    .unwrap_or_else(|| format!("Till {till}"));
                (till, name)
            }
            (Err(e), _) => return Err(e),
        };
        if self.setting(TILL_NAME)?.as_deref() != Some(name.as_str()) {
            self.set_setting(TILL_NAME, &name)?;
        }
        self.shared = Some(Shared {
            pg: Mutex::new(pg),
            till,
            till_name: Mutex::new(name),
            listener: std::sync::OnceLock::new(),
        });
        Ok(self)
    }

    /// This till's id on shared ledgers, made the first time it is asked.
    fn till_uuid(&self) -> Result<String> {
        if let Some(id) = self.setting(TILL_UUID)? {
            return Ok(id);
        }
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|e| Error::storage(Said::till_id_failed(e)))?;
        let id: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        self.conn().execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO NOTHING",
            params![TILL_UUID, id],
        )?;
        Ok(self.setting(TILL_UUID)?.unwrap_or(id))
    }

    /// Whether the sales are on the shop's shared ledger (PostgreSQL), whose
    /// server can be out of reach when a sale is written, rather than in
    /// the till's own file.
    pub fn is_shared(&self) -> bool {
        self.shared.is_some()
    }

    /// Which ledger holds the sales, and which till this is.
    pub fn status(&self) -> LedgerStatus {
        match &self.shared {
            None => LedgerStatus {
                backend: "sqlite".into(),
                place: self.path.display().to_string(),
                till: None,
                till_name: self
                    .setting(TILL_NAME)
                    .ok()
                    .flatten()
                    .unwrap_or_else(|| DEFAULT_TILL_NAME.into()),
                schema: SCHEMA_VERSION,
            },
            Some(shared) => LedgerStatus {
                backend: "postgres".into(),
                place: lock(&shared.pg).place.clone(),
                till: Some(shared.till),
                till_name: lock(&shared.till_name).clone(),
                schema: pg::PG_SCHEMA_VERSION,
            },
        }
    }

    /// Every change of the shop's sales on the shared ledger, as the server
    /// tells it (LISTEN/NOTIFY, see [`live`]): this till's and the other
    /// tills'. `None` on SQLite, where the till is alone and its own
    /// watcher tells it everything. The listener starts on the first call
    /// and is in place when this returns.
    pub fn shop_sales(&self) -> Result<Option<tokio::sync::broadcast::Receiver<ShopSaleChanged>>> {
        let Some(shared) = &self.shared else {
            return Ok(None);
        };
        if let Some(listener) = shared.listener.get() {
            return Ok(Some(listener.sender.subscribe()));
        }
        let started = live::Listener::start(&lock(&shared.pg))?;
        // Two first callers at once: one listener is kept, the other ends.
        let listener = shared.listener.get_or_init(|| started);
        Ok(Some(listener.sender.subscribe()))
    }

    /// Every till of a shop on a shared ledger sells in the shop's one
    /// currency, so the shop has one report and one set of totals (a shop
    /// owner reads "today: 1,234.50 EUR", not a sum per currency). The
    /// first till on the server sets it; a till in another currency is
    /// refused with what to do. On SQLite any currency goes.
    pub fn check_shop_currency(&self, code: &str) -> Result<()> {
        let Some(shared) = &self.shared else {
            return Ok(());
        };
        let code = code.trim().to_ascii_uppercase();
        let shop = self.in_tx(|db, _| {
            db.execute(
                "INSERT INTO shop_settings (key, value) VALUES ('fiat_currency', ?1)
                 ON CONFLICT (key) DO NOTHING",
                args![code.as_str()],
            )?;
            db.first(
                "SELECT value FROM shop_settings WHERE key = 'fiat_currency'",
                &[],
                |r| r.text(0),
            )
        })?;
        match shop {
            Some(shop) if shop != code => {
                let place = lock(&shared.pg).place.clone();
                let host = place.split(['/', ':']).next().unwrap_or(&place).to_string();
                Err(Error::not_allowed(Said::shop_one_currency(
                    host, shop, code,
                )))
            }
            _ => Ok(()),
        }
    }

    /// The names of the tills whose sales the ledger holds, by number: this
    /// till alone on SQLite; every till registered on a shared ledger (the
    /// owner's screens offer a till filter when there are several).
    pub fn tills(&self) -> Result<Vec<String>> {
        match &self.shared {
            None => Ok(vec![self.status().till_name]),
            Some(_) => self
                .with_db(|db, _| db.all("SELECT name FROM tills ORDER BY id", &[], |r| r.text(0))),
        }
    }

    /// Names this till (in its own file, and on the shared ledger if any).
    pub fn set_till_name(&self, name: &str) -> Result<String> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 40 || name.chars().any(char::is_control) {
            return Err(Error::input(Said::till_name_rule()));
        }
        if let Some(shared) = &self.shared {
            lock(&shared.pg).rename_till(shared.till, name)?;
            *lock(&shared.till_name) = name.to_string();
        }
        self.set_setting(TILL_NAME, name)?;
        Ok(name.to_string())
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written
        // (each write is a transaction), so a poisoned lock is still usable.
        lock(&self.conn)
    }

    /// The time sales are stamped with: the server's on a shared ledger
    /// (the tills' clocks may differ), the till's clock otherwise.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        match &self.shared {
            Some(shared) => lock(&shared.pg).now(),
            None => crate::clock::now(),
        }
    }

    /// Runs `f` on the database that holds the sales, one statement at a
    /// time (no transaction).
    pub(crate) fn with_db<T>(&self, f: impl FnOnce(&mut dyn Db, &Scope) -> Result<T>) -> Result<T> {
        match &self.shared {
            None => f(&mut SqliteDb(&self.conn()), &Scope::SQLITE),
            Some(shared) => {
                let pg = lock(&shared.pg);
                f(
                    &mut PgDb(&pg),
                    &Scope {
                        till: Some(shared.till),
                    },
                )
            }
        }
    }

    /// On a shared ledger, a reader of long results on a connection of its
    /// own (the counter's connection stays free meanwhile).
    pub(crate) fn shared_reader(&self) -> Option<pg::Reader> {
        self.shared.as_ref().map(|shared| lock(&shared.pg).reader())
    }

    /// Runs `f` in one write transaction on the database that holds the
    /// sales: all of it or, on an error, nothing.
    pub(crate) fn in_tx<T>(&self, f: impl FnOnce(&mut dyn Db, &Scope) -> Result<T>) -> Result<T> {
        match &self.shared {
            None => {
                let mut conn = self.conn();
                let tx = write_tx(&mut conn)?;
                let out = f(&mut SqliteDb(&tx), &Scope::SQLITE)?;
                tx.commit()?;
                Ok(out)
            }
            Some(shared) => {
                let pg = lock(&shared.pg);
                pg.begin()?;
                let scope = Scope {
                    till: Some(shared.till),
                };
                match f(&mut PgDb(&pg), &scope) {
                    Ok(out) => {
                        pg.commit()?;
                        Ok(out)
                    }
                    Err(e) => {
                        pg.rollback();
                        Err(e)
                    }
                }
            }
        }
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            // Cached: a charge reads several settings.
            .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    }

    /// One setting stored as text, as [`Ledger::settings_stored`] reads
    /// it (a value that is not text is none: its default is used).
    pub fn setting_text(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .prepare_cached("SELECT value FROM settings WHERE key = ?1 AND typeof(value) = 'text'")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    }

    /// Every setting stored as text, at once: one query where reading each
    /// setting would be one per setting (`Settings::load`, on a charge's
    /// path). A value that is not text is left out (its default is used).
    pub fn settings_stored(&self) -> Result<std::collections::HashMap<String, String>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare_cached("SELECT key, value FROM settings WHERE typeof(value) = 'text'")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
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
        self.record_new_sale(&NewSale {
            fiat,
            coin,
            gateway,
            lines,
            tip,
            replaces_sale_id,
            claimant: None,
            conversion: None,
        })
    }

    /// [`Ledger::begin_itemised_sale`] for a sale whose order its recorder
    /// places at once (a charge): recorded already holding `claimant`'s
    /// placement claim (see [`Ledger::claim_placement`]), in the sale's own
    /// commit. Nobody can have claimed or placed a sale that did not exist,
    /// so this is the claim `claim_placement` would win, without a commit
    /// of its own or a read of the sale again after it. A claim whose
    /// process dies is taken over as any other.
    ///
    /// `conversion`: the amount its order will be created with, when the
    /// charge has it already (a rate of the last minute): locked in the
    /// same commit, as [`Ledger::record_conversion`] would lock it after.
    #[allow(clippy::too_many_arguments)]
    pub fn begin_claimed_sale(
        &self,
        fiat: &Money,
        coin: &Coin,
        gateway: GatewayKind,
        lines: &[SaleLine],
        tip: Option<&Money>,
        claimant: &str,
        conversion: Option<&Conversion>,
    ) -> Result<Sale> {
        self.record_new_sale(&NewSale {
            fiat,
            coin,
            gateway,
            lines,
            tip,
            replaces_sale_id: None,
            claimant: Some(claimant),
            conversion,
        })
    }

    fn record_new_sale(&self, new: &NewSale<'_>) -> Result<Sale> {
        // Who sells: the open shift's cashier. Refused before any gateway
        // call when cashiers exist and no shift is open; with none set up
        // the sale has no cashier, as before cashiers existed. Shifts are
        // the till's own: on SQLite read inside the sale's transaction, on
        // a shared ledger from the till's file just before it.
        let local_shift = match &self.shared {
            None => None,
            Some(_) => Some(self.selling_cashier(&mut SqliteDb(&self.conn()))?),
        };
        let created = self.now();
        // Not waiting for the disk: the sale is in the log (a crash of the
        // app loses nothing), and the checkout flushes the log beside the
        // order's request, before any answer is recorded or shown
        // (checkout/placement.rs). Its merchant order id comes from the
        // clock, so a sale a power cut takes never has its id issued again.
        let id = self.in_tx_unsynced(|db, scope| {
            let seller = match local_shift {
                Some(seller) => seller,
                None => self.selling_cashier(db)?,
            };
            let id = insert_sale(db, scope, new, seller, created)?;
            for (position, line) in new.lines.iter().enumerate() {
                db.execute(
                    "INSERT INTO sale_lines (sale_id, position, label, amount) VALUES (?1, ?2, ?3, ?4)",
                    args![id, position as i64, line.label.as_str(), line.amount.to_fixed()],
                )?;
            }
            Ok(id)
        })?;
        self.sale(id)
    }

    /// The open shift, its cashier and the cashier's name, as a new sale
    /// records them (`None`: no cashier is set up).
    fn selling_cashier(&self, db: &mut dyn Db) -> Result<Option<(i64, i64, Option<String>)>> {
        let Some((shift, cashier)) = shifts::selling_shift(db)? else {
            return Ok(None);
        };
        let name = db.first(
            "SELECT name FROM cashiers WHERE id = ?1",
            args![cashier],
            |r| r.opt_text(0),
        )?;
        Ok(Some((shift, cashier, name.flatten())))
    }

    /// Locks the conversion the order will be created with. Not waiting for
    /// the disk, like the sale's own commit (flushed beside the order's
    /// request, checkout/placement.rs).
    pub fn record_conversion(&self, id: i64, conversion: &Conversion) -> Result<()> {
        let now = timestamp(self.now());
        self.with_db_unsynced(|db, _| {
            db.execute(
                "UPDATE sales SET crypto_amount = ?1, rate = ?2, updated_at = ?3 WHERE id = ?4",
                args![
                    conversion.crypto.to_fixed(),
                    conversion.rate.to_string(),
                    now,
                    id
                ],
            )
        })?;
        Ok(())
    }

    /// Stores what the gateway says of the sale's order. The order's
    /// expected amount is the binding one, so it replaces the quoted amount.
    /// What a gateway does not repeat on every answer (the amount before a
    /// coin is chosen, the payment URI only checkout gives, a notice) is
    /// kept from before.
    pub fn record_order(&self, id: i64, order: &GatewayOrder) -> Result<Sale> {
        self.store_order(id, order, false)
    }

    /// [`Ledger::record_order`] for the order a charge has just placed,
    /// committed without waiting for the disk: the sale and its conversion
    /// are flushed already, and after a power cut the next start re-finds
    /// this order at the gateway by the sale's merchant order id
    /// (checkout/placement.rs says why that is enough).
    pub fn record_placed_order(&self, id: i64, order: &GatewayOrder) -> Result<Sale> {
        self.store_order(id, order, true)
    }

    fn store_order(&self, id: i64, order: &GatewayOrder, unsynced: bool) -> Result<Sale> {
        let now = self.now();
        let settled = matches!(order.state, SaleState::Paid | SaleState::Overpaid);
        let write = |db: &mut dyn Db, _: &Scope| {
            db.execute(
                "UPDATE sales SET state = ?1, gateway_order_id = ?2,
                    crypto_amount = COALESCE(?3, crypto_amount),
                    paid_amount = ?4, address = ?5, payment_uri = COALESCE(?6, payment_uri),
                    expires_at = ?7, confirmations = ?8, required_confirmations = ?9, tx_id = ?10,
                    updated_at = ?11,
                    paid_at = CASE WHEN ?12 <> 0 AND paid_at IS NULL THEN ?11 ELSE paid_at END,
                    notice = COALESCE(?14, notice)
                 WHERE id = ?13 AND voided_at IS NULL",
                args![
                    order.state.as_str(),
                    order.gateway_order_id.as_str(),
                    order.expected.as_ref().map(Money::to_fixed),
                    order.paid.to_fixed(),
                    order.address.as_str(),
                    order.payment_uri.as_deref(),
                    order.expires_at.map(timestamp),
                    order.confirmations,
                    order.required_confirmations,
                    order.transaction_id.as_deref(),
                    timestamp(now),
                    settled,
                    id,
                    order.notice.as_deref()
                ],
            )
        };
        if unsynced {
            self.with_db_unsynced(write)?;
        } else {
            self.with_db(write)?;
        }
        self.sale(id)
    }

    pub fn sale(&self, id: i64) -> Result<Sale> {
        self.with_db(|db, _| {
            db.first(
                &format!("{} WHERE id = ?1", select_sale(db.backend())),
                args![id],
                sale_from_row,
            )
        })?
        .ok_or_else(|| Error::not_found(Said::sale_not_found(id)))
    }

    /// A sale by what a person may have at hand: the local sale number, our
    /// merchant order id, or the gateway's order id.
    pub fn find_sale(&self, reference: &str) -> Result<Sale> {
        let reference = reference.trim();
        let found: Option<i64> = self.with_db(|db, _| {
            db.first(
                "SELECT id FROM sales
                 WHERE merchant_order_id = ?1 OR gateway_order_id = ?1 OR CAST(id AS TEXT) = ?1
                 ORDER BY (CAST(id AS TEXT) = ?1) DESC, id DESC LIMIT 1",
                args![reference],
                |r| r.int(0),
            )
        })?;
        match found {
            Some(id) => self.sale(id),
            None => Err(Error::not_found(Said::sale_reference_not_found(reference))),
        }
    }

    /// Claims the sale for placing its gateway order: one atomic write, so
    /// of any number of threads and processes trying at once exactly one
    /// gets `true`. A claim older than [`CLAIM_STALE_AFTER`] (its holder
    /// died) can be taken over. Only a sale still `creating` is claimed.
    pub fn claim_placement(&self, id: i64, claimant: &str) -> Result<bool> {
        let now = self.now();
        let stale = timestamp(now - CLAIM_STALE_AFTER);
        let changed = self.with_db_unsynced(|db, _| {
            db.execute(
                "UPDATE sales SET placement_claimant = ?1, placement_claimed_at = ?2
                 WHERE id = ?3 AND state = 'creating' AND voided_at IS NULL
                   AND (placement_claimant IS NULL OR placement_claimant = ?1
                        OR placement_claimed_at < ?4)",
                args![claimant, timestamp(now), id, stale],
            )
        })?;
        if changed == 1 {
            return Ok(true);
        }
        // A claim whose process is gone (killed mid-placement) is taken over
        // at once: a restart must not wait for it to go stale. Compare and
        // swap on the old claimant, so two takers still make one winner.
        let held: Option<String> = self
            .with_db(|db, _| {
                db.first(
                    "SELECT placement_claimant FROM sales WHERE id = ?1",
                    args![id],
                    |r| r.opt_text(0),
                )
            })?
            .flatten();
        let Some(held) = held.filter(|h| !claimant_alive(h)) else {
            return Ok(false);
        };
        let taken = self.with_db_unsynced(|db, _| {
            db.execute(
                "UPDATE sales SET placement_claimant = ?1, placement_claimed_at = ?2
                 WHERE id = ?3 AND state = 'creating' AND voided_at IS NULL
                   AND placement_claimant = ?4",
                args![claimant, timestamp(now), id, held.as_str()],
            )
        })?;
        if taken == 1 {
            tracing::info!(sale = id, from = %held, "took over the placement claim of a process that is gone");
        }
        Ok(taken == 1)
    }

    /// Gives up a placement claim (the placement failed, so another may try
    /// at once instead of after the claim goes stale).
    pub fn release_placement(&self, id: i64, claimant: &str) -> Result<()> {
        self.with_db(|db, _| {
            db.execute(
                "UPDATE sales SET placement_claimant = NULL, placement_claimed_at = NULL
                 WHERE id = ?1 AND placement_claimant = ?2",
                args![id, claimant],
            )
        })?;
        Ok(())
    }

    /// The sale's lines in the order they were typed; empty for a sale
    /// charged as one amount.
    pub fn sale_lines(&self, sale_id: i64) -> Result<Vec<SaleLine>> {
        let sale = self.sale(sale_id)?;
        self.with_db(|db, _| {
            db.all(
                "SELECT label, amount FROM sale_lines WHERE sale_id = ?1 ORDER BY position",
                args![sale_id],
                |r| {
                    Ok(SaleLine {
                        label: r.text(0)?,
                        amount: Money::new(parse_dec(&r.text(1)?)?, sale.fiat.currency().clone()),
                    })
                },
            )
        })
    }

    /// The cashier voids a sale before payment: it stays in the ledger,
    /// `canceled`, with the time of the void. Only an open sale can be voided.
    pub fn void_sale(&self, id: i64) -> Result<Sale> {
        let now = timestamp(self.now());
        let changed = self.with_db(|db, _| {
            db.execute(
                "UPDATE sales SET state = 'canceled', voided_at = ?1, updated_at = ?1
                 WHERE id = ?2 AND state IN ('creating', 'awaiting')",
                args![now, id],
            )
        })?;
        let sale = self.sale(id)?;
        if changed == 0 {
            return Err(Error::not_allowed(Said::sale_cannot_be_canceled_any_more(
                id,
                sale.state.as_str(),
            )));
        }
        Ok(sale)
    }

    /// Flags the sale for the owner (e.g. an underpayment the cashier could
    /// not settle at the counter).
    pub fn mark_needs_owner(&self, id: i64) -> Result<Sale> {
        let now = timestamp(self.now());
        self.with_db(|db, _| {
            db.execute(
                "UPDATE sales SET needs_owner = 1, updated_at = ?1 WHERE id = ?2",
                args![now, id],
            )
        })?;
        self.sale(id)
    }

    /// A payment arrived for a sale that had expired or was voided. The
    /// sale keeps its state (a replacement may have been paid too: the owner
    /// settles it); the payment and its time are recorded once.
    pub fn record_late_payment(&self, id: i64, paid: &Money, tx_id: Option<&str>) -> Result<Sale> {
        let now = timestamp(self.now());
        self.with_db(|db, _| {
            db.execute(
                "UPDATE sales SET paid_amount = ?1, tx_id = COALESCE(?2, tx_id),
                        late_payment_at = COALESCE(late_payment_at, ?3), updated_at = ?3
                 WHERE id = ?4",
                args![paid.to_fixed(), tx_id, now, id],
            )
        })?;
        self.sale(id)
    }

    /// Expired and voided sales still worth watching for a late payment:
    /// those that ended after `since` and have none recorded yet.
    /// Only sales with a gateway order id: without one the gateway never made
    /// an order that could be paid, and looking one up (CoinGate lists its
    /// whole order history for it) would cost the shop its request budget.
    /// Only sales of `gateway`: another gateway's order cannot be asked here.
    /// On a shared ledger, only this till's: each till watches its own.
    pub fn late_watch_sales(
        &self,
        since: DateTime<Utc>,
        gateway: GatewayKind,
    ) -> Result<Vec<Sale>> {
        self.with_db(|db, scope| {
            db.all(
                &format!(
                    "{} WHERE state IN ('expired', 'canceled') AND late_payment_at IS NULL
                     AND gateway_order_id IS NOT NULL AND gateway_order_id != '' AND gateway = ?2
                     AND COALESCE(voided_at, expires_at, updated_at) >= ?1{} ORDER BY id",
                    select_sale(db.backend()),
                    scope.mine()
                ),
                args![timestamp(since), gateway.as_str()],
                sale_from_row,
            )
        })
    }

    /// Sales recorded at or after `since`, newest first.
    pub fn sales_since(&self, since: DateTime<Utc>) -> Result<Vec<Sale>> {
        self.with_db(|db, _| {
            db.all(
                &format!(
                    "{} WHERE created_at >= ?1 ORDER BY id DESC",
                    select_sale(db.backend())
                ),
                args![timestamp(since)],
                sale_from_row,
            )
        })
    }

    /// Sales whose outcome is not known yet, oldest first. On a shared
    /// ledger, this till's only: the till that made a sale follows it.
    pub fn open_sales(&self) -> Result<Vec<Sale>> {
        self.with_db(|db, scope| {
            db.all(
                &format!(
                    "{} WHERE state IN ('creating', 'awaiting', 'confirming', 'underpaid'){} ORDER BY id",
                    select_sale(db.backend()),
                    scope.mine()
                ),
                &[],
                sale_from_row,
            )
        })
    }
}

/// Which ledger holds the sales and which till this is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LedgerStatus {
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// The SQLite file, or `HOST:PORT/DB` of the server (never a password).
    pub place: String,
    /// This till's number on the shared ledger.
    pub till: Option<i64>,
    pub till_name: String,
    /// The schema of the database that holds the sales.
    pub schema: u32,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A sale about to be recorded: what the cashier entered, and whether it
/// is recorded already claimed for placement ([`Ledger::begin_claimed_sale`]).
struct NewSale<'a> {
    fiat: &'a Money,
    coin: &'a Coin,
    gateway: GatewayKind,
    lines: &'a [SaleLine],
    tip: Option<&'a Money>,
    replaces_sale_id: Option<i64>,
    claimant: Option<&'a str>,
    /// Locked in the insert when the charge has it already.
    conversion: Option<&'a Conversion>,
}

/// Inserts a sale (not its lines) and gives it its merchant order id; its
/// id. One statement for every column a new sale has: each further
/// `UPDATE` of the new row is another pass of the row and its triggers.
fn insert_sale(
    db: &mut dyn Db,
    scope: &Scope,
    new: &NewSale<'_>,
    seller: Option<(i64, i64, Option<String>)>,
    created: DateTime<Utc>,
) -> Result<i64> {
    let merchant_order_id = next_merchant_order_id(db, scope, created)?;
    let now = timestamp(created);
    // On the shared ledger the sale names its till in the same insert.
    let (till_col, till_val) = match scope.till {
        Some(till) => (", till_id", format!(", {till}")),
        None => ("", String::new()),
    };
    let id = db.int(
        &format!(
            "INSERT INTO sales (merchant_order_id, state, fiat_amount, fiat_currency, coin,
                                coin_decimals, network, gateway, created_at, updated_at,
                                tip_amount, replaces_sale_id,
                                placement_claimant, placement_claimed_at,
                                crypto_amount, rate{till_col})
             VALUES (?8, 'creating', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?9, ?10, ?11, ?12,
                     ?13, ?14{till_val})
             RETURNING id"
        ),
        args![
            new.fiat.to_fixed(),
            new.fiat.currency().code(),
            new.coin.symbol.as_str(),
            new.coin.decimals,
            new.coin.network.as_str(),
            new.gateway.as_str(),
            now.as_str(),
            merchant_order_id,
            new.tip.map(Money::to_fixed),
            new.replaces_sale_id,
            new.claimant,
            new.claimant.map(|_| now.as_str()),
            new.conversion.map(|c| c.crypto.to_fixed()),
            new.conversion.map(|c| c.rate.to_string())
        ],
    )?;
    if let (Some(_), Some((_, _, Some(name)))) = (scope.till, &seller) {
        // The shared ledger keeps the cashier's name as it was at the sale:
        // the cashiers are the till's own, in its file.
        db.execute(
            "UPDATE sales SET cashier_name = ?1 WHERE id = ?2",
            args![name.as_str(), id],
        )?;
    }
    if let Some((shift_id, cashier_id, _)) = seller {
        db.execute(
            "UPDATE sales SET shift_id = ?1, cashier_id = ?2 WHERE id = ?3",
            args![shift_id, cashier_id, id],
        )?;
    }
    Ok(id)
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
/// `<milliseconds since 2024-01-01><3-digit node>`:
/// - the millisecond never repeats within a node (each id is at least
///   one later than the last one issued), and a restored or copied ledger
///   issues ids from the clock, later than any it issued before the copy,
///   so Counos `renew:false` cannot hand a new sale an old order (the
///   client also refuses an answer that does not match the sale);
/// - the node keeps tills apart even within one millisecond. On SQLite it
///   is random per install (kept in `settings`): two laptops that share a
///   terminal key differ 999 times in 1000. On a shared ledger it is the
///   till's number there (1 to 999, one per till), so the shop's tills never
///   collide, and the till's tick is kept on the server (`tills.last_tick`,
///   read `FOR UPDATE` inside the sale's transaction).
pub(crate) fn next_merchant_order_id(
    db: &mut dyn Db,
    scope: &Scope,
    now: DateTime<Utc>,
) -> Result<String> {
    let (node, last) = match scope.till {
        Some(till) => {
            let last = db.int(
                "SELECT last_tick FROM tills WHERE id = ?1 FOR UPDATE",
                args![till],
            )?;
            (till, last)
        }
        None => (
            sqlite_node(db)?,
            sqlite_setting_number(db, "order_id_last_tick")?.unwrap_or(0),
        ),
    };
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
        let taken = db.int(
            "SELECT COUNT(*) FROM sales WHERE merchant_order_id = ?1",
            args![id.as_str()],
        )? > 0;
        if !taken {
            match scope.till {
                Some(till) => db.execute(
                    "UPDATE tills SET last_tick = ?1 WHERE id = ?2",
                    args![tick, till],
                )?,
                None => db.execute(
                    "INSERT INTO settings (key, value) VALUES ('order_id_last_tick', ?1)
                     ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    args![tick.to_string()],
                )?,
            };
            return Ok(id);
        }
        tick += 1;
    }
}

fn sqlite_setting_number(db: &mut dyn Db, key: &str) -> Result<Option<i64>> {
    Ok(db
        .first(
            "SELECT value FROM settings WHERE key = ?1",
            args![key],
            |r| r.text(0),
        )?
        .and_then(|v| v.parse().ok()))
}

/// This install's random node (SQLite), drawn and kept the first time.
fn sqlite_node(db: &mut dyn Db) -> Result<i64> {
    if let Some(node) = sqlite_setting_number(db, "order_id_node")? {
        return Ok(node);
    }
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes).map_err(|e| Error::storage(Said::order_id_failed(e)))?;
    let node = i64::from(u32::from_le_bytes(bytes)) % ORDER_ID_NODES;
    db.execute(
        "INSERT INTO settings (key, value) VALUES ('order_id_node', ?1)",
        args![node.to_string()],
    )?;
    Ok(node)
}

/// The columns of a sale, in the order [`select_sale`] reads them.
/// `sale_from_row` reads them by position: looking a column up by name
/// costs a scan of the statement's column names, and it was more than half
/// the time of reading a million sales. `the_sale_columns_are_read_where_select_sale_puts_them`
/// holds the two lists together; a new column is one more entry in each.
const SALE_COLUMNS: [&str; 32] = [
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
    "till_name",
];

/// `$columns!(cashier, till, text_agg)` with where each ledger keeps a
/// sale's cashier name and till name (the sale reads here and the CSV's in
/// query.rs), and the one aggregate the two spell differently: joining
/// texts (`group_concat` in SQLite, `string_agg` in PostgreSQL).
macro_rules! with_names {
    ($columns:ident, sqlite) => {
        $columns!(
            "(SELECT name FROM cashiers WHERE cashiers.id = sales.cashier_id)",
            "NULL",
            "group_concat"
        )
    };
    ($columns:ident, postgres) => {
        $columns!(
            "cashier_name",
            "(SELECT name FROM tills WHERE tills.id = sales.till_id)",
            "string_agg"
        )
    };
}
pub(crate) use with_names;

/// The sale's columns (see [`SALE_COLUMNS`]); the cashier's name and the
/// till's come from where each ledger keeps them.
macro_rules! sale_columns {
    ($cashier:literal, $till:literal, $text_agg:literal) => {
        concat!(
            "SELECT id, merchant_order_id, state, fiat_amount, fiat_currency, coin,
    coin_decimals, network, crypto_amount, paid_amount, rate, gateway, gateway_order_id, address,
    payment_uri, expires_at, confirmations, required_confirmations, tx_id, notice, tip_amount,
    late_payment_at, needs_owner, replaces_sale_id, voided_at, created_at,
    updated_at, paid_at, cashier_id, shift_id, ",
            $cashier,
            " AS cashier_name, ",
            $till,
            " AS till_name FROM sales"
        )
    };
}

/// On SQLite a renamed cashier's sales follow the new name, and the till
/// is the one the file belongs to; on a shared ledger the cashier's name is
/// the one at the sale and the till is named by the server.
const SELECT_SALE_SQLITE: &str = with_names!(sale_columns, sqlite);
const SELECT_SALE_PG: &str = with_names!(sale_columns, postgres);

pub(crate) fn select_sale(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => SELECT_SALE_SQLITE,
        Backend::Postgres => SELECT_SALE_PG,
    }
}

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

fn small(r: &dyn Cols, i: usize) -> Result<u32> {
    let v = r.int(i)?;
    u32::try_from(v).map_err(|_| Error::storage(Said::ledger_bad_count(v)))
}

fn sale_from_row(r: &dyn Cols) -> Result<Sale> {
    macro_rules! at {
        ($name:literal) => {
            const { col($name) }
        };
    }
    let fiat_currency = Currency::stored_fiat(&r.text(at!("fiat_currency"))?);
    let coin = Currency::new(&r.text(at!("coin"))?, small(r, at!("coin_decimals"))?);
    let money = |col: usize, cur: &Currency| -> Result<Option<Money>> {
        Ok(r.opt_text(col)?
            .map(|s| parse_dec(&s).map(|d| Money::new(d, cur.clone())))
            .transpose()?)
    };
    let state = r.text(at!("state"))?;
    let gateway = r.text(at!("gateway"))?;
    let opt_ts = |col: usize| -> Result<Option<DateTime<Utc>>> {
        Ok(r.opt_text(col)?.map(|s| parse_ts(&s)).transpose()?)
    };
    let tip = money(at!("tip_amount"), &fiat_currency)?;
    Ok(Sale {
        id: r.int(at!("id"))?,
        merchant_order_id: r.text(at!("merchant_order_id"))?,
        state: SaleState::parse(&state).ok_or_else(|| bad_value("sale state", &state))?,
        fiat: Money::new(parse_dec(&r.text(at!("fiat_amount"))?)?, fiat_currency),
        crypto: money(at!("crypto_amount"), &coin)?,
        paid: money(at!("paid_amount"), &coin)?,
        coin,
        network: r.opt_text(at!("network"))?.unwrap_or_default(),
        rate: r
            .opt_text(at!("rate"))?
            .map(|s| parse_dec(&s))
            .transpose()?,
        gateway: GatewayKind::parse(&gateway).ok_or_else(|| bad_value("gateway", &gateway))?,
        gateway_order_id: r.opt_text(at!("gateway_order_id"))?,
        address: r.opt_text(at!("address"))?,
        payment_uri: r.opt_text(at!("payment_uri"))?,
        expires_at: opt_ts(at!("expires_at"))?,
        confirmations: small(r, at!("confirmations"))?,
        required_confirmations: small(r, at!("required_confirmations"))?,
        transaction_id: r.opt_text(at!("tx_id"))?,
        notice: r.opt_text(at!("notice"))?,
        tip,
        late_payment_at: opt_ts(at!("late_payment_at"))?,
        needs_owner: r.int(at!("needs_owner"))? != 0,
        replaces_sale_id: r.opt_int(at!("replaces_sale_id"))?,
        voided_at: opt_ts(at!("voided_at"))?,
        created_at: parse_ts(&r.text(at!("created_at"))?)?,
        updated_at: parse_ts(&r.text(at!("updated_at"))?)?,
        paid_at: opt_ts(at!("paid_at"))?,
        cashier_id: r.opt_int(at!("cashier_id"))?,
        cashier: r.opt_text(at!("cashier_name"))?,
        shift_id: r.opt_int(at!("shift_id"))?,
        till: r.opt_text(at!("till_name"))?,
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
    fn a_placement_claim_is_written_and_every_later_commit_is_flushed_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.sqlite3");
        let fiat = Money::parse_entry("12.50", &Currency::fiat("EUR").unwrap()).unwrap();
        let ledger = Ledger::open(&path).unwrap();
        let sale = ledger.begin_sale(&fiat, &btc(), GatewayKind::Demo).unwrap();
        let me = claimant("test");
        assert!(ledger.claim_placement(sale.id, &me).unwrap());
        // The claim is written without a flush (with_db_unsynced); the
        // connection is back to flushing every other commit (2: FULL),
        // the order's among them.
        let synchronous: i64 = ledger
            .conn()
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(synchronous, 2);
        // Another process sees the claim (it is in the log, not only in memory).
        let other = Ledger::open(&path).unwrap();
        assert!(!other.claim_placement(sale.id, "place:1:1").unwrap());
    }

    #[test]
    fn a_sale_recorded_claimed_is_held_by_its_claimant_from_its_first_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.sqlite3");
        let eur = Currency::fiat("EUR").unwrap();
        let (price, tip) = (
            Money::parse_entry("12.50", &eur).unwrap(),
            Money::parse_entry("1", &eur).unwrap(),
        );
        let total = Money::parse_entry("13.50", &eur).unwrap();
        let lines = [SaleLine {
            label: "Tea".into(),
            amount: price,
        }];
        let ledger = Ledger::open(&path).unwrap();
        let me = claimant("place");
        let sale = ledger
            .begin_claimed_sale(
                &total,
                &btc(),
                GatewayKind::Demo,
                &lines,
                Some(&tip),
                &me,
                None,
            )
            .unwrap();
        // Recorded as entered, in the one insert.
        assert_eq!(sale.state, SaleState::Creating);
        assert_eq!(sale.fiat.to_fixed(), "13.50");
        assert_eq!(
            sale.tip.as_ref().map(Money::to_fixed).as_deref(),
            Some("1.00")
        );
        assert_eq!(sale.replaces_sale_id, None);
        assert_eq!(ledger.sale_lines(sale.id).unwrap().len(), 1);
        // Held from its first commit: another live placement (another
        // process's, in the log) cannot take it; its claimant still holds it.
        let other = Ledger::open(&path).unwrap();
        assert!(!other.claim_placement(sale.id, "place:1:1").unwrap());
        assert!(ledger.claim_placement(sale.id, &me).unwrap());
        // The claim of a process that is gone is taken over at once, as any.
        let orphan = ledger
            .begin_claimed_sale(
                &total,
                &btc(),
                GatewayKind::Demo,
                &lines,
                None,
                "place:999999999:1",
                None,
            )
            .unwrap();
        assert!(other.claim_placement(orphan.id, "place:1:1").unwrap());
        // A sale recorded without a claim is anyone's first, and names the
        // sale it replaces.
        let again = ledger
            .begin_itemised_sale(
                &total,
                &btc(),
                GatewayKind::Demo,
                &lines,
                None,
                Some(sale.id),
            )
            .unwrap();
        assert_eq!(again.replaces_sale_id, Some(sale.id));
        assert_eq!(again.tip, None);
        assert!(other.claim_placement(again.id, "place:1:1").unwrap());
    }

    /// A charge that has its conversion already (a rate of the last
    /// minute) locks it in the sale's own commit: there is no state in
    /// which the sale exists without the amount its order will carry, and
    /// a second process sees both at once.
    #[test]
    fn a_sale_recorded_with_its_conversion_has_it_from_its_first_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.sqlite3");
        let eur = Currency::fiat("EUR").unwrap();
        let total = Money::parse_entry("12.50", &eur).unwrap();
        let lines = [SaleLine {
            label: String::new(),
            amount: total.clone(),
        }];
        let conversion = Conversion {
            crypto: Money::parse_entry("0.00021552", &btc().currency()).unwrap(),
            rate: Decimal::from_str("58000.00").unwrap(),
        };
        let ledger = Ledger::open(&path).unwrap();
        let me = claimant("place");
        let sale = ledger
            .begin_claimed_sale(
                &total,
                &btc(),
                GatewayKind::Demo,
                &lines,
                None,
                &me,
                Some(&conversion),
            )
            .unwrap();
        assert_eq!(sale.state, SaleState::Creating);
        assert_eq!(sale.crypto.as_ref(), Some(&conversion.crypto));
        assert_eq!(sale.rate, Some(conversion.rate));
        let seen = Ledger::open(&path).unwrap().sale(sale.id).unwrap();
        assert_eq!(
            seen.crypto.map(|c| c.to_fixed()).as_deref(),
            Some("0.00021552")
        );
        assert_eq!(
            seen.rate.map(|r| r.to_string()).as_deref(),
            Some("58000.00")
        );
        // Without one, the sale waits for its conversion, as before.
        let bare = ledger
            .begin_claimed_sale(&total, &btc(), GatewayKind::Demo, &lines, None, &me, None)
            .unwrap();
        assert_eq!((bare.crypto, bare.rate), (None, None));
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
            next_merchant_order_id(&mut SqliteDb(&tx), &Scope::SQLITE, now).unwrap()
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
        let stmt = conn.prepare(select_sale(Backend::Sqlite)).unwrap();
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
