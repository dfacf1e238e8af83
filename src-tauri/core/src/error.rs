//! One error type for the core. Every message is written for the person at
//! the counter: what happened and what to do next. The UI switches on
//! [`ErrorKind`] and shows the message as it is.

use serde::Serialize;
use ts_rs::TS;

use crate::said::{Param, Said};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The cashier or owner typed something that cannot be used.
    #[error("{0}")]
    Input(String),

    /// A sentence of the catalogue (`said.rs`) the window can translate,
    /// with the kind the UI switches on. New errors are made this way.
    #[error("{said}")]
    Said { kind: ErrorKind, said: Said },

    #[error("{}", Said::gateway_auth(.gateway))]
    GatewayAuth { gateway: String },

    #[error("{}", Said::gateway_unreachable(.gateway, .detail))]
    GatewayUnreachable { gateway: String, detail: String },

    #[error("{}", Said::gateway_down(.gateway, .status))]
    GatewayDown { gateway: String, status: u16 },

    #[error("{}", Said::gateway_rate_limited(.gateway))]
    GatewayRateLimited { gateway: String },

    /// The gateway answered and refused; `message` is the gateway's own words.
    #[error("{}", Said::gateway_refused(.gateway, .message))]
    GatewayRefused { gateway: String, message: String },

    #[error("{}", Said::gateway_protocol(.gateway, .detail))]
    GatewayProtocol { gateway: String, detail: String },

    /// The gateway answered with an order other than the one asked for (a
    /// reused order id, another amount or coin). Nothing of it is stored.
    #[error("{}", Said::gateway_mismatch(.gateway, .detail))]
    GatewayMismatch { gateway: String, detail: String },

    /// A gateway number that cannot be right (a price off by orders of
    /// magnitude, an amount out of any range). `detail` names it.
    #[error("{}", Said::gateway_implausible(.detail))]
    GatewayImplausible { gateway: String, detail: String },

    #[error("{0}")]
    Keyring(String),

    #[error("{0}")]
    Storage(String),

    /// The sales ledger could not be read or written; `source` is SQLite's
    /// own error, for the log. `nothing_sent`: the failure came before this
    /// operation called the gateway (recording a new sale), so the person
    /// can be told that no order exists for it.
    #[error("{}", if *.nothing_sent { Said::ledger_failed_nothing_sent(.source) } else { Said::ledger_failed(.source) })]
    Ledger {
        context: &'static str,
        nothing_sent: bool,
        #[source]
        source: rusqlite::Error,
    },

    #[error("{0}")]
    NotAllowed(String),

    #[error("{0}")]
    NotFound(String),

    /// The receipt printer could not print; the sentence names the printer
    /// and what to check. Never about the sale, which is recorded either way.
    #[error("{0}")]
    Printer(String),
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Input(_) => ErrorKind::Input,
            Error::Said { kind, .. } => *kind,
            Error::GatewayAuth { .. } => ErrorKind::Auth,
            Error::GatewayUnreachable { .. }
            | Error::GatewayDown { .. }
            | Error::GatewayRateLimited { .. } => ErrorKind::Network,
            Error::GatewayRefused { .. }
            | Error::GatewayProtocol { .. }
            | Error::GatewayMismatch { .. }
            | Error::GatewayImplausible { .. } => ErrorKind::Gateway,
            Error::Keyring(_) => ErrorKind::Keyring,
            Error::Storage(_) | Error::Ledger { .. } => ErrorKind::Storage,
            Error::NotAllowed(_) => ErrorKind::NotAllowed,
            Error::NotFound(_) => ErrorKind::NotFound,
            Error::Printer(_) => ErrorKind::Printer,
        }
    }

    /// The sentence the window translates: the catalogue's code and values
    /// (None for a plain-English one, which the window shows as it is).
    pub fn said(&self) -> Option<Said> {
        let text = |v: &dyn std::fmt::Display| v.to_string();
        Some(match self {
            Error::Said { said, .. } => said.clone(),
            Error::GatewayAuth { gateway } => Said::gateway_auth(gateway),
            Error::GatewayUnreachable { gateway, detail } => {
                Said::gateway_unreachable(gateway, detail)
            }
            Error::GatewayDown { gateway, status } => Said::gateway_down(gateway, status),
            Error::GatewayRateLimited { gateway } => Said::gateway_rate_limited(gateway),
            Error::GatewayRefused { gateway, message } => Said::gateway_refused(gateway, message),
            Error::GatewayProtocol { gateway, detail } => Said::gateway_protocol(gateway, detail),
            Error::GatewayMismatch { gateway, detail } => Said::gateway_mismatch(gateway, detail),
            Error::GatewayImplausible { detail, .. } => Said::gateway_implausible(detail),
            Error::Ledger {
                nothing_sent: true,
                source,
                ..
            } => Said::ledger_failed_nothing_sent(text(source)),
            Error::Ledger { source, .. } => Said::ledger_failed(text(source)),
            _ => return None,
        })
    }

    /// What this error says, as a value of another sentence ("Line 2: …").
    pub fn as_param(&self) -> Param {
        match self.said() {
            Some(said) => Param::Said(Box::new(said)),
            None => Param::Text(self.to_string()),
        }
    }

    /// Bad input, said by a sentence of the catalogue.
    pub fn input(said: Said) -> Self {
        Error::Said {
            kind: ErrorKind::Input,
            said,
        }
    }

    /// Not allowed now, said by a sentence of the catalogue.
    pub fn not_allowed(said: Said) -> Self {
        Error::Said {
            kind: ErrorKind::NotAllowed,
            said,
        }
    }

    /// Not found, said by a sentence of the catalogue.
    pub fn not_found(said: Said) -> Self {
        Error::Said {
            kind: ErrorKind::NotFound,
            said,
        }
    }

    /// The printer failed, said by a sentence of the catalogue.
    pub fn printer(said: Said) -> Self {
        Error::Said {
            kind: ErrorKind::Printer,
            said,
        }
    }

    /// The keyring failed, said by a sentence of the catalogue.
    pub fn keyring(said: Said) -> Self {
        Error::Said {
            kind: ErrorKind::Keyring,
            said,
        }
    }

    /// Storage failed, said by a sentence of the catalogue.
    pub fn storage(said: Said) -> Self {
        Error::Said {
            kind: ErrorKind::Storage,
            said,
        }
    }

    /// The same error, known to have happened before anything of this
    /// operation was sent to the gateway (see [`Error::Ledger`]).
    pub(crate) fn before_gateway(self) -> Self {
        match self {
            Error::Ledger {
                context, source, ..
            } => Error::Ledger {
                context,
                nothing_sent: true,
                source,
            },
            other => other,
        }
    }
}

