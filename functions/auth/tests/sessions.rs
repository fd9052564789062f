//! Sessions end on the server: a copied cookie stops working after sign-out, and changing the
//! password ends every other session of the user while keeping the current one.

mod support;

use auth::handlers::{change_password, current_user, signin, signout, signup};
use auth::AuthContext;
use serde_json::{json, Value};
use support::*;
use ticketing::ApiError;

fn credentials(email: &str, password: &str) -> String {
    format!(r#"{{"email":"{email}","password":"{password}"}}"#)
}

async fn signed_up(ctx: &AuthContext) -> (String, String) {
    let email = unique_email();
    let response = signup(ctx, post("/", &credentials(&email, "password123")))
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    (email, session_cookie(&response))
}

async fn signed_in(ctx: &AuthContext, email: &str, password: &str) -> String {
    let response = signin(ctx, post("/", &credentials(email, password)))
        .await
        .unwrap();
    session_cookie(&response)
}

/// Who the cookie's session belongs to, as GET /api/users/currentuser answers.
async fn who(ctx: &AuthContext, cookie: &str) -> Value {
    let response = current_user(&ctx.sessions, get_with_cookie("/", Some(cookie)))
        .await
        .unwrap();
    body_json(&response)["currentUser"].clone()
}

fn change(current: &str, new: &str) -> String {
    json!({ "currentPassword": current, "newPassword": new }).to_string()
}

#[tokio::test]
async fn a_copied_cookie_stops_working_after_sign_out() {
    let ctx = fresh_context().await;
    let (email, cookie) = signed_up(&ctx).await;
    let copy = cookie.clone();
    assert_eq!(who(&ctx, &copy).await["email"], email.as_str());

    signout(&ctx.sessions, post_with_cookie("/", "", &cookie))
        .await
        .unwrap();

    // the token in the copy is still well signed and unexpired, but its session is over
    assert_eq!(who(&ctx, &copy).await, Value::Null);
}

#[tokio::test]
async fn signing_out_ends_only_that_session() {
    let ctx = fresh_context().await;
    let (email, laptop) = signed_up(&ctx).await;
    let phone = signed_in(&ctx, &email, "password123").await;
    signout(&ctx.sessions, post_with_cookie("/", "", &laptop))
        .await
        .unwrap();
    assert_eq!(who(&ctx, &laptop).await, Value::Null);
    assert_eq!(who(&ctx, &phone).await["email"], email.as_str());
}

#[tokio::test]
async fn changing_the_password_ends_every_other_session_and_keeps_this_one() {
    let ctx = fresh_context().await;
    let (email, here) = signed_up(&ctx).await;
    let elsewhere = signed_in(&ctx, &email, "password123").await;

    let response = change_password(
        &ctx,
        post_with_cookie("/", &change("password123", "a-new-password-456"), &here),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 204);

    assert_eq!(
        who(&ctx, &elsewhere).await,
        Value::Null,
        "the other session"
    );
    assert_eq!(
        who(&ctx, &here).await["email"],
        email.as_str(),
        "this session"
    );
    // the old password no longer signs in; the new one does
    let old = signin(&ctx, post("/", &credentials(&email, "password123"))).await;
    assert_eq!(old.unwrap_err().status_code(), 400);
    let new = signin(&ctx, post("/", &credentials(&email, "a-new-password-456")))
        .await
        .unwrap();
    assert_eq!(new.status(), 200);
}

#[tokio::test]
async fn a_wrong_current_password_is_refused_and_counts_as_a_failed_try() {
    let ctx = fresh_context().await;
    let (email, cookie) = signed_up(&ctx).await;
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let outcome = change_password(
            &ctx,
            post_with_cookie(
                "/",
                &change("not-my-password", "a-new-password-456"),
                &cookie,
            ),
        )
        .await;
        let error = outcome.expect_err("a wrong current password changes nothing");
        if error.status_code() == 400 {
            assert_eq!(error.errors()[0].field.as_deref(), Some("currentPassword"));
        }
        statuses.push(error.status_code());
    }
    // five free tries, the sixth is checked and arms the account's pause
    assert_eq!(statuses, [400, 400, 400, 400, 400, 400, 429]);
    // and the password is unchanged: a client without a device cookie is paused too
    let outcome = signin(&ctx, post("/", &credentials(&email, "password123"))).await;
    assert_eq!(outcome.unwrap_err().status_code(), 429);
}

#[tokio::test]
async fn bad_input_to_a_password_change_names_the_field() {
    let ctx = fresh_context().await;
    let (email, cookie) = signed_up(&ctx).await;
    let cases = [
        ("{}", vec!["currentPassword", "newPassword"]),
        (r#"{"currentPassword":"password123"}"#, vec!["newPassword"]),
        (&change("password123", "short") as &str, vec!["newPassword"]),
        (&change("", "a-new-password-456"), vec!["currentPassword"]),
        (&change("password123", "password123"), vec!["newPassword"]),
    ];
    for (body, fields) in cases {
        let error = change_password(&ctx, post_with_cookie("/", body, &cookie))
            .await
            .expect_err(body);
        assert_eq!(error.status_code(), 400, "{body}");
        let named: Vec<_> = error
            .errors()
            .iter()
            .filter_map(|e| e.field.clone())
            .collect();
        assert_eq!(named, fields, "{body}");
    }
    // and the password is still the old one
    let response = signin(&ctx, post("/", &credentials(&email, "password123")))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_password_change_needs_an_open_session() {
    let ctx = fresh_context().await;
    let (_, cookie) = signed_up(&ctx).await;
    let body = change("password123", "a-new-password-456");
    let outcome: Result<_, ApiError> = change_password(&ctx, post("/", &body)).await;
    assert_eq!(outcome.unwrap_err().status_code(), 401, "no cookie");
    signout(&ctx.sessions, post_with_cookie("/", "", &cookie))
        .await
        .unwrap();
    let outcome = change_password(&ctx, post_with_cookie("/", &body, &cookie)).await;
    assert_eq!(
        outcome.unwrap_err().status_code(),
        401,
        "a signed-out cookie"
    );
}
