//! A DynamoDB Streams event source mapping: reads a table's stream in order and invokes a
//! function with batches of records, retrying and giving up as [`crate::stream_retry`] says.
//!
//! With a `ParallelizationFactor` of N, as in Lambda, a shard's records are split by partition
//! key into N lanes whose batches are handled at the same time: the records of one item stay
//! in order, and one failing item holds up only its own lane.

use crate::batch_response::{read_batch_response, BatchOutcome};
use crate::event_sources::StopSignal;
use crate::invoker::Invoker;
use crate::sqs_poller::queue_url;
use crate::stream_event::{failure_record, stream_event, ChangeRecord, FailureContext};
use crate::stream_retry::{RetryPolicy, RetryState};
use crate::template::StartingPosition;
use aws_sdk_dynamodbstreams::error::DisplayErrorContext;
use aws_sdk_dynamodbstreams::types::ShardIteratorType;
use aws_sdk_dynamodbstreams::Client;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// How often an idle shard is read again (and how long a failed batch waits before its retry).
const IDLE_POLL: Duration = Duration::from_millis(200);
/// How long to wait after the stream itself failed before trying again.
const ERROR_BACKOFF: Duration = Duration::from_secs(1);
/// Records asked for per `GetRecords`.
const READ_LIMIT: i32 = 1000;
/// Records read ahead of the function, at most, per shard.
const MAX_PENDING: usize = 10_000;

/// One `Type: DynamoDB` event of one function.
pub(crate) struct StreamPoller {
    /// The function's logical id.
    pub function: String,
    /// The function's ARN, for failure records.
    pub function_arn: String,
    /// The stream's ARN.
    pub stream_arn: String,
    /// `StartingPosition`.
    pub starting_position: StartingPosition,
    /// Batch size and retries.
    pub policy: RetryPolicy,
    /// `ParallelizationFactor`: batches of one shard in flight at once.
    pub parallelization_factor: usize,
    /// `ReportBatchItemFailures` is on.
    pub report_batch_item_failures: bool,
    /// `DestinationConfig.OnFailure.Destination` (an SQS queue ARN locally).
    pub on_failure: Option<String>,
    /// The client for the local DynamoDB Streams.
    pub streams: Client,
    /// The client for the `OnFailure` queue.
    pub sqs: aws_sdk_sqs::Client,
    /// Runs the function.
    pub invoker: Invoker,
}

/// Where reading one shard stands.
struct Shard {
    id: String,
    /// `None` until acquired, and again after the iterator failed.
    iterator: Option<String>,
    /// The last record read, to resume after it with a new iterator.
    last_read: Option<String>,
    /// The shard ended (its table's stream was replaced): nothing more to read.
    closed: bool,
    /// The records read and not yet done, by partition key: one lane per parallel batch.
    lanes: Vec<Lane>,
}

/// Records of some partition keys, in the order read, and how retrying their head goes.
struct Lane {
    pending: VecDeque<ChangeRecord>,
    retry: RetryState,
}

impl Shard {
    fn pending(&self) -> usize {
        self.lanes.iter().map(|lane| lane.pending.len()).sum()
    }
}

impl StreamPoller {
    /// Polls until `stop`. Stopping mid-batch leaves it unfinished: like a restarted mapping
    /// reading from its `StartingPosition` again, the next run may deliver it again.
    pub(crate) async fn run(self, mut stop: StopSignal) {
        let mut shards = loop {
            let described = tokio::select! {
                () = stop.wait() => return,
                described = self.shards() => described,
            };
            match described {
                Ok(shards) => break shards,
                Err(err) => {
                    self.log_error(&err);
                    if stop.sleep(ERROR_BACKOFF).await {
                        return;
                    }
                }
            }
        };
        loop {
            let mut busy = false;
            for shard in &mut shards {
                let stepped = tokio::select! {
                    () = stop.wait() => return,
                    stepped = self.step(shard) => stepped,
                };
                match stepped {
                    Ok(invoked) => busy |= invoked,
                    Err(err) => {
                        self.log_error(&err);
                        if stop.sleep(ERROR_BACKOFF).await {
                            return;
                        }
                    }
                }
            }
            if !busy && stop.sleep(IDLE_POLL).await {
                return;
            }
        }
    }

