//! The sample events in events/ (also for `sam local invoke -e`) drive the payments functions.

mod support;

use aws_lambda_events::sqs::SqsEvent;
use lambda_http::request::from_str;
use lambda_http::Body;
use payments::consumers::{on_order_changed, on_order_created, on_order_payment_rejected};
use payments::handlers::create_payment;
use payments::model::{OrderStatus, PaymentStatus};
use payments::webhook::stripe_webhook;
use support::*;
use ticketing::stream::StreamRecord;

const ORDER: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
const INTENT: &str = "pi_3QexampleA1b2C3d4";
/// The secret the sample webhook is signed with (a sample, not a real secret).
const SAMPLE_SECRET: &str = "whsec_sample_events_only";

fn text(name: &str) -> String {
    let path = format!("{}/../../events/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn raw_body(request: &lambda_http::Request) -> String {
    match request.body() {
        Body::Text(text) => text.clone(),
        Body::Binary(bytes) => String::from_utf8(bytes.clone()).unwrap(),
        Body::Empty => String::new(),
        _ => panic!("unexpected body"),
    }
}

#[tokio::test]
async fn the_sample_webhook_is_signed_and_base64_encoded_as_api_gateway_delivers_it() {
    let world = world().await;
    let sample = from_str(&text("stripe-webhook.json")).unwrap();
    let payload = raw_body(&sample);
    assert!(payload.contains("\"payment_intent.succeeded\""));
    // its own signature is Stripe's, by the sample secret, and by now too old
    let ctx = payments::WebhookContext {
        signing_secret: ticketing::secrets::Secret::known("sample secret", SAMPLE_SECRET),
        ..world.webhook_context()
    };
    let (status, answer) =
        outcome(stripe_webhook(&ctx, from_str(&text("stripe-webhook.json")).unwrap()).await);
    assert_eq!(status, 400);
    assert_eq!(
        answer["errors"][0]["message"],
        "The signature timestamp is outside the 300 s tolerance"
    );
    // signed afresh, the decoded body is applied: the payment of the sample order (whose buyer
    // started paying with the sample's PaymentIntent) is stored
    let order = payments::model::OrderReplica {
        id: ORDER.into(),
        user_id: user().id,
        status: payments::model::OrderStatus::Created,
        version: 0,
        price: ticketing::money::Cents(2500),
        ticket_title: "Sample concert".into(),
        expires_at: "2999-01-01T00:00:00.000Z".into(),
        payment_intent_id: Some(INTENT.into()),
    };
    assert!(world.payments.insert_order(&order).await.unwrap());
    let (status, answer) = outcome(
        stripe_webhook(
            &world.webhook_context(),
            webhook_request(&payload, Some(&signature(&payload, WEBHOOK_SECRET, None))),
        )
        .await,
    );
    assert_eq!(
        (status, &answer["outcome"]),
        (200, &serde_json::json!("applied"))
    );
    let payment = world.payments.payment(INTENT).await.unwrap().unwrap();
    assert_eq!(payment.order_id, ORDER);
    assert_eq!(payment.amount.0, 2500);
}

#[tokio::test]
async fn the_sample_payment_request_starts_a_payment_for_its_order() {
    let world = world().await;
    let buyer = user();
    let order = world.open_order(&buyer, 2500, 600).await;
    let sample = text("create-payment.json").replace(ORDER, &order.id);
    let mut request = from_str(&sample).unwrap();
    let cookie = local::testing::session_cookie(&buyer).await;
    request
        .headers_mut()
        .insert("cookie", cookie.parse().unwrap());
    let (status, answer) = outcome(create_payment(&world.create_context(), request).await);
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["orderId"], order.id.as_str());
}

#[test]
fn the_stream_event_becomes_payment_created() {
    let event: serde_json::Value =
        serde_json::from_str(&text("publish-payment-events.json")).unwrap();
    let record = StreamRecord::from_json(&event["Records"][0]).unwrap();
    let published = payments::events::payment_event(&record).unwrap().unwrap();
    assert_eq!(published.detail_type, "PaymentCreated");
    assert_eq!(published.detail["id"], INTENT);
    assert_eq!(published.detail["orderId"], ORDER);
}

#[tokio::test]
async fn the_queue_events_drive_the_consumers_through_the_sqs_driver() {
    let world = world().await;
    let order_id = uuid::Uuid::new_v4().to_string();
    let batch = |name: &str, intent: &str| -> SqsEvent {
        serde_json::from_str(&text(name).replace(ORDER, &order_id).replace(INTENT, intent)).unwrap()
    };
    let no_failures = |response: aws_lambda_events::event::sqs::SqsBatchResponse| {
        assert!(
            response.batch_item_failures.is_empty(),
            "{:?}",
            response.batch_item_failures.len()
        );
    };
    // OrderCreated then OrderCancelled build and move the replica
    no_failures(
        ticketing::consumer::handle_batch(
            &world.payments,
            batch("payments-on-order-created.json", INTENT),
            &on_order_created,
        )
        .await,
    );
    no_failures(
        ticketing::consumer::handle_batch(
            &world.payments,
            batch("payments-on-order-cancelled.json", INTENT),
            &on_order_changed,
        )
        .await,
    );
    assert_eq!(
        world
            .payments
            .order(&order_id)
            .await
            .unwrap()
            .unwrap()
            .status,
        OrderStatus::Cancelled
    );
    // OrderCompleted for a version already held is a duplicate, acknowledged
    no_failures(
        ticketing::consumer::handle_batch(
            &world.payments,
            batch("payments-on-order-completed.json", INTENT),
            &on_order_changed,
        )
        .await,
    );

    // OrderPaymentRejected refunds a real payment in the stand-in
    let (_, intent) = world.paid_order(2500).await;
    no_failures(
        ticketing::consumer::handle_batch(
            &world.stripe_consumer_context(),
            batch("payments-on-order-payment-rejected.json", &intent),
            &on_order_payment_rejected,
        )
        .await,
    );
    assert_eq!(world.stripe.refunds_for(&intent).len(), 1);
    assert_eq!(
        world
            .payments
            .payment(&intent)
            .await
            .unwrap()
            .unwrap()
            .status,
        PaymentStatus::Refunded
    );
}
