//! A sandbox on a loopback port with its own database in a temp dir, and a
//! plain HTTP client that speaks to it the way any Counos or CoinGate client
//! would.

use std::net::{Ipv4Addr, SocketAddr};

use cryptill_sandbox::client::{Control, Dialect, Payment};
use cryptill_sandbox::{Config, Handle, DEMO_API_KEY};
use reqwest::StatusCode;
use serde_json::Value;
use tempfile::TempDir;

pub struct Sandbox {
    pub handle: Handle,
    config: Config,
    http: reqwest::Client,
    // Held so the database outlives the sandbox; removed when dropped.
    _dir: TempDir,
}

/// A response read as JSON, with the raw text kept for exact-number checks.
pub struct Answer {
    pub status: StatusCode,
    pub content_type: String,
    pub json: Value,
    pub text: String,
}

impl Answer {
    pub fn data(&self) -> &Value {
        &self.json["data"]
    }

    /// The raw text holds `part` to the letter: the JSON value would lose
    /// the digits (trailing zeros, precision) these checks are about.
    #[track_caller]
    pub fn assert_text_contains(&self, part: &str) {
        assert!(self.text.contains(part), "{}", self.text);
    }
}

impl Sandbox {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(edit: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("a temp dir");
        let mut config = Config::demo(dir.path().join("sandbox.sqlite3"));
        edit(&mut config);
        let handle = start(&config).await;
        Sandbox {
            handle,
            config,
            http: reqwest::Client::new(),
            _dir: dir,
        }
    }

    /// Stops the sandbox and starts it again on the same database file.
    pub async fn restart(self) -> Self {
        let Sandbox {
            handle,
            config,
            http,
            _dir,
        } = self;
        handle.shutdown().await;
        let handle = start(&config).await;
        Sandbox {
            handle,
            config,
            http,
            _dir,
        }
    }

    pub fn counos(&self, path: &str) -> String {
        format!("{}{path}", self.handle.counos_url())
    }

    /// A Counos GET with the demo key, sent lower-case as clients do.
    pub async fn get(&self, path: &str) -> Answer {
        self.send(
            self.http
                .get(self.counos(path))
                .header("x-api-key", DEMO_API_KEY),
        )
        .await
        .expect("the sandbox answers")
    }

    /// A Counos POST of JSON text with the demo key. Bodies are written as text
    /// so that amounts reach the sandbox with exactly the digits a test means.
    pub async fn post(&self, path: &str, body: &str) -> Answer {
        let request = self
            .http
            .post(self.counos(path))
            .header("x-api-key", DEMO_API_KEY)
            .header("content-type", "application/json")
            .body(body.to_owned());
        self.send(request).await.expect("the sandbox answers")
    }

    /// `POST terminal/order` for a Bitcoin order (ticker 11), which must succeed.
    pub async fn create_btc_order(&self, order_id: &str, amount: &str, renew: bool) -> Answer {
        let order_id = serde_json::to_string(order_id).unwrap();
        let body = format!(
            r#"{{"orderId": {order_id}, "tickerId": 11, "expectedAmount": {amount}, "renew": {renew}}}"#
        );
        let answer = self.post("terminal/order", &body).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        answer
    }

    /// The typed client for this sandbox's `/control/` routes.
    pub fn control(&self) -> Control {
        self.handle.control()
    }

    /// A control POST of a body the typed client cannot write (a misspelt
    /// field, an amount that is no number), for the tests that the control
    /// routes refuse it.
    pub async fn control_raw(&self, path: &str, body: Value) -> Answer {
        let request = self
            .http
            .post(format!("{}/control/{path}", self.handle.base_url()))
            .json(&body);
        self.send(request).await.expect("the sandbox answers")
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> reqwest::Result<Answer> {
        let response = request.send().await?;
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let text = response.text().await?;
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Answer {
            status,
            content_type,
            json,
            text,
        })
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.http
    }

    // ---- CoinGate ---------------------------------------------------------------

    pub fn coingate(&self, path: &str) -> String {
        format!("{}{path}", self.handle.coingate_url())
    }

    /// A CoinGate GET with the demo key as `Authorization: Token <key>`.
    pub async fn cg_get(&self, path: &str) -> Answer {
        self.send(
            self.http
                .get(self.coingate(path))
                .header("authorization", format!("Token {DEMO_API_KEY}")),
        )
        .await
        .expect("the sandbox answers")
    }

