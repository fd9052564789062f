//! Device cookies (OWASP's "device cookies" against lockout): a successful sign-in gives the
//! browser a signed cookie naming the account and a random nonce. A later try at that account
//! that carries the cookie is counted against that device alone, not against the account, so
//! failed guesses from other clients never pause the owner's own browser. A device that fails
//! its own free tries is no longer trusted: its tries fall back to the account's count, paused
//! like everyone else's.

use crate::context::AuthContext;
use crate::credentials::Email;
use crate::signin_attempts::{Attempt, Counted};
use lambda_http::Request;
use ticketing::auth::cookie::DEVICE_COOKIE_MAX_AGE_SECONDS;
use ticketing::ApiError;

/// The count a sign-in try was charged to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChargedTo {
    /// The account's count: a client without a (still trusted) device cookie for it.
    Account,
    /// The count of the device whose cookie has this nonce.
    Device(String),
}

/// Claims one sign-in try at `email` for this request: from a browser with a valid device cookie
/// for `email`, on that device's count while it is not paused; otherwise on the account's.
pub async fn claim(
    ctx: &AuthContext,
    request: &Request,
    email: &Email,
    now_ms: u64,
) -> Result<(Attempt, ChargedTo), ApiError> {
    if let Some(nonce) = device_nonce(ctx, request, email) {
        let attempt = ctx
            .signin_attempts
            .claim(Counted::Device(&nonce), now_ms)
            .await
            .map_err(ApiError::internal)?;
        if attempt == Attempt::Allowed {
            return Ok((attempt, ChargedTo::Device(nonce)));
        }
    }
    let attempt = ctx
        .signin_attempts
        .claim(Counted::Account(email), now_ms)
        .await
        .map_err(ApiError::internal)?;
    Ok((attempt, ChargedTo::Account))
}

/// Forgets the count the successful try was charged to.
pub async fn succeeded(
    ctx: &AuthContext,
    charged: &ChargedTo,
    email: &Email,
) -> Result<(), ApiError> {
    let counted = match charged {
        ChargedTo::Account => Counted::Account(email),
        ChargedTo::Device(nonce) => Counted::Device(nonce),
    };
    ctx.signin_attempts
        .succeeded(counted)
        .await
        .map_err(ApiError::internal)
}

/// A `Set-Cookie` value with a fresh device cookie for `email`.
pub async fn device_cookie(ctx: &AuthContext, email: &str) -> Result<String, ApiError> {
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    let token = ctx
        .sessions
        .keys()
        .issue_device(email, &nonce, DEVICE_COOKIE_MAX_AGE_SECONDS)
        .await
        .map_err(ApiError::internal)?;
    Ok(ctx.sessions.cookies().device(&token))
}

/// The nonce of the request's device cookie, if it is valid and names `email`.
fn device_nonce(ctx: &AuthContext, request: &Request, email: &Email) -> Option<String> {
    let token = ctx.sessions.cookies().device_token(request)?;
    let device = ctx.sessions.keys().verify_device(&token).ok()?;
    (device.email == email.as_str()).then_some(device.nonce)
}
