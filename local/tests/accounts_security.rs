//! Account security through the whole local stack (gateway, real functions, DynamoDB Local):
//! nobody can lock a person out of a browser they signed in from before, sign-out ends the
//! session on the server for every function, and a password change ends every other session.

mod support;

use serde_json::{json, Value};
use support::Stack;

/// The `name=value` pair of the cookie `name` among a response's Set-Cookie headers.
fn cookie(set_cookies: &[String], name: &str) -> String {
    set_cookies
        .iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie in {set_cookies:?}"))
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

fn credentials(email: &str, password: &str) -> Option<Value> {
    Some(json!({ "email": email, "password": password }))
}

#[tokio::test]
async fn failed_guesses_from_elsewhere_do_not_lock_the_owner_out_and_sign_out_ends_the_session() {
    let stack = Stack::start("").await;
    let email = format!("victim-{}@example.com", stack.name);

    // the victim signs up in their browser, then signs out
    let (status, set, _) = stack
        .http(
            "POST",
            "/api/users/signup",
            None,
            credentials(&email, "password123"),
        )
        .await;
    assert_eq!(status, 201);
    // locally (plain HTTP) the cookies have their plain names; in AWS they are __Host- cookies
    let session = cookie(&set, "session");
    let device = cookie(&set, "device");
    let copied_session = session.clone();
    let (status, _, orders) = stack.http("GET", "/api/orders", Some(&session), None).await;
    assert_eq!(status, 200, "{orders}");
    let both = format!("{session}; {device}");
    let (status, _, _) = stack
        .http("POST", "/api/users/signout", Some(&both), None)
        .await;
    assert_eq!(status, 204);

    // the copied session cookie no longer works anywhere, e.g. on another function
    let (status, _, _) = stack
        .http("GET", "/api/orders", Some(&copied_session), None)
        .await;
    assert_eq!(status, 401, "a signed-out session must not list orders");

    // an attacker with no cookies fails 20 times and is throttled
    let mut statuses = Vec::new();
    for _ in 0..20 {
        let (status, _, _) = stack
            .http(
                "POST",
                "/api/users/signin",
                None,
                credentials(&email, "wrong-password"),
            )
            .await;
        statuses.push(status);
    }
    assert!(
        statuses.iter().all(|s| *s == 400 || *s == 429),
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&429),
        "the attacker is throttled: {statuses:?}"
    );

    // the victim signs in at once from their browser
    let (status, _, body) = stack
        .http(
            "POST",
            "/api/users/signin",
            Some(&device),
            credentials(&email, "password123"),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_password_change_ends_the_other_sessions_and_keeps_this_one() {
    let stack = Stack::start("").await;
    let email = format!("mover-{}@example.com", stack.name);
    let (status, set, _) = stack
        .http(
            "POST",
            "/api/users/signup",
            None,
            credentials(&email, "password123"),
        )
        .await;
    assert_eq!(status, 201);
    let here = cookie(&set, "session");
    let (status, set, _) = stack
        .http(
            "POST",
            "/api/users/signin",
            None,
            credentials(&email, "password123"),
        )
        .await;
    assert_eq!(status, 200);
    let elsewhere = cookie(&set, "session");

    let change = json!({ "currentPassword": "password123", "newPassword": "a-new-password-456" });
    let (status, _, body) = stack
        .http("POST", "/api/users/password", Some(&here), Some(change))
        .await;
    assert_eq!(status, 204, "{body}");

    let (status, _, _) = stack
        .http("GET", "/api/orders", Some(&elsewhere), None)
        .await;
    assert_eq!(status, 401, "the other session is ended");
    let (status, _, _) = stack.http("GET", "/api/orders", Some(&here), None).await;
    assert_eq!(status, 200, "this session goes on");
    let (status, _, _) = stack
        .http(
            "POST",
            "/api/users/signin",
            None,
            credentials(&email, "password123"),
        )
        .await;
    assert_eq!(status, 400, "the old password no longer signs in");
}
