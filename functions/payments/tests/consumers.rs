//! The orders replica (version order) and refunds of rejected payments.

mod support;

use payments::consumers::{
    on_order_cancelled, on_order_changed, on_order_created, on_order_payment_rejected,
};
use payments::model::{OrderStatus, PaymentStatus};
use serde_json::json;
use std::time::Duration;
use stripe_standin::Faults;
use support::*;
use ticketing::consumer::ConsumerError;
use ticketing::events::BusEvent;

fn order_event<T: serde::de::DeserializeOwned>(
    detail_type: &str,
    detail: serde_json::Value,
) -> BusEvent<T> {
    let body = json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "detail-type": detail_type,
        "source": "ticketing.orders",
        "detail": detail,
    });
    BusEvent::from_body(&body.to_string()).unwrap()
}

fn order_detail(id: &str, status: &str, version: u64) -> serde_json::Value {
    json!({
        "id": id, "status": status, "userId": "u-1", "version": version,
        "expiresAt": "2099-01-01T00:00:00.000Z", "createdAt": "2026-11-26T12:00:00.000Z",
        "ticket": {"id": "t-1", "title": "Concert", "price": 2500}
    })
}

#[tokio::test]
async fn the_replica_follows_orders_in_version_order() {
    let world = world().await;
    let id = uuid::Uuid::new_v4().to_string();

    // OrderCancelled before OrderCreated: retried until the order is known
    let early = on_order_changed(
        &world.payments,
        order_event("OrderCancelled", order_detail(&id, "cancelled", 1)),
    )
    .await;
    assert!(matches!(early, Err(ConsumerError::Retry(_))), "{early:?}");

    // OrderCreated, twice: one replica
    for _ in 0..2 {
        on_order_created(
            &world.payments,
            order_event("OrderCreated", order_detail(&id, "created", 0)),
        )
        .await
        .unwrap();
    }
    let replica = world.payments.order(&id).await.unwrap().unwrap();
    assert_eq!((replica.status, replica.version), (OrderStatus::Created, 0));
    assert_eq!(replica.price.0, 2500);

    // a gap (version 2 while holding 0) is retried
    let gap = on_order_changed(
        &world.payments,
        order_event("OrderCompleted", order_detail(&id, "complete", 2)),
    )
    .await;
    assert!(matches!(gap, Err(ConsumerError::Retry(_))), "{gap:?}");

    // the next version applies; its duplicate is ignored
    for _ in 0..2 {
        on_order_changed(
            &world.payments,
            order_event("OrderCancelled", order_detail(&id, "cancelled", 1)),
        )
        .await
        .unwrap();
    }
    let replica = world.payments.order(&id).await.unwrap().unwrap();
    assert_eq!(
        (replica.status, replica.version),
        (OrderStatus::Cancelled, 1)
    );
}

#[tokio::test]
async fn a_rejected_payment_is_refunded_through_stripe_once() {
    // GIVEN an order paid with 4242 whose payment is stored
    let world = world().await;
    let (order, intent) = world.paid_order(3100).await;

    // WHEN orders rejects it (the order had been cancelled), and the event comes twice
    let rejected = || {
        order_event(
            "OrderPaymentRejected",
            json!({"paymentId": intent, "orderId": order.id}),
        )
    };
    let ctx = world.stripe_consumer_context();
    on_order_payment_rejected(&ctx, rejected()).await.unwrap();
    on_order_payment_rejected(&ctx, rejected()).await.unwrap();

    // THEN Stripe holds exactly one full refund, and the payment records it
    let refunds = world.stripe.refunds_for(&intent);
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].amount, 3100);
    let payment = world.payments.payment(&intent).await.unwrap().unwrap();
    assert_eq!(payment.status, PaymentStatus::Refunded);
    assert_eq!(payment.refund_id.as_deref(), Some(refunds[0].id.as_str()));
}

