//! The Counos dialect of the sandbox, over real HTTP on loopback.

mod auth;
mod envelope;
mod orders;
mod rates;
mod wallet;
