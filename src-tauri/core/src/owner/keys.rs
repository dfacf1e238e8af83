//! The owner's part in where keys live: keys belong to one till (see
//! `keystore::till_identity`), and only the owner moves them: once, from the
//! names Cryptill used before (one set per OS account), and on request, from
//! the folder or computer a till's data was moved from.

use super::session::Unlocked;
use crate::error::Result;
use crate::keystore::KeyStore;
use crate::keystore::{KEYS_IDENTITY, LEGACY_KEYS, LEGACY_PENDING};
use crate::ledger::Ledger;
use crate::sale::GatewayKind;

/// Moves the keys of a till from before keys belonged to tills (service
/// `cryptill`, account = gateway name) under this till's identity, then
/// removes the old entries so no other data folder can take them. Runs once,
/// when the owner's PIN is first given after the update (the window's
/// unlock, or an owner command); later calls do nothing. Returns how many
/// keys moved.
pub fn migrate_legacy(_: &Unlocked, ledger: &Ledger, keys: &KeyStore) -> Result<usize> {
    if ledger.setting(LEGACY_KEYS)?.as_deref() != Some(LEGACY_PENDING) {
        return Ok(0);
    }
    let old = keys.legacy();
    let mut moved = 0;
    for kind in GatewayKind::ALL {
        let account = kind.keyring_account();
        let Some(key) = old.get(account)? else {
            continue;
        };
        if keys.get(account)?.is_none() {
            keys.set(account, &key)?;
        }
        old.delete(account)?;
        moved += 1;
    }
    ledger.set_setting(LEGACY_KEYS, "moved")?;
    if let Some(identity) = keys.till() {
        ledger.set_setting(KEYS_IDENTITY, identity)?;
    }
    tracing::info!(
        moved,
        "keys from before keys belonged to the till moved to it"
    );
    Ok(moved)
}

/// What [`move_keys`] did, for the owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    pub gateways: Vec<String>,
}

/// The owner's explicit move: takes the keys filed under the identity this
/// ledger's keys were last given to (the folder or computer the data came
/// from) and files them under this till. The old entries are removed: keys
/// belong to one till. Keys of another computer are not in this one's
/// keyring; they must be entered again.
pub fn move_keys(_: &Unlocked, ledger: &Ledger, keys: &KeyStore) -> Result<Moved> {
    let Some(here) = keys.till() else {
        return Ok(Moved { gateways: vec![] });
    };
    let mut gateways = Vec::new();
    if let Some(from) = ledger.setting(KEYS_IDENTITY)?.filter(|f| f != here) {
        let old = KeyStore::for_till(keys.service(), &from);
        for kind in GatewayKind::ALL {
            let account = kind.keyring_account();
            let Some(key) = old.get(account)? else {
                continue;
            };
            keys.set(account, &key)?;
            old.delete(account)?;
            gateways.push(kind.as_str().to_string());
        }
    }
    ledger.set_setting(KEYS_IDENTITY, here)?;
    Ok(Moved { gateways })
}
