//! Reading many sales at once, for the owner: the history a page at a time,
//! the Z-report over a range, the CSV of every sale. The filter runs in
//! SQLite, on the indexes of the "owner's reading" migration, and rows are
//! handed over one at a time as they are read, so a ledger of a million
//! sales costs a page, not a million `Sale`s in memory.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::db::{args, Backend, Cols, Db, SqliteDb, Value};
use super::{sale_from_row, select_sale, timestamp, with_names, Ledger, Sale, Scope, BUSY_TIMEOUT};
use crate::error::{Error, Result};
use crate::said::Said;

/// Which sales to read. Every field narrows; `None` keeps all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SaleQuery {
    /// Created at or after.
    pub from: Option<DateTime<Utc>>,
    /// Created before.
    pub to: Option<DateTime<Utc>>,
    pub status: Option<StatusFilter>,
    /// An upper-case coin symbol (the ledger stores them upper case).
    pub coin: Option<String>,
    /// Part of the sale number, an order id, the address or the transaction
    /// id, in any ASCII case.
    pub search: Option<String>,
    /// Sold by the cashier of this name (any ASCII case).
    pub cashier: Option<String>,
    /// Sold in this shift (of this till: shift numbers are each till's).
    pub shift: Option<i64>,
    /// Sold at the till of this name (any case). On SQLite every sale is
    /// this till's, so another name keeps none.
    pub till: Option<String>,
}

/// The owner's status filter: a sale state, or one of the flags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StatusFilter {
    /// `state` is this text (an unknown state keeps nothing).
    State(String),
    Voided,
    Late,
    /// Late, underpaid or overpaid: what the Z-report lists as exceptions.
    Exceptions,
}

/// Where a page of the history ends: the next page starts after this sale.
/// The history is ordered by (creation time, sale number), newest first;
/// keyset pagination on that pair reads only the page, however deep.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SaleCursor {
    /// RFC 3339 UTC, as stored.
    pub created_at: String,
    #[ts(type = "number")]
    pub id: i64,
}

/// In which order sales come.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    OldestFirst,
    /// Newest first, starting after the cursor when there is one.
    NewestFirst,
}

impl SaleQuery {
    /// The WHERE clause and its arguments. The terms are written exactly as
    /// the partial indexes of the "owner's reading" migration state them:
    /// SQLite uses a partial index only for a query that repeats its terms.
    fn where_sql(
        &self,
        backend: Backend,
        scope: &Scope,
        till_name: &str,
        after: Option<&SaleCursor>,
        indexed: bool,
    ) -> (String, Vec<Value>) {
        let mut terms: Vec<String> = Vec::new();
        let mut args: Vec<Value> = Vec::new();
        let arg = |v: Value, args: &mut Vec<Value>| {
            args.push(v);
            format!("?{}", args.len())
        };
        if let Some(from) = self.from {
            terms.push(format!(
                "created_at >= {}",
                arg(Value::Text(timestamp(from)), &mut args)
            ));
        }
        if let Some(to) = self.to {
            terms.push(format!(
                "created_at < {}",
                arg(Value::Text(timestamp(to)), &mut args)
            ));
        }
        match &self.status {
            None => {}
            Some(StatusFilter::Voided) => terms.push("voided_at IS NOT NULL".into()),
            Some(StatusFilter::Late) => terms.push("late_payment_at IS NOT NULL".into()),
            Some(StatusFilter::Exceptions) => terms.push(EXCEPTIONS.into()),
            Some(StatusFilter::State(state)) => terms.push(format!(
                "state = {}",
                arg(Value::Text(state.clone()), &mut args)
            )),
        }
        if let Some(coin) = &self.coin {
            terms.push(format!(
                "coin = {}",
                arg(Value::Text(coin.clone()), &mut args)
            ));
        }
        if let Some(text) = self.search.as_ref().filter(|_| indexed) {
            // The trigram index (see `search_indexed`) for the sales it is
            // up to date for; the few queued for it since (the "search
            // index off the charge's path" migration) on their columns as
            // they are now. So a search is exact whether or not the queue
            // was indexed yet, in any snapshot, on a read-only connection
            // too. `CROSS JOIN` keeps the queue (a few rows) the outer
            // loop: without statistics the planner may otherwise read
            // every sale to test each against the queue (0.5 s at 1M).
            let matched = arg(Value::Text(phrase(text)), &mut args);
            let queued = like_terms(backend, text, "s.", &mut args);
            terms.push(format!(
                "id IN (SELECT rowid FROM sales_search WHERE sales_search MATCH {matched}
                        EXCEPT SELECT id FROM sales_search_queue
                        UNION SELECT s.id FROM sales_search_queue q CROSS JOIN sales s
                              ON s.id = q.id WHERE {queued})"
            ));
        } else if let Some(text) = &self.search {
            terms.push(like_terms(backend, text, "", &mut args));
        }
        if let Some(name) = &self.cashier {
            let name = arg(Value::Text(name.clone()), &mut args);
            terms.push(match backend {
                // The cashiers' names are unique without case (their index).
                Backend::Sqlite => format!(
                    "cashier_id IN (SELECT id FROM cashiers WHERE name = {name} COLLATE NOCASE)"
                ),
                // The shared ledger keeps each sale's cashier by name.
                Backend::Postgres => format!("lower(cashier_name) = lower({name})"),
            });
        }
        if let Some(shift) = self.shift {
            terms.push(format!(
                "shift_id = {}{}",
                arg(Value::Int(shift), &mut args),
                scope.mine()
            ));
        }
        if let Some(till) = &self.till {
            match backend {
                Backend::Sqlite if till.trim().eq_ignore_ascii_case(till_name) => {}
                Backend::Sqlite => terms.push("1 = 0".into()),
                Backend::Postgres => terms.push(format!(
                    "till_id IN (SELECT id FROM tills WHERE lower(name) = lower({}))",
                    arg(Value::Text(till.trim().to_string()), &mut args)
                )),
            }
        }
        if let Some(c) = after {
            // (created_at, id) < (c.created_at, c.id), with an upper bound on
            // created_at alone so the index range starts at the cursor.
            let at = arg(Value::Text(c.created_at.clone()), &mut args);
            let id = arg(Value::Int(c.id), &mut args);
            terms.push(format!(
                "created_at <= {at} AND (created_at < {at} OR id < {id})"
            ));
        }
        let sql = if terms.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", terms.join(" AND "))
        };
        (sql, args)
    }
}

