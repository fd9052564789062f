//! Order expiry in a test stack: the one-shot schedule, its firing, and the payment window.

use super::Stack;
use serde_json::{json, Value};
use std::time::Duration;

/// Delivers what an order's expiry schedule delivers when it fires: `{"orderId"}` on the
/// expiry queue (the gateway's schedule firer sends exactly this, as the Scheduler does).
pub async fn fire_expiry(stack: &Stack, order_id: &str) {
    let message = json!({ "orderId": order_id }).to_string();
    stack.send_to_queue("ExpireOrderQueue", &message).await;
}

/// Whether the order's one-shot expiry schedule still exists (it goes once it fired, or when the
/// order is paid or cancelled).
pub async fn expiry_scheduled(stack: &Stack, order_id: &str) -> bool {
    let found = stack
        .clients
        .scheduler
        .get_schedule()
        .group_name(format!("{}-order-expiry", stack.name))
        .name(format!("order-{order_id}"))
        .send()
        .await;
    match found {
        Ok(_) => true,
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|e| e.is_resource_not_found_exception()) =>
        {
            false
        }
        Err(error) => panic!("GetSchedule: {error:?}"),
    }
}

/// Waits for the clock (not for an event) to reach `offset_ms` after the order's `expiresAt`
/// (before it, for a negative offset).
pub async fn at_expiry(order: &Value, offset_ms: i64) {
    let expires: jiff::Timestamp = order["expiresAt"]
        .as_str()
        .expect("the order has expiresAt")
        .parse()
        .expect("expiresAt is RFC 3339");
    let moment = expires
        .checked_add(jiff::SignedDuration::from_millis(offset_ms))
        .unwrap();
    let left = moment.duration_since(jiff::Timestamp::now());
    if left.is_positive() {
        tokio::time::sleep(Duration::from_millis(left.as_millis() as u64)).await;
    }
}
