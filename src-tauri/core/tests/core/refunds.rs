//! Refunds (issue 18) through an open till, over real HTTP against the
//! sandbox, in both dialects: asked at the counter, approved by the owner,
//! sent (CoinGate's refund call; on Counos a withdrawal), followed until
//! final, and every refusal a sentence with nothing recorded as sent. These
//! open a till, so they need the Secret Service (the README's test session).

use std::net::{Ipv4Addr, SocketAddr};

use cryptill_core::checkout::Simulation;
use cryptill_core::gateway::{pick_network, OrderRef, RefundRequest};
use cryptill_core::gateway::{GatewayKind, SaleState};
use cryptill_core::ledger::{Ledger, RefundKind, RefundState};
use cryptill_core::owner::{self, pin, Unlocked};
use cryptill_core::refund::{Asker, RefundForm, Resolution};
use cryptill_core::report::{self, SaleFilter};
use cryptill_core::said::Param;
use cryptill_core::secret::Sensitive;
use cryptill_core::{ErrorKind, Till, TillConfig};
use cryptill_sandbox::client::{Dialect, Payment};
use rust_decimal_macros::dec;

/// A testnet Bitcoin address both the core's check and the sandbox accept.
const CUSTOMER: &str = "tb1qqpzry9x8gf2tvdw0s3jn54khce6mua7lqpzry9";

fn secret(s: &str) -> Sensitive<String> {
    Sensitive::new(s.to_string())
}

async fn till_for(
    name: &str,
    configure: impl FnOnce(&Ledger, &cryptill_core::keystore::KeyStore),
) -> (tempfile::TempDir, Till) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = TillConfig::new(dir.path());
    config.keyring_service = format!("cryptill-test-refund-{name}-{}", std::process::id());
    {
        let path = dir.path().join("cryptill.sqlite3");
        // `CRYPTILL_TEST_LEDGER=postgres`: refunds beside the sales on a
        // shared ledger.
        if let Some(url) = crate::support::pg::suite_ledger() {
            Ledger::use_postgres(&path, &url, None).unwrap();
        }
        let ledger = Ledger::open(&path).unwrap();
        pin::set_first(&ledger, &secret("1234")).unwrap();
        let keys = config.keys(&ledger).unwrap();
        configure(&ledger, &keys);
    }
    (dir, Till::open(config).await.unwrap())
}

fn owner(till: &Till) -> Unlocked {
    owner::unlock_with_pin(till.ledger(), &secret("1234")).unwrap()
}

fn form(sale: i64, kind: &str, amount: &str, address: &str) -> RefundForm {
    RefundForm {
        sale: sale.to_string(),
        kind: kind.into(),
        amount: amount.into(),
        in_coin: false,
        address: address.into(),
        reason: "Paid too much".into(),
        email: Some("customer@example.com".into()),
    }
}

