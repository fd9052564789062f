//! What the payouts functions build once per cold start. Each function's configuration (and
//! each secret it needs) is read in exactly one constructor here.

use crate::model::DEFAULT_FEE_BASIS_POINTS;
use crate::store::Payouts;
use crate::stripe_api::{self, ConnectApi};
use ticketing::auth::Sessions;
use ticketing::config::{self, ConfigError};
use ticketing::secrets::Secret;

impl Payouts {
    /// The table named by `PAYOUTS_TABLE`, with a client from the environment.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let table = config::required("PAYOUTS_TABLE")?;
        let sdk = ticketing::aws::sdk_config().await;
        Ok(Self::new(ticketing::aws::dynamodb(&sdk), table))
    }
}

/// The platform's fee in basis points: `PLATFORM_FEE_BASIS_POINTS` (0 to 10 000), 1000 when unset.
pub fn fee_basis_points_from_env() -> Result<u64, ConfigError> {
    let bps = config::parsed_or("PLATFORM_FEE_BASIS_POINTS", DEFAULT_FEE_BASIS_POINTS)?;
    if bps > 10_000 {
        return Err(ConfigError::Invalid {
            name: "PLATFORM_FEE_BASIS_POINTS",
            reason: format!("{bps} is more than 10000 (100 %)"),
        });
    }
    Ok(bps)
}

/// What the payout consumers need: the table, Stripe (given time in the background), the fee.
pub struct PayoutsContext {
    pub payouts: Payouts,
    pub stripe: ConnectApi,
    pub fee_basis_points: u64,
}

impl PayoutsContext {
    /// From `PAYOUTS_TABLE`, `STRIPE_SECRET_KEY_ARN`, `STRIPE_API_BASE` (optional) and
    /// `PLATFORM_FEE_BASIS_POINTS` (optional).
    pub async fn from_env() -> Result<Self, ConfigError> {
        let sdk = ticketing::aws::sdk_config().await;
        Ok(Self {
            payouts: Payouts::from_env().await?,
            stripe: ConnectApi::from_env(stripe_api::IN_THE_BACKGROUND, &sdk)?,
            fee_basis_points: fee_basis_points_from_env()?,
        })
    }
}

/// What the seller's API needs: the table, the sessions, Stripe (while the seller waits).
pub struct SellerApiContext {
    pub payouts: Payouts,
    pub sessions: Sessions,
    pub stripe: ConnectApi,
    pub fee_basis_points: u64,
}

impl SellerApiContext {
    /// From `PAYOUTS_TABLE`, `SESSION_PUBLIC_KEYS` (+ `USERS_TABLE`, `COOKIE_SECURE`),
    /// `STRIPE_SECRET_KEY_ARN`, `STRIPE_API_BASE` (optional), `PLATFORM_FEE_BASIS_POINTS` (optional).
    pub async fn from_env() -> Result<Self, ConfigError> {
        let sdk = ticketing::aws::sdk_config().await;
        Ok(Self {
            payouts: Payouts::from_env().await?,
            sessions: Sessions::from_env().await?,
            stripe: ConnectApi::from_env(stripe_api::WHILE_A_SELLER_WAITS, &sdk)?,
            fee_basis_points: fee_basis_points_from_env()?,
        })
    }
}

/// What Stripe's Connect webhook needs: the payout consumers' context and the Connect
/// endpoint's own signing secret (not the payment webhook's).
pub struct ConnectWebhookContext {
    pub payouts: PayoutsContext,
    /// The `whsec_...` secret of the Connect webhook endpoint, read on first use.
    pub signing_secret: Secret,
}

impl ConnectWebhookContext {
    /// From `STRIPE_CONNECT_WEBHOOK_SECRET_ARN` and what [`PayoutsContext::from_env`] reads; its
    /// Stripe calls wait as briefly as a seller does, so Stripe gets an answer in time.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let sdk = ticketing::aws::sdk_config().await;
        Ok(Self {
            payouts: PayoutsContext {
                payouts: Payouts::from_env().await?,
                stripe: ConnectApi::from_env(stripe_api::WHILE_A_SELLER_WAITS, &sdk)?,
                fee_basis_points: fee_basis_points_from_env()?,
            },
            signing_secret: Secret::from_env("STRIPE_CONNECT_WEBHOOK_SECRET_ARN", &sdk)?,
        })
    }
}
