//! The typed control client itself: the parts the dialect tests do not reach.

use std::time::Duration;

use cryptill_sandbox::client::{blocking, Control, Error};
use cryptill_sandbox::{Fault, FaultPlan};

use crate::support::Sandbox;

// The app's crash suite drives processes from plain threads, with no runtime.
// The test blocks one worker on the join; the other serves the sandbox.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_blocking_client_sets_the_plan_from_a_plain_thread() {
    let sandbox = Sandbox::start().await;
    let base_url = sandbox.handle.base_url();
    let plan = std::thread::spawn(move || {
        let control = blocking::Control::new(&base_url).unwrap();
        control
            .run(|c| c.set_latency(Duration::from_millis(250)))
            .unwrap();
        control.run(|c| c.queue_faults(&[Fault::Reset])).unwrap()
    })
    .join()
    .unwrap();
    let expected = FaultPlan {
        latency_ms: 250,
        next: [Fault::Reset].into(),
    };
    assert_eq!(plan, expected);
    assert_eq!(sandbox.control().faults().await.unwrap(), expected);
}

#[tokio::test]
async fn a_base_url_that_is_no_http_address_is_refused_before_any_call() {
    for bad in ["127.0.0.1:8787", "mailto:till@example.com", "not a url"] {
        let err = Control::new(bad).unwrap_err();
        assert!(matches!(err, Error::BaseUrl { .. }), "{bad}: {err}");
        assert!(err.to_string().contains(bad), "{err}");
    }
}

// A dialect path after the port (as the app stores gateway URLs) still
// reaches /control at the root.
#[tokio::test]
async fn a_dialect_url_reaches_the_control_routes_at_the_root() {
    let sandbox = Sandbox::start().await;
    let control = Control::new(&sandbox.handle.coingate_url()).unwrap();
    assert_eq!(control.clear_faults().await.unwrap(), FaultPlan::default());
}

#[tokio::test]
async fn a_stopped_sandbox_is_unreachable_and_the_error_names_the_call() {
    let sandbox = Sandbox::start().await;
    let control = sandbox.control();
    sandbox.handle.shutdown().await;
    let err = control.faults().await.unwrap_err();
    assert!(matches!(err, Error::Unreachable { .. }), "{err}");
    assert!(err.to_string().contains("GET /control/faults"), "{err}");
}

#[tokio::test]
async fn dialect_requests_are_counted_per_endpoint_and_control_calls_are_not() {
    let sandbox = Sandbox::start().await;
    let control = sandbox.control();
    sandbox.get("terminal/tickers").await;
    sandbox.get("terminal/tickers").await;
    sandbox.create_btc_order("7001", "0.001", false).await;
    sandbox.get("terminal/order/7001").await;
    sandbox.get("terminal/order/7002").await;
    // A faulted request reached the gateway too.
    control.queue_faults(&[Fault::Http500]).await.unwrap();
    sandbox.get("terminal/tickers").await;
    let counts = control.requests().await.unwrap();
    assert_eq!(counts.endpoints["GET /counos/api/terminal/tickers"], 3);
    assert_eq!(counts.endpoints["POST /counos/api/terminal/order"], 1);
    // One endpoint for every order asked about, as a gateway counts them.
    assert_eq!(
        counts.endpoints["GET /counos/api/terminal/order/{orderId}"],
        2
    );
    assert_eq!(counts.total, 6);
    assert_eq!(counts.matching("/terminal/order"), 3);
    assert!(counts.endpoints.keys().all(|e| !e.contains("/control")));

    let reset = control.reset_requests().await.unwrap();
    assert_eq!(reset.total, 0);
    assert_eq!(control.requests().await.unwrap().total, 0);
}
