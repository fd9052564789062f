//! A Stripe stand-in, so the product takes card payments fully offline: a faithful subset of
//! Stripe's API (PaymentIntents, PaymentMethods, Refunds, webhook endpoints, Idempotency-Key,
//! and Connect: Express accounts, account links with a hosted onboarding page, transfers),
//! webhooks signed exactly as Stripe signs them, and a stand-in for Stripe.js at `/v3/`.
//!
//! Every object it answers with or sends in a webhook is async-stripe's own type
//! (`stripe_shared::PaymentIntent`, `Charge`, `Refund`, `PaymentMethod`, `Event`) serialized with
//! its own `Serialize`, so the real `async_stripe::Client` always parses it.
//!
//! In a test:
//! ```no_run
//! # async fn example() {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
//! let stripe = stripe_standin::StandIn::start(listener, stripe_standin::Config::default()).await;
//! let secret = stripe.add_webhook_endpoint("http://127.0.0.1:9000/webhooks/stripe");
//! // point the code under test at stripe.base_url() with the key "sk_test_local", then:
//! // stripe.pay("pi_...", "4242424242424242").await
//! # }
//! ```

pub mod cards;
pub mod config;
pub mod errors;
pub mod form;
pub mod idempotency;
pub mod ids;
mod inspect;
pub mod objects;
mod onboarding;
pub mod routes;
mod server;
pub mod state;
pub mod stripe_js;
pub mod webhooks;

use std::net::SocketAddr;
use std::sync::Arc;

use stripe_shared::{Account, Charge, PaymentIntent, Refund, Transfer};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use config::{Config, Faults, RetryPolicy};
pub use errors::ApiError;
pub use webhooks::{DeliveryStatus, EventRecord};

use objects::event::RequestInfo;
use state::Shared;

/// A running stand-in. It serves until this handle is dropped.
pub struct StandIn {
    shared: Arc<Shared>,
    addr: SocketAddr,
    server: JoinHandle<()>,
}

