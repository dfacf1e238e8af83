//! What each printout says: the receipt of a paid sale, the payment slip,
//! the test page, the X/Z report. Pure functions from what the till knows
//! to a [`Document`]; no printer needed. Amounts and days are written the
//! shop locale's way ([`LocaleFormat`]), the words in its language ([`Words`]).

use super::codepage::CodePage;
use super::document::Document;
use super::settings::PaperWidth;
use crate::checkout::{Payment, Receipt};
use crate::ledger::RefundState;
use crate::locale::{LocaleFormat, Words};
use crate::report::ZReport;

/// What a receipt needs besides the [`Receipt`] view of the sale.
#[derive(Clone, Debug, Default)]
pub struct ReceiptExtras {
    /// Who sold; printed when the till has cashiers.
    pub cashier: Option<String>,
    /// A demo or sandbox sale: no money moved, and the paper says so.
    pub test_money: bool,
}

pub fn receipt(
    r: &Receipt,
    extras: &ReceiptExtras,
    fmt: &LocaleFormat,
    w: &Words,
    width: PaperWidth,
    code: CodePage,
) -> Document {
    let mut d = Document::new(width, code);
    let cur = &r.fiat_currency;
    let money = |amount: &str| fmt.amount(amount);
    d.title(&r.shop_name);
    d.centered(w.receipt);
    if extras.test_money {
        d.bold_centered(w.demo_receipt);
    }
    d.feed();
    d.pair(
        &format!("{} {}", w.sale, r.sale_id),
        &fmt.date_time(&r.time),
    );
    if let Some(cashier) = &extras.cashier {
        d.pair(w.cashier, cashier);
    }
    d.rule();
    for (n, line) in r.lines.iter().enumerate() {
        let label = match line.label.trim() {
            "" => format!("{} {}", w.item, n + 1),
            label => label.to_string(),
        };
        d.pair(&label, &money(&line.amount));
    }
    if let Some(tip) = &r.tip_amount {
        d.pair(w.tip, &money(tip));
    }
    d.rule();
    d.bold_pair(w.total, &format!("{} {cur}", money(&r.fiat_amount)));
    d.feed();
    d.pair(w.paid_in, &format!("{} {}", r.coin, r.network));
    d.pair(w.amount, &format!("{} {}", money(&r.crypto_amount), r.coin));
    if !r.paid_amount.is_empty() && r.paid_amount != r.crypto_amount {
        d.pair(w.received, &format!("{} {}", money(&r.paid_amount), r.coin));
    }
    if let Some(rate) = &r.rate {
        d.pair(w.rate, &format!("1 {} = {} {cur}", r.coin, money(rate)));
    }
    if !r.address.is_empty() {
        d.pair(w.address, &r.address);
    }
    if !r.gateway_order_id.is_empty() {
        d.pair(w.order, &r.gateway_order_id);
    }
    if let Some(tx) = &r.transaction_id {
        d.pair(w.transaction, tx);
        let link = (!extras.test_money)
            .then(|| transaction_link(&r.coin, &r.network, tx))
            .flatten();
        d.feed();
        d.qr(link.as_deref().unwrap_or(tx));
        d.centered(if link.is_some() {
            w.scan_payment
        } else {
            w.transaction_id
        });
    }
    refund_lines(&mut d, r, fmt, w);
    if !r.footer.trim().is_empty() {
        d.feed();
        d.centered(r.footer.trim());
    }
    d
}

/// A reprint of a sale with refunds lists each: amount in the shop's
/// currency and in the coin, its date and where it stands.
fn refund_lines(d: &mut Document, r: &Receipt, fmt: &LocaleFormat, w: &Words) {
    if r.refunds.is_empty() {
        return;
    }
    d.rule();
    for refund in &r.refunds {
        let state = match refund.state {
            RefundState::Done => w.refunded,
            RefundState::Sent => w.refund_on_its_way,
            _ => w.refund_pending,
        };
        d.pair(
            state,
            &format!("-{} {}", fmt.amount(&refund.fiat_amount), r.fiat_currency),
        );
        d.pair(&format!("  {}", w.refund_on), &fmt.date_time(&refund.time));
        d.pair(
            &format!("  {}", w.refund_in_coin),
            &format!("{} {}", fmt.amount(&refund.crypto_amount), refund.coin),
        );
    }
}

