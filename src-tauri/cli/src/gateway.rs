//! `cryptill gateway ...`, `coins` and `rates`: which gateway the till
//! uses, its key, its networks, and what it offers.

use clap::{Subcommand, ValueEnum};
use cryptill_core::gateway::{check_base_url, GatewayKind};
use cryptill_core::money::{Currency, Money};
use cryptill_core::secret::Sensitive;
use cryptill_core::Error;

use crate::global::Global;
use crate::input::Input;
use crate::output::print;
use crate::owner::{open_ledger, owner_change_proof};

#[derive(Subcommand)]
pub(crate) enum GatewayCommand {
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
pub(crate) enum KeyCommand {
    /// Owner: read the key from standard input (one line, after the owner
    /// PIN unless CRYPTILL_OWNER_PIN is set) into the OS keyring, for this till.
    Set { gateway: GatewayArg },
    /// Owner: remove a gateway's key from the OS keyring (not the one in use).
    Delete { gateway: GatewayArg },
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum GatewayArg {
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

pub(crate) async fn run(g: &Global, command: GatewayCommand) -> Result<(), Error> {
    match command {
        GatewayCommand::Use { gateway, base_url } => {
            let kind = GatewayKind::from(gateway);
            if let Some(url) = &base_url {
                // Before the PIN is asked: a bad address (or one with a
                // password in it) is refused whoever types it.
                cryptill_core::owner::refuse_credentials(url)?;
                check_base_url(url)?;
            }
            let (ledger, keys) = open_ledger(g)?;
            let ok = owner_change_proof(&ledger, &keys, &mut Input::new())?;
            // The same rule the owner screen follows.
            cryptill_core::owner::switch_gateway(&ok, &ledger, kind, base_url.as_deref())?;
            println!("Cryptill now uses {}.", kind.label());
        }
        GatewayCommand::Key(KeyCommand::Set { gateway }) => {
            let kind = GatewayKind::from(gateway);
            let (ledger, keys) = open_ledger(g)?;
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
        GatewayCommand::Key(KeyCommand::Delete { gateway }) => {
            let kind = GatewayKind::from(gateway);
            let (ledger, keys) = open_ledger(g)?;
            let ok = owner_change_proof(&ledger, &keys, &mut Input::new())?;
            cryptill_core::owner::delete_key(&ok, &ledger, &keys, kind)?;
            println!(
                "The {} key is removed from the system keyring.",
                kind.label()
            );
        }
        GatewayCommand::Test => {
            g.with_till(async |till| {
                let gateway = till.checkout().gateway();
                gateway.test_key().await?;
                println!("{} answers and accepts the key.", gateway.kind().label());
                Ok(())
            })
            .await?;
        }
        GatewayCommand::Network { coin, network } => {
            g.with_till(async |till| {
                let coin = till.checkout().set_network(&coin, &network).await?;
                println!(
                    "{} is now taken on the {} network.",
                    coin.symbol, coin.network
                );
                Ok(())
            })
            .await?;
        }
    }
    Ok(())
}

pub(crate) async fn coins(g: &Global) -> Result<(), Error> {
    let coins = g
        .with_till(async |till| till.checkout().coin_networks().await)
        .await?;
    print(g.json, &coins, |coins| {
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
    Ok(())
}

pub(crate) async fn rates(g: &Global, fiat: &str, coin: &str) -> Result<(), Error> {
    let currency = Currency::fiat(fiat)?;
    let one = Money::parse_entry("1", &currency)?;
    let quote = g
        .with_till(async |till| till.checkout().quote_in(&one, coin).await)
        .await?;
    print(g.json, &quote, |q| {
        format!("1 {} = {} {}", q.coin, q.rate, q.fiat_currency)
    });
    Ok(())
}
