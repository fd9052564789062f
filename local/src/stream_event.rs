//! The `DynamoDBEvent` Lambda sends for a batch of stream records, and the failure record its
//! `OnFailure` destination receives when a batch is given up.

use aws_sdk_dynamodbstreams::primitives::{DateTime, DateTimeFormat};
use aws_sdk_dynamodbstreams::types::{AttributeValue, Record};
use base64::Engine;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::time::SystemTime;

/// One stream record, already in the shape Lambda sends.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeRecord {
    /// `dynamodb.SequenceNumber`: its place in the shard, and its `itemIdentifier`.
    pub sequence_number: String,
    /// `dynamodb.ApproximateCreationDateTime`, in epoch seconds.
    pub created_epoch_seconds: Option<i64>,
    /// The record as it appears in the event's `Records`.
    pub json: Value,
}

impl ChangeRecord {
    /// Converts a record read from the stream `stream_arn`.
    pub fn from_stream(record: &Record, stream_arn: &str) -> Self {
        let change = record.dynamodb();
        let mut dynamodb = Map::new();
        let created = change.and_then(|c| c.approximate_creation_date_time());
        if let Some(created) = created {
            // Lambda sends whole epoch seconds here.
            dynamodb.insert("ApproximateCreationDateTime".into(), json!(created.secs()));
        }
        for (key, image) in [
            ("Keys", change.and_then(|c| c.keys())),
            ("NewImage", change.and_then(|c| c.new_image())),
            ("OldImage", change.and_then(|c| c.old_image())),
        ] {
            if let Some(image) = image {
                dynamodb.insert(key.into(), item_json(image));
            }
        }
        let sequence_number = change
            .and_then(|c| c.sequence_number())
            .unwrap_or_default()
            .to_string();
        dynamodb.insert("SequenceNumber".into(), json!(sequence_number));
        if let Some(size) = change.and_then(|c| c.size_bytes()) {
            dynamodb.insert("SizeBytes".into(), json!(size));
        }
        if let Some(view) = change.and_then(|c| c.stream_view_type()) {
            dynamodb.insert("StreamViewType".into(), json!(view.as_str()));
        }

        let mut json = json!({
            "eventID": record.event_id().unwrap_or_default(),
            "eventName": record.event_name().map(|n| n.as_str()).unwrap_or_default(),
            "eventVersion": record.event_version().unwrap_or("1.1"),
            "eventSource": record.event_source().unwrap_or("aws:dynamodb"),
            "awsRegion": record.aws_region().unwrap_or_default(),
            "dynamodb": dynamodb,
            "eventSourceARN": stream_arn,
        });
        if let Some(identity) = record.user_identity() {
            // Present on deletes made by TTL.
            json["userIdentity"] = json!({
                "type": identity.r#type().unwrap_or_default(),
                "principalId": identity.principal_id().unwrap_or_default(),
            });
        }
        ChangeRecord {
            sequence_number,
            created_epoch_seconds: created.map(DateTime::secs),
            json,
        }
    }
}

/// The event for a batch of records.
pub fn stream_event(batch: &[ChangeRecord]) -> Value {
    let records: Vec<&Value> = batch.iter().map(|r| &r.json).collect();
    json!({ "Records": records })
}

/// An item (or key) in DynamoDB's JSON: `{"name": {"S": "..."}}`.
pub fn item_json(item: &HashMap<String, AttributeValue>) -> Value {
    Value::Object(
        item.iter()
            .map(|(name, value)| (name.clone(), attribute_json(value)))
            .collect(),
    )
}

/// One attribute value in DynamoDB's JSON; binary values in base64.
pub fn attribute_json(value: &AttributeValue) -> Value {
    let base64 = |blob: &aws_sdk_dynamodbstreams::primitives::Blob| {
        Value::String(base64::engine::general_purpose::STANDARD.encode(blob.as_ref()))
    };
    match value {
        AttributeValue::S(s) => json!({ "S": s }),
        AttributeValue::N(n) => json!({ "N": n }),
        AttributeValue::B(b) => json!({ "B": base64(b) }),
        AttributeValue::Bool(b) => json!({ "BOOL": b }),
        AttributeValue::Null(n) => json!({ "NULL": n }),
        AttributeValue::Ss(list) => json!({ "SS": list }),
        AttributeValue::Ns(list) => json!({ "NS": list }),
        AttributeValue::Bs(list) => json!({ "BS": list.iter().map(base64).collect::<Vec<_>>() }),
        AttributeValue::L(list) => {
            json!({ "L": list.iter().map(attribute_json).collect::<Vec<_>>() })
        }
        AttributeValue::M(map) => json!({ "M": item_json(map) }),
        // A type newer than this SDK: keep the record readable rather than drop it.
        _ => json!({ "NULL": true }),
    }
}

