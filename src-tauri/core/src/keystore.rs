//! API keys in the OS keyring (Secret Service on Linux, Keychain on macOS,
//! Credential Manager on Windows) and nowhere else.
//!
//! Keys belong to a till, not to the OS account: each entry is filed under
//! the till's identity ([`till_identity`]), so another data folder, another
//! till on the same computer, or a restored copy of the data on another
//! computer never finds the shop's keys. Moving keys to another identity is
//! an explicit owner action (`owner::keys`).

use crate::said::Said;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::secret::Sensitive;

/// The app's identifier; its data lives in a folder of this name under the
/// OS app-data dir (the same one Tauri's `app_data_dir` names).
pub const APP_ID: &str = "io.cryptill.till";

/// The ledger setting with the till's random install id (made by the
/// ledger's first migration).
pub const INSTALL_ID: &str = "install_id";
/// The till identity the owner last filed this ledger's keys under. When it
/// differs from the identity computed now, the data folder was moved or
/// copied: the keys stay with the original until the owner moves them.
pub const KEYS_IDENTITY: &str = "keys_identity";
/// Set by a ledger migration on tills that existed before keys belonged to
/// the till: their keys still sit under the old names until the owner's PIN
/// moves them (`owner::keys::migrate_legacy`).
pub const LEGACY_KEYS: &str = "legacy_keys";
/// [`LEGACY_KEYS`]'s value until the owner's PIN has moved the keys.
pub const LEGACY_PENDING: &str = "pending";

/// The keyring service name Cryptill files its keys under.
pub const SERVICE: &str = "cryptill";

#[derive(Clone, Debug)]
pub struct KeyStore {
    service: String,
    /// The till the entries belong to; `None` is the layout before keys were
    /// per till (account = gateway name), read only to move old keys.
    till: Option<String>,
}

impl KeyStore {
    /// Entries named by `account` alone: the layout of Cryptill before keys
    /// belonged to a till. `service` separates Cryptill's entries from other
    /// apps' (and lets tests use their own without touching the shop's keys).
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
            till: None,
        }
    }

    /// The keys of the till with `identity` (see [`till_identity`]).
    pub fn for_till(service: impl Into<String>, identity: &str) -> Self {
        Self {
            service: service.into(),
            till: Some(identity.to_string()),
        }
    }

    /// The same keyring service without a till: where keys were filed before.
    pub fn legacy(&self) -> Self {
        Self::new(self.service.clone())
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    pub fn till(&self) -> Option<&str> {
        self.till.as_deref()
    }

    /// The keyring account a gateway's key is filed under, e.g.
    /// `counos@till-1a2b3c4d5e6f-0123456789abcdef`.
    pub fn account(&self, gateway: &str) -> String {
        match &self.till {
            Some(id) => format!("{gateway}@till-{id}"),
            None => gateway.to_string(),
        }
    }

    fn entry(&self, gateway: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, &self.account(gateway)).map_err(|e| unavailable(&e))
    }

    /// The key stored for `gateway`, or `None` if none is set.
    pub fn get(&self, gateway: &str) -> Result<Option<Sensitive<String>>> {
        match self.entry(gateway)?.get_password() {
            Ok(key) => Ok(Some(Sensitive::new(key))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(unavailable(&e)),
        }
    }

    pub fn set(&self, gateway: &str, key: &Sensitive<String>) -> Result<()> {
        if key.expose().trim().is_empty() {
            return Err(Error::input(Said::api_key_empty()));
        }
        self.entry(gateway)?
            .set_password(key.expose().trim())
            .map_err(|e| unavailable(&e))
    }

    /// Removes the key; removing a key that is not there is not an error.
    pub fn delete(&self, gateway: &str) -> Result<()> {
        match self.entry(gateway)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(unavailable(&e)),
        }
    }
}

fn unavailable(e: &keyring::Error) -> Error {
    // keyring's messages never contain the secret itself, only the failure.
    Error::keyring(Said::keyring_unavailable(e))
}

