//! POST /api/orders: one transaction decides who reserves a ticket.

mod support;

use orders::handlers::create_order;
use serde_json::json;
use support::*;

#[tokio::test]
async fn a_reservation_is_created_with_its_expiry_schedule() {
    let ctx = fresh_context(900).await;
    let ticket = known_ticket(&ctx, 2500).await;
    let (status, order) = reserve(&ctx, &user(), &ticket).await;
    assert_eq!(status, 201, "{order}");
    assert_eq!(order["status"], "created");
    assert_eq!(order["version"], 0);
    assert_eq!(
        order["ticket"],
        json!({"id": ticket, "title": "Ticket 2500", "price": 2500, "reservation": 1})
    );
    let (created, expires) = (
        order["createdAt"].as_str().unwrap(),
        order["expiresAt"].as_str().unwrap(),
    );
    let seconds = |t: &str| {
        time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
            .unwrap()
            .unix_timestamp()
    };
    assert_eq!(seconds(expires) - seconds(created), 900);

    // the one-shot schedule exists, at expiresAt (rounded up to the second), deleted after it runs
    let schedule = ctx
        .expiry
        .client
        .get_schedule()
        .group_name(&ctx.expiry.group)
        .name(format!("order-{}", order["id"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    let expression = schedule.schedule_expression().unwrap();
    assert!(
        expression.starts_with(&format!("at({}", &expires[..16])),
        "{expression} vs {expires}"
    );
    assert_eq!(
        schedule.action_after_completion().map(|a| a.as_str()),
        Some("DELETE")
    );
    let target = schedule.target().unwrap();
    assert_eq!(target.arn(), ctx.target.queue_arn);
    assert_eq!(
        target.dead_letter_config().and_then(|d| d.arn()),
        Some(ctx.target.dead_letter_arn.as_str())
    );
    assert!(target.retry_policy().is_some());
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(target.input().unwrap()).unwrap(),
        json!({"orderId": order["id"]})
    );
}

#[tokio::test]
async fn refusals() {
    let ctx = fresh_context(900).await;
    let ticket = known_ticket(&ctx, 2500).await;
    let buyer = user();
    let signed_out = create_order(
        &ctx,
        request("POST", Some(json!({"ticketId": ticket})), None, None, &[]).await,
    )
    .await;
    assert_eq!(signed_out.unwrap_err().status_code(), 401);
    for body in [
        json!({}),
        json!({"ticketId": 5}),
        json!({"ticketId": "not-a-uuid"}),
    ] {
        let error = create_order(
            &ctx,
            request("POST", Some(body.clone()), Some(&buyer), None, &[]).await,
        )
        .await
        .unwrap_err();
        assert_eq!(
            (error.status_code(), error.errors()[0].field.as_deref()),
            (400, Some("ticketId")),
            "{body}"
        );
    }
    assert_eq!(
        reserve(&ctx, &buyer, &uuid::Uuid::new_v4().to_string())
            .await
            .0,
        404
    );
    assert_eq!(reserve(&ctx, &buyer, &ticket).await.0, 201);
    let (status, body) = reserve(&ctx, &user(), &ticket).await;
    assert_eq!(
        (status, body["errors"][0]["message"].as_str()),
        (409, Some("Ticket is already reserved"))
    );
}

#[tokio::test]
async fn the_same_idempotency_key_returns_the_same_order() {
    let ctx = fresh_context(900).await;
    let ticket = known_ticket(&ctx, 2500).await;
    let buyer = user();
    let attempt = || {
        request(
            "POST",
            Some(json!({"ticketId": ticket})),
            Some(&buyer),
            None,
            &[("idempotency-key", "attempt-1")],
        )
    };
    let first = body_json(&create_order(&ctx, attempt().await).await.unwrap());
    let again = create_order(&ctx, attempt().await).await.unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(body_json(&again), first);
    // the claim is forgotten a day later: it carries the table's TTL attribute
    let client = local::testing::dynamodb_client().await;
    let table = ctx.orders.table_name();
    let ttl = client
        .describe_time_to_live()
        .table_name(table)
        .send()
        .await
        .unwrap();
    let attribute = ttl
        .time_to_live_description()
        .and_then(|d| d.attribute_name())
        .expect("the Orders table has a TTL")
        .to_string();
    let claim = client
        .get_item()
        .table_name(table)
        .key(
            "pk",
            aws_sdk_dynamodb::types::AttributeValue::S(format!(
                "IDEMPOTENCY#{}#attempt-1",
                buyer.id
            )),
        )
        .send()
        .await
        .unwrap()
        .item
        .expect("the claim is stored");
    let expires: i64 = claim[&attribute].as_n().unwrap().parse().unwrap();
    let in_a_day = time::OffsetDateTime::now_utc().unix_timestamp() + 24 * 3600;
    assert!((expires - in_a_day).abs() < 300, "{expires} vs {in_a_day}");
    // another user's same key is theirs alone: the ticket is taken
    let other = request(
        "POST",
        Some(json!({"ticketId": ticket})),
        Some(&user()),
        None,
        &[("idempotency-key", "attempt-1")],
    )
    .await;
    assert_eq!(
        create_order(&ctx, other).await.unwrap_err().status_code(),
        409
    );
    let bad_key = request(
        "POST",
        Some(json!({"ticketId": ticket})),
        Some(&buyer),
        None,
        &[("idempotency-key", "has space")],
    )
    .await;
    assert_eq!(
        create_order(&ctx, bad_key).await.unwrap_err().status_code(),
        400
    );
}

#[tokio::test]
async fn n_buyers_racing_for_one_ticket_make_exactly_one_order() {
    let ctx = std::sync::Arc::new(fresh_context(900).await);
    let ticket = known_ticket(&ctx, 2500).await;
    let racers: Vec<_> = (0..50)
        .map(|_| {
            let (ctx, ticket) = (ctx.clone(), ticket.clone());
            tokio::spawn(async move { reserve(&ctx, &user(), &ticket).await.0 })
        })
        .collect();
    let mut statuses = Vec::new();
    for racer in racers {
        statuses.push(racer.await.unwrap());
    }
    let created = statuses.iter().filter(|s| **s == 201).count();
    let refused = statuses.iter().filter(|s| **s == 409).count();
    assert_eq!((created, refused), (1, 49), "{statuses:?}");
    let holder = ctx.orders.ticket(&ticket).await.unwrap().unwrap().order_id;
    assert!(holder.is_some());
}

#[tokio::test]
async fn m_tickets_and_n_buyers_make_exactly_m_orders() {
    let ctx = std::sync::Arc::new(fresh_context(900).await);
    let mut tickets = Vec::new();
    for price in 1..=10 {
        tickets.push(known_ticket(&ctx, price).await);
    }
    let mut racers = Vec::new();
    for ticket in &tickets {
        for _ in 0..50 {
            let (ctx, ticket) = (ctx.clone(), ticket.clone());
            racers.push(tokio::spawn(async move {
                (ticket.clone(), reserve(&ctx, &user(), &ticket).await)
            }));
        }
    }
    let mut won = Vec::new();
    for racer in racers {
        let (ticket, (status, body)) = racer.await.unwrap();
        assert!(status == 201 || status == 409, "{status} {body}");
        if status == 201 {
            won.push(ticket);
        }
    }
    won.sort();
    tickets.sort();
    assert_eq!(won, tickets);
}
