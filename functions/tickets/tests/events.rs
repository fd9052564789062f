//! The sample events in events/ (also for `sam local invoke -e`) drive the tickets functions.

mod support;

use lambda_http::request::from_str;
use lambda_http::RequestExt;
use support::*;
use ticketing::stream::StreamRecord;
use tickets::consumers::{on_order_cancelled, on_order_created};

fn text(name: &str) -> String {
    let path = format!("{}/../../events/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_http_events_name_their_routes_and_parameters() {
    for (name, method, id) in [
        ("list-tickets.json", "GET", None),
        ("create-ticket.json", "POST", None),
        (
            "get-ticket.json",
            "GET",
            Some("1b4e28ba-2fa1-11d2-883f-0016d3cca427"),
        ),
        (
            "update-ticket.json",
            "PUT",
            Some("1b4e28ba-2fa1-11d2-883f-0016d3cca427"),
        ),
    ] {
        let request = from_str(&text(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(request.method().as_str(), method, "{name}");
        assert_eq!(request.path_parameters().first("id"), id, "{name}");
    }
}

#[test]
fn the_stream_event_becomes_ticket_created() {
    let event: serde_json::Value =
        serde_json::from_str(&text("publish-ticket-events.json")).unwrap();
    let record = StreamRecord::from_json(&event["Records"][0]).unwrap();
    let published = tickets::events::ticket_event(&record).unwrap().unwrap();
    assert_eq!(published.detail_type, "TicketCreated");
    assert_eq!(published.detail["price"], 2500);
}

#[tokio::test]
async fn the_order_events_lock_and_unlock_through_the_sqs_driver() {
    // GIVEN the ticket the sample order events name
    let ctx = fresh_context().await;
    let created = sell(&ctx, &user(), "Concert, front row", 2500).await;
    let id = created["id"].as_str().unwrap();
    let with_ticket = |name: &str| -> aws_lambda_events::sqs::SqsEvent {
        serde_json::from_str(&text(name).replace("1b4e28ba-2fa1-11d2-883f-0016d3cca427", id))
            .unwrap()
    };
    // WHEN the SQS batches are handled as Lambda would hand them over
    let locked = ticketing::consumer::handle_batch(
        &ctx.tickets,
        with_ticket("tickets-on-order-created.json"),
        &on_order_created,
    )
    .await;
    assert!(locked.batch_item_failures.is_empty());
    assert!(ctx.tickets.get(id).await.unwrap().unwrap().is_reserved());
    let freed = ticketing::consumer::handle_batch(
        &ctx.tickets,
        with_ticket("tickets-on-order-cancelled.json"),
        &on_order_cancelled,
    )
    .await;
    // THEN the ticket was held, then freed
    assert!(freed.batch_item_failures.is_empty());
    assert!(!ctx.tickets.get(id).await.unwrap().unwrap().is_reserved());
}
