//! The open till: data dir, ledger, keyring, the chosen gateway (and, in demo
//! mode, the embedded sandbox) wired together. The window and the command
//! line both open one of these and call into it.

use crate::said::Said;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use ts_rs::TS;

use crate::checkout::{Checkout, Simulation};
use crate::error::{Error, Result};
use crate::gateway::coingate::{self, CoinGateClient, DO_NOT_CONVERT};
use crate::gateway::counos::{self, CounosClient};
use crate::gateway::{Gateway, GatewayKind};
use crate::keystore::{KeyStore, SERVICE};
pub use crate::keystore::{APP_ID, INSTALL_ID, KEYS_IDENTITY, LEGACY_KEYS, LEGACY_PENDING};
use crate::ledger::Ledger;
use crate::money::{Currency, Money};
use crate::owner::{Owner, Session};
use crate::printer::Printing;
use crate::secret::Sensitive;
pub use crate::settings::base_url_setting;
use crate::settings::Settings;
use cryptill_sandbox::client::{Control, Dialect, Payment};
use rust_decimal::Decimal;

/// Where the ledger lives: `CRYPTILL_DATA_DIR` if set (tests, several
/// instances), else the OS app-data dir.
pub fn default_data_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("CRYPTILL_DATA_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::data_dir()
        .map(|d| d.join(APP_ID))
        .ok_or_else(|| Error::storage(Said::no_app_data_folder()))
}

#[derive(Clone, Debug)]
pub struct TillConfig {
    pub data_dir: PathBuf,
    /// Keyring service name; tests use their own.
    pub keyring_service: String,
}

impl TillConfig {
    /// `CRYPTILL_KEYRING_SERVICE` renames the keyring service, so tests and
    /// training tills never touch the shop's real keys.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            keyring_service: keyring_service(),
        }
    }

    /// The keyring entries of the till whose ledger is `ledger` in this
    /// config's data folder (see [`crate::keystore::till_identity`]).
    pub fn keys(&self, ledger: &Ledger) -> Result<KeyStore> {
        let install = ledger
            .setting(INSTALL_ID)?
            .ok_or_else(|| Error::storage(Said::ledger_no_install_id()))?;
        let identity = crate::keystore::till_identity(&install, &self.data_dir)?;
        Ok(KeyStore::for_till(&self.keyring_service, &identity))
    }
}

/// The keyring service name in force: `CRYPTILL_KEYRING_SERVICE` or [`SERVICE`].
pub fn keyring_service() -> String {
    std::env::var("CRYPTILL_KEYRING_SERVICE")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| SERVICE.to_string())
}

/// What the window shows in its header.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AppInfo {
    pub demo: bool,
    pub gateway_label: String,
    pub shop_name: String,
    pub fiat_currency: String,
    pub fiat_decimals: u32,
    /// The release and the ledger schema it writes, for the About line.
    pub version: String,
    pub schema_version: u32,
}

pub struct Till {
    data_dir: PathBuf,
    ledger: Arc<Ledger>,
    keys: KeyStore,
    checkout: Arc<Checkout>,
    sandbox: Option<cryptill_sandbox::Handle>,
    http: reqwest::Client,
    /// The window's owner session (the command line asks for the PIN instead).
    owner: Session,
    /// Receipt printing; prints paid sales' receipts by itself when the
    /// owner chose so (started at open, finished at close).
    printing: Printing,
}

