//! The moment between the orders side changing an order and the payments side's replica hearing
//! of it. The gateway holds one consumer's messages back (`hold-messages`, as a disabled event
//! source mapping would), so each test is in that moment every time, not by luck.

mod support;

use serde_json::{json, Value};
use support::payments::{
    order_status, reserved_ticket, stack_with_stripe_and_faults, start_payment,
};
use support::Stack;

/// POST /api/payments for `order_id` as `buyer`: (status, body).
async fn pay_again(stack: &Stack, buyer: &str, order_id: &str) -> (u16, Value) {
    let (status, _, answer) = stack
        .http(
            "POST",
            "/api/payments",
            Some(buyer),
            Some(json!({"orderId": order_id})),
        )
        .await;
    (status, answer)
}

/// The payments side's replica of an order: its status.
async fn replica_status(stack: &Stack, order_id: &str) -> String {
    let item = stack
        .item("PaymentsTable", &format!("ORDER#{order_id}"))
        .await
        .expect("the payments side knows the order");
    item["status"].as_s().unwrap().clone()
}

#[tokio::test]
async fn a_paid_order_is_answered_as_paid_before_order_completed_reaches_payments() {
    let (stack, stripe) =
        stack_with_stripe_and_faults("", "hold-messages:PaymentsOnOrderCompletedFunction").await;
    let (buyer, _, order) = reserved_ticket(&stack, "window-paid", 2500).await;
    let order_id = order["id"].as_str().unwrap().to_string();
    let intent = start_payment(&stack, &buyer, &order_id).await;

    // GIVEN the order paid with 4242 and complete on the orders side, while OrderCompleted
    // waits in the payments side's queue
    stripe.pay(&intent, "4242424242424242").await.unwrap();
    stack
        .eventually("the order complete", || async {
            (order_status(&stack, &buyer, &order_id).await == "complete").then_some(())
        })
        .await;
    stack
        .eventually("OrderCompleted waiting for payments", || async {
            (stack.queue_length("PaymentsOnOrderCompletedQueue").await > 0).then_some(())
        })
        .await;
    assert_eq!(replica_status(&stack, &order_id).await, "created");

    // WHEN the buyer asks to pay again, THEN it is a 409 that says the order is paid
    let paid = json!({"errors": [{"message": "This order is already paid", "code": "order_paid"}]});
    assert_eq!(
        pay_again(&stack, &buyer, &order_id).await,
        (409, paid.clone())
    );

    // AND the same once OrderCompleted has arrived
    stack
        .running
        .faults()
        .release("PaymentsOnOrderCompletedFunction");
    stack
        .eventually("the replica complete", || async {
            (replica_status(&stack, &order_id).await == "complete").then_some(())
        })
        .await;
    assert_eq!(pay_again(&stack, &buyer, &order_id).await, (409, paid));
    assert!(stripe.refunds_for(&intent).is_empty());

    stack.invariants_hold().await;
    stack.running.stop().await;
}

#[tokio::test]
async fn a_card_charged_before_order_cancelled_reaches_payments_is_refunded() {
    let (stack, stripe) =
        stack_with_stripe_and_faults("", "hold-messages:PaymentsOnOrderCancelledFunction").await;
    let (buyer, _, order) = reserved_ticket(&stack, "window-cancelled", 3300).await;
    let order_id = order["id"].as_str().unwrap().to_string();
    start_payment(&stack, &buyer, &order_id).await;

    // GIVEN the buyer cancelled the order, and OrderCancelled waits in the payments side's queue
    let (status, _, cancelled) = stack
        .http(
            "DELETE",
            &format!("/api/orders/{order_id}"),
            Some(&buyer),
            None,
        )
        .await;
    assert_eq!(status, 204, "{cancelled}");
    assert_eq!(order_status(&stack, &buyer, &order_id).await, "cancelled");
    assert_eq!(replica_status(&stack, &order_id).await, "created");

    // WHEN a card form still open in another tab charges the card: the payments side has no
    // record of its own of the cancellation (unlike a payment, which it stores itself), so it
    // still hands out the PaymentIntent
    let intent = start_payment(&stack, &buyer, &order_id).await;
    stripe.pay(&intent, "4242424242424242").await.unwrap();

    // THEN the orders side refuses the payment, and it is refunded in full, once
    let refunds = stack
        .eventually("the refund", || async {
            let refunds = stripe.refunds_for(&intent);
            (!refunds.is_empty()).then_some(refunds)
        })
        .await;
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].amount, 3300);
    assert_eq!(order_status(&stack, &buyer, &order_id).await, "cancelled");
    // AND asking to pay again now says why not
    stack
        .eventually("the refund recorded", || async {
            let (status, answer) = pay_again(&stack, &buyer, &order_id).await;
            (status == 409).then_some(answer)
        })
        .await;

    // AND once OrderCancelled arrives, the replica is cancelled too
    stack
        .running
        .faults()
        .release("PaymentsOnOrderCancelledFunction");
    stack
        .eventually("the replica cancelled", || async {
            (replica_status(&stack, &order_id).await == "cancelled").then_some(())
        })
        .await;
    let (status, answer) = pay_again(&stack, &buyer, &order_id).await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["errors"][0]["message"], "This order was cancelled");

    stack.invariants_hold().await;
    stack.running.stop().await;
}