/// Counos (the demo gateway speaks it) has no refund call: the overpaid
/// excess goes back as a withdrawal to the customer, with the e-mail step
/// said, once the owner approved it with the PIN at the counter.
#[tokio::test]
async fn demo_overpaid_excess_goes_back_as_a_withdrawal_after_the_owner_pin() {
    let (_dir, till) = till_for("demo", |_, _| {}).await;
    let checkout = till.checkout();
    let sale = checkout.charge("1000.00", "BTC").await.unwrap();
    till.simulate(sale.sale_id, Simulation::Overpay)
        .await
        .unwrap();
    let paid = checkout.refresh(sale.sale_id).await.unwrap();
    assert_eq!(paid.state, SaleState::Overpaid);

    let refunds = till.refunds();
    let suggestion = refunds.suggest(&sale.sale_id.to_string()).unwrap();
    assert_eq!(suggestion.kind, RefundKind::Overpaid);
    // Paid 0.01896552 for 0.01724138: the excess is 0.00172414 BTC, 100 EUR.
    assert_eq!(suggestion.crypto_amount, "0.00172414");
    assert_eq!(suggestion.fiat_amount, "100.00");
    assert!(
        suggestion.note.contains("e-mails the terminal owner"),
        "{}",
        suggestion.note
    );

    let mut asked = form(sale.sale_id, "overpaid", "100.00", CUSTOMER);
    asked.email = None;
    let cashier = Asker::Cashier("Ann".into());
    let record = refunds.request(&asked, cashier.clone(), None).unwrap();
    assert_eq!(record.state, RefundState::Requested);
    assert_eq!(record.requested_by, "cashier Ann");
    assert_eq!(
        (record.fiat_amount.as_str(), record.crypto_amount.as_str()),
        ("100.00", "0.00172414")
    );
    assert_eq!(refunds.waiting().unwrap().len(), 1);

    // A wrong PIN approves nothing.
    let wrong = refunds
        .approve_with_pin(record.id, &secret("9999"))
        .await
        .unwrap_err();
    assert!(wrong.to_string().contains("PIN"), "{wrong}");
    assert_eq!(
        till.ledger().refund(record.id).unwrap().state,
        RefundState::Requested
    );

    // The demo terminal does not permit withdrawals at first: refused,
    // recorded as failed with Counos's words, nothing sent.
    let refused = refunds
        .approve_with_pin(record.id, &secret("1234"))
        .await
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Gateway);
    let failed = till.ledger().refund(record.id).unwrap();
    assert_eq!(failed.state, RefundState::Failed);
    assert!(failed.message.clone().unwrap().contains("not permitted"));
    assert_eq!(failed.sent_at, None);
    // The note keeps its sentence's code, with the gateway's refusal (its
    // own sentence) as a value, for the window to say in the shop's language.
    let note = failed.said.clone().expect("a coded note");
    assert_eq!(note.code, "refund_send_refused");
    match &note.params["problem"] {
        Param::Said(problem) => assert_eq!(problem.code, "gateway_refused"),
        other => panic!("the refusal is not a sentence: {other:?}"),
    }
    assert_eq!(note.to_string(), failed.message.unwrap());

    // A failed refund holds no money: asked again, it goes through.
    let ok = owner(&till);
    till.owner()
        .demo_withdraw_permission(&ok, true)
        .await
        .unwrap();
    let again = refunds.request(&asked, cashier, None).unwrap();
    let sent = refunds
        .approve_with_pin(again.id, &secret("1234"))
        .await
        .unwrap();
    assert_eq!(sent.state, RefundState::Sent);
    assert_eq!(sent.approved_by.as_deref(), Some("owner"));
    let message = sent.message.clone().unwrap();
    assert!(message.contains("Counos has no refund call"), "{message}");
    assert!(message.contains("e-mailed the terminal owner"), "{message}");
    let note = sent.said.clone().expect("a coded note");
    assert_eq!(note.code, "refund_via_withdrawal");
    let Param::Said(registered) = &note.params["registered"] else {
        panic!("{note:?}")
    };
    assert_eq!(registered.code, "withdrawal_registered");
    assert_eq!(
        registered.params["amount"],
        Param::Text("0.00172414 BTC".into())
    );
    assert_eq!(registered.params["address"], Param::Text(CUSTOMER.into()));
    assert_eq!(note.to_string(), message);
    let withdrawal: i64 = sent.gateway_refund_id.clone().unwrap().parse().unwrap();

    // Until the owner confirms the e-mail the refund waits; then it is done.
    assert_eq!(
        refunds.follow(sent.id).await.unwrap().state,
        RefundState::Sent
    );
    cryptill_sandbox::client::Control::new(&till.sandbox_url().unwrap())
        .unwrap()
        .counos_complete_withdrawal(withdrawal, None)
        .await
        .unwrap();
    let done = refunds.follow_all().await.unwrap();
    assert_eq!(done[0].state, RefundState::Done);
    assert!(done[0].finished_at.is_some());

    // The day's Z-report shows the money given back, per coin and in all;
    // the failed first try is not in it.
    let z = report::z_report(till.ledger(), &SaleFilter::today(), "EUR").unwrap();
    assert_eq!(z.refunded, "100.00");
    assert_eq!(z.refunds.len(), 1);
    assert_eq!(
        (
            z.refunds[0].coin.as_str(),
            z.refunds[0].refunds,
            z.refunds[0].crypto_amount.as_str()
        ),
        ("BTC", 1, "0.00172414")
    );
    let text = report::z_report_text(&z);
    assert!(text.contains("Refunded:     100.00 EUR"), "{text}");
    assert!(
        text.contains("BTC    1 refund(s): 0.00172414 BTC = 100.00 EUR"),
        "{text}"
    );

    // Nothing is left of the excess; the rest of the payment still can go
    // back only as a return.
    let excess = refunds
        .request(
            &form(sale.sale_id, "overpaid", "1.00", CUSTOMER),
            Asker::Owner,
            Some(&ok),
        )
        .unwrap_err();
    assert!(
        excess.to_string().contains("0.00000000 BTC is left"),
        "{excess}"
    );
    let more = refunds
        .request(
            &form(sale.sale_id, "return", "1.00", CUSTOMER),
            Asker::Owner,
            Some(&ok),
        )
        .unwrap();
    assert_eq!(
        more.state,
        RefundState::Approved,
        "the owner's own refund needs no second approval"
    );
    till.close().await;
}

