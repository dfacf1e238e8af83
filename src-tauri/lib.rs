//! The window: a thin Tauri layer over `cryptill_core::Till`. Commands take
//! what the webview sends, call the core, and return typed results or an
//! `AppError {kind, message}`; no logic lives here.

pub mod commands;
mod customer;
pub mod instance;
mod shop;
mod webview;
pub use webview::paint_without_gl_compositing;

pub use shop::Shop;

use std::sync::Arc;

use cryptill_core::checkout::AppEvent;
use cryptill_core::{AppError, Till, TillConfig};
use tauri::{Emitter, Manager};

/// The command registration, shared by the real app (`tauri::Builder::default()`)
/// and `tauri::test` (`mock_builder()`), so tests exercise the same handler list.
pub fn builder<R: tauri::Runtime>(base: tauri::Builder<R>) -> tauri::Builder<R> {
    base.manage(customer::Display::default())
        .invoke_handler(commands::handler())
        .on_window_event(commands::owner::on_window_event)
        .setup(|app| {
            if let Some(shop) = app.try_state::<Shop>() {
                match shop.till_if_open() {
                    Some(till) => start_watching(app.handle(), &till),
                    // Still opening (`run`): the watcher starts once it is
                    // open, without holding up the window's thread.
                    None => {
                        let app = app.handle().clone();
                        std::thread::spawn(move || {
                            if let Ok(till) = app.state::<Shop>().till() {
                                start_watching(&app, &till);
                            }
                        });
                    }
                }
            }
            if let Some(guard) = app
                .try_state::<instance::Slot>()
                .and_then(|slot| slot.take())
            {
                guard.serve(app.handle().clone());
            }
            Ok(())
        })
}

/// Starts the till's one watcher for the window's lifetime and passes what
/// it sees on: every window hears `sale-updated` (the cashier's toast, the
/// live "Sales this shift"), and the customer display follows the sale it
/// shows, whichever sale the cashier has on screen.
pub fn start_watching<R: tauri::Runtime>(app: &tauri::AppHandle<R>, till: &Arc<Till>) {
    let checkout = till.checkout_handle();
    let mut updates = checkout.subscribe();
    tauri::async_runtime::spawn(checkout.watch());
    forward_print_outcomes(app, till);
    forward_shop_sales(app, till);
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            match updates.recv().await {
                Ok(update) => {
                    customer::update(&app, &update.payment);
                    if let Err(e) = app.emit(AppEvent::SaleUpdated.name(), &update) {
                        tracing::warn!(
                            "cannot tell the window about sale {}: {e}",
                            update.payment.sale_id
                        );
                    }
                }
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(
                        missed,
                        "the window missed sale updates; the list reloads on the next one"
                    );
                }
                Err(RecvError::Closed) => return,
            }
        }
    });
}

/// Every window hears `receipt-print`: a receipt the till printed by
/// itself, or the sentence saying why not (shown without stopping the
/// cashier; the sale is recorded either way).
fn forward_print_outcomes<R: tauri::Runtime>(app: &tauri::AppHandle<R>, till: &Arc<Till>) {
    let mut outcomes = till.printer().subscribe();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            match outcomes.recv().await {
                Ok(outcome) => {
                    if let Err(e) = app.emit(AppEvent::ReceiptPrint.name(), &outcome) {
                        tracing::warn!("cannot tell the window about a receipt: {e}");
                    }
                }
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return,
            }
        }
    });
}

/// On a shared ledger every window hears `shop-sale-changed` when a sale
/// of the shop is made or changes at any till (the server's LISTEN/NOTIFY),
/// and the owner's history and report read again. A till on SQLite never
/// sends it.
fn forward_shop_sales<R: tauri::Runtime>(app: &tauri::AppHandle<R>, till: &Arc<Till>) {
    let (app, till) = (app.clone(), till.clone());
    tauri::async_runtime::spawn(async move {
        use tokio::sync::broadcast::error::RecvError;
        // Starting the listener connects to the server: off the runtime.
        let listening = tauri::async_runtime::spawn_blocking(move || till.ledger().shop_sales());
        let mut changes = match listening.await {
            Ok(Ok(Some(changes))) => changes,
            Ok(Ok(None)) => return,
            Ok(Err(e)) => {
                tracing::warn!("no live updates from the shop's ledger: {e}");
                return;
            }
            Err(e) => {
                tracing::warn!("no live updates from the shop's ledger: {e}");
                return;
            }
        };
        loop {
            match changes.recv().await {
                Ok(change) => {
                    if let Err(e) = app.emit(AppEvent::ShopSaleChanged.name(), &change) {
                        tracing::warn!("cannot tell the window about the shop's sales: {e}");
                    }
                }
                Err(RecvError::Lagged(_)) => {
                    // Many at once: one "read again" says it all.
                    let _ = app.emit(
                        AppEvent::ShopSaleChanged.name(),
                        cryptill_core::ledger::ShopSaleChanged {
                            sale_id: None,
                            till: None,
                        },
                    );
                }
                Err(RecvError::Closed) => return,
            }
        }
    });
}

/// Opens the till from the environment (`CRYPTILL_DATA_DIR` or the OS
/// app-data dir).
pub async fn open_till() -> Result<Till, AppError> {
    let dir = cryptill_core::till::default_data_dir()?;
    Ok(Till::open(TillConfig::new(dir)).await?)
}

pub fn run() {
    let _ = commands::till::STARTED.set(std::time::Instant::now());
    // One window per till: a second launch on the same data folder brings
    // the first window forward and exits (the command line is not affected).
    let instance = match cryptill_core::till::default_data_dir()
        .map_err(AppError::from)
        .and_then(|dir| instance::acquire(&dir))
    {
        Ok(instance::Acquired::First(guard)) => Some(guard),
        Ok(instance::Acquired::HandedOver) => {
            tracing::info!("Cryptill is already open on this till; brought its window forward");
            return;
        }
        Err(e) => {
            tracing::warn!(
                "cannot make sure this is the only window on this till: {}",
                e.message
            );
            None
        }
    };
    // The till (its ledger, the keyring, the demo gateway) opens on a
    // thread of its own while Tauri starts GTK, creates the window and
    // WebKit starts its processes: the keypad does not wait for both one
    // after the other (issue 11, BENCHMARKS.md "Round 23: the app's own
    // process"). A command that comes before it is open waits for it.
    let (opened, opening) = std::sync::mpsc::sync_channel(1);
    std::thread::spawn(move || {
        let till = tauri::async_runtime::block_on(open_till());
        if let Err(e) = &till {
            tracing::error!(kind = ?e.kind, "cannot open the till: {}", e.message);
        }
        let _ = opened.send(till);
    });
    builder(tauri::Builder::default())
        .manage(Shop::opening(opening))
        .manage(instance::Slot::new(instance))
        .on_window_event(|window, event| {
            if let Some(till) = window.try_state::<Shop>().and_then(|s| s.till_if_open()) {
                customer::on_window_event(window, event, till.ledger());
            }
        })
        .run(tauri::generate_context!())
        .expect("the window could not start");
}
