//! `cryptill ledger use|status` and `cryptill till name`: where this till
//! writes its sales (its own file, or the shop's shared PostgreSQL server)
//! and what the till is called in the shop's reports. The work is the
//! core's (`Ledger::use_postgres`, `use_sqlite`, `set_till_name`).

use clap::Subcommand;
use cryptill_core::ledger::{Ledger, LedgerStatus, Moved};
use cryptill_core::{Error, TillConfig};

use crate::global::Global;
use crate::input::Input;
use crate::output::print;
use crate::owner::{open_ledger, owner_proof};

#[derive(Subcommand)]
pub(crate) enum LedgerCommand {
    /// Owner: write this till's sales to `sqlite` (its own file, the
    /// default) or to the shop's server `postgres://USER@HOST:PORT/DB`. The
    /// owner PIN, then the server's password (an empty line: none), come
    /// from standard input; the password is kept in the OS keyring only.
    /// The till's own sales are copied to the server once.
    Use { target: String },
    /// Which ledger holds the sales, and which till this is.
    Status,
}

#[derive(Subcommand)]
pub(crate) enum TillCommand {
    /// Owner: name this till, as the shop's reports show it (asks for the PIN).
    Name { name: String },
}

fn status_text(s: &LedgerStatus) -> String {
    match s.till {
        None => format!(
            "Ledger: this till's own file {} (schema {})\nTill:   {}",
            s.place, s.schema, s.till_name
        ),
        Some(n) => format!(
            "Ledger: the shop's server {} (schema {})\nTill:   {} (number {n})",
            s.place, s.schema, s.till_name
        ),
    }
}

pub(crate) fn run(g: &Global, command: LedgerCommand) -> Result<(), Error> {
    let dir = g.ensure_data_dir()?;
    let path = dir.join("cryptill.sqlite3");
    match command {
        LedgerCommand::Status => {
            let ledger = Ledger::open(&path)?;
            print(g.json, &ledger.status(), status_text);
        }
        LedgerCommand::Use { target } => {
            // The owner's PIN is the till's own, in its file: the owner can
            // move back to it while the server cannot be reached.
            let mut input = Input::new();
            {
                let local = Ledger::open_sqlite(&path)?;
                let keys = TillConfig::new(&dir).keys(&local)?;
                owner_proof(&local, &keys, &mut input)?;
            }
            let target = target.trim();
            if target.eq_ignore_ascii_case("sqlite") {
                let status = Ledger::use_sqlite(&path)?;
                print(g.json, &status, status_text);
            } else if target.starts_with("postgres://") || target.starts_with("postgresql://") {
                let password =
                    input.optional_line("Password of the shop's ledger (empty line: none): ")?;
                let moved = Ledger::use_postgres(&path, target, password.as_ref())?;
                print(g.json, &moved, |m: &Moved| {
                    format!(
                        "{}\nCopied {} sale(s) from this till's file ({} were there already), {} refund(s) and {} printed-receipt record(s).",
                        status_text(&m.status),
                        m.copied,
                        m.already,
                        m.refunds,
                        m.prints
                    )
                });
            } else {
                return Err(Error::Input(format!(
                    "'{target}' is not a ledger. Write `sqlite`, or the shop's server as postgres://USER@HOST:PORT/DB."
                )));
            }
        }
    }
    Ok(())
}

pub(crate) fn till(g: &Global, command: TillCommand) -> Result<(), Error> {
    match command {
        TillCommand::Name { name } => {
            let (ledger, keys) = open_ledger(g)?;
            owner_proof(&ledger, &keys, &mut Input::new())?;
            ledger.set_till_name(&name)?;
            print(g.json, &ledger.status(), status_text);
        }
    }
    Ok(())
}
