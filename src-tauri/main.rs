// No console window behind the till on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use clap::Parser;

fn main() {
    // `cryptill` alone opens the window; with a subcommand it runs headless.
    if std::env::args_os().len() > 1 {
        cryptill_app::init_logging("warn");
        let cli = cryptill_app::cli::Cli::parse();
        std::process::exit(cryptill_app::cli::main(cli));
    }
    cryptill_app::init_logging("info");
    cryptill_app::run();
}
