//! Test support: a fresh Orders table and schedule group in moto per test, signed-in requests.
// Each test binary uses a different part of this module.
#![allow(dead_code)]

use lambda_http::{Body, Request, RequestExt, Response};
use orders::expiry::{ExpirySchedules, ExpiryTarget};
use orders::store::TicketReplica;
use orders::{CancelContext, Orders, OrdersContext, ReserveContext, SettleContext};
use std::collections::HashMap;
use ticketing::auth::SessionUser;
use ticketing::money::Cents;

pub const SECRET: &str = "integration-test-secret-of-enough-length";

/// A reservation context over a new copy of the template's Orders table and a new schedule group.
pub async fn fresh_context(ttl_seconds: u64) -> ReserveContext {
    let client = local::testing::dynamodb_client().await;
    let table = local::testing::fresh_table(&client, "OrdersTable").await;
    let sdk = local::testing::sdk_config().await;
    let scheduler = aws_sdk_scheduler::Client::new(&sdk);
    let group = format!("orders-test-{}", uuid::Uuid::new_v4().simple());
    scheduler
        .create_schedule_group()
        .name(&group)
        .send()
        .await
        .unwrap();
    ReserveContext {
        orders: Orders::new(client, table),
        sessions: local::testing::sessions().await,
        expiry: ExpirySchedules {
            client: scheduler,
            group,
        },
        target: ExpiryTarget {
            queue_arn: "arn:aws:sqs:us-east-1:123456789012:expire-order-test".into(),
            role_arn: "arn:aws:iam::123456789012:role/scheduler-test".into(),
            dead_letter_arn: "arn:aws:sqs:us-east-1:123456789012:expire-order-test-dlq".into(),
        },
        ttl_seconds,
    }
}

/// The read-side context over the same table.
pub fn orders_context(ctx: &ReserveContext) -> OrdersContext {
    OrdersContext {
        orders: ctx.orders.clone(),
        sessions: ctx.sessions.clone(),
    }
}

/// The settle context (payments, cancels) over the same table and schedule group.
pub fn settle_context(ctx: &ReserveContext) -> SettleContext {
    SettleContext {
        orders: ctx.orders.clone(),
        expiry: ctx.expiry.clone(),
    }
}

/// The buyer's cancel context over the same table and schedule group.
pub fn cancel_context(ctx: &ReserveContext) -> CancelContext {
    CancelContext {
        settle: settle_context(ctx),
        sessions: ctx.sessions.clone(),
    }
}

/// Whether the expiry schedule of an order exists.
pub async fn schedule_exists(ctx: &ReserveContext, order_id: &str) -> bool {
    ctx.expiry
        .client
        .get_schedule()
        .group_name(&ctx.expiry.group)
        .name(orders::expiry::schedule_name(order_id))
        .send()
        .await
        .is_ok()
}

/// A user with a unique id.
pub fn user() -> SessionUser {
    let id = uuid::Uuid::new_v4().to_string();
    SessionUser {
        email: format!("{id}@example.com"),
        id,
    }
}

/// A ticket the orders side knows (as if TicketCreated had arrived); returns its id.
pub async fn known_ticket(ctx: &ReserveContext, price: u64) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    let replica = TicketReplica {
        id: id.clone(),
        title: format!("Ticket {price}"),
        price: Cents(price),
        version: 0,
        // sold by someone who is never the buyer of a test
        seller_id: Some(uuid::Uuid::new_v4().to_string()),
        order_id: None,
        reservations: 0,
    };
    assert!(ctx.orders.insert_replica(&replica).await.unwrap());
    id
}

/// A request: method, optional JSON body, optional user, optional `{id}`, extra headers.
pub async fn request(
    method: &str,
    body: Option<serde_json::Value>,
    user: Option<&SessionUser>,
    id: Option<&str>,
    headers: &[(&str, &str)],
) -> Request {
    let mut builder = lambda_http::http::Request::builder()
        .method(method)
        .uri("/api/orders");
    if let Some(user) = user {
        builder = builder.header("cookie", local::testing::session_cookie(user).await);
    }
    if body.is_some() {
        builder = builder.header("content-type", "application/json");
    }
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let mut request = builder
        .body(
            body.map(|b| Body::from(b.to_string()))
                .unwrap_or(Body::Empty),
        )
        .unwrap();
    if let Some(id) = id {
        request = request.with_path_parameters(HashMap::from([("id".to_string(), id.to_string())]));
    }
    request
}

/// The response body as JSON.
pub fn body_json(response: &Response<Body>) -> serde_json::Value {
    match response.body() {
        Body::Text(text) => serde_json::from_str(text).unwrap(),
        Body::Empty => serde_json::Value::Null,
        _ => panic!("unexpected body"),
    }
}

/// Reserves `ticket_id` for `buyer` through the handler: the status code and body.
pub async fn reserve(
    ctx: &ReserveContext,
    buyer: &SessionUser,
    ticket_id: &str,
) -> (u16, serde_json::Value) {
    let result = orders::handlers::create_order(
        ctx,
        request(
            "POST",
            Some(serde_json::json!({"ticketId": ticket_id})),
            Some(buyer),
            None,
            &[],
        )
        .await,
    )
    .await;
    match result {
        Ok(response) => (response.status().as_u16(), body_json(&response)),
        // `cause` is for the test's failure message only: the API never shows it.
        Err(error) => (
            error.status_code(),
            serde_json::json!({"errors": error.errors(), "cause": error.cause_chain()}),
        ),
    }
}
