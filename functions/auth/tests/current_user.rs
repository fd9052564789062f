//! GET /api/users/currentuser: who the session cookie says you are, or null.

mod support;

use auth::handlers::{current_user, signup};
use serde_json::json;
use support::*;
use ticketing::auth::{SessionKeys, SessionUser};

#[tokio::test]
async fn the_cookie_from_signup_names_the_user() {
    let ctx = fresh_context().await;
    let email = unique_email();
    let response = signup(
        &ctx,
        post(
            "/",
            &format!(r#"{{"email":"{email}","password":"password123"}}"#),
        ),
    )
    .await
    .unwrap();
    let user = body_json(&response);
    let cookie = session_cookie(&response);

    let response = current_user(
        &ctx.sessions,
        get_with_cookie("/api/users/currentuser", Some(&cookie)),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        body_json(&response),
        json!({ "currentUser": { "id": user["id"], "email": email } })
    );
}

#[tokio::test]
async fn no_valid_session_means_null() {
    let ctx = fresh_context().await;
    let keys = local::testing::session_keys();
    let user = SessionUser {
        id: "u-1".into(),
        email: "a@example.com".into(),
    };
    let valid = ctx.sessions.open(&user).await.unwrap();
    let sid = valid.sid.as_str();
    let valid = valid.token;
    let expired = keys
        .issue_at(&user, sid, ticketing::auth::token::now() - 7200)
        .await
        .unwrap();
    let other_key = SessionKeys::for_seed(&ticketing::auth::token::seed_from([9; 32]), 3600)
        .unwrap()
        .issue(&user, sid)
        .await
        .unwrap();
    let unknown_session = keys.issue(&user, "a-session-never-opened").await.unwrap();
    let (_, rest) = valid.split_once('.').unwrap();
    // the header {"alg":"none","typ":"JWT"} with the valid claims and no signature
    let alg_none = format!(
        "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.",
        rest.rsplit_once('.').unwrap().0
    );

    let cases = [
        ("no cookie", None),
        ("empty cookie", Some("__Host-session=".to_string())),
        ("expired token", Some(format!("__Host-session={expired}"))),
        (
            "token signed with another key",
            Some(format!("__Host-session={other_key}")),
        ),
        ("alg none", Some(format!("__Host-session={alg_none}"))),
        ("garbage", Some("__Host-session=not.a.token".to_string())),
        (
            "a session the server never opened",
            Some(format!("__Host-session={unknown_session}")),
        ),
        (
            "the plain cookie name, which a sibling subdomain could plant",
            Some(format!("session={valid}")),
        ),
    ];
    for (why, cookie) in cases {
        let response = current_user(&ctx.sessions, get_with_cookie("/", cookie.as_deref()))
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{why}");
        assert_eq!(
            body_json(&response),
            json!({ "currentUser": null }),
            "{why}"
        );
    }
    // and the valid one is accepted, so the cases above fail for the reason they name
    let response = current_user(
        &ctx.sessions,
        get_with_cookie("/", Some(&format!("__Host-session={valid}"))),
    )
    .await
    .unwrap();
    assert_eq!(body_json(&response)["currentUser"]["id"], "u-1");
}
