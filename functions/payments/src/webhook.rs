//! POST /api/webhooks/stripe: what Stripe tells us about payments.
//!
//! The Stripe-Signature header is checked on the raw body (API Gateway's base64 bodies arrive
//! decoded), with Stripe's 300 s tolerance. Each event id is applied at most once, in the same
//! transaction as its effect, so a replayed or retried event changes nothing.

use crate::context::WebhookContext;
use crate::model::{Payment, PaymentFailure, PaymentStatus};
use crate::store::Applied;
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
    let event =
        Webhook::construct_event(payload, signature, &ctx.signing_secret).map_err(rejection)?;
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

/// payment_intent.succeeded: the payment is stored (once), which publishes PaymentCreated.
async fn payment_succeeded(
    ctx: &WebhookContext,
    event_id: &str,
    intent: &PaymentIntent,
) -> Result<&'static str, ApiError> {
    let Some(order_id) = order_of(intent) else {
        tracing::warn!(event_id, payment_intent = %intent.id, "payment without an order ignored");
        return Ok("ignored");
    };
    let amount = if intent.amount_received > 0 {
        intent.amount_received
    } else {
        intent.amount
    };
    let payment = Payment {
        id: intent.id.to_string(),
        order_id,
        amount: Cents(amount.max(0) as u64),
        currency: intent.currency.to_string(),
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
