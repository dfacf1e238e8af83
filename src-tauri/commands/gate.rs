//! The owner gate: a command that takes [`Owner`] runs only when owner mode
//! is open.

use std::sync::Arc;

use chrono::Utc;
use cryptill_core::owner::Unlocked;
use cryptill_core::{AppError, Till};
use tauri::ipc::{CommandArg, CommandItem, InvokeError};
use tauri::{Manager, Runtime};

use crate::shop::Shop;

/// The owner's proof, as a command argument: taking one makes a command
/// owner-only. It is built from the session before the command runs, so a
/// locked till answers `notAllowed` whatever the webview sends.
pub struct Owner {
    pub(super) till: Arc<Till>,
    pub(super) unlocked: Unlocked,
}

impl Owner {
    fn from_shop(shop: &Shop) -> Result<Self, AppError> {
        let till = shop.till()?;
        let unlocked = till.owner().check(Utc::now())?;
        Ok(Self { till, unlocked })
    }
}

impl<'de, R: Runtime> CommandArg<'de, R> for Owner {
    fn from_command(command: CommandItem<'de, R>) -> Result<Self, InvokeError> {
        let shop = command.message.webview_ref().state::<Shop>();
        Owner::from_shop(&shop).map_err(InvokeError::from)
    }
}
