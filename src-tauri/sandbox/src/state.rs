//! What every dialect and the control routes share: the running sandbox's
//! state, and how an action on it fails. It sits below both layers, so the
//! control routes import the dialects and never the other way round.

use std::sync::atomic::AtomicBool;

use crate::config::Config;
use crate::store::Store;

/// What every dialect and the control routes share.
pub(crate) struct Sandbox {
    pub(crate) config: Config,
    pub(crate) store: Store,
    /// `http://127.0.0.1:PORT`, for the links a gateway hands out (CoinGate's
    /// `payment_url`, a send request's confirm link).
    pub(crate) base_url: String,
    /// The dashboard tick, starting from [`Config::withdraw_permitted`]; the
    /// control route `/control/counos/withdraw-permission` changes it while
    /// running, as an owner ticking the box in the dashboard would.
    pub(crate) withdraw_permitted: AtomicBool,
}

/// Why an action on an order or withdrawal failed (a control route's, or a
/// dialect's own); the control routes turn it into 404, 400 or 500.
pub(crate) enum ActionError {
    NotFound,
    Invalid(String),
    Store(rusqlite::Error),
}

impl From<rusqlite::Error> for ActionError {
    fn from(err: rusqlite::Error) -> Self {
        ActionError::Store(err)
    }
}
