//! Cancelling an order, by its buyer or by its expiry: the same guarded transition.

use crate::expiry::ExpirySchedules;
use crate::order::{cancellation, is_expired, Cancellation, Order, Status};
use crate::store::{Orders, StorageError, TransitionError};

/// What a cancellation came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cancelled {
    /// The order is now cancelled and its ticket free.
    Now(Order),
    /// It was cancelled before; nothing changed.
    Already,
    /// It is complete and stays so.
    Refused,
    /// There is no such order.
    Missing,
}

/// Cancels the order if it is still `created`. A concurrent change (payment, another cancel) is
/// read again and decided on, so the answer always reflects what the table now holds.
pub async fn cancel_order(orders: &Orders, order_id: &str) -> Result<Cancelled, StorageError> {
    for _ in 0..5 {
        let Some(order) = orders.order(order_id).await? else {
            return Ok(Cancelled::Missing);
        };
        match cancellation(order.status) {
            Cancellation::AlreadyCancelled => return Ok(Cancelled::Already),
            Cancellation::Refused => return Ok(Cancelled::Refused),
            Cancellation::Cancel => {}
        }
        match orders.cancel(&order, &ticketing::time::now_rfc3339()).await {
            Ok(()) => return Ok(Cancelled::Now(order)),
            Err(TransitionError::OrderChanged) => continue,
            Err(TransitionError::Storage(error)) => return Err(error),
        }
    }
    Err(StorageError(format!(
        "order {order_id} kept changing while it was being cancelled"
    )))
}

/// Cancels the buyer's orders awaiting payment whose window has closed but whose expiry has
/// not run yet (a schedule fires up to a minute late), as expire-order would, and removes their
/// schedules. Returns how many it cancelled: each frees one of the buyer's open-order slots.
pub async fn expire_overdue_orders(
    orders: &Orders,
    expiry: &ExpirySchedules,
    user_id: &str,
) -> Result<usize, StorageError> {
    let now = ticketing::time::now_rfc3339();
    let mut cancelled = 0;
    for order_id in orders.open_orders_of(user_id).await? {
        let Some(order) = orders.order(&order_id).await? else {
            continue;
        };
        if order.status != Status::Created || !is_expired(&order, &now) {
            continue;
        }
        if let Cancelled::Now(_) = cancel_order(orders, &order.id).await? {
            tracing::info!(order_id = order.id, "overdue order expired to free a slot");
            expiry.delete(&order.id).await;
            cancelled += 1;
        }
    }
    Ok(cancelled)
}
