//! Checkout overhead (issue 11): from **Charge** to the QR image ready,
//! through the real checkout (ledger write, conversion, order, ledger
//! write, QR PNG) against the sandbox on loopback, beside its floor in the
//! same run: one raw HTTP POST of an order to the same sandbox over a kept
//! connection, plus one QR encode of the same payment URI. The Counos
//! dialect (demo mode) asks for the conversion before it creates the order
//! (gateways.md: the order takes the crypto amount), so "two POSTs + QR" is
//! measured too: what two round trips cost at the least.
//!
//! `cargo bench -p cryptill-core --bench checkout` (BENCHMARKS.md).

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use cryptill_core::checkout::Checkout;
use cryptill_core::gateway::counos::CounosClient;
use cryptill_core::gateway::GatewayKind;
use cryptill_core::ledger::Ledger;
use cryptill_core::money::Currency;
use cryptill_core::qr;
use cryptill_core::secret::Sensitive;

fn checkout_benches(c: &mut Criterion) {
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

    // One charge first: the coin list is fetched once per till, not per sale.
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
    let next_id = AtomicU64::new(9_000_000_000_000);
    let raw_post = || async {
        let body = format!(
            r#"{{"orderId":"{}","tickerId":{ticker},"expectedAmount":0.00021552,"renew":false}}"#,
            next_id.fetch_add(1, Ordering::Relaxed)
        );
        let answer = http
            .post(&order_url)
            .header("x-api-key", cryptill_sandbox::DEMO_API_KEY)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success());
        answer.bytes().await.unwrap()
    };

    // The conversion the Counos dialect asks for before each order, raw.
    let convert_url = format!(
        "{}exchange/rate/currency2crypto/convert?amount=12.50&from=EUR&to=btc",
        sandbox.counos_url()
    );
    let raw_convert = || async {
        let answer = http
            .get(&convert_url)
            .header("x-api-key", cryptill_sandbox::DEMO_API_KEY)
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success());
        answer.bytes().await.unwrap()
    };

    let mut g = c.benchmark_group("charge_to_qr");
    g.bench_function("checkout charge (Counos dialect)", |b| {
        b.iter(|| {
            let payment = rt.block_on(checkout.charge("12.50", "BTC")).unwrap();
            assert!(payment.qr_png.starts_with("data:image/png"));
            payment
        })
    });
    g.bench_function("floor: one POST + QR", |b| {
        b.iter(|| {
            rt.block_on(raw_post());
            qr::png_data_url(&uri).unwrap()
        })
    });
    g.bench_function("floor: two POSTs + QR", |b| {
        b.iter(|| {
            rt.block_on(async {
                raw_post().await;
                raw_post().await
            });
            qr::png_data_url(&uri).unwrap()
        })
    });
    // What the Counos protocol itself costs: its two round trips (the
    // conversion, then the order), raw, plus the QR. The checkout's ratio
    // to this is the app's own overhead.
    g.bench_function(
        "floor: conversion GET + order POST + QR (Counos protocol)",
        |b| {
            b.iter(|| {
                rt.block_on(async {
                    raw_convert().await;
                    raw_post().await
                });
                qr::png_data_url(&uri).unwrap()
            })
        },
    );
    g.bench_function("one conversion GET alone", |b| {
        b.iter(|| rt.block_on(raw_convert()))
    });
    g.bench_function("QR encode alone", |b| {
        b.iter(|| qr::png_data_url(&uri).unwrap())
    });
    g.finish();
    rt.block_on(sandbox.shutdown());
}

criterion_group!(benches, checkout_benches);
criterion_main!(benches);
