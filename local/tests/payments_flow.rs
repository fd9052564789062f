//! The payments slice through the real gateway, the real template and the Stripe stand-in: a
//! buyer pays with a test card and the order completes; a payment that arrives after the order
//! expired is refunded.

mod support;

use serde_json::json;
use support::payments::{
    order_status, reserved_ticket, stack_with_stripe, stack_with_stripe_and_faults, start_payment,
};

#[tokio::test]
async fn paying_with_the_test_card_completes_the_order_and_the_ticket_is_sold() {
    let (stack, stripe) = stack_with_stripe("").await;
    let (buyer, ticket_id, order) = reserved_ticket(&stack, "paid", 2500).await;
    let order_id = order["id"].as_str().unwrap().to_string();

    // WHEN the buyer starts paying (twice: the same PaymentIntent) and a declined card is tried
    let intent = start_payment(&stack, &buyer, &order_id).await;
    assert_eq!(start_payment(&stack, &buyer, &order_id).await, intent);
    let declined = stripe.pay(&intent, "4000000000000002").await.unwrap_err();
    assert_eq!(
        declined.error.decline_code.as_deref(),
        Some("generic_decline")
    );
    // THEN the order is still open
    assert_eq!(order_status(&stack, &buyer, &order_id).await, "created");

    // WHEN 4242 4242 4242 4242 pays, Stripe's webhook reaches the stack
    stripe.pay(&intent, "4242424242424242").await.unwrap();

    // THEN the order completes (webhook -> payment -> PaymentCreated -> orders)
    stack
        .eventually("the order complete", || async {
            (order_status(&stack, &buyer, &order_id).await == "complete").then_some(())
        })
        .await;
    // AND the ticket stays off the list, held by the completed order
    let ticket = stack
        .wait_for_ticket(&ticket_id, |t| t["orderId"] == order_id.as_str())
        .await;
    assert_eq!(ticket["orderId"], order_id.as_str());
    let (_, _, page) = stack
        .http("GET", "/api/tickets?limit=100", None, None)
        .await;
    assert!(!page["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["id"] == ticket_id.as_str()));
    // AND a paid order cannot be paid again (payments_replica_window.rs holds OrderCompleted
    // back to show this holds before the payments side's replica is complete, too)
    let (status, _, answer) = stack
        .http(
            "POST",
            "/api/payments",
            Some(&buyer),
            Some(json!({"orderId": order_id})),
        )
        .await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["errors"][0]["code"], "order_paid");
    // AND nothing was refunded
    assert!(stripe.refunds_for(&intent).is_empty());

    stack.invariants_hold().await;
    stack.running.stop().await;
}

#[tokio::test]
async fn a_payment_after_the_order_expired_is_refunded_and_the_order_stays_cancelled() {
    // OrderCancelled is held back from payments, so the charge below is one already under way
    // when the window closed (once OrderCancelled arrives, the PaymentIntent is cancelled and a
    // card form can no longer charge it: payments_not_ours.rs)
    let (stack, stripe) = stack_with_stripe_and_faults(
        "OrderTtlSeconds=3",
        "hold-messages:PaymentsOnOrderCancelledFunction",
    )
    .await;
    let (buyer, _, order) = reserved_ticket(&stack, "late", 4100).await;
    let order_id = order["id"].as_str().unwrap().to_string();
    // GIVEN the buyer started paying in time
    let intent = start_payment(&stack, &buyer, &order_id).await;

    // WHEN the order expires before the card is confirmed
    stack
        .eventually("the order expired", || async {
            (order_status(&stack, &buyer, &order_id).await == "cancelled").then_some(())
        })
        .await;
    // (a new payment is refused now)
    let (status, _, refused) = stack
        .http(
            "POST",
            "/api/payments",
            Some(&buyer),
            Some(json!({"orderId": order_id})),
        )
        .await;
    assert_eq!(status, 409, "{refused}");
    // and the card is charged anyway (the browser had the PaymentIntent already), while Stripe
    // has become slow: 8 s an answer
    stripe.pay(&intent, "4242424242424242").await.unwrap();
    stripe.set_faults(stripe_standin::Faults {
        latency: std::time::Duration::from_secs(8),
        ..Default::default()
    });

    // THEN the payment is refunded in full through Stripe, once, within the refund function's
    // timeout (the gateway enforces it as Lambda does)
    let refunds = stack
        .eventually("the refund", || async {
            let refunds = stripe.refunds_for(&intent);
            (!refunds.is_empty()).then_some(refunds)
        })
        .await;
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].amount, 4100);
    // AND the payment records it, and the order stays cancelled
    stack
        .eventually("the refund recorded", || async {
            let item = stack
                .item("PaymentsTable", &format!("PAYMENT#{intent}"))
                .await?;
            (item.get("status")?.as_s().ok()? == "refunded").then_some(())
        })
        .await;
    assert_eq!(order_status(&stack, &buyer, &order_id).await, "cancelled");

    stack
        .running
        .faults()
        .release("PaymentsOnOrderCancelledFunction");
    stack.invariants_hold().await;
    stack.running.stop().await;
}
