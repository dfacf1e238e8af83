//! What a version means to a shop: the release it installed (the workspace
//! version in Cargo.toml, the one place it is written; the package and the
//! window read it from there) and the ledger schema that release writes.

/// The release, from the workspace's `version` in Cargo.toml.
pub const APP_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The ledger schema this release writes (the count of its migrations).
pub const SCHEMA_VERSION: u32 = crate::ledger::SCHEMA_VERSION;

/// One line for `--version` and bug reports: "0.1.0 (ledger schema N)".
pub fn describe() -> String {
    format!("{APP_VERSION} (ledger schema {SCHEMA_VERSION})")
}
