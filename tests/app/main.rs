//! The app's suites: its commands through IPC on Tauri's mock runtime (the
//! same `builder()` the window uses), and the secrets suite across the
//! window and the `cryptill` binary.

#[path = "../support/mod.rs"]
mod support;
mod window;

mod bindings;
mod ipc;
mod outcome_events;
mod owner_ipc;
mod owner_secrets;
mod printer_ipc;
mod refund_ipc;
mod shift_ipc;

const BIN: &str = env!("CARGO_BIN_EXE_cryptill");
