//! The receipt printer's Tauri commands: argument plumbing only. The
//! counter prints a paid sale's receipt (again) and a payment slip; the
//! owner chooses the printer, prints its test page and the day's report.

use cryptill_core::printer::{PrinterSettings, ReportKind};
use cryptill_core::report::SaleFilter;
use cryptill_core::AppError;
use tauri::State;

use super::gate::Owner;
use crate::shop::Shop;

/// Whether a receipt printer is set up, so the counter offers to print on it.
#[tauri::command]
pub async fn printer_configured(shop: State<'_, Shop>) -> Result<bool, AppError> {
    Ok(shop.till()?.printer().settings()?.address()?.is_some())
}

/// A paid sale's receipt on the receipt printer (the reprint).
#[tauri::command]
pub async fn print_receipt(shop: State<'_, Shop>, sale_id: i64) -> Result<(), AppError> {
    Ok(shop.till()?.printer().print_receipt(sale_id).await?)
}

/// A waiting sale's payment QR on paper, for the customer to scan.
#[tauri::command]
pub async fn print_payment_slip(shop: State<'_, Shop>, sale_id: i64) -> Result<(), AppError> {
    Ok(shop.till()?.printer().print_payment_slip(sale_id).await?)
}

#[tauri::command]
pub async fn owner_printer_settings(owner: Owner) -> Result<PrinterSettings, AppError> {
    Ok(owner.till.printer().settings()?)
}

#[tauri::command]
pub async fn owner_save_printer_settings(
    owner: Owner,
    settings: PrinterSettings,
) -> Result<PrinterSettings, AppError> {
    Ok(owner
        .till
        .printer()
        .save_settings(&owner.unlocked, &settings)?)
}

/// Prints the test page; answers where it went.
#[tauri::command]
pub async fn owner_print_test_page(owner: Owner) -> Result<String, AppError> {
    Ok(owner.till.printer().test_page(&owner.unlocked).await?)
}

/// The report of `filter` on the receipt printer: an X report (`x`: a look
/// during the day) or the Z report.
#[tauri::command]
pub async fn owner_print_report(owner: Owner, filter: SaleFilter, x: bool) -> Result<(), AppError> {
    let report = owner.till.owner().day_report(&owner.unlocked, &filter)?;
    let kind = if x { ReportKind::X } else { ReportKind::Z };
    Ok(owner
        .till
        .printer()
        .print_report(&owner.unlocked, kind, &report)
        .await?)
}
