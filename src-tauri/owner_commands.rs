//! The owner's Tauri commands: argument plumbing only. Every `owner_*`
//! command first asks the core for the owner proof (`Till::owner_check`), so
//! whatever the webview sends, a locked till answers `notAllowed`. The
//! `session_*` commands are the way in and out, and tell nothing but whether
//! a PIN is set and the session is open.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::Utc;
use cryptill_core::checkout::CoinNetwork;
use cryptill_core::gateway::Withdrawal;
use cryptill_core::ledger::WithdrawalRequest;
use cryptill_core::owner::{
    self, Balances, GatewayChoice, OwnerStatus, Unlocked, WithdrawForm, WithdrawOutcome,
};
use cryptill_core::report::{SaleFilter, SaleRow, ZReport};
use cryptill_core::secret::Sensitive;
use cryptill_core::settings::Settings;
use cryptill_core::{AppError, Till};
use tauri::State;

use crate::Shop;

/// Every command that needs the unlocked owner session. The IPC test calls
/// each one on a locked till and expects a refusal; it also checks that
/// every generated `owner_*` permission is listed here.
pub const OWNER_COMMANDS: &[&str] = &[
    "owner_settings",
    "owner_save_settings",
    "owner_gateway",
    "owner_choose_gateway",
    "owner_set_key",
    "owner_delete_key",
    "owner_test_key",
    "owner_balances",
    "owner_withdrawals",
    "owner_withdrawal_requests",
    "owner_withdraw",
    "owner_demo_withdraw_permission",
    "owner_report",
    "owner_sales",
    "owner_export_csv",
    "owner_change_pin",
    "owner_coin_networks",
];

/// The till and the owner proof, or the refusal.
fn owner(shop: &Shop) -> Result<(Arc<Till>, Unlocked), AppError> {
    let till = shop.till()?;
    let unlocked = till.owner_check(Utc::now())?;
    Ok((till, unlocked))
}

#[tauri::command]
pub async fn session_status(shop: State<'_, Shop>) -> Result<OwnerStatus, AppError> {
    Ok(shop.till()?.owner_status(Utc::now())?)
}

/// First start only: sets the owner PIN and opens the session.
#[tauri::command]
pub async fn session_set_pin(shop: State<'_, Shop>, pin: String) -> Result<OwnerStatus, AppError> {
    let till = shop.till()?;
    let pin = Sensitive::new(pin);
    owner::pin::set_first(till.ledger(), &pin)?;
    till.owner_unlock(&pin, Utc::now())?;
    Ok(till.owner_status(Utc::now())?)
}

#[tauri::command]
pub async fn session_unlock(shop: State<'_, Shop>, pin: String) -> Result<OwnerStatus, AppError> {
    let till = shop.till()?;
    // The first unlock after the update also moves the till's old keys.
    till.owner_unlock(&Sensitive::new(pin), Utc::now())?;
    Ok(till.owner_status(Utc::now())?)
}

#[tauri::command]
pub async fn session_lock(shop: State<'_, Shop>) -> Result<(), AppError> {
    shop.till()?.owner_session().lock();
    Ok(())
}

#[tauri::command]
pub async fn owner_settings(shop: State<'_, Shop>) -> Result<Settings, AppError> {
    let (till, ok) = owner(&shop)?;
    Ok(till.owner_settings(&ok)?)
}

#[tauri::command]
pub async fn owner_save_settings(
    shop: State<'_, Shop>,
    settings: Settings,
) -> Result<Settings, AppError> {
    let (till, ok) = owner(&shop)?;
    Ok(till.save_owner_settings(&ok, &settings)?)
}

/// Every coin and network the gateway offers, and the one each coin is
/// taken on, for the network picker in Settings.
#[tauri::command]
pub async fn owner_coin_networks(shop: State<'_, Shop>) -> Result<Vec<CoinNetwork>, AppError> {
    let (till, _ok) = owner(&shop)?;
    Ok(till.checkout().coin_networks().await?)
}

#[tauri::command]
pub async fn owner_gateway(shop: State<'_, Shop>) -> Result<GatewayChoice, AppError> {
    let (till, ok) = owner(&shop)?;
    Ok(till.gateway_choice(&ok)?)
}

