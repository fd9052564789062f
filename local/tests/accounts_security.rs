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

#[tokio::test]
async fn in_aws_the_cookies_are_host_prefixed_and_a_planted_plain_cookie_is_no_session() {
    // as deployed (CookieSecure=true): what a sibling subdomain could set is a plain `session`
    // cookie, never a `__Host-` one (browsers refuse a __Host- cookie with a Domain)
    let stack = Stack::start("CookieSecure=true").await;
    let email = format!("host-{}@example.com", stack.name);
    let (status, set, _) = stack
        .http(
            "POST",
            "/api/users/signup",
            None,
            credentials(&email, "password123"),
        )
        .await;
    assert_eq!(status, 201);
    for name in ["__Host-session", "__Host-device"] {
        let header = set
            .iter()
            .find(|c| c.starts_with(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name} cookie in {set:?}"));
        let attributes: Vec<String> = header
            .split(';')
            .skip(1)
            .map(|a| a.trim().to_ascii_lowercase())
            .collect();
        assert!(attributes.contains(&"secure".to_string()), "{header}");
        assert!(attributes.contains(&"path=/".to_string()), "{header}");
        assert!(
            !attributes.iter().any(|a| a.starts_with("domain")),
            "{header}"
        );
    }
    assert!(!set.iter().any(|c| c.starts_with("session=")), "{set:?}");

    // the __Host- session works; the same token planted under the plain name does not
    let session = cookie(&set, "__Host-session");
    let (status, _, _) = stack.http("GET", "/api/orders", Some(&session), None).await;
    assert_eq!(status, 200);
    let planted = session.replacen("__Host-session=", "session=", 1);
    let (status, _, _) = stack.http("GET", "/api/orders", Some(&planted), None).await;
    assert_eq!(status, 401);
    let (_, _, who) = stack
        .http("GET", "/api/users/currentuser", Some(&planted), None)
        .await;
    assert!(who["currentUser"].is_null(), "{who}");
}

#[tokio::test]
async fn an_email_written_with_compatibility_characters_is_the_same_account() {
    let stack = Stack::start("").await;
    let plain = format!("alice-{}@example.com", stack.name);
    // a fullwidth "ａ" (U+FF41) and a capital: NFKC and lower-casing make it the same address
    let lookalike = format!("\u{ff41}LICE-{}@example.com", stack.name);
    let (status, _, _) = stack
        .http(
            "POST",
            "/api/users/signup",
            None,
            credentials(&plain, "password123"),
        )
        .await;
    assert_eq!(status, 201);
    let (status, _, body) = stack
        .http(
            "POST",
            "/api/users/signup",
            None,
            credentials(&lookalike, "password123"),
        )
        .await;
    assert_eq!(status, 409, "a second account for the same address: {body}");
    let (status, _, user) = stack
        .http(
            "POST",
            "/api/users/signin",
            None,
            credentials(&lookalike, "password123"),
        )
        .await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(user["email"], plain.as_str());
}
