//! What the auth functions build once per cold start.

use crate::signin_attempts::{SigninAttempts, SigninPolicy};
use crate::users::Users;
use ticketing::auth::{password, CookieSettings, SessionKeys, Sessions};
use ticketing::config::{self, ConfigError};

/// Clients, keys and settings shared by every invocation of an auth function.
pub struct AuthContext {
    pub users: Users,
    /// Sign-in tries per account and per trusted device, for the back-off.
    pub signin_attempts: SigninAttempts,
    /// Session tokens, cookies and the stored sessions (in the Users table).
    pub sessions: Sessions,
    /// Verified against when the email is unknown, so that an unknown email and a wrong
    /// password take about the same time ([`password::DECOY_HASH`]).
    pub decoy_hash: String,
}

impl AuthContext {
    /// Builds the context from its parts (tests use this with a fresh table).
    pub fn new(users: Users, keys: SessionKeys, cookies: CookieSettings) -> Self {
        let decoy_hash = password::DECOY_HASH.to_string();
        Self {
            signin_attempts: users.signin_attempts(SigninPolicy::default()),
            sessions: users.sessions(keys, cookies),
            users,
            decoy_hash,
        }
    }

    /// The same context with another sign-in back-off policy (tests use short pauses).
    pub fn with_signin_policy(mut self, policy: SigninPolicy) -> Self {
        self.signin_attempts = self.users.signin_attempts(policy);
        self
    }

    /// Builds the context from the environment: `USERS_TABLE` plus the session settings.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let table = config::required("USERS_TABLE")?;
        let sdk = ticketing::aws::sdk_config().await;
        let keys = SessionKeys::from_env(&sdk)?;
        let cookies = CookieSettings::from_env()?;
        Ok(Self::new(
            Users::new(ticketing::aws::dynamodb(&sdk), table),
            keys,
            cookies,
        ))
    }
}
