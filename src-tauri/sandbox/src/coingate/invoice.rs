//! The hosted invoice page that `payment_url` points to.
//!
//! gateways.md: when checkout is not enabled the app shows a QR of the hosted
//! `payment_url`; a phone that scans it in demo or training mode lands here.
//! The page is plain and shows what the real one would: the price, the
//! status, and once a coin is chosen the amount, address and expiry.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::orders;
use crate::state::Sandbox;
use crate::store::now;

pub(crate) fn router(sandbox: Arc<Sandbox>) -> Router {
    Router::new()
        .route("/{uuid}", get(invoice))
        .with_state(sandbox)
}

async fn invoice(State(sandbox): State<Arc<Sandbox>>, Path(uuid): Path<String>) -> Response {
    let order = sandbox
        .store
        .call(move |conn| orders::find_by_uuid(conn, &uuid))
        .await;
    let order = match order {
        Ok(Some(order)) => order,
        Ok(None) => {
            return (StatusCode::NOT_FOUND, Html(page("Invoice not found", ""))).into_response()
        }
        Err(err) => {
            tracing::error!("the CoinGate invoice page failed: {err}");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html(page("Something went wrong", "")),
            )
                .into_response();
        }
    };
    let json =
        serde_json::to_value(order.to_json(now(), &sandbox.base_url)).expect("an order serialises");
    let field = |name: &str| json[name].as_str().map(escape).unwrap_or_default();
    let mut rows = vec![
        (
            "Price",
            format!("{} {}", field("price_amount"), field("price_currency")),
        ),
        ("Status", field("status")),
    ];
    if json.get("pay_currency").is_some() {
        rows.push((
            "Pay",
            format!("{} {}", field("pay_amount"), field("pay_currency")),
        ));
        rows.push(("To address", field("payment_address")));
        rows.push(("Payment URI", field("payment_request_uri")));
        rows.push(("Expires at", field("expire_at")));
    }
    let body: String = rows
        .iter()
        .map(|(name, value)| format!("<dt>{name}</dt><dd>{value}</dd>"))
        .collect();
    Html(page(&field("title"), &format!("<dl>{body}</dl>"))).into_response()
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{title} - CoinGate sandbox invoice</title></head>\
         <body><h1>{title}</h1>{body}\
         <p>Cryptill sandbox: no real payment can be made here.</p></body></html>"
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
