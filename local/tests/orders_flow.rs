//! The orders slice through the real gateway and the real template: buyers race for one ticket
//! over HTTP, and an unpaid order expires by its one-shot schedule and frees the ticket.

mod support;

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::{json, Value};
use support::Stack;

#[tokio::test]
async fn buyers_race_one_wins_and_the_unpaid_order_expires_and_frees_the_ticket() {
    let stack = Stack::start("OrderTtlSeconds=2").await;
    let seller = stack.sign_up("seller").await;
    let ticket = stack.sell(&seller, "Concert", 2500).await;
    let id = ticket["id"].as_str().unwrap().to_string();
    let buyers = [
        stack.sign_up("a").await,
        stack.sign_up("b").await,
        stack.sign_up("c").await,
    ];

    // the orders side learns of the ticket from TicketCreated (stream -> bus -> queue -> replica)
    let orders_table = format!("{}-OrdersTable", stack.name);
    stack
        .eventually("the orders-side replica of the ticket", || async {
            let item = stack
                .clients
                .dynamodb
                .get_item()
                .table_name(&orders_table)
                .key("pk", AttributeValue::S(format!("TICKET#{id}")))
                .send()
                .await
                .unwrap();
            item.item.map(|_| ())
        })
        .await;

    // WHEN three buyers race for it over HTTP
    let body = json!({"ticketId": id});
    let (a, b, c) = tokio::join!(
        stack.http("POST", "/api/orders", Some(&buyers[0]), Some(body.clone())),
        stack.http("POST", "/api/orders", Some(&buyers[1]), Some(body.clone())),
        stack.http("POST", "/api/orders", Some(&buyers[2]), Some(body.clone()))
    );
    let results = [a, b, c];
    let winners: Vec<usize> = (0..3).filter(|n| results[*n].0 == 201).collect();
    // THEN exactly one gets it and the others are told it is reserved
    assert_eq!(winners.len(), 1, "{results:?}");
    for (n, (status, _, body)) in results.iter().enumerate() {
        if !winners.contains(&n) {
            assert_eq!(
                (*status, body["errors"][0]["message"].as_str()),
                (409, Some("Ticket is already reserved"))
            );
        }
    }
    let winner = &buyers[winners[0]];
    let order = results[winners[0]].2.clone();
    let order_id = order["id"].as_str().unwrap().to_string();
    assert_eq!(order["status"], "created");

    // the tickets side locks it (OrderCreated -> tickets-on-order-created) and it leaves the list
    stack
        .wait_for_ticket(&id, |t| t["orderId"] == order_id.as_str())
        .await;

    // WHEN nobody pays, the one-shot schedule fires after 2 s and expire-order cancels the order
    let path = format!("/api/orders/{order_id}");
    stack
        .eventually("the order's expiry", || async {
            let (_, _, order) = stack.http("GET", &path, Some(winner), None).await;
            (order["status"] == "cancelled").then_some(())
        })
        .await;

    // THEN the ticket is free again: listed, editable by its seller, and reservable by another buyer
    stack.wait_for_ticket(&id, |t| t["orderId"].is_null()).await;
    stack
        .eventually("the ticket back in the list", || async {
            let (_, _, page) = stack
                .http("GET", "/api/tickets?limit=100", None, None)
                .await;
            let listed = page["tickets"]
                .as_array()
                .is_some_and(|all| all.iter().any(|t: &Value| t["id"] == id.as_str()));
            listed.then_some(())
        })
        .await;
    let (status, _, edited) = stack
        .http(
            "PUT",
            &format!("/api/tickets/{id}"),
            Some(&seller),
            Some(json!({"title": "Concert", "price": 2000})),
        )
        .await;
    assert_eq!(status, 200, "{edited}");
    let loser = &buyers[(winners[0] + 1) % 3];
    let (status, _, second) = stack
        .http(
            "POST",
            "/api/orders",
            Some(loser),
            Some(json!({"ticketId": id})),
        )
        .await;
    assert_eq!(status, 201, "{second}");

    stack.invariants_hold().await;
    stack.running.stop().await;
}
