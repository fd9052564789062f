//! Webhooks: endpoints, the record of each event's deliveries, Stripe's signature, and delivery
//! with retries.
//!
//! Each event is POSTed as JSON to every endpoint whose `enabled_events` match, with
//! `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. A 2xx answer
//! marks it delivered; anything else, or no answer, is retried after the retry policy's delay,
//! doubling each time, re-signed with a fresh timestamp. Deliveries run in background tasks.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hmac::{Hmac, KeyInit, Mac};
use http_body_util::{BodyExt, Full};
use serde::Serialize;
use sha2::Sha256;

use crate::state::Shared;

/// How long one delivery attempt may take before it counts as failed.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// A webhook endpoint (`we_...`), in Stripe's WebhookEndpoint shape.
#[derive(Clone, Debug, Serialize)]
pub struct WebhookEndpoint {
    pub id: String,
    pub object: &'static str,
    pub api_version: Option<String>,
    pub application: Option<String>,
    pub created: i64,
    pub description: Option<String>,
    pub enabled_events: Vec<String>,
    pub livemode: bool,
    pub metadata: std::collections::HashMap<String, String>,
    /// A Connect endpoint receives the events of connected accounts (`account.updated`, ...),
    /// and only those; the others receive the platform account's own events.
    pub connect: bool,
    /// The signing secret: Stripe shows it only in the answer to the creation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub status: &'static str,
    pub url: String,
}

impl WebhookEndpoint {
    /// Whether events of `type_` go to this endpoint.
    pub fn wants(&self, type_: &str) -> bool {
        self.enabled_events.iter().any(|e| e == "*" || e == type_)
    }

    /// The endpoint as GET shows it: without the secret.
    pub fn without_secret(&self) -> WebhookEndpoint {
        WebhookEndpoint {
            secret: None,
            ..self.clone()
        }
    }
}

/// One event and how its deliveries went.
#[derive(Clone, Debug)]
pub struct EventRecord {
    pub id: String,
    pub type_: String,
    pub created: i64,
    /// The id of the object in `data.object`.
    pub object_id: String,
    /// The event as async-stripe's type.
    pub event: stripe_shared::Event,
    /// The JSON body every delivery sends.
    pub payload: String,
    /// One per endpoint the event is for.
    pub deliveries: Vec<DeliveryStatus>,
}

impl EventRecord {
    /// Delivered to every endpoint it is for (false when there is none).
    pub fn delivered(&self) -> bool {
        !self.deliveries.is_empty() && self.deliveries.iter().all(|d| d.delivered)
    }

    /// Delivery attempts to all endpoints together.
    pub fn attempts(&self) -> u32 {
        self.deliveries.iter().map(|d| d.attempts).sum()
    }

    /// What `GET /_standin/events` shows.
    pub fn summary(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "type": self.type_,
            "created": self.created,
            "object_id": self.object_id,
            "delivered": self.delivered(),
            "attempts": self.attempts(),
            "deliveries": self.deliveries,
        })
    }
}

/// The deliveries of one event to one endpoint.
#[derive(Clone, Debug, Serialize)]
pub struct DeliveryStatus {
    pub endpoint_id: String,
    pub url: String,
    pub attempts: u32,
    pub delivered: bool,
    /// The HTTP status of the last answer.
    pub last_status: Option<u16>,
    /// Why the last attempt got no answer (connection refused, timeout...).
    pub last_error: Option<String>,
    /// Set once no more automatic retries will be made.
    pub gave_up: bool,
    /// When the first 2xx answer arrived (for measuring what happens after a webhook).
    #[serde(skip)]
    pub delivered_at: Option<std::time::SystemTime>,
}

/// The `Stripe-Signature` header for `payload` signed at `timestamp`.
pub fn signature_header(secret: &str, timestamp: i64, payload: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(format!("{timestamp}.{payload}").as_bytes());
    let signature = hex::encode(mac.finalize().into_bytes());
    format!("t={timestamp},v1={signature}")
}

/// Delivers an event to an endpoint, retrying by the retry policy until a 2xx answer.
pub(crate) async fn deliver_with_retries(
    shared: Arc<Shared>,
    event_id: String,
    endpoint_id: String,
) {
    let policy = shared.config.webhook_retry.clone();
    let attempts = policy.attempts.max(1);
    for attempt in 1..=attempts {
        if attempt > 1 {
            tokio::time::sleep(policy.delay_before(attempt)).await;
        }
        if deliver_once(&shared, &event_id, &endpoint_id).await {
            return;
        }
    }
    let mut state = shared.lock();
    if let Some(delivery) = state.delivery_mut(&event_id, &endpoint_id) {
        delivery.gave_up = true;
    }
    shared.log(format_args!(
        "webhook {event_id} -> {endpoint_id}: gave up after {attempts} attempts"
    ));
}

