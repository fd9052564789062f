//! The orders domain: reserve a ticket, cancel, expire after the payment window, and keep the
//! orders-side replica of tickets that reservations are decided on.
//!
//! Each `src/bin/*.rs` is one Lambda and only wires things together; the logic is here.

pub mod cancel;
pub mod consumers;
pub mod context;
pub mod events;
pub mod expiry;
pub mod handlers;
pub mod order;
pub mod store;

pub use context::{CancelContext, OrdersContext, ReserveContext, SettleContext};
pub use store::Orders;
