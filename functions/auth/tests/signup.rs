//! POST /api/users/signup against a real (moto) DynamoDB table.

mod support;

use auth::handlers::signup;
use support::*;

#[tokio::test]
async fn signup_creates_the_user_and_sets_a_session_cookie() {
    // GIVEN a fresh table
    let ctx = fresh_context().await;
    let email = unique_email();
    // WHEN someone signs up
    let response = signup(
        &ctx,
        post(
            "/api/users/signup",
            &format!(r#"{{"email":"{email}","password":"password123"}}"#),
        ),
    )
    .await
    .unwrap();
    // THEN 201 with {id,email} and an HttpOnly, SameSite=Lax, Secure session cookie
    assert_eq!(response.status(), 201);
    let body = body_json(&response);
    assert_eq!(body["email"], email);
    assert!(body["id"].as_str().is_some_and(|id| !id.is_empty()));
    assert!(body.get("password").is_none() && body.get("passwordHash").is_none());
    let cookie = set_cookies(&response)
        .into_iter()
        .find(|c| c.starts_with("__Host-session="))
        .unwrap();
    for attribute in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
}

#[tokio::test]
async fn signup_refuses_invalid_input_with_a_message_per_field() {
    let ctx = fresh_context().await;
    let long_password = "p".repeat(129);
    let cases: [(&str, String, &[&str]); 8] = [
        (
            "invalid email",
            r#"{"email":"not-an-email","password":"password123"}"#.into(),
            &["email"],
        ),
        (
            "password too short",
            r#"{"email":"a@example.com","password":"short"}"#.into(),
            &["password"],
        ),
        (
            "password too long",
            format!(r#"{{"email":"a@example.com","password":"{long_password}"}}"#),
            &["password"],
        ),
        (
            "missing email",
            r#"{"password":"password123"}"#.into(),
            &["email"],
        ),
        (
            "missing password",
            r#"{"email":"a@example.com"}"#.into(),
            &["password"],
        ),
        ("both missing", "{}".into(), &["email", "password"]),
        (
            "empty strings",
            r#"{"email":"","password":""}"#.into(),
            &["email", "password"],
        ),
        (
            "email not a string",
            r#"{"email":42,"password":"password123"}"#.into(),
            &[],
        ),
    ];
    for (why, body, fields) in cases {
        let error = signup(&ctx, post("/api/users/signup", &body))
            .await
            .expect_err(why);
        assert_eq!(error.status_code(), 400, "{why}");
        let named: Vec<_> = error
            .errors()
            .iter()
            .filter_map(|e| e.field.clone())
            .collect();
        assert_eq!(named, fields, "{why}");
        assert!(
            error.errors().iter().all(|e| !e.message.is_empty()),
            "{why}"
        );
    }
}

#[tokio::test]
async fn signup_refuses_a_body_that_is_not_json() {
    let ctx = fresh_context().await;
    for body in ["", "not json", "[1,2]"] {
        let error = signup(&ctx, post("/api/users/signup", body))
            .await
            .expect_err(body);
        assert_eq!(error.status_code(), 400, "{body:?}");
    }
}

#[tokio::test]
async fn signup_refuses_an_email_already_in_use_whatever_its_case() {
    // GIVEN a user signed up as alice@...
    let ctx = fresh_context().await;
    let email = unique_email();
    let first = signup(
        &ctx,
        post(
            "/",
            &format!(r#"{{"email":"{email}","password":"password123"}}"#),
        ),
    )
    .await
    .unwrap();
    assert_eq!(first.status(), 201);
    // WHEN the same address signs up again in upper case
    let again = format!(
        r#"{{"email":"{}","password":"another-pass"}}"#,
        email.to_uppercase()
    );
    let error = signup(&ctx, post("/", &again)).await.unwrap_err();
    // THEN 409, naming the email field
    assert_eq!(error.status_code(), 409);
    assert_eq!(error.errors()[0].field.as_deref(), Some("email"));
    assert_eq!(error.errors()[0].message, "Email in use");
}

#[tokio::test]
async fn concurrent_signups_with_one_email_create_exactly_one_user() {
    let ctx = std::sync::Arc::new(fresh_context().await);
    let body = format!(
        r#"{{"email":"{}","password":"password123"}}"#,
        unique_email()
    );
    let attempts = (0..6).map(|_| {
        let (ctx, body) = (ctx.clone(), body.clone());
        tokio::spawn(async move {
            signup(&ctx, post("/", &body))
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or_else(|e| e.status_code())
        })
    });
    let mut statuses = Vec::new();
    for attempt in attempts {
        statuses.push(attempt.await.unwrap());
    }
    statuses.sort();
    assert_eq!(statuses, [201, 409, 409, 409, 409, 409]);
}

#[tokio::test]
async fn an_email_that_is_the_same_after_nfkc_and_lower_casing_is_the_same_account() {
    let ctx = fresh_context().await;
    let local_part = format!("alice-{}", uuid::Uuid::new_v4().simple());
    let plain = format!("{local_part}@example.com");
    // the same address with a fullwidth "a" (U+FF41) in front
    let fullwidth = format!("\u{ff41}{}@example.com", &local_part[1..]);
    let body = |email: &str| format!(r#"{{"email":"{email}","password":"password123"}}"#);

    let first = signup(&ctx, post("/", &body(&fullwidth))).await.unwrap();
    assert_eq!(first.status(), 201);
    assert_eq!(body_json(&first)["email"], plain.as_str());
    let second = signup(&ctx, post("/", &body(&plain))).await.unwrap_err();
    assert_eq!(second.status_code(), 409);
    for email in [&plain, &fullwidth] {
        let response = auth::handlers::signin(&ctx, post("/", &body(email)))
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{email}");
    }
}
