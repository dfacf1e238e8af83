//! The two gateway clients built the same way for the contract tests: with a
//! key, against the sandbox's dialect or any loopback server.

use cryptill_core::gateway::coingate::CoinGateClient;
use cryptill_core::gateway::counos::CounosClient;
use cryptill_core::gateway::{Gateway, GatewayKind};
use cryptill_core::secret::Sensitive;
use cryptill_core::Error;
use cryptill_sandbox::Fault;

use super::{assert_fault_error, Sandbox, KEY};

/// A client the tests build for one gateway.
pub trait TestClient: Gateway + Sized {
    /// The kind the sandbox's dialect stands for.
    const SANDBOX_KIND: GatewayKind;
    /// The kind a real gateway (here a loopback server) stands for.
    const LIVE_KIND: GatewayKind;
    fn sandbox_url(sandbox: &Sandbox) -> String;
    fn build(kind: GatewayKind, url: &str, key: Sensitive<String>) -> Result<Self, Error>;
}

impl TestClient for CoinGateClient {
    const SANDBOX_KIND: GatewayKind = GatewayKind::CoingateSandbox;
    const LIVE_KIND: GatewayKind = GatewayKind::Coingate;
    fn sandbox_url(sandbox: &Sandbox) -> String {
        sandbox.handle.coingate_url()
    }
    fn build(kind: GatewayKind, url: &str, key: Sensitive<String>) -> Result<Self, Error> {
        CoinGateClient::new(kind, url, key)
    }
}

impl TestClient for CounosClient {
    const SANDBOX_KIND: GatewayKind = GatewayKind::Demo;
    const LIVE_KIND: GatewayKind = GatewayKind::Counos;
    fn sandbox_url(sandbox: &Sandbox) -> String {
        sandbox.handle.counos_url()
    }
    fn build(kind: GatewayKind, url: &str, key: Sensitive<String>) -> Result<Self, Error> {
        CounosClient::new(kind, url, key)
    }
}

/// A client of the sandbox's dialect with the given key.
pub fn client_with_key<C: TestClient>(sandbox: &Sandbox, key: &str) -> C {
    C::build(
        C::SANDBOX_KIND,
        &C::sandbox_url(sandbox),
        Sensitive::new(key.to_string()),
    )
    .unwrap()
}

/// A client of the live gateway's kind, pointed at `url` with the demo key.
pub fn client_at<C: TestClient>(url: &str) -> C {
    C::build(C::LIVE_KIND, url, Sensitive::new(KEY.to_string())).unwrap()
}

/// Asserts that `call`, run after `fault` was queued, fails with the error
/// that fault must become (and without the key).
pub async fn assert_call_fails<T>(
    fault: Fault,
    name: &str,
    call: impl std::future::Future<Output = Result<T, Error>>,
) {
    let err = call
        .await
        .err()
        .unwrap_or_else(|| panic!("{name} under {fault:?} succeeded"));
    assert_fault_error(fault, name, &err);
}

/// A loopback gateway that answers every request with a redirect (status
/// line `status`) to a second loopback server answering `body`: returns
/// (gateway, elsewhere).
pub async fn redirecting(
    status: &'static str,
    body: &'static str,
) -> (super::loopback::Loopback, super::loopback::Loopback) {
    let elsewhere = super::loopback::serve(move |_| {
        super::loopback::response("200 OK", &[("Content-Type", "application/json")], body)
    })
    .await;
    let target = elsewhere.url.clone();
    let gateway = super::loopback::serve(move |request| {
        let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
        super::loopback::response(
            status,
            &[(
                "Location",
                &format!("{}{}", target.trim_end_matches('/'), path),
            )],
            "",
        )
    })
    .await;
    (gateway, elsewhere)
}
