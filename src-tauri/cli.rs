//! The command line: `cryptill <subcommand>` runs headless over the same
//! core the window uses (`cryptill` alone opens the window). Data goes to
//! stdout (`--json` for machines), errors to stderr as a sentence for a shop
//! owner, with a non-zero exit code.

use std::io::{BufRead, IsTerminal, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use cryptill_core::checkout::Payment;
use cryptill_core::gateway::{check_base_url, GatewayKind};
use cryptill_core::keystore::KeyStore;
use cryptill_core::ledger::Ledger;
use cryptill_core::money::{Currency, Money};
use cryptill_core::owner::{pin, Unlocked};
use cryptill_core::report;
use cryptill_core::secret::Sensitive;
use cryptill_core::{Error, Till, TillConfig};
use serde::Serialize;

#[derive(Parser)]
#[command(
    name = "cryptill",
    version,
    about = "Crypto payments at the shop counter. Without a command, opens the window."
)]
pub struct Cli {
    /// Folder of the ledger (default: CRYPTILL_DATA_DIR, else the OS app-data folder).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Print data as JSON.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Choose the payment gateway, or store and test its API key.
    #[command(subcommand)]
    Gateway(GatewayCommand),
    /// List the coins the gateway accepts at this terminal.
    Coins,
    /// Show the price of one coin in a currency.
    Rates { fiat: String, coin: String },
    /// Convert an amount into a coin, without creating an order.
    Quote {
        amount: String,
        fiat: String,
        coin: String,
    },
    /// Charge an amount: records the sale, creates the order, prints how to pay.
    Sale {
        amount: String,
        fiat: String,
        coin: String,
        /// Also write the payment QR code as a PNG picture.
        #[arg(long, value_name = "FILE.png")]
        qr: Option<PathBuf>,
        /// Follow the payment until it is paid, expired or otherwise settled.
        #[arg(long)]
        wait: bool,
    },
    /// Ask the gateway about a sale (local number or order id) and update the ledger.
    Order { id: String },
    /// The sandbox gateway, for training and tests.
    #[command(subcommand)]
    Sandbox(SandboxCommand),
    /// Owner mode: the owner PIN.
    #[command(subcommand)]
    Owner(OwnerCommand),
    /// Owner: what the terminal or account holds, per coin (asks for the PIN).
    Balance,
    /// Owner: past withdrawals at the gateway (asks for the PIN).
    Withdraws {
        /// Keep those whose address or transaction id contains TEXT.
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
    },
    /// Owner: ask the gateway to send coins to a wallet (asks for the PIN).
    Withdraw {
        #[arg(long)]
        coin: String,
        #[arg(long)]
        amount: String,
        #[arg(long)]
        address: String,
    },
    /// Owner: the Z-report of a day (default today, local time; asks for the PIN).
    Report {
        #[arg(long, value_name = "YYYY-MM-DD")]
        day: Option<String>,
    },
    /// Owner: write the sales as CSV for the accountant (asks for the PIN).
    Export {
        #[arg(long, value_name = "FILE.csv")]
        csv: PathBuf,
        /// First day, YYYY-MM-DD (local time).
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<String>,
        /// Last day, YYYY-MM-DD, included.
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: Option<String>,
    },
}

#[derive(Subcommand)]
enum OwnerCommand {
    /// The owner PIN.
    #[command(subcommand)]
    Pin(PinCommand),
    /// The till's gateway keys in the OS keyring.
    #[command(subcommand)]
    Keys(OwnerKeysCommand),
}

#[derive(Subcommand)]
enum OwnerKeysCommand {
    /// After moving this till's data folder on this computer: take its keys
    /// from the old folder (keys belong to one till; the old folder loses them).
    Move,
}

#[derive(Subcommand)]
enum PinCommand {
    /// Set the owner PIN: reads the new PIN twice from standard input (the
    /// current PIN first, from CRYPTILL_OWNER_PIN or a line before them, when
    /// one is set already).
    Set,
}

