//! The tickets slice through the real gateway and the real template: an HTTP write reaches the
//! bus through the table stream and the publisher, and order events reach the tickets consumers
//! through EventBridge rules and SQS queues.

mod support;

use serde_json::json;
use support::Stack;

#[tokio::test]
async fn a_ticket_travels_from_http_to_the_bus_and_order_events_lock_and_free_it() {
    let stack = Stack::start("").await;
    let listener = stack.listen_to_ticket_events().await;

    // GIVEN a signed-in seller who lists a ticket over HTTP
    let email = format!("{}@example.com", stack.name);
    let (status, cookies, _) = stack
        .http(
            "POST",
            "/api/users/signup",
            None,
            Some(json!({"email": email, "password": "password123"})),
        )
        .await;
    assert_eq!(status, 201);
    let cookie = cookies[0].split(';').next().unwrap().to_string();
    let (status, _, ticket) = stack
        .http(
            "POST",
            "/api/tickets",
            Some(&cookie),
            Some(json!({"title": "Concert", "price": 2500})),
        )
        .await;
    assert_eq!(status, 201, "{ticket}");
    let id = ticket["id"].as_str().unwrap().to_string();

    // THEN TicketCreated with the full ticket arrives through stream -> publisher -> bus -> rule -> SQS
    let created = stack
        .wait_for_event(&listener, |e| {
            e["detail-type"] == "TicketCreated" && e["detail"]["id"] == id.as_str()
        })
        .await;
    assert_eq!(created["source"], "ticketing.tickets");
    assert_eq!(created["detail"], ticket);

    // WHEN an order for it is created, TicketsOnOrderCreatedFunction (rule -> queue -> consumer) locks it
    let order = json!({"id": "order-1", "version": 0, "status": "created", "ticket": {"id": id, "price": 2500}});
    stack
        .publish_order_event("OrderCreated", order.clone())
        .await;
    let locked = stack
        .wait_for_ticket(&id, |t| t["orderId"] == "order-1")
        .await;
    assert_eq!(locked["version"], 1);
    let updated = stack
        .wait_for_event(&listener, |e| {
            e["detail-type"] == "TicketUpdated" && e["detail"]["version"] == 1
        })
        .await;
    assert_eq!(updated["detail"]["orderId"], "order-1");

    // AND the owner cannot edit it meanwhile
    let (status, _, body) = stack
        .http(
            "PUT",
            &format!("/api/tickets/{id}"),
            Some(&cookie),
            Some(json!({"title": "X", "price": 100})),
        )
        .await;
    assert_eq!(
        (status, body["errors"][0]["message"].as_str()),
        (409, Some("Cannot edit a reserved ticket"))
    );

    // WHEN the order is cancelled (and the creation delivered again), the ticket is free once more
    stack
        .publish_order_event("OrderCreated", order.clone())
        .await;
    let mut cancelled = order;
    cancelled["version"] = json!(1);
    cancelled["status"] = json!("cancelled");
    stack.publish_order_event("OrderCancelled", cancelled).await;
    let freed = stack
        .wait_for_ticket(&id, |t| t["orderId"].is_null() && t["version"] == 2)
        .await;
    assert_eq!(freed["title"], "Concert");
    let (status, _, _) = stack
        .http(
            "PUT",
            &format!("/api/tickets/{id}"),
            Some(&cookie),
            Some(json!({"title": "Concert", "price": 3000, "version": 2})),
        )
        .await;
    assert_eq!(status, 200);

    stack.running.stop().await;
}
