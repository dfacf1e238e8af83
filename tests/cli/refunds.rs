//! `cryptill refund` and `cryptill refunds` against a Counos sandbox served
//! by another process: the owner gives an overpayment's excess back as a
//! Counos withdrawal, says the e-mail step, and follows it until done.

use crate::support::Shop;
use crate::BIN;

/// A testnet Bitcoin address both the till and the sandbox accept.
const CUSTOMER: &str = "tb1qqpzry9x8gf2tvdw0s3jn54khce6mua7lqpzry9";

fn args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// A shop on a Counos sandbox of its own whose sale 1 (1000 EUR in BTC) the
/// customer paid `paid` BTC for, seen by the till.
fn paid_counos_sale(name: &str, paid: &str) -> (Shop, crate::support::Sandbox) {
    let shop = Shop::new(BIN, name);
    let sandbox = shop.serve_sandbox();
    shop.use_gateway("counos", &format!("{}/counos/api/", sandbox.1), "1234");
    shop.ok_with(&["sale", "1000", "EUR", "BTC"], "", None);
    shop.ok_with(
        &["sandbox", "pay", "1", "--amount", paid, "--url", &sandbox.1],
        "",
        None,
    );
    shop.ok_with(&["order", "1"], "", None);
    (shop, sandbox)
}

#[test]
fn the_owner_refunds_an_overpaid_excess_from_the_command_line_and_follows_it() {
    // 1000 EUR is 0.01724138 BTC; the customer sends 100 EUR more.
    let (shop, sandbox) = paid_counos_sale("refund-cli", "0.01896552");
    let refund = |amount: &str, address: &str| {
        vec![
            "refund".to_string(),
            "1".into(),
            "--amount".into(),
            amount.into(),
            "--address".into(),
            address.into(),
            "--reason".into(),
            "Paid too much".into(),
        ]
    };

    let err = shop.refused(&args(&refund("100.01", CUSTOMER)), "", Some("1234"));
    assert!(
        err.contains("overpaid excess of sale 1 is 0.00172414 BTC"),
        "{err}"
    );
    let err = shop.refused(
        &args(&refund(
            "100.00",
            "0x52908400098527886E0F7030069857D2E4169EE7",
        )),
        "",
        Some("1234"),
    );
    assert!(err.contains("not a BTC address"), "{err}");
    let err = shop.refused(&args(&refund("100.00", CUSTOMER)), "", Some("9999"));
    assert!(err.contains("Wrong PIN"), "{err}");

    // The demo terminal does not permit withdrawals yet: Counos's words,
    // and the refund is recorded as failed, not sent.
    let err = shop.refused(&args(&refund("100.00", CUSTOMER)), "", Some("1234"));
    assert!(err.contains("Withdraw is not permitted by API"), "{err}");
    assert!(sandbox
        .control()
        .run(|c| c.permit_withdrawals(true))
        .unwrap());
    let mut coin = refund("0.00172414", CUSTOMER);
    coin.push("--coin".to_string());
    let sent = shop.json_with(&args(&coin), Some("1234"));
    assert_eq!(sent["state"], "sent");
    assert_eq!(sent["kind"], "overpaid");
    assert_eq!(sent["fiatAmount"], "100.00");
    assert_eq!(sent["cryptoAmount"], "0.00172414");
    let message = sent["message"].as_str().unwrap();
    assert!(message.contains("Counos has no refund call"), "{message}");
    assert!(message.contains("e-mailed the terminal owner"), "{message}");

    let text = shop.ok_with(&["refunds"], "", Some("1234"));
    assert!(
        text.contains("Refund 2 of sale 1: 100.00 EUR = 0.00172414 BTC (Overpaid excess)"),
        "{text}"
    );
    assert!(text.contains("accepted by the gateway"), "{text}");
    assert!(text.contains("failed"), "{text}");

    let withdrawal: i64 = sent["gatewayRefundId"].as_str().unwrap().parse().unwrap();
    sandbox
        .control()
        .run(|c| c.counos_complete_withdrawal(withdrawal, None))
        .unwrap();
    let list = shop.json_with(&["refunds"], Some("1234"));
    assert_eq!(list[0]["state"], "done");
    assert_eq!(list[1]["state"], "failed");
    // Nothing of the excess is left.
    let err = shop.refused(&args(&refund("0.01", CUSTOMER)), "", Some("1234"));
    assert!(
        err.contains("0.00000000 BTC is left after earlier refunds"),
        "{err}"
    );
}

/// A refund whose answer was lost (the app closed between the gateway call
/// and the ledger write) is left "being sent": `cryptill refunds` finds the
/// Counos withdrawal behind it and records it; one Counos never took is
/// settled by the owner with `cryptill refund-resolve <ID> --failed`.
#[test]
fn a_refund_left_being_sent_is_found_at_the_gateway_or_settled_by_the_owner() {
    let (shop, sandbox) = paid_counos_sale("refund-resolve", "0.01724138");
    let refund = |amount: &'static str| {
        [
            "refund",
            "1",
            "--amount",
            amount,
            "--address",
            CUSTOMER,
            "--reason",
            "Returned",
        ]
    };
    // Not permitted yet: refused, recorded failed (refund 1).
    shop.refused(&refund("50.00"), "", Some("1234"));
    assert!(sandbox
        .control()
        .run(|c| c.permit_withdrawals(true))
        .unwrap());
    let sent = shop.json_with(&refund("50.00"), Some("1234"));
    assert_eq!(sent["state"], "sent");
    let withdrawal = sent["gatewayRefundId"].as_str().unwrap().to_string();

    // What a crash after the gateway's answer leaves: refund 2 being sent
    // with no id; and refund 1, which Counos never took, being sent too.
    rusqlite::Connection::open(shop.ledger_path())
        .unwrap()
        .execute_batch(
            "UPDATE refunds SET state = 'sending', gateway_refund_id = NULL, gateway_status = NULL,
                 sent_at = NULL, finished_at = NULL, message = NULL",
        )
        .unwrap();

    let list = shop.json_with(&["refunds"], Some("1234"));
    assert_eq!(list[0]["id"], 2);
    assert_eq!(list[0]["state"], "sent");
    assert_eq!(list[0]["gatewayRefundId"], withdrawal.as_str());
    assert_eq!(list[1]["state"], "sending");
    let said = list[1]["message"].as_str().unwrap();
    assert!(said.contains("Counos dashboard"), "{said}");

    // Neither --sent nor --failed: a usage error.
    let out = shop.run_with(&["refund-resolve", "1"], "", Some("1234"));
    assert_eq!(out.status.code(), Some(2));
    let text = shop.ok_with(&["refund-resolve", "1", "--failed"], "", Some("1234"));
    assert!(text.contains("State:    failed"), "{text}");
    assert!(text.contains("marked it failed"), "{text}");
    // Only a refund still being sent can be settled so.
    let err = shop.refused(&["refund-resolve", "2", "--failed"], "", Some("1234"));
    assert!(err.contains("only a refund still being sent"), "{err}");
}
