//! POST /api/payments: start paying for an order.

use crate::context::CreatePaymentContext;
use crate::model::{OrderStatus, PaymentStatus};
use crate::stripe_api::{StripeFailure, CURRENCY};
use lambda_http::http::StatusCode;
use lambda_http::Request;
use serde_json::{json, Value};
use ticketing::auth::require_user;
use ticketing::http::{json, json_body, ApiResult};
use ticketing::id::parse_id;
use ticketing::money::Cents;
use ticketing::ApiError;

/// POST /api/payments `{"orderId"}`: the PaymentIntent for the caller's open order (201), with
/// what the browser needs to confirm it with Stripe.js. Asking again returns the same
/// PaymentIntent. An order that is someone else's or unknown is 404; a cancelled, complete or
/// expired one is 409, and so is one under Stripe's card minimum (listings start there, but a
/// ticket listed before that rule may be cheaper). An order whose payment is stored is 409 with
/// the code `order_paid` (or cancelled, if that payment was refunded) even while the replica
/// still says `created`.
pub async fn create_payment(ctx: &CreatePaymentContext, request: Request) -> ApiResult {
    let user = require_user(&request, &ctx.sessions).await?;
    let body: Value = json_body(&request)?;
    let order_id = body
        .get("orderId")
        .and_then(Value::as_str)
        .and_then(parse_id)
        .ok_or_else(|| ApiError::invalid("orderId", "A valid orderId is required"))?;
    let order = ctx
        .payments
        .order(&order_id)
        .await
        .map_err(ApiError::internal)?
        .filter(|order| order.user_id == user.id)
        .ok_or(ApiError::NotFound)?;
    match order.status {
        OrderStatus::Cancelled => return Err(ApiError::conflict("This order was cancelled")),
        OrderStatus::Complete => return Err(already_paid(PaymentStatus::Succeeded)),
        OrderStatus::Created => {}
    }
    if order.is_expired(&ticketing::time::now_rfc3339()) {
        return Err(ApiError::conflict(
            "The payment window for this order has closed",
        ));
    }
    if order.price < Cents::MIN_PRICE {
        return Err(ApiError::conflict(
            "Card payments start at $0.50; this order is below that",
        ));
    }
    let intent = ctx.stripe.intent_for(&order).await.map_err(|failure| match failure {
        StripeFailure::Unavailable(_) => ApiError::unavailable(
            "Card payments are not available right now. Your reservation is kept; please try again in a moment.",
            failure,
        ),
        StripeFailure::Refused(_) => ApiError::internal(failure),
    })?;
    // Only this PaymentIntent can pay the order (the webhook checks).
    if !ctx
        .payments
        .record_intent(&order.id, &intent.id)
        .await
        .map_err(ApiError::internal)?
    {
        return Err(ApiError::internal(std::io::Error::other(format!(
            "order {} already has a PaymentIntent other than {}",
            order.id, intent.id
        ))));
    }
    // The replica says `created` until OrderCompleted arrives, a moment after the order is
    // paid; the payment itself was stored here when Stripe's webhook came, before that.
    if let Some(payment) = ctx
        .payments
        .payment(&intent.id)
        .await
        .map_err(ApiError::internal)?
    {
        return Err(already_paid(payment.status));
    }
    tracing::info!(
        order_id = order.id,
        payment_intent = intent.id,
        "payment started"
    );
    json(
        StatusCode::CREATED,
        &json!({
            "id": intent.id,
            "orderId": order.id,
            "clientSecret": intent.client_secret,
            "amount": order.price,
            "currency": CURRENCY,
            "publishableKey": ctx.publishable_key,
            "stripeJsUrl": ctx.stripe_js_url,
        }),
    )
}

/// The 409 for an order whose payment was taken: paid, or refunded because the order was
/// cancelled before the payment arrived.
fn already_paid(payment: PaymentStatus) -> ApiError {
    match payment {
        PaymentStatus::Succeeded => {
            ApiError::conflict_with_code(ORDER_PAID, "This order is already paid")
        }
        PaymentStatus::Refunded => {
            ApiError::conflict("This order was cancelled, and its payment has been refunded")
        }
    }
}

/// The error code of a 409 for an order that is paid: the web app shows the payment received.
pub const ORDER_PAID: &str = "order_paid";