#[tokio::test]
async fn a_rejection_naming_an_unknown_payment_goes_to_the_dead_letter_queue() {
    let world = world().await;
    let outcome = on_order_payment_rejected(
        &world.stripe_consumer_context(),
        order_event(
            "OrderPaymentRejected",
            json!({"paymentId": "pi_unknown", "orderId": "o-1"}),
        ),
    )
    .await;
    assert!(
        matches!(outcome, Err(ConsumerError::Permanent(_))),
        "{outcome:?}"
    );
    assert!(world.stripe.refunds_for("pi_unknown").is_empty());
}

fn rejected(order_id: &str, intent: &str) -> BusEvent<payments::consumers::RejectedPayment> {
    order_event(
        "OrderPaymentRejected",
        json!({"paymentId": intent, "orderId": order_id}),
    )
}

#[tokio::test]
async fn a_refund_waits_for_a_slow_stripe() {
    // GIVEN a rejected payment, and Stripe taking 8 s to answer
    let world = world().await;
    let (order, intent) = world.paid_order(3100).await;
    let order_id = order.id;
    world.stripe.set_faults(Faults {
        latency: Duration::from_secs(8),
        ..Faults::default()
    });

    // WHEN the refund consumer handles it
    on_order_payment_rejected(
        &world.stripe_consumer_context(),
        rejected(&order_id, &intent),
    )
    .await
    .unwrap();

    // THEN the refund is made and recorded
    assert_eq!(world.stripe.refunds_for(&intent).len(), 1);
    let payment = world.payments.payment(&intent).await.unwrap().unwrap();
    assert_eq!(payment.status, PaymentStatus::Refunded);
}

#[tokio::test]
async fn a_refund_while_stripe_fails_comes_back_after_the_visibility_timeout() {
    // GIVEN a rejected payment, and Stripe answering 500 to everything
    let world = world().await;
    let (order, intent) = world.paid_order(3100).await;
    let order_id = order.id;
    world.stripe.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });

    // WHEN the refund consumer handles it
    let outcome = on_order_payment_rejected(
        &world.stripe_consumer_context(),
        rejected(&order_id, &intent),
    )
    .await;

    // THEN it is left for SQS to deliver again once the queue's visibility timeout ends (not
    // soon: an outage of minutes must not use up the receives before the DLQ)
    assert!(
        matches!(outcome, Err(ConsumerError::Unavailable(_))),
        "{outcome:?}"
    );
    assert!(world.stripe.refunds_for(&intent).is_empty());
    // AND the next delivery, with Stripe back, refunds
    world.stripe.set_faults(Faults::default());
    on_order_payment_rejected(
        &world.stripe_consumer_context(),
        rejected(&order_id, &intent),
    )
    .await
    .unwrap();
    assert_eq!(world.stripe.refunds_for(&intent).len(), 1);
}

#[test]
fn the_functions_that_call_stripe_have_time_for_every_call_of_a_batch_at_stripe_s_slowest() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let template = local::template::Template::load(root.join("template.yaml")).unwrap();
    // the refund, and cancelling a cancelled order's PaymentIntent
    for binary in [
        "payments-on-order-payment-rejected",
        "payments-on-order-cancelled",
    ] {
        let function = template
            .functions
            .iter()
            .find(|f| f.binary == binary)
            .unwrap();
        let batch_size = function.sqs_sources[0].batch_size as u64;
        let stripe = payments::stripe_api::IN_THE_BACKGROUND.as_secs();
        // each call: Stripe at its slowest, and a few seconds for the table
        assert!(
            function.timeout_seconds >= batch_size * (stripe + 5),
            "{binary}: Timeout {} s for {batch_size} Stripe calls of up to {stripe} s each",
            function.timeout_seconds
        );
    }
    // the webhook refunds what cannot pay its order while Stripe waits for the answer
    let webhook = template
        .functions
        .iter()
        .find(|f| f.binary == "stripe-webhook")
        .unwrap();
    assert!(
        webhook.timeout_seconds >= payments::stripe_api::WHILE_A_BUYER_WAITS.as_secs() + 3,
        "stripe-webhook must answer before its Timeout of {} s",
        webhook.timeout_seconds
    );
    let buyer_facing = template
        .functions
        .iter()
        .find(|f| f.binary == "create-payment")
        .unwrap();
    assert!(
        buyer_facing.timeout_seconds >= payments::stripe_api::WHILE_A_BUYER_WAITS.as_secs() + 3,
        "create-payment must answer 503 before its Timeout of {} s",
        buyer_facing.timeout_seconds
    );
}