    async fn shards(&self) -> Result<Vec<Shard>, String> {
        let described = self
            .streams
            .describe_stream()
            .stream_arn(&self.stream_arn)
            .send()
            .await
            .map_err(|err| format!("describing the stream: {}", DisplayErrorContext(&err)))?;
        let shards = described
            .stream_description()
            .map(|d| d.shards())
            .unwrap_or_default();
        Ok(shards
            .iter()
            .filter_map(|shard| shard.shard_id())
            .map(|id| Shard {
                id: id.to_string(),
                iterator: None,
                last_read: None,
                closed: false,
                lanes: (0..self.parallelization_factor.max(1))
                    .map(|_| Lane {
                        pending: VecDeque::new(),
                        retry: RetryState::new(self.policy),
                    })
                    .collect(),
            })
            .collect())
    }

    /// Reads more if needed and invokes each lane that has records once, all at the same time;
    /// true if some lane's function succeeded at least in part (so there may be more to do
    /// right away).
    async fn step(&self, shard: &mut Shard) -> Result<bool, String> {
        let hungry = shard
            .lanes
            .iter()
            .any(|lane| lane.pending.len() < lane.retry.batch_limit());
        if hungry && shard.pending() < MAX_PENDING {
            self.read(shard).await?;
        }
        let shard_id = shard.id.clone();
        let steps = shard
            .lanes
            .iter_mut()
            .filter(|lane| !lane.pending.is_empty())
            .map(|lane| self.step_lane(&shard_id, lane));
        let moved = futures_util::future::join_all(steps).await;
        Ok(moved.into_iter().any(|moved| moved))
    }

    /// Invokes the function once with the head of a lane; true if records were done or given
    /// up (so there may be more to do right away).
    async fn step_lane(&self, shard_id: &str, lane: &mut Lane) -> bool {
        let size = lane.retry.batch_limit().min(lane.pending.len());
        let batch: Vec<ChangeRecord> = lane.pending.iter().take(size).cloned().collect();

        let started = Instant::now();
        let result = self
            .invoker
            .invoke(&self.function, stream_event(&batch))
            .await;
        let sequence_numbers: Vec<&str> =
            batch.iter().map(|r| r.sequence_number.as_str()).collect();
        let outcome =
            read_batch_response(&result, self.report_batch_item_failures, &sequence_numbers);
        let step = lane.retry.after(&sequence_numbers, &outcome);
        println!(
            "stream {} {size} records, {} failed {}ms {}",
            table_name(&self.stream_arn),
            size - step.done,
            started.elapsed().as_millis(),
            self.function
        );
        if let BatchOutcome::AllFailed(reason) = &outcome {
            eprintln!("[{}] {reason}", self.function);
        }

        lane.pending.drain(..step.done);
        if step.given_up > 0 {
            let lost: Vec<ChangeRecord> = lane.pending.drain(..step.given_up).collect();
            let context = FailureContext {
                function_arn: &self.function_arn,
                stream_arn: &self.stream_arn,
                shard_id,
                invocations: step.failures,
                function_error: result.is_err(),
            };
            self.give_up(&lost, &context).await;
        }
        step.done + step.given_up > 0
    }

    /// Appends what the shard has after the last record read.
    async fn read(&self, shard: &mut Shard) -> Result<(), String> {
        if shard.closed {
            return Ok(());
        }
        let iterator = match shard.iterator.take() {
            Some(iterator) => iterator,
            None => self.acquire_iterator(shard).await?,
        };
        let read = match self
            .streams
            .get_records()
            .shard_iterator(iterator)
            .limit(READ_LIMIT)
            .send()
            .await
        {
            Ok(read) => read,
            // The iterator is no good any more: it expired (AWS: after 15 minutes), or it points
            // before the shard's oldest record (AWS: records trimmed after 24 hours; DynamoDB
            // Local: an iterator taken on an empty shard before another table's write, as its
            // sequence numbers are shared by all tables). Lambda takes a new one and goes on;
            // so does the next step, from after the last record read or the starting position.
            Err(err) if iterator_is_stale(&err) => return Ok(()),
            Err(err) => return Err(format!("reading: {}", DisplayErrorContext(&err))),
        };
        for record in read.records() {
            let record = ChangeRecord::from_stream(record, &self.stream_arn);
            shard.last_read = Some(record.sequence_number.clone());
            let lane = lane_of(&record, shard.lanes.len());
            shard.lanes[lane].pending.push_back(record);
        }
        shard.iterator = read.next_shard_iterator().map(str::to_string);
        shard.closed = shard.iterator.is_none();
        Ok(())
    }

