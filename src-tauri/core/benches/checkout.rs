//! Checkout overhead (issue 11): from **Charge** to the QR image ready,
//! through the real checkout, the call the window's Charge makes
//! (`charge_sale`: ledger write, conversion, order, ledger write, QR PNG) against the sandbox on loopback, beside its floor in the
//! same run: one raw HTTP POST of an order to the same sandbox over a kept
//! connection, plus one QR encode of the same payment URI. The Counos
//! dialect (demo mode) asks for the conversion before it creates the order
//! (gateways.md: the order takes the crypto amount), so "two POSTs + QR" is
//! measured too: what two round trips cost at the least.
//!
//! `cargo bench -p cryptill-core --bench checkout` (BENCHMARKS.md).

#[path = "support/charge_till.rs"]
mod charge_till;

use criterion::{criterion_group, criterion_main, Criterion};
use cryptill_core::qr;

fn checkout_benches(c: &mut Criterion) {
    let till = charge_till::ChargeTill::start();
    let (rt, uri) = (&till.rt, &till.uri);
    let raw_post = || till.raw_order();
    // The conversion the Counos dialect asks for before each order, raw.
    let convert_url = format!(
        "{}exchange/rate/currency2crypto/convert?amount=12.50&from=EUR&to=btc",
        till.sandbox.counos_url()
    );
    let raw_convert = || till.raw_get(&convert_url);

    let mut g = c.benchmark_group("charge_to_qr");
    g.bench_function("checkout charge (Counos dialect)", |b| {
        b.iter(|| {
            let payment = rt.block_on(till.charge());
            assert!(payment.qr_png.starts_with("data:image/png"));
            payment
        })
    });
    g.bench_function("floor: one POST + QR", |b| {
        b.iter(|| {
            rt.block_on(raw_post());
            qr::png_data_url(uri).unwrap()
        })
    });
    g.bench_function("floor: two POSTs + QR", |b| {
        b.iter(|| {
            rt.block_on(async {
                raw_post().await;
                raw_post().await
            });
            qr::png_data_url(uri).unwrap()
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
                qr::png_data_url(uri).unwrap()
            })
        },
    );
    g.bench_function("one conversion GET alone", |b| {
        b.iter(|| rt.block_on(raw_convert()))
    });
    g.bench_function("QR encode alone", |b| {
        b.iter(|| qr::png_data_url(uri).unwrap())
    });
    g.finish();
    rt.block_on(till.sandbox.shutdown());
}

criterion_group!(benches, checkout_benches);
criterion_main!(benches);
