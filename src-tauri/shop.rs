//! The state every command works on: the till, or why it could not open.

use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex, OnceLock};

use cryptill_core::{AppError, ErrorKind, Till};

/// What every command works on. The till may have failed to open (no
/// keyring, unreadable ledger): the window still opens and shows why.
pub struct Shop {
    till: OnceLock<Result<Arc<Till>, AppError>>,
    /// The till still opening on its own thread ([`Shop::opening`]): the
    /// first caller of [`Shop::till`] waits for it, and any caller at the
    /// same moment waits for that one.
    opening: Mutex<Option<Receiver<Result<Till, AppError>>>>,
    /// The one payment the screen is following; a new watch replaces it.
    pub(crate) watch: std::sync::Mutex<Option<tauri::async_runtime::JoinHandle<()>>>,
}

impl Shop {
    /// A till already opened (or failed to).
    pub fn new(till: Result<Till, AppError>) -> Self {
        Self {
            till: OnceLock::from(till.map(Arc::new)),
            opening: Mutex::new(None),
            watch: Default::default(),
        }
    }

    /// A till that another thread is opening and will send: the window's
    /// start does not wait for the ledger, the keyring and the demo gateway
    /// (issue 11: they open while GTK and WebKit start).
    pub fn opening(till: Receiver<Result<Till, AppError>>) -> Self {
        Self {
            till: OnceLock::new(),
            opening: Mutex::new(Some(till)),
            watch: Default::default(),
        }
    }

    /// The till, waiting for it if it is still opening.
    pub(crate) fn till(&self) -> Result<Arc<Till>, AppError> {
        self.till
            .get_or_init(|| {
                let opening = self
                    .opening
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .take();
                let opened = opening.and_then(|rx| rx.recv().ok()).unwrap_or_else(|| {
                    Err(AppError::plain(
                        ErrorKind::Internal,
                        "The till stopped while it was opening. Close Cryptill and open it again."
                            .into(),
                    ))
                });
                opened.map(Arc::new)
            })
            .clone()
    }

    /// The till if it has opened already, without waiting: for what runs on
    /// the window's own thread (a window event must not freeze the window).
    pub(crate) fn till_if_open(&self) -> Option<Arc<Till>> {
        self.till.get()?.as_ref().ok().cloned()
    }
}
