//! POST /api/payments: who may pay for what, and one PaymentIntent per order.

mod support;

use payments::handlers::create_payment;
use payments::model::OrderStatus;
use serde_json::json;
use std::time::{Duration, Instant};
use stripe_standin::Faults;
use support::*;
use ticketing::auth::SessionUser;

#[tokio::test]
async fn the_buyer_gets_the_client_secret_of_one_payment_intent_per_order() {
    // GIVEN an open order of 25.00
    let world = world().await;
    let ctx = world.create_context();
    let buyer = user();
    let order = world.open_order(&buyer, 2500, 600).await;
    let body = json!({ "orderId": order.id }).to_string();

    // WHEN the buyer starts paying, twice
    let (status, first) =
        outcome(create_payment(&ctx, payment_request(&body, Some(&buyer)).await).await);
    let (again_status, again) =
        outcome(create_payment(&ctx, payment_request(&body, Some(&buyer)).await).await);

    // THEN both answers are 201 with the same PaymentIntent and its client secret
    assert_eq!((status, again_status), (201, 201), "{first}");
    let intent_id = first["id"].as_str().unwrap();
    assert_eq!(again["id"], first["id"]);
    assert!(first["clientSecret"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{intent_id}_secret_")));
    assert_eq!(first["orderId"], order.id.as_str());
    assert_eq!(first["amount"], 2500);
    assert_eq!(first["currency"], "usd");
    assert_eq!(first["publishableKey"], "pk_test_local");
    assert!(first["stripeJsUrl"].as_str().unwrap().ends_with("/v3/"));
    // AND Stripe holds one PaymentIntent for the price, tagged with the order
    let intent = world.stripe.payment_intent(intent_id).unwrap();
    assert_eq!(intent.amount, 2500);
    assert_eq!(intent.metadata["orderId"], order.id);
}

#[tokio::test]
async fn only_the_signed_in_buyer_of_an_open_order_may_pay() {
    let world = world().await;
    let ctx = world.create_context();
    let buyer = user();
    let order = world.open_order(&buyer, 2500, 600).await;
    let body = json!({ "orderId": order.id }).to_string();

    // signed out
    let (status, _) = outcome(create_payment(&ctx, payment_request(&body, None).await).await);
    assert_eq!(status, 401);
    // someone else's order looks like no order at all
    let (status, _) =
        outcome(create_payment(&ctx, payment_request(&body, Some(&user())).await).await);
    assert_eq!(status, 404);
    // an unknown order
    let unknown = json!({ "orderId": uuid::Uuid::new_v4().to_string() }).to_string();
    let (status, _) =
        outcome(create_payment(&ctx, payment_request(&unknown, Some(&buyer)).await).await);
    assert_eq!(status, 404);
    // no Stripe call was made for any of them
    assert!(world.stripe.events().is_empty());
}

#[tokio::test]
async fn a_malformed_request_is_a_400_naming_the_field() {
    let world = world().await;
    let ctx = world.create_context();
    let buyer = user();
    for body in [
        "",
        "{nope",
        "{}",
        r#"{"orderId": 5}"#,
        r#"{"orderId": "not-a-uuid"}"#,
    ] {
        let (status, answer) =
            outcome(create_payment(&ctx, payment_request(body, Some(&buyer)).await).await);
        assert_eq!(status, 400, "{body}: {answer}");
        assert!(answer["errors"][0]["message"].is_string(), "{body}");
    }
    let (_, answer) =
        outcome(create_payment(&ctx, payment_request("{}", Some(&buyer)).await).await);
    assert_eq!(answer["errors"][0]["field"], "orderId");
}

#[tokio::test]
async fn cancelled_complete_expired_and_under_minimum_orders_cannot_be_paid() {
    let world = world().await;
    let ctx = world.create_context();
    let buyer = user();
    let cancelled = world.open_order(&buyer, 2500, 600).await;
    assert!(world
        .payments
        .apply_order_version(&cancelled.id, OrderStatus::Cancelled, 1)
        .await
        .unwrap());
    let complete = world.open_order(&buyer, 2500, 600).await;
    assert!(world
        .payments
        .apply_order_version(&complete.id, OrderStatus::Complete, 1)
        .await
        .unwrap());
    // past expiresAt, even though the expiry has not been processed yet
    let expired = world.open_order(&buyer, 2500, -1).await;
    // listed before prices started at 50 cents: Stripe would refuse the PaymentIntent
    let under_minimum = world.open_order(&buyer, 49, 600).await;

    for (order, message) in [
        (&cancelled, "This order was cancelled"),
        (&complete, "This order is already paid"),
        (&expired, "The payment window for this order has closed"),
        (
            &under_minimum,
            "Card payments start at $0.50; this order is below that",
        ),
    ] {
        let body = json!({ "orderId": order.id }).to_string();
        let (status, answer) =
            outcome(create_payment(&ctx, payment_request(&body, Some(&buyer)).await).await);
        assert_eq!(status, 409, "{message}");
        assert_eq!(answer["errors"][0]["message"], message);
    }
    assert!(world.stripe.events().is_empty());
}

#[tokio::test]
async fn an_order_whose_payment_is_stored_is_paid_before_its_replica_says_so() {
    // GIVEN an order paid with 4242 and its webhook stored, while OrderCompleted has not reached
    // the replica yet (it still says `created`)
    let world = world().await;
    let ctx = world.create_context();
    let (order, intent) = world.paid_order(2500).await;
    let stored = world.payments.order(&order.id).await.unwrap().unwrap();
    assert_eq!(stored.status, OrderStatus::Created);
    let buyer = SessionUser {
        id: order.user_id.clone(),
        email: "buyer@example.com".into(),
    };
    let body = json!({ "orderId": order.id }).to_string();

    // WHEN the buyer asks to pay again, THEN it is a 409 saying it is paid, with its code
    let (status, answer) =
        outcome(create_payment(&ctx, payment_request(&body, Some(&buyer)).await).await);
    assert_eq!(status, 409, "{answer}");
    assert_eq!(
        answer,
        json!({"errors": [{"message": "This order is already paid", "code": "order_paid"}]})
    );
    // and the same answer once the replica knows
    assert!(world
        .payments
        .apply_order_version(&order.id, OrderStatus::Complete, 1)
        .await
        .unwrap());
    let (status, again) =
        outcome(create_payment(&ctx, payment_request(&body, Some(&buyer)).await).await);
    assert_eq!((status, &again), (409, &answer));

    // GIVEN a payment refunded because its order was cancelled before it arrived
    let (order, intent_refunded) = world.paid_order(2500).await;
    assert!(world
        .payments
        .record_refund(&intent_refunded, "re_1", "2026-12-07T12:00:00.000Z")
        .await
        .unwrap());
    let buyer = SessionUser {
        id: order.user_id.clone(),
        email: "buyer@example.com".into(),
    };
    let body = json!({ "orderId": order.id }).to_string();
    // THEN that order cannot be paid either
    let (status, answer) =
        outcome(create_payment(&ctx, payment_request(&body, Some(&buyer)).await).await);
    assert_eq!(status, 409, "{answer}");
    assert_eq!(
        answer["errors"][0]["message"],
        "This order was cancelled, and its payment has been refunded"
    );
    assert!(answer["errors"][0].get("code").is_none());
    assert_ne!(intent, intent_refunded);
}

#[tokio::test]
async fn while_stripe_fails_the_buyer_gets_a_503_to_try_again_and_then_pays() {
    // GIVEN an open order, and Stripe answering every request with a 500
    let (world, buyer, body) = open_order_with_stripe(Faults {
        error_rate: 1.0,
        ..Faults::default()
    })
    .await;
    let ctx = world.create_context();

    // WHEN the buyer starts paying
    let response = create_payment(&ctx, payment_request(&body, Some(&buyer)).await).await;

    // THEN the answer is a 503 that says what happened and when to try again
    let response = response.unwrap_or_else(|error| ticketing::http::error_response(&error));
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "5");
    let errors = body_json(&response)["errors"].clone();
    let message = errors[0]["message"].as_str().unwrap();
    assert!(message.contains("try again"), "{message}");
    assert!(
        !message.to_lowercase().contains("stripe"),
        "no internals: {message}"
    );
    // AND once Stripe is back, the same request starts the payment
    world.stripe.set_faults(Faults::default());
    let (status, started) =
        outcome(create_payment(&ctx, payment_request(&body, Some(&buyer)).await).await);
    assert_eq!(status, 201, "{started}");
}

#[tokio::test]
async fn a_stripe_slower_than_a_buyer_waits_is_a_503_well_before_the_function_times_out() {
    // GIVEN Stripe taking longer than the buyer is made to wait
    let (world, buyer, body) = open_order_with_stripe(Faults {
        latency: Duration::from_secs(8),
        ..Faults::default()
    })
    .await;
    let ctx = world.create_context();

    // WHEN the buyer starts paying
    let started = Instant::now();
    let (status, answer) =
        outcome(create_payment(&ctx, payment_request(&body, Some(&buyer)).await).await);

    // THEN a 503 comes once the buyer's wait is over, inside the function's 10 s timeout
    assert_eq!(status, 503, "{answer}");
    let waited = started.elapsed();
    assert!(
        waited >= payments::stripe_api::WHILE_A_BUYER_WAITS && waited < Duration::from_secs(8),
        "answered after {waited:?}"
    );
}

/// A new buyer's open order of 25.00, the body that starts paying for it, and Stripe as slow or
/// unreliable as `faults`.
async fn open_order_with_stripe(faults: Faults) -> (World, ticketing::auth::SessionUser, String) {
    let world = world().await;
    let buyer = user();
    let order = world.open_order(&buyer, 2500, 600).await;
    world.stripe.set_faults(faults);
    let body = json!({ "orderId": order.id }).to_string();
    (world, buyer, body)
}
