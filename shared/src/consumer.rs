//! The SQS consumer driver: every asynchronous input (domain events, expiry) arrives as an
//! SQS batch, and each consumer only writes `handle(context, event) -> Result<(), ConsumerError>`.
//!
//! Messages of a batch are handled one by one, in order; the ones that fail are reported in
//! `batchItemFailures`, so SQS redelivers only those (and, after maxReceiveCount, moves them
//! to the queue's DLQ). A whole batch never fails for one bad message, not even for one whose
//! handler panics ([`crate::unwind`]).
//!
//! A failed message comes back when the queue's visibility timeout (60 s) ends. A message that
//! only has to wait (an earlier event has not arrived yet) is told to come back sooner: the
//! driver shortens its visibility with `ChangeMessageVisibility` to [`retry_delay`] — 1 s after
//! its first delivery, doubling with each, at most [`MAX_RETRY_DELAY`] — so events that arrive
//! out of order settle in seconds, on AWS as locally.

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use aws_sdk_sqs::types::ChangeMessageVisibilityBatchRequestEntry;
use lambda_runtime::LambdaEvent;
use serde::de::DeserializeOwned;
use std::future::Future;
use std::time::Duration;
use tokio::sync::OnceCell;

/// The longest a waiting message is hidden before it is tried again.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(30);
/// SQS changes at most this many messages' visibility per call.
const MAX_ENTRIES_PER_CHANGE: usize = 10;

/// How long a message that must wait stays hidden after its `receive_count`-th delivery: 1 s,
/// 2 s, 4 s, ... up to [`MAX_RETRY_DELAY`]. Nine deliveries span about two and a half minutes,
/// which is why the queues that wait for earlier events allow ten before the DLQ (template.yaml).
pub fn retry_delay(receive_count: u32) -> Duration {
    let doublings = receive_count.saturating_sub(1).min(16);
    Duration::from_secs(1u64 << doublings).min(MAX_RETRY_DELAY)
}

/// Why a message was not handled. SQS delivers it again; they differ in when, and in what the
/// log says.
#[derive(Debug, thiserror::Error)]
pub enum ConsumerError {
    /// Not yet possible (an earlier version has not arrived, a write raced): try again soon,
    /// after [`retry_delay`].
    #[error("retry later: {0}")]
    Retry(String),
    /// A service it needs (Stripe) is down or too slow: try again when the queue's visibility
    /// timeout ends, so an outage of minutes does not use up the receives before the DLQ.
    #[error("unavailable: {0}")]
    Unavailable(String),
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
    handle(context, event, handler).await.response
}

/// What a batch came to: the answer for Lambda, and the failed messages that only wait.
struct Handled {
    response: SqsBatchResponse,
    waiting: Vec<Waiting>,
}

/// A failed message to show again after `delay` rather than the queue's visibility timeout.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Waiting {
    queue_url: String,
    receipt_handle: String,
    delay: Duration,
}

async fn handle<'c, C, M, H, F>(context: &'c C, event: SqsEvent, handler: &H) -> Handled
where
    M: DeserializeOwned,
    H: Fn(&'c C, M) -> F,
    F: Future<Output = Result<(), ConsumerError>>,
{
    let mut handled = Handled {
        response: SqsBatchResponse::default(),
        waiting: Vec::new(),
    };
    for message in event.records {
        let message_id = message.message_id.clone().unwrap_or_default();
        let outcome = match serde_json::from_str::<M>(message.body.as_deref().unwrap_or_default()) {
            Ok(parsed) => {
                let result = crate::unwind::catching(handler(context, parsed))
                    .await
                    .unwrap_or_else(|panic| {
                        Err(ConsumerError::Permanent(format!(
                            "the handler panicked: {panic}"
                        )))
                    });
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
                    let waiting = waiting(&message);
                    let delay = waiting.as_ref().map(|w| w.delay.as_secs());
                    tracing::warn!(message_id, %error, delay, "message will be retried");
                    handled.waiting.extend(waiting);
                }
                ConsumerError::Unavailable(_) => {
                    tracing::warn!(message_id, %error, "message will be retried after the visibility timeout")
                }
                ConsumerError::Permanent(_) => {
                    tracing::error!(message_id, %error, "message cannot be handled")
                }
            }
            handled.response.add_failure(message_id);
        }
    }
    handled
}

