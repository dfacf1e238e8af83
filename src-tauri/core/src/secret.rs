//! Secrets are a type, not a convention: an API key lives only inside
//! [`Sensitive`], whose `Debug` and `Display` print a placeholder and which has
//! no `Serialize`, so it cannot reach a log line, the ledger or the webview by
//! accident.

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The secret itself. Call it only where the value leaves for the one
    /// place it belongs (an HTTP header, the OS keyring).
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sensitive(<redacted>)")
    }
}

impl<T> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_secret() {
        let key = Sensitive::new("sk_live_123".to_string());
        assert!(!format!("{key:?}").contains("sk_live"));
        assert!(!format!("{key}").contains("sk_live"));
        assert_eq!(key.expose(), "sk_live_123");
    }
}
