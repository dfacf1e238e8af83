//! What the app's integration tests share: a window on the mock runtime
//! driven through IPC, and a sandbox gateway served by a second `cryptill`
//! process.

// Each test crate uses its own part of this module.
#![allow(dead_code)]

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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
    let app = builder(mock_builder())
        .manage(Shop::new(till))
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
    let mut config = TillConfig::new(dir.path());
    config.keyring_service = format!("cryptill-test-{name}-{}", std::process::id());
    let till = tauri::async_runtime::block_on(Till::open(config));
    window(till.map_err(Into::into), dir)
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

/// `cryptill sandbox serve` in its own process; `.1` is its base URL. It
/// stops when dropped.
pub struct Sandbox(Child, pub String);

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Serves the sandbox on a free port with the command `cryptill` builds for
/// the given arguments (so it shares the test shop's data dir and keyring).
pub fn serve_sandbox(cryptill: impl FnOnce(&[&str]) -> Command) -> Sandbox {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = cryptill(&["sandbox", "serve", "--port", &port.to_string()])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the sandbox did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Sandbox(child, format!("http://127.0.0.1:{port}"))
}
