// No console window behind the till on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    cryptill_app::init_logging();
    cryptill_app::run();
}
