//! The order: gateways.md's nine statuses, what a payment, a fee and a
//! refund do to the amounts, and when an order reads as expired.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use crate::coingate::catalog::{self, Currency};
use crate::market::Coin;

/// gateways.md's nine statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    New,
    Pending,
    Confirming,
    Paid,
    Invalid,
    Expired,
    Canceled,
    Refunded,
    PartiallyRefunded,
}

impl Status {
    pub(super) const ALL: [Status; 9] = [
        Status::New,
        Status::Pending,
        Status::Confirming,
        Status::Paid,
        Status::Invalid,
        Status::Expired,
        Status::Canceled,
        Status::Refunded,
        Status::PartiallyRefunded,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Pending => "pending",
            Status::Confirming => "confirming",
            Status::Paid => "paid",
            Status::Invalid => "invalid",
            Status::Expired => "expired",
            Status::Canceled => "canceled",
            Status::Refunded => "refunded",
            Status::PartiallyRefunded => "partially_refunded",
        }
    }

    pub(super) fn parse(text: &str) -> Option<Status> {
        Status::ALL
            .into_iter()
            .find(|status| status.as_str() == text)
    }

    /// Paid, and the merchant was credited (refunds debit it later).
    pub(super) fn is_settled(self) -> bool {
        matches!(
            self,
            Status::Paid | Status::Refunded | Status::PartiallyRefunded
        )
    }
}

/// What the merchant is credited in.
#[derive(Clone, Copy)]
pub(super) enum Receive {
    Currency(&'static Currency),
    /// gateways.md: `DO_NOT_CONVERT` keeps the coin the shopper paid with.
    DoNotConvert,
}

const DO_NOT_CONVERT: &str = "DO_NOT_CONVERT";

impl Receive {
    pub(super) fn symbol(self) -> &'static str {
        match self {
            Receive::Currency(currency) => currency.symbol,
            Receive::DoNotConvert => DO_NOT_CONVERT,
        }
    }

    pub(super) fn parse(text: &str) -> Option<Receive> {
        if text.eq_ignore_ascii_case(DO_NOT_CONVERT) {
            return Some(Receive::DoNotConvert);
        }
        catalog::currency_by_symbol(text)
            .filter(|currency| currency.merchant_receive())
            .map(Receive::Currency)
    }
}

/// The coin chosen at checkout, and what it asks for.
pub(super) struct Checkout {
    pub(super) currency: &'static Currency,
    pub(super) coin: &'static Coin,
    pub(super) pay_amount: Decimal,
    /// The price of one coin in the price currency.
    pub(super) conversion_rate: Decimal,
    pub(super) address: String,
}

pub(super) struct Transaction {
    pub(super) id: i64,
    pub(super) txid: String,
    pub(super) amount: Decimal,
    pub(super) confirmations: u32,
}

/// The refund statuses CoinGate documents ("Types of Refund Status"):
/// `pending` at first, `processing` on some of CoinGate's workflows, then
/// `rejected` (compliance, or the shopper never approved the address) or
/// `completed` (sent to the shopper's wallet); the last two are final.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RefundStatus {
    Pending,
    Processing,
    Rejected,
    Completed,
}

impl RefundStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            RefundStatus::Pending => "pending",
            RefundStatus::Processing => "processing",
            RefundStatus::Rejected => "rejected",
            RefundStatus::Completed => "completed",
        }
    }

    pub(super) fn parse(text: &str) -> Option<RefundStatus> {
        [
            RefundStatus::Pending,
            RefundStatus::Processing,
            RefundStatus::Rejected,
            RefundStatus::Completed,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
    }

    pub(super) fn is_final(self) -> bool {
        matches!(self, RefundStatus::Rejected | RefundStatus::Completed)
    }
}

pub(super) struct Refund {
    pub(super) id: i64,
    pub(super) request_amount: Decimal,
    pub(super) refund_amount: Decimal,
    pub(super) address: String,
    pub(super) created_at: i64,
    pub(super) status: RefundStatus,
    pub(super) email: Option<String>,
    pub(super) reason: Option<String>,
    pub(super) address_memo: Option<String>,
    pub(super) ledger_account_id: Option<String>,
    pub(super) rejection_reason: Option<String>,
}

/// An order as stored, with its transactions and refunds.
pub(crate) struct Order {
    pub(super) id: i64,
    pub(super) uuid: String,
    pub(super) merchant_order_id: Option<String>,
    pub(super) title: String,
    pub(super) price_amount: Decimal,
    pub(super) price_currency: &'static Currency,
    pub(super) receive: Receive,
    pub(super) token: String,
    /// As stored; [`Order::status_at`] applies expiry.
    pub(super) status: Status,
    pub(super) checkout: Option<Checkout>,
    pub(super) created_at: i64,
    pub(super) expire_at: i64,
    pub(super) paid_at: Option<i64>,
    pub(super) transactions: Vec<Transaction>,
    pub(super) refunds: Vec<Refund>,
}

/// CoinGate's processing fee, as its paid examples show it: 1% of the price
/// in the settlement currency.
const PROCESSING_FEE: Decimal = dec!(0.01);

