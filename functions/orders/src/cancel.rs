//! Cancelling an order, by its buyer or by its expiry: the same guarded transition.

use crate::order::{cancellation, Cancellation, Order};
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
