//! What the cashier typed becomes a recorded sale: the one door, validated,
//! for the window, IPC, the command line and "try again".

use super::types::{ChargeFailed, LineEntry, Payment, SaleEntry};
use super::Checkout;
use crate::error::ErrorKind;
use crate::error::{Error, Result};
use crate::gateway::{Coin, Conversion, SaleState};
use crate::ledger::{Sale, SaleLine};
use crate::money::{Currency, Money};
use crate::said::Said;
use crate::settings::SaleLimits;

/// What the cashier entered, checked ([`Checkout::validate`]), in the
/// coin it is charged in.
struct Entered {
    total: Money,
    lines: Vec<SaleLine>,
    tip: Option<Money>,
    coin: Coin,
}

/// How [`Checkout::write`] records a sale besides what was entered.
enum Recording<'a> {
    New,
    /// Tried again for this expired sale.
    Replacing(i64),
    /// Held for placement by this claimant from its first commit
    /// ([`crate::ledger::Ledger::begin_claimed_sale`]), with its conversion
    /// locked in that commit when the charge has it already.
    Claimed(&'a str, Option<&'a Conversion>),
}

impl Checkout {
    /// Checks what the cashier entered and works out the total. Nothing
    /// here reaches a gateway; every refusal names the line at fault.
    pub fn validate(&self, entry: &SaleEntry) -> Result<(Money, Vec<SaleLine>, Option<Money>)> {
        if entry.lines.is_empty() {
            return Err(Error::input(Said::amount_missing()));
        }
        // The amount rules live in one place (`SaleLimits`): the window, IPC
        // and the command line all come through here.
        let limits = SaleLimits::load(&self.ledger, &self.fiat)?;
        limits.check_lines(entry.lines.len())?;
        let several = entry.lines.len() > 1;
        let mut lines = Vec::new();
        for (i, line) in entry.lines.iter().enumerate() {
            let amount = limits.entry(&line.amount).map_err(|e| match e {
                e if several && e.kind() == ErrorKind::Input => {
                    Error::input(Said::for_line(i + 1, e.as_param()))
                }
                other => other,
            })?;
            lines.push(SaleLine {
                label: line.label.trim().chars().take(80).collect(),
                amount,
            });
        }
        let tip = match entry.tip.as_deref().map(str::trim) {
            None | Some("") => None,
            // A zero tip is no tip, not an error.
            Some(text) if crate::money::parse_decimal(text).is_some_and(|d| d.is_zero()) => None,
            Some(text) => Some(limits.entry(text).map_err(|e| match e {
                e if e.kind() == ErrorKind::Input => Error::input(Said::for_tip(e.as_param())),
                other => other,
            })?),
        };
        let total = limits.total(lines.iter().map(|l| &l.amount).chain(tip.iter()))?;
        Ok((total, lines, tip))
    }

    /// Records the sale the cashier entered, before any order exists for
    /// it, and asks the gateway nothing. The answer carries the sale id:
    /// [`Checkout::place`] then converts its price and creates the order,
    /// and can be repeated after any failure without a second charge. (The
    /// window's Charge is one call, [`Checkout::charge_sale`].)
    pub async fn start_sale(&self, entry: &SaleEntry) -> Result<Payment> {
        let sale = self.record(entry, None).await?;
        tracing::info!(sale = sale.id, order = %sale.merchant_order_id, "sale recorded");
        self.payment(&sale)
    }

    /// A sale entered (the window, IPC, the command line) or tried again:
    /// `entry` validated against the shop's rules of today, in a coin
    /// offered today. `replaces`: the expired sale this one is tried again for.
    async fn record(&self, entry: &SaleEntry, replaces: Option<i64>) -> Result<Sale> {
        let entered = self.entered(entry).await?;
        let how = match replaces {
            Some(expired) => Recording::Replacing(expired),
            None => Recording::New,
        };
        self.write(&entered, how)
    }

    /// The entry validated against the shop's rules of today, in a coin
    /// offered today: what [`Checkout::write`] records.
    async fn entered(&self, entry: &SaleEntry) -> Result<Entered> {
        let (total, lines, tip) = self.validate(entry)?;
        let coin = self.coin(&entry.coin).await?;
        Ok(Entered {
            total,
            lines,
            tip,
            coin,
        })
    }

    /// The one way a sale gets into the ledger (a sale entered in the
    /// window, over IPC or on the command line, "try again", a charge):
    /// what was entered, recorded as `how` says.
    fn write(&self, entered: &Entered, how: Recording<'_>) -> Result<Sale> {
        let Entered {
            total,
            lines,
            tip,
            coin,
        } = entered;
        let (ledger, kind, tip) = (&self.ledger, self.gateway.kind(), tip.as_ref());
        let recorded = match how {
            Recording::New => ledger.begin_itemised_sale(total, coin, kind, lines, tip, None),
            Recording::Replacing(expired) => {
                ledger.begin_itemised_sale(total, coin, kind, lines, tip, Some(expired))
            }
            Recording::Claimed(claimant, conversion) => {
                ledger.begin_claimed_sale(total, coin, kind, lines, tip, claimant, conversion)
            }
        };
        // Nothing of this sale was sent: a charge's conversion asks a
        // price, as the coin list fetched before a sale does.
        recorded.map_err(Error::before_gateway)
    }

