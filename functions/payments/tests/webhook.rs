//! POST /api/webhooks/stripe: only Stripe, only fresh, each event once.

mod support;

use payments::handlers::create_payment;
use payments::model::PaymentStatus;
use payments::webhook::stripe_webhook;
use serde_json::json;
use support::*;

/// An order paid in the stand-in with `card`: (PaymentIntent id, order id).
async fn paid_order(world: &World, card: &str) -> (String, String) {
    let buyer = user();
    let order = world.open_order(&buyer, 4200, 600).await;
    let body = json!({ "orderId": order.id }).to_string();
    let (status, started) = outcome(
        create_payment(
            &world.create_context(),
            payment_request(&body, Some(&buyer)).await,
        )
        .await,
    );
    assert_eq!(status, 201, "{started}");
    let intent = started["id"].as_str().unwrap().to_string();
    let _ = world.stripe.pay(&intent, card).await;
    (intent, order.id)
}

async fn deliver(
    world: &World,
    payload: &str,
    signature: Option<&str>,
) -> (u16, serde_json::Value) {
    outcome(
        stripe_webhook(
            &world.webhook_context(),
            webhook_request(payload, signature),
        )
        .await,
    )
}

#[tokio::test]
async fn a_succeeded_payment_is_stored_once_however_often_stripe_sends_it() {
    // GIVEN a PaymentIntent paid with 4242 4242 4242 4242
    let world = world().await;
    let (intent, order_id) = paid_order(&world, "4242424242424242").await;
    let (_, payload) = world.event_payload("payment_intent.succeeded", &intent);

    // WHEN Stripe delivers payment_intent.succeeded, and then again (a retry or a replay)
    let first = deliver(
        &world,
        &payload,
        Some(&signature(&payload, WEBHOOK_SECRET, None)),
    )
    .await;
    let again = deliver(
        &world,
        &payload,
        Some(&signature(&payload, WEBHOOK_SECRET, None)),
    )
    .await;

    // THEN the payment is stored once; the repeat is acknowledged and changes nothing
    assert_eq!(
        first,
        (200, json!({"received": true, "outcome": "applied"}))
    );
    assert_eq!(
        again,
        (200, json!({"received": true, "outcome": "duplicate"}))
    );
    let payment = world.payments.payment(&intent).await.unwrap().unwrap();
    assert_eq!(payment.order_id, order_id);
    assert_eq!(payment.amount.0, 4200);
    assert_eq!(payment.currency, "usd");
    assert_eq!(payment.status, PaymentStatus::Succeeded);
}

#[tokio::test]
async fn forged_stale_and_unsigned_webhooks_are_refused_with_400() {
    let world = world().await;
    let (intent, _) = paid_order(&world, "4242424242424242").await;
    let (_, payload) = world.event_payload("payment_intent.succeeded", &intent);
    let now = time::OffsetDateTime::now_utc().unix_timestamp();

    let cases = [
        ("no signature", payload.clone(), None),
        (
            "signed with another secret",
            payload.clone(),
            Some(signature(&payload, "whsec_someone_else", None)),
        ),
        (
            "body changed after signing",
            payload.replace("4200", "1"),
            Some(signature(&payload, WEBHOOK_SECRET, None)),
        ),
        (
            "older than 300 s",
            payload.clone(),
            Some(signature(&payload, WEBHOOK_SECRET, Some(now - 301))),
        ),
        (
            "not a signature header",
            payload.clone(),
            Some("t=abc,v1=zz".to_string()),
        ),
    ];
    for (why, body, header) in cases {
        let (status, answer) = deliver(&world, &body, header.as_deref()).await;
        assert_eq!(status, 400, "{why}: {answer}");
        assert_eq!(answer["errors"][0]["field"], "Stripe-Signature", "{why}");
    }
    // AND nothing was stored
    assert_eq!(world.payments.payment(&intent).await.unwrap(), None);
    // while the same event, properly signed 299 s ago, is accepted
    let (status, _) = deliver(
        &world,
        &payload,
        Some(&signature(&payload, WEBHOOK_SECRET, Some(now - 299))),
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_declined_card_is_recorded_and_the_order_stays_payable() {
    // GIVEN a PaymentIntent declined for insufficient funds
    let world = world().await;
    let (intent, order_id) = paid_order(&world, "4000000000009995").await;
    let (event_id, payload) = world.event_payload("payment_intent.payment_failed", &intent);

    // WHEN Stripe reports the failure, twice
    let first = deliver(
        &world,
        &payload,
        Some(&signature(&payload, WEBHOOK_SECRET, None)),
    )
    .await;
    let again = deliver(
        &world,
        &payload,
        Some(&signature(&payload, WEBHOOK_SECRET, None)),
    )
    .await;

    // THEN the attempt is recorded once, with Stripe's reason, and there is no payment
    assert_eq!(first.1["outcome"], "applied");
    assert_eq!(again.1["outcome"], "duplicate");
    let failure = world.payments.failure(&event_id).await.unwrap().unwrap();
    assert_eq!(failure.order_id, order_id);
    assert_eq!(failure.decline_code.as_deref(), Some("insufficient_funds"));
    assert_eq!(failure.code.as_deref(), Some("card_declined"));
    assert_eq!(world.payments.payment(&intent).await.unwrap(), None);
    // AND the order can still be paid, with the same PaymentIntent
    let order = world.payments.order(&order_id).await.unwrap().unwrap();
    assert_eq!(order.status, payments::model::OrderStatus::Created);
    world.stripe.pay(&intent, "4242424242424242").await.unwrap();
}

#[tokio::test]
async fn event_types_we_do_not_use_are_acknowledged_and_ignored() {
    let world = world().await;
    let (intent, _) = paid_order(&world, "4242424242424242").await;
    let charge = world
        .stripe
        .payment_intent(&intent)
        .unwrap()
        .latest_charge
        .unwrap()
        .id()
        .to_string();
    let (_, payload) = world.event_payload("charge.succeeded", &charge);
    let answer = deliver(
        &world,
        &payload,
        Some(&signature(&payload, WEBHOOK_SECRET, None)),
    )
    .await;
    assert_eq!(
        answer,
        (200, json!({"received": true, "outcome": "ignored"}))
    );
    assert_eq!(world.payments.payment(&intent).await.unwrap(), None);
}
