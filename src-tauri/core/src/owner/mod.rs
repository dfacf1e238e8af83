//! Owner mode. The line between cashier and owner is drawn here, in Rust:
//! every owner operation takes an [`Unlocked`] proof, and the only ways to
//! get one are a live owner [`Session`] (the window) or the PIN itself (the
//! command line). Whatever the webview sends, no proof, no balances.

pub mod keys;
pub mod pin;

mod facade;
mod gateways;
mod session;

pub use facade::{
    Balances, GatewayChoice, KeyStatus, Owner, OwnerStatus, WithdrawForm, WithdrawOutcome,
};
pub use gateways::{
    delete_key, parse_gateway, refuse_credentials, set_key, switch_gateway, GATEWAYS,
};
pub use session::{locked_error, unlock_with_pin, Session, Unlocked};
