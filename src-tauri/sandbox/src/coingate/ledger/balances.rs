//! What each ledger account holds: what paid orders credited to the main
//! account of their settlement currency (the receive amount, after
//! CoinGate's fee), less refunds and withdrawals, pending ones included.

use std::collections::HashMap;

use rusqlite::Connection;
use rust_decimal::Decimal;

use super::withdrawals::withdrawals;
use crate::coingate::catalog::{self, LedgerAccount, LEDGER_ACCOUNTS};
use crate::coingate::orders::{self};
use crate::store::now;

/// Every account's balance, by account id.
pub(super) fn balances(conn: &Connection) -> rusqlite::Result<HashMap<&'static str, Decimal>> {
    let mut balances: HashMap<&'static str, Decimal> = LEDGER_ACCOUNTS
        .iter()
        .map(|account| (account.id, Decimal::ZERO))
        .collect();
    let now = now();
    for order in orders::all(conn)? {
        if let Some((currency, credit)) = order.ledger_credit(now) {
            if let Some(account) = catalog::main_account(currency) {
                *balances.entry(account.id).or_default() += credit;
            }
        }
    }
    for withdrawal in withdrawals(conn)? {
        if let Some(account) = catalog::main_account(withdrawal.currency) {
            *balances.entry(account.id).or_default() -= withdrawal.amount;
        }
    }
    Ok(balances)
}

pub(super) fn balance(conn: &Connection, account: &LedgerAccount) -> rusqlite::Result<Decimal> {
    Ok(balances(conn)?.get(account.id).copied().unwrap_or_default())
}