impl Till {
    /// Opens the ledger in `config.data_dir` and connects the configured
    /// gateway. In demo mode this starts the sandbox on a loopback port and,
    /// on first start, files the demo key in the OS keyring: demo mode takes
    /// the same path to its key as a real gateway does.
    pub async fn open(config: TillConfig) -> Result<Self> {
        crate::clock::offset_from_env();
        std::fs::create_dir_all(&config.data_dir).map_err(|e| {
            Error::storage(Said::data_folder_cannot_create(
                config.data_dir.display(),
                e,
            ))
        })?;
        let ledger = Arc::new(Ledger::open(&config.data_dir.join("cryptill.sqlite3"))?);
        let keys = config.keys(&ledger)?;
        if ledger.setting(KEYS_IDENTITY)?.is_none() {
            ledger.set_setting(KEYS_IDENTITY, keys.till().unwrap_or_default())?;
        }
        strip_url_credentials(&ledger)?;
        let kind = match ledger.setting("gateway")? {
            None => GatewayKind::Demo,
            Some(name) => GatewayKind::parse(&name)
                .ok_or_else(|| Error::storage(Said::saved_gateway_unknown(&name)))?,
        };
        let fiat = Currency::fiat(&Settings::load(&ledger)?.fiat_currency)?;

        let (gateway, sandbox): (Arc<dyn Gateway>, _) = match kind {
            GatewayKind::Demo => {
                let sandbox = start_sandbox(&config.data_dir).await?;
                let account = kind.keyring_account();
                if keys.get(account)?.is_none() {
                    keys.set(
                        account,
                        &Sensitive::new(cryptill_sandbox::DEMO_API_KEY.to_string()),
                    )?;
                }
                let key = required_key(&ledger, &keys, kind)?;
                let client = CounosClient::new(kind, &sandbox.counos_url(), key)?;
                (Arc::new(client), Some(sandbox))
            }
            GatewayKind::Counos => {
                let base = ledger
                    .setting(&base_url_setting(kind))?
                    .unwrap_or_else(|| counos::LIVE_BASE_URL.into());
                let client = CounosClient::new(kind, &base, required_key(&ledger, &keys, kind)?)?;
                (Arc::new(client), None)
            }
            GatewayKind::Coingate | GatewayKind::CoingateSandbox => {
                let default_base = if kind == GatewayKind::Coingate {
                    coingate::LIVE_BASE_URL
                } else {
                    coingate::SANDBOX_BASE_URL
                };
                let base = ledger
                    .setting(&base_url_setting(kind))?
                    .unwrap_or_else(|| default_base.into());
                let receive = ledger
                    .setting("coingate_receive_currency")?
                    .unwrap_or_else(|| DO_NOT_CONVERT.into());
                let client = CoinGateClient::new(kind, &base, required_key(&ledger, &keys, kind)?)?
                    .with_receive_currency(&receive);
                (Arc::new(client), None)
            }
        };
        tracing::info!(gateway = kind.as_str(), data_dir = %config.data_dir.display(), "till open");
        let checkout = Arc::new(Checkout::new(ledger.clone(), gateway, fiat));
        let printing = Printing::new(ledger.clone(), checkout.clone());
        printing.start();
        Ok(Self {
            data_dir: config.data_dir,
            printing,
            checkout,
            ledger,
            keys,
            sandbox,
            http: reqwest::Client::new(),
            owner: Default::default(),
        })
    }

    pub fn checkout(&self) -> &Checkout {
        &self.checkout
    }