#[tokio::test]
async fn bad_refunds_are_each_refused_with_a_sentence_and_nothing_recorded() {
    let (_dir, till) = till_for("refusals", |_, _| {}).await;
    let checkout = till.checkout();
    let sale = checkout.charge("100.00", "BTC").await.unwrap();
    let refunds = till.refunds();
    let unpaid = refunds
        .request(
            &form(sale.sale_id, "return", "1.00", CUSTOMER),
            Asker::Cashier("Ann".into()),
            None,
        )
        .unwrap_err();
    assert_eq!(unpaid.kind(), ErrorKind::NotAllowed);
    assert!(unpaid.to_string().contains("no payment"), "{unpaid}");

    till.simulate(sale.sale_id, Simulation::Full).await.unwrap();
    checkout.refresh(sale.sale_id).await.unwrap();
    let ask = |f: RefundForm| refunds.request(&f, Asker::Cashier("Ann".into()), None);

    let too_much = ask(form(sale.sale_id, "return", "100.01", CUSTOMER)).unwrap_err();
    assert_eq!(too_much.kind(), ErrorKind::Input);
    assert!(
        too_much.to_string().contains("more than sale"),
        "{too_much}"
    );

    let ether = ask(form(
        sale.sale_id,
        "return",
        "5",
        "0x52908400098527886E0F7030069857D2E4169EE7",
    ))
    .unwrap_err();
    assert_eq!(ether.kind(), ErrorKind::Input);
    assert!(
        ether
            .to_string()
            .contains("not a BTC address on the Bitcoin network"),
        "{ether}"
    );

    let not_over = ask(form(sale.sale_id, "overpaid", "5", CUSTOMER)).unwrap_err();
    assert!(
        not_over.to_string().contains("was not overpaid"),
        "{not_over}"
    );
    let kind = ask(form(sale.sale_id, "gift", "5", CUSTOMER)).unwrap_err();
    assert!(kind.to_string().contains("not a kind of refund"), "{kind}");
    let mut blank = form(sale.sale_id, "return", "5", CUSTOMER);
    blank.reason = "  ".into();
    assert!(ask(blank).unwrap_err().to_string().contains("reason"));
    let amount = ask(form(sale.sale_id, "return", "five", CUSTOMER)).unwrap_err();
    assert_eq!(amount.kind(), ErrorKind::Input);
    assert!(
        refunds.list().unwrap().is_empty(),
        "nothing refused is recorded"
    );

    // The whole price can go back in two parts, never more: the second
    // refund sees the first (still only requested) as spoken for.
    ask(form(sale.sale_id, "return", "60.00", CUSTOMER)).unwrap();
    let over = ask(form(sale.sale_id, "return", "40.01", CUSTOMER)).unwrap_err();
    assert!(over.to_string().contains("0.00068966"), "{over}");
    ask(form(sale.sale_id, "return", "40.00", CUSTOMER)).unwrap();

    // Only the owner approves; a rejected refund frees its amount.
    let first = refunds.list().unwrap().pop().unwrap();
    let ok = owner(&till);
    let rejected = refunds.reject(&ok, first.id, "Goods not returned").unwrap();
    assert_eq!(rejected.state, RefundState::Rejected);
    assert_eq!(
        refunds.approve(&ok, first.id).unwrap_err().kind(),
        ErrorKind::NotAllowed
    );
    ask(form(sale.sale_id, "return", "60.00", CUSTOMER)).unwrap();
    till.close().await;
}