#[derive(Subcommand)]
enum GatewayCommand {
    /// Owner: switch gateway (asks for the owner PIN). Refused while sales
    /// are still waiting for payment.
    Use {
        gateway: GatewayArg,
        /// Another address for the gateway's API (https://, or http:// on this computer only).
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
    },
    /// Manage the gateway's API key in the OS keyring.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Check that the gateway answers and accepts the key.
    Test,
    /// Take a coin on another network (e.g. `gateway network ETH Ethereum`);
    /// `cryptill coins` lists the networks the gateway offers.
    Network {
        /// Ticker symbol, e.g. ETH or USDT.
        coin: String,
        /// The network as `cryptill coins` names it (case and punctuation do not matter).
        network: String,
    },
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Owner: read the key from standard input (one line, after the owner
    /// PIN unless CRYPTILL_OWNER_PIN is set) into the OS keyring, for this till.
    Set { gateway: GatewayArg },
    /// Owner: remove a gateway's key from the OS keyring (not the one in use).
    Delete { gateway: GatewayArg },
}

#[derive(Subcommand)]
enum SandboxCommand {
    /// Run the sandbox gateway until Ctrl+C.
    Serve {
        /// Port on 127.0.0.1 (0 picks a free one).
        #[arg(long, default_value_t = 8787)]
        port: u16,
    },
    /// Pay an order at a running sandbox, as a customer's wallet would.
    Pay {
        /// The local sale number, or the order id the sandbox knows.
        order: String,
        /// Which of the sandbox's gateways the order id belongs to (found by
        /// itself when ORDER is a local sale number).
        #[arg(long, default_value = "counos")]
        dialect: Dialect,
        /// Amount in the coin; default: what is still due.
        #[arg(long)]
        amount: Option<String>,
        /// The sandbox's address, as `sandbox serve` printed it.
        #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:8787")]
        url: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum GatewayArg {
    /// The built-in sandbox (Counos dialect): training and trying out.
    Demo,
    Counos,
    Coingate,
    /// CoinGate's sandbox environment (separate account and key).
    CoingateSandbox,
}

impl From<GatewayArg> for GatewayKind {
    fn from(g: GatewayArg) -> Self {
        match g {
            GatewayArg::Demo => GatewayKind::Demo,
            GatewayArg::Counos => GatewayKind::Counos,
            GatewayArg::Coingate => GatewayKind::Coingate,
            GatewayArg::CoingateSandbox => GatewayKind::CoingateSandbox,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Dialect {
    Counos,
    Coingate,
}

/// Runs a subcommand and returns the process exit code.
pub fn main(cli: Cli) -> i32 {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime starts");
    match runtime.block_on(run(cli)) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("cryptill: {e}");
            match e {
                Error::Input(_) | Error::NotFound(_) | Error::NotAllowed(_) => 2,
                _ => 1,
            }
        }
    }
}

fn data_dir(cli: &Cli) -> Result<PathBuf, Error> {
    match &cli.data_dir {
        Some(dir) => Ok(dir.clone()),
        None => cryptill_core::till::default_data_dir(),
    }
}

/// The data folder, created if it does not exist yet.
fn ensure_data_dir(cli: &Cli) -> Result<PathBuf, Error> {
    let dir = data_dir(cli)?;
    std::fs::create_dir_all(&dir).map_err(|e| {
        Error::Storage(format!(
            "Cannot create the data folder {} ({e}).",
            dir.display()
        ))
    })?;
    Ok(dir)
}

async fn open_till(cli: &Cli) -> Result<Till, Error> {
    Till::open(TillConfig::new(data_dir(cli)?)).await
}

fn print<T: Serialize>(json: bool, value: &T, human: impl FnOnce(&T) -> String) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(value).expect("plain data serialises")
        );
    } else {
        println!("{}", human(value));
    }
}

fn describe(p: &Payment) -> String {
    let mut lines = vec![
        format!(
            "Sale {}: {} {} = {} {}",
            p.sale_id, p.fiat_amount, p.fiat_currency, p.crypto_amount, p.coin
        ),
        format!("State:    {}", p.state.as_str()),
    ];
    if !p.address.is_empty() {
        lines.push(format!("Network:  {}", p.network));
        lines.push(format!("Address:  {}", p.address));
        lines.push(format!("Pay with: {}", p.payment_uri));
    }
    if let Some(at) = &p.expires_at {
        lines.push(format!("Expires:  {at}"));
    }
    if p.paid_amount != "0" && !p.paid_amount.chars().all(|c| c == '0' || c == '.') {
        lines.push(format!("Paid:     {} {}", p.paid_amount, p.coin));
    }
    lines.push(format!("Order:    {}", p.gateway_order_id));
    lines.join("\n")
}

async fn run(cli: Cli) -> Result<(), Error> {
    let json = cli.json;
    match &cli.command {
        Command::Gateway(GatewayCommand::Use { gateway, base_url }) => {
            let kind = GatewayKind::from(*gateway);
            if let Some(url) = base_url {
                // Before the PIN is asked: a bad address (or one with a
                // password in it) is refused whoever types it.
                cryptill_core::owner::refuse_credentials(url)?;
                check_base_url(url)?;
            }
            let (ledger, keys) = open_ledger(&cli)?;
            let ok = owner_change_proof(&ledger, &keys, &mut Input::new())?;
            // The same rule the owner screen follows.
            cryptill_core::owner::switch_gateway(&ok, &ledger, kind, base_url.as_deref())?;
            println!("Cryptill now uses {}.", kind.label());
        }
        Command::Gateway(GatewayCommand::Key(KeyCommand::Set { gateway })) => {
            let kind = GatewayKind::from(*gateway);
            let (ledger, keys) = open_ledger(&cli)?;
            let mut input = Input::new();
            let ok = owner_change_proof(&ledger, &keys, &mut input)?;
            let key = input.line(&format!(
                "Paste the {} API key and press Enter: ",
                kind.label()
            ))?;
            let key = Sensitive::new(key.expose().trim().to_string());
            cryptill_core::owner::set_key(&ok, &ledger, &keys, kind, &key)?;
            println!(
                "The {} key is stored in the system keyring, for this till only.",
                kind.label()
            );
        }
        Command::Gateway(GatewayCommand::Key(KeyCommand::Delete { gateway })) => {
            let kind = GatewayKind::from(*gateway);
            let (ledger, keys) = open_ledger(&cli)?;
            let ok = owner_change_proof(&ledger, &keys, &mut Input::new())?;
            cryptill_core::owner::delete_key(&ok, &ledger, &keys, kind)?;
            println!(
                "The {} key is removed from the system keyring.",
                kind.label()
            );
        }
        Command::Gateway(GatewayCommand::Test) => {
            let till = open_till(&cli).await?;
            till.checkout().gateway().test_key().await?;
            println!(
                "{} answers and accepts the key.",
                till.checkout().gateway().kind().label()
            );
            till.close().await;
        }
        Command::Gateway(GatewayCommand::Network { coin, network }) => {
            let till = open_till(&cli).await?;
            let coin = till.checkout().set_network(coin, network).await?;
            println!(
                "{} is now taken on the {} network.",
                coin.symbol, coin.network
            );
            till.close().await;
        }
        Command::Coins => {
            let till = open_till(&cli).await?;
            let coins = till.checkout().coin_networks().await?;
            print(json, &coins, |coins| {
                coins
                    .iter()
                    .map(|c| {
                        let mark = match (c.used, c.default) {
                            (true, _) => "used",
                            (false, true) => "default",
                            (false, false) => "",
                        };
                        format!("{:<6} {:<20} {:<28} {mark}", c.symbol, c.title, c.network)
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            till.close().await;
        }
        Command::Rates { fiat, coin } => {
            let till = open_till(&cli).await?;
            let currency = Currency::fiat(fiat)?;
            let one = Money::parse_entry("1", &currency)?;
            let quote = till.checkout().quote_in(&one, coin).await?;
            print(json, &quote, |q| {
                format!("1 {} = {} {}", q.coin, q.rate, q.fiat_currency)
            });
            till.close().await;
        }
        Command::Quote { amount, fiat, coin } => {
            let till = open_till(&cli).await?;
            let currency = Currency::fiat(fiat)?;
            // In the shop's currency, the counter's rules (maximum included);
            // another currency is only priced, never charged.
            let quote = if &currency == till.checkout().fiat() {
                till.checkout().quote(amount, coin).await?
            } else {
                let fiat = Money::parse_entry(amount, &currency)?;
                till.checkout().quote_in(&fiat, coin).await?
            };
            print(json, &quote, |q| {
                format!(
                    "{} {} = {} {} (1 {} = {} {})",
                    q.fiat_amount,
                    q.fiat_currency,
                    q.crypto_amount,
                    q.coin,
                    q.coin,
                    q.rate,
                    q.fiat_currency
                )
            });
            till.close().await;
        }
        Command::Sale {
            amount,
            fiat,
            coin,
            qr,
            wait,
        } => {
            let till = open_till(&cli).await?;
            let payment = till.checkout().charge_in(amount, fiat, coin).await?;
            if let Some(path) = qr {
                let png = cryptill_core::qr::png(&payment.payment_uri)?;
                std::fs::write(path, png).map_err(|e| {
                    Error::Storage(format!(
                        "Cannot write the QR picture to {} ({e}).",
                        path.display()
                    ))
                })?;
            }
            if *wait {
                if !json {
                    println!("{}\nWaiting for the payment (Ctrl+C stops waiting; the sale stays in the ledger)...", describe(&payment));
                }
                let mut last = payment.state;
                let mut final_payment = payment.clone();
                // The till's watcher runs while this waits: the sale is
                // followed like the window follows it, and any other open
                // sale of the ledger is looked after meanwhile.
                let watcher = tokio::spawn(till.checkout_handle().watch());
                let followed = till
                    .checkout()
                    .follow(payment.sale_id, |p| {
                        if p.state != last && !json {
                            println!("State: {}", p.state.as_str());
                        }
                        last = p.state;
                        final_payment = p;
                        true
                    })
                    .await;
                watcher.abort();
                followed?;
                print(json, &final_payment, describe);
            } else {
                print(json, &payment, describe);
            }
            till.close().await;
        }
        Command::Order { id } => {
            let till = open_till(&cli).await?;
            let sale = till.ledger().find_sale(id)?;
            let payment = till.checkout().refresh(sale.id).await?;
            print(json, &payment, describe);
            till.close().await;
        }
        Command::Sandbox(SandboxCommand::Serve { port }) => {
            let dir = ensure_data_dir(&cli)?;
            let config = cryptill_sandbox::Config::demo(dir.join("sandbox-gateway.sqlite3"));
            let sandbox =
                cryptill_sandbox::start(config, SocketAddr::from((Ipv4Addr::LOCALHOST, *port)))
                    .await
                    .map_err(|e| {
                        Error::Storage(format!("Cannot start the sandbox gateway: {e}"))
                    })?;
            #[derive(Serialize)]
            struct Serving {
                url: String,
                counos_url: String,
                coingate_url: String,
                api_key: &'static str,
            }
            let serving = Serving {
                url: sandbox.base_url(),
                counos_url: sandbox.counos_url(),
                coingate_url: sandbox.coingate_url(),
                api_key: cryptill_sandbox::DEMO_API_KEY,
            };
            print(json, &serving, |s| {
                format!(
                    "Sandbox gateway at {}\nCounos dialect:   {}\nCoinGate dialect: {}\nAPI key (both):   {}\nCtrl+C stops it.",
                    s.url, s.counos_url, s.coingate_url, s.api_key
                )
            });
            let _ = std::io::stdout().flush();
            let _ = tokio::signal::ctrl_c().await;
            sandbox.shutdown().await;
        }
        Command::Sandbox(SandboxCommand::Pay {
            order,
            amount,
            url,
            dialect,
        }) => {
            let base = check_base_url(url)?;
            // A local sale number is turned into the order id the sandbox
            // knows; anything else is taken as that id already.
            let ledger_file = data_dir(&cli)?.join("cryptill.sqlite3");
            let (dialect, order) = match ledger_file
                .exists()
                .then(|| Ledger::open(&ledger_file).and_then(|l| l.find_sale(order)))
            {
                // Counos knows orders by our merchant id, CoinGate by its own.
                Some(Ok(sale)) => match sale.gateway {
                    GatewayKind::Demo | GatewayKind::Counos => ("counos", sale.merchant_order_id),
                    GatewayKind::Coingate | GatewayKind::CoingateSandbox => {
                        ("coingate", sale.gateway_order_id.unwrap_or_default())
                    }
                },
                _ => (
                    match dialect {
                        Dialect::Counos => "counos",
                        Dialect::Coingate => "coingate",
                    },
                    order.clone(),
                ),
            };
            let endpoint = base
                .join(&format!("control/{dialect}/orders/{order}/pay"))
                .map_err(|e| {
                    Error::Input(format!("'{order}' cannot be part of an address ({e})."))
                })?;
            let body = match amount {
                Some(a) => serde_json::json!({ "amount": a }),
                None => serde_json::json!({}),
            };
            let response = reqwest::Client::new()
                .post(endpoint)
                .json(&body)
                .send()
                .await
                .map_err(|e| Error::GatewayUnreachable {
                    gateway: "The sandbox gateway".into(),
                    detail: if e.is_connect() {
                        format!("nothing answers at {url}")
                    } else {
                        e.to_string()
                    },
                })?;
            let status = response.status();
            let text = response.text().await.unwrap_or_default();
            if !status.is_success() {
                return Err(Error::GatewayRefused {
                    gateway: "The sandbox gateway".into(),
                    message: text,
                });
            }
            if json {
                println!("{text}");
            } else {
                println!("The sandbox received the payment for order {order}.");
            }
        }
        Command::Owner(OwnerCommand::Pin(PinCommand::Set)) => {
            let dir = data_dir(&cli)?;
            std::fs::create_dir_all(&dir).map_err(|e| {
                Error::Storage(format!(
                    "Cannot create the data folder {} ({e}).",
                    dir.display()
                ))
            })?;
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
        Command::Owner(OwnerCommand::Keys(OwnerKeysCommand::Move)) => {
            let (ledger, keys) = open_ledger(&cli)?;
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
        Command::Balance => {
            let (till, ok) = owner_till(&cli).await?;
            let balances = till.balances(&ok).await?;
            print(json, &balances, |b| {
                let mut lines: Vec<String> = b
                    .balances
                    .iter()
                    .map(|b| format!("{:<6} {:>24}  {}", b.coin, b.amount.to_fixed(), b.title))
                    .collect();
                lines.push(format!("As of {}", b.fetched_at));
                lines.join("\n")
            });
            till.close().await;
        }
        Command::Withdraws { search } => {
            let (till, ok) = owner_till(&cli).await?;
            let list = till.withdrawals(&ok, search.as_deref()).await?;
            print(json, &list, |list| {
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
            till.close().await;
        }
        Command::Withdraw {
            coin,
            amount,
            address,
        } => {
            let (till, ok) = owner_till(&cli).await?;
            let form = cryptill_core::owner::WithdrawForm {
                coin: coin.clone(),
                amount: amount.clone(),
                address: address.clone(),
            };
            let result = till.withdraw(&ok, &form).await;
            till.close().await;
            let outcome = result?;
            print(json, &outcome, |o| o.receipt.message.clone());
        }
        Command::Report { day } => {
            let (till, ok) = owner_till(&cli).await?;
            let filter = match day {
                Some(day) => {
                    report::parse_day(day)?;
                    report::SaleFilter::day(day)
                }
                None => report::SaleFilter::today(),
            };
            let z = till.day_report(&ok, &filter)?;
            print(json, &z, report::z_report_text);
            till.close().await;
        }
        Command::Export { csv, from, to } => {
            let (till, ok) = owner_till(&cli).await?;
            let path = if csv.is_absolute() {
                csv.clone()
            } else {
                std::env::current_dir()
                    .map_err(|e| Error::Storage(format!("Cannot read the current folder ({e}).")))?
                    .join(csv)
            };
            let filter = report::SaleFilter {
                from: from.clone(),
                to: to.clone(),
                ..Default::default()
            };
            let count = till.export_csv(&ok, &filter, &path)?;
            #[derive(Serialize)]
            struct Exported {
                path: String,
                sales: usize,
            }
            let exported = Exported {
                path: path.display().to_string(),
                sales: count,
            };
            print(json, &exported, |e| {
                format!("Wrote {} sale(s) to {}.", e.sales, e.path)
            });
            till.close().await;
        }
    }
    Ok(())
}

/// Opens the till and proves the owner is here: the PIN from
/// `CRYPTILL_OWNER_PIN`, or one line of standard input.
async fn owner_till(cli: &Cli) -> Result<(Till, Unlocked), Error> {
    let till = open_till(cli).await?;
    match owner_proof(till.ledger(), till.keys(), &mut Input::new()) {
        Ok(ok) => Ok((till, ok)),
        Err(e) => {
            till.close().await;
            Err(e)
        }
    }
}

/// The ledger and this till's keyring entries, without connecting a
/// gateway: owner changes work even when the gateway cannot be reached or
/// its key is missing.
fn open_ledger(cli: &Cli) -> Result<(Ledger, KeyStore), Error> {
    let dir = ensure_data_dir(cli)?;
    let ledger = Ledger::open(&dir.join("cryptill.sqlite3"))?;
    let keys = TillConfig::new(dir).keys(&ledger)?;
    Ok((ledger, keys))
}

/// The owner's proof on the command line: the PIN from `CRYPTILL_OWNER_PIN`
/// or standard input. The first time the PIN is given, keys from before
/// keys belonged to the till move to it.
fn owner_proof(ledger: &Ledger, keys: &KeyStore, input: &mut Input) -> Result<Unlocked, Error> {
    let ok = cryptill_core::owner::unlock_with_pin(ledger, &input.owner_pin()?)?;
    move_old_keys(&ok, ledger, keys);
    Ok(ok)
}

/// The owner's proof for a change (gateway, key, keys' place): as
/// [`owner_proof`], but before a PIN exists the first change asks for a new
/// one (twice on standard input, or `CRYPTILL_OWNER_PIN`), so no change is
/// ever made without one.
fn owner_change_proof(
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

/// Standard input, a line at a time; on a terminal, prompts go to stderr
/// and what is typed is not echoed.
struct Input {
    tty: bool,
}

impl Input {
    fn new() -> Self {
        Self {
            tty: std::io::stdin().is_terminal(),
        }
    }

    fn line(&mut self, prompt: &str) -> Result<Sensitive<String>, Error> {
        if self.tty {
            eprint!("{prompt}");
            let _ = std::io::stderr().flush();
            echo(false);
        }
        let mut line = String::new();
        let read = std::io::stdin().lock().read_line(&mut line);
        if self.tty {
            echo(true);
            eprintln!();
        }
        match read {
            Ok(0) => Err(Error::Input(format!(
                "No {} was given: standard input ended. Type it, pipe it in, or (for the current owner PIN) set CRYPTILL_OWNER_PIN.",
                prompt.trim_end_matches(": ").to_lowercase()
            ))),
            Ok(_) => Ok(Sensitive::new(
                line.trim_end_matches(['\r', '\n']).to_string(),
            )),
            Err(e) => Err(Error::Input(format!("Cannot read standard input ({e})."))),
        }
    }

    /// `CRYPTILL_OWNER_PIN`, else a line of standard input.
    fn owner_pin(&mut self) -> Result<Sensitive<String>, Error> {
        match std::env::var("CRYPTILL_OWNER_PIN") {
            Ok(pin) if !pin.is_empty() => Ok(Sensitive::new(pin)),
            _ => self.line("Owner PIN: "),
        }
    }

    /// The new PIN, typed twice so a typo cannot lock the owner out.
    fn new_pin(&mut self) -> Result<Sensitive<String>, Error> {
        let first = self.line("New owner PIN (4 to 12 digits): ")?;
        pin::check_pin_rules(first.expose())?;
        let again = self.line("The new PIN again: ")?;
        if first != again {
            return Err(Error::Input(
                "The two new PINs differ. Nothing changed; run the command again.".into(),
            ));
        }
        Ok(first)
    }
}

/// Turns terminal echo off or on (Unix `stty`); elsewhere, nothing.
fn echo(on: bool) {
    #[cfg(unix)]
    {
        let _ = std::process::Command::new("stty")
            .arg(if on { "echo" } else { "-echo" })
            .stdin(std::process::Stdio::inherit())
            .status();
    }
    #[cfg(not(unix))]
    let _ = on;
}