    /// The checkout to hand to a task that outlives a borrow: the watcher
    /// ([`Checkout::watch`]) runs as one.
    pub fn checkout_handle(&self) -> Arc<Checkout> {
        self.checkout.clone()
    }

    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Cashiers and shifts: sign-in, X and Z reports (see [`crate::shift`]).
    pub fn shifts(&self) -> crate::shift::Shifts<'_> {
        crate::shift::Shifts::new(&self.ledger, self.checkout.fiat().clone())
    }

    /// The owner's side of the till: settings, keys, balances, reports.
    pub fn owner(&self) -> Owner<'_> {
        Owner::new(
            &self.ledger,
            &self.keys,
            &self.checkout,
            &self.owner,
            self.sandbox_url(),
        )
    }

    /// Refunds: asked at the counter, approved by the owner, sent through
    /// the sale's gateway (see [`crate::refund`]).
    pub fn refunds(&self) -> crate::refund::Refunds<'_> {
        crate::refund::Refunds::new(&self.ledger, &self.checkout)
    }

    /// Receipt printers: settings, receipts, slips, reports.
    pub fn printer(&self) -> &Printing {
        &self.printing
    }

    pub fn owner_session(&self) -> &Session {
        &self.owner
    }

    pub fn keys(&self) -> &KeyStore {
        &self.keys
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn is_demo(&self) -> bool {
        self.sandbox.is_some()
    }

    /// The embedded sandbox's address, in demo mode.
    pub fn sandbox_url(&self) -> Option<String> {
        self.sandbox.as_ref().map(|s| s.base_url())
    }

    pub fn info(&self) -> Result<AppInfo> {
        let fiat = self.checkout.fiat();
        Ok(AppInfo {
            demo: self.is_demo(),
            gateway_label: self.checkout.gateway().kind().label().to_string(),
            shop_name: Settings::load(&self.ledger)?.shop_name,
            fiat_currency: fiat.code().to_string(),
            fiat_decimals: fiat.decimals(),
            version: crate::version::APP_VERSION.to_string(),
            schema_version: crate::version::SCHEMA_VERSION,
        })
    }

    /// Demo mode only: the sandbox receives the full payment for the sale,
    /// as a customer's wallet would send it.
    pub async fn simulate_payment(&self, sale_id: i64) -> Result<()> {
        self.simulate(sale_id, Simulation::Full).await
    }

    /// Demo mode only (training and tests): the sandbox gateway does to the
    /// sale's order what a customer's wallet or the clock would. Refused on
    /// a till that takes real payments.
    pub async fn simulate(&self, sale_id: i64, kind: Simulation) -> Result<()> {
        let Some(sandbox) = &self.sandbox else {
            return Err(Error::not_allowed(Said::simulation_demo_only()));
        };
        let sale = self.ledger.sale(sale_id)?;
        let crypto = sale
            .crypto
            .clone()
            .ok_or_else(|| Error::not_allowed(Said::sale_no_order_yet(sale_id)))?;
        let paid = sale.paid.as_ref().map(Money::amount).unwrap_or_default();
        let left = (crypto.amount() - paid).max(Decimal::ZERO);
        let coin = crypto.currency().clone();
        // The amounts the buttons send are the coin's own (rounded to its
        // precision, exact decimals: no floats on the way).
        let amount = |amount: Decimal| Money::new(amount, coin.clone()).amount();
        let control = Control::with_client(self.http.clone(), &sandbox.base_url())?;
        let order = &sale.merchant_order_id;
        match kind {
            // The sandbox's default payment is "what is left to pay".
            Simulation::Full => control.pay(Dialect::Counos, order, Payment::full()).await,
            Simulation::Part => {
                let part = Payment::of(amount(left / Decimal::TWO));
                control.pay(Dialect::Counos, order, part).await
            }
            Simulation::Overpay => {
                let over = Payment::of(amount(left + crypto.amount() / Decimal::TEN));
                control.pay(Dialect::Counos, order, over).await
            }
            Simulation::Expire => control.expire(Dialect::Counos, order).await,
        }?;
        Ok(())
    }

    /// Prints the receipts still due, then stops the embedded sandbox, if any.
    pub async fn close(self) {
        self.printing.finish().await;
        if let Some(sandbox) = self.sandbox {
            sandbox.shutdown().await;
        }
    }
}

/// The key of the gateway in use, filed under this till. A till from before
/// keys belonged to tills keeps using its key from the old place until the
/// owner's PIN moves it (at the next unlock), so the counter does not stop.
fn required_key(ledger: &Ledger, keys: &KeyStore, kind: GatewayKind) -> Result<Sensitive<String>> {
    let account = kind.keyring_account();
    if let Some(key) = keys.get(account)? {
        return Ok(key);
    }
    if ledger.setting(LEGACY_KEYS)?.as_deref() == Some(LEGACY_PENDING) {
        if let Some(key) = keys.legacy().get(account)? {
            tracing::info!(
                gateway = kind.as_str(),
                "using the key from before keys belonged to the till; the owner's PIN moves it"
            );
            return Ok(key);
        }
    }
    let moved = ledger
        .setting(KEYS_IDENTITY)?
        .is_some_and(|filed| Some(filed.as_str()) != keys.till());
    Err(Error::keyring(if moved {
        Said::no_key_after_move(kind.label(), kind.as_str())
    } else {
        Said::no_key(kind.label())
    }))
}

/// Base URLs are saved without `user:password@` (refused on save since
/// issue 10); one saved before is cleaned here, so no password stays in the
/// ledger in plain text.
fn strip_url_credentials(ledger: &Ledger) -> Result<()> {
    for kind in GatewayKind::ALL {
        let setting = base_url_setting(kind);
        let Some(saved) = ledger.setting(&setting)? else {
            continue;
        };
        let Ok(mut url) = url::Url::parse(&saved) else {
            continue;
        };
        if url.username().is_empty() && url.password().is_none() {
            continue;
        }
        let _ = url.set_username("");
        let _ = url.set_password(None);
        tracing::warn!(
            gateway = kind.as_str(),
            "removed a user name and password from the saved gateway address"
        );
        ledger.set_setting(&setting, url.as_str())?;
    }
    Ok(())
}

async fn start_sandbox(data_dir: &Path) -> Result<cryptill_sandbox::Handle> {
    let config = cryptill_sandbox::Config::demo(data_dir.join("demo-gateway.sqlite3"));
    cryptill_sandbox::start(config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .map_err(|e| Error::storage(Said::demo_gateway_cannot_start(e)))
}
