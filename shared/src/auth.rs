//! Authentication shared by every function: passwords, session tokens and the session cookie.

pub mod cookie;
pub mod password;
pub mod token;

pub use cookie::CookieSettings;
pub use token::{SessionKeys, SessionUser};

use crate::error::ApiError;
use lambda_http::Request;

/// The signed-in user of a request, if its session cookie holds a valid token.
pub fn current_user(request: &Request, keys: &SessionKeys) -> Option<SessionUser> {
    let token = cookie::session_token(request)?;
    keys.verify(&token).ok()
}

/// The signed-in user, or 401 for a request without a valid session.
pub fn require_user(request: &Request, keys: &SessionKeys) -> Result<SessionUser, ApiError> {
    current_user(request, keys).ok_or(ApiError::NotAuthorized)
}
