//! Money back at the counter (issue 18): a refund for a sale, asked by a
//! cashier or the owner, approved by the owner, sent through the sale's
//! gateway and followed until final. One validation for the window, IPC and
//! the command line; the ledger keeps every step (ledger/refunds.rs).
//!
//! - CoinGate: `POST /orders/{id}/refunds` with the amount in the price
//!   currency (gateways.md); CoinGate e-mails the customer to confirm the
//!   address, then the refund goes `pending` → `completed` or `rejected`.
//! - Counos has no refund call: a refund is an owner withdrawal of the coin
//!   amount to the customer's address, which Counos confirms by an e-mail to
//!   the terminal owner before anything is sent (gateways.md, "Withdraw").

use crate::error::ErrorKind;
use crate::said::Said;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::checkout::Checkout;
use crate::error::{Error, Result};
use crate::gateway::{
    address, pick_network, GatewayKind, OrderRef, RefundProbe, RefundProgress, RefundRequest,
};
use crate::ledger::more_than_left;
use crate::ledger::{
    Ledger, NewRefund, RefundKind, RefundRecord, RefundState, RefundUpdate, RejectWhy, Sale,
};
use crate::money::{Currency, Money};
use crate::owner::{locked_error, unlock_with_pin, Unlocked};
use crate::sale::SaleState;
use crate::secret::Sensitive;

/// What Counos refunds take, said wherever a Counos refund is started.
pub const COUNOS_EMAIL_STEP: &str =
    "Counos has no refund call: the refund is sent as a withdrawal \
    from the terminal to the customer's address. Counos then e-mails the terminal owner a \
    confirmation link (it shows the fee and the amount); nothing is sent until the owner \
    confirms it there.";

/// What CoinGate refunds take.
pub const COINGATE_EMAIL_STEP: &str = "CoinGate e-mails the customer to confirm the address; \
    the refund is sent once they do (it is rejected if they never do).";

/// A refund as the cashier or owner fills it in.
#[derive(Clone, Debug, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RefundForm {
    /// The sale's number (or its receipt reference).
    pub sale: String,
    /// `return`, `overpaid` or `underpaid`.
    pub kind: String,
    /// In the shop's currency, or in the coin when `in_coin`.
    pub amount: String,
    #[serde(default)]
    pub in_coin: bool,
    pub address: String,
    pub reason: String,
    #[serde(default)]
    pub email: Option<String>,
}

/// Who asks for a refund.
#[derive(Clone, Debug)]
pub enum Asker {
    /// A cashier (by name; "cashier" on a till without cashiers).
    Cashier(String),
    /// The owner, present: the refund is approved as it is asked.
    Owner,
}

/// What the refund form starts from for a sale: the kind that fits it and
/// the amount prefilled (the overpaid excess; all that arrived for an
/// underpayment; what is left otherwise).
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RefundSuggestion {
    #[ts(type = "number")]
    pub sale_id: i64,
    pub kind: RefundKind,
    pub coin: String,
    pub network: String,
    pub fiat_currency: String,
    /// Prefilled amount, in the shop's currency and in the coin.
    pub fiat_amount: String,
    pub crypto_amount: String,
    /// What the sale can still give back, in the coin.
    pub left: String,
    pub gateway: String,
    /// Whether the gateway needs the customer's e-mail (CoinGate).
    pub needs_email: bool,
    /// What happens after sending, in a sentence (the e-mail step).
    pub note: String,
}

/// A refund form as the core checked it, before it is shown or recorded.
struct Checked {
    sale: Sale,
    kind: RefundKind,
    reason: String,
    address: String,
    email: Option<String>,
    fiat: Money,
    crypto: Money,
}

/// What the counter reads back to the customer before asking for the
/// refund: the checked amounts, the network, and the address as a QR.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RefundPreview {
    #[ts(type = "number")]
    pub sale_id: i64,
    pub kind: RefundKind,
    pub coin: String,
    pub network: String,
    /// The address as the core will send to it (trimmed).
    pub address: String,
    pub fiat_amount: String,
    pub fiat_currency: String,
    pub crypto_amount: String,
    /// The address alone as a PNG data URL (`data:image/png;base64,...`).
    pub qr_png: String,
}

