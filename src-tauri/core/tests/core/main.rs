//! Every integration test of the core, in one test binary: each test binary
//! is linked on its own (with LTO in release), so one binary instead of a
//! dozen saves CI many minutes. Cargo finds this file as the test target
//! `core` (`cargo test -p cryptill-core --test core`); pick one suite with a
//! filter, e.g. `--test core coingate::`. A new suite is a file here and a
//! `mod` line below, never a new file at `tests/*.rs` (which would be a
//! binary of its own).
//!
//! The tests share one process, so none may change process-wide state: the
//! till's clock is set wrong per thread (`clock::set_thread_offset`), and
//! environment variables are only read.

mod support;

mod checkout;
mod clock;
mod coingate;
mod counos;
mod etiquette;
mod fault_matrix;
mod keyring;
mod money_reference;
mod outcomes;
mod owner;
mod parsers_prop;
mod printer;
mod refunds;
mod shared_ledger;
mod shifts;
mod watch;
