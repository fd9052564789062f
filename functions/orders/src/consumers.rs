//! What orders consume: the tickets replica (in version order) and the expiry of orders.

use crate::cancel::{cancel_order, Cancelled};
use crate::context::SettleContext;
use crate::expiry::ExpiryMessage;
use crate::order::{is_expired, Status};
use crate::store::TransitionError;
use crate::store::{Orders, TicketReplica};
use serde::Deserialize;
use ticketing::consumer::ConsumerError;
use ticketing::events::BusEvent;
use ticketing::money::Cents;

/// What orders keep of a ticket event.
#[derive(Debug, Clone, Deserialize)]
pub struct TicketDetail {
    pub id: String,
    pub title: String,
    pub price: Cents,
    pub version: u64,
    /// The seller: a reservation by them is refused.
    #[serde(rename = "userId")]
    pub seller_id: String,
}

fn replica(ticket: TicketDetail) -> TicketReplica {
    TicketReplica {
        id: ticket.id,
        title: ticket.title,
        price: ticket.price,
        version: ticket.version,
        seller_id: Some(ticket.seller_id),
        order_id: None,
        reservations: 0,
    }
}

fn retry(error: impl std::fmt::Display) -> ConsumerError {
    ConsumerError::Retry(error.to_string())
}

/// TicketCreated: the ticket becomes reservable. A duplicate changes nothing.
pub async fn on_ticket_created(
    orders: &Orders,
    event: BusEvent<TicketDetail>,
) -> Result<(), ConsumerError> {
    let ticket = event.detail;
    if orders
        .insert_replica(&replica(ticket.clone()))
        .await
        .map_err(retry)?
    {
        tracing::info!(ticket_id = ticket.id, "ticket replica created");
    } else {
        tracing::info!(ticket_id = ticket.id, "duplicate TicketCreated ignored");
    }
    Ok(())
}

/// TicketUpdated: applied only on top of the version before it. A version already held is a
/// duplicate; a gap fails the message, and SQS redelivers it once the missing one has arrived.
pub async fn on_ticket_updated(
    orders: &Orders,
    event: BusEvent<TicketDetail>,
) -> Result<(), ConsumerError> {
    let ticket = event.detail;
    let Some(held) = orders.ticket(&ticket.id).await.map_err(retry)? else {
        return Err(ConsumerError::Retry(format!(
            "ticket {} is not known yet",
            ticket.id
        )));
    };
    if held.version >= ticket.version {
        tracing::info!(
            ticket_id = ticket.id,
            version = ticket.version,
            "duplicate TicketUpdated ignored"
        );
        return Ok(());
    }
    if held.version + 1 != ticket.version {
        return Err(ConsumerError::Retry(format!(
            "ticket {} is at version {}, not {}",
            ticket.id,
            held.version,
            ticket.version - 1
        )));
    }
    if orders
        .apply_ticket_version(&replica(ticket.clone()))
        .await
        .map_err(retry)?
    {
        tracing::info!(
            ticket_id = ticket.id,
            version = ticket.version,
            "ticket replica updated"
        );
        Ok(())
    } else {
        Err(ConsumerError::Retry(format!(
            "ticket {} changed while applying version {}",
            ticket.id, ticket.version
        )))
    }
}

/// The expiry schedule fired: a `created` order whose window has closed is cancelled (its
/// ticket freed, OrderCancelled follows); anything else is left alone.
pub async fn expire_order(orders: &Orders, message: ExpiryMessage) -> Result<(), ConsumerError> {
    let Some(order) = orders.order(&message.order_id).await.map_err(retry)? else {
        tracing::info!(
            order_id = message.order_id,
            "no such order; nothing to expire"
        );
        return Ok(());
    };
    if order.status != Status::Created {
        tracing::info!(
            order_id = order.id,
            status = order.status.as_str(),
            "order is settled; expiry ignored"
        );
        return Ok(());
    }
    if !is_expired(&order, &ticketing::time::now_rfc3339()) {
        return Err(ConsumerError::Retry(format!(
            "order {} expires at {}",
            order.id, order.expires_at
        )));
    }
    match cancel_order(orders, &order.id).await.map_err(retry)? {
        Cancelled::Now(_) => tracing::info!(order_id = order.id, "order expired and cancelled"),
        other => {
            tracing::info!(order_id = order.id, outcome = ?other, "order settled meanwhile; expiry ignored")
        }
    }
    Ok(())
}

/// What orders need of PaymentCreated.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentDetail {
    /// The payment's id.
    pub id: String,
    pub order_id: String,
}

/// PaymentCreated: a `created` order becomes complete (its expiry schedule is dropped). For an
/// order cancelled meanwhile the payment is recorded as rejected, once, which publishes
/// OrderPaymentRejected so payments refunds it. A repeat changes nothing.
pub async fn on_payment_created(
    ctx: &SettleContext,
    event: BusEvent<PaymentDetail>,
) -> Result<(), ConsumerError> {
    let payment = event.detail;
    let Some(order) = ctx.orders.order(&payment.order_id).await.map_err(retry)? else {
        return Err(ConsumerError::Permanent(format!(
            "payment {} names unknown order {}",
            payment.id, payment.order_id
        )));
    };
    match order.status {
        Status::Complete => {
            tracing::info!(
                order_id = order.id,
                payment_id = payment.id,
                "order already complete"
            );
            Ok(())
        }
        Status::Cancelled => {
            let now = ticketing::time::now_rfc3339();
            if ctx
                .orders
                .record_rejected_payment(&order, &payment.id, &now)
                .await
                .map_err(retry)?
            {
                tracing::info!(
                    order_id = order.id,
                    payment_id = payment.id,
                    "payment for a cancelled order rejected"
                );
            }
            Ok(())
        }
        Status::Created => match ctx
            .orders
            .complete(&order, &ticketing::time::now_rfc3339())
            .await
        {
            Ok(()) => {
                tracing::info!(
                    order_id = order.id,
                    payment_id = payment.id,
                    "order complete"
                );
                ctx.expiry.delete(&order.id).await;
                Ok(())
            }
            Err(TransitionError::OrderChanged) => Err(ConsumerError::Retry(format!(
                "order {} changed meanwhile",
                order.id
            ))),
            Err(TransitionError::Storage(error)) => Err(retry(error)),
        },
    }
}