/// The demo's buttons (simulated payments, the withdraw permission) drive
/// the embedded sandbox through its control client; its failures reach the
/// cashier as the demo gateway's, in the gateway's own words.
impl From<cryptill_sandbox::client::Error> for Error {
    fn from(err: cryptill_sandbox::client::Error) -> Self {
        use cryptill_sandbox::client::Error as Control;
        let gateway = crate::gateway::GatewayKind::Demo.name().into();
        match err {
            // Without the control route's address: not the cashier's concern.
            Control::Unreachable { source, .. } => Error::GatewayUnreachable {
                gateway,
                detail: source.without_url().to_string(),
            },
            Control::NotFound { message, .. }
            | Control::Refused { message, .. }
            | Control::Failed { message, .. } => Error::GatewayRefused { gateway, message },
            other => Error::GatewayRefused {
                gateway,
                message: other.to_string(),
            },
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(source: rusqlite::Error) -> Self {
        Error::Ledger {
            context: "read or write",
            nothing_sent: false,
            source,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ErrorKind {
    Input,
    Gateway,
    Auth,
    Network,
    Keyring,
    Storage,
    NotAllowed,
    NotFound,
    /// The receipt printer did not print (the sale is not affected).
    Printer,
    /// Something inside Cryptill failed; not the person's doing.
    Internal,
}

/// An error as it crosses to the UI: `{kind, message}`, and `said` (the
/// sentence's code and values) when the window can say it in the shop's
/// language; `message` is always the English. `saleId` when the failure
/// left a sale recorded (a charge whose order could not be placed): the
/// window places that sale again on Retry, never a second one.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AppError {
    pub kind: ErrorKind,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub said: Option<Said>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub sale_id: Option<i64>,
}

impl AppError {
    /// An error in English only (no sentence of the catalogue).
    pub fn plain(kind: ErrorKind, message: String) -> Self {
        Self {
            kind,
            message,
            said: None,
            sale_id: None,
        }
    }
}

impl From<Error> for AppError {
    fn from(e: Error) -> Self {
        Self {
            kind: e.kind(),
            message: e.to_string(),
            said: e.said(),
            sale_id: None,
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use cryptill_sandbox::client::Error as Control;

    /// A cashier pressing a demo button reads the sandbox's reason, not the
    /// control route it was sent to.
    #[test]
    fn a_refused_demo_control_call_shows_the_sandbox_reason_only() {
        let err = Error::from(Control::NotFound {
            call: "POST /control/counos/orders/9/pay".into(),
            message: "no order 9".into(),
        });
        assert!(matches!(err, Error::GatewayRefused { .. }), "{err:?}");
        assert_eq!(err.kind(), ErrorKind::Gateway);
        assert!(err.to_string().ends_with("refused: no order 9"), "{err}");
        assert!(!err.to_string().contains("/control"), "{err}");
    }

    /// A demo sandbox that is gone is a network problem, as for a gateway.
    #[tokio::test]
    async fn an_unreachable_demo_sandbox_is_a_network_error() {
        // A loopback port that was free a moment ago: nothing listens there.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let control =
            cryptill_sandbox::client::Control::new(&format!("http://127.0.0.1:{port}")).unwrap();
        let err = Error::from(control.clear_faults().await.unwrap_err());
        assert!(matches!(err, Error::GatewayUnreachable { .. }), "{err:?}");
        assert_eq!(err.kind(), ErrorKind::Network);
        assert!(!err.to_string().contains("/control"), "{err}");
    }
}
