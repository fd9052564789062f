//! The auth endpoints.

use crate::context::AuthContext;
use crate::credentials::{CredentialsBody, Email, PasswordChangeBody};
use crate::signin_attempts::Attempt;
use crate::trusted_devices;
use crate::users::{InsertUserError, User};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::json;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use ticketing::auth::{password, require_session, SessionUser, Sessions};
use ticketing::http::{empty, json, json_body, ApiResult};
use ticketing::{ApiError, FieldError};

/// POST /api/users/signup: creates the user and signs them in (201 + session and device cookies).
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
    .await
}

/// POST /api/users/signin: checks the credentials (200 + session and device cookies, or 400
/// "Invalid credentials"; 429 while sign-in is paused for this client).
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

    let (attempt, charged) = trusted_devices::claim(ctx, &request, &email, now_ms()).await?;
    if let Attempt::Paused { retry_after } = attempt {
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
            trusted_devices::succeeded(ctx, &charged, &email).await?;
            signed_in(
                ctx,
                StatusCode::OK,
                SessionUser {
                    id: user.id,
                    email: user.email,
                },
            )
            .await
        }
        _ => Err(ApiError::BadRequest(vec![FieldError::general(
            "Invalid credentials",
        )])),
    }
}

/// POST /api/users/password: checks the current password, stores the new one and ends every
/// other session of the user; this one stays signed in (204). A wrong current password is a
/// 400 on `currentPassword` and counts as a failed sign-in try.
pub async fn change_password(ctx: &AuthContext, request: Request) -> ApiResult {
    let session = require_session(&request, &ctx.sessions).await?;
    let change = json_body::<PasswordChangeBody>(&request)?
        .parse()
        .map_err(ApiError::BadRequest)?;
    let email = Email::parse(&session.user.email).map_err(|_| ApiError::NotAuthorized)?;

    let (attempt, charged) = trusted_devices::claim(ctx, &request, &email, now_ms()).await?;
    if let Attempt::Paused { retry_after } = attempt {
        return Err(too_many_attempts(retry_after));
    }
    let user = ctx
        .users
        .find(&email)
        .await
        .map_err(ApiError::internal)?
        .filter(|user| user.id == session.user.id)
        .ok_or(ApiError::NotAuthorized)?;
    if !verify_off_thread(change.current_password, user.password_hash).await? {
        return Err(ApiError::invalid(
            "currentPassword",
            "Current password is wrong",
        ));
    }
    trusted_devices::succeeded(ctx, &charged, &email).await?;

    let new_hash = hash_off_thread(change.new_password.expose().to_string()).await?;
    if !ctx
        .users
        .set_password_hash(&user.email, &user.id, &new_hash)
        .await
        .map_err(ApiError::internal)?
    {
        return Err(ApiError::NotAuthorized);
    }
    ctx.sessions
        .end_all_but(&session)
        .await
        .map_err(ApiError::internal)?;
    tracing::info!(user_id = user.id, "password changed; other sessions ended");
    empty(StatusCode::NO_CONTENT)
}

/// The answer while sign-in to an account is paused: the same whether or not the account exists.
fn too_many_attempts(retry_after: Duration) -> ApiError {
    let seconds = retry_after.as_secs_f64().ceil().max(1.0) as u64;
    ApiError::TooManyRequests {
        message: format!("Too many sign-in attempts. Try again in {seconds} s."),
        retry_after_seconds: seconds,
    }
}

/// POST /api/users/signout: ends the session on the server and clears its cookie (204).
pub async fn signout(sessions: &Sessions, request: Request) -> ApiResult {
    if let Some(session) = sessions.current(&request).await? {
        sessions.end(&session).await.map_err(ApiError::internal)?;
    }
    let mut response = empty(StatusCode::NO_CONTENT)?;
    append_cookie(&mut response, &sessions.cookies().cleared())?;
    Ok(response)
}

/// GET /api/users/currentuser: `{"currentUser":{id,email}}`, or `{"currentUser":null}` without
/// the cookie of an open session.
pub async fn current_user(sessions: &Sessions, request: Request) -> ApiResult {
    let user = sessions
        .current(&request)
        .await?
        .map(|session| session.user);
    json(StatusCode::OK, &json!({ "currentUser": user }))
}

/// The answer of a successful sign-up or sign-in: a new session, and a fresh device cookie.
async fn signed_in(ctx: &AuthContext, status: StatusCode, user: SessionUser) -> ApiResult {
    let session = ctx.sessions.open(&user).await.map_err(ApiError::internal)?;
    let mut response = json(status, &user)?;
    append_cookie(
        &mut response,
        &ctx.sessions
            .cookies()
            .session(&session.token, ctx.sessions.keys().ttl_seconds()),
    )?;
    append_cookie(
        &mut response,
        &trusted_devices::device_cookie(ctx, &user.email).await?,
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
