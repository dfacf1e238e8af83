//! A developer's tool for a big ledger (issue 11):
//!
//! ```sh
//! cargo run --release -p cryptill-core --example ledger_tool -- fill DATA_DIR [SALES] [DAYS]
//! cargo run --release -p cryptill-core --example ledger_tool -- export LEDGER OUT.csv
//! cargo run --release -p cryptill-core --example ledger_tool -- read LEDGER
//! cargo run --release -p cryptill-core --example ledger_tool -- open LEDGER
//! cargo run --release -p cryptill-core --example ledger_tool -- use LEDGER postgres://USER@HOST:PORT/DB
//! ```
//!
//! `fill` adds realistic sales to `DATA_DIR/cryptill.sqlite3` (the file a
//! till opens with `--data-dir DATA_DIR`, so the owner screens can be tried
//! on it). `export` writes the CSV of every sale as the owner's export does;
//! `read` reads every sale and writes nothing (the export's floor); `open`
//! only opens the ledger (the process's own floor); `use` moves the till
//! onto a shared PostgreSQL ledger (as `cryptill ledger use`, no password),
//! so the same commands measure it there. Each prints its time
//! and the process's peak resident memory (VmHWM), which
//! `benches/export_memory.sh` compares side by side.

use std::path::PathBuf;
use std::time::Instant;

use cryptill_core::ledger::generate::{fill, Fill};
use cryptill_core::ledger::{Ledger, Read, SaleQuery};
use cryptill_core::report::{self, SaleFilter};

fn peak_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| -> &str {
        args.get(i).map(String::as_str).unwrap_or_else(|| {
            eprintln!("usage: ledger_tool fill DIR [SALES] [DAYS] | export LEDGER OUT.csv | read LEDGER | open LEDGER");
            std::process::exit(2)
        })
    };
    let started = Instant::now();
    let count = match arg(0) {
        "fill" => {
            let dir = PathBuf::from(arg(1));
            std::fs::create_dir_all(&dir).expect("the data folder can be made");
            let sales = args.get(2).map_or(1_000_000, |n| {
                n.replace('_', "").parse().expect("SALES is a number")
            });
            let days = args
                .get(3)
                .map_or(1_095, |n| n.parse().expect("DAYS is a number"));
            let ledger = Ledger::open(&dir.join("cryptill.sqlite3")).expect("the ledger opens");
            fill(&ledger, &Fill::new(sales, days)).expect("the fill succeeds");
            sales
        }
        "export" => {
            let ledger = Ledger::open(arg(1).as_ref()).expect("the ledger opens");
            let out = std::path::absolute(arg(2)).expect("OUT is a path");
            report::export_csv(&ledger, &SaleFilter::default(), &out).expect("the export succeeds")
                as u64
        }
        "read" => {
            let ledger = Ledger::open(arg(1).as_ref()).expect("the ledger opens");
            let mut n = 0;
            ledger
                .stream_sales(&SaleQuery::default(), Read::ALL, |_| {
                    n += 1;
                    Ok(true)
                })
                .expect("the ledger reads");
            n
        }
        "open" => {
            drop(Ledger::open(arg(1).as_ref()).expect("the ledger opens"));
            0
        }
        "use" => {
            let moved = Ledger::use_postgres(arg(1).as_ref(), arg(2), None)
                .expect("the till moves to the shared ledger");
            moved.copied as u64
        }
        other => {
            eprintln!("unknown command '{other}'");
            std::process::exit(2)
        }
    };
    println!(
        "{} sales={count} seconds={:.3} peak_rss_kb={}",
        arg(0),
        started.elapsed().as_secs_f64(),
        peak_kb()
    );
}
