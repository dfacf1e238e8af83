//! Tauri commands: argument plumbing only. Each one is also listed in
//! `build.rs` (which makes its permission) and granted in `capabilities/`.

use cryptill_core::checkout::{Payment, Quote};
use cryptill_core::gateway::Coin;
use cryptill_core::{AppError, AppInfo};
use tauri::ipc::Channel;
use tauri::State;

use crate::Shop;

#[tauri::command]
pub async fn app_info(shop: State<'_, Shop>) -> Result<AppInfo, AppError> {
    Ok(shop.till()?.info()?)
}

#[tauri::command]
pub async fn list_coins(shop: State<'_, Shop>) -> Result<Vec<Coin>, AppError> {
    Ok(shop.till()?.checkout().coins().await?)
}

#[tauri::command]
pub async fn quote(shop: State<'_, Shop>, amount: String, coin: String) -> Result<Quote, AppError> {
    Ok(shop.till()?.checkout().quote(&amount, &coin).await?)
}

#[tauri::command]
pub async fn charge(
    shop: State<'_, Shop>,
    amount: String,
    coin: String,
) -> Result<Payment, AppError> {
    Ok(shop.till()?.checkout().charge(&amount, &coin).await?)
}

/// Pushes the sale's payment state to `on_update` until it is final. Polling
/// runs in Rust, only while a payment screen is open: a new watch stops the
/// previous one, and a closed channel ends it.
#[tauri::command]
pub async fn watch_sale(
    shop: State<'_, Shop>,
    sale_id: i64,
    on_update: Channel<Payment>,
) -> Result<(), AppError> {
    let till = shop.till()?;
    // Fail now on an unknown sale rather than inside the background task.
    till.checkout().sale(sale_id)?;
    let task = tauri::async_runtime::spawn(async move {
        let followed = till
            .checkout()
            .follow(sale_id, |payment| on_update.send(payment).is_ok())
            .await;
        if let Err(e) = followed {
            tracing::warn!(sale = sale_id, "stopped following the sale: {e}");
        }
    });
    let previous = shop
        .watch
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .replace(task);
    if let Some(previous) = previous {
        previous.abort();
    }
    Ok(())
}

#[tauri::command]
pub async fn simulate_payment(shop: State<'_, Shop>, sale_id: i64) -> Result<(), AppError> {
    Ok(shop.till()?.simulate_payment(sale_id).await?)
}