#[tauri::command]
pub async fn owner_choose_gateway(
    shop: State<'_, Shop>,
    gateway: String,
    base_url: Option<String>,
) -> Result<GatewayChoice, AppError> {
    let (till, ok) = owner(&shop)?;
    Ok(till.choose_gateway(&ok, &gateway, base_url.as_deref())?)
}

/// The key goes from the password field to the OS keyring; only "set or
/// not" comes back.
#[tauri::command]
pub async fn owner_set_key(
    shop: State<'_, Shop>,
    gateway: String,
    key: String,
) -> Result<GatewayChoice, AppError> {
    let key = Sensitive::new(key);
    let (till, ok) = owner(&shop)?;
    Ok(till.set_gateway_key(&ok, &gateway, key)?)
}

#[tauri::command]
pub async fn owner_delete_key(
    shop: State<'_, Shop>,
    gateway: String,
) -> Result<GatewayChoice, AppError> {
    let (till, ok) = owner(&shop)?;
    Ok(till.delete_gateway_key(&ok, &gateway)?)
}

#[tauri::command]
pub async fn owner_test_key(shop: State<'_, Shop>) -> Result<String, AppError> {
    let (till, ok) = owner(&shop)?;
    Ok(till.test_gateway_key(&ok).await?)
}

#[tauri::command]
pub async fn owner_balances(shop: State<'_, Shop>) -> Result<Balances, AppError> {
    let (till, ok) = owner(&shop)?;
    Ok(till.balances(&ok).await?)
}

#[tauri::command]
pub async fn owner_withdrawals(
    shop: State<'_, Shop>,
    search: Option<String>,
) -> Result<Vec<Withdrawal>, AppError> {
    let (till, ok) = owner(&shop)?;
    Ok(till.withdrawals(&ok, search.as_deref()).await?)
}

#[tauri::command]
pub async fn owner_withdrawal_requests(
    shop: State<'_, Shop>,
) -> Result<Vec<WithdrawalRequest>, AppError> {
    let (till, ok) = owner(&shop)?;
    Ok(till.withdrawal_requests(&ok)?)
}

#[tauri::command]
pub async fn owner_withdraw(
    shop: State<'_, Shop>,
    form: WithdrawForm,
) -> Result<WithdrawOutcome, AppError> {
    let (till, ok) = owner(&shop)?;
    Ok(till.withdraw(&ok, &form).await?)
}

#[tauri::command]
pub async fn owner_demo_withdraw_permission(
    shop: State<'_, Shop>,
    permitted: bool,
) -> Result<(), AppError> {
    let (till, ok) = owner(&shop)?;
    Ok(till.demo_withdraw_permission(&ok, permitted).await?)
}

#[tauri::command]
pub async fn owner_report(shop: State<'_, Shop>, filter: SaleFilter) -> Result<ZReport, AppError> {
    let (till, ok) = owner(&shop)?;
    Ok(till.day_report(&ok, &filter)?)
}

#[tauri::command]
pub async fn owner_sales(
    shop: State<'_, Shop>,
    filter: SaleFilter,
) -> Result<Vec<SaleRow>, AppError> {
    let (till, ok) = owner(&shop)?;
    Ok(till.sales_history(&ok, &filter)?)
}

/// Writes the CSV where the owner typed (a full path to a .csv file);
/// returns the number of sales written.
#[tauri::command]
pub async fn owner_export_csv(
    shop: State<'_, Shop>,
    filter: SaleFilter,
    path: String,
) -> Result<usize, AppError> {
    let (till, ok) = owner(&shop)?;
    Ok(till.export_csv(&ok, &filter, &PathBuf::from(path.trim()))?)
}

#[tauri::command]
pub async fn owner_change_pin(
    shop: State<'_, Shop>,
    current: String,
    new: String,
) -> Result<(), AppError> {
    let (till, _ok) = owner(&shop)?;
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
        let Ok(till) = shop.till() else { return };
        let lock = Settings::load(till.ledger())
            .map(|s| s.lock_on_blur)
            .unwrap_or(true);
        if lock {
            till.owner_session().lock();
        }
    }
}
