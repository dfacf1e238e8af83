//! `cryptill quote`, `sale` and `order`: pricing, charging and following a
//! sale, by the counter's own rules.

use std::path::PathBuf;

use cryptill_core::money::{Currency, Money};
use cryptill_core::Error;

use crate::global::Global;
use crate::output::{describe, print};

#[derive(clap::Args)]
pub(crate) struct QuoteArgs {
    amount: String,
    fiat: String,
    coin: String,
}

#[derive(clap::Args)]
pub(crate) struct SaleArgs {
    amount: String,
    fiat: String,
    coin: String,
    /// Also write the payment QR code as a PNG picture.
    #[arg(long, value_name = "FILE.png")]
    qr: Option<PathBuf>,
    /// Follow the payment until it is paid, expired or otherwise settled.
    #[arg(long)]
    wait: bool,
}

pub(crate) async fn quote(g: &Global, args: QuoteArgs) -> Result<(), Error> {
    let QuoteArgs { amount, fiat, coin } = args;
    let currency = Currency::fiat(&fiat)?;
    let quote = g
        .with_till(async |till| {
            // In the shop's currency, the counter's rules (maximum included);
            // another currency is only priced, never charged.
            if &currency == till.checkout().fiat() {
                till.checkout().quote(&amount, &coin).await
            } else {
                let fiat = Money::parse_entry(&amount, &currency)?;
                till.checkout().quote_in(&fiat, &coin).await
            }
        })
        .await?;
    print(g.json, &quote, |q| {
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
    Ok(())
}

pub(crate) async fn sale(g: &Global, args: SaleArgs) -> Result<(), Error> {
    let json = g.json;
    g.with_till(async |till| {
        let payment = till
            .checkout()
            .charge_in(&args.amount, &args.fiat, &args.coin)
            .await?;
        if let Some(path) = &args.qr {
            let png = cryptill_core::qr::png(&payment.payment_uri)?;
            std::fs::write(path, png).map_err(|e| {
                Error::Storage(format!(
                    "Cannot write the QR picture to {} ({e}).",
                    path.display()
                ))
            })?;
        }
        if !args.wait {
            print(json, &payment, describe);
            return Ok(());
        }
        if !json {
            println!("{}\nWaiting for the payment (Ctrl+C stops waiting; the sale stays in the ledger)...", describe(&payment));
        }
        let mut last = payment.state;
        let mut final_payment = payment.clone();
        // The till's watcher runs while this waits: the sale is followed
        // like the window follows it, and any other open sale of the ledger
        // is looked after meanwhile.
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
        Ok(())
    })
    .await
}

pub(crate) async fn order(g: &Global, id: &str) -> Result<(), Error> {
    let payment = g
        .with_till(async |till| {
            let sale = till.ledger().find_sale(id)?;
            till.checkout().refresh(sale.id).await
        })
        .await?;
    print(g.json, &payment, describe);
    Ok(())
}
