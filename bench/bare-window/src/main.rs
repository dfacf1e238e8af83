//! A bare Tauri 2 window: one webview, one static page, nothing else. The
//! floor Cryptill's start-up and memory are measured against, side by side
//! in one run (`bench/startup.sh`, BENCHMARKS.md). Built with the app's
//! profile and Tauri features.
//!
//! It prints `bare-window: ready after N ms` on stdout when its page has
//! loaded (Cryptill logs "the keypad is interactive" the same way), which
//! is what the script waits for.
//!
//! `BARE_WINDOW_DIR=DIR` loads `DIR/index.html` (e.g. Cryptill's own UI
//! bundle, `ui/dist`) instead of the bare page, through a protocol serving
//! that folder: the same shell with Cryptill's page tells WebKit's share of
//! the cost (the page's IPC calls find no commands here and fail; the page
//! still loads, parses and runs its script).

use std::path::{Component, Path, PathBuf};
use std::time::Instant;

use tauri::http::{header, Response, StatusCode};
use tauri::webview::PageLoadEvent;
use tauri::{WebviewUrl, WebviewWindowBuilder};

fn main() {
    let started = Instant::now();
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
        .setup(move |app| {
            WebviewWindowBuilder::new(app, "main", url)
                .title("Bare window")
                .inner_size(1100.0, 760.0)
                .on_page_load(move |_window, payload| {
                    if payload.event() == PageLoadEvent::Finished {
                        println!(
                            "bare-window: ready after {} ms",
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
