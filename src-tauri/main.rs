// No console window behind the till on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // `cryptill` alone opens the window; with a subcommand it runs headless,
    // as `cryptill-cli` does.
    if std::env::args_os().len() > 1 {
        std::process::exit(cryptill_cli::main());
    }
    // Before any thread (logging included): it sets the environment WebKit
    // reads (webview.rs).
    cryptill_app::paint_without_gl_compositing();
    cryptill_cli::init_logging("info");
    cryptill_app::run();
}
