use reqwest::StatusCode;
use serde_json::{json, Value};

use cryptill_sandbox::client::{Error, Payment};
use rust_decimal_macros::dec;

use crate::support::{assert_coingate_error, id, Sandbox};

const EUR_MAIN: &str = "01JM9S346Q3D25VT4F5V37E3S3";
const LTC_MAIN: &str = "01JSSZ5AWSH8VHTPRE95B9EE0Z";
const BTC_MAIN: &str = "01JFBF5KZNWJ47TAN9ZT24MNPZ";

async fn balances(sandbox: &Sandbox) -> Vec<(String, String)> {
    let answer = sandbox.cg_get("ledger/accounts").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    answer.json["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|account| {
            (
                account["id"].as_str().unwrap().to_owned(),
                account["balance"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn balance(sandbox: &Sandbox, id: &str) -> String {
    balances(sandbox)
        .await
        .into_iter()
        .find(|(account, _)| account == id)
        .unwrap()
        .1
}

/// A EUR order settled in `receive`, paid in `coin`.
async fn paid(sandbox: &Sandbox, price: &str, receive: &str, coin: &str) -> Value {
    let order = sandbox
        .cg_form(
            "orders",
            &[
                ("price_amount", price),
                ("price_currency", "EUR"),
                ("receive_currency", receive),
                ("title", "Order #9"),
                ("description", "goods"),
            ],
        )
        .await
        .json;
    let pending = sandbox.cg_checkout(&order["id"], coin).await.json;
    sandbox.cg_pay(&pending, Payment::full()).await
}

// gateways.md: `{current_page, per_page, total_accounts, total_pages,
// accounts:[{id (ULID), balance:"0.0", status, account_type, title, currency}]}`.
#[tokio::test]
async fn ledger_accounts_start_at_zero_with_ulid_ids_and_both_account_types() {
    let sandbox = Sandbox::start().await;
    let answer = sandbox.cg_get("ledger/accounts").await;
    let list = &answer.json;
    assert_eq!(list["current_page"], 1);
    assert_eq!(list["per_page"], 100);
    assert_eq!(list["total_accounts"], 6);
    assert_eq!(list["total_pages"], 1);
    assert_eq!(
        list["accounts"][0],
        json!({
            "id": EUR_MAIN, "balance": "0.0", "status": "active", "account_type": "main",
            "title": "Euro main account",
            "currency": {"id": 14, "title": "Euro", "kind": "fiat", "symbol": "EUR",
                         "enabled": true, "disabled_message": null},
        })
    );
    let accounts = list["accounts"].as_array().unwrap();
    for account in accounts {
        let id = account["id"].as_str().unwrap();
        assert!(
            id.len() == 26
                && id.bytes().all(
                    |b| b.is_ascii_digit() || (b.is_ascii_uppercase() && !b"ILOU".contains(&b))
                ),
            "{id}"
        );
        assert_eq!(account["balance"], "0.0");
    }
    assert_eq!(accounts[5]["account_type"], "secondary");
    assert_eq!(accounts[5]["currency"]["symbol"], "EUR");

    let page = sandbox
        .cg_get("ledger/accounts?per_page=4&page=2")
        .await
        .json;
    assert_eq!(page["accounts"].as_array().unwrap().len(), 2);
    assert_eq!(page["total_pages"], 2);
}

// Balances are what paid orders credited in their settlement currency, after
// CoinGate's fee, less refunds.
#[tokio::test]
async fn paid_orders_credit_their_settlement_account_and_refunds_debit_it() {
    let sandbox = Sandbox::start().await;
    let eur = paid(&sandbox, "10", "EUR", "BTC").await;
    paid(&sandbox, "8", "DO_NOT_CONVERT", "LTC").await;
    paid(&sandbox, "10", "BTC", "ETH").await;
    sandbox.cg_pending("50", "BTC").await;
    assert_eq!(balance(&sandbox, EUR_MAIN).await, "9.9");
    assert_eq!(balance(&sandbox, LTC_MAIN).await, "0.099");
    // 10 EUR is 0.00017241 BTC, less 0.00000172 in fees.
    assert_eq!(balance(&sandbox, BTC_MAIN).await, "0.00017069");

    sandbox
        .control()
        .coingate_refund(id(&eur), Some(dec!(2)))
        .await
        .unwrap();
    assert_eq!(balance(&sandbox, EUR_MAIN).await, "7.9");
    sandbox
        .control()
        .coingate_refund(id(&eur), None)
        .await
        .unwrap();
    assert_eq!(
        balance(&sandbox, EUR_MAIN).await,
        "-0.1",
        "the fee is not refunded"
    );
}

#[tokio::test]
async fn a_ledger_account_is_read_by_id_and_an_unknown_one_is_404() {
    let sandbox = Sandbox::start().await;
    paid(&sandbox, "10", "EUR", "BTC").await;
    let account = sandbox.cg_get(&format!("ledger/accounts/{EUR_MAIN}")).await;
    assert_eq!(account.json["balance"], "9.9");
    let unknown = sandbox
        .cg_get("ledger/accounts/01J0000000000000000000000")
        .await;
    assert_coingate_error(&unknown, StatusCode::NOT_FOUND, "LedgerAccountNotFound");
}

// gateways.md: `GET /withdrawals` -> `{..., total_withdrawals,
// withdrawals:[{id, status, amount, created_at, completed_at, currency,
// payout_setting}]}`; `GET /withdrawals/{id}`.
#[tokio::test]
async fn a_withdrawal_lowers_the_balance_and_is_listed_until_completed() {
    let sandbox = Sandbox::start().await;
    paid(&sandbox, "100", "EUR", "BTC").await;
    sandbox
        .control()
        .coingate_withdraw("EUR", dec!(50.5))
        .await
        .unwrap();
    assert_eq!(balance(&sandbox, EUR_MAIN).await, "48.5");

    let list = sandbox.cg_get("withdrawals").await.json;
    assert_eq!(list["total_withdrawals"], 1);
    assert_eq!(list["total_pages"], 1);
    let withdrawal = &list["withdrawals"][0];
    assert_eq!(withdrawal["status"], "pending");
    assert_eq!(withdrawal["amount"], "50.5");
    assert_eq!(withdrawal["completed_at"], Value::Null);
    assert_eq!(
        withdrawal["currency"],
        json!({"id": 14, "title": "Euro", "symbol": "EUR"})
    );
    assert_eq!(withdrawal["payout_setting"]["id"], 5504);
    assert_eq!(withdrawal["payout_setting"]["currency"]["symbol"], "EUR");

    let id = &withdrawal["id"];
    let done = sandbox
        .control()
        .coingate_complete_withdrawal(id.as_i64().unwrap())
        .await
        .unwrap();
    assert_eq!(done["status"], "completed");
    let read = sandbox.cg_get(&format!("withdrawals/{id}")).await.json;
    assert_eq!(read["status"], "completed");
    assert!(read["completed_at"].as_str().unwrap().ends_with("+00:00"));
    assert_eq!(balance(&sandbox, EUR_MAIN).await, "48.5");

    let unknown = sandbox.cg_get("withdrawals/999").await;
    assert_coingate_error(&unknown, StatusCode::NOT_FOUND, "WithdrawalNotFound");
}

#[tokio::test]
async fn a_withdrawal_beyond_the_balance_is_refused() {
    let sandbox = Sandbox::start().await;
    paid(&sandbox, "10", "EUR", "BTC").await;
    let refused = sandbox
        .control()
        .coingate_withdraw("EUR", dec!(10))
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::Refused { .. }), "{refused}");
    assert!(refused.to_string().contains("9.9"), "{refused}");
    assert_eq!(
        sandbox.cg_get("withdrawals").await.json["total_withdrawals"],
        0
    );
}

// gateways.md: `POST /send_requests` (ledger_account_id,
// beneficiary_payout_setting_id, amount, amount_currency_id, purpose,
// external_id) answers `draft` and needs confirmation (2FA) in the dashboard.
#[tokio::test]
async fn a_send_request_answers_a_draft_that_needs_2fa_and_moves_nothing() {
    let sandbox = Sandbox::start().await;
    paid(&sandbox, "100", "EUR", "BTC").await;
    let answer = sandbox
        .cg_form(
            "send_requests",
            &[
                ("ledger_account_id", EUR_MAIN),
                ("beneficiary_payout_setting_id", "7701"),
                ("amount", "50"),
                ("amount_currency_id", "14"),
                ("purpose", "Supplier invoice 7"),
                ("external_id", "pay-7"),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let request = &answer.json;
    assert_eq!(request["status"], "draft");
    assert_eq!(request["requires_2fa_confirmation"], true);
    assert_eq!(request["purpose"], "Supplier invoice 7");
    assert_eq!(request["external_id"], "pay-7");
    assert_eq!(
        request["ledger_account"],
        json!({"id": EUR_MAIN, "balance": "99.0", "status": "active",
               "currency": {"id": 14, "title": "Euro", "symbol": "EUR"}})
    );
    assert_eq!(request["input_amount"], "50.0");
    assert_eq!(request["input_currency"]["kind"], "fiat");
    // 50 EUR at 58000 EUR per bitcoin, to 8 places; debited in EUR.
    assert_eq!(request["sending_amount"], "0.00086207");
    assert_eq!(request["sending_currency"]["symbol"], "BTC");
    assert_eq!(request["input_to_sending_rate"], "0.00001724");
    assert_eq!(request["sending_to_balance_debit_rate"], "0.00001724");
    assert_eq!(request["balance_debit_amount"], "50.0");
    assert_eq!(request["balance_debit_currency"]["symbol"], "EUR");
    assert_eq!(request["fees"]["service_fee"]["amount"], "0.5");
    assert_eq!(request["fees"]["conversion_fee"]["amount"], "0.5");
    let payout = &request["beneficiary_payout_setting"];
    assert_eq!(payout["id"], 7701);
    assert_eq!(
        payout["platform"],
        json!({"id": 12, "title": "Bitcoin", "id_name": "bitcoin"})
    );
    assert!(payout["crypto_address"]
        .as_str()
        .unwrap()
        .starts_with("tb1q"));
    let created_at = request["created_at"].as_str().unwrap();
    assert!(
        created_at.ends_with('Z') && created_at.len() == 24,
        "{created_at}"
    );
    let id = &request["id"];
    assert_eq!(
        request["actions_required"]["confirm"],
        format!(
            "{}send_requests/{id}/confirm",
            sandbox.handle.coingate_url()
        )
    );
    assert_eq!(
        balance(&sandbox, EUR_MAIN).await,
        "99.0",
        "a draft moves nothing"
    );

    let read = sandbox.cg_get(&format!("send_requests/{id}")).await;
    assert_eq!(read.json, *request);
    let list = sandbox.cg_get("send_requests").await.json;
    assert_eq!(list["total_records"], 1);
    assert_eq!(list["send_requests"][0], *request);
}

#[tokio::test]
async fn an_invalid_send_request_is_422_send_request_is_not_valid_with_every_error() {
    let sandbox = Sandbox::start().await;
    let empty = sandbox.cg_form("send_requests", &[]).await;
    assert_eq!(
        empty.json,
        json!({
            "message": "SendRequest is not valid",
            "reason": "SendRequestIsNotValid",
            "errors": [
                "Ledger account can't be blank",
                "Beneficiary payout setting can't be blank",
                "Amount can't be blank",
                "Amount currency can't be blank",
                "Purpose can't be blank",
            ],
        })
    );
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let wrong = sandbox
        .cg_json(
            "send_requests",
            r#"{"ledger_account_id": "nope", "beneficiary_payout_setting_id": 1,
                "amount": "-1", "amount_currency_id": 1, "purpose": "x"}"#,
        )
        .await;
    assert_eq!(
        wrong.json["errors"],
        json!([
            "Ledger account is invalid",
            "Beneficiary payout setting is invalid",
            "Amount must be greater than 0",
            "Amount currency is invalid",
        ])
    );
}

#[tokio::test]
async fn a_send_request_beyond_the_balance_or_with_a_used_external_id_is_refused() {
    let sandbox = Sandbox::start().await;
    paid(&sandbox, "100", "EUR", "BTC").await;
    let request = |amount: &'static str| {
        vec![
            ("ledger_account_id", EUR_MAIN),
            ("beneficiary_payout_setting_id", "7702"),
            ("amount", amount),
            ("amount_currency_id", "14"),
            ("purpose", "rent"),
            ("external_id", "rent-1"),
        ]
    };
    let too_much = sandbox.cg_form("send_requests", &request("99")).await;
    assert_coingate_error(
        &too_much,
        StatusCode::UNPROCESSABLE_ENTITY,
        "SendRequestIsNotValid",
    );
    assert_eq!(
        too_much.json["errors"],
        json!(["Ledger account balance is insufficient"])
    );
    let first = sandbox.cg_form("send_requests", &request("10")).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    let again = sandbox.cg_form("send_requests", &request("10")).await;
    assert_eq!(
        again.json["errors"],
        json!(["External id has already been taken"])
    );
}

#[tokio::test]
async fn a_draft_is_canceled_but_not_confirmed_without_2fa() {
    let sandbox = Sandbox::start().await;
    paid(&sandbox, "100", "EUR", "BTC").await;
    let request = sandbox
        .cg_form(
            "send_requests",
            &[
                ("ledger_account_id", EUR_MAIN),
                ("beneficiary_payout_setting_id", "7703"),
                ("amount", "8"),
                ("amount_currency_id", "14"),
                ("purpose", "refund to a friend"),
            ],
        )
        .await
        .json;
    assert_eq!(request["sending_amount"], "0.1");
    assert_eq!(request["external_id"], Value::Null);
    let patch = |action: &str| {
        sandbox
            .client()
            .patch(sandbox.coingate(&format!("send_requests/{}/{action}", request["id"])))
            .header(
                "authorization",
                format!("Token {}", cryptill_sandbox::DEMO_API_KEY),
            )
    };
    let confirm = sandbox.send(patch("confirm")).await.unwrap();
    assert_coingate_error(
        &confirm,
        StatusCode::UNPROCESSABLE_ENTITY,
        "SendRequestIsNotValid",
    );
    let cancel = sandbox.send(patch("cancel")).await.unwrap();
    assert_eq!(cancel.json["status"], "canceled");
    let unknown = sandbox.cg_get("send_requests/1").await;
    assert_coingate_error(&unknown, StatusCode::NOT_FOUND, "SendRequestNotFound");
}