    /// "Try again" after an expiry: a fresh sale (with a fresh merchant
    /// order id, so a fresh order) for the same lines, tip and coin, linked
    /// to the expired one. Placed like any new sale, with [`Checkout::place`].
    pub async fn try_again(&self, sale_id: i64) -> Result<Payment> {
        let old = self.ledger.sale(sale_id)?;
        if old.state != SaleState::Expired {
            return Err(Error::not_allowed(Said::sale_not_expired(
                sale_id,
                old.state.as_str(),
            )));
        }
        let mut lines: Vec<LineEntry> = self
            .ledger
            .sale_lines(sale_id)?
            .into_iter()
            .map(|line| LineEntry {
                label: line.label,
                amount: line.amount.to_fixed(),
            })
            .collect();
        if lines.is_empty() {
            // A sale from before sales had lines: its price is its one line.
            lines.push(LineEntry {
                label: String::new(),
                amount: old.fiat.to_fixed(),
            });
        }
        let entry = SaleEntry {
            lines,
            tip: old.tip.as_ref().map(Money::to_fixed),
            coin: old.coin.code().to_string(),
        };
        let sale = self.record(&entry, Some(sale_id)).await?;
        tracing::info!(
            sale = sale.id,
            replaces = sale_id,
            "expired sale tried again"
        );
        self.payment(&sale)
    }

    /// Charges what the cashier entered: the window's Charge (one call
    /// from the keypad to the QR) and the command line's. The sale is in
    /// the ledger before any order exists for it, recorded holding its
    /// placement claim: a sale that did not exist cannot have been claimed
    /// or placed by anyone else, so it is placed as it is, without a
    /// claim's commit or a second read of it. Its conversion is the
    /// gateway's rate of the last minute when the till has one (the quote
    /// the cashier saw, an earlier charge's): exactly the amount a quote
    /// shows, locked in the sale's own commit, with nothing asked of the
    /// gateway but the order (BENCHMARKS.md, "Round 26"). Otherwise it is
    /// asked, a question about a price (nothing of the sale: no id, nothing
    /// the gateway keeps), while the sale is being recorded, once nothing
    /// can refuse the sale but the ledger failing: its answer is locked in
    /// the sale only after it is recorded, under its placement claim
    /// (BENCHMARKS.md, "Round 24" and "Round 25").
    ///
    /// A failure after the sale is recorded names it ([`ChargeFailed`]):
    /// Retry places that sale again ([`Checkout::place`]), never a second.
    pub async fn charge_sale(
        &self,
        entry: &SaleEntry,
    ) -> std::result::Result<Payment, ChargeFailed> {
        let entered = self.entered(entry).await.map_err(ChargeFailed::before)?;
        let claimant = crate::ledger::claimant("place");
        let (conversion, asked) = match self.fresh_conversion(&entered.total, &entered.coin) {
            // Nothing to ask first, so nothing to check first either: the
            // sale's own transaction refuses a sale the till would not make.
            Some(conversion) => (Some(conversion), None),
            // On the shop's shared ledger the write is where an unreachable
            // server refuses the sale, and a sale refused asks the gateway
            // nothing: there the conversion is asked under the claim.
            None if self.ledger.is_shared() => (None, None),
            None => {
                // A sale the till refuses (cashiers and no open shift) asks nothing.
                self.ledger.check_can_sell().map_err(ChargeFailed::before)?;
                let asked = self.ask_conversion(&entered.total, &entered.coin);
                (None, Some(asked))
            }
        };
        let how = Recording::Claimed(&claimant, conversion.as_ref());
        let sale = self.write(&entered, how).map_err(ChargeFailed::before)?;
        tracing::info!(sale = sale.id, order = %sale.merchant_order_id, "sale recorded");
        let sale_id = sale.id;
        self.place_new_claimed(sale, &claimant, asked)
            .await
            .map_err(|error| ChargeFailed {
                error,
                sale_id: Some(sale_id),
            })
    }

    /// Charges `amount` (as typed) in `coin`, one line: [`Checkout::charge_sale`].
    pub async fn charge(&self, amount: &str, coin: &str) -> Result<Payment> {
        let entry = SaleEntry {
            lines: vec![LineEntry {
                label: String::new(),
                amount: amount.to_string(),
            }],
            tip: None,
            coin: coin.to_string(),
        };
        self.charge_sale(&entry)
            .await
            .map_err(|failed| failed.error)
    }

    /// Charges `amount` (as typed) in `currency` and `coin`: the command
    /// line's door, with the same rules as the window's. The shop's maximum
    /// is in the shop's currency, so a sale in another one is refused rather
    /// than let past the limit.
    pub async fn charge_in(&self, amount: &str, currency: &str, coin: &str) -> Result<Payment> {
        let currency = Currency::fiat(currency)?;
        if currency != self.fiat {
            return Err(Error::input(Said::sale_in_shop_currency(&self.fiat)));
        }
        self.charge(amount, coin).await
    }
}