    /// A CoinGate GET with no key, as public calls are made.
    pub async fn cg_public(&self, path: &str) -> Answer {
        self.send(self.http.get(self.coingate(path)))
            .await
            .expect("the sandbox answers")
    }

    /// A CoinGate POST in the documented form encoding, with the demo key.
    pub async fn cg_form(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let request = self
            .http
            .post(self.coingate(path))
            .header("authorization", format!("Token {DEMO_API_KEY}"))
            .header(
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8",
            )
            .body(form(fields));
        self.send(request).await.expect("the sandbox answers")
    }

    /// A CoinGate POST of JSON text, with the demo key.
    pub async fn cg_json(&self, path: &str, body: &str) -> Answer {
        let request = self
            .http
            .post(self.coingate(path))
            .header("authorization", format!("Token {DEMO_API_KEY}"))
            .header("content-type", "application/json")
            .body(body.to_owned());
        self.send(request).await.expect("the sandbox answers")
    }

    /// `POST /orders` for a EUR price settled in EUR, which must succeed.
    pub async fn cg_order(&self, price: &str, order_id: &str) -> Value {
        let answer = self
            .cg_form(
                "orders",
                &[
                    ("order_id", order_id),
                    ("price_amount", price),
                    ("price_currency", "EUR"),
                    ("receive_currency", "EUR"),
                    ("title", "Sale at the corner shop"),
                    ("description", "1 x coffee"),
                ],
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        answer.json
    }

    /// `POST /orders/{id}/checkout` in `coin` on its sandbox platform.
    pub async fn cg_checkout(&self, id: &Value, coin: &str) -> Answer {
        let platform = match coin {
            "BTC" => "12",
            "ETH" => "15",
            "LTC" => "18",
            _ => "21",
        };
        self.cg_form(
            &format!("orders/{id}/checkout"),
            &[("pay_currency", coin), ("platform_id", platform)],
        )
        .await
    }

    /// A EUR order checked out in `coin`: `pending`, with an address.
    pub async fn cg_pending(&self, price: &str, coin: &str) -> Value {
        let order = self.cg_order(price, "inv-1").await;
        let answer = self.cg_checkout(&order["id"], coin).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        answer.json
    }

    /// A payment on a CoinGate order (by its JSON, as `cg_order` and
    /// `cg_pending` answer it), which must succeed: the order after it.
    pub async fn cg_pay(&self, order: &Value, payment: Payment) -> Value {
        self.control()
            .pay(Dialect::Coingate, id(order), payment)
            .await
            .expect("the payment is taken")
    }
}

/// A CoinGate order's integer `id`, as the control client takes it.
pub fn id(order: &Value) -> i64 {
    order["id"]
        .as_i64()
        .expect("a CoinGate order has an integer id")
}

/// `application/x-www-form-urlencoded`, written out so that tests send exactly
/// the bytes a PHP or curl client would (`shopper%5Bemail%5D=...`).
pub fn form(fields: &[(&str, &str)]) -> String {
    let encode = |text: &str| -> String {
        text.bytes()
            .map(|byte| match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    char::from(byte).to_string()
                }
                b' ' => "+".to_owned(),
                _ => format!("%{byte:02X}"),
            })
            .collect()
    };
    fields
        .iter()
        .map(|(key, value)| format!("{}={}", encode(key), encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// CoinGate's error shape, with the given status and reason.
pub fn assert_coingate_error(answer: &Answer, http: StatusCode, reason: &str) {
    assert_eq!(answer.status, http, "{}", answer.text);
    assert_eq!(answer.json["reason"], reason, "{}", answer.text);
    assert!(answer.json["message"].is_string(), "{}", answer.text);
}

async fn start(config: &Config) -> Handle {
    let loopback = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    cryptill_sandbox::start(config.clone(), loopback)
        .await
        .expect("the sandbox starts")
}

/// The envelope every Counos answer has, with the given codes.
pub fn assert_envelope(answer: &Answer, http: StatusCode, status_code: i64) {
    assert_eq!(answer.status, http, "{}", answer.text);
    assert_eq!(answer.json["statusCode"], status_code, "{}", answer.text);
    assert!(answer.json["statusMessage"].is_string(), "{}", answer.text);
    assert!(answer.json.get("data").is_some(), "{}", answer.text);
}
