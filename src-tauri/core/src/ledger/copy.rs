//! Moving a till onto the shop's shared ledger (`cryptill ledger use
//! postgres://...`) and back. The till's sales in its SQLite file are
//! copied to the server once: each copied sale remembers its number in the
//! file (`copied_from`), so running the move again copies nothing twice,
//! and a move cut off halfway (one transaction) copied nothing. What lives
//! beside the sales goes with them in the same transaction: the refunds
//! (each remembering its number in the file too) and the receipt-print
//! claims (one per sale, so a receipt printed on SQLite is not printed
//! again). The withdrawal log is the till's own and stays in its file,
//! where owner mode reads it on either ledger.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use super::choice::{self, LedgerChoice};
use super::db::{args, Value};
use super::{Ledger, LedgerStatus, SALE_COLUMNS};
use crate::error::{Error, Result};
use crate::secret::Sensitive;

/// The columns of a sale that travel as they are: those a sale is read
/// with, less its id (the server's), the sale it replaces (renumbered), and
/// the names the read adds (the cashier's name is copied from the till's
/// cashiers, and the server names the till). A placement claim belongs to a
/// process of this till and stays behind.
fn copied_columns() -> Vec<&'static str> {
    SALE_COLUMNS
        .iter()
        .copied()
        .filter(|c| !matches!(*c, "id" | "replaces_sale_id" | "cashier_name" | "till_name"))
        .collect()
}

/// What a move did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Moved {
    /// Sales copied from the till's file now.
    pub copied: usize,
    /// Sales that were on the server already (an earlier move).
    pub already: usize,
    /// Refunds copied now (those of an earlier move are not copied again).
    pub refunds: usize,
    /// Receipt-print claims copied now.
    pub prints: usize,
    pub status: LedgerStatus,
}

fn value(v: rusqlite::types::ValueRef<'_>) -> Value {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Real(f) => Value::Text(f.to_string()),
        ValueRef::Null | ValueRef::Blob(_) => Value::Null,
    }
}

/// The columns of a refund that travel as they are (all but its number
/// and its sale's, which are the server's).
const REFUND_COLUMNS: &[&str] = &[
    "kind",
    "reason",
    "fiat_amount",
    "fiat_currency",
    "crypto_amount",
    "coin",
    "coin_decimals",
    "network",
    "address",
    "email",
    "gateway",
    "state",
    "requested_by",
    "approved_by",
    "gateway_refund_id",
    "gateway_status",
    "message",
    "requested_at",
    "approved_at",
    "sent_at",
    "finished_at",
    "updated_at",
    "message_said",
];

/// What one copy did.
pub(crate) struct Copied {
    pub(crate) sales: usize,
    pub(crate) already: usize,
    pub(crate) refunds: usize,
    pub(crate) prints: usize,
}

/// A row of the till's file: its number, its sale's, its other columns.
struct LocalRow {
    id: i64,
    sale: i64,
    values: Vec<Value>,
}

/// Every row of `sql` (`id, sale_id, the rest...`) in the till's file.
fn local_rows(conn: &rusqlite::Connection, sql: &str, rest: usize) -> Result<Vec<LocalRow>> {
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(LocalRow {
            id: row.get(0)?,
            sale: row.get(1)?,
            values: (0..rest)
                .map(|i| row.get_ref(i + 2).map(value))
                .collect::<rusqlite::Result<_>>()?,
        });
    }
    Ok(out)
}

struct LocalSale {
    id: i64,
    replaces: Option<i64>,
    values: Vec<Value>,
}

impl Ledger {
    /// Points the till whose file is `sqlite` at the shared ledger at
    /// `url`: connects (the server's schema brought up to date), copies
    /// the file's sales once, keeps the password in the keyring and the
    /// choice next to the file. Nothing is chosen if any step fails.
    pub fn use_postgres(
        sqlite: &Path,
        url: &str,
        password: Option<&Sensitive<String>>,
    ) -> Result<Moved> {
        let local = Ledger::open_sqlite(sqlite)?;
        let url = url.trim().to_string();
        let currency = crate::settings::Settings::load(&local)?.fiat_currency;
        let ledger = local.attach(&url, password.map(|p| p.expose().as_str()))?;
        // Refused before anything is copied or chosen.
        ledger.check_shop_currency(&currency)?;
        let Copied {
            sales: copied,
            already,
            refunds,
            prints,
        } = ledger.copy_local_sales()?;
        choice::store_password(&ledger, sqlite, password)?;
        choice::write(
            sqlite,
            &LedgerChoice::Postgres {
                url,
                password: password.is_some(),
            },
        )?;
        Ok(Moved {
            copied,
            already,
            refunds,
            prints,
            status: ledger.status(),
        })
    }

    /// Points the till back at its own SQLite file. The sales it made on
    /// the shared ledger stay there (the shop's report keeps them).
    pub fn use_sqlite(sqlite: &Path) -> Result<LedgerStatus> {
        let local = Ledger::open_sqlite(sqlite)?;
        choice::write(sqlite, &LedgerChoice::Sqlite)?;
        Ok(local.status())
    }

