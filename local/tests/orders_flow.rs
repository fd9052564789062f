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

/// Waits until the orders side knows the ticket (its replica is there): the answer to the
/// buyer's POST /api/orders once it is something other than 404.
async fn reserve_known(stack: &Stack, buyer: &str, ticket_id: &str) -> (u16, Value) {
    stack
        .eventually("the ticket known to the orders side", || async {
            let (status, _, body) = stack
                .http(
                    "POST",
                    "/api/orders",
                    Some(buyer),
                    Some(json!({"ticketId": ticket_id})),
                )
                .await;
            (status != 404).then_some((status, body))
        })
        .await
}

#[tokio::test]
async fn a_seller_cannot_buy_their_own_ticket_and_a_buyer_holds_at_most_three_unpaid_orders() {
    let stack = Stack::start("").await;
    let seller = stack.sign_up("seller").await;
    let mut tickets = Vec::new();
    for n in 0..8 {
        let ticket = stack.sell(&seller, &format!("Show {n}"), 1000 + n).await;
        tickets.push(ticket["id"].as_str().unwrap().to_string());
    }

    // the seller's own ticket: 403, saying why
    let (status, body) = reserve_known(&stack, &seller, &tickets[0]).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        body["errors"][0]["message"],
        "You cannot buy your own ticket"
    );

    // one buyer: three orders awaiting payment, the fourth refused with the reason
    let buyer = stack.sign_up("hoarder").await;
    let mut open = Vec::new();
    for ticket in &tickets[..3] {
        open.push(
            stack.reserve(&buyer, ticket).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let (status, body) = reserve_known(&stack, &buyer, &tickets[3]).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(
        body["errors"][0]["message"],
        "You already have 3 orders awaiting payment. Pay for or cancel one before reserving another ticket."
    );

    // cancelling one frees a slot
    let (status, _, _) = stack
        .http(
            "DELETE",
            &format!("/api/orders/{}", open[0]),
            Some(&buyer),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (status, body) = reserve_known(&stack, &buyer, &tickets[3]).await;
    assert_eq!(status, 201, "{body}");

    // another buyer firing four reservations at once over HTTP gets at most three
    for ticket in &tickets[4..] {
        stack
            .eventually("the ticket's replica", || async {
                stack.item("OrdersTable", &format!("TICKET#{ticket}")).await
            })
            .await;
    }
    let racer = stack.sign_up("racer").await;
    let attempts = tickets[4..].iter().map(|ticket| {
        stack.http(
            "POST",
            "/api/orders",
            Some(&racer),
            Some(json!({"ticketId": ticket})),
        )
    });
    let results = futures_util::future::join_all(attempts).await;
    let created = results
        .iter()
        .filter(|(status, _, _)| *status == 201)
        .count();
    assert!(
        results
            .iter()
            .all(|(status, _, _)| *status == 201 || *status == 409),
        "{results:?}"
    );
    assert!(created <= 3, "{results:?}");
    let (_, _, mine) = stack.http("GET", "/api/orders", Some(&racer), None).await;
    assert_eq!(mine["orders"].as_array().unwrap().len(), created);

    stack.invariants_hold().await;
    stack.running.stop().await;
}
