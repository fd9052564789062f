//! Builders for the Stripe objects the stand-in answers with and sends in webhooks. Each one is
//! async-stripe's own type (`stripe_shared::PaymentIntent`...), filled field by field, so the
//! compiler checks every field is there and the real client always parses what we send.

pub mod charge;
pub mod event;
pub mod payment_intent;
pub mod payment_method;
pub mod refund;
