//! The command line's suites, against the `cryptill-cli` binary (the same
//! code `cryptill <subcommand>` runs, without WebKit), with the sandbox
//! served by another process and the real OS keyring.

#[path = "../support/mod.rs"]
mod support;

mod concurrency;
mod crash;
mod ledger;
mod owner;
mod printer;
mod refunds;
mod sale;
mod settings;
mod shifts;
mod version;

const BIN: &str = env!("CARGO_BIN_EXE_cryptill-cli");