/// When and where a message that must wait comes back, from its queue's ARN, its receipt
/// handle and how often it was received; `None` if the event lacks one of them.
fn waiting(message: &SqsMessage) -> Option<Waiting> {
    let receive_count = message
        .attributes
        .get("ApproximateReceiveCount")
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    Some(Waiting {
        queue_url: queue_url(message.event_source_arn.as_deref()?)?,
        receipt_handle: message.receipt_handle.clone()?,
        delay: retry_delay(receive_count),
    })
}

/// A queue's URL from its ARN (`arn:aws:sqs:REGION:ACCOUNT:NAME`), in the form SQS accepts in
/// every region; the local SQS reads the account and name from it the same way.
fn queue_url(arn: &str) -> Option<String> {
    match arn.split(':').collect::<Vec<_>>()[..] {
        ["arn", partition, "sqs", region, account, name] if !name.is_empty() => {
            let domain = if partition == "aws-cn" {
                "amazonaws.com.cn"
            } else {
                "amazonaws.com"
            };
            Some(format!("https://sqs.{region}.{domain}/{account}/{name}"))
        }
        _ => None,
    }
}

/// Shows each waiting message again after its delay. A change that fails only costs time: the
/// message still comes back when the queue's visibility timeout ends.
async fn postpone(sqs: &aws_sdk_sqs::Client, waiting: &[Waiting]) {
    let mut by_queue: Vec<(&str, Vec<&Waiting>)> = Vec::new();
    for message in waiting {
        match by_queue
            .iter_mut()
            .find(|(url, _)| *url == message.queue_url)
        {
            Some((_, messages)) => messages.push(message),
            None => by_queue.push((&message.queue_url, vec![message])),
        }
    }
    for (queue_url, messages) in by_queue {
        for chunk in messages.chunks(MAX_ENTRIES_PER_CHANGE) {
            let entries = chunk.iter().enumerate().filter_map(|(i, message)| {
                ChangeMessageVisibilityBatchRequestEntry::builder()
                    .id(i.to_string())
                    .receipt_handle(&message.receipt_handle)
                    .visibility_timeout(message.delay.as_secs() as i32)
                    .build()
                    .ok()
            });
            let sent = sqs
                .change_message_visibility_batch()
                .queue_url(queue_url)
                .set_entries(Some(entries.collect()))
                .send()
                .await;
            match sent {
                Ok(answer) if answer.failed().is_empty() => {}
                Ok(answer) => tracing::warn!(
                    queue_url,
                    failed = ?answer.failed(),
                    "could not shorten the wait of some messages"
                ),
                Err(error) => tracing::warn!(
                    queue_url,
                    error = %aws_sdk_sqs::error::DisplayErrorContext(&error),
                    "could not shorten the wait of the messages"
                ),
            }
        }
    }
}

