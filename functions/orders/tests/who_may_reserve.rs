//! Who may reserve: never a ticket's own seller, and no buyer with 3 orders awaiting payment
//! (the attack: one account reserving every ticket on sale, again every 15 minutes).

mod support;

use orders::consumers::{expire_order, on_payment_created, on_ticket_created, on_ticket_updated};
use orders::expiry::ExpiryMessage;
use orders::handlers::cancel_order;
use orders::order::Status;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::*;
use ticketing::auth::SessionUser;
use ticketing::events::BusEvent;

fn ticket_event(
    detail_type: &str,
    id: &str,
    version: u64,
    seller: &SessionUser,
) -> BusEvent<orders::consumers::TicketDetail> {
    let body = json!({
        "id": uuid::Uuid::new_v4().to_string(), "detail-type": detail_type, "source": "ticketing.tickets",
        "detail": {"id": id, "title": "Concert", "price": 2500, "version": version, "userId": seller.id, "orderId": null}
    });
    BusEvent::from_body(&body.to_string()).unwrap()
}

fn payment_event(order_id: &str) -> BusEvent<orders::consumers::PaymentDetail> {
    let body = json!({
        "id": uuid::Uuid::new_v4().to_string(), "detail-type": "PaymentCreated", "source": "ticketing.payments",
        "detail": {"id": uuid::Uuid::new_v4().to_string(), "orderId": order_id}
    });
    BusEvent::from_body(&body.to_string()).unwrap()
}

