//! Stripe through async-stripe: the PaymentIntent of an order, and refunds. The same code talks
//! to api.stripe.com in AWS and to the local stand-in (`STRIPE_API_BASE`) on a laptop.

use crate::model::OrderReplica;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use stripe::{Client, ClientBuilder, IdempotencyKey, RequestStrategy, StripeError, StripeRequest};
use stripe_core::payment_intent::{
    CancelPaymentIntent, CancelPaymentIntentCancellationReason, CreatePaymentIntent,
};
use stripe_core::refund::CreateRefund;
use stripe_shared::{ApiErrorsCode, PaymentIntentStatus};
use ticketing::aws::SdkConfig;
use ticketing::config::ConfigError;
use ticketing::secrets::Secret;

/// The currency every price is in.
pub const CURRENCY: &str = "usd";

/// What the buyer's browser needs to confirm a PaymentIntent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent {
    pub id: String,
    pub client_secret: String,
}

/// What cancelling a PaymentIntent found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cancelled {
    /// It can no longer be confirmed (cancelled now, or before).
    Now,
    /// Too late: it had succeeded (or is processing), so the money is taken; the payment will
    /// be refunded once the orders side rejects it.
    AlreadyPaid,
}

/// Why a refund is made, for the refund's metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundReason {
    /// The order was cancelled (or expired) before the payment arrived.
    OrderCancelled,
    /// The PaymentIntent names one of our orders but cannot pay it.
    Unmatched,
}

impl RefundReason {
    fn text(self) -> &'static str {
        match self {
            RefundReason::OrderCancelled => "order cancelled before the payment arrived",
            RefundReason::Unmatched => "not this order's payment (wrong PaymentIntent or amount)",
        }
    }
}

/// Why a Stripe request did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum StripeFailure {
    /// Stripe did not answer in time, could not be reached, or said it is failing or busy (5xx,
    /// 429): the same request may well work in a moment.
    #[error("stripe is unavailable: {0}")]
    Unavailable(String),
    /// Stripe refused the request, or answered something unusable: trying again will not help.
    #[error("stripe: {0}")]
    Refused(String),
}

impl From<StripeError> for StripeFailure {
    fn from(error: StripeError) -> Self {
        match &error {
            StripeError::Timeout | StripeError::ClientError(_) => {
                StripeFailure::Unavailable(error.to_string())
            }
            StripeError::Stripe(_, status) if *status >= 500 || *status == 429 => {
                StripeFailure::Unavailable(error.to_string())
            }
            _ => StripeFailure::Refused(error.to_string()),
        }
    }
}

/// How long a buyer waits for Stripe before `POST /api/payments` answers 503: well inside the
/// function's 10 s timeout, so the answer is a clean error, never a timed-out Lambda.
pub const WHILE_A_BUYER_WAITS: Duration = Duration::from_secs(5);
/// How long a refund waits for Stripe: a slow Stripe (8 s seen) still refunds. The refund
/// function's timeout and batch size are sized for it (template.yaml).
pub const IN_THE_BACKGROUND: Duration = Duration::from_secs(20);

/// A Stripe client with the secret key, which is read from Secrets Manager on the first call
/// (not at init) and again when its copy is old ([`ticketing::secrets`]); the client is made
/// again only when the key changed (a rotation).
#[derive(Clone)]
pub struct StripeApi {
    secret_key: Secret,
    api_base: Option<String>,
    timeout: Duration,
    client: Arc<Mutex<Option<KeyedClient>>>,
}

/// A client and the key it was made with.
struct KeyedClient {
    key: Arc<str>,
    client: Arc<Client>,
}

impl StripeApi {
    /// A client for the key in `secret_key` that gives up on a request after `timeout`;
    /// `api_base` (with a trailing slash) replaces https://api.stripe.com/ when given.
    pub fn new(secret_key: Secret, api_base: Option<&str>, timeout: Duration) -> Self {
        Self {
            secret_key,
            api_base: api_base.map(str::to_string),
            timeout,
            client: Arc::new(Mutex::new(None)),
        }
    }

    /// From `STRIPE_SECRET_KEY_ARN` (the secret holding the key) and, when set and not empty,
    /// `STRIPE_API_BASE`.
    pub fn from_env(timeout: Duration, sdk: &SdkConfig) -> Result<Self, ConfigError> {
        let secret_key = Secret::from_env("STRIPE_SECRET_KEY_ARN", sdk)?;
        let base = std::env::var("STRIPE_API_BASE")
            .ok()
            .filter(|b| !b.trim().is_empty());
        Ok(Self::new(secret_key, base.as_deref(), timeout))
    }

