//! Orders: create, checkout, read, list, and what happens to them on their
//! own (payments, confirmations, expiry, shoppers cancelling, refunds).
//!
//! The statuses are gateways.md's nine. Expiry is evaluated when an order is
//! read: a `new` or `pending` order past its `expire_at` reads as `expired`,
//! as the real gateway's background job would have made it. An underpaid
//! `pending` order expires too (gateways.md: the shopper may top up "before
//! expiry"); a `confirming` one does not, its money is on its way.
//!
//! One file a concern: the order and its amounts (`model`), its wire shape
//! (`json`), its rows (`storage`), the routes that create, check out and read
//! orders (`create`, `checkout`, `read`), merchant refunds (`refunds`), and what happens to an order on its
//! own (`events`, driven by `/control`).

mod checkout;
mod create;
mod events;
mod json;
mod model;
mod read;
mod refunds;
mod storage;

pub(crate) use self::checkout::checkout;
pub(crate) use self::create::create_order;
pub(crate) use self::events::{cancel, confirm, expire, invalidate, pay, refund, Payment};
pub(crate) use self::json::CurrencyShort;
pub(crate) use self::model::Order;
pub(crate) use self::model::RefundStatus;
pub(crate) use self::read::{get_order, list_orders};
pub(crate) use self::refunds::{advance_refund, create_refund, get_refund, list_refunds};
pub(crate) use self::storage::{all, find_by_uuid, seconds};
