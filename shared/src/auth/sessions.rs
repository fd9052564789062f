//! Sessions the server can end. A session token (a JWT) names its session (`sid`); the session
//! is open while the Users table holds it. Every authenticated request checks that with one
//! consistent GetItem, so signing out, or changing the password, ends a session at once even
//! though a copy of its cookie is still valid for its signature and expiry.
//!
//! The auth domain owns the table: only its functions open and end sessions (their IAM allows
//! the writes); every other function may only read session items (`dynamodb:GetItem` limited
//! to `SESSIONS#*` keys).
//!
//! All sessions of a user live in one item, `SESSIONS#<user id>`, one attribute per session
//! (`sid_<sid>`, holding its expiry in seconds since the epoch), so that ending every other
//! session of a user is one write. The item's `expiresAtEpoch` (the table's TTL) is the expiry
//! of its newest session; expired session attributes are removed when the user next signs in.

use super::cookie::CookieSettings;
use super::token::{now, SessionKeys, SessionToken, SessionUser};
use crate::error::{chain as error_chain, ApiError};
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use lambda_http::Request;
use std::collections::HashMap;

/// Sessions removed at most per sign-in while tidying the item (bounds one expression's size).
const MOST_EXPIRED_REMOVED_AT_ONCE: usize = 50;

/// The session store could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("sessions: {0}")]
pub struct SessionStoreError(String);

/// A session just opened: its token goes into the session cookie.
#[derive(Debug, Clone)]
pub struct OpenedSession {
    pub token: String,
    pub sid: String,
}

/// Session tokens, cookies and the stored sessions; built once per cold start.
#[derive(Clone)]
pub struct Sessions {
    client: Client,
    table: String,
    keys: SessionKeys,
    cookies: CookieSettings,
}

impl Sessions {
    /// Sessions stored in `table` (the Users table).
    pub fn new(
        client: Client,
        table: impl Into<String>,
        keys: SessionKeys,
        cookies: CookieSettings,
    ) -> Self {
        Self {
            client,
            table: table.into(),
            keys,
            cookies,
        }
    }

    /// From `USERS_TABLE`, the session keys' variables ([`SessionKeys::from_env`]) and
    /// `COOKIE_SECURE`, with a DynamoDB client from the environment.
    pub async fn from_env() -> Result<Self, crate::config::ConfigError> {
        let sdk = crate::aws::sdk_config().await;
        Ok(Self::new(
            crate::aws::dynamodb(&sdk),
            crate::config::required("USERS_TABLE")?,
            SessionKeys::from_env(&sdk)?,
            CookieSettings::from_env()?,
        ))
    }

    /// The token keys.
    pub fn keys(&self) -> &SessionKeys {
        &self.keys
    }

    /// The cookie settings.
    pub fn cookies(&self) -> &CookieSettings {
        &self.cookies
    }

    /// The request's session, if its cookie holds a valid token whose session is still open.
    pub async fn current(&self, request: &Request) -> Result<Option<SessionToken>, ApiError> {
        let Some(token) = self
            .cookies
            .session_token(request)
            .and_then(|token| self.keys.verify(&token).ok())
        else {
            return Ok(None);
        };
        let open = self.is_open(&token).await.map_err(ApiError::internal)?;
        Ok(open.then_some(token))
    }

