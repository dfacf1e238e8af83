//! Cashiers' and shifts' Tauri commands: argument plumbing only. The
//! `shift_*` commands are the counter's (sign in, switch, X report, close);
//! the `owner_*` ones take [`Owner`], like every owner command.

use cryptill_core::secret::Sensitive;
use cryptill_core::shift::{CashierInfo, ShiftReport, ShiftStatus};
use cryptill_core::AppError;
use tauri::State;

use super::gate::Owner;
use crate::shop::Shop;

/// Who sells now, and whether a sale needs a shift.
#[tauri::command]
pub async fn shift_status(shop: State<'_, Shop>) -> Result<ShiftStatus, AppError> {
    Ok(shop.till()?.shifts().status()?)
}

/// A cashier opens a shift with their PIN.
#[tauri::command]
pub async fn shift_open(
    shop: State<'_, Shop>,
    cashier: String,
    pin: String,
) -> Result<ShiftStatus, AppError> {
    Ok(shop.till()?.shifts().open(&cashier, &Sensitive::new(pin))?)
}

/// Another cashier takes over the open shift with their PIN.
#[tauri::command]
pub async fn shift_switch(
    shop: State<'_, Shop>,
    cashier: String,
    pin: String,
) -> Result<ShiftStatus, AppError> {
    Ok(shop
        .till()?
        .shifts()
        .switch(&cashier, &Sensitive::new(pin))?)
}

/// The X report: the open shift so far.
#[tauri::command]
pub async fn shift_x_report(shop: State<'_, Shop>) -> Result<ShiftReport, AppError> {
    Ok(shop.till()?.shifts().x_report()?)
}

/// Closes the open shift (the window asked for confirmation) and returns its Z report.
#[tauri::command]
pub async fn shift_close(shop: State<'_, Shop>) -> Result<ShiftReport, AppError> {
    Ok(shop.till()?.shifts().close()?)
}

#[tauri::command]
pub async fn owner_cashiers(owner: Owner) -> Result<Vec<CashierInfo>, AppError> {
    Ok(owner.till.shifts().cashiers(&owner.unlocked)?)
}

#[tauri::command]
pub async fn owner_add_cashier(
    owner: Owner,
    name: String,
    pin: String,
) -> Result<CashierInfo, AppError> {
    Ok(owner
        .till
        .shifts()
        .add_cashier(&owner.unlocked, &name, &Sensitive::new(pin))?)
}

#[tauri::command]
pub async fn owner_rename_cashier(
    owner: Owner,
    name: String,
    new_name: String,
) -> Result<CashierInfo, AppError> {
    Ok(owner
        .till
        .shifts()
        .rename_cashier(&owner.unlocked, &name, &new_name)?)
}

#[tauri::command]
pub async fn owner_set_cashier_enabled(
    owner: Owner,
    name: String,
    enabled: bool,
) -> Result<CashierInfo, AppError> {
    Ok(owner
        .till
        .shifts()
        .set_cashier_enabled(&owner.unlocked, &name, enabled)?)
}

/// Every Z report, newest first, as made.
#[tauri::command]
pub async fn owner_shift_reports(owner: Owner) -> Result<Vec<ShiftReport>, AppError> {
    Ok(owner.till.shifts().z_history(&owner.unlocked)?)
}

/// Z report `number`, as made at its close.
#[tauri::command]
pub async fn owner_shift_report(owner: Owner, number: u32) -> Result<ShiftReport, AppError> {
    Ok(owner.till.shifts().z_report(&owner.unlocked, number)?)
}