/// The API app orders are made through (`orderable_type` "ApiApp").
pub(super) const API_APP_ID: i64 = 4207;

impl Order {
    /// The status a read sees at `now`.
    pub(crate) fn status_at(&self, now: i64) -> Status {
        match self.status {
            Status::New | Status::Pending if now >= self.expire_at => Status::Expired,
            status => status,
        }
    }

    pub(super) fn received(&self) -> Decimal {
        self.transactions.iter().map(|tx| tx.amount).sum()
    }

    pub(super) fn pay_amount(&self) -> Decimal {
        self.checkout
            .as_ref()
            .map_or(Decimal::ZERO, |checkout| checkout.pay_amount)
    }

    /// gateways.md: "`underpaid_amount`, `overpaid_amount` (in pay-currency
    /// units)": what is still missing. Round 2: every documented fresh
    /// (checked-out, unpaid) order carries `underpaid_amount == pay_amount`,
    /// so a client must not read it as a part payment. Before checkout there
    /// is nothing to pay yet: zero.
    pub(super) fn underpaid(&self) -> Decimal {
        if self.checkout.is_none() {
            return Decimal::ZERO;
        }
        (self.pay_amount() - self.received()).max(Decimal::ZERO)
    }

    pub(super) fn overpaid(&self) -> Decimal {
        if self.checkout.is_none() {
            return Decimal::ZERO;
        }
        (self.received() - self.pay_amount()).max(Decimal::ZERO)
    }

    fn all_confirmed(&self, coin: &Coin) -> bool {
        self.transactions
            .iter()
            .all(|tx| tx.confirmations >= coin.confirmations)
    }

    /// Where a pending or confirming order stands after its transactions
    /// changed.
    pub(super) fn status_after_payment(&self) -> Status {
        let Some(checkout) = &self.checkout else {
            return self.status;
        };
        if self.received() < checkout.pay_amount {
            Status::Pending
        } else if self.all_confirmed(checkout.coin) {
            Status::Paid
        } else {
            Status::Confirming
        }
    }

    /// The currency the merchant is credited in.
    pub(super) fn settlement(&self) -> Option<&'static Currency> {
        match self.receive {
            Receive::Currency(currency) => Some(currency),
            Receive::DoNotConvert => self.checkout.as_ref().map(|checkout| checkout.currency),
        }
    }

    /// The price in the settlement currency, before the fee.
    fn gross(&self) -> Option<Decimal> {
        let settlement = self.settlement()?;
        match self.receive {
            Receive::DoNotConvert => Some(self.pay_amount()),
            Receive::Currency(_) => {
                catalog::convert(self.price_amount, self.price_currency, settlement)
            }
        }
    }

    pub(super) fn fee(&self) -> Option<Decimal> {
        let settlement = self.settlement()?;
        Some(settlement.round(self.gross()? * PROCESSING_FEE))
    }

    /// gateways.md's `receive_amount`: credited when paid, the price in the
    /// settlement currency less the processing fee.
    pub(super) fn receive_amount(&self) -> Option<Decimal> {
        Some(self.gross()? - self.fee()?)
    }

    /// What refunds take back, in the price currency: every refund but a
    /// rejected one (a pending refund already holds its amount, so two
    /// requests cannot both spend the same money).
    pub(super) fn refunded(&self) -> Decimal {
        self.refunds
            .iter()
            .filter(|refund| refund.status != RefundStatus::Rejected)
            .map(|refund| refund.request_amount)
            .sum()
    }

    /// What the shopper paid, in the price currency at the order's own
    /// conversion rate: the most that refunds can give back in all.
    pub(super) fn paid_in_price_currency(&self) -> Decimal {
        let Some(checkout) = &self.checkout else {
            return Decimal::ZERO;
        };
        self.received()
            .checked_mul(checkout.conversion_rate)
            .map_or(Decimal::ZERO, |paid| self.price_currency.round(paid))
    }

    /// What the order adds to the settlement currency's main ledger account:
    /// the receive amount once settled, less refunds in that currency.
    pub(crate) fn ledger_credit(&self, now: i64) -> Option<(&'static Currency, Decimal)> {
        if !self.status_at(now).is_settled() {
            return None;
        }
        let settlement = self.settlement()?;
        let refunded = self
            .refunds
            .iter()
            .filter(|refund| refund.status != RefundStatus::Rejected)
            .filter_map(|refund| {
                catalog::convert(refund.request_amount, self.price_currency, settlement)
            })
            .sum::<Decimal>();
        Some((settlement, self.receive_amount()? - refunded))
    }

    /// Whether the shopper has money to ask back: paid to an order that did
    /// not complete, or paid more than asked. Not documented beyond "whether
    /// the shopper can request a refund"; this is the sandbox's reading.
    pub(super) fn is_refundable(&self, status: Status) -> bool {
        let unfinished = matches!(status, Status::Expired | Status::Canceled | Status::Invalid);
        (unfinished && !self.received().is_zero()) || !self.overpaid().is_zero()
    }
}
