//! What the tickets functions build once per cold start.

use crate::store::Tickets;
use ticketing::auth::Sessions;
use ticketing::config::{self, ConfigError};

impl Tickets {
    /// The table named by `TICKETS_TABLE`, with a client from the environment.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let table = config::required("TICKETS_TABLE")?;
        let sdk = ticketing::aws::sdk_config().await;
        Ok(Self::new(ticketing::aws::dynamodb(&sdk), table))
    }
}

/// The table and the sessions: what creating and editing need.
pub struct WriteContext {
    pub tickets: Tickets,
    /// Session tokens, checked against the sessions the auth domain stores.
    pub sessions: Sessions,
}

impl WriteContext {
    /// `TICKETS_TABLE` and `SESSION_PUBLIC_KEYS` (+ `USERS_TABLE`, `COOKIE_SECURE`) from the environment.
    pub async fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            sessions: Sessions::from_env().await?,
            tickets: Tickets::from_env().await?,
        })
    }
}
