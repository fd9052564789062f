//! Fault tests (hardening, 4d): an order's expiry schedule firing twice, or after the order was
//! paid, has no effect beyond the one cancellation an unpaid order gets.
//!
//! The EventBridge Scheduler delivers at least once, and deleting a schedule when the order is
//! paid can lose the race with its firing; so expire-order must act only on a `created` order
//! whose window has closed, and only once. The tests deliver the schedule's own message to the
//! expiry queue, so the real queue and expire-order function handle it.

mod support;

use serde_json::Value;
use support::expiry::{at_expiry, expiry_scheduled, fire_expiry};
use support::payments::{order, reserved_ticket, stack_with_stripe, start_payment};
use support::Stack;

/// The detail-types the orders domain published about one order, sorted.
async fn published_about(stack: &Stack, listener: &str, order_id: &str) -> Vec<String> {
    let mut published: Vec<String> = stack
        .take_events(listener)
        .await
        .iter()
        .filter(|e| e["detail"]["id"] == order_id || e["detail"]["orderId"] == order_id)
        .map(|e| e["detail-type"].as_str().unwrap().to_string())
        .collect();
    published.sort();
    published
}

fn status_and_version(order: &Value) -> (String, u64) {
    (
        order["status"].as_str().unwrap_or_default().to_string(),
        order["version"].as_u64().unwrap_or(u64::MAX),
    )
}

/// Would fail if expire-order cancelled without looking at the status (or the cancellation's
/// write were not conditional on `created`): the paid order would end cancelled at version 2,
/// its sold ticket freed, and OrderCancelled published.
#[tokio::test]
async fn the_expiry_firing_twice_after_payment_changes_nothing() {
    let (stack, stripe) = stack_with_stripe("").await;
    let published = stack.listen_to("ticketing.orders").await;
    let (buyer, ticket_id, reserved) = reserved_ticket(&stack, "paid", 2500).await;
    let order_id = reserved["id"].as_str().unwrap().to_string();
    // GIVEN the order is paid: complete, its ticket sold, its schedule dropped
    let intent = start_payment(&stack, &buyer, &order_id).await;
    stripe.pay(&intent, "4242424242424242").await.unwrap();
    stack
        .eventually("the order complete", || async {
            (order(&stack, &buyer, &order_id).await["status"] == "complete").then_some(())
        })
        .await;
    stack
        .wait_for_ticket(&ticket_id, |t| t["orderId"] == order_id.as_str())
        .await;
    assert!(!expiry_scheduled(&stack, &order_id).await);

    // WHEN the schedule fires anyway, twice at once
    tokio::join!(
        fire_expiry(&stack, &order_id),
        fire_expiry(&stack, &order_id)
    );
    stack.consumers_settled(&["ExpireOrder"]).await;

    // THEN the order is complete at the version the payment gave it
    assert_eq!(
        status_and_version(&order(&stack, &buyer, &order_id).await),
        ("complete".into(), 1)
    );
    // AND the ticket is still held by it, on both sides
    let (_, _, ticket) = stack
        .http("GET", &format!("/api/tickets/{ticket_id}"), None, None)
        .await;
    assert_eq!(ticket["orderId"], order_id.as_str());
    let replica = stack
        .item("OrdersTable", &format!("TICKET#{ticket_id}"))
        .await
        .unwrap();
    assert_eq!(replica["orderId"].as_s().unwrap(), &order_id);
    // AND nothing was cancelled or refunded
    stack.invariants_hold().await;
    assert_eq!(
        published_about(&stack, &published, &order_id).await,
        ["OrderCompleted", "OrderCreated"]
    );
    assert!(stripe.refunds_for(&intent).is_empty());

    stack.running.stop().await;
}

/// Would fail if a repeated expiry cancelled again (version 2, a second OrderCancelled, the
/// ticket unlocked twice) or if a firing were lost to the race between the deliveries (the
/// order would stay `created`).
#[tokio::test]
async fn the_expiry_firing_twice_cancels_the_unpaid_order_once() {
    let stack = Stack::start("OrderTtlSeconds=2").await;
    let published = stack.listen_to("ticketing.orders").await;
    let (buyer, ticket_id, reserved) = reserved_ticket(&stack, "unpaid", 2500).await;
    let order_id = reserved["id"].as_str().unwrap().to_string();
    stack
        .wait_for_ticket(&ticket_id, |t| t["orderId"] == order_id.as_str())
        .await;

    // WHEN the window closes and the schedule fires twice more, at the same moment as its own
    // firing (three deliveries racing)
    at_expiry(&reserved, 0).await;
    tokio::join!(
        fire_expiry(&stack, &order_id),
        fire_expiry(&stack, &order_id)
    );
    stack
        .eventually("the schedule's own firing", || async {
            (!expiry_scheduled(&stack, &order_id).await).then_some(())
        })
        .await;
    stack.consumers_settled(&["ExpireOrder"]).await;

    // THEN the order is cancelled, once
    assert_eq!(
        status_and_version(&order(&stack, &buyer, &order_id).await),
        ("cancelled".into(), 1)
    );
    // AND the ticket is free again, locked once and unlocked once
    let ticket = stack
        .wait_for_ticket(&ticket_id, |t| t["orderId"].is_null())
        .await;
    stack
        .consumers_settled(&["TicketsOnOrderCancelled", "PaymentsOnOrderCancelled"])
        .await;
    stack.invariants_hold().await;
    assert_eq!(ticket["version"], 2);

    // WHEN it fires once more, late, after everything settled
    fire_expiry(&stack, &order_id).await;
    stack.consumers_settled(&["ExpireOrder"]).await;

    // THEN still nothing more happened, and one OrderCancelled was published in all
    assert_eq!(
        status_and_version(&order(&stack, &buyer, &order_id).await),
        ("cancelled".into(), 1)
    );
    stack.invariants_hold().await;
    assert_eq!(
        published_about(&stack, &published, &order_id).await,
        ["OrderCancelled", "OrderCreated"]
    );

    stack.running.stop().await;
}
