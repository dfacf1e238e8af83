//! `cryptill sandbox ...`: the loopback gateway for training and tests, and
//! paying one of its orders as a customer's wallet would.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};

use clap::{Subcommand, ValueEnum};
use cryptill_core::gateway::{check_base_url, GatewayKind};
use cryptill_core::ledger::Ledger;
use cryptill_core::Error;
use cryptill_sandbox::client::{self, Control, Payment};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::global::Global;
use crate::output::print;

#[derive(Subcommand)]
pub(crate) enum SandboxCommand {
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
pub(crate) enum Dialect {
    Counos,
    Coingate,
}

pub(crate) async fn run(g: &Global, command: SandboxCommand) -> Result<(), Error> {
    match command {
        SandboxCommand::Serve { port } => serve(g, port).await,
        SandboxCommand::Pay {
            order,
            dialect,
            amount,
            url,
        } => pay(g, &order, dialect, amount.as_deref(), &url).await,
    }
}

async fn serve(g: &Global, port: u16) -> Result<(), Error> {
    let dir = g.ensure_data_dir()?;
    let config = cryptill_sandbox::Config::demo(dir.join("sandbox-gateway.sqlite3"));
    let sandbox = cryptill_sandbox::start(config, SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
        .await
        .map_err(|e| Error::Storage(format!("Cannot start the sandbox gateway: {e}")))?;
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
    print(g.json, &serving, |s| {
        format!(
            "Sandbox gateway at {}\nCounos dialect:   {}\nCoinGate dialect: {}\nAPI key (both):   {}\nCtrl+C stops it.",
            s.url, s.counos_url, s.coingate_url, s.api_key
        )
    });
    let _ = std::io::stdout().flush();
    let _ = tokio::signal::ctrl_c().await;
    sandbox.shutdown().await;
    Ok(())
}

async fn pay(
    g: &Global,
    order: &str,
    dialect: Dialect,
    amount: Option<&str>,
    url: &str,
) -> Result<(), Error> {
    check_base_url(url)?;
    let amount = amount
        .map(|a| {
            Decimal::from_str_exact(a.trim()).map_err(|_| {
                Error::Input(format!(
                    "'{a}' is not an amount in the coin, such as 0.0002. Type it with a dot and no thousands separators."
                ))
            })
        })
        .transpose()?;
    // A local sale number is turned into the order id the sandbox knows;
    // anything else is taken as that id already.
    let ledger_file = g.data_dir()?.join("cryptill.sqlite3");
    let (dialect, order) = match ledger_file
        .exists()
        .then(|| Ledger::open(&ledger_file).and_then(|l| l.find_sale(order)))
    {
        // Counos knows orders by our merchant id, CoinGate by its own.
        Some(Ok(sale)) => match sale.gateway {
            GatewayKind::Demo | GatewayKind::Counos => {
                (client::Dialect::Counos, sale.merchant_order_id)
            }
            GatewayKind::Coingate | GatewayKind::CoingateSandbox => (
                client::Dialect::Coingate,
                sale.gateway_order_id.unwrap_or_default(),
            ),
        },
        _ => (
            match dialect {
                Dialect::Counos => client::Dialect::Counos,
                Dialect::Coingate => client::Dialect::Coingate,
            },
            order.to_string(),
        ),
    };
    let payment = Payment {
        amount,
        ..Payment::full()
    };
    let control = Control::new(url).map_err(|e| Error::Input(e.to_string()))?;
    let answer = control
        .pay(dialect, &order, payment)
        .await
        .map_err(|e| match e {
            client::Error::Unreachable { .. } => Error::GatewayUnreachable {
                gateway: "The sandbox gateway".into(),
                detail: format!("nothing answers at {url}"),
            },
            e => Error::GatewayRefused {
                gateway: "The sandbox gateway".into(),
                message: e.to_string(),
            },
        })?;
    if g.json {
        println!("{answer}");
    } else {
        println!("The sandbox received the payment for order {order}.");
    }
    Ok(())
}
