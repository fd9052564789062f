//! The sample events in events/ (also for `sam local invoke -e`) drive the orders functions.

mod support;

use aws_lambda_events::sqs::SqsEvent;
use lambda_http::request::from_str;
use lambda_http::RequestExt;
use orders::consumers::{expire_order, on_payment_created, on_ticket_created, on_ticket_updated};
use support::*;

use ticketing::stream::StreamRecord;

const TICKET: &str = "1b4e28ba-2fa1-11d2-883f-0016d3cca427";

fn text(name: &str) -> String {
    let path = format!("{}/../../events/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_http_events_name_their_routes() {
    for (name, method, id) in [
        ("list-orders.json", "GET", None),
        ("create-order.json", "POST", None),
        (
            "get-order.json",
            "GET",
            Some("0f8fad5b-d9cb-469f-a165-70867728950e"),
        ),
        (
            "cancel-order.json",
            "DELETE",
            Some("0f8fad5b-d9cb-469f-a165-70867728950e"),
        ),
    ] {
        let request = from_str(&text(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(request.method().as_str(), method, "{name}");
        assert_eq!(request.path_parameters().first("id"), id, "{name}");
    }
    let create = from_str(&text("create-order.json")).unwrap();
    assert!(create.headers().contains_key("idempotency-key"));
}

#[test]
fn the_stream_event_becomes_order_created() {
    let event: serde_json::Value =
        serde_json::from_str(&text("publish-order-events.json")).unwrap();
    let record = StreamRecord::from_json(&event["Records"][0]).unwrap();
    let published = orders::events::order_event(&record).unwrap().unwrap();
    assert_eq!(published.detail_type, "OrderCreated");
    assert_eq!(published.detail["ticket"]["price"], 2500);
    assert_eq!(published.detail["ticket"]["reservation"], 1);
}

#[tokio::test]
async fn the_queue_events_drive_the_consumers_through_the_sqs_driver() {
    // GIVEN a fresh table, the sample TicketCreated and TicketUpdated build the replica
    let ctx = fresh_context(0).await;
    let batch = |name: &str| -> SqsEvent { serde_json::from_str(&text(name)).unwrap() };
    assert!(ticketing::consumer::handle_batch(
        &ctx.orders,
        batch("on-ticket-created.json"),
        &on_ticket_created
    )
    .await
    .batch_item_failures
    .is_empty());
    assert!(ticketing::consumer::handle_batch(
        &ctx.orders,
        batch("on-ticket-updated.json"),
        &on_ticket_updated
    )
    .await
    .batch_item_failures
    .is_empty());
    assert_eq!(
        ctx.orders.ticket(TICKET).await.unwrap().unwrap().price.0,
        3050
    );

    // WHEN the sample order ids are replaced by a real order, expiry and payment settle it
    let (_, order) = reserve(&ctx, &user(), TICKET).await;
    let id = order["id"].as_str().unwrap();
    let with_order = |name: &str| -> SqsEvent {
        serde_json::from_str(&text(name).replace("0f8fad5b-d9cb-469f-a165-70867728950e", id))
            .unwrap()
    };
    assert!(ticketing::consumer::handle_batch(
        &ctx.orders,
        with_order("expire-order.json"),
        &expire_order
    )
    .await
    .batch_item_failures
    .is_empty());
    let settle = settle_context(&ctx);
    assert!(ticketing::consumer::handle_batch(
        &settle,
        with_order("on-payment-created.json"),
        &on_payment_created
    )
    .await
    .batch_item_failures
    .is_empty());
    // THEN the order expired first, so the payment is recorded as rejected
    assert_eq!(
        ctx.orders.order(id).await.unwrap().unwrap().status,
        orders::order::Status::Cancelled
    );
    assert_eq!(
        ctx.orders
            .rejected_payment("pi_3QexampleA1b2C3d4")
            .await
            .unwrap()
            .as_deref(),
        Some(id)
    );
}
