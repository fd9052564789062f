//! Test support: a fresh Users table in moto per test, and request/response helpers.
// Each test binary uses a different part of this module.
#![allow(dead_code)]

use auth::users::Users;
use auth::AuthContext;
use lambda_http::{Body, Request, Response};
use ticketing::auth::CookieSettings;

/// An auth context over a brand-new, uniquely named copy of the template's Users table.
pub async fn fresh_context() -> AuthContext {
    let client = local::testing::dynamodb_client().await;
    let table = local::testing::fresh_table(&client, "UsersTable").await;
    AuthContext::new(
        Users::new(client, table),
        local::testing::session_keys(),
        CookieSettings { secure: true },
    )
}

/// A JSON POST request.
pub fn post(path: &str, body: &str) -> Request {
    lambda_http::http::Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap()
}

/// A GET request carrying `cookie` (if any) in its Cookie header.
pub fn get_with_cookie(path: &str, cookie: Option<&str>) -> Request {
    let mut builder = lambda_http::http::Request::builder()
        .method("GET")
        .uri(path);
    if let Some(cookie) = cookie {
        builder = builder.header("cookie", cookie);
    }
    builder.body(Body::Empty).unwrap()
}

/// The response body as JSON (null for an empty body).
pub fn body_json(response: &Response<Body>) -> serde_json::Value {
    match response.body() {
        Body::Text(text) => serde_json::from_str(text).unwrap(),
        Body::Binary(bytes) => serde_json::from_slice(bytes).unwrap(),
        Body::Empty => serde_json::Value::Null,
        _ => panic!("unexpected body"),
    }
}

/// Every Set-Cookie header of the response.
pub fn set_cookies(response: &Response<Body>) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

/// The `name=value` pair of the session cookie a response sets, to send back as a Cookie header.
pub fn session_cookie(response: &Response<Body>) -> String {
    let cookie = set_cookies(response)
        .into_iter()
        .find(|c| c.starts_with("__Host-session="))
        .expect("a session cookie");
    cookie.split(';').next().unwrap().to_string()
}

/// The `name=value` pair of the device cookie a response sets, to send back as a Cookie header.
pub fn device_cookie(response: &Response<Body>) -> String {
    let cookie = set_cookies(response)
        .into_iter()
        .find(|c| c.starts_with("__Host-device="))
        .expect("a device cookie");
    cookie.split(';').next().unwrap().to_string()
}

/// A JSON POST request carrying `cookie` in its Cookie header.
pub fn post_with_cookie(path: &str, body: &str, cookie: &str) -> Request {
    lambda_http::http::Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/json")
        .header("cookie", cookie)
        .body(Body::from(body))
        .unwrap()
}

/// A unique email address, so tests never collide.
pub fn unique_email() -> String {
    format!("user-{}@example.com", uuid::Uuid::new_v4().simple())
}
