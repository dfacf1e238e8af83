//! Refunds (issue 18): the counter asks and, with the owner's PIN typed on
//! the spot, approves and sends; owner mode lists, approves, rejects and
//! sends. Argument plumbing only: every check is the core's
//! (cryptill_core::refund), shared with the command line.

use cryptill_core::ledger::RefundRecord;
use cryptill_core::refund::{Asker, RefundForm, RefundPreview, RefundSuggestion, Resolution};
use cryptill_core::secret::Sensitive;
use cryptill_core::AppError;
use tauri::State;

use super::gate::Owner;
use crate::shop::Shop;

/// The refund form's starting point for a sale of this shift.
#[tauri::command]
pub async fn refund_suggestion(
    shop: State<'_, Shop>,
    sale_id: i64,
) -> Result<RefundSuggestion, AppError> {
    Ok(shop.till()?.refunds().prepare(&sale_id.to_string()).await?)
}

/// A cashier asks for a refund; it waits for the owner.
#[tauri::command]
pub async fn refund_request(
    shop: State<'_, Shop>,
    form: RefundForm,
) -> Result<RefundRecord, AppError> {
    let till = shop.till()?;
    let refunds = till.refunds();
    Ok(refunds.request(&form, refunds.counter_asker()?, None)?)
}

/// The owner types the PIN at the counter: the refund is approved and sent
/// at once; owner mode stays locked.
#[tauri::command]
pub async fn refund_approve_with_pin(
    shop: State<'_, Shop>,
    refund_id: i64,
    pin: String,
) -> Result<RefundRecord, AppError> {
    Ok(shop
        .till()?
        .refunds()
        .approve_with_pin(refund_id, &Sensitive::new(pin))
        .await?)
}

/// A sale's refunds, for its detail and the waiting screen.
#[tauri::command]
pub async fn sale_refunds(
    shop: State<'_, Shop>,
    sale_id: i64,
) -> Result<Vec<RefundRecord>, AppError> {
    Ok(shop.till()?.refunds().of_sale(sale_id)?)
}

/// Every refund, newest first, after asking the gateway about the sent ones.
#[tauri::command]
pub async fn owner_refunds(owner: Owner) -> Result<Vec<RefundRecord>, AppError> {
    let refunds = owner.till.refunds();
    refunds.follow_all().await?;
    Ok(refunds.list()?)
}

/// The owner's own refund: approved as it is asked, then sent.
#[tauri::command]
pub async fn owner_refund(owner: Owner, form: RefundForm) -> Result<RefundRecord, AppError> {
    let refunds = owner.till.refunds();
    let record = refunds.request(&form, Asker::Owner, Some(&owner.unlocked))?;
    Ok(refunds.send(&owner.unlocked, record.id).await?)
}

/// Approves a cashier's refund and sends it.
#[tauri::command]
pub async fn owner_refund_approve(owner: Owner, refund_id: i64) -> Result<RefundRecord, AppError> {
    let refunds = owner.till.refunds();
    refunds.approve(&owner.unlocked, refund_id)?;
    Ok(refunds.send(&owner.unlocked, refund_id).await?)
}

#[tauri::command]
pub async fn owner_refund_reject(
    owner: Owner,
    refund_id: i64,
    why: String,
) -> Result<RefundRecord, AppError> {
    Ok(owner
        .till
        .refunds()
        .reject(&owner.unlocked, refund_id, &why)?)
}

/// Sends an approved refund again after its first try could not be sent.
#[tauri::command]
pub async fn owner_refund_send(owner: Owner, refund_id: i64) -> Result<RefundRecord, AppError> {
    Ok(owner
        .till
        .refunds()
        .send(&owner.unlocked, refund_id)
        .await?)
}

/// The counter's read-back before asking: the form checked as the request
/// checks it, with the address as a QR.
#[tauri::command]
pub async fn refund_preview(
    shop: State<'_, Shop>,
    form: RefundForm,
) -> Result<RefundPreview, AppError> {
    Ok(shop.till()?.refunds().preview(&form)?)
}

/// Demo mode only: the owner confirms the demo gateway's withdrawal e-mail.
#[tauri::command]
pub async fn owner_demo_confirm_refund(
    owner: Owner,
    refund_id: i64,
) -> Result<RefundRecord, AppError> {
    Ok(owner
        .till
        .refunds()
        .demo_confirm_email(
            &owner.unlocked,
            owner.till.sandbox_url().as_deref(),
            refund_id,
        )
        .await?)
}

/// Settles a refund whose answer was lost, after the owner checked the
/// gateway's dashboard: `sent` (with the dashboard's id, if shown) or
/// failed. The core asks the gateway first and records what it holds.
#[tauri::command]
pub async fn owner_refund_resolve(
    owner: Owner,
    refund_id: i64,
    sent: bool,
    gateway_id: Option<String>,
) -> Result<RefundRecord, AppError> {
    let resolution = if sent {
        Resolution::Sent(gateway_id)
    } else {
        Resolution::Failed
    };
    Ok(owner
        .till
        .refunds()
        .resolve(&owner.unlocked, refund_id, resolution)
        .await?)
}