/// CoinGate: the refund call, its pending state, and the sandbox
/// completing it; and the gateway's refusal of an order that cannot be
/// refunded recorded as failed, never as sent.
/// A till on the sandbox's CoinGate dialect (its own sandbox process).
struct CoinGateShop {
    _dir: tempfile::TempDir,
    _till_dir: tempfile::TempDir,
    sandbox: cryptill_sandbox::Handle,
    till: Till,
}

async fn coingate_shop(name: &str) -> CoinGateShop {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = cryptill_sandbox::start(
        cryptill_sandbox::Config::demo(dir.path().join("gateway.sqlite3")),
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
    )
    .await
    .unwrap();
    let base = sandbox.coingate_url();
    let (till_dir, till) = till_for(name, |ledger, keys| {
        let ok = owner::unlock_with_pin(ledger, &secret("1234")).unwrap();
        owner::switch_gateway(&ok, ledger, GatewayKind::CoingateSandbox, Some(&base)).unwrap();
        keys.set(
            GatewayKind::CoingateSandbox.keyring_account(),
            &secret(cryptill_sandbox::DEMO_API_KEY),
        )
        .unwrap();
    })
    .await;
    CoinGateShop {
        _dir: dir,
        _till_dir: till_dir,
        sandbox,
        till,
    }
}

impl CoinGateShop {
    /// A 10.00 EUR sale paid 0.0002 BTC (overpaid): its id and CoinGate order.
    async fn overpaid_sale(&self) -> (i64, String) {
        let checkout = self.till.checkout();
        let sale = checkout.charge("10.00", "BTC").await.unwrap();
        let order = self
            .till
            .ledger()
            .sale(sale.sale_id)
            .unwrap()
            .gateway_order_id
            .unwrap();
        self.sandbox
            .control()
            .pay(Dialect::Coingate, &order, Payment::of(dec!(0.0002)))
            .await
            .unwrap();
        assert_eq!(
            checkout.refresh(sale.sale_id).await.unwrap().state,
            SaleState::Overpaid
        );
        (sale.sale_id, order)
    }

    async fn close(self) {
        self.till.close().await;
        self.sandbox.shutdown().await;
    }
}

