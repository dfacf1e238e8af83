//! The owner's Tauri commands: argument plumbing only. Every `owner_*`
//! command takes [`Owner`], the proof of an unlocked session, so whatever
//! the webview sends, a locked till answers `notAllowed`. The `session_*`
//! commands are the way in and out, and tell nothing but whether a PIN is
//! set and the session is open.

use std::path::PathBuf;

use chrono::Utc;
use cryptill_core::checkout::CoinNetwork;
use cryptill_core::gateway::Withdrawal;
use cryptill_core::ledger::WithdrawalRequest;
use cryptill_core::owner::{
    self, Balances, GatewayChoice, OwnerStatus, WithdrawForm, WithdrawOutcome,
};
use cryptill_core::report::{PageRequest, SaleFilter, SalePage, ZReport};
use cryptill_core::secret::Sensitive;
use cryptill_core::settings::Settings;
use cryptill_core::AppError;
use tauri::State;

use super::gate::Owner;
use crate::shop::Shop;

#[tauri::command]
pub async fn session_status(shop: State<'_, Shop>) -> Result<OwnerStatus, AppError> {
    Ok(shop.till()?.owner().status(Utc::now())?)
}

/// First start only: sets the owner PIN and opens the session.
#[tauri::command]
pub async fn session_set_pin(shop: State<'_, Shop>, pin: String) -> Result<OwnerStatus, AppError> {
    let till = shop.till()?;
    let pin = Sensitive::new(pin);
    owner::pin::set_first(till.ledger(), &pin)?;
    till.owner().unlock(&pin, Utc::now())?;
    Ok(till.owner().status(Utc::now())?)
}

#[tauri::command]
pub async fn session_unlock(shop: State<'_, Shop>, pin: String) -> Result<OwnerStatus, AppError> {
    let till = shop.till()?;
    // The first unlock after the update also moves the till's old keys.
    till.owner().unlock(&Sensitive::new(pin), Utc::now())?;
    Ok(till.owner().status(Utc::now())?)
}

#[tauri::command]
pub async fn session_lock(shop: State<'_, Shop>) -> Result<(), AppError> {
    shop.till()?.owner().session().lock();
    Ok(())
}

#[tauri::command]
pub async fn owner_settings(owner: Owner) -> Result<Settings, AppError> {
    Ok(owner.till.owner().settings(&owner.unlocked)?)
}

#[tauri::command]
pub async fn owner_save_settings(owner: Owner, settings: Settings) -> Result<Settings, AppError> {
    Ok(owner
        .till
        .owner()
        .save_settings(&owner.unlocked, &settings)?)
}

/// Every coin and network the gateway offers, and the one each coin is
/// taken on, for the network picker in Settings.
#[tauri::command]
pub async fn owner_coin_networks(owner: Owner) -> Result<Vec<CoinNetwork>, AppError> {
    let till = owner.till;
    Ok(till.checkout().coin_networks().await?)
}

#[tauri::command]
pub async fn owner_gateway(owner: Owner) -> Result<GatewayChoice, AppError> {
    Ok(owner.till.owner().gateway_choice(&owner.unlocked)?)
}

#[tauri::command]
pub async fn owner_choose_gateway(
    owner: Owner,
    gateway: String,
    base_url: Option<String>,
) -> Result<GatewayChoice, AppError> {
    Ok(owner
        .till
        .owner()
        .choose_gateway(&owner.unlocked, &gateway, base_url.as_deref())?)
}

/// The key goes from the password field to the OS keyring; only "set or
/// not" comes back.
#[tauri::command]
pub async fn owner_set_key(
    owner: Owner,
    gateway: String,
    key: String,
) -> Result<GatewayChoice, AppError> {
    let key = Sensitive::new(key);
    Ok(owner
        .till
        .owner()
        .set_gateway_key(&owner.unlocked, &gateway, key)?)
}

