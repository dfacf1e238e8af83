//! A bare Tauri 2 window: one webview, one static page, nothing else. The
//! floor Cryptill's start-up and memory are measured against, side by side
//! in one run (`bench/startup.sh`, BENCHMARKS.md). Built with the app's
//! profile and Tauri features.
//!
//! It prints `bare-window: loaded after N ms` on stdout at its page's load
//! event, and `bare-window: painted after N ms` when its page has been
//! painted: the page's `painted.js` calls the `painted` command from a task
//! queued by a `requestAnimationFrame` callback, which runs right after the
//! frame is painted. Cryptill reports its keypad the same way, through the
//! same kind of IPC call ("the keypad is interactive", `ui/src/lib/shared/
//! paint.ts`), so the two figures end at the same event.
//!
//! `BARE_WINDOW_DIR=DIR` loads `DIR/index.html` (e.g. Cryptill's own UI
//! bundle, `ui/dist`) instead of the bare page, through a protocol serving
//! that folder: the same shell with Cryptill's page tells WebKit's share of
//! the cost (the page's IPC calls find no commands here and fail; the page
//! still loads, parses and runs its script). A page served this way that
//! calls `painted` itself (an experiment in a folder of its own) is timed
//! to its paint too; Cryptill's page does not, so it is timed to its load.

use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use tauri::http::{header, Response, StatusCode};
use tauri::webview::PageLoadEvent;
use tauri::{WebviewUrl, WebviewWindowBuilder};

/// When `main` began: both lines are timed from it.
static STARTED: OnceLock<Instant> = OnceLock::new();

/// The page says it has been painted; `page_ms` is the page's own clock
/// then (milliseconds since its navigation began). `note` is free text an
/// experiment page may add (e.g. what it measured on the way).
#[tauri::command]
fn painted(page_ms: u32, note: Option<String>) {
    let ms = STARTED.get().map_or(0, |t| t.elapsed().as_millis());
    let note = note.map(|n| format!(" {n}")).unwrap_or_default();
    println!(
        "bare-window: painted after {ms} ms ({page_ms} ms after the page began loading){note}"
    );
}

fn main() {
    let started = *STARTED.get_or_init(Instant::now);
    let dir = std::env::var_os("BARE_WINDOW_DIR").map(PathBuf::from);
    let url = match &dir {
        Some(_) => WebviewUrl::CustomProtocol("page://localhost/index.html".parse().unwrap()),
        None => WebviewUrl::App("index.html".into()),
    };
    let mut builder = tauri::Builder::default();
    if let Some(dir) = dir.clone() {
        builder = builder.register_uri_scheme_protocol("page", move |_ctx, request| {
            serve(&dir, request.uri().path())
        });
    }
    builder
        .invoke_handler(tauri::generate_handler![painted])
        .setup(move |app| {
            WebviewWindowBuilder::new(app, "main", url)
                .title("Bare window")
                .inner_size(1100.0, 760.0)
                .on_page_load(move |_window, payload| {
                    if payload.event() == PageLoadEvent::Finished {
                        println!(
                            "bare-window: loaded after {} ms",
                            started.elapsed().as_millis()
                        );
                    }
                })
                .build()?;
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("the bare window starts");
}

/// A file of `dir` by its URL path, with its MIME type.
fn serve(dir: &Path, path: &str) -> Response<Vec<u8>> {
    let relative = Path::new(path.trim_start_matches('/'));
    let safe = relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    let file = dir.join(relative);
    match std::fs::read(&file) {
        Ok(body) if safe => {
            let mime = match file.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html",
                Some("js") => "text/javascript",
                Some("css") => "text/css",
                Some("svg") => "image/svg+xml",
                Some("png") => "image/png",
                Some("woff2") => "font/woff2",
                _ => "application/octet-stream",
            };
            Response::builder()
                .header(header::CONTENT_TYPE, mime)
                .body(body)
                .unwrap()
        }
        _ => Response::builder()
            .status(StatusCode::NOT_FOUND)
            .body(Vec::new())
            .unwrap(),
    }
}