/// The slip a customer scans from paper: what to pay, where, until when.
pub fn payment_slip(
    shop: &str,
    p: &Payment,
    test_money: bool,
    fmt: &LocaleFormat,
    w: &Words,
    width: PaperWidth,
    code: CodePage,
) -> Document {
    let mut d = Document::new(width, code);
    d.title(shop);
    d.centered(w.payment_request);
    if test_money {
        d.bold_centered(w.demo_slip);
    }
    d.feed();
    d.pair(
        &format!("{} {}", w.sale, p.sale_id),
        &format!("{} {}", fmt.amount(&p.fiat_amount), p.fiat_currency),
    );
    // The exact amount to send, every digit (the QR below carries the same).
    d.bold_pair(
        w.pay,
        &format!("{} {}", fmt.amount(&p.crypto_amount), p.coin),
    );
    d.pair(w.network, &p.network);
    d.pair(w.address, &p.address);
    if let Some(at) = &p.expires_at {
        d.pair(w.pay_before, &fmt.date_time(at));
    }
    d.feed();
    d.qr(&p.payment_uri);
    d.centered(w.scan_wallet);
    d
}

/// What the owner prints to see that the printer, paper and letters work.
pub fn test_page(
    shop: &str,
    printer: &str,
    w: &Words,
    width: PaperWidth,
    code: CodePage,
) -> Document {
    let mut d = Document::new(width, code);
    d.title(shop);
    d.centered(w.test_page);
    d.feed();
    d.pair(w.printer, printer);
    d.pair(
        w.paper,
        match width {
            PaperWidth::Mm58 => "58 mm",
            PaperWidth::Mm80 => "80 mm",
        },
    );
    d.pair(w.characters, code.sample());
    d.rule();
    d.text(w.dashes_note);
    d.feed();
    d.qr("Cryptill printer test");
    d.centered(w.qr_above);
    d
}

/// The day's report: X (a look during the day) or Z (the close).
pub fn report(
    shop: &str,
    title: &str,
    z: &ZReport,
    fmt: &LocaleFormat,
    w: &Words,
    width: PaperWidth,
    code: CodePage,
) -> Document {
    let mut d = Document::new(width, code);
    let cur = &z.currency;
    let money = |amount: &str| format!("{} {cur}", fmt.amount(amount));
    d.title(shop);
    d.bold_centered(title);
    d.centered(&period(z, fmt, w));
    d.pair(w.printed, &fmt.date_time(&z.generated_at));
    d.rule();
    d.pair(w.sales, &z.totals.sales_count.to_string());
    d.bold_pair(w.total, &money(&z.totals.gross));
    d.pair(w.tips, &money(&z.totals.tips));
    d.pair(w.net_of_tips, &money(&z.totals.net));
    d.rule();
    for c in &z.totals.coins {
        d.pair(
            &format!("{} ({} {})", c.coin, c.sales, w.sales_of_coin),
            &money(&c.fiat_amount),
        );
        d.pair(
            &format!("  {}", w.coin_received),
            &format!("{} {}", fmt.amount(&c.paid_amount), c.coin),
        );
    }
    d.rule();
    d.pair(
        w.voids,
        &format!("{} ({})", z.totals.voids, money(&z.totals.voided_amount)),
    );
    d.pair(w.expired, &z.totals.expired.to_string());
    d.pair(w.still_open, &z.totals.open.to_string());
    if !z.totals.exceptions.is_empty() {
        d.pair(w.for_the_owner, &z.totals.exceptions.len().to_string());
        for e in &z.totals.exceptions {
            d.text(&format!(
                "  {} {} {}: {}",
                w.sale,
                e.sale_id,
                e.kind,
                money(&e.fiat_amount)
            ));
        }
    }
    d.pair(w.refunded, &money(&z.refunded));
    for r in &z.refunds {
        d.pair(
            &format!("  {} ({} {})", r.coin, r.refunds, w.refunds_of_coin),
            &format!("{} {}", fmt.amount(&r.crypto_amount), r.coin),
        );
    }
    if z.totals.other_currency_sales > 0 {
        d.pair(
            w.other_currencies,
            &z.totals.other_currency_sales.to_string(),
        );
    }
    d
}

