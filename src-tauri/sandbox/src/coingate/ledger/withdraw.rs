//! The owner withdraws from a main account in the dashboard (driven by
//! `/control`): checked against the balance, which drops at once.

use rusqlite::{params, Connection};
use rust_decimal::Decimal;

use super::balances::balance;
use super::withdrawals::{find_withdrawal, Withdrawal};
use crate::coingate::catalog::{self};
use crate::state::ActionError;
use crate::store::now;

/// The owner withdraws from a main account in the dashboard: `pending` until
/// `complete_withdrawal`. The balance drops at once.
pub(crate) fn create_withdrawal(
    conn: &mut Connection,
    symbol: &str,
    amount: Decimal,
) -> Result<Withdrawal, ActionError> {
    let currency = catalog::currency_by_symbol(symbol)
        .filter(|currency| catalog::payout_setting_for(currency).is_some())
        .ok_or_else(|| {
            ActionError::Invalid(format!(
                "currency must be one with a payout setting (BTC, ETH, LTC, EUR, USD); got '{symbol}'."
            ))
        })?;
    let account = catalog::main_account(currency).expect("payout currencies have a main account");
    if amount <= Decimal::ZERO || amount.normalize().scale() > currency.places() {
        return Err(ActionError::Invalid(format!(
            "amount must be more than 0 with at most {} decimal places.",
            currency.places()
        )));
    }
    let tx = conn.transaction()?;
    let available = balance(&tx, account)?;
    if amount > available {
        return Err(ActionError::Invalid(format!(
            "The amount {amount} {symbol} is more than the {} balance of {available} {symbol}.",
            account.title,
            symbol = currency.symbol
        )));
    }
    tx.execute(
        "INSERT INTO coingate_withdrawals (currency, amount, status, created_at)
         VALUES (?1, ?2, 'pending', ?3)",
        params![currency.symbol, amount.to_string(), now()],
    )?;
    let withdrawal =
        find_withdrawal(&tx, tx.last_insert_rowid())?.expect("the withdrawal was just inserted");
    tx.commit()?;
    Ok(withdrawal)
}
