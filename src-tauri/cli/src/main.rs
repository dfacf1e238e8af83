//! `cryptill-cli`: the till's subcommands without the window, for machines
//! with no display (and the command line's own tests).

fn main() {
    std::process::exit(cryptill_cli::main());
}
