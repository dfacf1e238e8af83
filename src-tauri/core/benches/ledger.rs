//! The ledger at a million sales (issue 11), each figure beside its floor in
//! the same run: the CSV export, a page of the sales history under each
//! filter, today's Z-report, and the till's start-up reads, against a
//! ledger of the same last two days only (and an empty one), where the
//! figure should not depend on the history's size.
//!
//! `cargo bench -p cryptill-core --bench ledger` (BENCHMARKS.md). The
//! ledger is made once per day and size by `ledger::generate` and kept in
//! the temp dir (`CRYPTILL_BENCH_SALES`, default 1,000,000). CI only builds
//! this (`cargo bench --no-run`): a time never fails a build.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::Utc;
use criterion::{criterion_group, criterion_main, Criterion};
use cryptill_core::ledger::generate::{fill, Fill};
use cryptill_core::ledger::{Ledger, Read, SaleQuery};
use cryptill_core::report::{self, PageRequest, SaleFilter};
use cryptill_core::sale::GatewayKind;
use cryptill_core::settings::Settings;

fn sales() -> u64 {
    std::env::var("CRYPTILL_BENCH_SALES")
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(1_000_000)
}

/// The big ledger's file, made if missing (today's: the day report needs
/// today's sales).
fn big_ledger() -> PathBuf {
    let n = sales();
    // Named by the schema too: a file made by a build with other
    // migrations (another branch) is not reused.
    let dir = std::env::temp_dir().join(format!(
        "cryptill-bench-{n}-{}-schema{}",
        Utc::now().format("%Y%m%d"),
        cryptill_core::ledger::SCHEMA_VERSION
    ));
    let path = dir.join("cryptill.sqlite3");
    if !path.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let partial = dir.join("partial.sqlite3");
        let started = Instant::now();
        let ledger = Ledger::open(&partial).unwrap();
        fill(&ledger, &Fill::new(n, 1_095)).unwrap();
        drop(ledger);
        std::fs::rename(&partial, &path).unwrap();
        for extra in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{extra}", partial.display()));
        }
        eprintln!("made a ledger of {n} sales in {:.1?}", started.elapsed());
    }
    // A file made by an older build is brought up to this schema first
    // (its migrations timed apart from the benches below), so the floor
    // ledger copied from it has the same columns.
    let started = Instant::now();
    drop(Ledger::open(&path).unwrap());
    eprintln!(
        "opened (and migrated) the big ledger in {:.1?}",
        started.elapsed()
    );
    path
}

/// What the till reads from its ledger when it opens, before the keypad
/// is interactive: the schema check (in `open`), the settings, the open
/// sales to resume, the sales watched for a late payment.
fn start_up(path: &std::path::Path) -> usize {
    let ledger = Ledger::open(path).unwrap();
    let settings = Settings::load(&ledger).unwrap();
    let open = ledger.open_sales().unwrap();
    let late = ledger
        .late_watch_sales(Utc::now() - chrono::Duration::hours(24), GatewayKind::Demo)
        .unwrap();
    black_box(settings);
    open.len() + late.len()
}

