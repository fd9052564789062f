//! Tickets lock and unlock on order events.
//!
//! Both are idempotent: a ticket remembers which order holds it and which orders released it,
//! so a duplicate or late delivery changes nothing. A cancellation that arrives before its
//! creation is retried until the creation has been applied.

use crate::store::{StoreError, Tickets};
use serde::Deserialize;
use ticketing::consumer::ConsumerError;
use ticketing::events::BusEvent;

/// What tickets need of an order event.
#[derive(Debug, Clone, Deserialize)]
pub struct OrderEvent {
    pub id: String,
    pub version: u64,
    pub ticket: OrderedTicket,
}

/// The ticket an order is for.
#[derive(Debug, Clone, Deserialize)]
pub struct OrderedTicket {
    pub id: String,
}

/// OrderCreated: the order holds the ticket (orderId set, version bumped, TicketUpdated follows).
pub async fn on_order_created(
    tickets: &Tickets,
    event: BusEvent<OrderEvent>,
) -> Result<(), ConsumerError> {
    let order = event.detail;
    let ticket = load(tickets, &order.ticket.id).await?;
    if ticket.order_id.as_deref() == Some(order.id.as_str())
        || ticket.released_orders.contains(&order.id)
    {
        tracing::info!(
            order_id = order.id,
            ticket_id = ticket.id,
            "duplicate OrderCreated ignored"
        );
        return Ok(());
    }
    if let Some(holder) = &ticket.order_id {
        // Orders never reserve a held ticket; the holder's cancellation must still be on its way.
        return Err(ConsumerError::Retry(format!(
            "ticket {} is still held by order {holder}",
            ticket.id
        )));
    }
    let now = ticketing::time::now_rfc3339();
    match tickets
        .lock(&ticket.id, &order.id, ticket.version, &now)
        .await
    {
        Ok(locked) => {
            tracing::info!(
                order_id = order.id,
                ticket_id = locked.id,
                version = locked.version,
                "ticket locked"
            );
            Ok(())
        }
        Err(error) => Err(retry(error)),
    }
}

/// OrderCancelled: the order lets the ticket go (orderId cleared, version bumped).
pub async fn on_order_cancelled(
    tickets: &Tickets,
    event: BusEvent<OrderEvent>,
) -> Result<(), ConsumerError> {
    let order = event.detail;
    let ticket = load(tickets, &order.ticket.id).await?;
    if ticket.released_orders.contains(&order.id) {
        tracing::info!(
            order_id = order.id,
            ticket_id = ticket.id,
            "duplicate OrderCancelled ignored"
        );
        return Ok(());
    }
    if ticket.order_id.as_deref() != Some(order.id.as_str()) {
        return Err(ConsumerError::Retry(format!(
            "order {} has not locked ticket {} yet",
            order.id, ticket.id
        )));
    }
    let now = ticketing::time::now_rfc3339();
    match tickets
        .unlock(&ticket.id, &order.id, ticket.version, &now)
        .await
    {
        Ok(unlocked) => {
            tracing::info!(
                order_id = order.id,
                ticket_id = unlocked.id,
                version = unlocked.version,
                "ticket unlocked"
            );
            Ok(())
        }
        Err(error) => Err(retry(error)),
    }
}

async fn load(tickets: &Tickets, id: &str) -> Result<crate::ticket::Ticket, ConsumerError> {
    match tickets.get(id).await {
        Ok(Some(ticket)) => Ok(ticket),
        Ok(None) => Err(ConsumerError::Permanent(format!("no ticket {id}"))),
        Err(error) => Err(ConsumerError::Retry(error.to_string())),
    }
}

fn retry(error: StoreError) -> ConsumerError {
    ConsumerError::Retry(match error {
        StoreError::ConditionFailed => "the ticket changed meanwhile".to_string(),
        StoreError::Storage(cause) => cause,
    })
}