/// How the owner settles a refund left `sending` (its answer was lost and
/// the gateway's own list could not tell), after checking the gateway's
/// dashboard: Counos's withdrawals, or the order's refunds at CoinGate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// The gateway took it: its refund (or withdrawal) id when the dashboard
    /// shows one, so it can be followed to done.
    Sent(Option<String>),
    /// The gateway has no such refund: nothing went out; it can be asked again.
    Failed,
}

/// The refunds of an open till, as `till.refunds()` hands them out.
pub struct Refunds<'a> {
    ledger: &'a Ledger,
    checkout: &'a Checkout,
}

fn who(asker: &Asker) -> String {
    match asker {
        Asker::Owner => "owner".into(),
        Asker::Cashier(name) => format!("cashier {name}"),
    }
}

/// The price of one coin in the sale's currency: the rate locked at the
/// sale, or its price over its coin amount.
fn sale_rate(sale: &Sale) -> Result<Decimal> {
    sale.rate
        .filter(|r| *r > Decimal::ZERO)
        .or_else(|| {
            let crypto = sale.crypto.as_ref()?.amount();
            (crypto > Decimal::ZERO)
                .then(|| sale.fiat.amount().checked_div(crypto))
                .flatten()
        })
        .ok_or_else(|| Error::not_allowed(Said::refund_no_rate(sale.id)))
}

/// `crypto` in the sale's currency at its rate, to the currency's cents.
fn to_fiat(crypto: Decimal, rate: Decimal, fiat: &Currency) -> Result<Money> {
    crypto
        .checked_mul(rate)
        .map(|value| Money::new(value, fiat.clone()))
        .ok_or_else(|| Error::input(Said::refund_amount_too_large()))
}

/// `fiat` in the coin at the sale's rate, to the nearest smallest unit: the
/// rate locked at the sale is itself rounded, so the excess a customer is
/// shown in the shop's currency maps back onto the same coin amount. The
/// ledger still refuses anything beyond what was paid.
fn to_coin(fiat: Decimal, rate: Decimal, coin: &Currency) -> Result<Money> {
    fiat.checked_div(rate)
        .map(|value| Money::new(value, coin.clone()))
        .ok_or_else(|| Error::input(Said::refund_amount_too_large()))
}

/// The ledger state for what the gateway says of a refund it accepted.
fn state_after(progress: RefundProgress) -> RefundState {
    match progress {
        RefundProgress::Pending => RefundState::Sent,
        RefundProgress::Completed => RefundState::Done,
        RefundProgress::Rejected => RefundState::Failed,
    }
}

fn gateway_note(kind: GatewayKind) -> &'static str {
    match kind {
        GatewayKind::Coingate | GatewayKind::CoingateSandbox => COINGATE_EMAIL_STEP,
        GatewayKind::Counos | GatewayKind::Demo => COUNOS_EMAIL_STEP,
    }
}

/// Where the owner checks a refund whose answer was lost.
fn where_to_check(kind: GatewayKind) -> Said {
    match kind {
        GatewayKind::Coingate | GatewayKind::CoingateSandbox => Said::refund_check_coingate(),
        GatewayKind::Counos | GatewayKind::Demo => Said::refund_check_counos(),
    }
}

fn needs_email(kind: GatewayKind) -> bool {
    matches!(kind, GatewayKind::Coingate | GatewayKind::CoingateSandbox)
}

impl<'a> Refunds<'a> {
    pub fn new(ledger: &'a Ledger, checkout: &'a Checkout) -> Self {
        Self { ledger, checkout }
    }

    fn paid_sale(&self, reference: &str) -> Result<Sale> {
        let reference = reference.trim();
        if reference.is_empty() {
            return Err(Error::input(Said::refund_which_sale()));
        }
        let sale = self.ledger.find_sale(reference)?;
        if sale.gateway != self.checkout.gateway().kind() {
            return Err(Error::not_allowed(Said::refund_other_gateway(
                sale.id,
                sale.gateway.label(),
                self.checkout.gateway().kind().label(),
            )));
        }
        Ok(sale)
    }

