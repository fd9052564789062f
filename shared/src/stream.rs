//! Publishing a table's changes as domain events, from its DynamoDB stream.
//!
//! Each domain table is the outbox of its own events: a write is one conditional DynamoDB
//! operation and nothing else, and its stream record (kept 24 hours, delivered in order,
//! retried) becomes the event. A crash between "write" and "publish" therefore cannot lose
//! an event; at worst one is published twice, which the version-ordered, idempotent
//! consumers ignore.

use crate::dynamo_json;
use crate::events::{EventPublisher, OutgoingEvent, PublishError};
use aws_sdk_dynamodb::types::AttributeValue;
use lambda_runtime::LambdaEvent;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;

/// One change of a table, from its stream.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamRecord {
    /// INSERT, MODIFY or REMOVE.
    pub event_name: String,
    pub sequence_number: String,
    pub new_image: Option<HashMap<String, AttributeValue>>,
    pub old_image: Option<HashMap<String, AttributeValue>>,
}

impl StreamRecord {
    /// Reads one record of a DynamoDB stream event.
    pub fn from_json(record: &Value) -> Result<Self, String> {
        let dynamodb = record.get("dynamodb").ok_or("record without dynamodb")?;
        let image = |name: &str| dynamodb.get(name).map(dynamo_json::item).transpose();
        Ok(Self {
            event_name: record
                .get("eventName")
                .and_then(Value::as_str)
                .ok_or("record without eventName")?
                .to_string(),
            sequence_number: dynamodb
                .get("SequenceNumber")
                .and_then(Value::as_str)
                .ok_or("record without SequenceNumber")?
                .to_string(),
            new_image: image("NewImage")?,
            old_image: image("OldImage")?,
        })
    }
}

/// Which records failed, as the stream event source mapping expects it.
#[derive(Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct StreamBatchResponse {
    pub batch_item_failures: Vec<StreamItemFailure>,
}

/// A failed record, named by its sequence number.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct StreamItemFailure {
    pub item_identifier: String,
}

/// Turns a stream record into the event to publish (`None`: nothing to publish).
pub type ToEvent = fn(&StreamRecord) -> Result<Option<OutgoingEvent>, String>;

/// EventBridge takes at most this many entries per `PutEvents`.
pub const MAX_ENTRIES_PER_PUT: usize = 10;

/// Where events go: EventBridge's `PutEvents`, or a stand-in in tests. For each event, in
/// order, whether it was accepted.
pub trait Publish {
    /// Publishes up to [`MAX_ENTRIES_PER_PUT`] events in one call.
    fn publish(
        &self,
        events: &[OutgoingEvent],
    ) -> impl std::future::Future<Output = Result<Vec<bool>, PublishError>>;
}

impl Publish for EventPublisher {
    async fn publish(&self, events: &[OutgoingEvent]) -> Result<Vec<bool>, PublishError> {
        EventPublisher::publish(self, events).await
    }
}

/// Publishes the events of a stream batch in order, up to ten per `PutEvents`. At the first
/// record that fails — unreadable, refused by EventBridge (`FailedEntryCount`), or in a call
/// that failed — it stops and names that record, so the mapping retries from there and order
/// is kept. Events after it that EventBridge accepted in the same call are published again on
/// the retry; the consumers ignore what they already hold.
pub async fn publish_batch(
    publisher: &impl Publish,
    event: &Value,
    to_event: ToEvent,
) -> StreamBatchResponse {
    let records = event
        .get("Records")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    // Each record's sequence number and event, up to the first one that cannot be read.
    let mut pending: Vec<(&str, OutgoingEvent)> = Vec::new();
    let mut unreadable: Option<(&str, String)> = None;
    for raw in records {
        let sequence_number = raw
            .pointer("/dynamodb/SequenceNumber")
            .and_then(Value::as_str)
            .unwrap_or_default();
        match StreamRecord::from_json(raw).and_then(|record| to_event(&record)) {
            Ok(None) => {}
            Ok(Some(event)) => pending.push((sequence_number, event)),
            Err(error) => {
                unreadable = Some((
                    sequence_number,
                    format!("unreadable stream record: {error}"),
                ));
                break;
            }
        }
    }
    for chunk in pending.chunks(MAX_ENTRIES_PER_PUT) {
        let events: Vec<OutgoingEvent> = chunk.iter().map(|(_, event)| event.clone()).collect();
        let failed = match publisher.publish(&events).await {
            Ok(accepted) => chunk
                .iter()
                .zip(accepted.iter().chain(std::iter::repeat(&false)))
                .find(|(_, ok)| !**ok)
                .map(|((sequence_number, _), _)| {
                    (
                        *sequence_number,
                        "EventBridge refused the event".to_string(),
                    )
                }),
            Err(error) => Some((chunk[0].0, error.to_string())),
        };
        if let Some((sequence_number, error)) = failed {
            return stop_at(sequence_number, &error);
        }
        for (sequence_number, event) in chunk {
            tracing::info!(
                sequence_number,
                detail_type = event.detail_type,
                "event published"
            );
        }
    }
    match unreadable {
        Some((sequence_number, error)) => stop_at(sequence_number, &error),
        None => StreamBatchResponse::default(),
    }
}

/// The answer that makes the mapping retry from `sequence_number` on.
fn stop_at(sequence_number: &str, error: &str) -> StreamBatchResponse {
    tracing::error!(
        sequence_number,
        error,
        "publishing stopped; the stream will retry from here"
    );
    StreamBatchResponse {
        batch_item_failures: vec![StreamItemFailure {
            item_identifier: sequence_number.to_string(),
        }],
    }
}

