//! POST /api/webhooks/stripe: only Stripe, only fresh, each event once.

mod support;

use payments::handlers::create_payment;
use payments::model::{OrderReplica, PaymentStatus};
use payments::webhook::{pays, stripe_webhook, Paid};
use serde_json::json;
use support::*;
use ticketing::money::Cents;

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

/// A PaymentIntent made on the same Stripe account outside our checkout (the dashboard, another
/// integration, a leaked key) from `form`, paid with 4242, and its succeeded event delivered.
async fn paid_elsewhere(world: &World, form: &str) -> (String, (u16, serde_json::Value)) {
    let made = world.stripe.create_payment_intent(form).unwrap();
    let intent = made["id"].as_str().unwrap().to_string();
    world.stripe.pay(&intent, "4242424242424242").await.unwrap();
    let (_, payload) = world.event_payload("payment_intent.succeeded", &intent);
    let answer = deliver(
        world,
        &payload,
        Some(&signature(&payload, WEBHOOK_SECRET, None)),
    )
    .await;
    (intent, answer)
}

#[tokio::test]
async fn a_payment_intent_that_is_not_the_orders_own_pays_nothing_and_is_refunded() {
    // GIVEN an open order whose buyer has started paying (its own PaymentIntent is recorded)
    let world = world().await;
    let buyer = user();
    let order = world.open_order(&buyer, 4200, 600).await;
    let body = json!({ "orderId": order.id }).to_string();
    let (status, _) = outcome(
        create_payment(
            &world.create_context(),
            payment_request(&body, Some(&buyer)).await,
        )
        .await,
    );
    assert_eq!(status, 201);

    // WHEN PaymentIntents made elsewhere name that order: for 50 cents, and for the full price
    for form in [
        format!("amount=50&currency=usd&metadata[orderId]={}", order.id),
        format!("amount=4200&currency=usd&metadata[orderId]={}", order.id),
    ] {
        let (intent, answer) = paid_elsewhere(&world, &form).await;

        // THEN Stripe is answered 200, no payment is stored (so no PaymentCreated, no completed
        // order), the money is refunded in full, and the PaymentIntent is kept as unmatched
        assert_eq!(
            answer,
            (200, json!({"received": true, "outcome": "unmatched"})),
            "{form}"
        );
        assert!(world.payments.payment(&intent).await.unwrap().is_none());
        let refunds = world.stripe.refunds_for(&intent);
        assert_eq!(refunds.len(), 1, "{form}");
        let kept = world.payments.unmatched(&intent).await.unwrap().unwrap();
        assert_eq!(kept.order_id, order.id);
        assert_eq!(kept.refund_id.as_deref(), Some(refunds[0].id.as_str()));
        assert_eq!(refunds[0].amount, kept.amount.0 as i64);
        assert!(
            kept.reason.contains("PaymentIntent is pi_"),
            "{}",
            kept.reason
        );

        // AND the event sent again changes nothing: still one refund
        let (_, payload) = world.event_payload("payment_intent.succeeded", &intent);
        let again = deliver(
            &world,
            &payload,
            Some(&signature(&payload, WEBHOOK_SECRET, None)),
        )
        .await;
        assert_eq!(again.0, 200);
        assert_eq!(world.stripe.refunds_for(&intent).len(), 1);
    }
}

#[tokio::test]
async fn the_orders_own_payment_intent_must_have_taken_its_price() {
    // a PaymentIntent recorded for the order, but which took something else, pays nothing
    let world = world().await;
    let order = world.open_order(&user(), 4200, 600).await;
    let own = Paid {
        intent_id: "pi_own".into(),
        amount: Cents(4200),
        currency: "usd".into(),
    };
    let started = OrderReplica {
        payment_intent_id: Some("pi_own".into()),
        ..order.clone()
    };
    assert_eq!(pays(Some(&started), &own), Ok(()));
    for other in [
        Paid {
            amount: Cents(4199),
            ..own.clone()
        },
        Paid {
            currency: "eur".into(),
            ..own.clone()
        },
        Paid {
            intent_id: "pi_other".into(),
            ..own.clone()
        },
    ] {
        assert!(pays(Some(&started), &other).is_err(), "{other:?}");
    }
    // an order nobody has started paying, or one payments does not know, is paid by nothing
    assert!(pays(Some(&order), &own).is_err());
    assert!(pays(None, &own).is_err());
}

#[tokio::test]
async fn a_payment_intent_naming_an_order_we_do_not_know_is_kept_but_not_refunded() {
    // (it may be another integration's own payment: not ours to give back)
    let world = world().await;
    let (intent, answer) = paid_elsewhere(
        &world,
        "amount=900&currency=usd&metadata[orderId]=not-ours-1",
    )
    .await;
    assert_eq!(answer.0, 200);
    assert!(world.payments.payment(&intent).await.unwrap().is_none());
    assert!(world.stripe.refunds_for(&intent).is_empty());
    let kept = world.payments.unmatched(&intent).await.unwrap().unwrap();
    assert_eq!(kept.refund_id, None);
}
