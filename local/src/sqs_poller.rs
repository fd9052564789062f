//! An SQS event source mapping: long-polls a queue and invokes a function with each batch.
//!
//! As Lambda does: up to `BatchSize` messages per invocation, deleted when the function
//! succeeds; with `ReportBatchItemFailures` only the messages it names stay; on an error all
//! stay. Messages that stay come back when their visibility timeout ends (the queue's, or the
//! shorter one the consumer asked for with `ChangeMessageVisibility`) and, after the queue's
//! `maxReceiveCount`, moto moves them to the dead-letter queue.
//!
//! Only when asked (`SQS_RETRY_DELAY_SECONDS`, for the fault tests, which fail messages on
//! purpose and would otherwise wait a minute for each) does a failed message come back sooner.

use crate::batch_response::{read_batch_response, BatchOutcome};
use crate::event_sources::StopSignal;
use crate::faults::Faults;
use crate::invoker::Invoker;
use crate::sqs_event::{settle, sqs_event, Settlement};
use aws_sdk_sqs::error::DisplayErrorContext;
use aws_sdk_sqs::types::{
    ChangeMessageVisibilityBatchRequestEntry, DeleteMessageBatchRequestEntry, Message,
    MessageSystemAttributeName,
};
use aws_sdk_sqs::Client;
use std::time::{Duration, Instant};

/// Lambda's long poll.
const LONG_POLL_SECONDS: i32 = 20;
/// SQS returns at most this many messages per receive.
const MAX_MESSAGES_PER_RECEIVE: u32 = 10;
/// How long to wait after SQS itself failed (moto restarting, queue missing) before trying again.
const ERROR_BACKOFF: Duration = Duration::from_secs(1);
/// How often a poller held back by LOCAL_FAULTS looks whether it has been let go.
const HELD_RECHECK: Duration = Duration::from_millis(50);

/// One `Type: SQS` event of one function; a mapping may run several at once.
#[derive(Clone)]
pub(crate) struct SqsPoller {
    /// The function's logical id.
    pub function: String,
    /// The queue's ARN.
    pub queue_arn: String,
    /// `BatchSize` (a receive returns at most 10).
    pub batch_size: u32,
    /// `ReportBatchItemFailures` is on.
    pub report_batch_item_failures: bool,
    /// When failed messages become visible again, if not when their visibility timeout ends.
    pub retry_delay: Option<Duration>,
    /// The region named in the event.
    pub region: String,
    /// The client for the local SQS.
    pub sqs: Client,
    /// Runs the function.
    pub invoker: Invoker,
    /// Faults to inject (none unless `LOCAL_FAULTS` asks).
    pub faults: Faults,
}

impl SqsPoller {
    /// Polls until `stop`. Stopping mid-batch leaves its messages to come back later, as a
    /// Lambda poller that goes away does.
    pub(crate) async fn run(self, mut stop: StopSignal) {
        let url = loop {
            let found = tokio::select! {
                () = stop.wait() => return,
                found = queue_url(&self.sqs, &self.queue_arn) => found,
            };
            match found {
                Ok(url) => break url,
                Err(err) => {
                    eprintln!("[{}] SQS {}: {err}", self.function, self.queue_arn);
                    if stop.sleep(ERROR_BACKOFF).await {
                        return;
                    }
                }
            }
        };
        loop {
            // LOCAL_FAULTS may hold this function's messages back, as a disabled mapping does.
            if self.faults.holds_messages(&self.function) {
                if stop.sleep(HELD_RECHECK).await {
                    return;
                }
                continue;
            }
            let polled = tokio::select! {
                () = stop.wait() => return,
                polled = self.poll_once(&url) => polled,
            };
            if let Err(err) = polled {
                eprintln!("[{}] SQS {}: {err}", self.function, self.queue_arn);
                if stop.sleep(ERROR_BACKOFF).await {
                    return;
                }
            }
        }
    }

