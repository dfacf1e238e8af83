//! The one SQL path for both ledgers: the shop's sales are read and written
//! by the same statements on the till's SQLite file and on a shared
//! PostgreSQL server. A statement is written once, in the SQL both speak
//! (`?N` placeholders, `RETURNING id`, `ON CONFLICT`, `IS DISTINCT FROM`,
//! amounts as decimal text, times as RFC 3339 text), with arguments from a
//! small [`Value`] enum; [`Db`] runs it on either. A new ledger file that
//! keeps to that SQL runs on both backends without code of its own.

use crate::error::{Error, Result};
use crate::said::Said;

/// Which database holds the shop's sales.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// An argument of a statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Value {
    Null,
    Int(i64),
    Text(String),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Value::Int(i64::from(v))
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Int(i64::from(v))
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// `args![a, b, ...]`: the arguments of a statement, each into a [`Value`].
macro_rules! args {
    ($($v:expr),* $(,)?) => { &[$($crate::ledger::db::Value::from($v)),*][..] };
}
pub(crate) use args;

/// A row as either database hands it over, read by position.
pub(crate) trait Cols {
    fn opt_int(&self, i: usize) -> Result<Option<i64>>;
    fn opt_text(&self, i: usize) -> Result<Option<String>>;

    fn int(&self, i: usize) -> Result<i64> {
        self.opt_int(i)?.ok_or_else(|| null_at(i))
    }
    fn text(&self, i: usize) -> Result<String> {
        self.opt_text(i)?.ok_or_else(|| null_at(i))
    }
}

fn null_at(i: usize) -> Error {
    Error::storage(Said::ledger_empty_column(i))
}

/// A statement runner: the till's SQLite connection (or one of its
/// transactions) or the PostgreSQL connection.
pub(crate) trait Db {
    fn backend(&self) -> Backend;
    /// Runs a statement; how many rows it changed.
    fn execute(&mut self, sql: &str, args: &[Value]) -> Result<usize>;
    /// Runs a query and hands each row to `visit` until it returns `false`.
    fn each(
        &mut self,
        sql: &str,
        args: &[Value],
        visit: &mut dyn FnMut(&dyn Cols) -> Result<bool>,
    ) -> Result<()>;
}

impl dyn Db + '_ {
    /// Every row, each made into a `T`.
    pub(crate) fn all<T>(
        &mut self,
        sql: &str,
        args: &[Value],
        mut read: impl FnMut(&dyn Cols) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.each(sql, args, &mut |r| {
            out.push(read(r)?);
            Ok(true)
        })?;
        Ok(out)
    }

    /// The first row, if any.
    pub(crate) fn first<T>(
        &mut self,
        sql: &str,
        args: &[Value],
        read: impl FnOnce(&dyn Cols) -> Result<T>,
    ) -> Result<Option<T>> {
        let mut read = Some(read);
        let mut out = None;
        self.each(sql, args, &mut |r| {
            if let Some(read) = read.take() {
                out = Some(read(r)?);
            }
            Ok(false)
        })?;
        Ok(out)
    }

    /// The first column of the first row, as a number (`COUNT`, `EXISTS`,
    /// `RETURNING id`).
    pub(crate) fn int(&mut self, sql: &str, args: &[Value]) -> Result<i64> {
        self.first(sql, args, |r| r.int(0))?
            .ok_or_else(|| Error::storage(Said::ledger_no_row()))
    }
}

// ---- SQLite ----

/// The till's SQLite connection as a [`Db`]. A transaction derefs to its
/// connection, so `SqliteDb(&tx)` runs inside it.
pub(crate) struct SqliteDb<'a>(pub &'a rusqlite::Connection);

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Int(v) => ValueRef::Integer(*v),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
        }))
    }
}

impl Cols for rusqlite::Row<'_> {
    fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        Ok(self.get(i)?)
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>> {
        Ok(self.get(i)?)
    }
}

impl Db for SqliteDb<'_> {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    fn execute(&mut self, sql: &str, args: &[Value]) -> Result<usize> {
        Ok(self
            .0
            .prepare_cached(sql)?
            .execute(rusqlite::params_from_iter(args))?)
    }

    fn each(
        &mut self,
        sql: &str,
        args: &[Value],
        visit: &mut dyn FnMut(&dyn Cols) -> Result<bool>,
    ) -> Result<()> {
        let mut stmt = self.0.prepare_cached(sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
        while let Some(row) = rows.next()? {
            if !visit(row)? {
                break;
            }
        }
        Ok(())
    }
}

/// The statement in PostgreSQL's spelling: `?N` becomes `$N`. Text in
/// quotes is left alone (a `?` in a string literal is no placeholder).
pub(crate) fn to_postgres(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
        }
        if c == '?' && !quoted && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_dollars_outside_quotes_only() {
        assert_eq!(
            to_postgres("SELECT '?1', x FROM t WHERE a = ?1 AND b = ?12"),
            "SELECT '?1', x FROM t WHERE a = $1 AND b = $12"
        );
    }
}
