//! Owner mode. The line between cashier and owner is drawn here, in Rust:
//! every owner operation takes an [`Unlocked`] proof, and the only ways to
//! get one are a live owner [`Session`] (the window) or the PIN itself (the
//! command line). Whatever the webview sends, no proof, no balances.

pub mod keys;
pub mod pin;

use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::gateway::{
    check_base_url, Balance, GatewayKind, WithdrawReceipt, WithdrawRequest, Withdrawal,
};
use crate::ledger::{Ledger, WithdrawalRequest};
use crate::money::{Currency, Money};
use crate::report::{self, SaleFilter, SaleRow, ZReport};
use crate::secret::Sensitive;
use crate::settings::Settings;
use crate::till::{base_url_setting, Till};

/// Proof that the owner is present: made only by [`Session::check`] or
/// [`unlock_with_pin`]. Its field is private, so no other code can forge one.
#[derive(Debug)]
pub struct Unlocked(());

/// What every owner refusal says.
pub fn locked_error() -> Error {
    Error::NotAllowed(
        "Owner mode is locked. Unlock it with the owner PIN (the Owner button).".into(),
    )
}

/// The window's owner session: unlocked by the PIN, locked by the Lock
/// button, after `idle_lock_minutes` without owner activity, or on blur.
#[derive(Default)]
pub struct Session {
    /// The last owner activity while unlocked; `None` when locked.
    last_activity: Mutex<Option<DateTime<Utc>>>,
}

impl Session {
    fn state(&self) -> std::sync::MutexGuard<'_, Option<DateTime<Utc>>> {
        self.last_activity.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn unlock(
        &self,
        ledger: &Ledger,
        pin: &Sensitive<String>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        pin::verify(ledger, pin, now)?;
        *self.state() = Some(now);
        Ok(())
    }

    pub fn lock(&self) {
        *self.state() = None;
    }

    /// Whether the session is unlocked at `now`; an idle one locks itself here.
    pub fn is_unlocked(&self, now: DateTime<Utc>, idle_minutes: u32) -> bool {
        let mut state = self.state();
        match *state {
            Some(last) if now - last < Duration::minutes(i64::from(idle_minutes)) => true,
            Some(_) => {
                *state = None;
                false
            }
            None => false,
        }
    }

    /// The proof for one owner operation; counts as owner activity.
    pub fn check(&self, now: DateTime<Utc>, idle_minutes: u32) -> Result<Unlocked> {
        if !self.is_unlocked(now, idle_minutes) {
            return Err(locked_error());
        }
        *self.state() = Some(now);
        Ok(Unlocked(()))
    }
}

/// The command line's way in: the PIN on every run.
pub fn unlock_with_pin(ledger: &Ledger, pin: &Sensitive<String>) -> Result<Unlocked> {
    pin::verify(ledger, pin, Utc::now())?;
    Ok(Unlocked(()))
}

/// What the window needs to know before showing owner screens.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OwnerStatus {
    pub pin_set: bool,
    pub unlocked: bool,
    pub idle_lock_minutes: u32,
    pub lock_on_blur: bool,
}

/// A gateway's API key as the owner screen may see it: set or not, never the key.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct KeyStatus {
    /// `demo`, `counos`, `coingate`, `coingate-sandbox`.
    pub gateway: String,
    pub label: String,
    pub key_set: bool,
    /// The gateway the till uses now.
    pub active: bool,
}

/// The owner's view of the gateway choice.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct GatewayChoice {
    /// The gateway the running till uses.
    pub active: String,
    /// The gateway saved for the next start (differs after a change).
    pub saved: String,
    pub keys: Vec<KeyStatus>,
    /// Whether this gateway's API can request withdrawals (CoinGate cannot).
    pub can_withdraw: bool,
}

/// Balances with the time they were read.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Balances {
    pub balances: Vec<Balance>,
    /// RFC 3339 UTC.
    pub fetched_at: String,
}

/// A withdrawal as the owner fills the form in.
#[derive(Clone, Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct WithdrawForm {
    pub coin: String,
    pub amount: String,
    pub address: String,
}

/// The answer to a withdrawal request, as recorded in the ledger.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct WithdrawOutcome {
    pub receipt: WithdrawReceipt,
    pub request: WithdrawalRequest,
}

