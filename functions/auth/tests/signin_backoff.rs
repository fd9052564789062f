//! POST /api/users/signin under guessing: a few tries per account are free, then sign-in to that
//! account pauses with a growing back-off; the answers never tell whether the account exists.

mod support;

use auth::handlers::{signin, signup};
use auth::signin_attempts::SigninPolicy;
use auth::AuthContext;
use std::time::{Duration, Instant};
use support::*;
use ticketing::ApiError;

/// Three free tries, then a one-second pause that doubles: short enough to wait out in a test.
fn short_policy() -> SigninPolicy {
    SigninPolicy {
        free_attempts: 3,
        first_pause: Duration::from_secs(1),
        longest_pause: Duration::from_secs(4),
        forget_after: Duration::from_secs(60),
    }
}

async fn context() -> AuthContext {
    fresh_context().await.with_signin_policy(short_policy())
}

async fn signed_up(ctx: &AuthContext) -> String {
    let email = unique_email();
    let body = format!(r#"{{"email":"{email}","password":"password123"}}"#);
    assert_eq!(signup(ctx, post("/", &body)).await.unwrap().status(), 201);
    email
}

fn credentials(email: &str, password: &str) -> String {
    format!(r#"{{"email":"{email}","password":"{password}"}}"#)
}

async fn try_signin(ctx: &AuthContext, email: &str, password: &str) -> Result<u16, ApiError> {
    signin(ctx, post("/", &credentials(email, password)))
        .await
        .map(|response| response.status().as_u16())
}

fn assert_paused(outcome: Result<u16, ApiError>) -> u64 {
    match outcome {
        Err(ApiError::TooManyRequests {
            message,
            retry_after_seconds,
        }) => {
            assert!(
                message.starts_with("Too many sign-in attempts"),
                "{message}"
            );
            assert!(
                (1..=4).contains(&retry_after_seconds),
                "{retry_after_seconds}"
            );
            retry_after_seconds
        }
        other => panic!("expected 429, got {other:?}"),
    }
}

fn assert_invalid_credentials(outcome: Result<u16, ApiError>) {
    match outcome {
        Err(error) => {
            assert_eq!(error.status_code(), 400, "{error:?}");
            assert_eq!(error.errors()[0].message, "Invalid credentials");
        }
        Ok(status) => panic!("expected 400, got {status}"),
    }
}

#[tokio::test]
async fn after_the_free_tries_even_the_right_password_waits_and_other_accounts_do_not() {
    let ctx = context().await;
    let victim = signed_up(&ctx).await;
    let bystander = signed_up(&ctx).await;

    // three free wrong tries, and a fourth that is checked but arms the pause
    for _ in 0..4 {
        assert_invalid_credentials(try_signin(&ctx, &victim, "wrong-password").await);
    }
    // now the right password is refused too, without checking it, until the pause ends
    assert_paused(try_signin(&ctx, &victim, "password123").await);
    // the back-off is per account
    assert_eq!(
        try_signin(&ctx, &bystander, "password123").await.unwrap(),
        200
    );
}

#[tokio::test]
async fn an_unknown_email_is_treated_exactly_like_a_known_one() {
    let ctx = context().await;
    let known = signed_up(&ctx).await;
    let unknown = unique_email();
    for email in [&known, &unknown] {
        for _ in 0..4 {
            assert_invalid_credentials(try_signin(&ctx, email, "wrong-password").await);
        }
        assert_paused(try_signin(&ctx, email, "wrong-password").await);
    }
}

#[tokio::test]
async fn the_pause_ends_and_grows_and_a_success_forgets_the_count() {
    let ctx = context().await;
    let email = signed_up(&ctx).await;
    for _ in 0..4 {
        assert_invalid_credentials(try_signin(&ctx, &email, "wrong-password").await);
    }
    assert_paused(try_signin(&ctx, &email, "wrong-password").await);

    // once the one-second pause is over, one more wrong try is checked and arms two seconds
    let after_first_pause = wait_until_not_paused(&ctx, &email, "wrong-password").await;
    assert_invalid_credentials(after_first_pause);
    let retry_after = assert_paused(try_signin(&ctx, &email, "password123").await);
    assert_eq!(retry_after, 2, "the pause doubles");

    // once that is over, the right password signs in and the count starts again from zero
    let signed_in = wait_until_not_paused(&ctx, &email, "password123").await;
    assert_eq!(signed_in.unwrap(), 200);
    for _ in 0..4 {
        assert_invalid_credentials(try_signin(&ctx, &email, "wrong-password").await);
    }
}

#[tokio::test]
async fn a_burst_of_concurrent_guesses_gets_no_more_tries_than_the_free_ones_plus_one() {
    let ctx = std::sync::Arc::new(context().await);
    let email = signed_up(&ctx).await;
    let mut guesses = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (ctx, email) = (ctx.clone(), email.clone());
        guesses.spawn(async move { try_signin(&ctx, &email, "wrong-password").await });
    }
    let outcomes = guesses.join_all().await;
    let checked = outcomes
        .iter()
        .filter(|o| matches!(o, Err(e) if e.status_code() == 400))
        .count();
    let paused = outcomes
        .iter()
        .filter(|o| matches!(o, Err(e) if e.status_code() == 429))
        .count();
    assert_eq!(checked + paused, 20, "{outcomes:?}");
    assert!(
        (1..=4).contains(&checked),
        "{checked} guesses were checked; the policy allows 3 free + 1"
    );
}

/// Tries until the answer is not a 429 (within 10 s) and returns that answer.
async fn wait_until_not_paused(
    ctx: &AuthContext,
    email: &str,
    password: &str,
) -> Result<u16, ApiError> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let outcome = try_signin(ctx, email, password).await;
        if !matches!(outcome, Err(ApiError::TooManyRequests { .. })) {
            return outcome;
        }
        assert!(Instant::now() < deadline, "still paused after 10 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
