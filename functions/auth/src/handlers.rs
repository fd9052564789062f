//! The four auth endpoints.

use crate::context::AuthContext;
use crate::credentials::{CredentialsBody, Email};
use crate::signin_attempts::Attempt;
use crate::users::{InsertUserError, User};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::json;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use ticketing::auth::{self, password, CookieSettings, SessionKeys, SessionUser};
use ticketing::http::{empty, json, json_body, ApiResult};
use ticketing::{ApiError, FieldError};

/// POST /api/users/signup: creates the user and signs them in (201 + session cookie).
pub async fn signup(ctx: &AuthContext, request: Request) -> ApiResult {
    let credentials = json_body::<CredentialsBody>(&request)?
        .parse()
        .map_err(ApiError::BadRequest)?;
    let password_hash = hash_off_thread(credentials.password.expose().to_string()).await?;
    let user = User {
        id: uuid::Uuid::new_v4().to_string(),
        email: credentials.email.as_str().to_string(),
        password_hash,
        created_at_ms: now_ms(),
    };
    match ctx.users.insert(&user).await {
        Ok(()) => {}
        Err(InsertUserError::EmailTaken) => {
            return Err(ApiError::Conflict(FieldError::new("email", "Email in use")));
        }
        Err(InsertUserError::Storage(error)) => return Err(ApiError::internal(error)),
    }
    tracing::info!(user_id = user.id, "user signed up");
    signed_in(
        ctx,
        StatusCode::CREATED,
        SessionUser {
            id: user.id,
            email: user.email,
        },
    )
}

/// POST /api/users/signin: checks the credentials (200 + session cookie, or 400 "Invalid credentials").
pub async fn signin(ctx: &AuthContext, request: Request) -> ApiResult {
    let body = json_body::<CredentialsBody>(&request)?;
    let mut errors = Vec::new();
    let email = match body.email.as_deref() {
        None | Some("") => {
            errors.push(FieldError::new("email", "Email is required"));
            None
        }
        Some(raw) => Email::parse(raw).map_err(|e| errors.push(e)).ok(),
    };
    let password = body.password.filter(|p| !p.is_empty());
    if password.is_none() {
        errors.push(FieldError::new("password", "Password is required"));
    }
    let (Some(email), Some(password)) = (email, password) else {
        return Err(ApiError::BadRequest(errors));
    };

    if let Attempt::Paused { retry_after } = ctx
        .signin_attempts
        .claim(&email, now_ms())
        .await
        .map_err(ApiError::internal)?
    {
        return Err(too_many_attempts(retry_after));
    }

    let user = ctx.users.find(&email).await.map_err(ApiError::internal)?;
    // An unknown email still costs one verification, so timing does not reveal which emails exist.
    let stored_hash = user
        .as_ref()
        .map_or_else(|| ctx.decoy_hash.clone(), |u| u.password_hash.clone());
    let matches = verify_off_thread(password, stored_hash).await?;
    match user {
        Some(user) if matches => {
            ctx.signin_attempts
                .succeeded(&email)
                .await
                .map_err(ApiError::internal)?;
            signed_in(
                ctx,
                StatusCode::OK,
                SessionUser {
                    id: user.id,
                    email: user.email,
                },
            )
        }
        _ => Err(ApiError::BadRequest(vec![FieldError::general(
            "Invalid credentials",
        )])),
    }
}

/// The answer while sign-in to an account is paused: the same whether or not the account exists.
fn too_many_attempts(retry_after: Duration) -> ApiError {
    let seconds = retry_after.as_secs_f64().ceil().max(1.0) as u64;
    ApiError::TooManyRequests {
        message: format!("Too many sign-in attempts. Try again in {seconds} s."),
        retry_after_seconds: seconds,
    }
}

/// POST /api/users/signout: clears the session cookie (204).
pub async fn signout(cookies: &CookieSettings, _request: Request) -> ApiResult {
    let mut response = empty(StatusCode::NO_CONTENT)?;
    append_cookie(&mut response, &cookies.cleared())?;
    Ok(response)
}

/// GET /api/users/currentuser: `{"currentUser":{id,email}}`, or `{"currentUser":null}` without a valid session.
pub async fn current_user(keys: &SessionKeys, request: Request) -> ApiResult {
    let user = auth::current_user(&request, keys);
    json(StatusCode::OK, &json!({ "currentUser": user }))
}

fn signed_in(ctx: &AuthContext, status: StatusCode, user: SessionUser) -> ApiResult {
    let token = ctx.keys.issue(&user).map_err(ApiError::internal)?;
    let mut response = json(status, &user)?;
    append_cookie(
        &mut response,
        &ctx.cookies.session(&token, ctx.keys.ttl_seconds()),
    )?;
    Ok(response)
}

fn append_cookie(response: &mut Response<Body>, cookie: &str) -> Result<(), ApiError> {
    let value = cookie.parse().map_err(ApiError::internal)?;
    response.headers_mut().append("set-cookie", value);
    Ok(())
}

// argon2 is deliberately slow; keep it off the async worker threads.
async fn hash_off_thread(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || password::hash(&password))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)
}

async fn verify_off_thread(password: String, stored_hash: String) -> Result<bool, ApiError> {
    tokio::task::spawn_blocking(move || password::verify(&password, &stored_hash))
        .await
        .map_err(ApiError::internal)
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
