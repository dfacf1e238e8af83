//! The owner facade: what the owner screens and owner commands do on an
//! open till.

use crate::error::ErrorKind;
use crate::said::Said;
use chrono::{DateTime, Utc};
use cryptill_sandbox::client::Control;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::gateways::{delete_key, parse_gateway, set_key, switch_gateway, GATEWAYS};
use super::session::{Session, Unlocked};
use super::{keys, pin};
use crate::checkout::Checkout;
use crate::error::{Error, Result};
use crate::gateway::{Balance, GatewayKind, WithdrawReceipt, WithdrawRequest, Withdrawal};
use crate::keystore::KeyStore;
use crate::ledger::{Ledger, WithdrawalRequest};
use crate::money::{Currency, Money};
use crate::report::{self, PageRequest, SaleFilter, SalePage, ZReport};
use crate::secret::Sensitive;
use crate::settings::Settings;

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

/// The owner's side of an open till, as `till.owner()` hands it out (like
/// `till.checkout()` for the cashier's side). Every operation but the
/// session's own takes the [`Unlocked`] proof.
pub struct Owner<'a> {
    ledger: &'a Ledger,
    keys: &'a KeyStore,
    checkout: &'a Checkout,
    session: &'a Session,
    /// The embedded sandbox's address, in demo mode.
    sandbox_url: Option<String>,
}

impl<'a> Owner<'a> {
    pub fn new(
        ledger: &'a Ledger,
        keys: &'a KeyStore,
        checkout: &'a Checkout,
        session: &'a Session,
        sandbox_url: Option<String>,
    ) -> Self {
        Self {
            ledger,
            keys,
            checkout,
            session,
            sandbox_url,
        }
    }

    fn ledger(&self) -> &'a Ledger {
        self.ledger
    }

    fn keys(&self) -> &'a KeyStore {
        self.keys
    }

    fn checkout(&self) -> &'a Checkout {
        self.checkout
    }

    pub fn session(&self) -> &'a Session {
        self.session
    }

    /// The window's unlock: opens the session, then, the first time, moves
    /// keys from before keys belonged to the till (under the PIN just given).
    pub fn unlock(&self, pin: &Sensitive<String>, now: DateTime<Utc>) -> Result<()> {
        self.session().unlock(self.ledger(), pin, now)?;
        let unlocked = self.check(now)?;
        if let Err(e) = keys::migrate_legacy(&unlocked, self.ledger(), self.keys()) {
            tracing::warn!("could not move the keys from before keys belonged to the till: {e}");
        }
        Ok(())
    }

    /// Moves this ledger's keys from the folder or computer it came from.
    pub fn move_keys(&self, unlocked: &Unlocked) -> Result<keys::Moved> {
        keys::move_keys(unlocked, self.ledger(), self.keys())
    }

    pub fn status(&self, now: DateTime<Utc>) -> Result<OwnerStatus> {
        let settings = Settings::load(self.ledger())?;
        Ok(OwnerStatus {
            pin_set: pin::is_set(self.ledger())?,
            unlocked: self.session().is_unlocked(now, settings.idle_lock_minutes),
            idle_lock_minutes: settings.idle_lock_minutes,
            lock_on_blur: settings.lock_on_blur,
        })
    }

    /// The proof for one owner operation from the window's session.
    pub fn check(&self, now: DateTime<Utc>) -> Result<Unlocked> {
        let idle = Settings::load(self.ledger())?.idle_lock_minutes;
        self.session().check(now, idle)
    }

    pub fn settings(&self, _: &Unlocked) -> Result<Settings> {
        Settings::load(self.ledger())
    }

    pub fn save_settings(&self, _: &Unlocked, settings: &Settings) -> Result<Settings> {
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
            return Err(Error::not_allowed(Said::gateway_key_in_use(kind.label())));
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
            .ok_or_else(|| Error::input(Said::withdraw_coin_unknown(symbol)))?;
        let address = form.address.trim();
        if address.is_empty() {
            return Err(Error::input(Said::withdraw_address_missing()));
        }
        let amount = Money::parse_entry(&form.amount, &Currency::new(&coin.symbol, coin.decimals))?;
        let gateway = self.checkout().gateway();
        // One till of the shop at a time sends from the shared account.
        let _turn = self.ledger().withdrawal_turn(gateway.kind().as_str())?;
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
                    Some(&receipt.said),
                    gateway_id.as_deref(),
                )?;
                Ok(WithdrawOutcome { receipt, request })
            }
            Err(e) => {
                let outcome = match e {
                    Error::GatewayRefused { .. }
                    | Error::NotAllowed(_)
                    | Error::Input(_)
                    | Error::Said {
                        kind: ErrorKind::NotAllowed | ErrorKind::Input,
                        ..
                    } => "refused",
                    _ => "failed",
                };
                // Its sentence too, so owner mode says it in the shop's
                // language; an error without one is kept in English only.
                self.ledger().answer_withdrawal_request(
                    id,
                    outcome,
                    &e.to_string(),
                    e.said().as_ref(),
                    None,
                )?;
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

    /// One page of the sales history, newest first.
    pub fn sales_history(
        &self,
        _: &Unlocked,
        filter: &SaleFilter,
        page: &PageRequest,
    ) -> Result<SalePage> {
        report::history_page(self.ledger(), filter, page)
    }

    /// The tills of the ledger, by name (see [`crate::ledger::Ledger::tills`]).
    pub fn tills(&self, _: &Unlocked) -> Result<Vec<String>> {
        self.ledger().tills()
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
        let Some(base) = self.sandbox_url.clone() else {
            return Err(Error::not_allowed(Said::withdraw_permission_real_gateway()));
        };
        Control::new(&base)?.permit_withdrawals(permitted).await?;
        Ok(())
    }
}