impl StandIn {
    /// Serves the API on `listener` in a background task.
    pub async fn start(listener: TcpListener, config: Config) -> StandIn {
        let addr = listener
            .local_addr()
            .expect("a bound listener has an address");
        let shared = Arc::new(Shared::new(config));
        let server = tokio::spawn(server::serve(listener, shared.clone()));
        StandIn {
            shared,
            addr,
            server,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT/`: the base URL for `async_stripe::ClientBuilder::url`.
    pub fn base_url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    pub fn config(&self) -> &Config {
        &self.shared.config
    }

    /// Makes the API as slow and unreliable as `faults` from the next request on.
    pub fn set_faults(&self, faults: Faults) {
        *self
            .shared
            .faults
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = faults;
    }

    /// Adds a webhook endpoint for every event type; returns its signing secret (`whsec_...`),
    /// as `POST /v1/webhook_endpoints` does. Panics on a URL that is not `http://host...`.
    pub fn add_webhook_endpoint(&self, url: &str) -> String {
        let mut state = self.shared.lock();
        let endpoint = routes::webhook_endpoints::add(
            &mut state,
            url,
            vec!["*".to_string()],
            false,
            ids::now(),
        )
        .unwrap_or_else(|err| panic!("add_webhook_endpoint({url}): {err}"));
        endpoint.secret.expect("new endpoints have a secret")
    }

    /// Adds a Connect webhook endpoint (the events of connected accounts, such as
    /// `account.updated`); returns its signing secret.
    pub fn add_connect_webhook_endpoint(&self, url: &str) -> String {
        let mut state = self.shared.lock();
        let endpoint = routes::webhook_endpoints::add(
            &mut state,
            url,
            vec!["*".to_string()],
            true,
            ids::now(),
        )
        .unwrap_or_else(|err| panic!("add_connect_webhook_endpoint({url}): {err}"));
        endpoint.secret.expect("new endpoints have a secret")
    }

    /// The connected account as it is now.
    pub fn account(&self, id: &str) -> Option<Account> {
        self.shared.lock().accounts.get(id).cloned()
    }

    /// Every transfer so far, oldest first.
    pub fn transfers(&self) -> Vec<Transfer> {
        self.shared.lock().transfers.clone()
    }

    /// Finishes an account's hosted onboarding without a browser, as its "Finish" button does
    /// (`account.updated` included).
    pub fn finish_onboarding(&self, account_id: &str) -> Result<Account, ApiError> {
        let result = routes::accounts::finish_onboarding(&mut self.shared.lock(), account_id);
        self.shared.start_deliveries();
        result
    }

    /// Adds a webhook endpoint for every event type, signing with a secret of your choice (for
    /// a dev setup whose webhook handler is configured before the stand-in starts).
    pub fn add_webhook_endpoint_with_secret(&self, url: &str, secret: &str) {
        self.add_endpoint_with_secret(url, secret, false);
    }

    /// [`StandIn::add_webhook_endpoint_with_secret`] for a Connect endpoint.
    pub fn add_connect_webhook_endpoint_with_secret(&self, url: &str, secret: &str) {
        self.add_endpoint_with_secret(url, secret, true);
    }

    fn add_endpoint_with_secret(&self, url: &str, secret: &str, connect: bool) {
        let mut state = self.shared.lock();
        let id = routes::webhook_endpoints::add(
            &mut state,
            url,
            vec!["*".to_string()],
            connect,
            ids::now(),
        )
        .unwrap_or_else(|err| panic!("add_webhook_endpoint({url}): {err}"))
        .id;
        if let Some(endpoint) = state.webhook_endpoints.iter_mut().find(|e| e.id == id) {
            endpoint.secret = Some(secret.to_string());
        }
    }

    /// The PaymentIntent as it is now.
    pub fn payment_intent(&self, id: &str) -> Option<PaymentIntent> {
        self.shared.lock().payment_intents.get(id).cloned()
    }

    /// The Charge as it is now.
    pub fn charge(&self, id: &str) -> Option<Charge> {
        self.shared.lock().charges.get(id).cloned()
    }

    /// The refunds of a PaymentIntent, oldest first.
    pub fn refunds_for(&self, payment_intent: &str) -> Vec<Refund> {
        self.shared
            .lock()
            .refunds
            .iter()
            .filter(|refund| {
                refund
                    .payment_intent
                    .as_ref()
                    .is_some_and(|intent| intent.id() == payment_intent)
            })
            .cloned()
            .collect()
    }

    /// Every event so far, oldest first, with how its deliveries went.
    pub fn events(&self) -> Vec<EventRecord> {
        self.shared.lock().events.clone()
    }

    /// Delivers an event once more (as the dashboard's "Resend"): one attempt to each endpoint
    /// that wants it. Ok when all of them answered with a 2xx.
    pub async fn resend_event(&self, event_id: &str) -> Result<(), String> {
        webhooks::resend(&self.shared, event_id).await
    }

    /// Creates a PaymentIntent with the secret key, as the dashboard or another integration on
    /// the same account would: `form` is the body of `POST /v1/payment_intents`
    /// (`amount=50&currency=usd&metadata[orderId]=...`). The PaymentIntent's JSON, or Stripe's
    /// error.
    pub fn create_payment_intent(&self, form: &str) -> Result<serde_json::Value, ApiError> {
        let result = {
            let mut state = self.shared.lock();
            let request = routes::ApiRequest {
                key: routes::KeyKind::Secret,
                params: form::Form::parse(form.as_bytes()),
                info: RequestInfo {
                    id: Some(ids::new_id("req")),
                    idempotency_key: None,
                },
                now: ids::now(),
            };
            routes::payment_intents::create(&mut state, &request)
        };
        self.shared.start_deliveries();
        result
    }

    /// Pays a PaymentIntent with a test card, without a browser: makes a PaymentMethod with
    /// `card_number` (expiring in two years, CVC 123) and confirms the PaymentIntent with it,
    /// through the same code as `POST /v1/payment_intents/{id}/confirm`, events and webhooks
    /// included. A decline is `Err` with Stripe's `card_error`, as the API answers.
    pub async fn pay(
        &self,
        payment_intent: &str,
        card_number: &str,
    ) -> Result<PaymentIntent, ApiError> {
        let result = {
            let mut state = self.shared.lock();
            let now = ids::now();
            let card = routes::payment_methods::test_card(card_number)?;
            let payment_method = routes::payment_methods::create_card(
                &mut state,
                card,
                routes::payment_methods::empty_billing_details(),
                Default::default(),
                now,
            );
            let request = RequestInfo {
                id: Some(ids::new_id("req")),
                idempotency_key: None,
            };
            routes::payment_intents::confirm_intent(
                &mut state,
                payment_intent,
                Some(payment_method.id.as_str()),
                &request,
                now,
            )
        };
        self.shared.start_deliveries();
        result
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.server.abort();
    }
}
