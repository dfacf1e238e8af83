//! The state every command works on: the till, or why it could not open.

use std::sync::Arc;

use cryptill_core::{AppError, Till};

/// What every command works on. The till may have failed to open (no
/// keyring, unreadable ledger): the window still opens and shows why.
pub struct Shop {
    till: Result<Arc<Till>, AppError>,
    /// The one payment the screen is following; a new watch replaces it.
    pub(crate) watch: std::sync::Mutex<Option<tauri::async_runtime::JoinHandle<()>>>,
}

impl Shop {
    pub fn new(till: Result<Till, AppError>) -> Self {
        Self {
            till: till.map(Arc::new),
            watch: Default::default(),
        }
    }

    pub(crate) fn till(&self) -> Result<Arc<Till>, AppError> {
        self.till.clone()
    }
}
