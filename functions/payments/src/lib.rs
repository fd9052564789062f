//! The payments domain: a Stripe PaymentIntent per order, Stripe's webhooks (verified on the raw
//! body, each event applied once), the payments-side replica of orders, and refunds for payments
//! that arrived after their order was cancelled.
//!
//! Each `src/bin/*.rs` is one Lambda and only wires things together; the logic is here.

pub mod consumers;
pub mod context;
pub mod events;
pub mod handlers;
pub mod model;
pub mod store;
pub mod stripe_api;
pub mod webhook;

pub use context::{CreatePaymentContext, StripeConsumerContext, WebhookContext};
pub use store::Payments;
pub use stripe_api::StripeApi;
