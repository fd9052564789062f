//! Tickets lock and unlock on order events.
//!
//! Every order names its place in the ticket's reservations (`ticket.reservation`: 1, 2, ...,
//! given out by the orders side's reservation transaction). The tickets side applies them in that
//! order, whatever order the events arrive in: reservation n locks only once n-1 has been locked
//! and freed; an event of a reservation already applied or superseded changes nothing; one that
//! arrives too early is retried. So a duplicate, a late or an early delivery ends in the same
//! state as in-order delivery. Events without a number (published before reservations were
//! numbered) fall back to remembering which orders released the ticket.

use crate::store::{StoreError, Tickets};
use crate::ticket::Ticket;
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

/// The ticket an order is for, and which of its reservations the order is.
#[derive(Debug, Clone, Deserialize)]
pub struct OrderedTicket {
    pub id: String,
    /// 1 for the ticket's first reservation, and so on; 0 when the event does not say.
    #[serde(default)]
    pub reservation: u64,
}

/// What an order event does to the ticket as it is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Lock it (OrderCreated) or free it (OrderCancelled).
    Apply,
    /// Already applied, or superseded by a later reservation: nothing to do.
    Ignore,
    /// An earlier reservation's event has not been applied yet.
    Wait,
}

/// OrderCreated of reservation `n` on a ticket last locked by reservation `ticket.reservation`.
fn creation_step(ticket: &Ticket, order_id: &str, n: u64) -> Step {
    if n == 0 {
        // unnumbered: a holder or a released order is this one's repeat
        if ticket.order_id.as_deref() == Some(order_id)
            || ticket.released_orders.iter().any(|o| o == order_id)
        {
            return Step::Ignore;
        }
        return if ticket.order_id.is_some() {
            Step::Wait
        } else {
            Step::Apply
        };
    }
    if n <= ticket.reservation {
        Step::Ignore
    } else if n > ticket.reservation + 1 || ticket.order_id.is_some() {
        // the reservation before it has not locked, or not been freed, here yet
        Step::Wait
    } else {
        Step::Apply
    }
}

/// OrderCancelled of reservation `n`.
fn cancellation_step(ticket: &Ticket, order_id: &str, n: u64) -> Step {
    let holds = ticket.order_id.as_deref() == Some(order_id);
    if n == 0 {
        return if ticket.released_orders.iter().any(|o| o == order_id) {
            Step::Ignore
        } else if holds {
            Step::Apply
        } else {
            Step::Wait
        };
    }
    if n < ticket.reservation || (n == ticket.reservation && !holds) {
        Step::Ignore
    } else if n > ticket.reservation {
        // its lock has not been applied yet
        Step::Wait
    } else {
        Step::Apply
    }
}

/// OrderCreated: the order holds the ticket (orderId set, version bumped, TicketUpdated follows).
pub async fn on_order_created(
    tickets: &Tickets,
    event: BusEvent<OrderEvent>,
) -> Result<(), ConsumerError> {
    let order = event.detail;
    let ticket = load(tickets, &order.ticket.id).await?;
    let n = order.ticket.reservation;
    match creation_step(&ticket, &order.id, n) {
        Step::Ignore => {
            tracing::info!(
                order_id = order.id,
                ticket_id = ticket.id,
                reservation = n,
                "OrderCreated already applied or superseded; ignored"
            );
            return Ok(());
        }
        Step::Wait => {
            return Err(ConsumerError::Retry(format!(
                "ticket {} is at reservation {} (held by {:?}), not ready for {} (reservation {n})",
                ticket.id, ticket.reservation, ticket.order_id, order.id
            )))
        }
        Step::Apply => {}
    }
    let now = ticketing::time::now_rfc3339();
    let reservation = if n == 0 { ticket.reservation } else { n };
    match tickets
        .lock(&ticket.id, &order.id, reservation, ticket.version, &now)
        .await
    {
        Ok(locked) => {
            tracing::info!(
                order_id = order.id,
                ticket_id = locked.id,
                version = locked.version,
                reservation,
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
    let n = order.ticket.reservation;
    match cancellation_step(&ticket, &order.id, n) {
        Step::Ignore => {
            tracing::info!(
                order_id = order.id,
                ticket_id = ticket.id,
                reservation = n,
                "OrderCancelled already applied or superseded; ignored"
            );
            return Ok(());
        }
        Step::Wait => {
            return Err(ConsumerError::Retry(format!(
                "order {} (reservation {n}) has not locked ticket {} yet",
                order.id, ticket.id
            )))
        }
        Step::Apply => {}
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

#[cfg(test)]
mod tests {
    use super::*;
    use ticketing::money::Cents;

    /// A ticket last locked by reservation `reservation`, held now by `holder`.
    fn ticket(reservation: u64, holder: Option<&str>) -> Ticket {
        Ticket {
            id: "t-1".into(),
            title: "Concert".into(),
            price: Cents(2500),
            user_id: "u-1".into(),
            version: 0,
            order_id: holder.map(str::to_string),
            created_at: String::new(),
            updated_at: String::new(),
            released_orders: vec![],
            reservation,
        }
    }

    #[test]
    fn reservations_lock_in_their_order() {
        // the next reservation locks a free ticket
        assert_eq!(creation_step(&ticket(1, None), "o-2", 2), Step::Apply);
        // but waits while the one before still holds it, or has not locked it yet
        assert_eq!(creation_step(&ticket(1, Some("o-1")), "o-2", 2), Step::Wait);
        assert_eq!(creation_step(&ticket(0, None), "o-2", 2), Step::Wait);
        // and a repeat, or a creation overtaken by a later reservation, changes nothing
        assert_eq!(
            creation_step(&ticket(1, Some("o-1")), "o-1", 1),
            Step::Ignore
        );
        assert_eq!(
            creation_step(&ticket(2, Some("o-2")), "o-1", 1),
            Step::Ignore
        );
    }

    #[test]
    fn a_cancellation_frees_only_its_own_lock() {
        assert_eq!(
            cancellation_step(&ticket(1, Some("o-1")), "o-1", 1),
            Step::Apply
        );
        // before its lock: wait for it
        assert_eq!(cancellation_step(&ticket(0, None), "o-1", 1), Step::Wait);
        // a repeat, or one overtaken by the next reservation, changes nothing
        assert_eq!(cancellation_step(&ticket(1, None), "o-1", 1), Step::Ignore);
        assert_eq!(
            cancellation_step(&ticket(2, Some("o-2")), "o-1", 1),
            Step::Ignore
        );
    }

    #[test]
    fn unnumbered_events_fall_back_to_the_released_orders() {
        let mut freed = ticket(0, None);
        freed.released_orders = vec!["o-1".into()];
        assert_eq!(creation_step(&freed, "o-1", 0), Step::Ignore);
        assert_eq!(creation_step(&freed, "o-2", 0), Step::Apply);
        assert_eq!(cancellation_step(&freed, "o-1", 0), Step::Ignore);
        assert_eq!(
            cancellation_step(&ticket(0, Some("o-2")), "o-2", 0),
            Step::Apply
        );
        assert_eq!(cancellation_step(&ticket(0, None), "o-3", 0), Step::Wait);
    }
}
