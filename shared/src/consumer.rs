//! The SQS consumer driver: every asynchronous input (domain events, expiry) arrives as an
//! SQS batch, and each consumer only writes `handle(context, event) -> Result<(), ConsumerError>`.
//!
//! Messages of a batch are handled one by one, in order; the ones that fail are reported in
//! `batchItemFailures`, so SQS redelivers only those (and, after maxReceiveCount, moves them
//! to the queue's DLQ). A whole batch never fails for one bad message.

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::LambdaEvent;
use serde::de::DeserializeOwned;
use std::future::Future;

/// Why a message was not handled. Both are retried by SQS; they differ in what the log says.
#[derive(Debug, thiserror::Error)]
pub enum ConsumerError {
    /// Not yet possible (an earlier version has not arrived, a write raced): try again later.
    #[error("retry later: {0}")]
    Retry(String),
    /// It will never work (malformed message): it ends in the DLQ for a human to look at.
    #[error("cannot be handled: {0}")]
    Permanent(String),
}

/// Handles one SQS batch whose message bodies are JSON `M`: an EventBridge event
/// ([`crate::events::BusEvent`]) for domain events, or a plain message such as a schedule's input.
pub async fn handle_batch<'c, C, M, H, F>(
    context: &'c C,
    event: SqsEvent,
    handler: &H,
) -> SqsBatchResponse
where
    M: DeserializeOwned,
    H: Fn(&'c C, M) -> F,
    F: Future<Output = Result<(), ConsumerError>>,
{
    let mut response = SqsBatchResponse::default();
    for message in event.records {
        let message_id = message.message_id.clone().unwrap_or_default();
        let outcome = match serde_json::from_str::<M>(message.body.as_deref().unwrap_or_default()) {
            Ok(parsed) => {
                let result = handler(context, parsed).await;
                if result.is_ok() {
                    tracing::info!(message_id, "message handled");
                }
                result
            }
            Err(error) => Err(ConsumerError::Permanent(format!(
                "malformed message body: {error}"
            ))),
        };
        if let Err(error) = outcome {
            match &error {
                ConsumerError::Retry(_) => {
                    tracing::warn!(message_id, %error, "message will be retried")
                }
                ConsumerError::Permanent(_) => {
                    tracing::error!(message_id, %error, "message cannot be handled")
                }
            }
            response.add_failure(message_id);
        }
    }
    response
}

/// Runs an SQS consumer as the Lambda's entry point; `context` is built once per cold start.
pub async fn serve<C, M, H, F>(context: C, handler: H) -> Result<(), lambda_runtime::Error>
where
    C: Sync + 'static,
    M: DeserializeOwned + Send,
    H: Fn(&'static C, M) -> F + Send + Sync + 'static,
    F: Future<Output = Result<(), ConsumerError>> + Send,
{
    let context: &'static C = Box::leak(Box::new(context));
    let handler = &handler;
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: LambdaEvent<SqsEvent>| async move {
            Ok::<_, std::convert::Infallible>(handle_batch(context, event.payload, handler).await)
        },
    ))
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::BusEvent;
    use aws_lambda_events::sqs::SqsMessage;
    use serde_json::json;
    use std::sync::Mutex;

    fn message(id: &str, body: &str) -> SqsMessage {
        let mut message = SqsMessage::default();
        message.message_id = Some(id.into());
        message.body = Some(body.into());
        message
    }

    fn bus_body(n: u64) -> String {
        json!({"id": format!("e{n}"), "detail-type": "Test", "source": "test", "detail": {"n": n}})
            .to_string()
    }

    #[derive(serde::Deserialize)]
    struct Detail {
        n: u64,
    }

    #[tokio::test]
    async fn only_the_failed_messages_are_reported() {
        // GIVEN a batch of three events and a malformed message, where event 2 cannot be handled yet
        let mut event = SqsEvent::default();
        event.records = vec![
            message("m1", &bus_body(1)),
            message("m2", &bus_body(2)),
            message("m3", "{oops"),
            message("m4", &bus_body(4)),
        ];
        let seen = Mutex::new(Vec::new());
        let handler = |seen: &Mutex<Vec<u64>>, event: BusEvent<Detail>| {
            seen.lock().unwrap().push(event.detail.n);
            let n = event.detail.n;
            async move {
                if n == 2 {
                    Err(ConsumerError::Retry("not yet".into()))
                } else {
                    Ok(())
                }
            }
        };
        // WHEN the batch is handled
        let response = handle_batch(&seen, event, &handler).await;
        // THEN every well-formed message was tried in order, and only m2 and m3 are reported
        assert_eq!(*seen.lock().unwrap(), [1, 2, 4]);
        let failed: Vec<_> = response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.as_str())
            .collect();
        assert_eq!(failed, ["m2", "m3"]);
    }
}
