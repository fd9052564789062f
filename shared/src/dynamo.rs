//! DynamoDB helpers shared by the stores.

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};

/// Did a write fail only because its condition did not hold? The stores turn that into a
/// domain outcome (taken, changed meanwhile, duplicate) rather than an error.
pub fn condition_failed<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> bool {
    error.as_service_error().and_then(|e| e.code()) == Some("ConditionalCheckFailedException")
}

use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

/// A table item or stream image.
pub type Item = HashMap<String, AttributeValue>;

/// A string attribute value.
pub fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_string())
}

/// A number attribute value.
pub fn n(value: u64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// The string attribute `name` of an item; its absence is described in the error.
pub fn text(item: &Item, name: &str) -> Result<String, String> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .cloned()
        .ok_or_else(|| format!("item without {name}"))
}

/// The string attribute `name` of an item, if it has one.
pub fn optional_text(item: &Item, name: &str) -> Option<String> {
    item.get(name).and_then(|v| v.as_s().ok()).cloned()
}

/// The whole-number attribute `name` of an item; its absence is described in the error.
pub fn count(item: &Item, name: &str) -> Result<u64, String> {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("item without {name}"))
}

/// The reason code of each item of a cancelled transaction (`"None"` for the items that were
/// fine), or nothing if the error is not a cancelled transaction.
pub fn cancellation_reasons<R>(
    error: &SdkError<aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError, R>,
) -> Vec<String> {
    use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
    match error.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => cancelled
            .cancellation_reasons()
            .iter()
            .map(|r| r.code().unwrap_or("None").to_string())
            .collect(),
        _ => Vec::new(),
    }
}