#[tauri::command]
pub async fn owner_delete_key(owner: Owner, gateway: String) -> Result<GatewayChoice, AppError> {
    Ok(owner
        .till
        .owner()
        .delete_gateway_key(&owner.unlocked, &gateway)?)
}

#[tauri::command]
pub async fn owner_test_key(owner: Owner) -> Result<String, AppError> {
    Ok(owner.till.owner().test_gateway_key(&owner.unlocked).await?)
}

#[tauri::command]
pub async fn owner_balances(owner: Owner) -> Result<Balances, AppError> {
    Ok(owner.till.owner().balances(&owner.unlocked).await?)
}

#[tauri::command]
pub async fn owner_withdrawals(
    owner: Owner,
    search: Option<String>,
) -> Result<Vec<Withdrawal>, AppError> {
    Ok(owner
        .till
        .owner()
        .withdrawals(&owner.unlocked, search.as_deref())
        .await?)
}

#[tauri::command]
pub async fn owner_withdrawal_requests(owner: Owner) -> Result<Vec<WithdrawalRequest>, AppError> {
    Ok(owner.till.owner().withdrawal_requests(&owner.unlocked)?)
}

#[tauri::command]
pub async fn owner_withdraw(owner: Owner, form: WithdrawForm) -> Result<WithdrawOutcome, AppError> {
    Ok(owner.till.owner().withdraw(&owner.unlocked, &form).await?)
}

#[tauri::command]
pub async fn owner_demo_withdraw_permission(owner: Owner, permitted: bool) -> Result<(), AppError> {
    Ok(owner
        .till
        .owner()
        .demo_withdraw_permission(&owner.unlocked, permitted)
        .await?)
}

#[tauri::command]
pub async fn owner_report(owner: Owner, filter: SaleFilter) -> Result<ZReport, AppError> {
    Ok(owner.till.owner().day_report(&owner.unlocked, &filter)?)
}

/// One page of the sales history, newest first; `page` none: the first.
#[tauri::command]
pub async fn owner_sales(
    owner: Owner,
    filter: SaleFilter,
    page: Option<PageRequest>,
) -> Result<SalePage, AppError> {
    Ok(owner
        .till
        .owner()
        .sales_history(&owner.unlocked, &filter, &page.unwrap_or_default())?)
}

/// Writes the CSV where the owner typed (a full path to a .csv file);
/// returns the number of sales written.
#[tauri::command]
pub async fn owner_export_csv(
    owner: Owner,
    filter: SaleFilter,
    path: String,
) -> Result<usize, AppError> {
    Ok(owner
        .till
        .owner()
        .export_csv(&owner.unlocked, &filter, &PathBuf::from(path.trim()))?)
}

/// The names of the ledger's tills: several on a shared ledger, where the
/// owner's history and report offer a till filter.
#[tauri::command]
pub async fn owner_tills(owner: Owner) -> Result<Vec<String>, AppError> {
    Ok(owner.till.owner().tills(&owner.unlocked)?)
}

#[tauri::command]
pub async fn owner_change_pin(owner: Owner, current: String, new: String) -> Result<(), AppError> {
    let till = owner.till;
    Ok(owner::pin::change(
        till.ledger(),
        &Sensitive::new(current),
        &Sensitive::new(new),
        Utc::now(),
    )?)
}

/// Locks owner mode when the window loses focus, if the owner chose so.
pub fn on_window_event<R: tauri::Runtime>(window: &tauri::Window<R>, event: &tauri::WindowEvent) {
    use tauri::Manager;
    if let tauri::WindowEvent::Focused(false) = event {
        let Some(shop) = window.try_state::<Shop>() else {
            return;
        };
        // Not open yet: nobody can have unlocked the owner's screens.
        let Some(till) = shop.till_if_open() else {
            return;
        };
        let lock = Settings::load(till.ledger())
            .map(|s| s.lock_on_blur)
            .unwrap_or(true);
        if lock {
            till.owner().session().lock();
        }
    }
}