/// One signed POST of an event to an endpoint; records the outcome. True on a 2xx answer.
pub(crate) async fn deliver_once(shared: &Shared, event_id: &str, endpoint_id: &str) -> bool {
    let Some((payload, url, secret, type_)) = shared.lock().delivery_target(event_id, endpoint_id)
    else {
        return false;
    };
    let timestamp = crate::ids::now();
    let request = http::Request::post(url.as_str())
        .header(
            http::header::CONTENT_TYPE,
            "application/json; charset=utf-8",
        )
        .header(
            http::header::USER_AGENT,
            "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        )
        .header(
            "Stripe-Signature",
            signature_header(&secret, timestamp, &payload),
        )
        .body(Full::new(Bytes::from(payload)));
    let result = match request {
        Err(err) => Err(format!("invalid webhook URL {url}: {err}")),
        Ok(request) => {
            let answer = async {
                let response = shared
                    .client
                    .request(request)
                    .await
                    .map_err(|e| e.to_string())?;
                let status = response.status();
                // Read the answer so the connection is finished cleanly.
                let _ = response.into_body().collect().await;
                Ok::<_, String>(status)
            };
            match tokio::time::timeout(ATTEMPT_TIMEOUT, answer).await {
                Ok(result) => result,
                Err(_) => Err(format!("no answer within {ATTEMPT_TIMEOUT:?}")),
            }
        }
    };

    let answered_at = std::time::SystemTime::now();
    let mut state = shared.lock();
    let Some(delivery) = state.delivery_mut(event_id, endpoint_id) else {
        return false;
    };
    delivery.attempts += 1;
    let attempt = delivery.attempts;
    let delivered = match &result {
        Ok(status) => {
            delivery.last_status = Some(status.as_u16());
            delivery.last_error = None;
            status.is_success()
        }
        Err(error) => {
            delivery.last_status = None;
            delivery.last_error = Some(error.clone());
            false
        }
    };
    if delivered && !delivery.delivered {
        delivery.delivered_at = Some(answered_at);
    }
    delivery.delivered |= delivered;
    drop(state);
    let outcome = match &result {
        Ok(status) => status.as_u16().to_string(),
        Err(error) => format!("failed: {error}"),
    };
    shared.log(format_args!(
        "webhook {type_} {event_id} -> {url} attempt {attempt}: {outcome}"
    ));
    delivered
}

/// Delivers an event once more (as the dashboard's "Resend"), one attempt to each endpoint that
/// wants its type now, including endpoints added after it happened. Ok when every one answered
/// with a 2xx.
pub(crate) async fn resend(shared: &Shared, event_id: &str) -> Result<(), String> {
    let endpoints: Vec<String> = {
        let mut state = shared.lock();
        let Some(event) = state.event(event_id) else {
            return Err(format!("no such event: {event_id}"));
        };
        let type_ = event.type_.clone();
        let targets: Vec<WebhookEndpoint> = state
            .webhook_endpoints
            .iter()
            .filter(|endpoint| endpoint.wants(&type_))
            .cloned()
            .collect();
        let event = state
            .events
            .iter_mut()
            .find(|event| event.id == event_id)
            .expect("found above");
        for endpoint in &targets {
            if !event
                .deliveries
                .iter()
                .any(|d| d.endpoint_id == endpoint.id)
            {
                event.deliveries.push(DeliveryStatus {
                    endpoint_id: endpoint.id.clone(),
                    url: endpoint.url.clone(),
                    attempts: 0,
                    delivered: false,
                    last_status: None,
                    last_error: None,
                    gave_up: false,
                    delivered_at: None,
                });
            }
        }
        targets.into_iter().map(|endpoint| endpoint.id).collect()
    };
    if endpoints.is_empty() {
        return Err(format!("no webhook endpoint wants event {event_id}"));
    }
    let mut failed = Vec::new();
    for endpoint_id in endpoints {
        if !deliver_once(shared, event_id, &endpoint_id).await {
            failed.push(endpoint_id);
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "event {event_id} was not accepted by {}",
            failed.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_of_timestamp_dot_body() {
        // Expected value computed independently (Python's hmac module).
        let header = signature_header("whsec_test_secret", 1492774577, r#"{"id":"evt_test"}"#);
        assert_eq!(
            header,
            "t=1492774577,v1=22f7d74836ddad3284a2b80853dd2fe731655c1bfddcff3c3666a500cf3abd80"
        );
    }
}