/// Where a given-up batch came from and how it failed.
pub struct FailureContext<'a> {
    /// The function's ARN.
    pub function_arn: &'a str,
    /// The stream's ARN.
    pub stream_arn: &'a str,
    /// The shard the records are from.
    pub shard_id: &'a str,
    /// How many times the batch was invoked.
    pub invocations: u32,
    /// Whether the last invocation ended in a function error (rather than reported failures).
    pub function_error: bool,
}

/// What Lambda sends to an `OnFailure` destination for a stream batch it gives up on, plus (a
/// local addition, to see what was lost) the records themselves under `records`.
pub fn failure_record(batch: &[ChangeRecord], context: &FailureContext<'_>) -> Value {
    let arrival = |record: Option<&ChangeRecord>| {
        record
            .and_then(|r| r.created_epoch_seconds)
            .map(|secs| iso_time(DateTime::from_secs(secs)))
    };
    let mut response_context = json!({ "statusCode": 200, "executedVersion": "$LATEST" });
    if context.function_error {
        response_context["functionError"] = json!("Unhandled");
    }
    json!({
        "requestContext": {
            "requestId": uuid::Uuid::new_v4().to_string(),
            "functionArn": context.function_arn,
            "condition": "RetryAttemptsExhausted",
            "approximateInvokeCount": context.invocations,
        },
        "responseContext": response_context,
        "version": "1.0",
        "timestamp": iso_time(now_to_the_millisecond()),
        "DDBStreamBatchInfo": {
            "shardId": context.shard_id,
            "startSequenceNumber": batch.first().map(|r| r.sequence_number.as_str()),
            "endSequenceNumber": batch.last().map(|r| r.sequence_number.as_str()),
            "approximateArrivalOfFirstRecord": arrival(batch.first()),
            "approximateArrivalOfLastRecord": arrival(batch.last()),
            "batchSize": batch.len(),
            "streamArn": context.stream_arn,
        },
        "records": batch.iter().map(|r| &r.json).collect::<Vec<_>>(),
    })
}

/// Lambda's timestamps have millisecond precision.
fn now_to_the_millisecond() -> DateTime {
    let now = DateTime::from(SystemTime::now());
    DateTime::from_millis(now.to_millis().unwrap_or_default())
}