#[tokio::test]
async fn coingate_refund_is_sent_followed_to_completed_and_a_refusal_is_failed() {
    let shop = coingate_shop("coingate").await;
    let (sandbox, till) = (&shop.sandbox, &shop.till);
    let control = sandbox.control();
    let checkout = till.checkout();
    let ok = owner(till);
    let refunds = till.refunds();
    let (sale_id, order) = shop.overpaid_sale().await;

    // CoinGate needs the customer's e-mail.
    let mut no_email = form(sale_id, "overpaid", "1.60", CUSTOMER);
    no_email.email = None;
    let err = refunds
        .request(&no_email, Asker::Owner, Some(&ok))
        .unwrap_err();
    assert!(err.to_string().contains("e-mail"), "{err}");

    let suggestion = refunds.suggest(&sale_id.to_string()).unwrap();
    assert!(suggestion.needs_email);
    assert_eq!(suggestion.crypto_amount, "0.00002759");
    let mut asked = form(sale_id, "overpaid", &suggestion.crypto_amount, CUSTOMER);
    asked.in_coin = true;
    let record = refunds.request(&asked, Asker::Owner, Some(&ok)).unwrap();
    let sent = refunds.send(&ok, record.id).await.unwrap();
    assert_eq!(sent.state, RefundState::Sent);
    assert_eq!(sent.gateway_status.as_deref(), Some("pending"));
    assert!(sent.message.unwrap().contains("e-mails the customer"));
    let refund_id: i64 = sent.gateway_refund_id.clone().unwrap().parse().unwrap();
    // What reached CoinGate: the amount in the price currency at the sale's rate.
    let at_gateway = control_refund(sandbox, &order, refund_id).await;
    assert_eq!(at_gateway["request_amount"], "1.6");
    assert_eq!(at_gateway["address"], CUSTOMER);
    assert_eq!(at_gateway["email"], "customer@example.com");

    assert_eq!(
        refunds.follow(record.id).await.unwrap().state,
        RefundState::Sent
    );
    control
        .coingate_refund_action(&order, refund_id, "complete", None)
        .await
        .unwrap();
    let done = refunds.follow(record.id).await.unwrap();
    assert_eq!(done.state, RefundState::Done);
    assert_eq!(done.gateway_status.as_deref(), Some("completed"));

    // An underpaid order still waiting is not refundable at CoinGate: its
    // refusal is recorded as failed, with CoinGate's words.
    let part = checkout.charge("10.00", "BTC").await.unwrap();
    let part_order = till
        .ledger()
        .sale(part.sale_id)
        .unwrap()
        .gateway_order_id
        .unwrap();
    control
        .pay(Dialect::Coingate, &part_order, Payment::of(dec!(0.0001)))
        .await
        .unwrap();
    assert_eq!(
        checkout.refresh(part.sale_id).await.unwrap().state,
        SaleState::Underpaid
    );
    let asked = refunds
        .request(
            &form(part.sale_id, "underpaid", "5.00", CUSTOMER),
            Asker::Owner,
            Some(&ok),
        )
        .unwrap();
    let err = refunds.send(&ok, asked.id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Gateway);
    assert!(err.to_string().contains("not refundable"), "{err}");
    let failed = till.ledger().refund(asked.id).unwrap();
    assert_eq!(failed.state, RefundState::Failed);
    assert_eq!(failed.gateway_refund_id, None);
    assert_eq!(failed.sent_at, None);
    shop.close().await;
}

/// What the app sends the gateway for refund `id`, as `Refunds::send`
/// builds it: used to play the gateway call of a send whose answer the app
/// never wrote down.
async fn gateway_request(till: &Till, id: i64) -> RefundRequest {
    let record = till.ledger().refund(id).unwrap();
    let sale = till.ledger().sale(record.sale_id).unwrap();
    let coins = till.checkout().coins().await.unwrap();
    RefundRequest {
        order: OrderRef {
            merchant_order_id: sale.merchant_order_id.clone(),
            gateway_order_id: sale.gateway_order_id.clone(),
        },
        coin: pick_network(&coins, &record.coin, Some(&record.network))
            .unwrap()
            .unwrap(),
        fiat: record.fiat().unwrap(),
        crypto: record.crypto().unwrap(),
        address: record.address.clone(),
        reason: record.reason.clone(),
        email: record.email.clone(),
    }
}