/// The floor of the size-dependent figures: a ledger holding only the big
/// one's last two days (the same open, recent and today's sales, none of the
/// years before), so the ratio shows what the history's size costs.
fn recent_only(big: &std::path::Path, dir: &std::path::Path) -> PathBuf {
    let path = dir.join("recent.sqlite3");
    drop(Ledger::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let since = (Utc::now() - chrono::Duration::days(2))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    conn.execute("ATTACH DATABASE ?1 AS big", [big.to_str().unwrap()])
        .unwrap();
    let copied = conn
        .execute(
            "INSERT INTO main.sales SELECT * FROM big.sales WHERE created_at >= ?1",
            [since],
        )
        .unwrap();
    eprintln!("the floor ledger holds the last two days: {copied} sales");
    path
}

fn ledger_benches(c: &mut Criterion) {
    let big_path = big_ledger();
    let empty_dir = tempfile::tempdir().unwrap();
    let empty_path = empty_dir.path().join("cryptill.sqlite3");
    drop(Ledger::open(&empty_path).unwrap());
    let recent_path = recent_only(&big_path, empty_dir.path());
    let big = Ledger::open(&big_path).unwrap();
    let empty = Ledger::open(&empty_path).unwrap();
    let recent = Ledger::open(&recent_path).unwrap();
    let out_dir = tempfile::tempdir().unwrap();

    let mut g = c.benchmark_group("start_up");
    g.bench_function("empty", |b| b.iter(|| start_up(&empty_path)));
    g.bench_function("floor: last 2 days only", |b| {
        b.iter(|| start_up(&recent_path))
    });
    g.bench_function("1M", |b| b.iter(|| start_up(&big_path)));
    g.finish();

    let mut g = c.benchmark_group("day_report");
    let today = SaleFilter::today();
    g.bench_function("empty", |b| {
        b.iter(|| report::z_report(&empty, &today, "EUR").unwrap())
    });
    g.bench_function("floor: last 2 days only", |b| {
        b.iter(|| report::z_report(&recent, &today, "EUR").unwrap())
    });
    g.bench_function("1M", |b| {
        b.iter(|| report::z_report(&big, &today, "EUR").unwrap())
    });
    g.finish();

    let mut g = c.benchmark_group("history_page");
    let deep = {
        // The cursor 1,000 pages of 100 down: keyset pages cost the same at any depth.
        let mut page = PageRequest::default();
        for _ in 0..1_000 {
            page.after = report::history_page(&big, &SaleFilter::default(), &page)
                .unwrap()
                .next;
        }
        page
    };
    let week_ago = (chrono::Local::now() - chrono::Duration::days(7))
        .format("%Y-%m-%d")
        .to_string();
    let filters: [(&str, SaleFilter, PageRequest); 8] = [
        (
            "empty ledger",
            SaleFilter::default(),
            PageRequest::default(),
        ),
        ("no filter", SaleFilter::default(), PageRequest::default()),
        ("1000 pages deep", SaleFilter::default(), deep),
        (
            "paid",
            SaleFilter {
                status: Some("paid".into()),
                ..SaleFilter::default()
            },
            PageRequest::default(),
        ),
        (
            "coin ETH, last week",
            SaleFilter {
                coin: Some("eth".into()),
                from: Some(week_ago.clone()),
                ..SaleFilter::default()
            },
            PageRequest::default(),
        ),
        (
            "exceptions",
            SaleFilter {
                status: Some("exceptions".into()),
                ..SaleFilter::default()
            },
            PageRequest::default(),
        ),
        (
            "voided",
            SaleFilter {
                status: Some("voided".into()),
                ..SaleFilter::default()
            },
            PageRequest::default(),
        ),
        (
            "search a day",
            SaleFilter {
                search: Some("1q0".into()),
                ..SaleFilter::day(&week_ago)
            },
            PageRequest::default(),
        ),
    ];
    for (name, filter, page) in &filters {
        let ledger = if *name == "empty ledger" {
            &empty
        } else {
            &big
        };
        g.bench_function(*name, |b| {
            b.iter(|| report::history_page(ledger, filter, page).unwrap())
        });
    }
    // Search over every sale ever made (a part of an address or id,
    // anywhere in it): the trigram index when the text matches few sales,
    // the newest-first scan when it matches many (ledger/query.rs).
    g.sample_size(10);
    for (name, text) in [
        ("search all time, no match (trigram index)", "no-such-text"),
        (
            "search all time, part of one address (trigram index)",
            "946d5b27a5f0042e",
        ),
        ("search all time, half the sales match (scan)", "c1q"),
    ] {
        g.bench_function(name, |b| {
            let filter = SaleFilter {
                search: Some(text.into()),
                ..SaleFilter::default()
            };
            b.iter(|| report::history_page(&big, &filter, &PageRequest::default()).unwrap())
        });
    }
    g.finish();

    let mut g = c.benchmark_group("export_csv");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(30));
    let csv = out_dir.path().join("sales.csv");
    g.bench_function("1M to a file", |b| {
        b.iter(|| report::export_csv(&big, &SaleFilter::default(), &csv).unwrap())
    });
    // The floor: reading every sale (parsed, as the export must) and
    // writing nothing.
    g.bench_function("floor: read every sale", |b| {
        b.iter(|| {
            let mut n = 0u64;
            big.stream_sales(&SaleQuery::default(), Read::ALL, |s| {
                n += s.id as u64;
                Ok(true)
            })
            .unwrap();
            n
        })
    });
    g.finish();
}

criterion_group!(benches, ledger_benches);
criterion_main!(benches);
