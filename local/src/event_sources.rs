//! Event source mappings: a poller per `SQS` and `DynamoDB` event of each function, turning
//! queue messages and stream records into invocations through the [`Invoker`]; and the firer of
//! the template's schedule groups' one-shot schedules (moto never fires them).

use crate::aws::Clients;
use crate::faults::Faults;
use crate::invoker::Invoker;
use crate::resolver::{Resolver, ACCOUNT_ID};
use crate::schedule_firer::{self, ScheduleFirer};
use crate::sqs_poller::SqsPoller;
use crate::stream_poller::StreamPoller;
use crate::stream_retry::RetryPolicy;
use crate::template::{Template, TemplateError};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// Settings shared by all mappings.
#[derive(Debug, Clone)]
pub struct EventSourceOptions {
    /// How soon a failed SQS message is received again; `None`, as in AWS: when the queue's
    /// visibility timeout ends (or the delay its consumer asked for).
    pub sqs_retry_delay: Option<Duration>,
    /// Region named in events and ARNs.
    pub region: String,
    /// Faults to inject (`LOCAL_FAULTS`).
    pub faults: Faults,
    /// Instances per function (`MAX_INSTANCES`): an SQS mapping runs as many pollers, or
    /// `ScalingConfig.MaximumConcurrency` if that is lower, as Lambda scales its pollers up to it.
    pub max_instances: usize,
}

/// The running pollers; dropping this stops them too.
pub struct EventSources {
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
    mappings: Vec<String>,
}

impl EventSources {
    /// Starts a poller for every enabled `SQS` and `DynamoDB` event of every function, and the
    /// schedule firer when the template has schedule groups. The resolver must know the tables'
    /// stream ARNs ([`Resolver::with_stream_arns`]).
    pub fn start(
        template: &Template,
        resolver: &Resolver<'_>,
        invoker: &Invoker,
        clients: &Clients,
        options: &EventSourceOptions,
    ) -> Result<Self, TemplateError> {
        let (stop, stopped) = watch::channel(false);
        let mut tasks = JoinSet::new();
        let mut mappings = Vec::new();
        for function in &template.functions {
            let id = &function.logical_id;
            for source in &function.sqs_sources {
                let queue_arn = resolver.resolve(&source.queue)?;
                let queue = queue_arn.rsplit(':').next().unwrap_or_default();
                if !source.enabled {
                    mappings.push(format!("SQS {queue} -> {id} (disabled)"));
                    continue;
                }
                let pollers = sqs_pollers(source.maximum_concurrency, options.max_instances);
                mappings.push(format!(
                    "SQS {queue} -> {id} (batch {}, {pollers} at once)",
                    source.batch_size
                ));
                let poller = SqsPoller {
                    function: id.clone(),
                    queue_arn,
                    batch_size: source.batch_size,
                    report_batch_item_failures: source.report_batch_item_failures,
                    retry_delay: options.sqs_retry_delay,
                    region: options.region.clone(),
                    sqs: clients.sqs.clone(),
                    invoker: invoker.clone(),
                    faults: options.faults.clone(),
                };
                for _ in 1..pollers {
                    tasks.spawn(poller.clone().run(StopSignal(stopped.clone())));
                }
                tasks.spawn(poller.run(StopSignal(stopped.clone())));
            }
            for source in &function.stream_sources {
                let stream_arn = resolver.resolve(&source.stream)?;
                let table = stream_arn
                    .split_once(":table/")
                    .and_then(|(_, rest)| rest.split('/').next())
                    .unwrap_or_default()
                    .to_string();
                if !source.enabled {
                    mappings.push(format!("stream {table} -> {id} (disabled)"));
                    continue;
                }
                mappings.push(format!(
                    "stream {table} -> {id} (batch {}, parallelization {})",
                    source.batch_size, source.parallelization_factor
                ));
                let on_failure = source
                    .on_failure
                    .as_ref()
                    .map(|d| resolver.resolve(d))
                    .transpose()?;
                let poller = StreamPoller {
                    function: id.clone(),
                    function_arn: format!(
                        "arn:aws:lambda:{}:{ACCOUNT_ID}:function:{}",
                        options.region,
                        resolver.function_name(function)?
                    ),
                    stream_arn,
                    starting_position: source.starting_position,
                    policy: RetryPolicy {
                        batch_size: source.batch_size as usize,
                        maximum_retry_attempts: source.maximum_retry_attempts,
                        bisect_on_function_error: source.bisect_batch_on_function_error,
                    },
                    parallelization_factor: source.parallelization_factor as usize,
                    report_batch_item_failures: source.report_batch_item_failures,
                    on_failure,
                    streams: clients.streams.clone(),
                    sqs: clients.sqs.clone(),
                    invoker: invoker.clone(),
                };
                tasks.spawn(poller.run(StopSignal(stopped.clone())));
            }
        }
        if !template.schedule_groups.is_empty() {
            let groups = template
                .schedule_groups
                .iter()
                .map(|group| resolver.schedule_group_name(&group.logical_id))
                .collect::<Result<Vec<_>, _>>()?;
            let functions = template
                .functions
                .iter()
                .map(|f| Ok((resolver.function_name(f)?, f.logical_id.clone())))
                .collect::<Result<BTreeMap<_, _>, TemplateError>>()?;
            for group in &groups {
                mappings.push(format!(
                    "schedules {group} -> fired when due (every {}ms)",
                    schedule_firer::TICK.as_millis()
                ));
            }
            let firer = ScheduleFirer {
                groups,
                functions,
                scheduler: clients.scheduler.clone(),
                sqs: clients.sqs.clone(),
                invoker: invoker.clone(),
            };
            tasks.spawn(firer.run(StopSignal(stopped.clone())));
        }
        Ok(EventSources {
            stop,
            tasks,
            mappings,
        })
    }

    /// One line per mapping, e.g. `SQS stack-Queue -> Consumer (batch 10)`.
    pub fn mappings(&self) -> &[String] {
        &self.mappings
    }

    /// Stops every poller and waits until they have. A batch being handled is left unfinished
    /// (its messages come back after their visibility timeout).
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        while self.tasks.join_next().await.is_some() {}
    }
}

/// Tells a poller to stop: once [`EventSources::shutdown`] runs or the sources are dropped.
pub(crate) struct StopSignal(watch::Receiver<bool>);

impl StopSignal {
    /// Resolves when the poller must stop.
    pub(crate) async fn wait(&mut self) {
        // An error means the sender is gone, which also means stop.
        let _ = self.0.wait_for(|stop| *stop).await;
    }

    /// Sleeps for `duration`; true if told to stop meanwhile.
    pub(crate) async fn sleep(&mut self, duration: Duration) -> bool {
        tokio::select! {
            () = self.wait() => true,
            () = tokio::time::sleep(duration) => false,
        }
    }
}

/// How many pollers an SQS mapping runs at once: as many as the function may have instances, or
/// its `ScalingConfig.MaximumConcurrency` if that is lower (Lambda never invokes it more often
/// at once than that), and at least one.
fn sqs_pollers(maximum_concurrency: Option<u32>, max_instances: usize) -> usize {
    maximum_concurrency
        .map_or(usize::MAX, |n| n as usize)
        .min(max_instances)
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_sqs_mapping_polls_as_often_at_once_as_its_maximum_concurrency_and_the_instances_allow() {
        assert_eq!(sqs_pollers(None, 4), 4);
        assert_eq!(sqs_pollers(Some(2), 4), 2);
        assert_eq!(sqs_pollers(Some(1000), 4), 4);
        assert_eq!(sqs_pollers(None, 0), 1);
    }
}
