//! The owner's rules for gateways: which one the till uses, and its keys.

use super::keys;
use super::session::Unlocked;
use crate::error::{Error, Result};
use crate::gateway::{check_base_url, GatewayKind};
use crate::keystore::{KeyStore, KEYS_IDENTITY};
use crate::ledger::Ledger;
use crate::said::Said;
use crate::secret::Sensitive;
use crate::settings::base_url_setting;

/// Every gateway a till can use, in the order Settings lists them.
pub const GATEWAYS: [GatewayKind; 4] = GatewayKind::ALL;

/// The one rule for changing gateway, shared by the window and the command
/// line: refused while sales still wait for payment, because their orders
/// live at the old gateway and could no longer be followed.
pub fn switch_gateway(
    _: &Unlocked,
    ledger: &Ledger,
    kind: GatewayKind,
    base_url: Option<&str>,
) -> Result<()> {
    let open = ledger.open_sales()?;
    if let Some(first) = open.first() {
        return Err(Error::not_allowed(Said::sales_still_open(
            open.len(),
            first.id,
        )));
    }
    if let Some(url) = base_url.map(str::trim).filter(|u| !u.is_empty()) {
        refuse_credentials(url)?;
        let url = check_base_url(url)?;
        ledger.set_setting(&base_url_setting(kind), url.as_str())?;
    }
    ledger.set_setting("gateway", kind.as_str())
}

/// A base URL is kept in the ledger in plain text and shown in Settings, so
/// it must carry no `user:password@`: refused before anything is saved.
pub fn refuse_credentials(url: &str) -> Result<()> {
    let has_credentials = match url::Url::parse(url) {
        Ok(parsed) => !parsed.username().is_empty() || parsed.password().is_some(),
        // Unparseable: check_base_url names the problem; an '@' before the
        // path is still refused here, so the text is never echoed back.
        Err(_) => url
            .split_once("://")
            .map_or(url, |(_, rest)| rest)
            .split('/')
            .next()
            .is_some_and(|authority| authority.contains('@')),
    };
    if has_credentials {
        return Err(Error::input(Said::gateway_address_has_user()));
    }
    Ok(())
}

/// Files a gateway's key under this till, for the window and the command
/// line alike. This till's keys are now the ones its ledger points at.
pub fn set_key(
    unlocked: &Unlocked,
    ledger: &Ledger,
    keys: &KeyStore,
    kind: GatewayKind,
    key: &Sensitive<String>,
) -> Result<()> {
    keys::migrate_legacy(unlocked, ledger, keys)?;
    keys.set(kind.keyring_account(), key)?;
    if let Some(identity) = keys.till() {
        ledger.set_setting(KEYS_IDENTITY, identity)?;
    }
    Ok(())
}

/// Removes a gateway's key from this till; refused for the gateway saved
/// for the next start, which could not open without it.
pub fn delete_key(_: &Unlocked, ledger: &Ledger, keys: &KeyStore, kind: GatewayKind) -> Result<()> {
    let saved = ledger.setting("gateway")?;
    if kind != GatewayKind::Demo && saved.as_deref() == Some(kind.as_str()) {
        return Err(Error::not_allowed(Said::gateway_key_chosen(kind.label())));
    }
    keys.delete(kind.keyring_account())
}

pub fn parse_gateway(name: &str) -> Result<GatewayKind> {
    GatewayKind::parse(name.trim()).ok_or_else(|| Error::input(Said::not_a_gateway(name)))
}
