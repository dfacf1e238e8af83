//! The counter's and the customer display's Tauri commands: argument
//! plumbing only.

use cryptill_core::checkout::{
    CustomerView, Payment, Quote, Receipt, SaleEntry, SaleSummary, Simulation,
};
use cryptill_core::gateway::Coin;
use cryptill_core::settings::Settings;
use cryptill_core::{AppError, AppInfo};
use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State};

use crate::customer;
use crate::shop::Shop;

#[tauri::command]
pub async fn app_info(shop: State<'_, Shop>) -> Result<AppInfo, AppError> {
    Ok(shop.till()?.info()?)
}

#[tauri::command]
pub async fn list_coins(shop: State<'_, Shop>) -> Result<Vec<Coin>, AppError> {
    Ok(shop.till()?.checkout().offered_coins().await?)
}

#[tauri::command]
pub async fn watch_sale<R: Runtime>(
    app: AppHandle<R>,
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
            .follow(sale_id, |payment| {
                // The customer display follows the same updates.
                customer::update(&app, &payment);
                on_update.send(payment).is_ok()
            })
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

/// Demo mode only: the sandbox makes the customer's wallet (or the clock)
/// do `kind` to the sale: full, part or over-payment, or expiry.
#[tauri::command]
pub async fn simulate(
    shop: State<'_, Shop>,
    sale_id: i64,
    kind: Simulation,
) -> Result<(), AppError> {
    Ok(shop.till()?.simulate(sale_id, kind).await?)
}

/// The shop settings the counter follows (locale, tips, maximum, sound, coins).
#[tauri::command]
pub async fn counter_settings(shop: State<'_, Shop>) -> Result<Settings, AppError> {
    Ok(Settings::load(shop.till()?.ledger())?)
}

/// The live price of `amount` in every coin offered.
#[tauri::command]
pub async fn quotes(shop: State<'_, Shop>, amount: String) -> Result<Vec<Quote>, AppError> {
    Ok(shop.till()?.checkout().quotes(&amount).await?)
}

/// Charge: records the sale and creates its order, in one call from the
/// keypad to the QR. A failure after the sale was recorded carries its
/// `saleId`, which Retry places with `place_sale`.
#[tauri::command]
pub async fn charge_sale(shop: State<'_, Shop>, entry: SaleEntry) -> Result<Payment, AppError> {
    Ok(shop.till()?.checkout().charge_sale(&entry).await?)
}

/// Creates the order of a recorded sale (a charge's that failed, a sale
/// tried again); the Retry after any failure, which finds the same order
/// instead of making a second one.
#[tauri::command]
pub async fn place_sale(shop: State<'_, Shop>, sale_id: i64) -> Result<Payment, AppError> {
    Ok(shop.till()?.checkout().place(sale_id).await?)
}

/// A fresh sale for an expired one; placed with `place_sale`.
#[tauri::command]
pub async fn try_again(shop: State<'_, Shop>, sale_id: i64) -> Result<Payment, AppError> {
    Ok(shop.till()?.checkout().try_again(sale_id).await?)
}

#[tauri::command]
pub async fn void_sale(shop: State<'_, Shop>, sale_id: i64) -> Result<Payment, AppError> {
    Ok(shop.till()?.checkout().void(sale_id).await?)
}

#[tauri::command]
pub async fn mark_for_owner(shop: State<'_, Shop>, sale_id: i64) -> Result<Payment, AppError> {
    Ok(shop.till()?.checkout().mark_for_owner(sale_id)?)
}

/// The sales left open by the last run, each asked about again (once per
/// run); and refunds whose gateway answer the last run never wrote down,
/// looked up at the gateway (issue 18).
#[tauri::command]
pub async fn resumed_sales(shop: State<'_, Shop>) -> Result<Vec<Payment>, AppError> {
    let till = shop.till()?;
    let resumed = till.checkout().resume().await;
    if let Err(e) = till.refunds().resolve_lost().await {
        tracing::warn!("could not look up refunds left being sent: {e}");
    }
    Ok(resumed)
}

#[tauri::command]
pub async fn recent_sales(shop: State<'_, Shop>) -> Result<Vec<SaleSummary>, AppError> {
    Ok(shop.till()?.checkout().recent_sales()?)
}

/// The sale's payment screen as stored, to reopen a pending sale's QR.
#[tauri::command]
pub async fn sale_payment(shop: State<'_, Shop>, sale_id: i64) -> Result<Payment, AppError> {
    let till = shop.till()?;
    let sale = till.checkout().sale(sale_id)?;
    Ok(till.checkout().payment(&sale)?)
}

#[tauri::command]
pub async fn receipt(shop: State<'_, Shop>, sale_id: i64) -> Result<Receipt, AppError> {
    Ok(shop.till()?.checkout().receipt(sale_id)?)
}

/// Opens the customer-facing display (or brings it to the front).
#[tauri::command]
pub async fn open_customer_display<R: Runtime>(
    app: AppHandle<R>,
    shop: State<'_, Shop>,
) -> Result<(), AppError> {
    let till = shop.till()?;
    customer::open(&app, till.ledger()).map_err(|e| {
        AppError::plain(
            cryptill_core::ErrorKind::Internal,
            format!("The customer display could not open ({e})."),
        )
    })
}

/// Shows a sale (or, with none, the shop's welcome) on the customer display.
#[tauri::command]
pub async fn show_on_customer_display<R: Runtime>(
    app: AppHandle<R>,
    shop: State<'_, Shop>,
    sale_id: Option<i64>,
) -> Result<(), AppError> {
    let till = shop.till()?;
    let payment = match sale_id {
        Some(id) => Some(till.checkout().payment(&till.checkout().sale(id)?)?),
        None => None,
    };
    let shop_name = Settings::load(till.ledger())?.shop_name;
    customer::push(&app, CustomerView { shop_name, payment });
    Ok(())
}

/// The customer display's one command: what to show now.
#[tauri::command]
pub async fn customer_view<R: Runtime>(
    app: AppHandle<R>,
    shop: State<'_, Shop>,
) -> Result<CustomerView, AppError> {
    use tauri::Manager;
    let mut view = app.state::<customer::Display>().view();
    if view.shop_name.is_empty() {
        view.shop_name = Settings::load(shop.till()?.ledger())?.shop_name;
    }
    Ok(view)
}

/// When the window's process started (`run`'s first line).
pub(crate) static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// The UI says the keypad can take a key now: the entry screen has been
/// drawn and painted (the UI calls this right after that paint, not at its
/// mount). Logged once per process: "start to an interactive keypad" is the
/// figure issue 11 measures against a bare window (`bench/startup.sh` waits
/// for this line; BENCHMARKS.md), and a slow start shows in the log.
/// `page_ms` is the page's own clock at that moment (milliseconds since
/// its navigation began), so the log splits the start into the part before
/// the page and the page's own part.
#[tauri::command]
pub fn keypad_ready(page_ms: u32) {
    use std::sync::atomic::{AtomicBool, Ordering};
    static SAID: AtomicBool = AtomicBool::new(false);
    if !SAID.swap(true, Ordering::Relaxed) {
        let ms = STARTED.get().map_or(0, |t| t.elapsed().as_millis());
        tracing::info!(
            "the keypad is interactive, {ms} ms after start ({page_ms} ms after the page began loading)"
        );
    }
}