    /// Receives one batch (waiting up to the long poll), invokes the function and settles it.
    async fn poll_once(&self, url: &str) -> Result<(), String> {
        let received = self
            .sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(self.batch_size.clamp(1, MAX_MESSAGES_PER_RECEIVE) as i32)
            .wait_time_seconds(LONG_POLL_SECONDS)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .message_attribute_names("All")
            .send()
            .await
            .map_err(|err| format!("receiving: {}", DisplayErrorContext(&err)))?;
        let messages = received.messages();
        if messages.is_empty() {
            return Ok(());
        }

        let started = Instant::now();
        // LOCAL_FAULTS may fail some messages before the function sees them.
        let (given, withheld): (Vec<usize>, Vec<usize>) = (0..messages.len()).partition(|&i| {
            let id = messages[i].message_id().unwrap_or_default();
            !self.faults.fails_message(&self.function, id)
        });
        let mut settlement = Settlement {
            delete: Vec::new(),
            retry: withheld.clone(),
        };
        if !given.is_empty() {
            let batch: Vec<Message> = given.iter().map(|&i| messages[i].clone()).collect();
            let event = sqs_event(&batch, &self.queue_arn, &self.region);
            let result = self.invoker.invoke(&self.function, event).await;
            let ids: Vec<&str> = batch
                .iter()
                .map(|m| m.message_id().unwrap_or_default())
                .collect();
            let outcome = read_batch_response(&result, self.report_batch_item_failures, &ids);
            let settled = settle(&ids, &outcome);
            settlement
                .delete
                .extend(settled.delete.iter().map(|&j| given[j]));
            settlement
                .retry
                .extend(settled.retry.iter().map(|&j| given[j]));
            if let BatchOutcome::AllFailed(reason) = &outcome {
                eprintln!("[{}] {reason}", self.function);
            }
        }
        println!(
            "SQS {} {} messages, {} failed{} {}ms {}",
            queue_name(&self.queue_arn),
            messages.len(),
            settlement.retry.len(),
            if withheld.is_empty() {
                String::new()
            } else {
                format!(" ({} by LOCAL_FAULTS)", withheld.len())
            },
            started.elapsed().as_millis(),
            self.function
        );

        self.delete(url, messages, &settlement.delete).await?;
        self.retry_soon(url, messages, &settlement.retry).await
    }

    async fn delete(&self, url: &str, messages: &[Message], which: &[usize]) -> Result<(), String> {
        if which.is_empty() {
            return Ok(());
        }
        let entries = which
            .iter()
            .map(|&i| {
                DeleteMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .receipt_handle(messages[i].receipt_handle().unwrap_or_default())
                    .build()
                    .map_err(|err| err.to_string())
            })
            .collect::<Result<Vec<_>, _>>()?;
        let deleted = self
            .sqs
            .delete_message_batch()
            .queue_url(url)
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(|err| format!("deleting: {}", DisplayErrorContext(&err)))?;
        match deleted.failed() {
            [] => Ok(()),
            failed => Err(format!("deleting: {failed:?}")),
        }
    }

    /// Makes failed messages visible again after the local retry delay, if one is set.
    async fn retry_soon(
        &self,
        url: &str,
        messages: &[Message],
        which: &[usize],
    ) -> Result<(), String> {
        let Some(retry_delay) = self.retry_delay else {
            return Ok(());
        };
        if which.is_empty() {
            return Ok(());
        }
        let entries = which
            .iter()
            .map(|&i| {
                ChangeMessageVisibilityBatchRequestEntry::builder()
                    .id(i.to_string())
                    .receipt_handle(messages[i].receipt_handle().unwrap_or_default())
                    .visibility_timeout(retry_delay.as_secs() as i32)
                    .build()
                    .map_err(|err| err.to_string())
            })
            .collect::<Result<Vec<_>, _>>()?;
        let changed = self
            .sqs
            .change_message_visibility_batch()
            .queue_url(url)
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(|err| format!("changing visibility: {}", DisplayErrorContext(&err)))?;
        match changed.failed() {
            [] => Ok(()),
            failed => Err(format!("changing visibility: {failed:?}")),
        }
    }
}

/// A queue's URL, looked up by the name and account in its ARN.
pub(crate) async fn queue_url(sqs: &Client, queue_arn: &str) -> Result<String, String> {
    let parts: Vec<&str> = queue_arn.split(':').collect();
    let [_, _, "sqs", _, account, name] = parts[..] else {
        return Err(format!("{queue_arn} is not an SQS queue ARN"));
    };
    let found = sqs
        .get_queue_url()
        .queue_name(name)
        .queue_owner_aws_account_id(account)
        .send()
        .await
        .map_err(|err| DisplayErrorContext(&err).to_string())?;
    found
        .queue_url()
        .map(str::to_string)
        .ok_or_else(|| "GetQueueUrl returned no URL".into())
}

/// The name at the end of a queue ARN.
fn queue_name(arn: &str) -> &str {
    arn.rsplit(':').next().unwrap_or(arn)
}
