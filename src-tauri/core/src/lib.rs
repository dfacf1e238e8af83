//! Cryptill's core: everything the till does, with no Tauri in it, so it
//! builds and tests without WebKit. The window (`src-tauri/lib.rs`) and the
//! command line (`src-tauri/cli.rs`) are thin layers over [`Till`].

pub mod checkout;
pub mod clock;
pub mod error;
pub mod gateway;
pub mod keystore;
pub mod ledger;
pub mod locale;
pub mod money;
pub mod owner;
pub mod printer;
pub mod qr;
pub mod refund;
pub mod report;
pub mod said;
pub mod sale;
pub mod secret;
pub mod settings;
pub mod shift;
pub mod till;
pub mod version;

pub use error::{AppError, Error, ErrorKind, Result};
pub use till::{AppInfo, Till, TillConfig};
