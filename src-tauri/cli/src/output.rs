//! What the command line prints: JSON for machines, lines for people.

use cryptill_core::checkout::Payment;
use serde::Serialize;

pub(crate) fn print<T: Serialize>(json: bool, value: &T, human: impl FnOnce(&T) -> String) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(value).expect("plain data serialises")
        );
    } else {
        println!("{}", human(value));
    }
}

/// A sale as the cashier reads it: amounts, state, and how to pay.
pub(crate) fn describe(p: &Payment) -> String {
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
    if let Some(cashier) = &p.cashier {
        lines.push(format!("Cashier:  {cashier}"));
    }
    lines.join("\n")
}