    /// The client for the current key. A key that cannot be read now (Secrets Manager
    /// unreachable, nothing kept yet) is an outage: the same call may work in a moment.
    async fn client(&self) -> Result<Arc<Client>, StripeFailure> {
        let key = self
            .secret_key
            .value()
            .await
            .map_err(|e| StripeFailure::Unavailable(e.to_string()))?;
        let mut cached = self.client.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(current) = cached.as_ref().filter(|c| c.key == key) {
            return Ok(current.client.clone());
        }
        let mut builder =
            ClientBuilder::new(&*key)
                .timeout(self.timeout)
                .app_info("ticketing", None, None);
        if let Some(base) = &self.api_base {
            builder = builder.url(base);
        }
        let client = Arc::new(builder.build()?);
        *cached = Some(KeyedClient {
            key,
            client: client.clone(),
        });
        Ok(client)
    }

    /// The PaymentIntent for an order: created the first time, the same one after that. The
    /// idempotency key is derived from the order, so Stripe answers a repeat with the first
    /// PaymentIntent instead of making a second one.
    pub async fn intent_for(&self, order: &OrderReplica) -> Result<Intent, StripeFailure> {
        let amount = i64::try_from(order.price.0)
            .map_err(|_| StripeFailure::Refused(format!("price {} out of range", order.price.0)))?;
        let intent = CreatePaymentIntent::new(amount, stripe_types::Currency::USD)
            .description(format!("Ticket: {}", order.ticket_title))
            .metadata(HashMap::from([("orderId".to_string(), order.id.clone())]))
            .customize()
            .request_strategy(RequestStrategy::Idempotent(key(&format!(
                "payment-for-order-{}",
                order.id
            ))?))
            .send(&*self.client().await?)
            .await?;
        let client_secret = intent.client_secret.ok_or_else(|| {
            StripeFailure::Refused(format!("payment intent {} has no client secret", intent.id))
        })?;
        Ok(Intent {
            id: intent.id.to_string(),
            client_secret,
        })
    }

    /// Cancels a PaymentIntent so that a card form still open cannot charge it. Stripe refuses
    /// to cancel one that succeeded or was cancelled before; both are answers here, not errors.
    pub async fn cancel_intent(&self, payment_intent_id: &str) -> Result<Cancelled, StripeFailure> {
        let result = CancelPaymentIntent::new(payment_intent_id)
            .cancellation_reason(CancelPaymentIntentCancellationReason::Abandoned)
            .send(&*self.client().await?)
            .await;
        let error = match result {
            Ok(_) => return Ok(Cancelled::Now),
            Err(error) => error,
        };
        if let StripeError::Stripe(details, _) = &error {
            if details.code == Some(ApiErrorsCode::PaymentIntentUnexpectedState) {
                let status = details.payment_intent.as_ref().map(|i| &i.status);
                return match status {
                    Some(PaymentIntentStatus::Canceled) => Ok(Cancelled::Now),
                    Some(PaymentIntentStatus::Succeeded | PaymentIntentStatus::Processing) => {
                        Ok(Cancelled::AlreadyPaid)
                    }
                    _ => Err(StripeFailure::Refused(error.to_string())),
                };
            }
        }
        Err(error.into())
    }

    /// Refunds a PaymentIntent in full; a repeat for the same payment returns the same refund.
    pub async fn refund(
        &self,
        payment_intent_id: &str,
        reason: RefundReason,
    ) -> Result<String, StripeFailure> {
        let refund = CreateRefund::new()
            .payment_intent(payment_intent_id)
            .metadata(HashMap::from([(
                "reason".to_string(),
                reason.text().to_string(),
            )]))
            .customize()
            .request_strategy(RequestStrategy::Idempotent(key(&format!(
                "refund-for-{payment_intent_id}"
            ))?))
            .send(&*self.client().await?)
            .await?;
        Ok(refund.id.to_string())
    }
}

fn key(text: &str) -> Result<IdempotencyKey, StripeFailure> {
    IdempotencyKey::new(text).map_err(|e| StripeFailure::Refused(format!("idempotency key: {e:?}")))
}