    /// An iterator at the starting position, or just after the last record read.
    async fn acquire_iterator(&self, shard: &Shard) -> Result<String, String> {
        let request = self
            .streams
            .get_shard_iterator()
            .stream_arn(&self.stream_arn)
            .shard_id(&shard.id);
        let request = match (&shard.last_read, self.starting_position) {
            (Some(last), _) => request
                .shard_iterator_type(ShardIteratorType::AfterSequenceNumber)
                .sequence_number(last),
            (None, StartingPosition::TrimHorizon) => {
                request.shard_iterator_type(ShardIteratorType::TrimHorizon)
            }
            (None, StartingPosition::Latest) => {
                request.shard_iterator_type(ShardIteratorType::Latest)
            }
        };
        let got = request
            .send()
            .await
            .map_err(|err| format!("getting an iterator: {}", DisplayErrorContext(&err)))?;
        got.shard_iterator()
            .map(str::to_string)
            .ok_or_else(|| "GetShardIterator returned no iterator".into())
    }

    /// Sends a given-up batch to the `OnFailure` destination, as Lambda does, and moves on.
    async fn give_up(&self, lost: &[ChangeRecord], context: &FailureContext<'_>) {
        let record = failure_record(lost, context);
        let Some(destination) = &self.on_failure else {
            eprintln!(
                "[{}] gave up {} stream records (no OnFailure destination): {record}",
                self.function,
                lost.len()
            );
            return;
        };
        let sent = async {
            let url = queue_url(&self.sqs, destination).await?;
            self.sqs
                .send_message()
                .queue_url(url)
                .message_body(record.to_string())
                .send()
                .await
                .map_err(|err| aws_sdk_sqs::error::DisplayErrorContext(&err).to_string())
        };
        match sent.await {
            Ok(_) => eprintln!(
                "[{}] gave up {} stream records after {} attempts; sent to {destination}",
                self.function,
                lost.len(),
                context.invocations
            ),
            Err(err) => eprintln!(
                "[{}] gave up {} stream records; could not send them to {destination}: {err}: {record}",
                self.function,
                lost.len()
            ),
        }
    }

    fn log_error(&self, err: &str) {
        eprintln!(
            "[{}] stream {}: {err}",
            self.function,
            table_name(&self.stream_arn)
        );
    }
}

/// Whether `GetRecords` failed because the iterator cannot be read any more, not the stream.
fn iterator_is_stale(
    err: &aws_sdk_dynamodbstreams::error::SdkError<
        aws_sdk_dynamodbstreams::operation::get_records::GetRecordsError,
    >,
) -> bool {
    use aws_sdk_dynamodbstreams::operation::get_records::GetRecordsError;
    matches!(
        err.as_service_error(),
        Some(
            GetRecordsError::ExpiredIteratorException(_)
                | GetRecordsError::TrimmedDataAccessException(_)
        )
    )
}

/// The lane of a record: the same for every record of one item (its `Keys`).
fn lane_of(record: &ChangeRecord, lanes: usize) -> usize {
    use std::hash::{Hash, Hasher};
    if lanes <= 1 {
        return 0;
    }
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    record.json["dynamodb"]["Keys"]
        .to_string()
        .hash(&mut hasher);
    (hasher.finish() % lanes as u64) as usize
}

/// The table name in a stream ARN (`...:table/NAME/stream/LABEL`).
fn table_name(stream_arn: &str) -> &str {
    stream_arn
        .split_once(":table/")
        .and_then(|(_, rest)| rest.split('/').next())
        .unwrap_or(stream_arn)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(sequence: u32, pk: &str) -> ChangeRecord {
        ChangeRecord {
            sequence_number: sequence.to_string(),
            created_epoch_seconds: None,
            json: json!({"dynamodb": {"Keys": {"pk": {"S": pk}}}}),
        }
    }

    #[test]
    fn the_records_of_one_item_share_a_lane_and_items_spread_over_the_lanes() {
        let lanes = 4;
        let lane = |pk: &str| lane_of(&record(1, pk), lanes);
        for n in 0..50 {
            let pk = format!("TICKET#{n}");
            assert_eq!(
                lane_of(&record(1, &pk), lanes),
                lane_of(&record(2, &pk), lanes)
            );
        }
        let used: std::collections::BTreeSet<usize> =
            (0..50).map(|n| lane(&format!("TICKET#{n}"))).collect();
        assert_eq!(used.len(), lanes, "50 items use every lane");
        assert_eq!(lane_of(&record(1, "anything"), 1), 0);
    }
}
