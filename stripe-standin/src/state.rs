//! Everything the stand-in holds, in memory only: the Stripe objects themselves (async-stripe's
//! types, changed in place as they move through their lifecycle), webhook endpoints, events and
//! their deliveries, and idempotent answers.

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use serde::Serialize;
use stripe_shared::{Account, Charge, PaymentIntent, PaymentMethod, Refund, Transfer};

use crate::cards::Card;
use crate::config::{Config, Faults};
use crate::idempotency::IdempotencyStore;
use crate::ids::{new_id, now};
use crate::objects;
use crate::objects::event::RequestInfo;
use crate::webhooks::{DeliveryStatus, EventRecord, WebhookEndpoint};

/// What the server's tasks share.
pub(crate) struct Shared {
    pub config: Config,
    pub state: Mutex<State>,
    /// For webhook deliveries (plain HTTP: endpoints are local).
    pub client: Client<HttpConnector, Full<Bytes>>,
    /// How slow and unreliable the API is now: [`Config::faults`] at first.
    pub faults: Mutex<Faults>,
    /// How many `/v1` requests arrived: which of them fail follows from it ([`Faults::fails`]).
    pub api_requests: AtomicU64,
}

impl Shared {
    pub fn new(config: Config) -> Shared {
        let client = Client::builder(hyper_util::rt::TokioExecutor::new()).build_http();
        Shared {
            faults: Mutex::new(config.faults.clone()),
            config,
            state: Mutex::new(State::default()),
            client,
            api_requests: AtomicU64::new(0),
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind: keep serving.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The faults in force now.
    pub fn faults(&self) -> Faults {
        self.faults
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    pub fn log(&self, line: std::fmt::Arguments<'_>) {
        if self.config.log {
            eprintln!("stripe-standin: {line}");
        }
    }

    /// Starts the deliveries of the events created since the last call, in background tasks.
    pub fn start_deliveries(self: &Arc<Self>) {
        let outbox = std::mem::take(&mut self.lock().outbox);
        for (event_id, endpoint_id) in outbox {
            tokio::spawn(crate::webhooks::deliver_with_retries(
                self.clone(),
                event_id,
                endpoint_id,
            ));
        }
    }
}

/// A PaymentMethod, and the card behind it (Stripe never shows the full number; we need it to
/// decide how a charge goes).
#[derive(Clone, Debug)]
pub struct StoredPaymentMethod {
    pub object: PaymentMethod,
    pub card: Card,
}

#[derive(Default)]
pub struct State {
    pub payment_intents: HashMap<String, PaymentIntent>,
    pub payment_methods: HashMap<String, StoredPaymentMethod>,
    pub charges: HashMap<String, Charge>,
    /// In creation order.
    pub refunds: Vec<Refund>,
    pub webhook_endpoints: Vec<WebhookEndpoint>,
    /// Connected accounts (Connect Express).
    pub accounts: HashMap<String, Account>,
    /// Account links by the token in their URL, each usable once.
    pub account_links: HashMap<String, crate::routes::account_links::StoredLink>,
    /// In creation order.
    pub transfers: Vec<Transfer>,
    /// In creation order.
    pub events: Vec<EventRecord>,
    pub idempotency: IdempotencyStore,
    /// (event id, endpoint id) deliveries not started yet.
    pub outbox: Vec<(String, String)>,
}

impl State {
    /// Records an event about `object` (its state right now) on the platform's own account and
    /// queues its deliveries to the (non-Connect) endpoints that want it. Returns the event id.
    pub fn emit(
        &mut self,
        type_: &str,
        object_id: &str,
        object: &impl Serialize,
        request: &RequestInfo,
    ) -> String {
        self.emit_on(None, type_, object_id, object, request)
    }

    /// Records an event that happened on a connected account (`account` is set on the event, as
    /// Stripe sets it) and queues its deliveries to the Connect endpoints that want it.
    pub fn emit_for_account(
        &mut self,
        account: &str,
        type_: &str,
        object: &impl Serialize,
        request: &RequestInfo,
    ) -> String {
        self.emit_on(Some(account), type_, account, object, request)
    }

    fn emit_on(
        &mut self,
        account: Option<&str>,
        type_: &str,
        object_id: &str,
        object: &impl Serialize,
        request: &RequestInfo,
    ) -> String {
        let id = new_id("evt");
        let endpoints: Vec<&WebhookEndpoint> = self
            .webhook_endpoints
            .iter()
            .filter(|endpoint| endpoint.connect == account.is_some() && endpoint.wants(type_))
            .collect();
        let created = now();
        let mut event =
            objects::event::new(&id, type_, object, request, endpoints.len() as i64, created);
        event.account = account.map(str::to_string);
        let payload = serde_json::to_string(&event).expect("events serialize");
        let deliveries: Vec<DeliveryStatus> = endpoints
            .iter()
            .map(|endpoint| DeliveryStatus {
                endpoint_id: endpoint.id.clone(),
                url: endpoint.url.clone(),
                attempts: 0,
                delivered: false,
                last_status: None,
                last_error: None,
                gave_up: false,
                delivered_at: None,
            })
            .collect();
        for delivery in &deliveries {
            self.outbox.push((id.clone(), delivery.endpoint_id.clone()));
        }
        self.events.push(EventRecord {
            id: id.clone(),
            type_: type_.to_string(),
            created,
            object_id: object_id.to_string(),
            event,
            payload,
            deliveries,
        });
        id
    }

    pub fn event(&self, id: &str) -> Option<&EventRecord> {
        self.events.iter().find(|event| event.id == id)
    }

    /// What one delivery sends, and where: (payload, url, secret, event type).
    pub fn delivery_target(
        &self,
        event_id: &str,
        endpoint_id: &str,
    ) -> Option<(String, String, String, String)> {
        let event = self.event(event_id)?;
        let endpoint = self
            .webhook_endpoints
            .iter()
            .find(|endpoint| endpoint.id == endpoint_id)?;
        Some((
            event.payload.clone(),
            endpoint.url.clone(),
            endpoint.secret.clone().unwrap_or_default(),
            event.type_.clone(),
        ))
    }

    pub fn delivery_mut(
        &mut self,
        event_id: &str,
        endpoint_id: &str,
    ) -> Option<&mut DeliveryStatus> {
        self.events
            .iter_mut()
            .find(|event| event.id == event_id)?
            .deliveries
            .iter_mut()
            .find(|delivery| delivery.endpoint_id == endpoint_id)
    }
}
