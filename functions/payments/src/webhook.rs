//! POST /api/webhooks/stripe: what Stripe tells us about payments.
//!
//! The Stripe-Signature header is checked on the raw body (API Gateway's base64 bodies arrive
//! decoded), with Stripe's 300 s tolerance. Each event id is applied at most once, in the same
//! transaction as its effect, so a replayed or retried event changes nothing.

use crate::context::WebhookContext;
use crate::model::{OrderReplica, Payment, PaymentFailure, PaymentStatus, UnmatchedPayment};
use crate::store::Applied;
use crate::stripe_api::{RefundReason, StripeFailure, CURRENCY};
use lambda_http::http::StatusCode;
use lambda_http::Request;
use serde_json::json;
use stripe_shared::PaymentIntent;
use stripe_webhook::{EventObject, Webhook, WebhookError};
use ticketing::http::{json, ApiResult};
use ticketing::money::Cents;
use ticketing::ApiError;

const SIGNATURE_HEADER: &str = "Stripe-Signature";

/// Verifies and applies one Stripe event. 400 for anything not signed by Stripe with our
/// secret within the last 300 s; 200 for everything else, including event types we ignore.
pub async fn stripe_webhook(ctx: &WebhookContext, request: Request) -> ApiResult {
    let signature = request
        .headers()
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::invalid(SIGNATURE_HEADER, "The Stripe-Signature header is missing")
        })?;
    let payload = std::str::from_utf8(request.body().as_ref())
        .map_err(|_| ApiError::invalid("body", "The body is not UTF-8"))?;
    // Stripe resends what is not answered 2xx, so a secret that cannot be read now loses nothing.
    let secret =
        ctx.signing_secret.value().await.map_err(|e| {
            ApiError::unavailable("The webhook's signing secret cannot be read now", e)
        })?;
    let event = Webhook::construct_event(payload, signature, &secret).map_err(rejection)?;
    let event_id = event.id.to_string();
    let outcome = match event.data.object {
        EventObject::PaymentIntentSucceeded(intent) => {
            payment_succeeded(ctx, &event_id, &intent).await?
        }
        EventObject::PaymentIntentPaymentFailed(intent) => {
            payment_failed(ctx, &event_id, &intent).await?
        }
        _ => {
            tracing::info!(event_id, event_type = %event.type_, "stripe event ignored");
            "ignored"
        }
    };
    json(
        StatusCode::OK,
        &json!({ "received": true, "outcome": outcome }),
    )
}

fn rejection(error: WebhookError) -> ApiError {
    let message = match error {
        WebhookError::BadTimestamp(_) => "The signature timestamp is outside the 300 s tolerance",
        WebhookError::BadParse(_) => "The event could not be read",
        _ => "The signature does not match",
    };
    tracing::warn!(reason = %error, "stripe webhook rejected");
    ApiError::invalid(SIGNATURE_HEADER, message)
}

fn order_of(intent: &PaymentIntent) -> Option<String> {
    intent.metadata.get("orderId").cloned()
}

fn outcome(applied: Applied) -> &'static str {
    match applied {
        Applied::Now => "applied",
        Applied::DuplicateEvent => "duplicate",
        Applied::AlreadyRecorded => "already recorded",
    }
}

fn now_epoch() -> u64 {
    time::OffsetDateTime::now_utc().unix_timestamp().max(0) as u64
}

/// payment_intent.succeeded. The event is Stripe's (its signature says so), but the
/// PaymentIntent may not be ours to count: anything on the same Stripe account can put an
/// order's id in a PaymentIntent's metadata. So it pays the order only when it is the
/// PaymentIntent recorded for that order, for the order's price in its currency; then the
/// payment is stored (once), which publishes PaymentCreated. Anything else is kept as unmatched,
/// counted for the alarm, and refunded.
async fn payment_succeeded(
    ctx: &WebhookContext,
    event_id: &str,
    intent: &PaymentIntent,
) -> Result<&'static str, ApiError> {
    let Some(order_id) = order_of(intent) else {
        tracing::warn!(event_id, payment_intent = %intent.id, "payment without an order ignored");
        return Ok("ignored");
    };
    let order = ctx
        .payments
        .order(&order_id)
        .await
        .map_err(ApiError::internal)?;
    let paid = Paid::of(intent);
    if let Err(reason) = pays(order.as_ref(), &paid) {
        return unmatched(ctx, event_id, order_id, order.is_some(), paid, reason).await;
    }
    let payment = Payment {
        id: paid.intent_id,
        order_id,
        amount: paid.amount,
        currency: paid.currency,
        status: PaymentStatus::Succeeded,
        created_at: ticketing::time::now_rfc3339(),
        refund_id: None,
    };
    let applied = ctx
        .payments
        .record_payment(event_id, &payment, now_epoch())
        .await
        .map_err(ApiError::internal)?;
    tracing::info!(
        event_id,
        payment_id = payment.id,
        order_id = payment.order_id,
        outcome = outcome(applied),
        "payment succeeded"
    );
    Ok(outcome(applied))
}