/// The search as LIKE terms on the columns of `sales` (as `table`, e.g.
/// `"s."`, or `""`): part of the sale number, an order id, the address or
/// the transaction id, in any ASCII case, as the trigram index matches it
/// (SQLite's LIKE ignores ASCII case; PostgreSQL's does not: ILIKE there).
fn like_terms(backend: Backend, text: &str, table: &str, args: &mut Vec<Value>) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    args.push(Value::Text(format!("%{escaped}%")));
    let p = format!("?{}", args.len());
    let like = match backend {
        Backend::Sqlite => "LIKE",
        Backend::Postgres => "ILIKE",
    };
    format!(
        "(CAST({table}id AS TEXT) {like} {p} ESCAPE '\\' OR {table}merchant_order_id {like} {p} ESCAPE '\\'
          OR {table}gateway_order_id {like} {p} ESCAPE '\\' OR {table}address {like} {p} ESCAPE '\\'
          OR {table}tx_id {like} {p} ESCAPE '\\')"
    )
}

/// Indexes the sales queued for the search index since it was last
/// brought up to date (the "search index off the charge's path"
/// migration), inside the transaction `conn` is in: what the index holds
/// for each is taken out with the columns it was indexed with, and the
/// columns as they are now go in. One FTS5 segment for the whole batch,
/// where indexing inside each write made one per commit. How many sales.
pub(crate) fn index_queue(conn: &Connection) -> rusqlite::Result<usize> {
    conn.execute(
        "INSERT INTO sales_search (sales_search, rowid, number, merchant_order_id,
                                   gateway_order_id, address, tx_id)
         SELECT 'delete', id, number, merchant_order_id, gateway_order_id, address, tx_id
         FROM sales_search_queue WHERE indexed = 1",
        [],
    )?;
    let indexed = conn.execute(
        "INSERT INTO sales_search (rowid, number, merchant_order_id, gateway_order_id, address,
                                   tx_id)
         SELECT s.id, CAST(s.id AS TEXT), s.merchant_order_id, s.gateway_order_id, s.address,
                s.tx_id
         FROM sales_search_queue q CROSS JOIN sales s ON s.id = q.id",
        [],
    )?;
    conn.execute("DELETE FROM sales_search_queue", [])?;
    Ok(indexed)
}

/// The exceptions term, as the partial index `sales_exceptions` states it.
const EXCEPTIONS: &str = "(late_payment_at IS NOT NULL OR state IN ('underpaid', 'overpaid'))";

