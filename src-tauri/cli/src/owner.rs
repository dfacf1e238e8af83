//! `cryptill owner ...`, `balance`, `withdraws` and `withdraw`: the owner's
//! commands, and the owner's proof (the PIN) every owner command needs.

use clap::Subcommand;
use cryptill_core::keystore::KeyStore;
use cryptill_core::ledger::Ledger;
use cryptill_core::money::Money;
use cryptill_core::owner::{pin, Unlocked, WithdrawForm};
use cryptill_core::secret::Sensitive;
use cryptill_core::{Error, Till, TillConfig};

use crate::global::Global;
use crate::input::Input;
use crate::output::print;

#[derive(Subcommand)]
pub(crate) enum OwnerCommand {
    /// The owner PIN.
    #[command(subcommand)]
    Pin(PinCommand),
    /// The till's gateway keys in the OS keyring.
    #[command(subcommand)]
    Keys(OwnerKeysCommand),
}

#[derive(Subcommand)]
pub(crate) enum OwnerKeysCommand {
    /// After moving this till's data folder on this computer: take its keys
    /// from the old folder (keys belong to one till; the old folder loses them).
    Move,
}

#[derive(Subcommand)]
pub(crate) enum PinCommand {
    /// Set the owner PIN: reads the new PIN twice from standard input (the
    /// current PIN first, from CRYPTILL_OWNER_PIN or a line before them, when
    /// one is set already).
    Set,
}

#[derive(clap::Args)]
pub(crate) struct WithdrawArgs {
    #[arg(long)]
    coin: String,
    #[arg(long)]
    amount: String,
    #[arg(long)]
    address: String,
}

pub(crate) async fn run(g: &Global, command: OwnerCommand) -> Result<(), Error> {
    match command {
        OwnerCommand::Pin(PinCommand::Set) => {
            let dir = g.ensure_data_dir()?;
            let ledger = Ledger::open(&dir.join("cryptill.sqlite3"))?;
            let mut input = Input::new();
            if pin::is_set(&ledger)? {
                let current = input.owner_pin()?;
                let new = input.new_pin()?;
                pin::change(&ledger, &current, &new, chrono::Utc::now())?;
            } else {
                let new = input.new_pin()?;
                pin::set_first(&ledger, &new)?;
            }
            println!("The owner PIN is set.");
        }
        OwnerCommand::Keys(OwnerKeysCommand::Move) => {
            let (ledger, keys) = open_ledger(g)?;
            let ok = owner_change_proof(&ledger, &keys, &mut Input::new())?;
            let moved = cryptill_core::owner::keys::move_keys(&ok, &ledger, &keys)?;
            if moved.gateways.is_empty() {
                println!("No keys to move: the keyring of this computer holds no keys of the folder this till came from. Enter them again with `cryptill gateway key set <gateway>`.");
            } else {
                println!(
                    "Moved the keys of {} to this till.",
                    moved.gateways.join(", ")
                );
            }
        }
    }
    Ok(())
}

pub(crate) async fn balance(g: &Global) -> Result<(), Error> {
    let balances = g
        .with_owner(async |till, ok| till.owner().balances(ok).await)
        .await?;
    print(g.json, &balances, |b| {
        let mut lines: Vec<String> = b
            .balances
            .iter()
            .map(|b| format!("{:<6} {:>24}  {}", b.coin, b.amount.to_fixed(), b.title))
            .collect();
        lines.push(format!("As of {}", b.fetched_at));
        lines.join("\n")
    });
    Ok(())
}

pub(crate) async fn withdraws(g: &Global, search: Option<&str>) -> Result<(), Error> {
    let list = g
        .with_owner(async |till, ok| till.owner().withdrawals(ok, search).await)
        .await?;
    print(g.json, &list, |list| {
        if list.is_empty() {
            return "No withdrawals.".into();
        }
        list.iter()
            .map(|w| {
                format!(
                    "{:<8} {:<6} {:>20} {:<10} {} {}",
                    w.id,
                    w.coin,
                    w.amount.as_ref().map(Money::to_fixed).unwrap_or_default(),
                    w.status,
                    w.address.as_deref().unwrap_or("-"),
                    w.transaction_id.as_deref().unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(())
}

pub(crate) async fn withdraw(g: &Global, args: WithdrawArgs) -> Result<(), Error> {
    let form = WithdrawForm {
        coin: args.coin,
        amount: args.amount,
        address: args.address,
    };
    let outcome = g
        .with_owner(async |till, ok| till.owner().withdraw(ok, &form).await)
        .await?;
    print(g.json, &outcome, |o| o.receipt.message.clone());
    Ok(())
}

impl Global {
    /// As [`Global::with_till`], once the owner has proved to be here: the
    /// PIN from `CRYPTILL_OWNER_PIN`, or one line of standard input.
    pub(crate) async fn with_owner<T>(
        &self,
        f: impl AsyncFnOnce(&Till, &Unlocked) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.with_till(async |till| {
            let ok = owner_proof(till.ledger(), till.keys(), &mut Input::new())?;
            f(till, &ok).await
        })
        .await
    }
}

/// The ledger and this till's keyring entries, without connecting a
/// gateway: owner changes work even when the gateway cannot be reached or
/// its key is missing.
pub(crate) fn open_ledger(g: &Global) -> Result<(Ledger, KeyStore), Error> {
    let dir = g.ensure_data_dir()?;
    let ledger = Ledger::open(&dir.join("cryptill.sqlite3"))?;
    let keys = TillConfig::new(dir).keys(&ledger)?;
    Ok((ledger, keys))
}

/// The owner's proof on the command line: the PIN from `CRYPTILL_OWNER_PIN`
/// or standard input. The first time the PIN is given, keys from before
/// keys belonged to the till move to it.
pub(crate) fn owner_proof(
    ledger: &Ledger,
    keys: &KeyStore,
    input: &mut Input,
) -> Result<Unlocked, Error> {
    let ok = cryptill_core::owner::unlock_with_pin(ledger, &input.owner_pin()?)?;
    move_old_keys(&ok, ledger, keys);
    Ok(ok)
}

/// The owner's proof for a change (gateway, key, keys' place): as
/// [`owner_proof`], but before a PIN exists the first change asks for a new
/// one (twice on standard input, or `CRYPTILL_OWNER_PIN`), so no change is
/// ever made without one.
pub(crate) fn owner_change_proof(
    ledger: &Ledger,
    keys: &KeyStore,
    input: &mut Input,
) -> Result<Unlocked, Error> {
    let ok = if pin::is_set(ledger)? {
        cryptill_core::owner::unlock_with_pin(ledger, &input.owner_pin()?)?
    } else {
        eprintln!("No owner PIN is set yet, and this needs the owner. Choose the owner PIN now.");
        let new = match std::env::var("CRYPTILL_OWNER_PIN") {
            Ok(pin) if !pin.is_empty() => Sensitive::new(pin),
            _ => input.new_pin()?,
        };
        pin::set_first(ledger, &new)?;
        eprintln!("The owner PIN is set.");
        cryptill_core::owner::unlock_with_pin(ledger, &new)?
    };
    move_old_keys(&ok, ledger, keys);
    Ok(ok)
}

/// Keys from before keys belonged to the till move to it once, under the
/// PIN just given; if the keyring refuses, the till keeps working and the
/// next owner command tries again.
fn move_old_keys(ok: &Unlocked, ledger: &Ledger, keys: &KeyStore) {
    if let Err(e) = cryptill_core::owner::keys::migrate_legacy(ok, ledger, keys) {
        eprintln!("cryptill: the keys from before could not be moved to this till yet ({e})");
    }
}
