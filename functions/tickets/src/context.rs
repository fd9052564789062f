//! What the tickets functions build once per cold start.

use crate::store::Tickets;
use ticketing::auth::SessionKeys;
use ticketing::config::{self, ConfigError};

impl Tickets {
    /// The table named by `TICKETS_TABLE`, with a client from the environment.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let table = config::required("TICKETS_TABLE")?;
        let sdk = ticketing::aws::sdk_config().await;
        Ok(Self::new(ticketing::aws::dynamodb(&sdk), table))
    }
}

/// The table and the session keys: what creating and editing need.
pub struct WriteContext {
    pub tickets: Tickets,
    pub keys: SessionKeys,
}

impl WriteContext {
    /// `TICKETS_TABLE` and `JWT_SECRET` from the environment.
    pub async fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            keys: SessionKeys::from_env()?,
            tickets: Tickets::from_env().await?,
        })
    }
}
