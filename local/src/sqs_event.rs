//! The `SqsEvent` Lambda sends for a batch of messages, and what to do with each message after.

use crate::batch_response::BatchOutcome;
use aws_sdk_sqs::types::{Message, MessageAttributeValue};
use base64::Engine;
use serde_json::{json, Map, Value};

/// The event for `messages` received from the queue `queue_arn`, field for field as Lambda's.
pub fn sqs_event(messages: &[Message], queue_arn: &str, region: &str) -> Value {
    let records: Vec<Value> = messages
        .iter()
        .map(|message| record(message, queue_arn, region))
        .collect();
    json!({ "Records": records })
}

fn record(message: &Message, queue_arn: &str, region: &str) -> Value {
    let attributes: Map<String, Value> = message
        .attributes()
        .into_iter()
        .flatten()
        .map(|(name, value)| (name.as_str().to_string(), Value::String(value.clone())))
        .collect();
    let message_attributes: Map<String, Value> = message
        .message_attributes()
        .into_iter()
        .flatten()
        .map(|(name, value)| (name.clone(), message_attribute(value)))
        .collect();
    let mut record = json!({
        "messageId": message.message_id().unwrap_or_default(),
        "receiptHandle": message.receipt_handle().unwrap_or_default(),
        "body": message.body().unwrap_or_default(),
        "attributes": attributes,
        "messageAttributes": message_attributes,
        "md5OfBody": message.md5_of_body().unwrap_or_default(),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    });
    if let Some(md5) = message.md5_of_message_attributes() {
        record["md5OfMessageAttributes"] = json!(md5);
    }
    record
}

/// One message attribute as Lambda writes it: binary values in base64, lists always present.
fn message_attribute(value: &MessageAttributeValue) -> Value {
    let base64 = |blob: &aws_sdk_sqs::primitives::Blob| {
        base64::engine::general_purpose::STANDARD.encode(blob.as_ref())
    };
    let mut attribute = json!({
        "stringListValues": value.string_list_values(),
        "binaryListValues": value.binary_list_values().iter().map(base64).collect::<Vec<_>>(),
        "dataType": value.data_type(),
    });
    if let Some(text) = value.string_value() {
        attribute["stringValue"] = json!(text);
    }
    if let Some(blob) = value.binary_value() {
        attribute["binaryValue"] = json!(base64(blob));
    }
    attribute
}

/// Which messages of a batch to delete and which to leave for another try (by index).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settlement {
    /// Done: delete them.
    pub delete: Vec<usize>,
    /// Failed: leave them, to come back after the visibility timeout (or go to the DLQ).
    pub retry: Vec<usize>,
}

