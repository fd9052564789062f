//! POST /api/tickets and GET /api/tickets/{id} on a real (moto) table.

mod support;

use serde_json::json;
use support::*;
use tickets::handlers::{create_ticket, get_ticket};

#[tokio::test]
async fn creating_needs_a_session() {
    let ctx = fresh_context().await;
    let request = Call::new("POST", "/api/tickets")
        .body(json!({"title": "Concert", "price": 2500}))
        .build()
        .await;
    assert_eq!(
        create_ticket(&ctx, request)
            .await
            .unwrap_err()
            .status_code(),
        401
    );
}

#[tokio::test]
async fn bad_titles_and_prices_are_refused_with_the_field_named() {
    let ctx = fresh_context().await;
    let seller = user();
    let cases = [
        (json!({"title": "", "price": 2500}), "title"),
        (json!({"price": 2500}), "title"),
        (json!({"title": "Concert"}), "price"),
        (json!({"title": "Concert", "price": 0}), "price"),
        (json!({"title": "Concert", "price": -100}), "price"),
        (json!({"title": "Concert", "price": 25.5}), "price"),
        (json!({"title": "Concert", "price": "2500"}), "price"),
    ];
    for (body, field) in cases {
        let request = Call::new("POST", "/api/tickets")
            .signed_in_as(&seller)
            .body(body.clone())
            .build()
            .await;
        let error = create_ticket(&ctx, request)
            .await
            .expect_err(&body.to_string());
        assert_eq!(error.status_code(), 400, "{body}");
        assert_eq!(error.errors()[0].field.as_deref(), Some(field), "{body}");
    }
    let request = Call::new("POST", "/api/tickets")
        .signed_in_as(&seller)
        .raw_body("not json")
        .build()
        .await;
    assert_eq!(
        create_ticket(&ctx, request)
            .await
            .unwrap_err()
            .status_code(),
        400
    );
}

#[tokio::test]
async fn a_valid_ticket_is_created_at_version_0_and_can_be_shown() {
    let ctx = fresh_context().await;
    let seller = user();
    let created = sell(&ctx, &seller, "  Concert  ", 2500).await;
    assert_eq!(created["title"], "Concert");
    assert_eq!(created["price"], 2500);
    assert_eq!(created["version"], 0);
    assert_eq!(created["userId"], seller.id.as_str());
    assert_eq!(created["orderId"], serde_json::Value::Null);

    let id = created["id"].as_str().unwrap();
    let response = get_ticket(&ctx.tickets, Call::new("GET", "/").id(id).build().await)
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(body_json(&response), created);
}

#[tokio::test]
async fn unknown_and_malformed_ids_are_not_found() {
    let ctx = fresh_context().await;
    for id in [
        uuid::Uuid::new_v4().to_string(),
        "not-an-id".to_string(),
        "".to_string(),
    ] {
        let error = get_ticket(&ctx.tickets, Call::new("GET", "/").id(&id).build().await)
            .await
            .unwrap_err();
        assert_eq!(error.status_code(), 404, "{id:?}");
    }
}