    /// Who asks at the counter: the cashier of the open shift, or
    /// "cashier" on a till without cashiers.
    pub fn counter_asker(&self) -> Result<Asker> {
        Ok(Asker::Cashier(
            self.ledger
                .open_shift()?
                .map(|shift| shift.cashier)
                .unwrap_or_else(|| "at the counter".into()),
        ))
    }

    /// As [`Refunds::suggest`], after asking the gateway about the sale once
    /// more: a payment that just arrived (an overpayment, a part payment)
    /// is what the form must start from. If the gateway cannot be reached,
    /// the ledger's figures stand.
    pub async fn prepare(&self, sale: &str) -> Result<RefundSuggestion> {
        let found = self.paid_sale(sale)?;
        if let Err(e) = self.checkout.refresh(found.id).await {
            tracing::warn!(
                sale = found.id,
                "could not ask about the sale before its refund: {e}"
            );
        }
        self.suggest(sale)
    }

    /// What the refund form of `sale` starts with.
    pub fn suggest(&self, sale: &str) -> Result<RefundSuggestion> {
        let sale = self.paid_sale(sale)?;
        let left = self
            .ledger
            .refundable_left(sale.id)?
            .ok_or_else(|| Error::not_allowed(Said::refund_nothing_paid(sale.id)))?;
        let paid = sale.paid.clone().map(|p| p.amount()).unwrap_or_default();
        let expected = sale.crypto.as_ref().map(Money::amount).unwrap_or_default();
        let (kind, amount) = match sale.state {
            SaleState::Overpaid => (
                RefundKind::Overpaid,
                paid.checked_sub(expected).unwrap_or_default(),
            ),
            SaleState::Paid => (RefundKind::Return, left.amount()),
            _ => (RefundKind::Underpaid, left.amount()),
        };
        let amount = amount.min(left.amount()).max(Decimal::ZERO);
        let rate = sale_rate(&sale)?;
        let crypto = Money::new(amount, left.currency().clone());
        let fiat = to_fiat(amount, rate, sale.fiat.currency())?;
        let gateway = self.checkout.gateway().kind();
        Ok(RefundSuggestion {
            sale_id: sale.id,
            kind,
            coin: left.currency().code().to_string(),
            network: sale.network.clone(),
            fiat_currency: sale.fiat.currency().code().to_string(),
            fiat_amount: fiat.to_fixed(),
            crypto_amount: crypto.to_fixed(),
            left: left.to_fixed(),
            gateway: gateway.as_str().into(),
            needs_email: needs_email(gateway),
            note: gateway_note(gateway).into(),
        })
    }

    /// What the counter shows the customer before asking: the form checked
    /// exactly as [`Refunds::request`] checks it (one validation), with the
    /// address as a QR the customer scans to compare with their wallet.
    /// Nothing is recorded.
    pub fn preview(&self, form: &RefundForm) -> Result<RefundPreview> {
        let checked = self.check(form)?;
        Ok(RefundPreview {
            sale_id: checked.sale.id,
            kind: checked.kind,
            coin: checked.crypto.currency().code().to_string(),
            network: checked.sale.network.clone(),
            address: checked.address.clone(),
            fiat_amount: checked.fiat.to_fixed(),
            fiat_currency: checked.fiat.currency().code().to_string(),
            crypto_amount: checked.crypto.to_fixed(),
            // The bare address: the customer compares it with the receiving
            // address their wallet shows; no amount, so no wallet pays it.
            qr_png: crate::qr::png_data_url(&checked.address)?,
        })
    }

