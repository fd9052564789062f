//! The payouts domain: sellers get paid through Stripe Connect (separate charges and
//! transfers). A seller sets up an Express account through Stripe's hosted onboarding; every
//! completed order transfers price minus the platform fee to its seller, exactly once, or waits
//! until the seller's account can receive it. The domain's table also holds each seller's
//! listings as the ticket and order events describe them ("My listings").
//!
//! Each `src/bin/*.rs` is one Lambda and only wires things together; the logic is here.

pub mod consumers;
pub mod context;
pub mod handlers;
pub mod model;
pub mod settle;
pub mod store;
pub mod stripe_api;
pub mod webhook;

pub use context::{ConnectWebhookContext, PayoutsContext, SellerApiContext};
pub use store::Payouts;