pub const GATEWAYS: [GatewayKind; 4] = [
    GatewayKind::Demo,
    GatewayKind::Counos,
    GatewayKind::Coingate,
    GatewayKind::CoingateSandbox,
];

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
        return Err(Error::NotAllowed(format!(
            "{} sale(s) are still waiting for payment (first: number {}). Settle them (`cryptill order <number>`) before changing gateway.",
            open.len(),
            first.id
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
        return Err(Error::Input(
            "The gateway address contains a user name or password (user:password@). Cryptill does not store those; type the address without them. The API key goes into the keyring with `cryptill gateway key set`.".into(),
        ));
    }
    Ok(())
}

/// Owner operations on an open till. Each takes the [`Unlocked`] proof.
impl Till {
    /// The window's unlock: opens the session, then, the first time, moves
    /// keys from before keys belonged to the till (under the PIN just given).
    pub fn owner_unlock(&self, pin: &Sensitive<String>, now: DateTime<Utc>) -> Result<()> {
        self.owner_session().unlock(self.ledger(), pin, now)?;
        let unlocked = self.owner_check(now)?;
        if let Err(e) = keys::migrate_legacy(&unlocked, self.ledger(), self.keys()) {
            tracing::warn!("could not move the keys from before keys belonged to the till: {e}");
        }
        Ok(())
    }

    /// Moves this ledger's keys from the folder or computer it came from.
    pub fn move_keys(&self, unlocked: &Unlocked) -> Result<keys::Moved> {
        keys::move_keys(unlocked, self.ledger(), self.keys())
    }

    pub fn owner_status(&self, now: DateTime<Utc>) -> Result<OwnerStatus> {
        let settings = Settings::load(self.ledger())?;
        Ok(OwnerStatus {
            pin_set: pin::is_set(self.ledger())?,
            unlocked: self
                .owner_session()
                .is_unlocked(now, settings.idle_lock_minutes),
            idle_lock_minutes: settings.idle_lock_minutes,
            lock_on_blur: settings.lock_on_blur,
        })
    }

    /// The proof for one owner operation from the window's session.
    pub fn owner_check(&self, now: DateTime<Utc>) -> Result<Unlocked> {
        let idle = Settings::load(self.ledger())?.idle_lock_minutes;
        self.owner_session().check(now, idle)
    }

    pub fn owner_settings(&self, _: &Unlocked) -> Result<Settings> {
        Settings::load(self.ledger())
    }

    pub fn save_owner_settings(&self, _: &Unlocked, settings: &Settings) -> Result<Settings> {
        settings.save(self.ledger())?;
        Settings::load(self.ledger())
    }

    pub fn gateway_choice(&self, _: &Unlocked) -> Result<GatewayChoice> {
        let active = self.checkout().gateway().kind();
        let saved = self
            .ledger()
            .setting("gateway")?
            .unwrap_or_else(|| GatewayKind::Demo.as_str().into());
        let keys = GATEWAYS
            .iter()
            .map(|kind| {
                Ok(KeyStatus {
                    gateway: kind.as_str().into(),
                    label: kind.label().into(),
                    key_set: self.keys().get(kind.keyring_account())?.is_some(),
                    active: *kind == active,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(GatewayChoice {
            active: active.as_str().into(),
            saved,
            keys,
            can_withdraw: !matches!(active, GatewayKind::Coingate | GatewayKind::CoingateSandbox),
        })
    }

    /// Saves the gateway for the next start (the running till keeps its
    /// gateway: orders being followed stay with it).
    pub fn choose_gateway(
        &self,
        unlocked: &Unlocked,
        gateway: &str,
        base_url: Option<&str>,
    ) -> Result<GatewayChoice> {
        let kind = parse_gateway(gateway)?;
        switch_gateway(unlocked, self.ledger(), kind, base_url)?;
        self.gateway_choice(unlocked)
    }

    /// Files a key in the OS keyring; it never comes back out to the window.
    pub fn set_gateway_key(
        &self,
        unlocked: &Unlocked,
        gateway: &str,
        key: Sensitive<String>,
    ) -> Result<GatewayChoice> {
        let kind = parse_gateway(gateway)?;
        set_key(unlocked, self.ledger(), self.keys(), kind, &key)?;
        self.gateway_choice(unlocked)
    }

    pub fn delete_gateway_key(&self, unlocked: &Unlocked, gateway: &str) -> Result<GatewayChoice> {
        let kind = parse_gateway(gateway)?;
        if kind == self.checkout().gateway().kind() {
            return Err(Error::NotAllowed(format!(
                "{} is the gateway in use; its key cannot be deleted. Choose another gateway and restart first.",
                kind.label()
            )));
        }
        delete_key(unlocked, self.ledger(), self.keys(), kind)?;
        self.gateway_choice(unlocked)
    }

    /// Asks the gateway in use whether it accepts the stored key.
    pub async fn test_gateway_key(&self, _: &Unlocked) -> Result<String> {
        let gateway = self.checkout().gateway();
        gateway.test_key().await?;
        Ok(format!(
            "{} answers and accepts the key.",
            gateway.kind().label()
        ))
    }

    pub async fn balances(&self, _: &Unlocked) -> Result<Balances> {
        let balances = self.checkout().gateway().balances().await?;
        Ok(Balances {
            balances,
            fetched_at: crate::sale::timestamp(Utc::now()),
        })
    }

    pub async fn withdrawals(&self, _: &Unlocked, search: Option<&str>) -> Result<Vec<Withdrawal>> {
        self.checkout().gateway().withdrawals(search).await
    }

    pub fn withdrawal_requests(&self, _: &Unlocked) -> Result<Vec<WithdrawalRequest>> {
        self.ledger().withdrawal_requests()
    }

    /// Requests a withdrawal. The request is in the ledger before the
    /// gateway hears of it, and the answer (success, refusal or failure) is
    /// recorded beside it.
    pub async fn withdraw(&self, _: &Unlocked, form: &WithdrawForm) -> Result<WithdrawOutcome> {
        let symbol = form.coin.trim().to_ascii_uppercase();
        let coin = self
            .checkout()
            .coins()
            .await?
            .into_iter()
            .find(|c| c.symbol == symbol)
            .ok_or_else(|| {
                Error::Input(format!(
                    "{symbol} is not a coin of this terminal. Pick one from the balances."
                ))
            })?;
        let address = form.address.trim();
        if address.is_empty() {
            return Err(Error::Input(
                "Type or paste the wallet address to withdraw to.".into(),
            ));
        }
        let amount = Money::parse_entry(&form.amount, &Currency::new(&coin.symbol, coin.decimals))?;
        let gateway = self.checkout().gateway();
        let id = self.ledger().begin_withdrawal_request(
            gateway.kind().as_str(),
            &coin.symbol,
            &amount.to_fixed(),
            address,
        )?;
        let request = WithdrawRequest {
            coin,
            amount,
            address: address.to_string(),
        };
        match gateway.withdraw(&request).await {
            Ok(receipt) => {
                let gateway_id = receipt.withdrawal.as_ref().map(|w| w.id.clone());
                let request = self.ledger().answer_withdrawal_request(
                    id,
                    "registered",
                    &receipt.message,
                    gateway_id.as_deref(),
                )?;
                Ok(WithdrawOutcome { receipt, request })
            }
            Err(e) => {
                let outcome = match e {
                    Error::GatewayRefused { .. } | Error::NotAllowed(_) | Error::Input(_) => {
                        "refused"
                    }
                    _ => "failed",
                };
                self.ledger()
                    .answer_withdrawal_request(id, outcome, &e.to_string(), None)?;
                Err(e)
            }
        }
    }

    pub fn day_report(&self, _: &Unlocked, filter: &SaleFilter) -> Result<ZReport> {
        report::z_report(
            self.ledger(),
            filter,
            &Settings::load(self.ledger())?.fiat_currency,
        )
    }

    pub fn sales_history(&self, _: &Unlocked, filter: &SaleFilter) -> Result<Vec<SaleRow>> {
        report::history(self.ledger(), filter)
    }

    /// Writes the CSV for `filter` to `path`; returns how many sales it holds.
    pub fn export_csv(
        &self,
        _: &Unlocked,
        filter: &SaleFilter,
        path: &std::path::Path,
    ) -> Result<usize> {
        report::export_csv(self.ledger(), filter, path)
    }

    /// Demo mode only: ticks or unticks the demo gateway's dashboard box
    /// "allow withdraw and send transaction from terminal's wallet", so an
    /// owner in training sees both answers a real Counos terminal gives.
    pub async fn demo_withdraw_permission(&self, _: &Unlocked, permitted: bool) -> Result<()> {
        let Some(base) = self.sandbox_url() else {
            return Err(Error::NotAllowed(
                "This is a real gateway: allow withdrawals in the Counos dashboard (account/terminals).".into(),
            ));
        };
        let response = reqwest::Client::new()
            .post(format!("{base}/control/counos/withdraw-permission"))
            .json(&serde_json::json!({ "permitted": permitted }))
            .send()
            .await
            .map_err(|e| Error::GatewayUnreachable {
                gateway: GatewayKind::Demo.name().into(),
                detail: e.to_string(),
            })?;
        if !response.status().is_success() {
            return Err(Error::GatewayRefused {
                gateway: GatewayKind::Demo.name().into(),
                message: response.text().await.unwrap_or_default(),
            });
        }
        Ok(())
    }
}

/// Files a gateway's key under this till, for the window and the command
/// line alike. This till's keys are now the ones its ledger points at.
pub fn set_key(
    unlocked: &Unlocked,
    ledger: &Ledger,
    keys: &crate::keystore::KeyStore,
    kind: GatewayKind,
    key: &Sensitive<String>,
) -> Result<()> {
    keys::migrate_legacy(unlocked, ledger, keys)?;
    keys.set(kind.keyring_account(), key)?;
    if let Some(identity) = keys.till() {
        ledger.set_setting(crate::till::KEYS_IDENTITY, identity)?;
    }
    Ok(())
}

/// Removes a gateway's key from this till; refused for the gateway saved
/// for the next start, which could not open without it.
pub fn delete_key(
    _: &Unlocked,
    ledger: &Ledger,
    keys: &crate::keystore::KeyStore,
    kind: GatewayKind,
) -> Result<()> {
    let saved = ledger.setting("gateway")?;
    if kind != GatewayKind::Demo && saved.as_deref() == Some(kind.as_str()) {
        return Err(Error::NotAllowed(format!(
            "{} is the gateway chosen for this till; its key cannot be deleted. Choose another gateway first.",
            kind.label()
        )));
    }
    keys.delete(kind.keyring_account())
}

pub fn parse_gateway(name: &str) -> Result<GatewayKind> {
    GatewayKind::parse(name.trim()).ok_or_else(|| {
        Error::Input(format!(
            "'{name}' is not a gateway. Choose demo, counos, coingate or coingate-sandbox."
        ))
    })
}