    /// Whether the session a verified token names is still stored (one consistent GetItem).
    pub async fn is_open(&self, token: &SessionToken) -> Result<bool, SessionStoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", key(&token.user.id))
            .projection_expression("#session")
            .expression_attribute_names("#session", attribute(&token.sid))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| SessionStoreError(error_chain(&e.into_service_error())))?;
        let expires_at = output
            .item
            .as_ref()
            .and_then(|item| item.get(&attribute(&token.sid)))
            .and_then(|value| value.as_n().ok())
            .and_then(|n| n.parse::<u64>().ok());
        Ok(expires_at.is_some_and(|at| at > now()))
    }

    /// Opens a session for `user` (auth domain only): stores it and signs its token. Removes
    /// the user's expired sessions on the way.
    pub async fn open(&self, user: &SessionUser) -> Result<OpenedSession, SessionStoreError> {
        let sid = uuid::Uuid::new_v4().simple().to_string();
        let issued_at = now();
        let expires_at = issued_at + self.keys.ttl_seconds();
        // Signed first: a signing key that cannot be read leaves nothing stored.
        let token = self
            .keys
            .issue_at(user, &sid, issued_at)
            .await
            .map_err(|e| SessionStoreError(e.to_string()))?;
        let expired = self.expired_sessions(&user.id, issued_at).await?;
        let mut names = HashMap::from([("#session".to_string(), attribute(&sid))]);
        let mut update = "SET #session = :expires, expiresAtEpoch = :expires".to_string();
        if !expired.is_empty() {
            let placeholders: Vec<String> =
                (0..expired.len()).map(|i| format!("#old{i}")).collect();
            update.push_str(&format!(" REMOVE {}", placeholders.join(", ")));
            names.extend(placeholders.into_iter().zip(expired));
        }
        self.client
            .update_item()
            .table_name(&self.table)
            .key("pk", key(&user.id))
            .update_expression(update)
            .set_expression_attribute_names(Some(names))
            .expression_attribute_values(":expires", AttributeValue::N(expires_at.to_string()))
            .send()
            .await
            .map_err(|e| SessionStoreError(error_chain(&e.into_service_error())))?;
        Ok(OpenedSession { token, sid })
    }

    /// Ends one session (auth domain only); ending one that is already over changes nothing.
    pub async fn end(&self, session: &SessionToken) -> Result<(), SessionStoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("pk", key(&session.user.id))
            .update_expression("REMOVE #session")
            .expression_attribute_names("#session", attribute(&session.sid))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| SessionStoreError(error_chain(&e.into_service_error())))
    }

    /// Ends every session of the user but `kept` (auth domain only), in one write.
    pub async fn end_all_but(&self, kept: &SessionToken) -> Result<(), SessionStoreError> {
        let expires_at = AttributeValue::N(kept.expires_at.to_string());
        let item = HashMap::from([
            ("pk".to_string(), key(&kept.user.id)),
            (attribute(&kept.sid), expires_at.clone()),
            ("expiresAtEpoch".to_string(), expires_at),
        ]);
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| SessionStoreError(error_chain(&e.into_service_error())))
    }

    /// The attribute names of the user's sessions that expired by `now_seconds`.
    async fn expired_sessions(
        &self,
        user_id: &str,
        now_seconds: u64,
    ) -> Result<Vec<String>, SessionStoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", key(user_id))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| SessionStoreError(error_chain(&e.into_service_error())))?;
        let item = output.item.unwrap_or_default();
        Ok(item
            .iter()
            .filter(|(name, _)| name.starts_with(SESSION_ATTRIBUTE_PREFIX))
            .filter(|(_, value)| {
                value
                    .as_n()
                    .ok()
                    .and_then(|n| n.parse::<u64>().ok())
                    .is_none_or(|at| at <= now_seconds)
            })
            .map(|(name, _)| name.clone())
            .take(MOST_EXPIRED_REMOVED_AT_ONCE)
            .collect())
    }
}

/// The signed-in user, or 401 for a request without a valid token of an open session.
pub async fn require_user(request: &Request, sessions: &Sessions) -> Result<SessionUser, ApiError> {
    Ok(require_session(request, sessions).await?.user)
}

/// The request's open session, or 401.
pub async fn require_session(
    request: &Request,
    sessions: &Sessions,
) -> Result<SessionToken, ApiError> {
    sessions
        .current(request)
        .await?
        .ok_or(ApiError::NotAuthorized)
}

const SESSION_ATTRIBUTE_PREFIX: &str = "sid_";

/// The key of a user's sessions item. User items are keyed by an email, which has an `@` and
/// is lower-cased; this key has neither, so the two never meet.
fn key(user_id: &str) -> AttributeValue {
    AttributeValue::S(format!("SESSIONS#{user_id}"))
}

fn attribute(sid: &str) -> String {
    format!("{SESSION_ATTRIBUTE_PREFIX}{sid}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sessions_key_cannot_be_a_users_key() {
        let AttributeValue::S(key) = key("0b6f7d0e-8d0c-4a41-9d1a-1d9f3c0e4d11") else {
            panic!("string key expected")
        };
        assert!(key.starts_with("SESSIONS#"));
        assert!(!key.contains('@'));
        assert_ne!(key.to_lowercase(), key);
    }
}
