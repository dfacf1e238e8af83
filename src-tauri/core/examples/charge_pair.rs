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

#[path = "../benches/support/charge_till.rs"]
mod charge_till;

use std::time::{Duration, Instant};

use cryptill_core::qr;

fn med(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse().unwrap())
        .unwrap_or(1000);
    let till = charge_till::ChargeTill::start();
    let rt = &till.rt;
    let floor = || {
        let s = Instant::now();
        rt.block_on(till.raw_order());
        qr::png_data_url(&till.uri).unwrap();
        s.elapsed()
    };
    let charge = || {
        let s = Instant::now();
        let p = rt.block_on(till.checkout.charge("12.50", "BTC")).unwrap();
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
    rt.block_on(till.sandbox.shutdown());
}
