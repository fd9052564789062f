//! Domain events on the EventBridge bus.
//!
//! Every event carries the entity in `detail`, including its `version`; consumers apply
//! versions in order and ignore ones they already hold.

use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use serde::{de::DeserializeOwned, Deserialize};

/// An event as EventBridge delivers it to a rule's target (an SQS message body).
#[derive(Debug, Clone, Deserialize)]
pub struct BusEvent<T> {
    pub id: String,
    #[serde(rename = "detail-type")]
    pub detail_type: String,
    pub source: String,
    pub detail: T,
}

impl<T: DeserializeOwned> BusEvent<T> {
    /// Parses an SQS message body written by an EventBridge rule.
    pub fn from_body(body: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(body)
    }
}

/// An event to publish: where it comes from, what happened, and the entity.
#[derive(Debug, Clone, PartialEq)]
pub struct OutgoingEvent {
    pub source: &'static str,
    pub detail_type: &'static str,
    pub detail: serde_json::Value,
}

/// Publishing failed; the caller retries (consumers are idempotent, so a repeat is harmless).
#[derive(Debug, thiserror::Error)]
#[error("publishing events failed: {0}")]
pub struct PublishError(pub String);

/// Puts events on the domain event bus.
#[derive(Clone)]
pub struct EventPublisher {
    client: aws_sdk_eventbridge::Client,
    bus: String,
}

impl EventPublisher {
    /// A publisher to the bus named `bus`.
    pub fn new(client: aws_sdk_eventbridge::Client, bus: impl Into<String>) -> Self {
        Self {
            client,
            bus: bus.into(),
        }
    }

    /// Publishes the events, in order, in one call (at most 10, EventBridge's limit).
    /// Returns, for each event, whether EventBridge accepted it.
    pub async fn publish(&self, events: &[OutgoingEvent]) -> Result<Vec<bool>, PublishError> {
        let mut request = self.client.put_events();
        for event in events {
            request = request.entries(
                PutEventsRequestEntry::builder()
                    .event_bus_name(&self.bus)
                    .source(event.source)
                    .detail_type(event.detail_type)
                    .detail(event.detail.to_string())
                    .build(),
            );
        }
        let output = request
            .send()
            .await
            .map_err(|e| PublishError(crate::error::chain(&e)))?;
        Ok(output
            .entries()
            .iter()
            .map(|entry| entry.error_code().is_none())
            .collect())
    }
}
