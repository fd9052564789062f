//! GET /api/orders, GET /api/orders/{id}, DELETE /api/orders/{id}.

mod support;

use orders::handlers::{cancel_order, get_order, list_orders};
use support::*;

#[tokio::test]
async fn a_buyer_sees_only_their_own_orders() {
    let ctx = fresh_context(900).await;
    let (alice, bob) = (user(), user());
    let (_, first) = reserve(&ctx, &alice, &known_ticket(&ctx, 100).await).await;
    let (_, second) = reserve(&ctx, &alice, &known_ticket(&ctx, 200).await).await;
    let (_, bobs) = reserve(&ctx, &bob, &known_ticket(&ctx, 300).await).await;
    let read = orders_context(&ctx);

    let listed = body_json(
        &list_orders(&read, request("GET", None, Some(&alice), None, &[]).await)
            .await
            .unwrap(),
    );
    assert_eq!(
        cancel_order(
            &cancel_context(&ctx),
            request("DELETE", None, None, first["id"].as_str(), &[]).await
        )
        .await
        .unwrap_err()
        .status_code(),
        401
    );
    let ids: Vec<_> = listed["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].clone())
        .collect();
    assert_eq!(
        ids,
        [second["id"].clone(), first["id"].clone()],
        "newest first, and only Alice's"
    );
    assert_eq!(listed["orders"][0]["ticket"]["price"], 200);
    assert_eq!(
        list_orders(&read, request("GET", None, None, None, &[]).await)
            .await
            .unwrap_err()
            .status_code(),
        401
    );

    let own = get_order(
        &read,
        request("GET", None, Some(&alice), first["id"].as_str(), &[]).await,
    )
    .await
    .unwrap();
    assert_eq!(body_json(&own), first);
    for (who, id) in [
        (&alice, bobs["id"].as_str().unwrap()),
        (&alice, "not-a-uuid"),
        (&alice, &uuid::Uuid::new_v4().to_string()),
    ] {
        let error = get_order(&read, request("GET", None, Some(who), Some(id), &[]).await)
            .await
            .unwrap_err();
        assert_eq!(error.status_code(), 404, "{id}");
    }
}

#[tokio::test]
async fn cancelling_frees_the_ticket_and_twice_is_harmless() {
    let ctx = fresh_context(900).await;
    let buyer = user();
    let ticket = known_ticket(&ctx, 100).await;
    let (_, order) = reserve(&ctx, &buyer, &ticket).await;
    let id = order["id"].as_str().unwrap();
    let cancel = cancel_context(&ctx);
    assert!(schedule_exists(&ctx, id).await);

    for _ in 0..2 {
        let response = cancel_order(
            &cancel,
            request("DELETE", None, Some(&buyer), Some(id), &[]).await,
        )
        .await
        .unwrap();
        assert_eq!(response.status(), 204);
    }
    assert!(
        !schedule_exists(&ctx, id).await,
        "a cancelled order's expiry schedule is removed"
    );
    let cancelled = ctx.orders.order(id).await.unwrap().unwrap();
    assert_eq!(
        (cancelled.status, cancelled.version),
        (orders::order::Status::Cancelled, 1)
    );
    assert_eq!(
        ctx.orders.ticket(&ticket).await.unwrap().unwrap().order_id,
        None
    );
    // someone else can't cancel it (they don't even see it), and the freed ticket can be reserved again
    let other = cancel_order(
        &cancel,
        request("DELETE", None, Some(&user()), Some(id), &[]).await,
    )
    .await
    .unwrap_err();
    assert_eq!(other.status_code(), 404);
    let (status, next) = reserve(&ctx, &user(), &ticket).await;
    assert_eq!(status, 201);
    // as the ticket's second reservation, which the tickets side applies after the first
    assert_eq!(
        (
            &order["ticket"]["reservation"],
            &next["ticket"]["reservation"]
        ),
        (&serde_json::json!(1), &serde_json::json!(2))
    );
}

#[tokio::test]
async fn a_complete_order_cannot_be_cancelled() {
    let ctx = fresh_context(900).await;
    let buyer = user();
    let (_, order) = reserve(&ctx, &buyer, &known_ticket(&ctx, 100).await).await;
    let id = order["id"].as_str().unwrap();
    let mut complete = ctx.orders.order(id).await.unwrap().unwrap();
    complete.status = orders::order::Status::Complete;
    complete.version = 1;
    let client = local::testing::dynamodb_client().await;
    client
        .put_item()
        .table_name(ctx.orders.table_name())
        .set_item(Some(orders::store::order_to_item(&complete)))
        .send()
        .await
        .unwrap();

    let error = cancel_order(
        &cancel_context(&ctx),
        request("DELETE", None, Some(&buyer), Some(id), &[]).await,
    )
    .await
    .unwrap_err();
    assert_eq!(
        (error.status_code(), error.errors()[0].message.as_str()),
        (409, "A completed order cannot be cancelled")
    );
    assert_eq!(
        ctx.orders.order(id).await.unwrap().unwrap().status,
        orders::order::Status::Complete
    );
}
