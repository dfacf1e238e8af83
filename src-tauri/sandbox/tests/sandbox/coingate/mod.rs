//! The CoinGate API v2 dialect of the sandbox, over real HTTP on loopback.

mod auth;
mod ledger;
mod orders;
mod public;
mod refunds;
mod statuses;
