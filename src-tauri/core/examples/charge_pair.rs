//! Charge to QR beside its floor, paired (issue 11, BENCHMARKS.md "Round
//! 24"): the checkout bench's two sides, one POST + QR of the same URI
//! (the floor) and a real `charge` against the sandbox on loopback, run
//! back to back in every iteration, in turn first, so a change of the
//! machine's load or of its disk's speed hits both alike. On a shared
//! machine the Criterion bench measures them seconds apart, and the
//! disk's speed changes in between (the floor's POST from 3 to 17 ms).
//!
//! ```sh
//! cargo run --release -p cryptill-core --example charge_pair -- 1500
//! TMPDIR=/dev/shm cargo run --release -p cryptill-core --example charge_pair -- 1500
//! ```
//!
//! Prints the medians and means of both sides, their ratio and the median
//! of (charge - floor) over the pairs. A benchmark, never a test.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cryptill_core::checkout::Checkout;
use cryptill_core::gateway::counos::CounosClient;
use cryptill_core::gateway::GatewayKind;
use cryptill_core::ledger::Ledger;
use cryptill_core::money::Currency;
use cryptill_core::qr;
use cryptill_core::secret::Sensitive;

fn med(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse().unwrap())
        .unwrap_or(1000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sandbox = rt.block_on(async {
        cryptill_sandbox::start(
            cryptill_sandbox::Config::demo(dir.path().join("gateway.sqlite3")),
            SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        )
        .await
        .unwrap()
    });
    let ledger = Arc::new(Ledger::open(&dir.path().join("cryptill.sqlite3")).unwrap());
    let client = CounosClient::new(
        GatewayKind::Demo,
        &sandbox.counos_url(),
        Sensitive::new(cryptill_sandbox::DEMO_API_KEY.to_string()),
    )
    .unwrap();
    let checkout = Checkout::new(ledger, Arc::new(client), Currency::fiat("EUR").unwrap());
    let first = rt.block_on(checkout.charge("12.50", "BTC")).unwrap();
    let ticker: i64 = rt
        .block_on(checkout.coins())
        .unwrap()
        .into_iter()
        .find(|c| c.symbol == "BTC")
        .unwrap()
        .gateway_id
        .parse()
        .unwrap();
    let uri = first.payment_uri.clone();
    let http = reqwest::Client::new();
    let order_url = format!("{}terminal/order", sandbox.counos_url());
    let mut next_id = 9_000_000_000_000u64;
    let mut floor = || {
        next_id += 1;
        let body = format!(
            r#"{{"orderId":"{next_id}","tickerId":{ticker},"expectedAmount":0.00021552,"renew":false}}"#
        );
        let s = Instant::now();
        rt.block_on(async {
            let a = http
                .post(&order_url)
                .header("x-api-key", cryptill_sandbox::DEMO_API_KEY)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            assert!(a.status().is_success());
            a.bytes().await.unwrap()
        });
        qr::png_data_url(&uri).unwrap();
        s.elapsed()
    };
    let charge = || {
        let s = Instant::now();
        let p = rt.block_on(checkout.charge("12.50", "BTC")).unwrap();
        assert!(p.qr_png.starts_with("data:image/png"));
        s.elapsed()
    };
    // Warm-up.
    let until = Instant::now() + Duration::from_secs(2);
    while Instant::now() < until {
        floor();
        charge();
    }
    let (mut f, mut c, mut d) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..n {
        let (a, b) = if i % 2 == 0 {
            let a = floor();
            (a, charge())
        } else {
            let b = charge();
            (floor(), b)
        };
        let (a, b) = (a.as_secs_f64() * 1e3, b.as_secs_f64() * 1e3);
        f.push(a);
        c.push(b);
        d.push(b - a);
    }
    let (mf, mc, md) = (med(&mut f), med(&mut c), med(&mut d));
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    println!(
        "pairs {n}: charge median {mc:.3} ms (mean {:.3}), floor median {mf:.3} ms (mean {:.3}), ratio of medians {:.3}x, ratio of means {:.3}x, median of (charge - floor) {md:.3} ms",
        mean(&c),
        mean(&f),
        mc / mf,
        mean(&c) / mean(&f)
    );
    rt.block_on(sandbox.shutdown());
}
