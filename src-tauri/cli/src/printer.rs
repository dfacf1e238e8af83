//! `cryptill printer` and `receipt`: the receipt printer, its test page and
//! the X/Z report on paper (owner), and a sale's receipt or payment slip.

use cryptill_core::printer::{PrinterSettings, ReportKind};
use cryptill_core::report::{self, SaleFilter};
use cryptill_core::Error;
use serde::Serialize;

use crate::global::Global;
use crate::output::print;

#[derive(clap::Subcommand)]
pub(crate) enum PrinterCommand {
    /// Owner: choose the receipt printer (asks for the PIN).
    Use {
        /// tcp://HOST[:PORT] (port 9100 if left out), usb:VID:PID,
        /// serial:DEVICE[:BAUD] or file:PATH; `none` for no printer.
        address: String,
        /// Paper width in mm: 58 or 80 (default: as before, else 80).
        #[arg(long, value_name = "MM")]
        paper: Option<u32>,
        /// Print each paid sale's receipt by itself: on or off (default: as before).
        #[arg(long, value_name = "on|off")]
        auto_print: Option<OnOff>,
    },
    /// Show the receipt printer chosen.
    Show,
    /// Owner: print the test page (asks for the PIN).
    Test,
    /// Owner: print the day's report on the receipt printer (asks for the PIN).
    Report {
        #[arg(long, value_name = "YYYY-MM-DD")]
        day: Option<String>,
        /// An X report: a look during the day, not the close.
        #[arg(long)]
        x: bool,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum OnOff {
    On,
    Off,
}

#[derive(clap::Subcommand)]
pub(crate) enum ReceiptCommand {
    /// Print a paid sale's receipt (local sale number, or either order id).
    Print { sale: String },
    /// Print the payment slip of a sale waiting for payment: its QR on paper.
    Slip { sale: String },
}

fn describe(s: &PrinterSettings) -> String {
    if s.printer.is_empty() {
        return "No receipt printer; receipts print through the system's dialog.".into();
    }
    format!(
        "Receipt printer: {}\nPaper:           {} mm\nPrints by itself when paid: {}",
        s.printer,
        s.paper_mm,
        if s.auto_print { "yes" } else { "no" }
    )
}

pub(crate) async fn run(g: &Global, command: PrinterCommand) -> Result<(), Error> {
    match command {
        PrinterCommand::Use {
            address,
            paper,
            auto_print,
        } => {
            let saved = g
                .with_owner(async |till, ok| {
                    let before = till.printer().settings()?;
                    let none = address.trim().eq_ignore_ascii_case("none");
                    let wanted = PrinterSettings {
                        printer: if none { String::new() } else { address.clone() },
                        paper_mm: paper.unwrap_or(before.paper_mm),
                        auto_print: match auto_print {
                            Some(OnOff::On) => true,
                            Some(OnOff::Off) => false,
                            None => before.auto_print && !none,
                        },
                    };
                    till.printer().save_settings(ok, &wanted)
                })
                .await?;
            print(g.json, &saved, describe);
        }
        PrinterCommand::Show => {
            let settings = g.with_till(async |till| till.printer().settings()).await?;
            print(g.json, &settings, describe);
        }
        PrinterCommand::Test => {
            let said = g
                .with_owner(async |till, ok| till.printer().test_page(ok).await)
                .await?;
            print(g.json, &Done { message: said }, |d| d.message.clone());
        }
        PrinterCommand::Report { day, x } => {
            let filter = match day.as_deref() {
                Some(day) => {
                    report::parse_day(day)?;
                    SaleFilter::day(day)
                }
                None => SaleFilter::today(),
            };
            let kind = if x { ReportKind::X } else { ReportKind::Z };
            g.with_owner(async |till, ok| {
                let z = till.owner().day_report(ok, &filter)?;
                till.printer().print_report(ok, kind, &z).await
            })
            .await?;
            let message = format!("{} report printed.", if x { "X" } else { "Z" });
            print(g.json, &Done { message }, |d| d.message.clone());
        }
    }
    Ok(())
}

pub(crate) async fn receipt(g: &Global, command: ReceiptCommand) -> Result<(), Error> {
    let message = match command {
        ReceiptCommand::Print { sale } => {
            let id = g
                .with_till(async |till| {
                    let id = till.ledger().find_sale(&sale)?.id;
                    till.printer().print_receipt(id).await.map(|()| id)
                })
                .await?;
            format!("Receipt of sale {id} printed.")
        }
        ReceiptCommand::Slip { sale } => {
            let id = g
                .with_till(async |till| {
                    let id = till.ledger().find_sale(&sale)?.id;
                    till.printer().print_payment_slip(id).await.map(|()| id)
                })
                .await?;
            format!("Payment slip of sale {id} printed.")
        }
    };
    print(g.json, &Done { message }, |d| d.message.clone());
    Ok(())
}

#[derive(Serialize)]
struct Done {
    message: String,
}