/// Runs an SQS consumer as the Lambda's entry point; `context` is built once per cold start. Its
/// SQS client, for [`postpone`], is built the first time a message has to wait.
pub async fn serve<C, M, H, F>(context: C, handler: H) -> Result<(), lambda_runtime::Error>
where
    C: Sync + 'static,
    M: DeserializeOwned + Send,
    H: Fn(&'static C, M) -> F + Send + Sync + 'static,
    F: Future<Output = Result<(), ConsumerError>> + Send,
{
    let context: &'static C = Box::leak(Box::new(context));
    let handler = &handler;
    let sqs: &'static OnceCell<aws_sdk_sqs::Client> = Box::leak(Box::new(OnceCell::new()));
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: LambdaEvent<SqsEvent>| async move {
            let handled = handle(context, event.payload, handler).await;
            if !handled.waiting.is_empty() {
                let sqs = sqs
                    .get_or_init(|| async { crate::aws::sqs(&crate::aws::sdk_config().await) })
                    .await;
                postpone(sqs, &handled.waiting).await;
            }
            Ok::<_, std::convert::Infallible>(handled.response)
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

    #[tokio::test]
    async fn a_panicking_handler_fails_only_its_own_message() {
        // GIVEN a batch of four: the handler panics on the second and finds Stripe down on the third
        let mut event = SqsEvent::default();
        event.records = (1..=4)
            .map(|n| message(&format!("m{n}"), &bus_body(n)))
            .collect();
        let seen = Mutex::new(Vec::new());
        let handler = |seen: &Mutex<Vec<u64>>, event: BusEvent<Detail>| {
            let n = event.detail.n;
            if n != 2 && n != 3 {
                seen.lock().unwrap().push(n);
            }
            async move {
                match n {
                    2 => panic!("event {n} breaks the handler"),
                    3 => Err(ConsumerError::Unavailable("Stripe is down".into())),
                    _ => Ok(()),
                }
            }
        };
        // WHEN the batch is handled
        let handled = handle(&seen, event, &handler).await;
        // THEN the others were handled, in order, and only m2 and m3 are reported, to come back
        // after the visibility timeout (neither only waits for an earlier event)
        assert_eq!(*seen.lock().unwrap(), [1, 4]);
        let failed: Vec<_> = handled
            .response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.as_str())
            .collect();
        assert_eq!(failed, ["m2", "m3"]);
        assert!(handled.waiting.is_empty());
    }

    #[test]
    fn a_waiting_message_comes_back_sooner_each_time_up_to_the_cap() {
        let delays: Vec<u64> = (1..=8).map(|n| retry_delay(n).as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 30, 30, 30]);
        assert_eq!(retry_delay(0), Duration::from_secs(1));
        assert_eq!(retry_delay(u32::MAX), MAX_RETRY_DELAY);
    }

    #[tokio::test]
    async fn only_messages_that_wait_are_postponed_by_their_receive_count() {
        // GIVEN a message that must wait (received for the 3rd time) and a malformed one
        let mut waits = message("m1", &bus_body(1));
        waits.event_source_arn = Some("arn:aws:sqs:eu-west-1:123456789012:orders-queue".into());
        waits.receipt_handle = Some("handle-1".into());
        waits
            .attributes
            .insert("ApproximateReceiveCount".into(), "3".into());
        let mut broken = message("m2", "{oops");
        broken.event_source_arn = waits.event_source_arn.clone();
        broken.receipt_handle = Some("handle-2".into());
        let mut event = SqsEvent::default();
        event.records = vec![waits, broken];
        let handler = |_: &(), _: BusEvent<Detail>| async {
            Err::<(), _>(ConsumerError::Retry("an earlier version is missing".into()))
        };
        // WHEN the batch is handled
        let handled = handle(&(), event, &handler).await;
        // THEN both failed, and only the waiting one comes back early: after 4 s
        assert_eq!(handled.response.batch_item_failures.len(), 2);
        assert_eq!(
            handled.waiting,
            [Waiting {
                queue_url: "https://sqs.eu-west-1.amazonaws.com/123456789012/orders-queue".into(),
                receipt_handle: "handle-1".into(),
                delay: Duration::from_secs(4),
            }]
        );
    }

    #[test]
    fn queue_urls_come_from_queue_arns() {
        assert_eq!(
            queue_url("arn:aws:sqs:us-east-1:123456789012:q").as_deref(),
            Some("https://sqs.us-east-1.amazonaws.com/123456789012/q")
        );
        assert_eq!(queue_url("arn:aws:sns:us-east-1:123456789012:q"), None);
        assert_eq!(queue_url("not an arn"), None);
    }
}
