//! GET /api/tickets: available tickets, newest first, a page at a time.

mod support;

use support::*;
use tickets::handlers::list_tickets;

async fn page(
    ctx: &tickets::WriteContext,
    limit: Option<&str>,
    cursor: Option<&str>,
) -> serde_json::Value {
    let mut call = Call::new("GET", "/api/tickets");
    if let Some(limit) = limit {
        call = call.query("limit", limit);
    }
    if let Some(cursor) = cursor {
        call = call.query("cursor", cursor);
    }
    let response = list_tickets(&ctx.tickets, call.build().await)
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    body_json(&response)
}

fn titles(page: &serde_json::Value) -> Vec<String> {
    page["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn pages_walk_the_available_tickets_newest_first_and_skip_reserved_ones() {
    // GIVEN five tickets listed one after another, the third of which an order holds
    let ctx = fresh_context().await;
    let seller = user();
    let mut ids = Vec::new();
    for n in 1..=5 {
        ids.push(
            sell(&ctx, &seller, &format!("T{n}"), 100 * n).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
        // listedAt has millisecond precision; make sure each ticket is newer than the last
        let before = ticketing::time::now_rfc3339();
        while ticketing::time::now_rfc3339() == before {
            tokio::task::yield_now().await;
        }
    }
    ctx.tickets
        .lock(&ids[2], "order-1", 1, 0, &ticketing::time::now_rfc3339())
        .await
        .unwrap();

    // WHEN they are read two at a time
    let first = page(&ctx, Some("2"), None).await;
    let cursor = first["nextCursor"]
        .as_str()
        .expect("a second page")
        .to_string();
    let second = page(&ctx, Some("2"), Some(&cursor)).await;

    // THEN the newest come first and the reserved one is not among them
    assert_eq!(titles(&first), ["T5", "T4"]);
    assert_eq!(titles(&second), ["T2", "T1"]);
    if let Some(cursor) = second["nextCursor"].as_str() {
        assert!(titles(&page(&ctx, Some("2"), Some(cursor)).await).is_empty());
    }
    // AND the default page holds them all
    assert_eq!(
        titles(&page(&ctx, None, None).await),
        ["T5", "T4", "T2", "T1"]
    );
}

#[tokio::test]
async fn bad_limits_and_cursors_are_refused() {
    let ctx = fresh_context().await;
    for (name, value) in [
        ("limit", "0"),
        ("limit", "101"),
        ("limit", "ten"),
        ("limit", "-1"),
        ("cursor", "garbage"),
    ] {
        let request = Call::new("GET", "/api/tickets")
            .query(name, value)
            .build()
            .await;
        let error = list_tickets(&ctx.tickets, request).await.expect_err(value);
        assert_eq!(error.status_code(), 400, "{name}={value}");
        assert_eq!(error.errors()[0].field.as_deref(), Some(name));
    }
}

#[tokio::test]
async fn an_empty_list_has_no_next_cursor() {
    let ctx = fresh_context().await;
    let empty = page(&ctx, None, None).await;
    assert_eq!(
        empty,
        serde_json::json!({"tickets": [], "nextCursor": null})
    );
}
