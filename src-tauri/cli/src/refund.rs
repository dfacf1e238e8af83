//! `cryptill refund` and `cryptill refunds`: the owner gives money back for
//! a sale, and reads every refund and where it stands. The checks, the
//! ledger record and the gateway call are the core's (cryptill_core::refund),
//! as for the window.

use cryptill_core::ledger::RefundRecord;
use cryptill_core::refund::{Asker, RefundForm, Resolution};
use cryptill_core::Error;

use crate::global::Global;
use crate::output::print;

#[derive(clap::Args)]
pub(crate) struct RefundArgs {
    /// The sale's number (or receipt reference).
    sale: String,
    /// How much to give back: in the shop's currency, or in the coin with --coin.
    #[arg(long)]
    amount: String,
    /// --amount is in the sale's coin, not the shop's currency.
    #[arg(long)]
    coin: bool,
    /// The customer's wallet address, on the sale's coin and network.
    #[arg(long)]
    address: String,
    /// Why the money goes back (kept in the ledger, sent to the gateway).
    #[arg(long)]
    reason: String,
    /// The customer's e-mail (CoinGate asks them to confirm the address).
    #[arg(long)]
    email: Option<String>,
    /// return, overpaid or underpaid; default: what fits the sale (overpaid
    /// for an overpaid sale, return for a paid one, underpaid otherwise).
    #[arg(long)]
    kind: Option<String>,
}

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("outcome").required(true).args(["sent", "failed"])))]
pub(crate) struct ResolveArgs {
    /// The refund's number (from `cryptill refunds`).
    refund: i64,
    /// The gateway's dashboard shows the refund (Counos: the withdrawal).
    #[arg(long)]
    sent: bool,
    /// The gateway has no such refund: nothing went out.
    #[arg(long)]
    failed: bool,
    /// With --sent: the refund's (or withdrawal's) id in the dashboard, so
    /// it is followed until done.
    #[arg(long, requires = "sent")]
    gateway_id: Option<String>,
}

/// One refund as the owner reads it.
pub(crate) fn describe(r: &RefundRecord) -> String {
    let mut lines = vec![
        format!(
            "Refund {} of sale {}: {} {} = {} {} ({})",
            r.id,
            r.sale_id,
            r.fiat_amount,
            r.fiat_currency,
            r.crypto_amount,
            r.coin,
            r.kind.label()
        ),
        format!("State:    {}", r.state.label()),
        format!("To:       {} ({})", r.address, r.network),
        format!("Reason:   {}", r.reason),
        format!(
            "Asked by: {}{}",
            r.requested_by,
            r.approved_by
                .as_deref()
                .map(|by| format!(", approved by {by}"))
                .unwrap_or_default()
        ),
    ];
    if let Some(id) = r.gateway_refund_id.as_deref().filter(|id| !id.is_empty()) {
        lines.push(format!(
            "Gateway:  {} {id} ({})",
            r.gateway,
            r.gateway_status.as_deref().unwrap_or("-")
        ));
    }
    if let Some(message) = &r.message {
        lines.push(message.clone());
    }
    lines.join("\n")
}

pub(crate) async fn refund(g: &Global, args: RefundArgs) -> Result<(), Error> {
    let record = g
        .with_owner(async |till, ok| {
            let refunds = till.refunds();
            let kind = match args.kind {
                Some(kind) => kind,
                None => refunds.suggest(&args.sale)?.kind.as_str().to_string(),
            };
            let form = RefundForm {
                sale: args.sale,
                kind,
                amount: args.amount,
                in_coin: args.coin,
                address: args.address,
                reason: args.reason,
                email: args.email,
            };
            let record = refunds.request(&form, Asker::Owner, Some(ok))?;
            refunds.send(ok, record.id).await
        })
        .await?;
    print(g.json, &record, describe);
    Ok(())
}

/// Every refund, newest first, after asking the gateway about those it
/// has accepted but not finished.
pub(crate) async fn refunds(g: &Global) -> Result<(), Error> {
    let list = g
        .with_owner(async |till, _| {
            let refunds = till.refunds();
            refunds.follow_all().await?;
            refunds.list()
        })
        .await?;
    print(g.json, &list, |list| {
        if list.is_empty() {
            return "No refunds.".into();
        }
        list.iter().map(describe).collect::<Vec<_>>().join("\n\n")
    });
    Ok(())
}

/// `cryptill refund-resolve <ID> --sent|--failed`: the owner settles a
/// refund whose answer was lost; the core asks the gateway first.
pub(crate) async fn resolve(g: &Global, args: ResolveArgs) -> Result<(), Error> {
    let resolution = if args.sent {
        Resolution::Sent(args.gateway_id)
    } else {
        Resolution::Failed
    };
    let record = g
        .with_owner(async |till, ok| till.refunds().resolve(ok, args.refund, resolution).await)
        .await?;
    print(g.json, &record, describe);
    Ok(())
}