/// The report's days in the locale's order ("28.11.2026", "from 1/11/2026 to 28/11/2026").
fn period(z: &ZReport, fmt: &LocaleFormat, w: &Words) -> String {
    match (&z.from, &z.to) {
        (Some(f), Some(t)) if f == t => fmt.day(f),
        (f, t) => format!(
            "{} {} {} {}",
            w.from,
            f.as_deref().map_or(w.the_start.into(), |d| fmt.day(d)),
            w.to,
            t.as_deref().map_or(w.now.into(), |d| fmt.day(d))
        ),
    }
}

/// A link to the payment on a well-known public explorer of the network,
/// when there is one and the id looks like a transaction id (so nothing
/// else can be slipped into the URL).
pub fn transaction_link(coin: &str, network: &str, tx: &str) -> Option<String> {
    let id_ok = (16..=128).contains(&tx.len()) && tx.chars().all(|c| c.is_ascii_alphanumeric());
    if !id_ok {
        return None;
    }
    let net = network.to_ascii_lowercase();
    let coin = coin.to_ascii_uppercase();
    let has = |words: &[&str]| words.iter().any(|w| net.contains(w));
    let base = if has(&["bitcoin cash", "bch"]) {
        return None;
    } else if has(&["bitcoin"]) || (net.is_empty() && coin == "BTC") {
        "https://mempool.space/tx/"
    } else if has(&["litecoin"]) || (net.is_empty() && coin == "LTC") {
        "https://litecoinspace.org/tx/"
    } else if has(&["bep20", "bsc", "smart chain"]) {
        "https://bscscan.com/tx/"
    } else if has(&["tron", "trc20"]) {
        "https://tronscan.org/#/transaction/"
    } else if has(&["polygon", "matic"]) {
        "https://polygonscan.com/tx/"
    } else if has(&["ethereum", "erc20"]) || (net.is_empty() && coin == "ETH") {
        "https://etherscan.io/tx/"
    } else if has(&["dogecoin"]) {
        "https://blockchair.com/dogecoin/transaction/"
    } else if has(&["solana"]) {
        "https://solscan.io/tx/"
    } else {
        return None;
    };
    Some(format!("{base}{tx}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TX: &str = "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b";

    #[test]
    fn networks_with_a_known_explorer_get_a_link_others_the_id() {
        assert_eq!(
            transaction_link("BTC", "Bitcoin", TX).unwrap(),
            format!("https://mempool.space/tx/{TX}")
        );
        assert!(transaction_link("USDT", "Tron (TRC20)", TX)
            .unwrap()
            .starts_with("https://tronscan.org"));
        assert!(transaction_link("USDT", "BNB Smart Chain (BEP20)", TX)
            .unwrap()
            .starts_with("https://bscscan.com"));
        assert!(transaction_link("ETH", "Ethereum", &format!("0x{TX}"))
            .unwrap()
            .starts_with("https://etherscan.io/tx/0x"));
        assert_eq!(transaction_link("CCX", "Counos X", TX), None);
        assert_eq!(transaction_link("BCH", "Bitcoin Cash", TX), None);
        // Not a transaction id: never put into a URL.
        assert_eq!(
            transaction_link("BTC", "Bitcoin", "abc/../x?y=1&z=2222222"),
            None
        );
    }
}
