//! The merchant's money: ledger accounts, withdrawals and send requests.
//!
//! One file a concern: what each account holds (`balances`), the account
//! routes (`accounts`), withdrawals and their routes (`withdrawals`), the
//! owner withdrawing in the dashboard (`withdraw`), and send requests
//! (`send_requests`).

mod accounts;
mod balances;
mod send_requests;
mod withdraw;
mod withdrawals;

pub(crate) use self::accounts::{account, accounts};
pub(crate) use self::send_requests::{
    cancel_send_request, confirm_send_request, create_send_request, get_send_request,
    list_send_requests,
};
pub(crate) use self::withdraw::create_withdrawal;
pub(crate) use self::withdrawals::{complete_withdrawal, get_withdrawal, list_withdrawals};