    /// Copies the sales of the till's file to the shared ledger, each once,
    /// with their refunds and receipt-print claims.
    pub(crate) fn copy_local_sales(&self) -> Result<Copied> {
        if self.shared.is_none() {
            return Ok(Copied {
                sales: 0,
                already: 0,
                refunds: 0,
                prints: 0,
            });
        }
        let copied = copied_columns();
        let (sales, lines, last_tick, refunds, prints) = {
            let conn = self.conn();
            let refunds = local_rows(
                &conn,
                &format!(
                    "SELECT id, sale_id, {} FROM refunds ORDER BY id",
                    REFUND_COLUMNS.join(", ")
                ),
                REFUND_COLUMNS.len(),
            )?;
            let prints = local_rows(
                &conn,
                "SELECT sale_id, sale_id, claimed_at, printed_at, error FROM receipt_prints ORDER BY sale_id",
                3,
            )?;
            let mut stmt = conn.prepare(&format!(
                "SELECT id, replaces_sale_id, {},
                        (SELECT name FROM cashiers WHERE cashiers.id = sales.cashier_id)
                 FROM sales ORDER BY id",
                copied.join(", ")
            ))?;
            let mut rows = stmt.query([])?;
            let mut sales = Vec::new();
            while let Some(row) = rows.next()? {
                sales.push(LocalSale {
                    id: row.get(0)?,
                    replaces: row.get(1)?,
                    values: (0..=copied.len())
                        .map(|i| row.get_ref(i + 2).map(value))
                        .collect::<rusqlite::Result<_>>()?,
                });
            }
            let mut stmt = conn.prepare(
                "SELECT sale_id, position, label, amount FROM sale_lines ORDER BY sale_id, position",
            )?;
            let lines = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let last_tick: i64 = conn
                .query_row(
                    "SELECT value FROM settings WHERE key = 'order_id_last_tick'",
                    [],
                    |r| r.get::<_, String>(0),
                )
                .optional()?
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            (sales, lines, last_tick, refunds, prints)
        };
        let mut columns = copied;
        columns.extend(["cashier_name", "till_id", "copied_from"]);
        let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
        let insert = format!(
            "INSERT INTO sales ({}) VALUES ({}) RETURNING id",
            columns.join(", "),
            placeholders.join(", ")
        );
        let refund_insert = format!(
            "INSERT INTO refunds (sale_id, copied_from, {}) VALUES ({})",
            REFUND_COLUMNS.join(", "),
            (1..=REFUND_COLUMNS.len() + 2)
                .map(|i| format!("?{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        self.in_tx(|db, scope| {
            let till = scope
                .till
                .ok_or_else(|| Error::Storage("No shared ledger to copy to.".into()))?;
            let mut ids: HashMap<i64, i64> = HashMap::new();
            let (mut copied, mut already) = (0, 0);
            for sale in &sales {
                let there = db.first(
                    "SELECT id FROM sales WHERE till_id = ?1 AND copied_from = ?2",
                    args![till, sale.id],
                    |r| r.int(0),
                )?;
                let id = match there {
                    Some(id) => {
                        already += 1;
                        id
                    }
                    None => {
                        let mut values = sale.values.clone();
                        values.extend([Value::Int(till), Value::Int(sale.id)]);
                        copied += 1;
                        db.int(&insert, &values)?
                    }
                };
                ids.insert(sale.id, id);
            }
            for sale in &sales {
                if let (Some(replaces), Some(id)) = (sale.replaces, ids.get(&sale.id)) {
                    db.execute(
                        "UPDATE sales SET replaces_sale_id = ?1 WHERE id = ?2",
                        args![ids.get(&replaces).copied(), *id],
                    )?;
                }
            }
            for (sale_id, position, label, amount) in &lines {
                if let Some(id) = ids.get(sale_id) {
                    db.execute(
                        "INSERT INTO sale_lines (sale_id, position, label, amount)
                         VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                        args![*id, *position, label.as_str(), amount.as_str()],
                    )?;
                }
            }
            // The till's order ids go on after the ones it issued before.
            db.execute(
                "UPDATE tills SET last_tick = ?1 WHERE id = ?2 AND last_tick < ?1",
                args![last_tick, till],
            )?;
            let mut copied_refunds = 0;
            for refund in &refunds {
                let Some(sale) = ids.get(&refund.sale).copied() else {
                    continue;
                };
                let there = db.first(
                    "SELECT id FROM refunds WHERE sale_id = ?1 AND copied_from = ?2",
                    args![sale, refund.id],
                    |r| r.int(0),
                )?;
                if there.is_none() {
                    let mut values = vec![Value::Int(sale), Value::Int(refund.id)];
                    values.extend(refund.values.iter().cloned());
                    db.execute(&refund_insert, &values)?;
                    copied_refunds += 1;
                }
            }
            let mut copied_prints = 0;
            for print in &prints {
                if let Some(sale) = ids.get(&print.sale).copied() {
                    let mut values = vec![Value::Int(sale)];
                    values.extend(print.values.iter().cloned());
                    copied_prints += db.execute(
                        "INSERT INTO receipt_prints (sale_id, claimed_at, printed_at, error)
                         VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                        &values,
                    )?;
                }
            }
            Ok(Copied {
                sales: copied,
                already,
                refunds: copied_refunds,
                prints: copied_prints,
            })
        })
    }
}

use rusqlite::OptionalExtension;