/// What to read, at most how many, from where.
#[derive(Clone, Copy, Debug)]
pub struct Read<'a> {
    pub order: Order,
    /// Newest first only: start after this sale.
    pub after: Option<&'a SaleCursor>,
    pub limit: Option<usize>,
}

impl Read<'_> {
    /// Every sale, oldest first.
    pub const ALL: Read<'static> = Read {
        order: Order::OldestFirst,
        after: None,
        limit: None,
    };
}

/// The search text as an FTS5 phrase: with the trigram tokenizer (the
/// "search over all time" migration), a quoted phrase of 3 or more
/// characters matches where it is a substring of a column, in any ASCII
/// case, as the LIKE terms do.
fn phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// At most this many matches, a search reads its sales from the trigram index.
const INDEXED_MATCHES: i64 = 10_000;

/// Whether the query's search reads the trigram index: when the text has 3
/// or more characters (shorter ones have no trigram) and matches fewer than
/// [`INDEXED_MATCHES`] sales. Then the page is those sales, sorted (ms, where
/// reading every sale for a search that matches nothing took 1.6 s at 1M).
/// A text that matches many sales is found within the first rows of the
/// newest-first scan, which LIKE does at once, while sorting all its
/// matches would take seconds (BENCHMARKS.md). Counting stops at the bound.
///
/// The index is the till's SQLite file's (FTS5); the shared PostgreSQL
/// ledger searches with LIKE.
fn search_indexed(db: &mut dyn Db, query: &SaleQuery) -> Result<bool> {
    if db.backend() != Backend::Sqlite {
        return Ok(false);
    }
    let Some(text) = query.search.as_ref().filter(|t| t.chars().count() >= 3) else {
        return Ok(false);
    };
    let matches = db.int(
        "SELECT count(*) FROM (SELECT 1 FROM sales_search WHERE sales_search MATCH ?1 LIMIT ?2)",
        args![phrase(text), INDEXED_MATCHES],
    )?;
    Ok(matches < INDEXED_MATCHES)
}

/// The statement for `query` read as `read` says, with its arguments.
fn select(
    db: &mut dyn Db,
    scope: &Scope,
    till_name: &str,
    query: &SaleQuery,
    read: Read<'_>,
) -> Result<(String, Vec<Value>)> {
    let columns = select_sale(db.backend());
    select_columns(db, columns, scope, till_name, query, read)
}

/// As [`select`], for the columns `columns` (a `SELECT ... FROM sales`).
fn select_columns(
    db: &mut dyn Db,
    columns: &str,
    scope: &Scope,
    till_name: &str,
    query: &SaleQuery,
    read: Read<'_>,
) -> Result<(String, Vec<Value>)> {
    let indexed = search_indexed(db, query)?;
    let after = read.after.filter(|_| read.order == Order::NewestFirst);
    let (filter, args) = query.where_sql(db.backend(), scope, till_name, after, indexed);
    let direction = match read.order {
        Order::OldestFirst => "ASC",
        Order::NewestFirst => "DESC",
    };
    let limit = read
        .limit
        .map(|n| format!(" LIMIT {n}"))
        .unwrap_or_default();
    let sql = format!("{columns}{filter} ORDER BY created_at {direction}, id {direction}{limit}");
    Ok((sql, args))
}

/// Runs the query on `db` and hands each sale to `visit` as it is read;
/// `visit` returns `false` to stop.
fn each(
    db: &mut dyn Db,
    scope: &Scope,
    till_name: &str,
    query: &SaleQuery,
    read: Read<'_>,
    mut visit: impl FnMut(Sale) -> Result<bool>,
) -> Result<()> {
    let (sql, args) = select(db, scope, till_name, query, read)?;
    db.each(&sql, &args, &mut |row| visit(sale_from_row(row)?))
}

