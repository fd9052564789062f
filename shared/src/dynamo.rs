//! DynamoDB helpers shared by the stores.

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};

/// Did a write fail only because its condition did not hold? The stores turn that into a
/// domain outcome (taken, changed meanwhile, duplicate) rather than an error.
pub fn condition_failed<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> bool {
    error.as_service_error().and_then(|e| e.code()) == Some("ConditionalCheckFailedException")
}
