//! API keys in the OS keyring (Secret Service on Linux, Keychain on macOS,
//! Credential Manager on Windows) and nowhere else.

use crate::error::{Error, Result};
use crate::secret::Sensitive;

/// The keyring service name Cryptill files its keys under.
pub const SERVICE: &str = "cryptill";

#[derive(Clone, Debug)]
pub struct KeyStore {
    service: String,
}

impl KeyStore {
    /// `service` separates Cryptill's entries from other apps' (and lets
    /// tests use their own without touching the shop's keys).
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, account).map_err(|e| unavailable(&e))
    }

    /// The key stored for `account` (a gateway name), or `None` if none is set.
    pub fn get(&self, account: &str) -> Result<Option<Sensitive<String>>> {
        match self.entry(account)?.get_password() {
            Ok(key) => Ok(Some(Sensitive::new(key))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(unavailable(&e)),
        }
    }

    pub fn set(&self, account: &str, key: &Sensitive<String>) -> Result<()> {
        if key.expose().trim().is_empty() {
            return Err(Error::Input(
                "The API key is empty. Paste the key from the gateway's dashboard.".into(),
            ));
        }
        self.entry(account)?
            .set_password(key.expose().trim())
            .map_err(|e| unavailable(&e))
    }

    /// Removes the key; removing a key that is not there is not an error.
    pub fn delete(&self, account: &str) -> Result<()> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(unavailable(&e)),
        }
    }
}

fn unavailable(e: &keyring::Error) -> Error {
    // keyring's messages never contain the secret itself, only the failure.
    Error::Keyring(format!(
        "The system keyring is not available ({e}). Cryptill keeps gateway keys only there. \
         On Linux, make sure a Secret Service (GNOME Keyring or KWallet) is running and unlocked, then restart Cryptill."
    ))
}
