//! Payments that must not count, through the real gateway and the Stripe stand-in: a
//! PaymentIntent made on the same Stripe account outside our checkout that names an order, and
//! a card form left open on an order that was cancelled.

mod support;

use serde_json::json;
use support::payments::{order_status, reserved_ticket, stack_with_stripe, start_payment};

#[tokio::test]
async fn a_payment_intent_made_elsewhere_for_an_order_completes_nothing_and_is_refunded() {
    let (stack, stripe) = stack_with_stripe("").await;
    let (buyer, _, order) = reserved_ticket(&stack, "not-ours", 2500).await;
    let order_id = order["id"].as_str().unwrap().to_string();
    let own = start_payment(&stack, &buyer, &order_id).await;

    // WHEN someone with the account's secret key makes a 50-cent PaymentIntent naming the order
    // and pays it
    let made = stripe
        .create_payment_intent(&format!(
            "amount=50&currency=usd&metadata[orderId]={order_id}"
        ))
        .unwrap();
    let forged = made["id"].as_str().unwrap().to_string();
    stripe.pay(&forged, "4242424242424242").await.unwrap();

    // THEN it is refunded in full and kept as unmatched, and the order is still open
    let refunds = stack
        .eventually("the refund", || async {
            let refunds = stripe.refunds_for(&forged);
            (!refunds.is_empty()).then_some(refunds)
        })
        .await;
    assert_eq!((refunds.len(), refunds[0].amount), (1, 50));
    // (the webhook stores it once Stripe has answered the refund, so it may come a moment later)
    let kept = stack
        .eventually("the unmatched payment kept", || async {
            stack
                .item("PaymentsTable", &format!("UNMATCHED#{forged}"))
                .await
        })
        .await;
    assert_eq!(kept["orderId"].as_s().unwrap(), &order_id);
    assert!(stack
        .item("PaymentsTable", &format!("PAYMENT#{forged}"))
        .await
        .is_none());
    assert_eq!(order_status(&stack, &buyer, &order_id).await, "created");

    // AND the buyer's own payment still completes it
    stripe.pay(&own, "4242424242424242").await.unwrap();
    stack
        .eventually("the order complete", || async {
            (order_status(&stack, &buyer, &order_id).await == "complete").then_some(())
        })
        .await;
    assert!(stripe.refunds_for(&own).is_empty());

    stack.invariants_hold().await;
    stack.running.stop().await;
}

#[tokio::test]
async fn a_card_form_left_open_cannot_charge_a_cancelled_order() {
    let (stack, stripe) = stack_with_stripe("").await;
    let (buyer, _, order) = reserved_ticket(&stack, "left-open", 2500).await;
    let order_id = order["id"].as_str().unwrap().to_string();
    // GIVEN the buyer has the card form open (the PaymentIntent's client secret)
    let intent = start_payment(&stack, &buyer, &order_id).await;

    // WHEN the order is cancelled (in another tab)
    let (status, _, answer) = stack
        .http(
            "DELETE",
            &format!("/api/orders/{order_id}"),
            Some(&buyer),
            None,
        )
        .await;
    assert_eq!(status, 204, "{answer}");

    // THEN its PaymentIntent is cancelled at Stripe, and the card form cannot charge it
    stack
        .eventually("the PaymentIntent cancelled", || async {
            let at_stripe = stripe.payment_intent(&intent)?;
            (at_stripe.status.as_str() == "canceled").then_some(())
        })
        .await;
    let refused = stripe.pay(&intent, "4242424242424242").await.unwrap_err();
    assert_eq!(
        refused.error.code.as_ref().map(|code| code.as_str()),
        Some("payment_intent_unexpected_state")
    );
    assert!(stripe
        .payment_intent(&intent)
        .unwrap()
        .latest_charge
        .is_none());
    // AND asking to pay again says why not
    let (status, _, answer) = stack
        .http(
            "POST",
            "/api/payments",
            Some(&buyer),
            Some(json!({"orderId": order_id})),
        )
        .await;
    assert_eq!(status, 409, "{answer}");

    stack.invariants_hold().await;
    stack.running.stop().await;
}