/// An open order (version 0) of a new buyer whose PaymentIntent has been started: (order id,
/// PaymentIntent id).
async fn order_being_paid(world: &World) -> (String, String) {
    let buyer = user();
    let order = world.open_order(&buyer, 2500, 600).await;
    let body = json!({ "orderId": order.id }).to_string();
    let (status, started) = outcome(
        payments::handlers::create_payment(
            &world.create_context(),
            payment_request(&body, Some(&buyer)).await,
        )
        .await,
    );
    assert_eq!(status, 201, "{started}");
    (order.id, started["id"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn a_cancelled_order_s_payment_intent_is_cancelled_so_an_open_card_form_cannot_charge_it() {
    // GIVEN an order whose buyer has the card form open
    let world = world().await;
    let (order_id, intent) = order_being_paid(&world).await;

    // WHEN OrderCancelled arrives (twice: a duplicate delivery)
    for _ in 0..2 {
        on_order_cancelled(
            &world.stripe_consumer_context(),
            order_event("OrderCancelled", order_detail(&order_id, "cancelled", 1)),
        )
        .await
        .unwrap();
    }

    // THEN the replica is cancelled, the PaymentIntent is cancelled at Stripe, and the card form
    // cannot charge it any more
    let replica = world.payments.order(&order_id).await.unwrap().unwrap();
    assert_eq!(replica.status, OrderStatus::Cancelled);
    let at_stripe = world.stripe.payment_intent(&intent).unwrap();
    assert_eq!(at_stripe.status.as_str(), "canceled");
    let refused = world
        .stripe
        .pay(&intent, "4242424242424242")
        .await
        .unwrap_err();
    assert_eq!(
        refused.error.code.as_ref().map(|code| code.as_str()),
        Some("payment_intent_unexpected_state")
    );
    assert!(world
        .stripe
        .payment_intent(&intent)
        .unwrap()
        .latest_charge
        .is_none());
}

#[tokio::test]
async fn a_payment_intent_already_charged_is_left_to_the_refund() {
    // GIVEN the card was charged a moment before the order was cancelled
    let world = world().await;
    let (order_id, intent) = order_being_paid(&world).await;
    world.stripe.pay(&intent, "4242424242424242").await.unwrap();

    // WHEN OrderCancelled arrives, THEN it is handled (Stripe cannot cancel a succeeded
    // PaymentIntent; OrderPaymentRejected refunds it) and the PaymentIntent stays succeeded
    on_order_cancelled(
        &world.stripe_consumer_context(),
        order_event("OrderCancelled", order_detail(&order_id, "cancelled", 1)),
    )
    .await
    .unwrap();
    assert_eq!(
        world
            .stripe
            .payment_intent(&intent)
            .unwrap()
            .status
            .as_str(),
        "succeeded"
    );
}

#[tokio::test]
async fn while_stripe_fails_the_cancellation_waits_for_the_visibility_timeout_and_then_happens() {
    let world = world().await;
    let (order_id, intent) = order_being_paid(&world).await;
    world.stripe.set_faults(Faults {
        error_rate: 1.0,
        ..Default::default()
    });
    let event = || order_event("OrderCancelled", order_detail(&order_id, "cancelled", 1));
    let failed = on_order_cancelled(&world.stripe_consumer_context(), event()).await;
    assert!(
        matches!(failed, Err(ConsumerError::Unavailable(_))),
        "{failed:?}"
    );
    // the replica moved on already; the message comes back and cancels the PaymentIntent then
    world.stripe.set_faults(Faults::default());
    on_order_cancelled(&world.stripe_consumer_context(), event())
        .await
        .unwrap();
    assert_eq!(
        world
            .stripe
            .payment_intent(&intent)
            .unwrap()
            .status
            .as_str(),
        "canceled"
    );
}
