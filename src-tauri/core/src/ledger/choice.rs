//! Which ledger a till writes its sales to: its own SQLite file (the
//! default) or the shop's shared PostgreSQL server. The owner's choice is
//! kept in a small file next to the SQLite file (`cryptill.ledger.json`),
//! read by the app and the command line alike when they open the ledger
//! ([`super::Ledger::open`]). The server's address is kept without a
//! password; a password lives in the OS keyring only.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Ledger;
use crate::error::{Error, Result};
use crate::said::Said;
use crate::secret::Sensitive;

/// The keyring entry (per till, like the gateway keys) of the shared
/// ledger's password.
pub const PASSWORD_ENTRY: &str = "ledger-postgres";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "backend", rename_all = "lowercase")]
pub enum LedgerChoice {
    /// The till's own SQLite file holds its sales.
    #[default]
    Sqlite,
    /// The shop's server at `url` (`postgres://USER@HOST:PORT/DB`, no
    /// password); `password`: one is kept in the keyring.
    Postgres { url: String, password: bool },
}

/// The file that keeps the choice, next to the SQLite file.
pub fn path(sqlite: &Path) -> PathBuf {
    sqlite.with_extension("ledger.json")
}

/// The owner's choice; SQLite when none was made.
pub fn read(sqlite: &Path) -> Result<LedgerChoice> {
    let file = path(sqlite);
    match std::fs::read_to_string(&file) {
        Ok(text) => serde_json::from_str(&text)
            .map_err(|e| Error::storage(Said::ledger_choice_unreadable(file.display(), e))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(LedgerChoice::Sqlite),
        Err(e) => Err(Error::storage(Said::data_file_cannot_read(
            file.display(),
            e,
        ))),
    }
}

/// Keeps the choice (written whole, then moved into place, so a crash
/// leaves the old choice or the new one, never half of one).
pub fn write(sqlite: &Path, choice: &LedgerChoice) -> Result<()> {
    let file = path(sqlite);
    let tmp = file.with_extension("json.tmp");
    let text = serde_json::to_string_pretty(choice)
        .map_err(|e| Error::storage(Said::ledger_choice_cannot_write(e)))?;
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, &file))
        .map_err(|e| Error::storage(Said::data_file_cannot_write(file.display(), e)))
}

/// The keyring entries of the till whose file is `sqlite`.
fn keys(local: &Ledger, sqlite: &Path) -> Result<crate::keystore::KeyStore> {
    let dir = sqlite.parent().unwrap_or(Path::new("."));
    crate::till::TillConfig::new(dir).keys(local)
}

/// The shared ledger's password from the keyring.
pub(crate) fn password(local: &Ledger, sqlite: &Path) -> Result<Sensitive<String>> {
    keys(local, sqlite)?
        .get(PASSWORD_ENTRY)?
        .ok_or_else(|| Error::keyring(Said::shop_ledger_password_missing()))
}

/// Keeps the shared ledger's password in the keyring. Without one nothing
/// is touched: the choice says no password is used.
pub(crate) fn store_password(
    local: &Ledger,
    sqlite: &Path,
    password: Option<&Sensitive<String>>,
) -> Result<()> {
    match password {
        Some(p) => keys(local, sqlite)?.set(PASSWORD_ENTRY, p),
        None => Ok(()),
    }
}