/// The till's identity for the keyring: its install id (random, in the
/// ledger) and a digest of this computer's id and the data folder's path.
///
/// Why all three: the install id alone travels with a copied ledger, so a
/// copy in another folder, or a backup restored on another computer, would
/// find the shop's keys. The computer's id and the folder's path stay behind
/// with the original: a copy is a different till until the owner moves the
/// keys to it on purpose (`cryptill owner keys move`). The computer's id is
/// hashed, never stored or shown (systemd asks apps not to expose
/// `/etc/machine-id`). A per-folder secret file was the other choice; it was
/// dropped because it is copied with the folder, which is the very case to
/// tell apart.
pub fn till_identity(install_id: &str, data_dir: &Path) -> Result<String> {
    let dir = std::fs::canonicalize(data_dir).unwrap_or_else(|_| data_dir.to_path_buf());
    let mut digest = Sha256::new();
    digest.update(b"cryptill till identity v1\0");
    digest.update(machine_id()?.as_bytes());
    digest.update(b"\0");
    digest.update(dir.to_string_lossy().as_bytes());
    let hex: String = digest
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(format!("{}-{hex}", install_id.trim()))
}

/// This computer's id: the OS's own where it has one, else a random id kept
/// in the user's config folder (outside every data folder).
fn machine_id() -> Result<String> {
    if let Some(id) = os_machine_id().filter(|id| !id.trim().is_empty()) {
        return Ok(id.trim().to_string());
    }
    let dir = dirs::config_dir()
        .map(|d| d.join(APP_ID))
        .ok_or_else(|| Error::storage(Said::no_config_folder()))?;
    let path = dir.join("machine-id");
    if let Ok(id) = std::fs::read_to_string(&path) {
        if !id.trim().is_empty() {
            return Ok(id.trim().to_string());
        }
    }
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| Error::storage(Said::no_random_bytes(e)))?;
    let id: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(&path, &id))
        .map_err(|e| Error::storage(Said::config_cannot_write(path.display(), e)))?;
    Ok(id)
}

#[cfg(target_os = "linux")]
fn os_machine_id() -> Option<String> {
    ["/etc/machine-id", "/var/lib/dbus/machine-id"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
}

#[cfg(target_os = "macos")]
fn os_machine_id() -> Option<String> {
    let out = std::process::Command::new("ioreg")
        .args(["-rd1", "-c", "IOPlatformExpertDevice"])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find(|l| l.contains("IOPlatformUUID"))?;
    line.rsplit('"').nth(1).map(str::to_string)
}

#[cfg(target_os = "windows")]
fn os_machine_id() -> Option<String> {
    let out = std::process::Command::new("reg")
        .args([
            "query",
            r"HKLM\SOFTWARE\Microsoft\Cryptography",
            "/v",
            "MachineGuid",
        ])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find(|l| l.contains("MachineGuid"))?;
    line.split_whitespace().last().map(str::to_string)
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
fn os_machine_id() -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_identity_differs_by_install_and_by_folder_and_is_stable() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let one = till_identity("aaaaaaaaaaaa", a.path()).unwrap();
        assert_eq!(one, till_identity("aaaaaaaaaaaa", a.path()).unwrap());
        assert!(one.starts_with("aaaaaaaaaaaa-"), "{one}");
        assert_ne!(one, till_identity("bbbbbbbbbbbb", a.path()).unwrap());
        // A copied ledger (same install id) in another folder is another till.
        assert_ne!(one, till_identity("aaaaaaaaaaaa", b.path()).unwrap());
    }

    #[test]
    fn accounts_name_the_gateway_and_the_till() {
        let till = KeyStore::for_till("cryptill", "abc-123");
        assert_eq!(till.account("counos"), "counos@till-abc-123");
        assert_eq!(till.legacy().account("counos"), "counos");
    }
}