/// A sale as the ledger stores it, text borrowed from the row being read:
/// what the CSV export needs, without parsing it into a [`Sale`] and
/// formatting it back (amounts are stored as the fixed text the CSV writes,
/// times as RFC 3339 UTC). Nothing is allocated per sale, which at a million
/// sales was half the export's time.
#[derive(Clone, Copy, Debug)]
pub struct StoredSale<'a> {
    pub id: i64,
    pub created_at: &'a str,
    pub paid_at: Option<&'a str>,
    pub state: &'a str,
    pub fiat_currency: &'a str,
    pub fiat_amount: &'a str,
    pub tip_amount: Option<&'a str>,
    pub coin: &'a str,
    pub coin_decimals: u32,
    pub crypto_amount: Option<&'a str>,
    pub paid_amount: Option<&'a str>,
    pub rate: Option<&'a str>,
    pub gateway: &'a str,
    pub gateway_order_id: Option<&'a str>,
    pub merchant_order_id: &'a str,
    pub address: Option<&'a str>,
    pub tx_id: Option<&'a str>,
    pub voided_at: Option<&'a str>,
    pub late_payment_at: Option<&'a str>,
    pub cashier: Option<&'a str>,
    pub shift_id: Option<i64>,
    /// The till that sold it, on a shared ledger (`None` on SQLite: the
    /// till the file belongs to).
    pub till: Option<&'a str>,
    /// The fiat amounts of the sale's refunds given back or on their way
    /// (`sent`, `done`), as stored, separated by spaces; `None` when it has
    /// none. Gathered by the same statement (a subquery on the refunds'
    /// sale index), added up exactly by the CSV (`sum_amount_list`).
    pub refunded: Option<&'a str>,
}

/// The columns of [`StoredSale`], in its field order; the cashier's name
/// and the till's are in the columns given (each backend keeps them its
/// own way, see `select_sale`). The refunds' amounts come as one text per
/// sale, over `refunds_sale`, in the same statement: a sale without
/// refunds costs one index probe, and no query runs per row.
macro_rules! stored_columns {
    ($cashier:literal, $till:literal, $text_agg:literal) => {
        concat!(
            "SELECT id, created_at, paid_at, state, fiat_currency, fiat_amount,
    tip_amount, coin, coin_decimals, crypto_amount, paid_amount, rate, gateway, gateway_order_id,
    merchant_order_id, address, tx_id, voided_at, late_payment_at, ",
            $cashier,
            ", shift_id, ",
            $till,
            ", (SELECT ",
            $text_agg,
            "(fiat_amount, ' ') FROM refunds WHERE refunds.sale_id = sales.id
        AND refunds.state IN ('sent', 'done')) FROM sales"
        )
    };
}
const SELECT_STORED_SQLITE: &str = with_names!(stored_columns, sqlite);
const SELECT_STORED_PG: &str = with_names!(stored_columns, postgres);

fn stored_from_row<'a>(r: &'a rusqlite::Row<'_>) -> rusqlite::Result<StoredSale<'a>> {
    let text = |i: usize| -> rusqlite::Result<&'a str> { Ok(r.get_ref(i)?.as_str()?) };
    let opt =
        |i: usize| -> rusqlite::Result<Option<&'a str>> { Ok(r.get_ref(i)?.as_str_or_null()?) };
    Ok(StoredSale {
        id: r.get(0)?,
        created_at: text(1)?,
        paid_at: opt(2)?,
        state: text(3)?,
        fiat_currency: text(4)?,
        fiat_amount: text(5)?,
        tip_amount: opt(6)?,
        coin: text(7)?,
        coin_decimals: r.get(8)?,
        crypto_amount: opt(9)?,
        paid_amount: opt(10)?,
        rate: opt(11)?,
        gateway: text(12)?,
        gateway_order_id: opt(13)?,
        merchant_order_id: text(14)?,
        address: opt(15)?,
        tx_id: opt(16)?,
        voided_at: opt(17)?,
        late_payment_at: opt(18)?,
        cashier: opt(19)?,
        shift_id: r.get(20)?,
        till: opt(21)?,
        refunded: opt(22)?,
    })
}

/// A [`StoredSale`] read through [`Db`] (the shared ledger), its text
/// owned, so a [`StoredSale`] can borrow it.
struct OwnedStored {
    id: i64,
    coin_decimals: u32,
    shift_id: Option<i64>,
    till: Option<String>,
    refunded: Option<String>,
    /// Columns 1..=19 without 8 (the precision): index = column - 1, or - 2
    /// past it.
    texts: Vec<Option<String>>,
}

impl OwnedStored {
    fn read(r: &dyn Cols) -> Result<OwnedStored> {
        let texts = (1..=19)
            .filter(|&i| i != 8)
            .map(|i| r.opt_text(i))
            .collect::<Result<Vec<_>>>()?;
        let coin_decimals = u32::try_from(r.int(8)?)
            .map_err(|_| Error::Storage("A sale's coin has an impossible precision.".into()))?;
        Ok(OwnedStored {
            id: r.int(0)?,
            coin_decimals,
            shift_id: r.opt_int(20)?,
            till: r.opt_text(21)?,
            refunded: r.opt_text(22)?,
            texts,
        })
    }

