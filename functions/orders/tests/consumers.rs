//! The tickets replica (in version order) and the expiry of orders.

mod support;

use orders::consumers::{expire_order, on_payment_created, on_ticket_created, on_ticket_updated};
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

fn payment_event(payment_id: &str, order_id: &str) -> BusEvent<orders::consumers::PaymentDetail> {
    let body = json!({
        "id": uuid::Uuid::new_v4().to_string(), "detail-type": "PaymentCreated", "source": "ticketing.payments",
        "detail": {"id": payment_id, "orderId": order_id, "stripeId": "pi_123"}
    });
    BusEvent::from_body(&body.to_string()).unwrap()
}

#[tokio::test]
async fn a_payment_completes_a_created_order_once() {
    let ctx = fresh_context(900).await;
    let ticket = known_ticket(&ctx, 100).await;
    let (_, order) = reserve(&ctx, &user(), &ticket).await;
    let id = order["id"].as_str().unwrap().to_string();
    let settle = settle_context(&ctx);

    on_payment_created(&settle, payment_event("p-1", &id))
        .await
        .unwrap();
    on_payment_created(&settle, payment_event("p-1", &id))
        .await
        .unwrap();
    let complete = ctx.orders.order(&id).await.unwrap().unwrap();
    assert_eq!((complete.status, complete.version), (Status::Complete, 1));
    assert!(
        !schedule_exists(&ctx, &id).await,
        "a complete order's expiry schedule is removed"
    );
    // the ticket stays held (sold), and expiry leaves the complete order alone
    assert_eq!(
        ctx.orders
            .ticket(&ticket)
            .await
            .unwrap()
            .unwrap()
            .order_id
            .as_deref(),
        Some(id.as_str())
    );
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
        Status::Complete
    );
}

#[tokio::test]
async fn a_payment_for_a_cancelled_order_is_recorded_as_rejected_once() {
    let ctx = fresh_context(0).await;
    let (_, order) = reserve(&ctx, &user(), &known_ticket(&ctx, 100).await).await;
    let id = order["id"].as_str().unwrap().to_string();
    expire_order(
        &ctx.orders,
        ExpiryMessage {
            order_id: id.clone(),
        },
    )
    .await
    .unwrap();

    let settle = settle_context(&ctx);
    on_payment_created(&settle, payment_event("p-9", &id))
        .await
        .unwrap();
    on_payment_created(&settle, payment_event("p-9", &id))
        .await
        .unwrap();
    assert_eq!(
        ctx.orders.order(&id).await.unwrap().unwrap().status,
        Status::Cancelled,
        "it stays cancelled"
    );
    let rejection = ctx.orders.rejected_payment("p-9").await.unwrap();
    assert_eq!(rejection.as_deref(), Some(id.as_str()));
    // an unknown order cannot be settled
    let unknown = on_payment_created(
        &settle,
        payment_event("p-0", &uuid::Uuid::new_v4().to_string()),
    )
    .await;
    assert!(matches!(unknown, Err(ConsumerError::Permanent(_))));
}