/// The app closes between CoinGate taking a refund and the ledger write:
/// the refund is left `sending` while CoinGate holds it. Following the
/// refunds finds it among the order's refunds (same amount, same address,
/// not claimed by another of ours) and records CoinGate's id and state; one
/// CoinGate never got stays `sending` with a sentence, and the owner marks
/// it failed; a refund CoinGate holds is never marked failed, whatever the
/// owner chooses.
#[tokio::test]
async fn a_coingate_refund_whose_answer_was_lost_is_found_at_coingate_and_one_never_taken_is_marked_failed(
) {
    let shop = coingate_shop("coingate-lost").await;
    let till = &shop.till;
    let ok = owner(till);
    let refunds = till.refunds();
    let (sale_id, order) = shop.overpaid_sale().await;
    let ask = |amount: &str| {
        refunds
            .request(
                &form(sale_id, "return", amount, CUSTOMER),
                Asker::Owner,
                Some(&ok),
            )
            .unwrap()
    };

    // Sent whole first: its id at CoinGate is ours already.
    let earlier = ask("0.40");
    let earlier = refunds.send(&ok, earlier.id).await.unwrap();
    // The same amount to the same address, its answer lost.
    let lost = ask("0.40");
    till.ledger().start_sending_refund(lost.id).unwrap();
    let taken = till
        .checkout()
        .gateway()
        .refund(&gateway_request(till, lost.id).await)
        .await
        .unwrap();
    assert_ne!(Some(&taken.id), earlier.gateway_refund_id.as_ref());
    // One CoinGate never heard of.
    let never = ask("0.30");
    till.ledger().start_sending_refund(never.id).unwrap();
    assert_eq!(
        till.ledger().refund(lost.id).unwrap().state,
        RefundState::Sending
    );

    refunds.follow_all().await.unwrap();
    let found = till.ledger().refund(lost.id).unwrap();
    assert_eq!(found.state, RefundState::Sent);
    assert_eq!(found.gateway_refund_id.as_deref(), Some(taken.id.as_str()));
    assert_eq!(found.gateway_status.as_deref(), Some("pending"));
    assert!(found.sent_at.is_some());
    let stuck = till.ledger().refund(never.id).unwrap();
    assert_eq!(stuck.state, RefundState::Sending);
    let said = stuck.message.unwrap();
    assert!(said.contains("CoinGate"), "{said}");
    assert!(said.contains("mark it failed"), "{said}");
    let note = stuck.said.expect("a coded note");
    assert_eq!(note.code, "refund_not_listed");
    assert_eq!(note.params["sale"], Param::Text(sale_id.to_string()));
    assert_eq!(
        note.params["amount"],
        Param::Text(never.crypto().unwrap().to_string())
    );
    let Param::Said(check) = &note.params["check"] else {
        panic!("{note:?}")
    };
    assert_eq!(check.code, "refund_check_coingate");
    assert_eq!(note.to_string(), said);

    // The owner checked the dashboard: nothing there; marked failed, and
    // the money is free to refund again.
    let failed = refunds
        .resolve(&ok, never.id, Resolution::Failed)
        .await
        .unwrap();
    assert_eq!(failed.state, RefundState::Failed);
    assert_eq!(failed.sent_at, None);
    assert!(failed.message.unwrap().contains("marked it failed"));
    let again = refunds
        .resolve(&ok, never.id, Resolution::Failed)
        .await
        .unwrap_err();
    assert_eq!(again.kind(), ErrorKind::NotAllowed);

    // Another lost answer, and the owner says failed: CoinGate holds it,
    // so it is recorded as sent with CoinGate's id instead.
    let third = ask("0.20");
    till.ledger().start_sending_refund(third.id).unwrap();
    let held = till
        .checkout()
        .gateway()
        .refund(&gateway_request(till, third.id).await)
        .await
        .unwrap();
    let kept = refunds
        .resolve(&ok, third.id, Resolution::Failed)
        .await
        .unwrap();
    assert_eq!(kept.state, RefundState::Sent);
    assert_eq!(kept.gateway_refund_id, Some(held.id));

    // Found, it is followed to the end like any other.
    shop.sandbox
        .control()
        .coingate_refund_action(&order, &taken.id, "complete", None)
        .await
        .unwrap();
    assert_eq!(
        refunds.follow(lost.id).await.unwrap().state,
        RefundState::Done
    );

    // The books: the sales history carries the sale's four refunds and
    // what went back or is on its way (0.40 done, 0.40 + 0.20 sent; the
    // failed one is not money back); the CSV's last column says the same.
    let page = report::history_page(
        till.ledger(),
        &SaleFilter::default(),
        &report::PageRequest::default(),
    )
    .unwrap();
    let row = page.rows.iter().find(|r| r.id == sale_id).unwrap();
    let states: Vec<_> = row.refunds.iter().map(|r| r.state).collect();
    assert_eq!(
        states,
        vec![
            RefundState::Sent,
            RefundState::Done,
            RefundState::Failed,
            RefundState::Sent
        ]
    );
    assert_eq!(row.refunded.as_deref(), Some("1.00"));
    let mut csv = Vec::new();
    report::write_csv(till.ledger(), &SaleFilter::default(), &mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().ends_with(",refunded"), "{csv}");
    let line = lines
        .find(|l| l.starts_with(&format!("{sale_id},")))
        .unwrap();
    assert!(line.ends_with(",1.00"), "{csv}");
    shop.close().await;
}