    fn borrowed(&self) -> Result<StoredSale<'_>> {
        let opt = |i: usize| self.texts[i].as_deref();
        let text = |i: usize| opt(i).ok_or_else(|| Error::storage(Said::ledger_empty_value()));
        Ok(StoredSale {
            id: self.id,
            created_at: text(0)?,
            paid_at: opt(1),
            state: text(2)?,
            fiat_currency: text(3)?,
            fiat_amount: text(4)?,
            tip_amount: opt(5),
            coin: text(6)?,
            coin_decimals: self.coin_decimals,
            crypto_amount: opt(7),
            paid_amount: opt(8),
            rate: opt(9),
            gateway: text(10)?,
            gateway_order_id: opt(11),
            merchant_order_id: text(12)?,
            address: opt(13),
            tx_id: opt(14),
            voided_at: opt(15),
            late_payment_at: opt(16),
            cashier: opt(17),
            shift_id: self.shift_id,
            till: self.till.as_deref(),
            refunded: self.refunded.as_deref(),
        })
    }
}

impl Ledger {
    /// The sales `query` keeps, in `order`, each handed to `visit` as it is
    /// read (`visit` returns `false` to stop). For short reads: it holds the
    /// till's connection meanwhile.
    pub fn each_sale(
        &self,
        query: &SaleQuery,
        read: Read<'_>,
        visit: impl FnMut(Sale) -> Result<bool>,
    ) -> Result<()> {
        self.index_before_search(query);
        if self.shared.is_some() && read.limit.is_none() {
            // A read without a bound (a report over a long range) comes a
            // batch at a time from the server, never whole.
            return self.stream_sales(query, read, visit);
        }
        let till_name = self.status().till_name;
        self.with_db(|db, scope| each(db, scope, &till_name, query, read, visit))
    }

    /// As [`Ledger::each_sale`], on a read-only connection of its own: for
    /// long reads (the CSV of every sale), so the counter's writes go on
    /// meanwhile (WAL lets one writer and readers work at once) and the
    /// reader sees one consistent snapshot.
    pub fn stream_sales(
        &self,
        query: &SaleQuery,
        read: Read<'_>,
        visit: impl FnMut(Sale) -> Result<bool>,
    ) -> Result<()> {
        self.index_before_search(query);
        let till_name = self.status().till_name;
        if let Some(reader) = self.shared_reader() {
            let mut visit = visit;
            let (sql, args) =
                self.with_db(|db, scope| select(db, scope, &till_name, query, read))?;
            return reader.stream(&sql, &args, &mut |row| visit(sale_from_row(row)?));
        }
        let conn = self.read_only()?;
        let tx = conn.unchecked_transaction()?;
        each(
            &mut SqliteDb(&tx),
            &Scope::SQLITE,
            &till_name,
            query,
            read,
            visit,
        )?;
        tx.finish()?;
        Ok(())
    }

    /// As [`Ledger::stream_sales`], every sale `query` keeps, oldest first,
    /// as stored ([`StoredSale`]): for the CSV export.
    pub fn stream_stored(
        &self,
        query: &SaleQuery,
        mut visit: impl FnMut(&StoredSale<'_>) -> Result<bool>,
    ) -> Result<()> {
        self.index_before_search(query);
        let till_name = self.status().till_name;
        if let Some(reader) = self.shared_reader() {
            let (sql, args) = self.with_db(|db, scope| {
                select_columns(db, SELECT_STORED_PG, scope, &till_name, query, Read::ALL)
            })?;
            return reader.stream(&sql, &args, &mut |row| {
                visit(&OwnedStored::read(row)?.borrowed()?)
            });
        }
        let conn = self.read_only()?;
        let tx = conn.unchecked_transaction()?;
        {
            let (sql, args) = select_columns(
                &mut SqliteDb(&tx),
                SELECT_STORED_SQLITE,
                &Scope::SQLITE,
                &till_name,
                query,
                Read::ALL,
            )?;
            let mut stmt = tx.prepare(&sql)?;
            let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
            while let Some(row) = rows.next()? {
                if !visit(&stored_from_row(row)?)? {
                    break;
                }
            }
        }
        tx.finish()?;
        Ok(())
    }

    /// Brings the till's search index up to date with the sales queued for
    /// it, in one transaction (nothing to do, and no lock taken, when none
    /// is queued; nothing on the shared ledger, which searches without it).
    /// Called off the counter's path: by the watcher between its looks at
    /// the open sales, and before a search. A search is exact without it
    /// (see `where_sql`); this keeps the queue, which a search reads
    /// without the index, short. How many sales were indexed.
    pub fn index_queued_searches(&self) -> Result<usize> {
        if self.shared.is_some() {
            return Ok(0);
        }
        let mut conn = self.conn();
        let queued: bool = conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM sales_search_queue)")?
            .query_row([], |r| r.get(0))?;
        if !queued {
            return Ok(0);
        }
        let tx = super::write_tx(&mut conn)?;
        let indexed = index_queue(&tx)?;
        tx.commit()?;
        Ok(indexed)
    }

