//! What the payments functions build once per cold start.

use crate::store::Payments;
use crate::stripe_api::{self, StripeApi};
use ticketing::auth::Sessions;
use ticketing::config::{self, ConfigError};
use ticketing::secrets::Secret;

impl Payments {
    /// The table named by `PAYMENTS_TABLE`, with a client from the environment.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let table = config::required("PAYMENTS_TABLE")?;
        let sdk = ticketing::aws::sdk_config().await;
        Ok(Self::new(ticketing::aws::dynamodb(&sdk), table))
    }
}

/// What starting a payment needs: the table, the sessions, Stripe, and what the browser
/// needs to load Stripe.js.
pub struct CreatePaymentContext {
    pub payments: Payments,
    /// Session tokens, checked against the sessions the auth domain stores.
    pub sessions: Sessions,
    pub stripe: StripeApi,
    /// Stripe's publishable key (`pk_...`), handed to the browser.
    pub publishable_key: String,
    /// Where the browser loads Stripe.js from.
    pub stripe_js_url: String,
}

impl CreatePaymentContext {
    /// From `PAYMENTS_TABLE`, `SESSION_PUBLIC_KEYS` (+ `USERS_TABLE`, `COOKIE_SECURE`), `STRIPE_SECRET_KEY_ARN`, `STRIPE_API_BASE` (optional),
    /// `STRIPE_PUBLISHABLE_KEY` and `STRIPE_JS_URL` (default https://js.stripe.com/v3/).
    pub async fn from_env() -> Result<Self, ConfigError> {
        let sdk = ticketing::aws::sdk_config().await;
        Ok(Self {
            payments: Payments::from_env().await?,
            sessions: Sessions::from_env().await?,
            stripe: StripeApi::from_env(stripe_api::WHILE_A_BUYER_WAITS, &sdk)?,
            publishable_key: config::required("STRIPE_PUBLISHABLE_KEY")?,
            stripe_js_url: std::env::var("STRIPE_JS_URL")
                .ok()
                .filter(|url| !url.trim().is_empty())
                .unwrap_or_else(|| "https://js.stripe.com/v3/".to_string()),
        })
    }
}

/// What the webhook needs: the table, the endpoint's signing secret, and Stripe (to refund a
/// payment that cannot pay the order it names).
pub struct WebhookContext {
    pub payments: Payments,
    /// The `whsec_...` secret of this webhook endpoint, read on first use.
    pub signing_secret: Secret,
    pub stripe: StripeApi,
}

impl WebhookContext {
    /// From `PAYMENTS_TABLE`, `STRIPE_WEBHOOK_SECRET_ARN`, `STRIPE_SECRET_KEY_ARN` and
    /// `STRIPE_API_BASE` (optional).
    pub async fn from_env() -> Result<Self, ConfigError> {
        let sdk = ticketing::aws::sdk_config().await;
        Ok(Self {
            payments: Payments::from_env().await?,
            signing_secret: Secret::from_env("STRIPE_WEBHOOK_SECRET_ARN", &sdk)?,
            stripe: StripeApi::from_env(stripe_api::WHILE_A_BUYER_WAITS, &sdk)?,
        })
    }
}

/// What the consumers that call Stripe need (refunds, cancelling an order's PaymentIntent):
/// the table and Stripe, which they give longer than a waiting buyer.
pub struct StripeConsumerContext {
    pub payments: Payments,
    pub stripe: StripeApi,
}

impl StripeConsumerContext {
    /// From `PAYMENTS_TABLE`, `STRIPE_SECRET_KEY_ARN` and `STRIPE_API_BASE` (optional).
    pub async fn from_env() -> Result<Self, ConfigError> {
        let sdk = ticketing::aws::sdk_config().await;
        Ok(Self {
            payments: Payments::from_env().await?,
            stripe: StripeApi::from_env(stripe_api::IN_THE_BACKGROUND, &sdk)?,
        })
    }
}
