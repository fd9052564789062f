//! POST /api/users/signin and POST /api/users/signout.

mod support;

use auth::handlers::{signin, signout, signup};
use std::time::{Duration, Instant};
use support::*;

async fn signed_up(ctx: &auth::AuthContext) -> String {
    let email = unique_email();
    let body = format!(r#"{{"email":"{email}","password":"password123"}}"#);
    assert_eq!(signup(ctx, post("/", &body)).await.unwrap().status(), 201);
    email
}

#[tokio::test]
async fn signin_with_valid_credentials_sets_a_session_cookie() {
    let ctx = fresh_context().await;
    let email = signed_up(&ctx).await;
    // the address is matched case-insensitively
    let body = format!(
        r#"{{"email":"{}","password":"password123"}}"#,
        email.to_uppercase()
    );
    let response = signin(&ctx, post("/api/users/signin", &body))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(body_json(&response)["email"], email);
    assert!(session_cookie(&response).len() > "__Host-session=".len());
}

#[tokio::test]
async fn unknown_email_and_wrong_password_get_the_same_answer() {
    let ctx = fresh_context().await;
    let email = signed_up(&ctx).await;
    let wrong_password = format!(r#"{{"email":"{email}","password":"wrong-password"}}"#);
    let unknown_email = format!(
        r#"{{"email":"{}","password":"password123"}}"#,
        unique_email()
    );

    let a = signin(&ctx, post("/", &wrong_password)).await.unwrap_err();
    let b = signin(&ctx, post("/", &unknown_email)).await.unwrap_err();
    for error in [&a, &b] {
        assert_eq!(error.status_code(), 400);
        assert_eq!(error.errors().len(), 1);
        assert_eq!(error.errors()[0].message, "Invalid credentials");
        assert_eq!(error.errors()[0].field, None);
    }
}

#[tokio::test]
async fn unknown_email_costs_a_password_check_too() {
    // Both paths verify one argon2 hash; compare the fastest of a few tries of each, so a
    // slow moment of the machine does not decide. "Same order of magnitude" is the bar.
    let ctx = fresh_context().await;
    let email = signed_up(&ctx).await;
    let wrong_password = format!(r#"{{"email":"{email}","password":"wrong-password"}}"#);
    let unknown_email = format!(
        r#"{{"email":"{}","password":"password123"}}"#,
        unique_email()
    );
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        let start = Instant::now();
        let _ = signin(&ctx, post("/", &wrong_password)).await;
        known.push(start.elapsed());
        let start = Instant::now();
        let _ = signin(&ctx, post("/", &unknown_email)).await;
        unknown.push(start.elapsed());
    }
    let fastest = |durations: Vec<Duration>| durations.into_iter().min().unwrap();
    let (known, unknown) = (fastest(known), fastest(unknown));
    assert!(
        unknown * 10 > known && known * 10 > unknown,
        "wrong password {known:?} vs unknown email {unknown:?}"
    );
}

#[tokio::test]
async fn signin_with_missing_fields_names_them() {
    let ctx = fresh_context().await;
    let error = signin(&ctx, post("/", "{}")).await.unwrap_err();
    assert_eq!(error.status_code(), 400);
    let fields: Vec<_> = error
        .errors()
        .iter()
        .filter_map(|e| e.field.clone())
        .collect();
    assert_eq!(fields, ["email", "password"]);
}

#[tokio::test]
async fn signout_clears_the_cookie() {
    let ctx = fresh_context().await;
    let response = signout(&ctx.sessions, post("/api/users/signout", ""))
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let cookies = set_cookies(&response);
    assert_eq!(cookies.len(), 1);
    assert!(cookies[0].starts_with("__Host-session=;"), "{}", cookies[0]);
    assert!(cookies[0].contains("Max-Age=0") && cookies[0].contains("Expires=Thu, 01 Jan 1970"));
}