    /// Before a search that reads the index: the queue indexed first. A
    /// failure (the file busy past the timeout) costs only speed, never a
    /// sale found: the search is exact either way.
    fn index_before_search(&self, query: &SaleQuery) {
        if query
            .search
            .as_ref()
            .is_some_and(|t| t.chars().count() >= 3)
        {
            if let Err(e) = self.index_queued_searches() {
                tracing::warn!(error = %e, "the search index could not catch up before a search");
            }
        }
    }

    /// A read-only connection of its own, for a long read.
    fn read_only(&self) -> Result<Connection> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| Error::storage(Said::ledger_cannot_read(self.path.display(), e)))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        Ok(conn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::generate::{fill, Fill};

    fn newest(after: Option<&SaleCursor>, limit: Option<usize>) -> Read<'_> {
        Read {
            order: Order::NewestFirst,
            after,
            limit,
        }
    }

    fn ledger(dir: &tempfile::TempDir) -> Ledger {
        let ledger = Ledger::open(&dir.path().join("l.sqlite3")).unwrap();
        fill(&ledger, &Fill::new(2_000, 20)).unwrap();
        ledger
    }

    fn plan(ledger: &Ledger, query: &SaleQuery) -> String {
        let cursor = SaleCursor {
            created_at: "9999".into(),
            id: i64::MAX,
        };
        let conn = ledger.conn();
        let (sql, args) = select(
            &mut SqliteDb(&conn),
            &Scope::SQLITE,
            "Till 1",
            query,
            Read {
                order: Order::NewestFirst,
                after: Some(&cursor),
                limit: Some(101),
            },
        )
        .unwrap();
        let sql = format!("EXPLAIN QUERY PLAN {sql}");
        let mut stmt = conn.prepare(&sql).unwrap();
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap();
        rows.join("; ")
    }

    #[test]
    fn every_history_filter_reads_an_index_in_page_order_without_sorting() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = ledger(&dir);
        let day = Utc::now() - chrono::Duration::days(3);
        for query in [
            SaleQuery::default(),
            SaleQuery {
                from: Some(day),
                to: Some(day + chrono::Duration::days(1)),
                ..SaleQuery::default()
            },
            SaleQuery {
                status: Some(StatusFilter::State("paid".into())),
                ..SaleQuery::default()
            },
            SaleQuery {
                coin: Some("ETH".into()),
                ..SaleQuery::default()
            },
            SaleQuery {
                status: Some(StatusFilter::Exceptions),
                ..SaleQuery::default()
            },
            SaleQuery {
                status: Some(StatusFilter::Voided),
                ..SaleQuery::default()
            },
            SaleQuery {
                status: Some(StatusFilter::Late),
                ..SaleQuery::default()
            },
        ] {
            let plan = plan(&ledger, &query);
            assert!(plan.contains("USING INDEX"), "{query:?}: {plan}");
            assert!(!plan.contains("TEMP B-TREE"), "{query:?}: {plan}");
        }
    }

    #[test]
    fn pages_follow_each_other_without_gaps_or_repeats() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = ledger(&dir);
        let query = SaleQuery {
            status: Some(StatusFilter::State("paid".into())),
            ..SaleQuery::default()
        };
        let mut all = Vec::new();
        ledger
            .each_sale(&query, newest(None, None), |s| {
                all.push(s.id);
                Ok(true)
            })
            .unwrap();
        assert!(all.len() > 100, "{}", all.len());
        let mut paged = Vec::new();
        let mut cursor: Option<SaleCursor> = None;
        loop {
            let mut page = Vec::new();
            ledger
                .each_sale(&query, newest(cursor.as_ref(), Some(37)), |s| {
                    page.push(s);
                    Ok(true)
                })
                .unwrap();
            let Some(last) = page.last() else { break };
            cursor = Some(SaleCursor {
                created_at: timestamp(last.created_at),
                id: last.id,
            });
            paged.extend(page.iter().map(|s| s.id));
        }
        assert_eq!(paged, all);
    }

    /// The sales whose number, order ids, address or transaction id hold
    /// `text` in any ASCII case, worked out in Rust: what search promises.
    fn holding(ledger: &Ledger, text: &str) -> Vec<i64> {
        let text = text.to_ascii_lowercase();
        let mut ids = Vec::new();
        ledger
            .each_sale(&SaleQuery::default(), newest(None, None), |s| {
                let fields = [
                    Some(s.id.to_string()),
                    Some(s.merchant_order_id.clone()),
                    s.gateway_order_id.clone(),
                    s.address.clone(),
                    s.transaction_id.clone(),
                ];
                if fields
                    .iter()
                    .flatten()
                    .any(|f| f.to_ascii_lowercase().contains(&text))
                {
                    ids.push(s.id);
                }
                Ok(true)
            })
            .unwrap();
        ids
    }

    fn searched(ledger: &Ledger, text: &str) -> Vec<i64> {
        let query = SaleQuery {
            search: Some(text.into()),
            ..SaleQuery::default()
        };
        let mut ids = Vec::new();
        ledger
            .each_sale(&query, newest(None, None), |s| {
                ids.push(s.id);
                Ok(true)
            })
            .unwrap();
        ids
    }

    #[test]
    fn search_over_all_time_finds_every_substring_from_the_trigram_index_kept_in_step() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = ledger(&dir);
        let some = ledger.sale(1234).unwrap();
        let address = some.address.clone().unwrap();
        let order = some.gateway_order_id.clone().unwrap();
        for text in [
            &address[3..15],
            &address[3..15].to_ascii_uppercase(),
            &order[..order.len().min(8)],
            &some.merchant_order_id[2..9],
            "123",
            "99",
            "no-such-text",
            "a\"b",
            "50%",
        ] {
            assert_eq!(searched(&ledger, text), holding(&ledger, text), "{text}");
        }
        assert_eq!(searched(&ledger, &address), vec![1234]);
        // A search of 3 or more characters reads the index, not every sale.
        let plan = plan(
            &ledger,
            &SaleQuery {
                search: Some("no-such-text".into()),
                ..SaleQuery::default()
            },
        );
        assert!(plan.contains("VIRTUAL TABLE INDEX"), "{plan}");

        // A transaction id that arrives later is found; the old one is not.
        ledger
            .conn()
            .execute("UPDATE sales SET tx_id = 'late-tx-Zq9' WHERE id = 1234", [])
            .unwrap();
        assert_eq!(searched(&ledger, "LATE-TX-zq9"), vec![1234]);
        assert_eq!(
            searched(&ledger, &address[3..15]),
            holding(&ledger, &address[3..15])
        );
        ledger
            .conn()
            .execute("UPDATE sales SET tx_id = NULL WHERE id = 1234", [])
            .unwrap();
        assert!(searched(&ledger, "late-tx").is_empty());
    }

    /// FTS5's own check that the index holds exactly what its content (the
    /// sales) says, no more, no less.
    fn index_agrees(ledger: &Ledger) -> bool {
        ledger
            .conn()
            .execute(
                "INSERT INTO sales_search (sales_search, rank) VALUES ('integrity-check', 1)",
                [],
            )
            .is_ok()
    }

    fn queued(ledger: &Ledger) -> i64 {
        ledger
            .conn()
            .query_row("SELECT count(*) FROM sales_search_queue", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn a_sale_is_found_by_search_before_the_index_catches_up_and_after_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.sqlite3");
        let ledger = Ledger::open(&path).unwrap();
        fill(&ledger, &Fill::new(300, 3)).unwrap();
        assert_eq!(queued(&ledger), 0);
        assert!(index_agrees(&ledger));
        // A sale as a charge writes it: recorded, then its order. Neither
        // write touches the index: the sale is queued for it.
        let fiat =
            crate::money::Money::parse_entry("2", &crate::money::Currency::fiat("EUR").unwrap())
                .unwrap();
        let sale = ledger
            .begin_sale(
                &fiat,
                &crate::sale::Coin::test_bitcoin("1"),
                crate::sale::GatewayKind::Demo,
            )
            .unwrap();
        ledger
            .conn()
            .execute(
                "UPDATE sales SET gateway_order_id = 'ord-Qx7k', address = 'tb1qsearchmeXy'
                 WHERE id = ?1",
                [sale.id],
            )
            .unwrap();
        assert_eq!(queued(&ledger), 1);
        assert!(!index_agrees(&ledger), "the check must see an index behind");
        let finds = |ledger: &Ledger, text: &str| {
            let ids = searched(ledger, text);
            assert_eq!(ids, holding(ledger, text), "{text}");
            ids.contains(&sale.id)
        };
        // Found at once, through the index's path (which reads the queue).
        let plan = plan(
            &ledger,
            &SaleQuery {
                search: Some("SEARCHME".into()),
                ..SaleQuery::default()
            },
        );
        assert!(plan.contains("VIRTUAL TABLE INDEX"), "{plan}");
        // The queued sales are found from the queue, never by reading
        // every sale (0.5 s at 1M).
        assert!(!plan.split("; ").any(|step| step == "SCAN s"), "{plan}");
        let moid = &sale.merchant_order_id;
        for text in ["SEARCHME", "ord-qx7", &moid[moid.len() - 7..]] {
            // On a read-only connection too (the CSV's), which cannot index.
            let query = SaleQuery {
                search: Some(text.into()),
                ..SaleQuery::default()
            };
            let mut streamed = Vec::new();
            let conn = ledger.read_only().unwrap();
            each(
                &mut SqliteDb(&conn),
                &Scope::SQLITE,
                "",
                &query,
                newest(None, None),
                |s| {
                    streamed.push(s.id);
                    Ok(true)
                },
            )
            .unwrap();
            assert!(streamed.contains(&sale.id), "{text}");
        }

        // An app crash right after the charge: the file and its log as the
        // killed process left them, opened by the next start.
        let image = tempfile::tempdir().unwrap();
        for name in ["l.sqlite3", "l.sqlite3-wal"] {
            std::fs::copy(dir.path().join(name), image.path().join(name)).unwrap();
        }
        let next = Ledger::open(&image.path().join("l.sqlite3")).unwrap();
        assert_eq!(queued(&next), 1);
        assert!(finds(&next, "SEARCHME"));
        // The search itself brought the index up to date.
        assert_eq!(queued(&next), 0);
        assert!(index_agrees(&next));

        // Changes after indexing: found by the new text at once, never by
        // the old one, and the index agrees once it caught up.
        assert!(finds(&ledger, "ord-Qx7k"));
        assert_eq!(queued(&ledger), 0);
        for tx in ["tx-first-Aa1", "tx-second-Bb2"] {
            ledger
                .conn()
                .execute(
                    "UPDATE sales SET tx_id = ?1 WHERE id = ?2",
                    rusqlite::params![tx, sale.id],
                )
                .unwrap();
        }
        ledger
            .conn()
            .execute(
                "UPDATE sales SET address = 'tb1qmovedZz' WHERE id = ?1",
                [sale.id],
            )
            .unwrap();
        let conn = ledger.read_only().unwrap();
        let mut streamed = Vec::new();
        let stale = SaleQuery {
            search: Some("searchme".into()),
            ..SaleQuery::default()
        };
        each(
            &mut SqliteDb(&conn),
            &Scope::SQLITE,
            "",
            &stale,
            newest(None, None),
            |s| {
                streamed.push(s.id);
                Ok(true)
            },
        )
        .unwrap();
        assert!(
            streamed.is_empty(),
            "found by its old address: {streamed:?}"
        );
        assert!(!finds(&ledger, "tx-first"));
        assert!(finds(&ledger, "TX-SECOND"));
        assert!(finds(&ledger, "movedzz"));
        assert!(index_agrees(&ledger));
        // A write that changes none of the searched columns queues nothing.
        ledger
            .conn()
            .execute(
                "UPDATE sales SET confirmations = 2, address = address WHERE id = ?1",
                [sale.id],
            )
            .unwrap();
        assert_eq!(queued(&ledger), 0);
        // Removing a queued sale and an indexed one leaves the index true.
        ledger
            .conn()
            .execute(
                "UPDATE sales SET tx_id = 'tx-third' WHERE id = ?1",
                [sale.id],
            )
            .unwrap();
        ledger
            .conn()
            .execute("DELETE FROM sale_lines WHERE sale_id IN (?1, 7)", [sale.id])
            .unwrap();
        for id in [sale.id, 7] {
            ledger
                .conn()
                .execute("DELETE FROM sales WHERE id = ?1", [id])
                .unwrap();
        }
        assert_eq!(queued(&ledger), 0);
        assert!(index_agrees(&ledger));
        assert!(searched(&ledger, "tx-third").is_empty());
    }
}
