//! The command line: `cryptill <subcommand>` (or `cryptill-cli
//! <subcommand>`) runs headless over the same core the window uses. Data
//! goes to stdout (`--json` for machines), errors to stderr as a sentence
//! for a shop owner, with a non-zero exit code. One file per noun; this one
//! parses, dispatches, and opens and closes the till for every command.

mod gateway;
mod global;
mod input;
mod ledger;
mod output;
mod owner;
mod printer;
mod refund;
mod report;
mod sale;
mod sandbox;
mod settings;
mod shift;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use cryptill_core::{Error, ErrorKind};

use crate::global::Global;

#[derive(Parser)]
#[command(
    name = "cryptill",
    version,
    about = "Crypto payments at the shop counter. Without a command, opens the window."
)]
pub struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Choose the payment gateway, or store and test its API key.
    #[command(subcommand)]
    Gateway(gateway::GatewayCommand),
    /// List the coins the gateway accepts at this terminal.
    Coins,
    /// Show the price of one coin in a currency.
    Rates { fiat: String, coin: String },
    /// Convert an amount into a coin, without creating an order.
    Quote(sale::QuoteArgs),
    /// Charge an amount: records the sale, creates the order, prints how to pay.
    Sale(sale::SaleArgs),
    /// Ask the gateway about a sale (local number or order id) and update the ledger.
    Order { id: String },
    /// The sandbox gateway, for training and tests.
    #[command(subcommand)]
    Sandbox(sandbox::SandboxCommand),
    /// Owner mode: the owner PIN.
    #[command(subcommand)]
    Owner(owner::OwnerCommand),
    /// Owner: what the terminal or account holds, per coin (asks for the PIN).
    Balance,
    /// Owner: past withdrawals at the gateway (asks for the PIN).
    Withdraws {
        /// Keep those whose address or transaction id contains TEXT.
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
    },
    /// Owner: ask the gateway to send coins to a wallet (asks for the PIN).
    Withdraw(owner::WithdrawArgs),
    /// Owner: the Z-report of a day (default today, local time), or of a
    /// closed shift (`--shift N`, as made at its close); asks for the PIN.
    Report {
        #[arg(long, value_name = "YYYY-MM-DD", conflicts_with = "shift")]
        day: Option<String>,
        /// The Z number of a closed shift.
        #[arg(long, value_name = "N")]
        shift: Option<u32>,
        /// Only the sales of the till of this name (on a shared ledger).
        #[arg(long, value_name = "NAME", conflicts_with = "shift")]
        till: Option<String>,
    },
    /// Owner: write the sales as CSV for the accountant (asks for the PIN).
    Export(report::ExportArgs),
    /// Owner: the till's cashiers (each asks for the owner PIN).
    #[command(subcommand)]
    Cashier(shift::CashierCommand),
    /// A cashier's shift: open with their PIN, switch, X report, close with the Z report.
    #[command(subcommand)]
    Shift(shift::ShiftCommand),
    /// The receipt printer: choose it, test it, print the day's report.
    #[command(subcommand)]
    Printer(printer::PrinterCommand),
    /// Print a sale's receipt or payment slip on the receipt printer.
    #[command(subcommand)]
    Receipt(printer::ReceiptCommand),
    /// Where this till's sales are kept: its own file or the shop's server.
    #[command(subcommand)]
    Ledger(ledger::LedgerCommand),
    /// This till: its name in the shop's reports.
    #[command(subcommand)]
    Till(ledger::TillCommand),
    /// Owner: the shop's settings, shown or changed one at a time (asks for the PIN).
    #[command(subcommand)]
    Settings(settings::SettingsCommand),
    /// Owner: give money back for a sale (a return, an overpayment's excess,
    /// a payment that could not be finished) to the customer's address; asks
    /// for the PIN. On Counos it is a withdrawal the owner confirms by e-mail.
    Refund(refund::RefundArgs),
    /// Owner: every refund and where it stands (asks for the PIN).
    Refunds,
    /// Owner: settle a refund left "being sent" (its answer was lost) after
    /// checking the gateway's dashboard: --sent or --failed. The gateway is
    /// asked first; if it holds the refund, that is recorded instead.
    RefundResolve(refund::ResolveArgs),
}

/// Parses the process arguments, runs the subcommand and returns the exit
/// code: 0, 2 for something the person typed, 1 for anything else.
pub fn main() -> i32 {
    init_logging("warn");
    let cli = parse();
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime starts");
    match runtime.block_on(run(cli)) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("cryptill: {e}");
            match e.kind() {
                ErrorKind::Input | ErrorKind::NotFound | ErrorKind::NotAllowed => 2,
                _ => 1,
            }
        }
    }
}

async fn run(cli: Cli) -> Result<(), Error> {
    let g = &cli.global;
    match cli.command {
        Command::Gateway(command) => gateway::run(g, command).await,
        Command::Coins => gateway::coins(g).await,
        Command::Rates { fiat, coin } => gateway::rates(g, &fiat, &coin).await,
        Command::Quote(args) => sale::quote(g, args).await,
        Command::Sale(args) => sale::sale(g, args).await,
        Command::Order { id } => sale::order(g, &id).await,
        Command::Sandbox(command) => sandbox::run(g, command).await,
        Command::Owner(command) => owner::run(g, command).await,
        Command::Balance => owner::balance(g).await,
        Command::Withdraws { search } => owner::withdraws(g, search.as_deref()).await,
        Command::Withdraw(args) => owner::withdraw(g, args).await,
        Command::Report {
            shift: Some(number),
            ..
        } => shift::z_report(g, number),
        Command::Report { day, till, .. } => report::day(g, day.as_deref(), till.as_deref()).await,
        Command::Export(args) => report::export(g, args).await,
        Command::Cashier(command) => shift::cashier(g, command),
        Command::Shift(command) => shift::shift(g, command),
        Command::Printer(command) => printer::run(g, command).await,
        Command::Receipt(command) => printer::receipt(g, command).await,
        Command::Ledger(command) => ledger::run(g, command),
        Command::Till(command) => ledger::till(g, command),
        Command::Settings(command) => settings::run(g, command).await,
        Command::Refund(args) => refund::refund(g, args).await,
        Command::Refunds => refund::refunds(g).await,
        Command::RefundResolve(args) => refund::resolve(g, args).await,
    }
}

/// Parses the arguments, with `--version` telling the release and the
/// ledger schema it writes ("cryptill 0.1.0 (ledger schema N)").
fn parse() -> Cli {
    // clap takes a `'static` version string; this runs once per process.
    let version: &'static str = Box::leak(cryptill_core::version::describe().into_boxed_str());
    let matches = Cli::command().version(version).get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// Logs to stderr; `CRYPTILL_LOG` (e.g. `debug`) overrides `default_level`.
pub fn init_logging(default_level: &str) {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_env("CRYPTILL_LOG").unwrap_or_else(|_| EnvFilter::new(default_level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