fn iso_time(time: DateTime) -> String {
    time.fmt(DateTimeFormat::DateTime).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodbstreams::primitives::Blob;
    use aws_sdk_dynamodbstreams::types::{OperationType, StreamRecord, StreamViewType};

    const STREAM: &str =
        "arn:aws:dynamodb:us-east-1:123456789012:table/stack-Tickets/stream/2026-01-01T00:00:00.000";

    fn modify_record() -> Record {
        let key = HashMap::from([("id".to_string(), AttributeValue::S("t1".into()))]);
        let mut new_image = key.clone();
        new_image.insert("version".into(), AttributeValue::N("2".into()));
        new_image.insert("raw".into(), AttributeValue::B(Blob::new(b"hi".to_vec())));
        new_image.insert(
            "tags".into(),
            AttributeValue::L(vec![
                AttributeValue::Bool(true),
                AttributeValue::M(HashMap::from([(
                    "x".to_string(),
                    AttributeValue::Null(true),
                )])),
            ]),
        );
        new_image.insert("ids".into(), AttributeValue::Ss(vec!["a".into()]));
        let mut old_image = key.clone();
        old_image.insert("version".into(), AttributeValue::N("1".into()));
        Record::builder()
            .event_id("e1")
            .event_name(OperationType::Modify)
            .event_version("1.1")
            .event_source("aws:dynamodb")
            .aws_region("us-east-1")
            .dynamodb(
                StreamRecord::builder()
                    .approximate_creation_date_time(DateTime::from_secs(1_700_000_000))
                    .set_keys(Some(key))
                    .set_new_image(Some(new_image))
                    .set_old_image(Some(old_image))
                    .sequence_number("100")
                    .size_bytes(42)
                    .stream_view_type(StreamViewType::NewAndOldImages)
                    .build(),
            )
            .build()
    }

    #[test]
    fn builds_the_event_lambda_sends() {
        let record = ChangeRecord::from_stream(&modify_record(), STREAM);
        assert_eq!(record.sequence_number, "100");
        let json = &record.json;
        assert_eq!(json["eventID"], "e1");
        assert_eq!(json["eventName"], "MODIFY");
        assert_eq!(json["eventVersion"], "1.1");
        assert_eq!(json["eventSource"], "aws:dynamodb");
        assert_eq!(json["awsRegion"], "us-east-1");
        assert_eq!(json["eventSourceARN"], STREAM);
        let change = &json["dynamodb"];
        assert_eq!(change["ApproximateCreationDateTime"], 1_700_000_000);
        assert_eq!(change["Keys"], json!({"id": {"S": "t1"}}));
        assert_eq!(change["NewImage"]["version"], json!({"N": "2"}));
        assert_eq!(change["NewImage"]["raw"], json!({"B": "aGk="}));
        assert_eq!(
            change["NewImage"]["tags"],
            json!({"L": [{"BOOL": true}, {"M": {"x": {"NULL": true}}}]})
        );
        assert_eq!(change["NewImage"]["ids"], json!({"SS": ["a"]}));
        assert_eq!(change["OldImage"]["version"], json!({"N": "1"}));
        assert_eq!(change["SequenceNumber"], "100");
        assert_eq!(change["SizeBytes"], 42);
        assert_eq!(change["StreamViewType"], "NEW_AND_OLD_IMAGES");

        // What a Rust function reads it as.
        let event: aws_lambda_events::dynamodb::Event =
            serde_json::from_value(stream_event(&[record])).unwrap();
        let parsed = &event.records[0];
        assert_eq!(parsed.event_name, "MODIFY");
        assert_eq!(parsed.event_source_arn.as_deref(), Some(STREAM));
        assert_eq!(parsed.change.sequence_number.as_deref(), Some("100"));
        assert_eq!(
            parsed.change.approximate_creation_date_time.timestamp(),
            1_700_000_000
        );
        assert!(parsed.change.new_image.get("version").is_some());
        assert!(parsed.change.old_image.get("version").is_some());
    }

    #[test]
    fn an_insert_has_no_old_image() {
        let insert = Record::builder()
            .event_name(OperationType::Insert)
            .dynamodb(
                StreamRecord::builder()
                    .sequence_number("7")
                    .size_bytes(1)
                    .set_new_image(Some(HashMap::from([(
                        "id".to_string(),
                        AttributeValue::S("x".into()),
                    )])))
                    .build(),
            )
            .build();
        let record = ChangeRecord::from_stream(&insert, STREAM);
        assert!(record.json["dynamodb"].get("OldImage").is_none());
        let event: aws_lambda_events::dynamodb::Event =
            serde_json::from_value(stream_event(&[record])).unwrap();
        assert!(event.records[0].change.old_image.is_empty());
    }

    #[test]
    fn the_failure_record_describes_the_batch() {
        let first = ChangeRecord::from_stream(&modify_record(), STREAM);
        let mut last = first.clone();
        last.sequence_number = "101".into();
        last.created_epoch_seconds = Some(1_700_000_060);
        let record = failure_record(
            &[first, last],
            &FailureContext {
                function_arn: "arn:aws:lambda:us-east-1:123456789012:function:f",
                stream_arn: STREAM,
                shard_id: "shardId-1",
                invocations: 3,
                function_error: true,
            },
        );
        assert_eq!(
            record["requestContext"]["condition"],
            "RetryAttemptsExhausted"
        );
        assert_eq!(record["requestContext"]["approximateInvokeCount"], 3);
        assert_eq!(
            record["requestContext"]["functionArn"],
            "arn:aws:lambda:us-east-1:123456789012:function:f"
        );
        assert_eq!(record["responseContext"]["functionError"], "Unhandled");
        let info = &record["DDBStreamBatchInfo"];
        assert_eq!(info["shardId"], "shardId-1");
        assert_eq!(info["startSequenceNumber"], "100");
        assert_eq!(info["endSequenceNumber"], "101");
        assert_eq!(
            info["approximateArrivalOfFirstRecord"],
            "2023-11-14T22:13:20Z"
        );
        assert_eq!(
            info["approximateArrivalOfLastRecord"],
            "2023-11-14T22:14:20Z"
        );
        assert_eq!(info["batchSize"], 2);
        assert_eq!(info["streamArn"], STREAM);
        assert_eq!(record["records"][1]["eventName"], "MODIFY");
        assert!(record["timestamp"].as_str().unwrap().ends_with('Z'));
    }
}