fn message(body: &Value) -> &str {
    body["errors"][0]["message"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn a_seller_cannot_reserve_their_own_ticket() {
    let ctx = fresh_context(900).await;
    let seller = user();
    let id = uuid::Uuid::new_v4().to_string();
    on_ticket_created(&ctx.orders, ticket_event("TicketCreated", &id, 0, &seller))
        .await
        .unwrap();

    // WHEN the seller tries to reserve their own ticket
    let (status, body) = reserve(&ctx, &seller, &id).await;
    // THEN 403, saying why, and nothing is held
    assert_eq!(status, 403, "{body}");
    assert_eq!(message(&body), "You cannot buy your own ticket");
    assert_eq!(
        ctx.orders.ticket(&id).await.unwrap().unwrap().order_id,
        None
    );
    assert!(ctx.orders.orders_of(&seller.id).await.unwrap().is_empty());

    // the seller stays known through later versions of the ticket
    on_ticket_updated(&ctx.orders, ticket_event("TicketUpdated", &id, 1, &seller))
        .await
        .unwrap();
    assert_eq!(reserve(&ctx, &seller, &id).await.0, 403);

    // anyone else may buy it
    let (status, body) = reserve(&ctx, &user(), &id).await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn a_buyer_holds_at_most_three_orders_awaiting_payment() {
    let ctx = fresh_context(900).await;
    let buyer = user();
    let mut tickets = Vec::new();
    for price in 1..=6 {
        tickets.push(known_ticket(&ctx, 100 * price).await);
    }
    let mut open = Vec::new();
    for ticket in &tickets[..3] {
        let (status, order) = reserve(&ctx, &buyer, ticket).await;
        assert_eq!(status, 201, "{order}");
        open.push(order["id"].as_str().unwrap().to_string());
    }

    // WHEN the buyer reserves a fourth ticket
    let (status, body) = reserve(&ctx, &buyer, &tickets[3]).await;
    // THEN 409, saying why, and the ticket stays free for others
    assert_eq!(status, 409, "{body}");
    assert_eq!(
        message(&body),
        "You already have 3 orders awaiting payment. Pay for or cancel one before reserving another ticket."
    );
    assert_eq!(
        ctx.orders
            .ticket(&tickets[3])
            .await
            .unwrap()
            .unwrap()
            .order_id,
        None
    );
    assert_eq!(reserve(&ctx, &user(), &tickets[3]).await.0, 201);

    // cancelling one frees a slot
    let cancel = cancel_context(&ctx);
    let response = cancel_order(
        &cancel,
        request("DELETE", None, Some(&buyer), Some(&open[0]), &[]).await,
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 204);
    let (status, body) = reserve(&ctx, &buyer, &tickets[4]).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(reserve(&ctx, &buyer, &tickets[5]).await.0, 409);

    // and so does paying for one
    on_payment_created(&settle_context(&ctx), payment_event(&open[1]))
        .await
        .unwrap();
    assert_eq!(
        ctx.orders.order(&open[1]).await.unwrap().unwrap().status,
        Status::Complete
    );
    let (status, body) = reserve(&ctx, &buyer, &tickets[5]).await;
    assert_eq!(status, 201, "{body}");
}

/// Reserves with a payment window of `ttl_seconds`: the order.
async fn reserve_for(
    ctx: &mut orders::ReserveContext,
    ttl_seconds: u64,
    buyer: &SessionUser,
    ticket: &str,
) -> Value {
    ctx.ttl_seconds = ttl_seconds;
    let (status, order) = reserve(ctx, buyer, ticket).await;
    assert_eq!(status, 201, "{order}");
    order
}

/// Polls the clock until `expires_at` has passed.
async fn until_past(expires_at: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while ticketing::time::now_rfc3339().as_str() < expires_at {
        assert!(Instant::now() < deadline, "{expires_at} never passed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn an_expired_order_frees_its_slot() {
    let mut ctx = fresh_context(900).await;
    let buyer = user();
    let mut tickets = Vec::new();
    for price in 1..=6 {
        tickets.push(known_ticket(&ctx, 100 * price).await);
    }
    reserve_for(&mut ctx, 900, &buyer, &tickets[0]).await;
    reserve_for(&mut ctx, 900, &buyer, &tickets[1]).await;
    let short = reserve_for(&mut ctx, 1, &buyer, &tickets[2]).await;
    let short_id = short["id"].as_str().unwrap().to_string();

    // the expiry consumer frees the slot of the order it cancels
    until_past(short["expiresAt"].as_str().unwrap()).await;
    expire_order(
        &ctx.orders,
        ExpiryMessage {
            order_id: short_id.clone(),
        },
    )
    .await
    .unwrap();
    assert_eq!(
        ctx.orders.order(&short_id).await.unwrap().unwrap().status,
        Status::Cancelled
    );
    let third = reserve_for(&mut ctx, 900, &buyer, &tickets[3]).await;
    assert_eq!(reserve(&ctx, &buyer, &tickets[4]).await.0, 409);

    // an order past its expiresAt whose schedule has not fired yet holds no slot either: the
    // reservation cancels it on the spot (as expire-order would) and goes ahead
    let response = cancel_order(
        &cancel_context(&ctx),
        request("DELETE", None, Some(&buyer), third["id"].as_str(), &[]).await,
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 204);
    let overdue = reserve_for(&mut ctx, 1, &buyer, &tickets[3]).await;
    until_past(overdue["expiresAt"].as_str().unwrap()).await;
    reserve_for(&mut ctx, 900, &buyer, &tickets[4]).await;
    let overdue = ctx
        .orders
        .order(overdue["id"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(overdue.status, Status::Cancelled);
    assert_eq!(
        ctx.orders
            .ticket(&tickets[3])
            .await
            .unwrap()
            .unwrap()
            .order_id,
        None
    );
    assert_eq!(reserve(&ctx, &buyer, &tickets[5]).await.0, 409);
}

#[tokio::test]
async fn parallel_reservations_by_one_buyer_never_make_more_than_three_orders() {
    let ctx = std::sync::Arc::new(fresh_context(900).await);
    let buyer = std::sync::Arc::new(user());
    let mut tickets = Vec::new();
    for price in 1..=20 {
        tickets.push(known_ticket(&ctx, 100 * price).await);
    }
    // WHEN one buyer fires 20 reservations at once
    let racers: Vec<_> = tickets
        .iter()
        .map(|ticket| {
            let (ctx, buyer, ticket) = (ctx.clone(), buyer.clone(), ticket.clone());
            tokio::spawn(async move { reserve(&ctx, &buyer, &ticket).await })
        })
        .collect();
    let mut created = 0;
    for racer in racers {
        let (status, body) = racer.await.unwrap();
        assert!(status == 201 || status == 409, "{status} {body}");
        created += usize::from(status == 201);
    }
    // THEN at most 3 orders exist, each answered 201, and the tickets they do not hold are free
    let stored = ctx.orders.orders_of(&buyer.id).await.unwrap();
    assert!(created <= 3, "{created} orders created");
    assert_eq!(stored.len(), created);
    let mut held = 0;
    for ticket in &tickets {
        held += usize::from(
            ctx.orders
                .ticket(ticket)
                .await
                .unwrap()
                .unwrap()
                .order_id
                .is_some(),
        );
    }
    assert_eq!(held, created);

    // and one at a time, the buyer fills exactly the remaining slots
    for ticket in &tickets {
        if reserve(&ctx, &buyer, ticket).await.0 == 201 {
            created += 1;
        }
    }
    assert_eq!(created, 3);
    assert_eq!(ctx.orders.orders_of(&buyer.id).await.unwrap().len(), 3);
}