/// What a succeeded PaymentIntent took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paid {
    pub intent_id: String,
    /// `amount_received`: what was taken, not what was asked.
    pub amount: Cents,
    pub currency: String,
}

impl Paid {
    fn of(intent: &PaymentIntent) -> Self {
        Self {
            intent_id: intent.id.to_string(),
            amount: Cents(intent.amount_received.max(0) as u64),
            currency: intent.currency.to_string(),
        }
    }
}

/// Whether `paid` pays `order`: it is the order's own PaymentIntent, and took the order's price
/// in our currency. The reason why not, otherwise.
pub fn pays(order: Option<&OrderReplica>, paid: &Paid) -> Result<(), String> {
    let Some(order) = order else {
        return Err("it names an order payments does not know".to_string());
    };
    if order.payment_intent_id.as_deref() != Some(paid.intent_id.as_str()) {
        return Err(match &order.payment_intent_id {
            Some(own) => format!("the order's PaymentIntent is {own}"),
            None => "the order has no PaymentIntent yet".to_string(),
        });
    }
    if paid.currency != CURRENCY || paid.amount != order.price {
        return Err(format!(
            "it took {} {}, the order costs {} {CURRENCY}",
            paid.amount.0, paid.currency, order.price.0
        ));
    }
    Ok(())
}

/// A succeeded PaymentIntent that cannot pay the order it names: refunded when the order is one
/// of ours (money was taken against it), kept with the event, and counted for the alarm. If
/// Stripe cannot refund now, the webhook answers 503 and Stripe sends the event again later.
async fn unmatched(
    ctx: &WebhookContext,
    event_id: &str,
    order_id: String,
    known_order: bool,
    paid: Paid,
    reason: String,
) -> Result<&'static str, ApiError> {
    if let Some(kept) = ctx
        .payments
        .unmatched(&paid.intent_id)
        .await
        .map_err(ApiError::internal)?
    {
        tracing::info!(
            event_id,
            payment_intent = kept.payment_intent_id,
            "unmatched payment already kept"
        );
        return Ok("unmatched");
    }
    let refund_id = if known_order && paid.amount.0 > 0 {
        let refund = ctx
            .stripe
            .refund(&paid.intent_id, RefundReason::Unmatched)
            .await
            .map_err(|failure| match failure {
                StripeFailure::Unavailable(_) => ApiError::unavailable(
                    "Stripe is unavailable; send this event again later",
                    failure,
                ),
                StripeFailure::Refused(_) => ApiError::internal(failure),
            })?;
        Some(refund)
    } else {
        None
    };
    let kept = UnmatchedPayment {
        payment_intent_id: paid.intent_id,
        order_id,
        amount: paid.amount,
        currency: paid.currency,
        reason,
        refund_id,
        created_at: ticketing::time::now_rfc3339(),
    };
    let applied = ctx
        .payments
        .record_unmatched(event_id, &kept, now_epoch())
        .await
        .map_err(ApiError::internal)?;
    if applied == Applied::Now {
        ticketing::metrics::count(UNMATCHED_PAYMENTS_METRIC);
    }
    tracing::warn!(
        event_id,
        payment_intent = kept.payment_intent_id,
        order_id = kept.order_id,
        amount = kept.amount.0,
        currency = kept.currency,
        reason = kept.reason,
        refund_id = kept.refund_id,
        outcome = outcome(applied),
        "unmatched payment: it completes no order"
    );
    Ok("unmatched")
}

/// The metric an unmatched payment counts, which template.yaml's UnmatchedPaymentsAlarm watches.
pub const UNMATCHED_PAYMENTS_METRIC: &str = "UnmatchedPayments";

/// payment_intent.payment_failed: the attempt is recorded; the order stays open for another try.
async fn payment_failed(
    ctx: &WebhookContext,
    event_id: &str,
    intent: &PaymentIntent,
) -> Result<&'static str, ApiError> {
    let Some(order_id) = order_of(intent) else {
        tracing::warn!(event_id, payment_intent = %intent.id, "failure without an order ignored");
        return Ok("ignored");
    };
    let error = intent.last_payment_error.as_deref();
    let failure = PaymentFailure {
        payment_intent_id: intent.id.to_string(),
        order_id,
        code: error.and_then(|e| e.code.as_ref()).map(|c| c.to_string()),
        decline_code: error.and_then(|e| e.decline_code.clone()),
        message: error.and_then(|e| e.message.clone()),
        created_at: ticketing::time::now_rfc3339(),
    };
    let applied = ctx
        .payments
        .record_failure(event_id, &failure, now_epoch())
        .await
        .map_err(ApiError::internal)?;
    tracing::info!(
        event_id,
        payment_intent = failure.payment_intent_id,
        order_id = failure.order_id,
        decline_code = failure.decline_code,
        outcome = outcome(applied),
        "payment failed"
    );
    Ok(outcome(applied))
}
