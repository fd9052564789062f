//! Publishing a table's changes as domain events, from its DynamoDB stream.
//!
//! Each domain table is the outbox of its own events: a write is one conditional DynamoDB
//! operation and nothing else, and its stream record (kept 24 hours, delivered in order,
//! retried) becomes the event. A crash between "write" and "publish" therefore cannot lose
//! an event; at worst one is published twice, which the version-ordered, idempotent
//! consumers ignore.

use crate::dynamo_json;
use crate::events::{EventPublisher, OutgoingEvent};
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

/// Publishes the events of a stream batch in order. On the first failure it stops and names
/// that record, so the mapping retries from there and order is kept.
pub async fn publish_batch(
    publisher: &EventPublisher,
    event: &Value,
    to_event: ToEvent,
) -> StreamBatchResponse {
    let records = event
        .get("Records")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for raw in &records {
        let sequence_number = raw
            .pointer("/dynamodb/SequenceNumber")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let outcome = StreamRecord::from_json(raw).and_then(|record| to_event(&record));
        let published = match outcome {
            Ok(None) => Ok(()),
            Ok(Some(event)) => match publisher.publish(std::slice::from_ref(&event)).await {
                Ok(accepted) if accepted.iter().all(|ok| *ok) => {
                    tracing::info!(
                        sequence_number,
                        detail_type = event.detail_type,
                        "event published"
                    );
                    Ok(())
                }
                Ok(_) => Err("EventBridge refused the event".to_string()),
                Err(error) => Err(error.to_string()),
            },
            Err(error) => Err(format!("unreadable stream record: {error}")),
        };
        if let Err(error) = published {
            tracing::error!(
                sequence_number,
                error,
                "publishing stopped; the stream will retry from here"
            );
            return StreamBatchResponse {
                batch_item_failures: vec![StreamItemFailure {
                    item_identifier: sequence_number.to_string(),
                }],
            };
        }
    }
    StreamBatchResponse::default()
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
}
