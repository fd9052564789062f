//! A test-only Lambda function on the real runtime that consumes SQS and DynamoDB stream events,
//! used to check the gateway's event source mappings.
//!
//! Every record it is given becomes an item of the table named by `PROBE_TABLE`, so a test can
//! see each delivery (with its receive count, or its invocation for stream records). A record
//! whose body (SQS) or new image (stream) contains "fail" is reported in `batchItemFailures`;
//! one containing "error" fails the whole invocation.

use aws_sdk_dynamodb::types::AttributeValue;
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::{json, Value};
use std::collections::HashMap;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    let table = std::env::var("PROBE_TABLE").map_err(|_| "PROBE_TABLE is not set")?;
    lambda_runtime::run(service_fn(|event| consume(&client, &table, event))).await
}

async fn consume(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    event: LambdaEvent<Value>,
) -> Result<Value, Error> {
    let (payload, context) = event.into_parts();
    let records = payload["Records"].as_array().cloned().unwrap_or_default();
    let mut failures = Vec::new();
    let mut whole_batch_fails = false;
    for record in &records {
        let (identifier, text, mut item) = describe(record, &context.request_id)?;
        item.insert("requestId".into(), s(&context.request_id));
        item.insert(
            "batchSize".into(),
            AttributeValue::N(records.len().to_string()),
        );
        client
            .put_item()
            .table_name(table)
            .set_item(Some(item))
            .send()
            .await?;
        whole_batch_fails |= text.contains("error");
        if text.contains("fail") {
            failures.push(json!({ "itemIdentifier": identifier }));
        }
    }
    if whole_batch_fails {
        return Err("probe-consumer asked to fail the batch".into());
    }
    Ok(json!({ "batchItemFailures": failures }))
}

/// A record's `itemIdentifier`, the text checked for "fail"/"error", and the item that records it.
fn describe(
    record: &Value,
    request_id: &str,
) -> Result<(String, String, HashMap<String, AttributeValue>), Error> {
    let field = |value: &Value| value.as_str().unwrap_or_default().to_string();
    match record["eventSource"].as_str() {
        Some("aws:sqs") => {
            let id = field(&record["messageId"]);
            let body = field(&record["body"]);
            let count = field(&record["attributes"]["ApproximateReceiveCount"]);
            let item = HashMap::from([
                ("pk".to_string(), s(&format!("sqs#{id}#{count}"))),
                ("kind".to_string(), s("sqs")),
                ("messageId".to_string(), s(&id)),
                ("body".to_string(), s(&body)),
                ("receiveCount".to_string(), AttributeValue::N(count)),
            ]);
            Ok((id, body, item))
        }
        Some("aws:dynamodb") => {
            let change = &record["dynamodb"];
            let sequence = field(&change["SequenceNumber"]);
            let new_image = change["NewImage"].to_string();
            let item = HashMap::from([
                (
                    "pk".to_string(),
                    s(&format!("stream#{sequence}#{request_id}")),
                ),
                ("kind".to_string(), s("stream")),
                ("sequenceNumber".to_string(), s(&sequence)),
                ("eventName".to_string(), s(&field(&record["eventName"]))),
                ("keys".to_string(), s(&change["Keys"].to_string())),
                ("newImage".to_string(), s(&new_image)),
                ("oldImage".to_string(), s(&change["OldImage"].to_string())),
            ]);
            Ok((sequence, new_image, item))
        }
        other => Err(format!("probe-consumer cannot read a record from {other:?}").into()),
    }
}

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_string())
}
