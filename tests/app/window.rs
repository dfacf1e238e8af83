//! A window on Tauri's mock runtime, built by the app's own `builder()` and
//! driven through IPC as the webview drives it.

use cryptill_app::{builder, Shop};
use cryptill_core::{AppError, Till, TillConfig};
use serde_json::Value;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindowBuilder;

/// The app's own `builder()` on the mock runtime, with one webview.
pub struct Window {
    pub dir: tempfile::TempDir,
    _app: tauri::App<tauri::test::MockRuntime>,
    pub webview: tauri::WebviewWindow<tauri::test::MockRuntime>,
}

pub fn window(till: Result<Till, AppError>, dir: tempfile::TempDir) -> Window {
    window_on(Shop::new(till), dir)
}

/// The same window on a `Shop` as given (e.g. one whose till is still opening).
pub fn window_on(shop: Shop, dir: tempfile::TempDir) -> Window {
    let app = builder(mock_builder())
        .manage(shop)
        .build(mock_context(noop_assets()))
        .expect("mock app builds");
    let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    Window {
        dir,
        _app: app,
        webview,
    }
}

/// A demo till in a temp dir, its key under a keyring service of its own
/// (`name`), so tests never touch the shop's real keys.
pub fn demo_window(name: &str) -> Window {
    let dir = tempfile::tempdir().unwrap();
    let config = demo_config(name, &dir);
    let till = tauri::async_runtime::block_on(Till::open(config));
    window(till.map_err(Into::into), dir)
}

/// A demo till's settings in `dir`, its key under a keyring service of its own.
pub fn demo_config(name: &str, dir: &tempfile::TempDir) -> TillConfig {
    let mut config = TillConfig::new(dir.path());
    config.keyring_service = format!("cryptill-test-{name}-{}", std::process::id());
    config
}

pub fn invoke(w: &Window, cmd: &str, args: Value) -> Result<Value, Value> {
    get_ipc_response(
        &w.webview,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            // On Linux the IPC request must come from the tauri:// origin.
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().unwrap())
}

/// A sale as the counter makes it: Charge (`charge_sale`), recorded and
/// placed in one call.
pub fn charge(w: &Window, amount: &str, coin: &str) -> Result<Value, Value> {
    let entry = serde_json::json!({"lines": [{"amount": amount}], "coin": coin});
    invoke(w, "charge_sale", serde_json::json!({ "entry": entry }))
}
