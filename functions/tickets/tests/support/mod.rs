//! Test support: a fresh Tickets table in moto per test, signed-in requests, JSON bodies.
// Each test binary uses a different part of this module.
#![allow(dead_code)]

use lambda_http::{Body, Request, RequestExt, Response};
use std::collections::HashMap;
use ticketing::auth::SessionUser;
use tickets::{Tickets, WriteContext};

pub const SECRET: &str = "integration-test-secret-of-enough-length";

/// A context over a brand-new, uniquely named copy of the template's Tickets table.
pub async fn fresh_context() -> WriteContext {
    let client = local::testing::dynamodb_client().await;
    let table = local::testing::fresh_table(&client, "TicketsTable").await;
    WriteContext {
        tickets: Tickets::new(client, table),
        sessions: local::testing::sessions().await,
    }
}

/// A user with a unique id.
pub fn user() -> SessionUser {
    let id = uuid::Uuid::new_v4().to_string();
    SessionUser {
        email: format!("{id}@example.com"),
        id,
    }
}

/// A request builder: method, path, optional JSON body, optional signed-in user, path parameters.
pub struct Call {
    method: &'static str,
    path: String,
    body: Option<String>,
    user: Option<SessionUser>,
    id: Option<String>,
    query: HashMap<String, String>,
    headers: Vec<(&'static str, String)>,
}

impl Call {
    pub fn new(method: &'static str, path: &str) -> Self {
        Self {
            method,
            path: path.into(),
            body: None,
            user: None,
            id: None,
            query: HashMap::new(),
            headers: vec![],
        }
    }
    pub fn body(mut self, body: serde_json::Value) -> Self {
        self.body = Some(body.to_string());
        self
    }
    pub fn raw_body(mut self, body: &str) -> Self {
        self.body = Some(body.to_string());
        self
    }
    pub fn signed_in_as(mut self, user: &SessionUser) -> Self {
        self.user = Some(user.clone());
        self
    }
    pub fn id(mut self, id: &str) -> Self {
        self.id = Some(id.to_string());
        self
    }
    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.insert(name.into(), value.into());
        self
    }
    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.into()));
        self
    }
    pub async fn build(self) -> Request {
        let mut builder = lambda_http::http::Request::builder()
            .method(self.method)
            .uri(&self.path);
        if let Some(user) = &self.user {
            builder = builder.header("cookie", local::testing::session_cookie(user).await);
        }
        if self.body.is_some() {
            builder = builder.header("content-type", "application/json");
        }
        for (name, value) in &self.headers {
            builder = builder.header(*name, value);
        }
        let body = self.body.map(Body::from).unwrap_or(Body::Empty);
        let mut request = builder.body(body).unwrap();
        if let Some(id) = self.id {
            request = request.with_path_parameters(HashMap::from([("id".to_string(), id)]));
        }
        if !self.query.is_empty() {
            request = request.with_query_string_parameters(self.query);
        }
        request
    }
}

/// The response body as JSON.
pub fn body_json(response: &Response<Body>) -> serde_json::Value {
    match response.body() {
        Body::Text(text) => serde_json::from_str(text).unwrap(),
        Body::Empty => serde_json::Value::Null,
        _ => panic!("unexpected body"),
    }
}

/// Creates a ticket through the handler and returns its JSON.
pub async fn sell(
    ctx: &WriteContext,
    seller: &SessionUser,
    title: &str,
    price: u64,
) -> serde_json::Value {
    let request = Call::new("POST", "/api/tickets")
        .signed_in_as(seller)
        .body(serde_json::json!({"title": title, "price": price}))
        .build()
        .await;
    let response = tickets::handlers::create_ticket(ctx, request)
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    body_json(&response)
}