    /// Records a refund as asked, after checking every field. A cashier's
    /// waits for the owner; the owner's (with the [`Unlocked`] proof) is
    /// approved at once. Nothing goes to the gateway here.
    pub fn request(
        &self,
        form: &RefundForm,
        asker: Asker,
        owner: Option<&Unlocked>,
    ) -> Result<RefundRecord> {
        if matches!(asker, Asker::Owner) && owner.is_none() {
            return Err(locked_error());
        }
        let checked = self.check(form)?;
        let approved_by = match asker {
            Asker::Owner => Some("owner"),
            Asker::Cashier(_) => None,
        };
        self.ledger.begin_refund(&NewRefund {
            sale_id: checked.sale.id,
            kind: checked.kind,
            reason: &checked.reason,
            fiat: &checked.fiat,
            crypto: &checked.crypto,
            network: &checked.sale.network,
            address: &checked.address,
            email: checked.email.as_deref(),
            gateway: self.checkout.gateway().kind().as_str(),
            requested_by: &who(&asker),
            approved_by,
        })
    }

    /// Every check of a refund form, for the preview and the request alike.
    fn check(&self, form: &RefundForm) -> Result<Checked> {
        let sale = self.paid_sale(&form.sale)?;
        let kind = RefundKind::parse(&form.kind)
            .ok_or_else(|| Error::input(Said::refund_not_a_kind(form.kind.trim())))?;
        let reason = form.reason.trim();
        if reason.is_empty() {
            return Err(Error::input(Said::refund_reason_missing()));
        }
        if reason.chars().count() > 500 {
            return Err(Error::input(Said::refund_reason_too_long()));
        }
        let address = form.address.trim();
        if address.is_empty() {
            return Err(Error::input(Said::refund_address_missing()));
        }
        let coin = sale.coin.code().to_string();
        address::check(address, &sale.network, &coin).map_err(|detail| {
            Error::input(Said::refund_bad_address(
                address::shown(address),
                &coin,
                &sale.network,
                &detail,
            ))
        })?;
        let gateway = self.checkout.gateway().kind();
        let email = form
            .email
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty());
        if let Some(email) = email {
            let parts = email.split_once('@');
            if email.contains(char::is_whitespace)
                || parts.is_none_or(|(user, host)| user.is_empty() || !host.contains('.'))
            {
                return Err(Error::input(Said::refund_bad_email(email)));
            }
        } else if needs_email(gateway) {
            return Err(Error::input(Said::refund_email_missing()));
        }
        let rate = sale_rate(&sale)?;
        let coin_currency = Currency::new(&coin, sale.coin.decimals());
        let (fiat, crypto) = if form.in_coin {
            let crypto = Money::parse_entry(&form.amount, &coin_currency)?;
            (
                to_fiat(crypto.amount(), rate, sale.fiat.currency())?,
                crypto,
            )
        } else {
            let fiat = Money::parse_entry(&form.amount, sale.fiat.currency())?;
            let crypto = to_coin(fiat.amount(), rate, &coin_currency)?;
            (fiat, crypto)
        };
        if crypto.amount() <= Decimal::ZERO {
            return Err(Error::input(Said::refund_below_smallest(&fiat, &coin)));
        }
        // The ledger checks it again as it records the refund (one
        // transaction); here the preview says it before the customer waits.
        if let Some(left) = self.ledger.refundable_left(sale.id)? {
            if crypto.amount() > left.amount() {
                return Err(more_than_left(sale.id, &left));
            }
        }
        if kind == RefundKind::Overpaid {
            let paid = sale.paid.as_ref().map(Money::amount).unwrap_or_default();
            let expected = sale.crypto.as_ref().map(Money::amount).unwrap_or_default();
            let excess = paid.checked_sub(expected).unwrap_or_default();
            if excess <= Decimal::ZERO {
                return Err(Error::input(Said::refund_not_overpaid(sale.id)));
            }
            // Earlier refunds of the sale come out of the excess first.
            let left = self
                .ledger
                .refundable_left(sale.id)?
                .map(|left| left.amount())
                .unwrap_or_default();
            let refunded = paid.checked_sub(left).unwrap_or_default();
            let excess_left = excess.checked_sub(refunded).unwrap_or_default();
            if crypto.amount() > excess_left {
                return Err(Error::input(Said::refund_over_excess(
                    sale.id,
                    Money::new(excess, coin_currency.clone()),
                    Money::new(excess_left.max(Decimal::ZERO), coin_currency.clone()),
                )));
            }
        }
        Ok(Checked {
            kind,
            reason: reason.to_string(),
            address: address.to_string(),
            email: email.map(str::to_string),
            fiat,
            crypto,
            sale,
        })
    }

    /// The owner approves a cashier's refund (it is sent separately).
    pub fn approve(&self, _: &Unlocked, id: i64) -> Result<RefundRecord> {
        self.ledger.approve_refund(id, "owner")
    }

    /// The owner refuses a refund not yet sent.
    pub fn reject(&self, _: &Unlocked, id: i64, why: &str) -> Result<RefundRecord> {
        let why = why.trim();
        let said = Said::refund_owner_did_not_approve();
        let why = if why.is_empty() {
            RejectWhy::Said(&said)
        } else {
            RejectWhy::Typed(why)
        };
        self.ledger.reject_refund(id, "owner", why)
    }

    /// The owner's PIN typed on the spot at the cashier's screen: approves
    /// the refund and sends it, without opening owner mode.
    pub async fn approve_with_pin(&self, id: i64, pin: &Sensitive<String>) -> Result<RefundRecord> {
        let unlocked = unlock_with_pin(self.ledger, pin)?;
        self.approve(&unlocked, id)?;
        self.send(&unlocked, id).await
    }

    /// Sends an approved refund through the sale's gateway. The refund is
    /// `sending` in the ledger before the gateway hears of it; it becomes
    /// `sent` only when the gateway accepted it; a refusal is `failed` with
    /// the gateway's words (and the error is returned); no answer at all
    /// leaves it `sending`, to be checked at the gateway before anything is
    /// tried again.
    pub async fn send(&self, _: &Unlocked, id: i64) -> Result<RefundRecord> {
        let record = self.ledger.refund(id)?;
        let sale = self.paid_sale(&record.sale_id.to_string())?;
        let coins = self.checkout.coins().await?;
        let coin = pick_network(&coins, &record.coin, Some(&record.network))?.ok_or_else(|| {
            Error::not_allowed(Said::refund_coin_gone(&record.coin, &record.network))
        })?;
        let request = RefundRequest {
            order: OrderRef {
                merchant_order_id: sale.merchant_order_id.clone(),
                gateway_order_id: sale.gateway_order_id.clone(),
            },
            coin,
            fiat: record.fiat()?,
            crypto: record.crypto()?,
            address: record.address.clone(),
            reason: record.reason.clone(),
            email: record.email.clone(),
        };
        self.ledger.start_sending_refund(id)?;
        match self.checkout.gateway().refund(&request).await {
            Ok(answer) => self.ledger.update_refund(
                id,
                &RefundUpdate {
                    state: state_after(answer.progress),
                    gateway_refund_id: Some(&answer.id),
                    gateway_status: Some(&answer.status),
                    message: &answer.message,
                },
            ),
            Err(e) => {
                let refused = matches!(
                    e,
                    Error::GatewayRefused { .. }
                        | Error::GatewayAuth { .. }
                        | Error::Input(_)
                        | Error::NotAllowed(_)
                        | Error::NotFound(_)
                        | Error::Said {
                            kind: ErrorKind::Input | ErrorKind::NotAllowed | ErrorKind::NotFound,
                            ..
                        }
                );
                let state = if refused {
                    RefundState::Failed
                } else {
                    RefundState::Sending
                };
                let message = Said::refund_after_error(!refused, e.as_param());
                self.ledger.update_refund(
                    id,
                    &RefundUpdate {
                        state,
                        gateway_refund_id: None,
                        gateway_status: None,
                        message: &message,
                    },
                )?;
                Err(e)
            }
        }
    }

    /// Asks the gateway where a sent refund stands and records it: `done`
    /// once the money went out, `failed` if the gateway rejected it.
    pub async fn follow(&self, id: i64) -> Result<RefundRecord> {
        let record = self.ledger.refund(id)?;
        let Some(refund_id) = record
            .gateway_refund_id
            .clone()
            .filter(|_| record.state == RefundState::Sent)
        else {
            return Ok(record);
        };
        let sale = self.ledger.sale(record.sale_id)?;
        let order = OrderRef {
            merchant_order_id: sale.merchant_order_id.clone(),
            gateway_order_id: sale.gateway_order_id.clone(),
        };
        let answer = self
            .checkout
            .gateway()
            .refund_status(&order, &refund_id)
            .await?;
        self.ledger.update_refund(
            id,
            &RefundUpdate {
                state: state_after(answer.progress),
                gateway_refund_id: None,
                gateway_status: Some(&answer.status),
                message: &answer.message,
            },
        )
    }

    /// Demo mode only: the owner confirms the e-mail the demo gateway
    /// "sent" for a refund's withdrawal, as a real Counos owner clicks the
    /// link in Counos's e-mail; the refund is then followed (done). Lets an
    /// owner in training see a refund to its end.
    pub async fn demo_confirm_email(
        &self,
        _: &Unlocked,
        sandbox_url: Option<&str>,
        id: i64,
    ) -> Result<RefundRecord> {
        let Some(base) = sandbox_url else {
            return Err(Error::not_allowed(Said::refund_confirm_in_email()));
        };
        let record = self.ledger.refund(id)?;
        let withdrawal = record
            .gateway_refund_id
            .as_deref()
            .filter(|_| record.state == RefundState::Sent)
            .and_then(|w| w.parse::<i64>().ok())
            .ok_or_else(|| Error::not_allowed(Said::refund_no_withdrawal_waiting(id)))?;
        cryptill_sandbox::client::Control::new(base)?
            .counos_complete_withdrawal(withdrawal, None)
            .await?;
        self.follow(id).await
    }

    /// What to look for at the gateway for `record`: its amount and address,
    /// and the ids our other refunds through the same gateway already hold.
    fn probe(&self, record: &RefundRecord) -> Result<RefundProbe> {
        let sale = self.paid_sale(&record.sale_id.to_string())?;
        let claimed = self
            .ledger
            .refunds(&[])?
            .into_iter()
            .filter(|r| r.id != record.id && r.gateway == record.gateway)
            .filter_map(|r| r.gateway_refund_id)
            .filter(|id| !id.is_empty())
            .collect();
        Ok(RefundProbe {
            order: OrderRef {
                merchant_order_id: sale.merchant_order_id.clone(),
                gateway_order_id: sale.gateway_order_id.clone(),
            },
            fiat: record.fiat()?,
            crypto: record.crypto()?,
            address: record.address.clone(),
            claimed,
        })
    }

    /// Whether `record` lost the gateway's answer: `sending` (the app closed
    /// between the gateway call and the ledger write, or the call got no
    /// answer), or `sent` on the owner's word without the gateway's id.
    fn answer_lost(record: &RefundRecord) -> bool {
        match record.state {
            RefundState::Sending => true,
            RefundState::Sent => record
                .gateway_refund_id
                .as_deref()
                .is_none_or(str::is_empty),
            _ => false,
        }
    }

    /// Looks for a refund whose answer was lost among what the gateway
    /// holds (CoinGate: the order's refunds, `GET /orders/{id}/refunds`;
    /// Counos: the terminal's withdrawals to the address) and records what
    /// it found: the gateway's id and state. `None` when the gateway holds
    /// nothing like it (the refund is left as it is, with a sentence saying
    /// what the owner can do).
    pub async fn look_up(&self, id: i64) -> Result<Option<RefundRecord>> {
        let record = self.ledger.refund(id)?;
        if !Self::answer_lost(&record) {
            return Ok(None);
        }
        let probe = self.probe(&record)?;
        match self.checkout.gateway().find_refund(&probe).await? {
            Some(found) => {
                let message = Said::refund_found(
                    self.checkout.gateway().kind().label(),
                    &found.id,
                    found.message.clone(),
                );
                self.ledger
                    .update_refund(
                        id,
                        &RefundUpdate {
                            state: state_after(found.progress),
                            gateway_refund_id: Some(&found.id),
                            gateway_status: Some(&found.status),
                            message: &message,
                        },
                    )
                    .map(Some)
            }
            None if record.state == RefundState::Sending => {
                let gateway = self.checkout.gateway().kind();
                let message = Said::refund_not_found_at_gateway(
                    gateway.label(),
                    record.crypto()?,
                    &address::shown(&record.address),
                    record.sale_id,
                    where_to_check(gateway),
                );
                self.ledger.update_refund(
                    id,
                    &RefundUpdate {
                        state: RefundState::Sending,
                        gateway_refund_id: None,
                        gateway_status: None,
                        message: &message,
                    },
                )?;
                Ok(None)
            }
            None => Ok(None),
        }
    }

    /// Every refund whose answer was lost, looked up once at the gateway
    /// ([`Refunds::look_up`]); one that cannot be looked up keeps its state
    /// (the error is logged, the others go on). Returns those it settled.
    pub async fn resolve_lost(&self) -> Result<Vec<RefundRecord>> {
        let mut settled = Vec::new();
        let lost = self
            .ledger
            .refunds(&[RefundState::Sending, RefundState::Sent])?
            .into_iter()
            .filter(Self::answer_lost);
        for record in lost {
            match self.look_up(record.id).await {
                Ok(Some(found)) => settled.push(found),
                Ok(None) => {}
                Err(e) => tracing::warn!(refund = record.id, "could not look the refund up: {e}"),
            }
        }
        Ok(settled)
    }

    /// The owner settles a refund left `sending`, after checking the
    /// gateway's dashboard. The gateway is asked first: if it holds the
    /// refund, that is recorded (whatever the owner chose), so a refund
    /// that went out is never marked failed and asked again. If the gateway
    /// cannot be reached, the owner's word stands.
    pub async fn resolve(
        &self,
        _: &Unlocked,
        id: i64,
        resolution: Resolution,
    ) -> Result<RefundRecord> {
        let record = self.ledger.refund(id)?;
        if record.state != RefundState::Sending {
            return Err(Error::not_allowed(Said::refund_not_lost(
                id,
                record.state.label(),
            )));
        }
        match self.look_up(id).await {
            Ok(Some(found)) => return Ok(found),
            Ok(None) => {}
            Err(e) => tracing::warn!(refund = id, "could not look the refund up: {e}"),
        }
        let gateway = self.checkout.gateway().kind().label();
        let (state, gateway_id, message) = match &resolution {
            Resolution::Sent(gateway_id) => (
                RefundState::Sent,
                gateway_id
                    .as_deref()
                    .map(str::trim)
                    .filter(|g| !g.is_empty()),
                Said::refund_owner_marked_sent(gateway),
            ),
            Resolution::Failed => (
                RefundState::Failed,
                None,
                Said::refund_owner_marked_failed(gateway),
            ),
        };
        self.ledger.update_refund(
            id,
            &RefundUpdate {
                state,
                gateway_refund_id: gateway_id,
                gateway_status: None,
                message: &message,
            },
        )
    }

    /// Follows every sent refund once, after looking up those whose answer
    /// was lost ([`Refunds::resolve_lost`]); one that cannot be read keeps
    /// its state (the error is logged, the others go on).
    pub async fn follow_all(&self) -> Result<Vec<RefundRecord>> {
        self.resolve_lost().await?;
        let mut out = Vec::new();
        for record in self.ledger.refunds(&[RefundState::Sent])? {
            match self.follow(record.id).await {
                Ok(record) => out.push(record),
                Err(e) => {
                    tracing::warn!(refund = record.id, "could not follow the refund: {e}");
                    out.push(record);
                }
            }
        }
        Ok(out)
    }

    /// Every refund, newest first.
    pub fn list(&self) -> Result<Vec<RefundRecord>> {
        self.ledger.refunds(&[])
    }

    /// Refunds waiting for the owner's approval.
    pub fn waiting(&self) -> Result<Vec<RefundRecord>> {
        self.ledger.refunds(&[RefundState::Requested])
    }

    pub fn of_sale(&self, sale_id: i64) -> Result<Vec<RefundRecord>> {
        self.ledger.sale_refunds(sale_id)
    }
}
