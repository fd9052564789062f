//! Webhooks: delivered to a local receiver, verified with async-stripe-webhook exactly as a
//! production handler verifies them.

mod common;

use std::time::Duration;

use common::*;
use stripe_core::payment_intent::CreatePaymentIntent;
use stripe_core::refund::CreateRefund;
use stripe_shared::PaymentIntentStatus;
use stripe_standin::RetryPolicy;
use stripe_types::Currency;
use stripe_webhook::{EventObject, Webhook};

fn verify(received: &Received, secret: &str) -> stripe_webhook::Event {
    assert_eq!(received.content_type, "application/json; charset=utf-8");
    Webhook::construct_event(&received.body, &received.signature, secret)
        .unwrap_or_else(|e| panic!("does not verify: {e:?}\n{}", received.body))
}

#[tokio::test]
async fn payment_events_verify_and_parse_with_async_stripe_webhook() {
    let standin = start().await;
    let receiver = Receiver::start().await;
    let secret = standin.add_webhook_endpoint(&receiver.url);
    assert!(secret.starts_with("whsec_"));
    let client = client(&standin);

    let intent = CreatePaymentIntent::new(1500, Currency::EUR)
        .send(&client)
        .await
        .unwrap();
    let id = intent.id.to_string();
    standin.pay(&id, "4242424242424242").await.unwrap();

    let event = verify(
        &receiver.wait_for("payment_intent.succeeded", &id).await,
        &secret,
    );
    assert!(event.id.as_str().starts_with("evt_"));
    assert!(!event.livemode);
    assert_eq!(event.api_version, Some(stripe_shared::version::VERSION));
    let request = event.request.unwrap();
    assert!(request.id.unwrap().starts_with("req_"));
    let EventObject::PaymentIntentSucceeded(paid) = event.data.object else {
        panic!("not a PaymentIntentSucceeded")
    };
    assert_eq!(paid.id.as_str(), id);
    assert_eq!(paid.status, PaymentIntentStatus::Succeeded);
    assert_eq!(paid.amount_received, 1500);

    let created = verify(
        &receiver.wait_for("payment_intent.created", &id).await,
        &secret,
    );
    assert!(
        matches!(created.data.object, EventObject::PaymentIntentCreated(pi) if pi.status == PaymentIntentStatus::RequiresPaymentMethod)
    );
    let charge_id = paid.latest_charge.unwrap().id().to_string();
    let charge = verify(
        &receiver.wait_for("charge.succeeded", &charge_id).await,
        &secret,
    );
    assert!(matches!(charge.data.object, EventObject::ChargeSucceeded(ch) if ch.paid));

    // Refund: charge.refunded with the charge as it is after the refund.
    CreateRefund::new()
        .payment_intent(&id)
        .send(&client)
        .await
        .unwrap();
    let refunded = verify(
        &receiver.wait_for("charge.refunded", &charge_id).await,
        &secret,
    );
    let EventObject::ChargeRefunded(charge) = refunded.data.object else {
        panic!("not a ChargeRefunded")
    };
    assert!(charge.refunded);
    assert_eq!(charge.amount_refunded, 1500);
    let refund = standin.refunds_for(&id).remove(0);
    let created = verify(
        &receiver
            .wait_for("refund.created", refund.id.as_str())
            .await,
        &secret,
    );
    assert!(matches!(created.data.object, EventObject::RefundCreated(r) if r.amount == 1500));

    // Every event delivered once, in order of creation.
    let events = eventually("all events delivered", || {
        let events = standin.events();
        events.iter().all(|e| e.delivered()).then_some(events)
    })
    .await;
    let types: Vec<_> = events.iter().map(|e| e.type_.as_str()).collect();
    assert_eq!(
        types,
        [
            "payment_intent.created",
            "charge.succeeded",
            "payment_intent.succeeded",
            "charge.refunded",
            "refund.created"
        ]
    );
    assert!(events.iter().all(|e| e.attempts() == 1));
}

#[tokio::test]
async fn a_decline_sends_payment_failed() {
    let standin = start().await;
    let receiver = Receiver::start().await;
    let secret = standin.add_webhook_endpoint(&receiver.url);
    let intent = create_intent(&standin, 1500).await;
    let id = intent["id"].as_str().unwrap();
    standin.pay(id, "4000000000009995").await.unwrap_err();

    let event = verify(
        &receiver.wait_for("payment_intent.payment_failed", id).await,
        &secret,
    );
    let EventObject::PaymentIntentPaymentFailed(failed) = event.data.object else {
        panic!("not a PaymentIntentPaymentFailed")
    };
    assert_eq!(failed.status, PaymentIntentStatus::RequiresPaymentMethod);
    let error = failed.last_payment_error.unwrap();
    assert_eq!(error.decline_code.as_deref(), Some("insufficient_funds"));
    assert_eq!(
        error.message.as_deref(),
        Some("Your card has insufficient funds.")
    );
}

