//! What payments consume: the orders replica (in version order), and rejected payments to refund.

use crate::context::StripeConsumerContext;
use crate::model::{OrderReplica, OrderStatus, PaymentStatus};
use crate::store::Payments;
use crate::stripe_api::{Cancelled, RefundReason, StripeFailure};
use serde::Deserialize;
use ticketing::consumer::ConsumerError;
use ticketing::events::BusEvent;
use ticketing::money::Cents;

/// The ticket inside an order event.
#[derive(Debug, Clone, Deserialize)]
pub struct OrderedTicket {
    pub title: String,
    pub price: Cents,
}

/// What payments keep of an order event.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderDetail {
    pub id: String,
    pub status: OrderStatus,
    pub user_id: String,
    pub expires_at: String,
    pub version: u64,
    pub ticket: OrderedTicket,
}

fn retry(error: impl std::fmt::Display) -> ConsumerError {
    ConsumerError::Retry(error.to_string())
}

/// OrderCreated: the order can be paid for. A duplicate changes nothing.
pub async fn on_order_created(
    payments: &Payments,
    event: BusEvent<OrderDetail>,
) -> Result<(), ConsumerError> {
    let order = event.detail;
    let replica = OrderReplica {
        id: order.id.clone(),
        user_id: order.user_id,
        status: order.status,
        version: order.version,
        price: order.ticket.price,
        ticket_title: order.ticket.title,
        expires_at: order.expires_at,
        payment_intent_id: None,
    };
    if payments.insert_order(&replica).await.map_err(retry)? {
        tracing::info!(order_id = order.id, "order replica created");
    } else {
        tracing::info!(order_id = order.id, "duplicate OrderCreated ignored");
    }
    Ok(())
}

/// OrderCancelled and OrderCompleted: applied only on top of the version before. A version
/// already held is a duplicate; a gap (or an order not known yet) fails the message so SQS
/// redelivers it once the missing event has been applied.
pub async fn on_order_changed(
    payments: &Payments,
    event: BusEvent<OrderDetail>,
) -> Result<(), ConsumerError> {
    let order = event.detail;
    let Some(held) = payments.order(&order.id).await.map_err(retry)? else {
        return Err(ConsumerError::Retry(format!(
            "order {} is not known yet",
            order.id
        )));
    };
    if held.version >= order.version {
        tracing::info!(
            order_id = order.id,
            version = order.version,
            "duplicate order event ignored"
        );
        return Ok(());
    }
    if held.version + 1 != order.version {
        return Err(ConsumerError::Retry(format!(
            "order {} is at version {}, not {}",
            order.id,
            held.version,
            order.version - 1
        )));
    }
    if payments
        .apply_order_version(&order.id, order.status, order.version)
        .await
        .map_err(retry)?
    {
        tracing::info!(
            order_id = order.id,
            status = order.status.as_str(),
            version = order.version,
            "order replica updated"
        );
        Ok(())
    } else {
        Err(ConsumerError::Retry(format!(
            "order {} changed while applying version {}",
            order.id, order.version
        )))
    }
}

/// OrderCancelled: the replica is cancelled (in version order, as [`on_order_changed`]), then
/// the order's PaymentIntent is cancelled at Stripe, so a card form left open cannot charge a
/// cancelled order. A charge already through is refunded once the orders side rejects it
/// (OrderPaymentRejected). A repeat of the event cancels again, which Stripe answers the same.
pub async fn on_order_cancelled(
    ctx: &StripeConsumerContext,
    event: BusEvent<OrderDetail>,
) -> Result<(), ConsumerError> {
    let order_id = event.detail.id.clone();
    Box::pin(on_order_changed(&ctx.payments, event)).await?;
    let Some(order) = ctx.payments.order(&order_id).await.map_err(retry)? else {
        return Ok(());
    };
    let Some(intent) = order.payment_intent_id else {
        return Ok(());
    };
    if order.status != OrderStatus::Cancelled {
        return Ok(());
    }
    // Both steps boxed: nested, their futures are deep enough to overflow the compiler's layout
    // query limit.
    let cancelled = Box::pin(ctx.stripe.cancel_intent(&intent))
        .await
        .map_err(stripe_failure)?;
    tracing::info!(
        order_id,
        payment_intent = intent,
        already_paid = cancelled == Cancelled::AlreadyPaid,
        "payment intent cancelled"
    );
    Ok(())
}

fn stripe_failure(failure: StripeFailure) -> ConsumerError {
    match failure {
        StripeFailure::Unavailable(_) => ConsumerError::Unavailable(failure.to_string()),
        StripeFailure::Refused(_) => ConsumerError::Permanent(failure.to_string()),
    }
}

/// OrderPaymentRejected: which payment came too late, for which order.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RejectedPayment {
    pub payment_id: String,
    pub order_id: String,
}

/// OrderPaymentRejected: the payment arrived after its order was cancelled, so the money goes
/// back through Stripe and the refund is recorded on the payment. Stripe's idempotency key makes
/// a repeat (even after a crash between the refund and the record) return the same refund.
pub async fn on_order_payment_rejected(
    ctx: &StripeConsumerContext,
    event: BusEvent<RejectedPayment>,
) -> Result<(), ConsumerError> {
    let rejected = event.detail;
    let Some(payment) = ctx
        .payments
        .payment(&rejected.payment_id)
        .await
        .map_err(retry)?
    else {
        return Err(ConsumerError::Permanent(format!(
            "rejected payment {} is unknown",
            rejected.payment_id
        )));
    };
    if payment.status == PaymentStatus::Refunded {
        tracing::info!(payment_id = payment.id, "payment already refunded");
        return Ok(());
    }
    let refund_id = ctx
        .stripe
        .refund(&payment.id, RefundReason::OrderCancelled)
        .await
        .map_err(stripe_failure)?;
    let recorded = ctx
        .payments
        .record_refund(&payment.id, &refund_id, &ticketing::time::now_rfc3339())
        .await
        .map_err(retry)?;
    tracing::info!(
        payment_id = payment.id,
        order_id = rejected.order_id,
        refund_id,
        recorded,
        "payment refunded"
    );
    Ok(())
}
