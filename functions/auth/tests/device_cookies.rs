//! Lockout by others: failed guesses from clients without the account's device cookie pause
//! those clients, never the owner's browser that signed in before (OWASP's device cookies).

mod support;

use auth::handlers::{signin, signout, signup};
use auth::signin_attempts::SigninPolicy;
use auth::AuthContext;
use std::time::Duration;
use support::*;
use ticketing::ApiError;

/// Three free tries, then a pause far longer than the test: nothing here waits it out.
fn policy() -> SigninPolicy {
    SigninPolicy {
        free_attempts: 3,
        first_pause: Duration::from_secs(600),
        longest_pause: Duration::from_secs(600),
        forget_after: Duration::from_secs(3600),
    }
}

fn credentials(email: &str, password: &str) -> String {
    format!(r#"{{"email":"{email}","password":"{password}"}}"#)
}

/// Signs up a victim and signs them out again; returns their email and their browser's device cookie.
async fn victim_signed_up_and_out(ctx: &AuthContext) -> (String, String) {
    let email = unique_email();
    let response = signup(ctx, post("/", &credentials(&email, "password123")))
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let device = device_cookie(&response);
    let session = session_cookie(&response);
    let cookies = format!("{session}; {device}");
    let out = signout(&ctx.sessions, post_with_cookie("/", "", &cookies))
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    (email, device)
}

fn status(outcome: Result<lambda_http::Response<lambda_http::Body>, ApiError>) -> u16 {
    match outcome {
        Ok(response) => response.status().as_u16(),
        Err(error) => error.status_code(),
    }
}

/// An attacker with no cookies guesses 20 times: each guess is refused, and they are paused (429).
async fn attacker_guesses_20_times(ctx: &AuthContext, email: &str) {
    let mut statuses = Vec::new();
    for _ in 0..20 {
        statuses.push(status(
            signin(ctx, post("/", &credentials(email, "wrong-password"))).await,
        ));
    }
    assert!(
        statuses.iter().all(|s| *s == 400 || *s == 429),
        "{statuses:?}"
    );
    assert_eq!(
        statuses.last(),
        Some(&429),
        "the attacker is throttled: {statuses:?}"
    );
}

#[tokio::test]
async fn the_owners_browser_signs_in_at_once_after_twenty_failed_guesses_from_elsewhere() {
    let ctx = fresh_context().await.with_signin_policy(policy());
    let (email, device) = victim_signed_up_and_out(&ctx).await;

    attacker_guesses_20_times(&ctx, &email).await;

    // the victim's browser, with its device cookie, signs in with the right password at once
    let response = signin(
        &ctx,
        post_with_cookie("/", &credentials(&email, "password123"), &device),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    // while a client without the cookie is still paused, even with the right password
    assert_eq!(
        status(signin(&ctx, post("/", &credentials(&email, "password123"))).await),
        429
    );
}

#[tokio::test]
async fn a_device_cookie_of_another_account_or_a_forged_one_earns_no_trust() {
    let ctx = fresh_context().await.with_signin_policy(policy());
    let (victim, _) = victim_signed_up_and_out(&ctx).await;
    let (_, attackers_own_device) = victim_signed_up_and_out(&ctx).await;
    attacker_guesses_20_times(&ctx, &victim).await;

    let forged = "__Host-device=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.forged";
    for cookie in [attackers_own_device.as_str(), forged] {
        let outcome = signin(
            &ctx,
            post_with_cookie("/", &credentials(&victim, "wrong-password"), cookie),
        )
        .await;
        assert_eq!(status(outcome), 429, "{cookie}");
    }
}

#[tokio::test]
async fn a_device_that_fails_its_own_free_tries_is_no_longer_trusted() {
    let ctx = fresh_context().await.with_signin_policy(policy());
    let (email, device) = victim_signed_up_and_out(&ctx).await;
    attacker_guesses_20_times(&ctx, &email).await;

    // the device's own free tries are checked (400), the one after arms its pause
    for _ in 0..4 {
        let outcome = signin(
            &ctx,
            post_with_cookie("/", &credentials(&email, "wrong-password"), &device),
        )
        .await;
        assert_eq!(status(outcome), 400);
    }
    // now it is an untrusted client like any other: the account's pause applies
    let outcome = signin(
        &ctx,
        post_with_cookie("/", &credentials(&email, "password123"), &device),
    )
    .await;
    assert_eq!(status(outcome), 429);
}
