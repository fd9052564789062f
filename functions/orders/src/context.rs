//! What the orders functions build once per cold start.

use crate::expiry::{ExpirySchedules, ExpiryTarget};
use crate::store::Orders;
use ticketing::auth::Sessions;
use ticketing::config::{self, ConfigError};

impl Orders {
    /// The table named by `ORDERS_TABLE`, with a client from the environment.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let table = config::required("ORDERS_TABLE")?;
        let sdk = ticketing::aws::sdk_config().await;
        Ok(Self::new(ticketing::aws::dynamodb(&sdk), table))
    }
}

/// The table and the sessions: what listing, showing and cancelling orders need.
pub struct OrdersContext {
    pub orders: Orders,
    /// Session tokens, checked against the sessions the auth domain stores.
    pub sessions: Sessions,
}

impl OrdersContext {
    /// `ORDERS_TABLE` and `SESSION_PUBLIC_KEYS` (+ `USERS_TABLE`, `COOKIE_SECURE`) from the environment.
    pub async fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            sessions: Sessions::from_env().await?,
            orders: Orders::from_env().await?,
        })
    }
}

/// What settles an order (cancel, payment): the table and the expiry schedules, so that a
/// settled order's schedule is removed.
pub struct SettleContext {
    pub orders: Orders,
    pub expiry: ExpirySchedules,
}

impl SettleContext {
    /// `ORDERS_TABLE` and `EXPIRY_SCHEDULE_GROUP` from the environment.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let sdk = ticketing::aws::sdk_config().await;
        Ok(Self {
            orders: Orders::new(
                ticketing::aws::dynamodb(&sdk),
                config::required("ORDERS_TABLE")?,
            ),
            expiry: ExpirySchedules::from_env(&sdk)?,
        })
    }
}

/// What the buyer's cancel needs: settling, and the sessions.
pub struct CancelContext {
    pub settle: SettleContext,
    /// Session tokens, checked against the sessions the auth domain stores.
    pub sessions: Sessions,
}

impl CancelContext {
    /// The settle context plus `SESSION_PUBLIC_KEYS` (+ `USERS_TABLE`, `COOKIE_SECURE`).
    pub async fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            sessions: Sessions::from_env().await?,
            settle: SettleContext::from_env().await?,
        })
    }
}

/// Everything a reservation needs: the table, the sessions, the expiry schedules and the window.
pub struct ReserveContext {
    pub orders: Orders,
    /// Session tokens, checked against the sessions the auth domain stores.
    pub sessions: Sessions,
    pub expiry: ExpirySchedules,
    pub target: ExpiryTarget,
    /// How long an order holds its ticket before it expires.
    pub ttl_seconds: u64,
}

impl ReserveContext {
    /// From `ORDERS_TABLE`, `SESSION_PUBLIC_KEYS` (+ `USERS_TABLE`, `COOKIE_SECURE`), `ORDER_TTL_SECONDS` (default 900), `EXPIRY_SCHEDULE_GROUP`,
    /// `EXPIRY_QUEUE_ARN`, `EXPIRY_DLQ_ARN` and `SCHEDULER_ROLE_ARN`.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let sdk = ticketing::aws::sdk_config().await;
        let target = ExpiryTarget {
            queue_arn: config::required("EXPIRY_QUEUE_ARN")?,
            role_arn: config::required("SCHEDULER_ROLE_ARN")?,
            dead_letter_arn: config::required("EXPIRY_DLQ_ARN")?,
        };
        Ok(Self {
            orders: Orders::new(
                ticketing::aws::dynamodb(&sdk),
                config::required("ORDERS_TABLE")?,
            ),
            sessions: Sessions::from_env().await?,
            expiry: ExpirySchedules::from_env(&sdk)?,
            target,
            ttl_seconds: config::parsed_or("ORDER_TTL_SECONDS", 900u64)?,
        })
    }
}