/// On Counos (the demo speaks it) a refund is a withdrawal: one whose
/// answer was lost is found in the terminal's withdrawals to the address,
/// of the same coin amount; when the owner says it was sent (the Counos
/// dashboard shows it), that is recorded.
#[tokio::test]
async fn a_counos_refund_whose_answer_was_lost_is_found_in_the_withdrawals_or_marked_sent() {
    let (_dir, till) = till_for("demo-lost", |_, _| {}).await;
    let checkout = till.checkout();
    let sale_id = paid_demo_sale(&till).await;
    let ok = owner(&till);
    till.owner()
        .demo_withdraw_permission(&ok, true)
        .await
        .unwrap();
    let refunds = till.refunds();
    // Above the demo terminal's smallest withdrawal (0.0005 BTC).
    let mut asked = form(sale_id, "return", "50.00", CUSTOMER);
    asked.email = None;

    let lost = refunds.request(&asked, Asker::Owner, Some(&ok)).unwrap();
    till.ledger().start_sending_refund(lost.id).unwrap();
    let taken = checkout
        .gateway()
        .refund(&gateway_request(&till, lost.id).await)
        .await
        .unwrap();
    let settled = refunds.resolve_lost().await.unwrap();
    assert_eq!(settled.len(), 1);
    assert_eq!(settled[0].id, lost.id);
    assert_eq!(settled[0].state, RefundState::Sent);
    assert_eq!(settled[0].gateway_refund_id, Some(taken.id));

    // A second, the Counos answer lost and its withdrawal not listed (here:
    // never made): the owner saw it in the dashboard and marks it sent.
    let second = refunds.request(&asked, Asker::Owner, Some(&ok)).unwrap();
    till.ledger().start_sending_refund(second.id).unwrap();
    let marked = refunds
        .resolve(&ok, second.id, Resolution::Sent(None))
        .await
        .unwrap();
    assert_eq!(marked.state, RefundState::Sent);
    assert!(marked.sent_at.is_some());
    assert!(marked.message.unwrap().contains("marked it sent"));
    let note = marked.said.expect("a coded note");
    assert_eq!(note.code, "refund_owner_marked_sent");
    assert_eq!(
        note.params["gateway"],
        Param::Text(GatewayKind::Demo.label().into())
    );
    till.close().await;
}

/// A 1000 EUR sale paid in full at the demo gateway (Counos's dialect).
async fn paid_demo_sale(till: &Till) -> i64 {
    let checkout = till.checkout();
    let sale = checkout.charge("1000.00", "BTC").await.unwrap();
    till.simulate(sale.sale_id, Simulation::Full).await.unwrap();
    checkout.refresh(sale.sale_id).await.unwrap();
    sale.sale_id
}

/// A refund's note is kept with its sentence's code and values (the window
/// says it in the shop's language); a reason the owner typed stays as
/// typed, without a code (the window shows such a note as it is).
#[tokio::test]
async fn a_refunds_note_is_kept_with_its_code_and_an_owners_words_as_typed() {
    let (_dir, till) = till_for("notes", |_, _| {}).await;
    let sale_id = paid_demo_sale(&till).await;
    let ok = owner(&till);
    let refunds = till.refunds();
    let mut asked = form(sale_id, "return", "10.00", CUSTOMER);
    asked.email = None;
    let ask = || {
        refunds
            .request(&asked, Asker::Cashier("Ann".into()), None)
            .unwrap()
    };

    let silent = refunds.reject(&ok, ask().id, "  ").unwrap();
    assert_eq!(silent.state, RefundState::Rejected);
    assert_eq!(
        silent.message.as_deref(),
        Some("The owner did not approve this refund.")
    );
    let note = silent.said.expect("a coded note");
    assert_eq!(note.code, "refund_owner_did_not_approve");
    assert!(note.params.is_empty());

    let typed = refunds
        .reject(&ok, ask().id, "Kunde hat storniert")
        .unwrap();
    assert_eq!(typed.message.as_deref(), Some("Kunde hat storniert"));
    assert_eq!(typed.said, None, "the owner's own words have no code");

    // Read back by another handle on the same ledger: the code survives
    // the ledger (SQLite, or the shared PostgreSQL one).
    let listed = till.ledger().refund(silent.id).unwrap();
    assert_eq!(
        listed.said.map(|s| s.code),
        Some("refund_owner_did_not_approve".to_string())
    );
    till.close().await;
}

