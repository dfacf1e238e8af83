//! The app's Tauri commands: argument plumbing over the core, no logic.
//! `table.rs` lists them; this module registers that list and holds the
//! owner gate, a command argument that refuses unless owner mode is open.

mod owner;
mod till;

use std::sync::Arc;

use chrono::Utc;
use cryptill_core::owner::Unlocked;
use cryptill_core::{AppError, Till};
use tauri::ipc::{CommandArg, CommandItem, InvokeError};
use tauri::{Manager, Runtime};

use crate::Shop;

macro_rules! command_table {
    ($($set:ident : $module:ident :: { $($command:ident),* $(,)? }),* $(,)?) => {
        /// Every command and its permission set, as `table.rs` lists them.
        pub const TABLE: &[(&str, &str)] = &[$($((stringify!($set), stringify!($command))),*),*];

        /// The invoke handler of every command in the table.
        pub fn handler<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($($module::$command),*),*]
        }
    };
}

include!("table.rs");

/// The owner's proof, as a command argument: taking one makes a command
/// owner-only. It is built from the session before the command runs, so a
/// locked till answers `notAllowed` whatever the webview sends.
pub struct Owner {
    till: Arc<Till>,
    unlocked: Unlocked,
}

impl Owner {
    fn from_shop(shop: &Shop) -> Result<Self, AppError> {
        let till = shop.till()?;
        let unlocked = till.owner_check(Utc::now())?;
        Ok(Self { till, unlocked })
    }
}

impl<'de, R: Runtime> CommandArg<'de, R> for Owner {
    fn from_command(command: CommandItem<'de, R>) -> Result<Self, InvokeError> {
        let shop = command.message.webview_ref().state::<Shop>();
        Owner::from_shop(&shop).map_err(InvokeError::from)
    }
}

pub use owner::on_window_event;