/// Settles a batch of messages (by id, in batch order) after the function's answer.
pub fn settle(message_ids: &[&str], outcome: &BatchOutcome) -> Settlement {
    let mut settlement = Settlement::default();
    for (index, id) in message_ids.iter().enumerate() {
        let failed = match outcome {
            BatchOutcome::AllSucceeded => false,
            BatchOutcome::SomeFailed(failed) => failed.contains(*id),
            BatchOutcome::AllFailed(_) => true,
        };
        if failed {
            settlement.retry.push(index);
        } else {
            settlement.delete.push(index);
        }
    }
    settlement
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch_response::read_batch_response;
    use aws_lambda_events::sqs::SqsEvent;
    use aws_sdk_sqs::primitives::Blob;
    use aws_sdk_sqs::types::MessageSystemAttributeName;

    const QUEUE_ARN: &str = "arn:aws:sqs:us-east-1:123456789012:stack-Queue";

    fn message(id: &str, body: &str) -> Message {
        Message::builder()
            .message_id(id)
            .receipt_handle(format!("receipt-{id}"))
            .body(body)
            .md5_of_body("0123456789abcdef0123456789abcdef")
            .attributes(MessageSystemAttributeName::ApproximateReceiveCount, "2")
            .attributes(MessageSystemAttributeName::SentTimestamp, "1700000000000")
            .attributes(MessageSystemAttributeName::SenderId, "AIDAEXAMPLE")
            .attributes(
                MessageSystemAttributeName::ApproximateFirstReceiveTimestamp,
                "1700000000100",
            )
            .build()
    }

    #[test]
    fn builds_the_event_lambda_sends() {
        let with_attributes = Message::builder()
            .message_id("m2")
            .receipt_handle("receipt-m2")
            .body("{}")
            .md5_of_message_attributes("fedcba9876543210fedcba9876543210")
            .message_attributes(
                "kind",
                MessageAttributeValue::builder()
                    .data_type("String")
                    .string_value("order")
                    .build()
                    .unwrap(),
            )
            .message_attributes(
                "raw",
                MessageAttributeValue::builder()
                    .data_type("Binary")
                    .binary_value(Blob::new(b"hi".to_vec()))
                    .build()
                    .unwrap(),
            )
            .build();
        let event = sqs_event(
            &[message("m1", "hello"), with_attributes],
            QUEUE_ARN,
            "us-east-1",
        );

        let first = &event["Records"][0];
        assert_eq!(first["messageId"], "m1");
        assert_eq!(first["receiptHandle"], "receipt-m1");
        assert_eq!(first["body"], "hello");
        assert_eq!(first["attributes"]["ApproximateReceiveCount"], "2");
        assert_eq!(first["attributes"]["SentTimestamp"], "1700000000000");
        assert_eq!(first["attributes"]["SenderId"], "AIDAEXAMPLE");
        assert_eq!(
            first["attributes"]["ApproximateFirstReceiveTimestamp"],
            "1700000000100"
        );
        assert_eq!(first["messageAttributes"], json!({}));
        assert_eq!(first["md5OfBody"], "0123456789abcdef0123456789abcdef");
        assert_eq!(first["eventSource"], "aws:sqs");
        assert_eq!(first["eventSourceARN"], QUEUE_ARN);
        assert_eq!(first["awsRegion"], "us-east-1");
        assert!(first.get("md5OfMessageAttributes").is_none());

        let second = &event["Records"][1];
        assert_eq!(
            second["messageAttributes"]["kind"],
            json!({"stringValue": "order", "stringListValues": [], "binaryListValues": [], "dataType": "String"})
        );
        assert_eq!(second["messageAttributes"]["raw"]["binaryValue"], "aGk=");

        // What a Rust function reads it as.
        let parsed: SqsEvent = serde_json::from_value(event).unwrap();
        assert_eq!(parsed.records.len(), 2);
        assert_eq!(parsed.records[0].body.as_deref(), Some("hello"));
        assert_eq!(
            parsed.records[0].event_source_arn.as_deref(),
            Some(QUEUE_ARN)
        );
        assert_eq!(
            parsed.records[1].message_attributes["kind"]
                .string_value
                .as_deref(),
            Some("order")
        );
    }

    #[test]
    fn deletes_what_succeeded_and_leaves_what_failed() {
        let ids = ["a", "b", "c"];
        let answer = |value: Value| read_batch_response(&Ok(value), true, &ids);

        let all = settle(&ids, &answer(json!({"batchItemFailures": []})));
        assert_eq!(all.delete, vec![0, 1, 2]);
        assert!(all.retry.is_empty());

        let partial = settle(
            &ids,
            &answer(json!({"batchItemFailures": [{"itemIdentifier": "b"}]})),
        );
        assert_eq!(partial.delete, vec![0, 2]);
        assert_eq!(partial.retry, vec![1]);

        let error = settle(
            &ids,
            &read_batch_response(&Err(crate::InvokeError::ShuttingDown), true, &ids),
        );
        assert!(error.delete.is_empty());
        assert_eq!(error.retry, vec![0, 1, 2]);

        let unknown = settle(
            &ids,
            &answer(json!({"batchItemFailures": [{"itemIdentifier": "nope"}]})),
        );
        assert_eq!(unknown.retry, vec![0, 1, 2], "a bad answer fails the batch");
    }
}
