//! The customer-facing display: a second window (label `customer`) that
//! mirrors the sale on the counter, for a second monitor or a turned tablet.
//! It has no controls and its capability (`capabilities/customer.json`)
//! grants only `customer_view` and listening to the view it is pushed.

use std::sync::Mutex;

pub use cryptill_core::checkout::CustomerView;
use cryptill_core::checkout::{AppEvent, Payment};
use cryptill_core::ledger::Ledger;
use tauri::{Emitter, Manager, Runtime, WebviewUrl, WebviewWindowBuilder, WindowEvent};

pub const LABEL: &str = "customer";
/// Where the window's last position and size are kept (`x,y,width,height`,
/// logical pixels). Window state, not a shop setting: not in `Settings`.
const GEOMETRY_KEY: &str = "customer_display_geometry";

/// The view last pushed, for a window that opens (or reloads) mid-sale.
#[derive(Default)]
pub struct Display {
    view: Mutex<CustomerView>,
}

impl Display {
    pub fn view(&self) -> CustomerView {
        self.view.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The sale shown now, if any.
    pub fn sale_id(&self) -> Option<i64> {
        self.view
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .payment
            .as_ref()
            .map(|p| p.sale_id)
    }
}

/// Shows `view` on the customer display (kept for a window opened later).
pub fn push<R: Runtime>(app: &tauri::AppHandle<R>, view: CustomerView) {
    let display = app.state::<Display>();
    *display.view.lock().unwrap_or_else(|p| p.into_inner()) = view.clone();
    if app.get_webview_window(LABEL).is_some() {
        if let Err(e) = app.emit_to(LABEL, AppEvent::CustomerView.name(), view) {
            tracing::warn!("cannot update the customer display: {e}");
        }
    }
}

/// An update of a sale: shown only if it is the sale on the display.
pub fn update<R: Runtime>(app: &tauri::AppHandle<R>, payment: &Payment) {
    let display = app.state::<Display>();
    if display.sale_id() == Some(payment.sale_id) {
        let mut view = display.view();
        view.payment = Some(payment.clone());
        push(app, view);
    }
}

/// Opens the display where it was last, or brings it to the front.
pub fn open<R: Runtime>(app: &tauri::AppHandle<R>, ledger: &Ledger) -> tauri::Result<()> {
    if let Some(window) = app.get_webview_window(LABEL) {
        window.unminimize()?;
        return window.set_focus();
    }
    let mut builder =
        WebviewWindowBuilder::new(app, LABEL, WebviewUrl::App("index.html#customer".into()))
            .title("Cryptill – customer display")
            .inner_size(720.0, 820.0)
            .min_inner_size(360.0, 480.0);
    if let Some((x, y, w, h)) = ledger
        .setting(GEOMETRY_KEY)
        .ok()
        .flatten()
        .and_then(|g| parse_geometry(&g))
    {
        builder = builder.position(x, y).inner_size(w, h);
    }
    builder.build()?;
    Ok(())
}

fn parse_geometry(text: &str) -> Option<(f64, f64, f64, f64)> {
    let parts: Vec<f64> = text
        .split(',')
        .map(|p| p.trim().parse().ok())
        .collect::<Option<_>>()?;
    match parts[..] {
        [x, y, w, h] if w >= 100.0 && h >= 100.0 => Some((x, y, w, h)),
        _ => None,
    }
}

/// Remembers where the customer display is whenever it moves or resizes.
pub fn on_window_event<R: Runtime>(
    window: &tauri::Window<R>,
    event: &WindowEvent,
    ledger: &Ledger,
) {
    if window.label() != LABEL || !matches!(event, WindowEvent::Moved(_) | WindowEvent::Resized(_))
    {
        return;
    }
    let (Ok(scale), Ok(position), Ok(size)) = (
        window.scale_factor(),
        window.outer_position(),
        window.inner_size(),
    ) else {
        return;
    };
    let position = position.to_logical::<f64>(scale);
    let size = size.to_logical::<f64>(scale);
    let geometry = format!(
        "{:.0},{:.0},{:.0},{:.0}",
        position.x, position.y, size.width, size.height
    );
    if let Err(e) = ledger.set_setting(GEOMETRY_KEY, &geometry) {
        tracing::warn!("cannot remember the customer display's place: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::parse_geometry;

    #[test]
    fn a_saved_geometry_is_read_back_and_nonsense_is_ignored() {
        assert_eq!(
            parse_geometry("10,-20,800,600"),
            Some((10.0, -20.0, 800.0, 600.0))
        );
        assert_eq!(parse_geometry("10,20,800"), None);
        assert_eq!(parse_geometry("a,b,c,d"), None);
        assert_eq!(parse_geometry("0,0,1,1"), None);
    }
}
