//! Stripe Connect through async-stripe: a seller's Express account, its onboarding link, the
//! charge that paid an order, and the transfer of the seller's share. Every request that creates
//! something carries an Idempotency-Key derived from what it is for, so a retry never makes a
//! second one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use stripe::{Client, ClientBuilder, IdempotencyKey, RequestStrategy, StripeError, StripeRequest};
use stripe_connect::account::{
    CreateAccount, CreateAccountCapabilities, CreateAccountCapabilitiesTransfers, CreateAccountType,
};
use stripe_connect::account_link::{CreateAccountLink, CreateAccountLinkType};
use stripe_connect::transfer::{CreateTransfer, ListTransfer};
use stripe_core::payment_intent::RetrievePaymentIntent;
use stripe_shared::Account;
use ticketing::aws::SdkConfig;
use ticketing::config::ConfigError;
use ticketing::money::Cents;
use ticketing::secrets::Secret;

/// Why a Stripe request did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum StripeFailure {
    /// Timed out, unreachable, 5xx or 429: the same request may work in a moment.
    #[error("stripe is unavailable: {0}")]
    Unavailable(String),
    /// Stripe refused it, or answered something unusable.
    #[error("stripe: {0}")]
    Refused(String),
}

impl From<StripeError> for StripeFailure {
    fn from(error: StripeError) -> Self {
        match &error {
            StripeError::Timeout | StripeError::ClientError(_) => {
                StripeFailure::Unavailable(error.to_string())
            }
            StripeError::Stripe(_, status) if *status >= 500 || *status == 429 => {
                StripeFailure::Unavailable(error.to_string())
            }
            _ => StripeFailure::Refused(error.to_string()),
        }
    }
}

/// How long a seller waits for Stripe before the API answers 503 (inside the 10 s timeout).
pub const WHILE_A_SELLER_WAITS: Duration = Duration::from_secs(5);
/// How long a transfer waits for a slow Stripe in the background.
pub const IN_THE_BACKGROUND: Duration = Duration::from_secs(20);

/// What Stripe says about a connected account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountState {
    pub details_submitted: bool,
    pub payouts_enabled: bool,
    pub transfers_active: bool,
}

impl AccountState {
    /// From async-stripe's Account (an API answer or `account.updated`'s object).
    pub fn of(account: &Account) -> Self {
        Self {
            details_submitted: account.details_submitted.unwrap_or(false),
            payouts_enabled: account.payouts_enabled.unwrap_or(false),
            transfers_active: account
                .capabilities
                .as_ref()
                .and_then(|c| c.transfers.as_ref())
                .is_some_and(|status| status.as_str() == "active"),
        }
    }
}

/// One transfer to a seller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferRequest<'a> {
    pub order_id: &'a str,
    pub amount: Cents,
    pub destination: &'a str,
    pub source_charge: &'a str,
}

/// A Stripe client with the secret key, which is read from Secrets Manager on the first call
/// (not at init) and again when its copy is old ([`ticketing::secrets`]); the client is made
/// again only when the key changed (a rotation).
#[derive(Clone)]
pub struct ConnectApi {
    secret_key: Secret,
    api_base: Option<String>,
    timeout: Duration,
    client: Arc<Mutex<Option<KeyedClient>>>,
}

/// A client and the key it was made with.
struct KeyedClient {
    key: Arc<str>,
    client: Arc<Client>,
}

impl ConnectApi {
    /// A client for the key in `secret_key` giving up after `timeout`; `api_base` replaces
    /// https://api.stripe.com/ when given.
    pub fn new(secret_key: Secret, api_base: Option<&str>, timeout: Duration) -> Self {
        Self {
            secret_key,
            api_base: api_base.map(str::to_string),
            timeout,
            client: Arc::new(Mutex::new(None)),
        }
    }

    /// From `STRIPE_SECRET_KEY_ARN` (the secret holding the key) and, when set and not empty,
    /// `STRIPE_API_BASE`.
    pub fn from_env(timeout: Duration, sdk: &SdkConfig) -> Result<Self, ConfigError> {
        let secret_key = Secret::from_env("STRIPE_SECRET_KEY_ARN", sdk)?;
        let base = std::env::var("STRIPE_API_BASE")
            .ok()
            .filter(|b| !b.trim().is_empty());
        Ok(Self::new(secret_key, base.as_deref(), timeout))
    }