async fn control_refund(
    sandbox: &cryptill_sandbox::Handle,
    order: &str,
    refund: i64,
) -> serde_json::Value {
    reqwest::Client::new()
        .get(format!(
            "{}orders/{order}/refunds/{refund}",
            sandbox.coingate_url()
        ))
        .header(
            "Authorization",
            format!("Token {}", cryptill_sandbox::DEMO_API_KEY),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The counter's read-back checks the form as the request does (one
/// validation): a wrong-network address or more than is left is refused
/// before the customer is shown anything; a good form comes back with the
/// address as a QR and nothing recorded. In demo mode the owner confirms
/// the demo gateway's withdrawal e-mail and the refund is done.
#[tokio::test]
async fn the_preview_checks_like_the_request_and_the_demo_email_finishes_the_refund() {
    let (_dir, till) = till_for("preview", |_, _| {}).await;
    let checkout = till.checkout();
    let sale = checkout.charge("1000.00", "BTC").await.unwrap();
    till.simulate(sale.sale_id, Simulation::Overpay)
        .await
        .unwrap();
    checkout.refresh(sale.sale_id).await.unwrap();
    let refunds = till.refunds();

    let ether = refunds
        .preview(&form(
            sale.sale_id,
            "overpaid",
            "100.00",
            "0x52908400098527886E0F7030069857D2E4169EE7",
        ))
        .unwrap_err();
    assert_eq!(ether.kind(), ErrorKind::Input);
    assert!(ether.to_string().contains("not a BTC address"), "{ether}");
    let too_much = refunds
        .preview(&form(sale.sale_id, "return", "1100.01", CUSTOMER))
        .unwrap_err();
    assert!(
        too_much.to_string().contains("more than sale"),
        "{too_much}"
    );

    let mut asked = form(sale.sale_id, "overpaid", "100.00", &format!(" {CUSTOMER} "));
    asked.email = None;
    let preview = refunds.preview(&asked).unwrap();
    assert_eq!(preview.address, CUSTOMER);
    assert_eq!(
        (preview.crypto_amount.as_str(), preview.coin.as_str()),
        ("0.00172414", "BTC")
    );
    assert_eq!(preview.network, "Bitcoin");
    assert!(preview.qr_png.starts_with("data:image/png;base64,"));
    assert!(
        refunds.list().unwrap().is_empty(),
        "a preview records nothing"
    );

    let ok = owner(&till);
    till.owner()
        .demo_withdraw_permission(&ok, true)
        .await
        .unwrap();
    let record = refunds
        .request(&asked, Asker::Cashier("Ann".into()), None)
        .unwrap();
    // Not yet sent: there is no e-mail to confirm.
    let early = refunds
        .demo_confirm_email(&ok, till.sandbox_url().as_deref(), record.id)
        .await
        .unwrap_err();
    assert_eq!(early.kind(), ErrorKind::NotAllowed);
    let sent = refunds
        .approve_with_pin(record.id, &secret("1234"))
        .await
        .unwrap();
    assert_eq!(sent.state, RefundState::Sent);
    let real = refunds
        .demo_confirm_email(&ok, None, record.id)
        .await
        .unwrap_err();
    assert!(real.to_string().contains("e-mail Counos sent"), "{real}");
    let done = refunds
        .demo_confirm_email(&ok, till.sandbox_url().as_deref(), record.id)
        .await
        .unwrap();
    assert_eq!(done.state, RefundState::Done);
    till.close().await;
}
