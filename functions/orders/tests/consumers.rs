//! The tickets replica (in version order) and the expiry of orders.

mod support;

use orders::consumers::{expire_order, on_ticket_created, on_ticket_updated};
use orders::expiry::ExpiryMessage;
use orders::order::Status;
use serde_json::json;
use support::*;
use ticketing::consumer::ConsumerError;
use ticketing::events::BusEvent;

fn ticket_event(
    detail_type: &str,
    id: &str,
    version: u64,
    price: u64,
) -> BusEvent<orders::consumers::TicketDetail> {
    let body = json!({
        "id": uuid::Uuid::new_v4().to_string(), "detail-type": detail_type, "source": "ticketing.tickets",
        "detail": {"id": id, "title": format!("v{version}"), "price": price, "version": version, "userId": "u", "orderId": null}
    });
    BusEvent::from_body(&body.to_string()).unwrap()
}

#[tokio::test]
async fn the_replica_takes_versions_in_order_only() {
    let ctx = fresh_context(900).await;
    let id = uuid::Uuid::new_v4().to_string();

    // an update before the creation waits
    assert!(matches!(
        on_ticket_updated(&ctx.orders, ticket_event("TicketUpdated", &id, 1, 200)).await,
        Err(ConsumerError::Retry(_))
    ));
    on_ticket_created(&ctx.orders, ticket_event("TicketCreated", &id, 0, 100))
        .await
        .unwrap();
    on_ticket_created(&ctx.orders, ticket_event("TicketCreated", &id, 0, 999))
        .await
        .unwrap();
    assert_eq!(
        ctx.orders.ticket(&id).await.unwrap().unwrap().price.0,
        100,
        "a duplicate creation changes nothing"
    );

    // version 2 before 1 is a gap: retried; then 1, then 2 apply; a repeat of 1 is ignored
    assert!(matches!(
        on_ticket_updated(&ctx.orders, ticket_event("TicketUpdated", &id, 2, 300)).await,
        Err(ConsumerError::Retry(_))
    ));
    on_ticket_updated(&ctx.orders, ticket_event("TicketUpdated", &id, 1, 200))
        .await
        .unwrap();
    on_ticket_updated(&ctx.orders, ticket_event("TicketUpdated", &id, 2, 300))
        .await
        .unwrap();
    on_ticket_updated(&ctx.orders, ticket_event("TicketUpdated", &id, 1, 200))
        .await
        .unwrap();
    let replica = ctx.orders.ticket(&id).await.unwrap().unwrap();
    assert_eq!(
        (replica.version, replica.price.0, replica.title.as_str()),
        (2, 300, "v2")
    );
}

#[tokio::test]
async fn updates_keep_the_orders_side_hold() {
    let ctx = fresh_context(900).await;
    let ticket = known_ticket(&ctx, 100).await;
    let (_, order) = reserve(&ctx, &user(), &ticket).await;
    on_ticket_updated(&ctx.orders, ticket_event("TicketUpdated", &ticket, 1, 100))
        .await
        .unwrap();
    let replica = ctx.orders.ticket(&ticket).await.unwrap().unwrap();
    assert_eq!(
        (replica.version, replica.order_id.as_deref()),
        (1, order["id"].as_str())
    );
}

#[tokio::test]
async fn expiry_cancels_a_created_order_once_its_window_has_closed() {
    let ctx = fresh_context(0).await;
    let ticket = known_ticket(&ctx, 100).await;
    let (_, order) = reserve(&ctx, &user(), &ticket).await;
    let id = order["id"].as_str().unwrap().to_string();

    expire_order(
        &ctx.orders,
        ExpiryMessage {
            order_id: id.clone(),
        },
    )
    .await
    .unwrap();
    assert_eq!(
        ctx.orders.order(&id).await.unwrap().unwrap().status,
        Status::Cancelled
    );
    assert_eq!(
        ctx.orders.ticket(&ticket).await.unwrap().unwrap().order_id,
        None
    );
    // a repeat, or a message for an unknown order, changes nothing
    expire_order(
        &ctx.orders,
        ExpiryMessage {
            order_id: id.clone(),
        },
    )
    .await
    .unwrap();
    expire_order(
        &ctx.orders,
        ExpiryMessage {
            order_id: uuid::Uuid::new_v4().to_string(),
        },
    )
    .await
    .unwrap();
    assert_eq!(ctx.orders.order(&id).await.unwrap().unwrap().version, 1);
}

#[tokio::test]
async fn expiry_before_the_window_closes_is_retried() {
    let ctx = fresh_context(900).await;
    let (_, order) = reserve(&ctx, &user(), &known_ticket(&ctx, 100).await).await;
    let id = order["id"].as_str().unwrap().to_string();
    let early = expire_order(
        &ctx.orders,
        ExpiryMessage {
            order_id: id.clone(),
        },
    )
    .await;
    assert!(matches!(early, Err(ConsumerError::Retry(_))), "{early:?}");
    assert_eq!(
        ctx.orders.order(&id).await.unwrap().unwrap().status,
        Status::Created
    );
}
