//! `cryptill cashier ...` (the owner's) and `cryptill shift ...` (a
//! cashier's), and `report --shift N`. They need only the ledger, not the
//! gateway: a shift opens and closes even while the gateway is down.

use clap::Subcommand;
use cryptill_core::ledger::Ledger;
use cryptill_core::money::Currency;
use cryptill_core::settings::Settings;
use cryptill_core::shift::{shift_report_text, CashierInfo, ShiftReport, Shifts};
use cryptill_core::Error;

use crate::global::Global;
use crate::input::Input;
use crate::output::print;
use crate::owner::{open_ledger, owner_change_proof, owner_proof};

#[derive(Subcommand)]
pub(crate) enum CashierCommand {
    /// Add a cashier: the owner PIN (CRYPTILL_OWNER_PIN or a first line),
    /// then the cashier's new PIN twice on standard input.
    Add { name: String },
    /// List the cashiers.
    List,
    /// Stop a cashier from signing in (their sales keep their name).
    Disable { name: String },
    /// Let a disabled cashier sign in again.
    Enable { name: String },
    /// Give a cashier another name (their sales follow).
    Rename { name: String, new_name: String },
}

#[derive(Subcommand)]
pub(crate) enum ShiftCommand {
    /// Open a shift: the cashier's PIN from CRYPTILL_CASHIER_PIN or standard input.
    Open {
        #[arg(long)]
        cashier: String,
    },
    /// Another cashier takes over the open shift (their PIN as for `open`).
    Switch {
        #[arg(long)]
        cashier: String,
    },
    /// The X report: the open shift so far.
    Status,
    /// Close the open shift and print its Z report.
    Close,
}

fn shifts_over(ledger: &Ledger) -> Result<Shifts<'_>, Error> {
    let currency = Currency::fiat(&Settings::load(ledger)?.fiat_currency)?;
    Ok(Shifts::new(ledger, currency))
}

fn cashier_line(c: &CashierInfo) -> String {
    let mut line = c.name.clone();
    if !c.enabled {
        line.push_str("  (disabled)");
    }
    if let Some(s) = c.locked_seconds {
        line.push_str(&format!("  (locked for {s} s after wrong PINs)"));
    }
    line
}

pub(crate) fn cashier(g: &Global, command: CashierCommand) -> Result<(), Error> {
    let (ledger, keys) = open_ledger(g)?;
    let shifts = shifts_over(&ledger)?;
    let mut input = Input::new();
    match command {
        CashierCommand::Add { name } => {
            // As for a gateway change: before an owner PIN exists, the
            // first cashier asks for one, so cashiers never come without it.
            let ok = owner_change_proof(&ledger, &keys, &mut input)?;
            let pin = input.new_cashier_pin()?;
            let added = shifts.add_cashier(&ok, &name, &pin)?;
            print(g.json, &added, |c| {
                format!(
                    "Added cashier {}. From now on a sale needs an open shift: `cryptill shift open --cashier {}`.",
                    c.name, c.name
                )
            });
        }
        CashierCommand::List => {
            let ok = owner_proof(&ledger, &keys, &mut input)?;
            let list = shifts.cashiers(&ok)?;
            print(g.json, &list, |list| {
                if list.is_empty() {
                    return "No cashiers: the till sells without sign-in.".into();
                }
                list.iter().map(cashier_line).collect::<Vec<_>>().join("\n")
            });
        }
        CashierCommand::Disable { ref name } | CashierCommand::Enable { ref name } => {
            let enable = matches!(command, CashierCommand::Enable { .. });
            let ok = owner_proof(&ledger, &keys, &mut input)?;
            let changed = shifts.set_cashier_enabled(&ok, name, enable)?;
            print(g.json, &changed, |c| {
                let state = if c.enabled { "enabled" } else { "disabled" };
                format!("{} is {state}.", c.name)
            });
        }
        CashierCommand::Rename { name, new_name } => {
            let ok = owner_proof(&ledger, &keys, &mut input)?;
            let renamed = shifts.rename_cashier(&ok, &name, &new_name)?;
            print(g.json, &renamed, |c| format!("Renamed to {}.", c.name));
        }
    }
    Ok(())
}

fn print_report(g: &Global, report: &ShiftReport) {
    print(g.json, report, shift_report_text);
}

pub(crate) fn shift(g: &Global, command: ShiftCommand) -> Result<(), Error> {
    let dir = g.ensure_data_dir()?;
    let ledger = Ledger::open(&dir.join("cryptill.sqlite3"))?;
    let shifts = shifts_over(&ledger)?;
    match command {
        ShiftCommand::Open { cashier } => {
            let pin = Input::new().cashier_pin()?;
            let status = shifts.open(&cashier, &pin)?;
            print(g.json, &status, |s| match &s.shift {
                Some(open) => format!("Shift open. {} is selling.", open.cashier),
                None => "No shift is open.".into(),
            });
        }
        ShiftCommand::Switch { cashier } => {
            let pin = Input::new().cashier_pin()?;
            let status = shifts.switch(&cashier, &pin)?;
            print(g.json, &status, |s| match &s.shift {
                Some(open) => format!("{} is selling now.", open.cashier),
                None => "No shift is open.".into(),
            });
        }
        ShiftCommand::Status => print_report(g, &shifts.x_report()?),
        ShiftCommand::Close => print_report(g, &shifts.close()?),
    }
    Ok(())
}

/// `cryptill report --shift N`: a Z report read back as it was made.
pub(crate) fn z_report(g: &Global, number: u32) -> Result<(), Error> {
    let (ledger, keys) = open_ledger(g)?;
    let ok = owner_proof(&ledger, &keys, &mut Input::new())?;
    let report = shifts_over(&ledger)?.z_report(&ok, number)?;
    print_report(g, &report);
    Ok(())
}