    /// The client for the current key; a key that cannot be read now is an outage.
    async fn client(&self) -> Result<Arc<Client>, StripeFailure> {
        let key = self
            .secret_key
            .value()
            .await
            .map_err(|e| StripeFailure::Unavailable(e.to_string()))?;
        let mut cached = self.client.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(current) = cached.as_ref().filter(|c| c.key == key) {
            return Ok(current.client.clone());
        }
        let mut builder =
            ClientBuilder::new(&*key)
                .timeout(self.timeout)
                .app_info("ticketing", None, None);
        if let Some(base) = &self.api_base {
            builder = builder.url(base);
        }
        let client = Arc::new(builder.build()?);
        *cached = Some(KeyedClient {
            key,
            client: client.clone(),
        });
        Ok(client)
    }

    /// A new Express account for a seller, able to receive transfers once onboarded. The same
    /// seller asking twice gets the same account (idempotency key).
    pub async fn create_account(
        &self,
        seller_id: &str,
    ) -> Result<(String, AccountState), StripeFailure> {
        let mut transfers = CreateAccountCapabilitiesTransfers::new();
        transfers.requested = Some(true);
        let mut capabilities = CreateAccountCapabilities::new();
        capabilities.transfers = Some(transfers);
        let account = CreateAccount::new()
            .type_(CreateAccountType::Express)
            .capabilities(capabilities)
            .metadata(HashMap::from([(
                "userId".to_string(),
                seller_id.to_string(),
            )]))
            .customize()
            .request_strategy(RequestStrategy::Idempotent(key(&format!(
                "payout-account-for-{seller_id}"
            ))?))
            .send(&*self.client().await?)
            .await?;
        Ok((account.id.to_string(), AccountState::of(&account)))
    }

    /// A single-use link to Stripe's hosted onboarding for the account.
    pub async fn onboarding_link(
        &self,
        account_id: &str,
        return_url: &str,
        refresh_url: &str,
    ) -> Result<String, StripeFailure> {
        let link = CreateAccountLink::new(account_id, CreateAccountLinkType::AccountOnboarding)
            .return_url(return_url)
            .refresh_url(refresh_url)
            .send(&*self.client().await?)
            .await?;
        Ok(link.url)
    }

    /// The charge of a succeeded PaymentIntent: what funds the seller's transfer.
    pub async fn charge_of(&self, payment_intent_id: &str) -> Result<String, StripeFailure> {
        let intent = RetrievePaymentIntent::new(payment_intent_id)
            .send(&*self.client().await?)
            .await?;
        intent
            .latest_charge
            .map(|charge| charge.id().to_string())
            .ok_or_else(|| {
                StripeFailure::Refused(format!("payment intent {payment_intent_id} has no charge"))
            })
    }

    /// The transfer already made for an order, if any (its transfer group is the order id).
    pub async fn transfer_for(&self, order_id: &str) -> Result<Option<String>, StripeFailure> {
        let list = ListTransfer::new()
            .transfer_group(order_id)
            .send(&*self.client().await?)
            .await?;
        Ok(list.data.first().map(|t| t.id.to_string()))
    }

    /// Transfers a seller's share of an order; a repeat for the same order returns the first
    /// transfer (idempotency key from the order).
    pub async fn transfer(&self, request: &TransferRequest<'_>) -> Result<String, StripeFailure> {
        let amount = i64::try_from(request.amount.0).map_err(|_| {
            StripeFailure::Refused(format!("amount {} out of range", request.amount.0))
        })?;
        let transfer = CreateTransfer::new(stripe_types::Currency::USD, request.destination)
            .amount(amount)
            .transfer_group(request.order_id)
            .source_transaction(request.source_charge)
            .metadata(HashMap::from([(
                "orderId".to_string(),
                request.order_id.to_string(),
            )]))
            .customize()
            .request_strategy(RequestStrategy::Idempotent(key(&format!(
                "payout-for-order-{}",
                request.order_id
            ))?))
            .send(&*self.client().await?)
            .await?;
        Ok(transfer.id.to_string())
    }
}

fn key(text: &str) -> Result<IdempotencyKey, StripeFailure> {
    IdempotencyKey::new(text).map_err(|e| StripeFailure::Refused(format!("idempotency key: {e:?}")))
}