/// Runs a stream publisher as the Lambda's entry point.
pub async fn serve(
    publisher: EventPublisher,
    to_event: ToEvent,
) -> Result<(), lambda_runtime::Error> {
    let publisher = &publisher;
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: LambdaEvent<Value>| async move {
            Ok::<_, std::convert::Infallible>(
                publish_batch(publisher, &event.payload, to_event).await,
            )
        },
    ))
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_stream_record_is_read_with_its_images() {
        let record = StreamRecord::from_json(&json!({
            "eventName": "MODIFY",
            "dynamodb": {
                "SequenceNumber": "100",
                "NewImage": {"id": {"S": "t-1"}, "version": {"N": "1"}},
                "OldImage": {"id": {"S": "t-1"}, "version": {"N": "0"}}
            }
        }))
        .unwrap();
        assert_eq!(record.event_name, "MODIFY");
        assert_eq!(record.sequence_number, "100");
        assert_eq!(
            record.new_image.unwrap()["version"],
            AttributeValue::N("1".into())
        );
        assert_eq!(
            record.old_image.unwrap()["version"],
            AttributeValue::N("0".into())
        );
    }

    #[test]
    fn a_record_without_a_sequence_number_is_an_error() {
        assert!(StreamRecord::from_json(&json!({"eventName": "INSERT", "dynamodb": {}})).is_err());
    }

    /// Accepts every event but those whose `n` it refuses; fails whole calls while `down`.
    struct FakeBus {
        refuse: Vec<u64>,
        down: bool,
        calls: std::sync::Mutex<Vec<Vec<u64>>>,
    }

    impl FakeBus {
        fn new(refuse: &[u64], down: bool) -> Self {
            FakeBus {
                refuse: refuse.to_vec(),
                down,
                calls: Default::default(),
            }
        }
    }

    impl Publish for FakeBus {
        async fn publish(&self, events: &[OutgoingEvent]) -> Result<Vec<bool>, PublishError> {
            let ns: Vec<u64> = events
                .iter()
                .map(|e| e.detail["n"].as_u64().unwrap())
                .collect();
            self.calls.lock().unwrap().push(ns.clone());
            if self.down {
                return Err(PublishError("throttled".into()));
            }
            Ok(ns.iter().map(|n| !self.refuse.contains(n)).collect())
        }
    }

    /// A stream batch of `count` inserts; record n has sequence number "n" and item n.
    fn batch(count: u64) -> Value {
        let records: Vec<Value> = (1..=count)
            .map(|n| {
                json!({
                    "eventName": "INSERT",
                    "dynamodb": {
                        "SequenceNumber": n.to_string(),
                        "NewImage": {"n": {"N": n.to_string()}}
                    }
                })
            })
            .collect();
        json!({ "Records": records })
    }

    /// Every record but item 13's becomes an event (13: a change nobody is told about).
    fn numbered(record: &StreamRecord) -> Result<Option<OutgoingEvent>, String> {
        let n: u64 = record.new_image.as_ref().ok_or("no image")?["n"]
            .as_n()
            .map_err(|_| "no n")?
            .parse()
            .map_err(|_| "n is not a number")?;
        Ok((n != 13).then(|| OutgoingEvent {
            source: "test",
            detail_type: "Numbered",
            detail: json!({ "n": n }),
        }))
    }

    #[tokio::test]
    async fn a_batch_is_published_ten_entries_per_call_in_order() {
        let bus = FakeBus::new(&[], false);
        let response = publish_batch(&bus, &batch(25), numbered).await;
        assert_eq!(response, StreamBatchResponse::default());
        let calls = bus.calls.lock().unwrap().clone();
        let sizes: Vec<usize> = calls.iter().map(Vec::len).collect();
        assert_eq!(sizes, [10, 10, 4], "record 13 publishes nothing");
        let published: Vec<u64> = calls.concat();
        let expected: Vec<u64> = (1..=25).filter(|n| *n != 13).collect();
        assert_eq!(published, expected);
    }

    #[tokio::test]
    async fn a_refused_entry_stops_the_batch_at_its_record() {
        // GIVEN EventBridge refuses event 15 (FailedEntryCount 1 in the second call)
        let bus = FakeBus::new(&[15], false);
        let response = publish_batch(&bus, &batch(25), numbered).await;
        // THEN the mapping is told to retry from record 15, and nothing after its call is sent
        assert_eq!(response.batch_item_failures[0].item_identifier, "15");
        assert_eq!(response.batch_item_failures.len(), 1);
        assert_eq!(bus.calls.lock().unwrap().len(), 2);
    }

    #[tokio::test]
    async fn a_failed_call_stops_the_batch_at_its_first_record() {
        let bus = FakeBus::new(&[], true);
        let response = publish_batch(&bus, &batch(3), numbered).await;
        assert_eq!(response.batch_item_failures[0].item_identifier, "1");
    }

    #[tokio::test]
    async fn an_unreadable_record_is_reached_after_the_ones_before_it_are_published() {
        let mut records = batch(4);
        records["Records"][2]["dynamodb"]["NewImage"] = json!({"n": {"S": "three"}});
        let bus = FakeBus::new(&[], false);
        let response = publish_batch(&bus, &records, numbered).await;
        assert_eq!(response.batch_item_failures[0].item_identifier, "3");
        assert_eq!(bus.calls.lock().unwrap().concat(), [1, 2]);
    }
}
