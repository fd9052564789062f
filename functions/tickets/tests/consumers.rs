//! OrderCreated / OrderCancelled lock and unlock tickets, idempotently.

mod support;

use serde_json::json;
use support::*;
use ticketing::consumer::ConsumerError;
use ticketing::events::BusEvent;
use tickets::consumers::{on_order_cancelled, on_order_created};

/// An order event for `order_id`, the ticket's reservation number `order_id`'s last digit.
fn order_event(
    detail_type: &str,
    order_id: &str,
    version: u64,
    ticket_id: &str,
) -> BusEvent<tickets::consumers::OrderEvent> {
    let reservation: u64 = order_id[order_id.len() - 1..].parse().unwrap();
    let body = json!({
        "id": uuid::Uuid::new_v4().to_string(), "detail-type": detail_type, "source": "ticketing.orders",
        "detail": {"id": order_id, "version": version, "status": "created",
                   "ticket": {"id": ticket_id, "price": 2500, "reservation": reservation}}
    });
    BusEvent::from_body(&body.to_string()).unwrap()
}

#[tokio::test]
async fn order_created_locks_the_ticket_once() {
    let ctx = fresh_context().await;
    let id = sell(&ctx, &user(), "Concert", 2500).await["id"]
        .as_str()
        .unwrap()
        .to_string();

    on_order_created(&ctx.tickets, order_event("OrderCreated", "o-1", 0, &id))
        .await
        .unwrap();
    let locked = ctx.tickets.get(&id).await.unwrap().unwrap();
    assert_eq!(
        (locked.order_id.as_deref(), locked.version),
        (Some("o-1"), 1)
    );

    // a duplicate delivery changes nothing
    on_order_created(&ctx.tickets, order_event("OrderCreated", "o-1", 0, &id))
        .await
        .unwrap();
    assert_eq!(ctx.tickets.get(&id).await.unwrap().unwrap(), locked);
}

#[tokio::test]
async fn order_cancelled_unlocks_it_once_and_a_late_creation_is_ignored() {
    let ctx = fresh_context().await;
    let id = sell(&ctx, &user(), "Concert", 2500).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    on_order_created(&ctx.tickets, order_event("OrderCreated", "o-1", 0, &id))
        .await
        .unwrap();

    on_order_cancelled(&ctx.tickets, order_event("OrderCancelled", "o-1", 1, &id))
        .await
        .unwrap();
    let freed = ctx.tickets.get(&id).await.unwrap().unwrap();
    assert_eq!((freed.order_id.as_deref(), freed.version), (None, 2));

    on_order_cancelled(&ctx.tickets, order_event("OrderCancelled", "o-1", 1, &id))
        .await
        .unwrap();
    on_order_created(&ctx.tickets, order_event("OrderCreated", "o-1", 0, &id))
        .await
        .unwrap();
    assert_eq!(ctx.tickets.get(&id).await.unwrap().unwrap(), freed);

    // and the freed ticket can be locked by the next order
    on_order_created(&ctx.tickets, order_event("OrderCreated", "o-2", 0, &id))
        .await
        .unwrap();
    assert_eq!(
        ctx.tickets
            .get(&id)
            .await
            .unwrap()
            .unwrap()
            .order_id
            .as_deref(),
        Some("o-2")
    );
}

#[tokio::test]
async fn a_cancellation_before_its_creation_is_retried() {
    let ctx = fresh_context().await;
    let id = sell(&ctx, &user(), "Concert", 2500).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let early =
        on_order_cancelled(&ctx.tickets, order_event("OrderCancelled", "o-1", 1, &id)).await;
    assert!(matches!(early, Err(ConsumerError::Retry(_))), "{early:?}");
    assert_eq!(ctx.tickets.get(&id).await.unwrap().unwrap().version, 0);
}

#[tokio::test]
async fn an_event_for_an_unknown_ticket_cannot_be_handled() {
    let ctx = fresh_context().await;
    let result = on_order_created(
        &ctx.tickets,
        order_event("OrderCreated", "o-1", 0, &uuid::Uuid::new_v4().to_string()),
    )
    .await;
    assert!(
        matches!(result, Err(ConsumerError::Permanent(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn reservations_apply_in_their_order_whatever_order_their_events_arrive_in() {
    let ctx = fresh_context().await;
    let id = sell(&ctx, &user(), "Concert", 2500).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let created = |order: &str| order_event("OrderCreated", order, 0, &id);
    let cancelled = |order: &str| order_event("OrderCancelled", order, 1, &id);
    let retried = |result: Result<(), ConsumerError>| {
        assert!(matches!(result, Err(ConsumerError::Retry(_))), "{result:?}")
    };

    // GIVEN o-1 reserved the ticket and was cancelled, then o-2 reserved it; WHEN o-2's creation
    // and o-1's cancellation arrive before o-1's creation, THEN they wait for it
    retried(on_order_created(&ctx.tickets, created("o-2")).await);
    retried(on_order_cancelled(&ctx.tickets, cancelled("o-1")).await);
    on_order_created(&ctx.tickets, created("o-1"))
        .await
        .unwrap();
    retried(on_order_created(&ctx.tickets, created("o-2")).await);
    on_order_cancelled(&ctx.tickets, cancelled("o-1"))
        .await
        .unwrap();
    on_order_created(&ctx.tickets, created("o-2"))
        .await
        .unwrap();
    let held = ctx.tickets.get(&id).await.unwrap().unwrap();
    assert_eq!((held.order_id.as_deref(), held.version), (Some("o-2"), 3));

    // AND o-1's events arriving again, late, change nothing
    on_order_created(&ctx.tickets, created("o-1"))
        .await
        .unwrap();
    on_order_cancelled(&ctx.tickets, cancelled("o-1"))
        .await
        .unwrap();
    assert_eq!(ctx.tickets.get(&id).await.unwrap().unwrap(), held);
}

#[tokio::test]
async fn an_event_without_a_reservation_number_is_applied_as_before() {
    let ctx = fresh_context().await;
    let id = sell(&ctx, &user(), "Concert", 2500).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let unnumbered = |detail_type: &str, version: u64| {
        let body = json!({
            "id": uuid::Uuid::new_v4().to_string(), "detail-type": detail_type, "source": "ticketing.orders",
            "detail": {"id": "o-old", "version": version, "ticket": {"id": id}}
        });
        BusEvent::from_body(&body.to_string()).unwrap()
    };
    on_order_created(&ctx.tickets, unnumbered("OrderCreated", 0))
        .await
        .unwrap();
    on_order_cancelled(&ctx.tickets, unnumbered("OrderCancelled", 1))
        .await
        .unwrap();
    on_order_created(&ctx.tickets, unnumbered("OrderCreated", 0))
        .await
        .unwrap();
    let freed = ctx.tickets.get(&id).await.unwrap().unwrap();
    assert_eq!((freed.order_id, freed.version), (None, 2));
}
