//! PUT /api/tickets/{id}: owner-only edits, conditional on the version.

mod support;

use serde_json::json;
use support::*;
use ticketing::money::Cents;
use tickets::handlers::update_ticket;
use tickets::store::StoreError;

fn edit(id: &str, body: serde_json::Value) -> Call {
    Call::new("PUT", &format!("/api/tickets/{id}"))
        .id(id)
        .body(body)
}

#[tokio::test]
async fn the_owner_edits_and_the_version_goes_up() {
    let ctx = fresh_context().await;
    let seller = user();
    let id = sell(&ctx, &seller, "Concert", 2500).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let response = update_ticket(
        &ctx,
        edit(
            &id,
            json!({"title": "Concert (front row)", "price": 3050, "version": 0}),
        )
        .signed_in_as(&seller)
        .build()
        .await,
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    let updated = body_json(&response);
    assert_eq!(
        (
            updated["title"].as_str(),
            updated["price"].as_u64(),
            updated["version"].as_u64()
        ),
        (Some("Concert (front row)"), Some(3050), Some(1))
    );
    // without an expected version, the edit applies to the version just read
    let response = update_ticket(
        &ctx,
        edit(&id, json!({"title": "Concert", "price": 3100}))
            .signed_in_as(&seller)
            .build()
            .await,
    )
    .await
    .unwrap();
    assert_eq!(body_json(&response)["version"], 2);
}

#[tokio::test]
async fn refusals_in_the_order_a_client_needs_them() {
    let ctx = fresh_context().await;
    let (seller, stranger) = (user(), user());
    let id = sell(&ctx, &seller, "Concert", 2500).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let valid = json!({"title": "Concert", "price": 2600});

    let unknown = uuid::Uuid::new_v4().to_string();
    let status = |r: Result<_, ticketing::ApiError>| {
        r.map(|_: lambda_http::Response<_>| 200)
            .unwrap_or_else(|e| e.status_code())
    };
    assert_eq!(
        status(
            update_ticket(
                &ctx,
                edit(&unknown, valid.clone())
                    .signed_in_as(&seller)
                    .build()
                    .await
            )
            .await
        ),
        404
    );
    assert_eq!(
        status(update_ticket(&ctx, edit(&id, valid.clone()).build().await).await),
        401
    );
    assert_eq!(
        status(
            update_ticket(
                &ctx,
                edit(&id, valid.clone())
                    .signed_in_as(&stranger)
                    .build()
                    .await
            )
            .await
        ),
        403
    );
    assert_eq!(
        status(
            update_ticket(
                &ctx,
                edit(&id, json!({"title": "", "price": 2600}))
                    .signed_in_as(&seller)
                    .build()
                    .await
            )
            .await
        ),
        400
    );
    assert_eq!(
        status(
            update_ticket(
                &ctx,
                edit(&id, json!({"title": "Concert", "price": 0}))
                    .signed_in_as(&seller)
                    .build()
                    .await
            )
            .await
        ),
        400
    );

    // an order holds the ticket: the owner may not edit it
    ctx.tickets
        .lock(&id, "order-1", 1, 0, "2026-11-26T12:00:00.000Z")
        .await
        .unwrap();
    let error = update_ticket(&ctx, edit(&id, valid).signed_in_as(&seller).build().await)
        .await
        .unwrap_err();
    assert_eq!(error.status_code(), 409);
    assert_eq!(error.errors()[0].message, "Cannot edit a reserved ticket");
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_in_the_body_or_if_match() {
    let ctx = fresh_context().await;
    let seller = user();
    let id = sell(&ctx, &seller, "Concert", 2500).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    update_ticket(
        &ctx,
        edit(&id, json!({"title": "A", "price": 100, "version": 0}))
            .signed_in_as(&seller)
            .build()
            .await,
    )
    .await
    .unwrap();

    let stale_body = update_ticket(
        &ctx,
        edit(&id, json!({"title": "B", "price": 100, "version": 0}))
            .signed_in_as(&seller)
            .build()
            .await,
    )
    .await;
    assert_eq!(stale_body.unwrap_err().status_code(), 409);
    let stale_header = edit(&id, json!({"title": "B", "price": 100}))
        .signed_in_as(&seller)
        .header("if-match", "\"0\"")
        .build()
        .await;
    assert_eq!(
        update_ticket(&ctx, stale_header)
            .await
            .unwrap_err()
            .status_code(),
        409
    );
    let fresh_header = edit(&id, json!({"title": "B", "price": 100}))
        .signed_in_as(&seller)
        .header("if-match", "\"1\"")
        .build()
        .await;
    assert_eq!(
        body_json(&update_ticket(&ctx, fresh_header).await.unwrap())["version"],
        2
    );
    let bad_version = edit(&id, json!({"title": "B", "price": 100, "version": "two"}))
        .signed_in_as(&seller)
        .build()
        .await;
    assert_eq!(
        update_ticket(&ctx, bad_version)
            .await
            .unwrap_err()
            .status_code(),
        400
    );
}

#[tokio::test]
async fn of_two_concurrent_updates_with_one_expected_version_exactly_one_wins() {
    let ctx = std::sync::Arc::new(fresh_context().await);
    let seller = user();
    let id = sell(&ctx, &seller, "Concert", 2500).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let attempts: Vec<_> = (0..8)
        .map(|n| {
            let (ctx, id) = (ctx.clone(), id.clone());
            tokio::spawn(async move {
                ctx.tickets
                    .update_details(
                        &id,
                        &format!("Edit {n}"),
                        Cents(100 + n),
                        0,
                        "2026-11-26T12:00:00.000Z",
                    )
                    .await
            })
        })
        .collect();
    let mut wins = 0;
    for attempt in attempts {
        match attempt.await.unwrap() {
            Ok(ticket) => {
                assert_eq!(ticket.version, 1);
                wins += 1;
            }
            Err(StoreError::ConditionFailed) => {}
            Err(other) => panic!("unexpected: {other}"),
        }
    }
    assert_eq!(wins, 1);
    assert_eq!(ctx.tickets.get(&id).await.unwrap().unwrap().version, 1);
}
