//! What the orders functions build once per cold start.

use crate::expiry::ExpirySchedules;
use crate::store::Orders;
use ticketing::auth::SessionKeys;
use ticketing::config::{self, ConfigError};

impl Orders {
    /// The table named by `ORDERS_TABLE`, with a client from the environment.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let table = config::required("ORDERS_TABLE")?;
        let sdk = ticketing::aws::sdk_config().await;
        Ok(Self::new(ticketing::aws::dynamodb(&sdk), table))
    }
}

/// The table and the session keys: what listing, showing and cancelling orders need.
pub struct OrdersContext {
    pub orders: Orders,
    pub keys: SessionKeys,
}

impl OrdersContext {
    /// `ORDERS_TABLE` and `JWT_SECRET` from the environment.
    pub async fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            keys: SessionKeys::from_env()?,
            orders: Orders::from_env().await?,
        })
    }
}

/// Everything a reservation needs: the table, the keys, the expiry schedules and the window.
pub struct ReserveContext {
    pub orders: Orders,
    pub keys: SessionKeys,
    pub expiry: ExpirySchedules,
    /// How long an order holds its ticket before it expires.
    pub ttl_seconds: u64,
}

impl ReserveContext {
    /// From `ORDERS_TABLE`, `JWT_SECRET`, `ORDER_TTL_SECONDS` (default 900), `EXPIRY_SCHEDULE_GROUP`,
    /// `EXPIRY_QUEUE_ARN` and `SCHEDULER_ROLE_ARN`.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let sdk = ticketing::aws::sdk_config().await;
        let expiry = ExpirySchedules {
            client: ticketing::aws::scheduler(&sdk),
            group: config::required("EXPIRY_SCHEDULE_GROUP")?,
            queue_arn: config::required("EXPIRY_QUEUE_ARN")?,
            role_arn: config::required("SCHEDULER_ROLE_ARN")?,
        };
        Ok(Self {
            orders: Orders::new(
                ticketing::aws::dynamodb(&sdk),
                config::required("ORDERS_TABLE")?,
            ),
            keys: SessionKeys::from_env()?,
            expiry,
            ttl_seconds: config::parsed_or("ORDER_TTL_SECONDS", 900u64)?,
        })
    }
}