#[tokio::test]
async fn failed_deliveries_are_retried_with_fresh_signatures() {
    // Long enough apart that the third attempt is signed in a later second than the first.
    let standin = start_with_retry(RetryPolicy {
        attempts: 5,
        initial_delay: Duration::from_millis(600),
        max_delay: Duration::from_secs(2),
    })
    .await;
    let receiver = Receiver::start().await;
    let secret = standin.add_webhook_endpoint(&receiver.url);
    receiver.answer_with(&[500, 500]);
    let intent = create_intent(&standin, 1500).await;
    let id = intent["id"].as_str().unwrap();

    let accepted = receiver.wait_for("payment_intent.created", id).await;
    let attempts = receiver.deliveries_of("payment_intent.created", id);
    assert_eq!(
        attempts.iter().map(|r| r.answered).collect::<Vec<_>>(),
        [500, 500, 200]
    );
    for attempt in &attempts {
        verify(attempt, &secret);
        assert_eq!(attempt.body, accepted.body, "the same event each time");
    }
    let timestamp = |r: &Received| r.signature.split(',').next().unwrap().to_string();
    assert_ne!(
        timestamp(&attempts[0]),
        timestamp(&attempts[2]),
        "re-signed at each attempt"
    );

    let record = eventually("the delivery recorded", || {
        standin
            .events()
            .into_iter()
            .find(|e| e.object_id == id && e.delivered())
    })
    .await;
    assert_eq!(record.attempts(), 3);
    assert_eq!(record.deliveries[0].last_status, Some(200));
}

#[tokio::test]
async fn deliveries_give_up_after_the_last_attempt_and_resend_redelivers() {
    let standin = start().await; // 4 attempts
    let receiver = Receiver::start().await;
    let secret = standin.add_webhook_endpoint(&receiver.url);
    receiver.answer_with(&[503, 503, 503, 503]);
    let intent = create_intent(&standin, 1500).await;
    let id = intent["id"].as_str().unwrap();
    let record = eventually("the retries to end", || {
        standin
            .events()
            .into_iter()
            .find(|e| e.object_id == id && e.deliveries[0].gave_up)
    })
    .await;
    assert!(!record.delivered());
    assert_eq!(record.attempts(), 4);

    // As the dashboard's "Resend": the same event, signed anew.
    within("resend", standin.resend_event(&record.id))
        .await
        .unwrap();
    let delivered = receiver.wait_for("payment_intent.created", id).await;
    assert_eq!(verify(&delivered, &secret).id.as_str(), record.id);
    let after = standin
        .events()
        .into_iter()
        .find(|e| e.id == record.id)
        .unwrap();
    assert!(after.delivered());
    assert_eq!(after.attempts(), 5);
}

#[tokio::test]
async fn unreachable_endpoints_count_as_failed_attempts() {
    let standin = start().await;
    // A port with nothing listening.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", closed.local_addr().unwrap());
    drop(closed);
    standin.add_webhook_endpoint(&url);
    create_intent(&standin, 1500).await;
    let record = eventually("the retries to end", || {
        standin
            .events()
            .into_iter()
            .find(|e| e.deliveries[0].gave_up)
    })
    .await;
    assert_eq!(record.attempts(), 4);
    assert!(record.deliveries[0].last_error.is_some());
}

#[tokio::test]
async fn endpoints_created_over_http_get_only_their_events() {
    let standin = start().await;
    let receiver = Receiver::start().await;
    let body = format!(
        "url={}&enabled_events[]=payment_intent.succeeded",
        receiver.url.replace(':', "%3A").replace('/', "%2F")
    );
    let raw = post_form(&standin, "/v1/webhook_endpoints", SECRET_KEY, &body, &[]).await;
    assert_eq!(raw.status, http::StatusCode::OK, "{}", raw.json());
    let endpoint = raw.json();
    assert_eq!(endpoint["object"], "webhook_endpoint");
    assert_eq!(endpoint["url"], receiver.url.as_str());
    assert_eq!(endpoint["enabled_events"][0], "payment_intent.succeeded");
    let secret = endpoint["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));

    let intent = create_intent(&standin, 1500).await;
    let id = intent["id"].as_str().unwrap();
    standin.pay(id, "4242424242424242").await.unwrap();
    verify(
        &receiver.wait_for("payment_intent.succeeded", id).await,
        &secret,
    );
    let types: Vec<String> = receiver
        .received()
        .iter()
        .map(|r| serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["type"].to_string())
        .collect();
    assert_eq!(types, ["\"payment_intent.succeeded\""]);

    let unknown = post_form(
        &standin,
        "/v1/webhook_endpoints",
        SECRET_KEY,
        "url=http%3A%2F%2F127.0.0.1%3A9%2Fx&enabled_events[]=payment_intent.exploded",
        &[],
    )
    .await;
    assert_eq!(unknown.status, http::StatusCode::BAD_REQUEST);

    // The inspection route shows the event and its delivery.
    let inspected = get(&standin, "/_standin/events", SECRET_KEY).await.json();
    let succeeded = inspected
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "payment_intent.succeeded")
        .unwrap();
    assert_eq!(succeeded["object_id"], id);
    assert_eq!(succeeded["delivered"], true);
    assert_eq!(succeeded["deliveries"][0]["last_status"], 200);

    // And the API serves the event itself.
    let event = get(
        &standin,
        &format!("/v1/events/{}", succeeded["id"].as_str().unwrap()),
        SECRET_KEY,
    )
    .await;
    assert_eq!(event.json()["type"], "payment_intent.succeeded");
}
