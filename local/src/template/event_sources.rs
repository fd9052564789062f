//! A function's `SQS` and `DynamoDB` events: the event source mappings that invoke it.

use super::{scalar_string, TemplateError};
use serde_yaml::Value;

/// Lambda's default `BatchSize` for SQS.
const DEFAULT_SQS_BATCH_SIZE: u32 = 10;
/// Lambda's default `BatchSize` for DynamoDB streams.
const DEFAULT_STREAM_BATCH_SIZE: u32 = 100;

/// An `SQS` event: Lambda polls the queue and invokes the function with batches.
#[derive(Debug, Clone, PartialEq)]
pub struct SqsSource {
    /// The event's name under `Events`.
    pub name: String,
    /// `Queue`: the queue's ARN, unresolved.
    pub queue: Value,
    /// `BatchSize`.
    pub batch_size: u32,
    /// `FunctionResponseTypes` has `ReportBatchItemFailures`.
    pub report_batch_item_failures: bool,
    /// `ScalingConfig.MaximumConcurrency` (2 to 1000): at most this many invocations at once.
    pub maximum_concurrency: Option<u32>,
    /// `Enabled` (default true).
    pub enabled: bool,
}

/// Where a new stream event source mapping starts reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartingPosition {
    /// The oldest record still in the stream.
    TrimHorizon,
    /// Only records written after the mapping starts.
    Latest,
}

/// A `DynamoDB` event: Lambda reads the table's stream and invokes the function in order.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamSource {
    /// The event's name under `Events`.
    pub name: String,
    /// `Stream`: the stream's ARN, unresolved (usually `!GetAtt Table.StreamArn`).
    pub stream: Value,
    /// `StartingPosition`.
    pub starting_position: StartingPosition,
    /// `BatchSize`.
    pub batch_size: u32,
    /// `MaximumRetryAttempts`; `None` (the default, or -1) retries until the record expires.
    pub maximum_retry_attempts: Option<u32>,
    /// `BisectBatchOnFunctionError`.
    pub bisect_batch_on_function_error: bool,
    /// `ParallelizationFactor` (1 to 10, default 1): batches of one shard handled at once,
    /// records of one partition key always in order.
    pub parallelization_factor: u32,
    /// `FunctionResponseTypes` has `ReportBatchItemFailures`.
    pub report_batch_item_failures: bool,
    /// `DestinationConfig.OnFailure.Destination`, unresolved.
    pub on_failure: Option<Value>,
    /// `Enabled` (default true).
    pub enabled: bool,
}

pub(super) fn parse_sqs_event(
    function: &str,
    name: &str,
    event: &Value,
) -> Result<SqsSource, TemplateError> {
    let props = Props::of(function, name, event)?;
    let maximum_concurrency = match props.value("ScalingConfig") {
        None => None,
        Some(scaling) => {
            let n = scaling
                .get("MaximumConcurrency")
                .and_then(scalar_string)
                .and_then(|n| n.parse::<u32>().ok())
                .filter(|n| (2..=1000).contains(n))
                .ok_or_else(|| {
                    props.invalid("ScalingConfig.MaximumConcurrency must be from 2 to 1000")
                })?;
            Some(n)
        }
    };
    Ok(SqsSource {
        name: name.to_string(),
        queue: props.required("Queue")?.clone(),
        batch_size: props.number("BatchSize")?.unwrap_or(DEFAULT_SQS_BATCH_SIZE),
        report_batch_item_failures: props.reports_item_failures(),
        maximum_concurrency,
        enabled: props.flag("Enabled")?.unwrap_or(true),
    })
}

pub(super) fn parse_stream_event(
    function: &str,
    name: &str,
    event: &Value,
) -> Result<StreamSource, TemplateError> {
    let props = Props::of(function, name, event)?;
    let starting_position = match props.value("StartingPosition").and_then(scalar_string) {
        Some(p) if p == "TRIM_HORIZON" => StartingPosition::TrimHorizon,
        Some(p) if p == "LATEST" => StartingPosition::Latest,
        Some(other) => return Err(props.invalid(&format!("StartingPosition {other}"))),
        None => return Err(props.invalid("StartingPosition is required")),
    };
    let maximum_retry_attempts = match props.value("MaximumRetryAttempts").and_then(scalar_string) {
        None => None,
        Some(n) if n == "-1" => None,
        Some(n) => Some(
            n.parse()
                .map_err(|_| props.invalid("MaximumRetryAttempts must be -1 or more"))?,
        ),
    };
    let parallelization_factor = props.number("ParallelizationFactor")?.unwrap_or(1);
    if !(1..=10).contains(&parallelization_factor) {
        return Err(props.invalid("ParallelizationFactor must be from 1 to 10"));
    }
    let on_failure = props
        .value("DestinationConfig")
        .and_then(|d| d.get("OnFailure"))
        .and_then(|f| f.get("Destination"))
        .cloned();
    Ok(StreamSource {
        name: name.to_string(),
        stream: props.required("Stream")?.clone(),
        starting_position,
        batch_size: props
            .number("BatchSize")?
            .unwrap_or(DEFAULT_STREAM_BATCH_SIZE),
        maximum_retry_attempts,
        bisect_batch_on_function_error: props.flag("BisectBatchOnFunctionError")?.unwrap_or(false),
        parallelization_factor,
        report_batch_item_failures: props.reports_item_failures(),
        on_failure,
        enabled: props.flag("Enabled")?.unwrap_or(true),
    })
}

/// An event's `Properties`, with errors that name the function and event.
struct Props<'v> {
    function: &'v str,
    name: &'v str,
    properties: Option<&'v Value>,
}

impl<'v> Props<'v> {
    fn of(function: &'v str, name: &'v str, event: &'v Value) -> Result<Self, TemplateError> {
        let props = Props {
            function,
            name,
            properties: event.get("Properties"),
        };
        // Delivering only matching records is not implemented: say so rather than deliver all.
        if props.value("FilterCriteria").is_some() {
            return Err(TemplateError::Unsupported(format!(
                "{function}.{name}: FilterCriteria"
            )));
        }
        Ok(props)
    }

    fn value(&self, key: &str) -> Option<&'v Value> {
        self.properties.and_then(|p| p.get(key))
    }

    fn required(&self, key: &str) -> Result<&'v Value, TemplateError> {
        self.value(key)
            .ok_or_else(|| self.invalid(&format!("{key} is required")))
    }

    fn number(&self, key: &str) -> Result<Option<u32>, TemplateError> {
        self.value(key)
            .map(|v| {
                scalar_string(v)
                    .and_then(|n| n.parse().ok())
                    .ok_or_else(|| self.invalid(&format!("{key} must be a plain number")))
            })
            .transpose()
    }

    fn flag(&self, key: &str) -> Result<Option<bool>, TemplateError> {
        self.value(key)
            .map(|v| match scalar_string(v).as_deref() {
                Some("true") => Ok(true),
                Some("false") => Ok(false),
                _ => Err(self.invalid(&format!("{key} must be true or false"))),
            })
            .transpose()
    }

    fn reports_item_failures(&self) -> bool {
        self.value("FunctionResponseTypes")
            .and_then(Value::as_sequence)
            .is_some_and(|types| {
                types
                    .iter()
                    .any(|t| t.as_str() == Some("ReportBatchItemFailures"))
            })
    }

    fn invalid(&self, what: &str) -> TemplateError {
        TemplateError::Invalid(format!("{}.{}: {what}", self.function, self.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::Template;

    const YAML: &str = r#"
Resources:
  Consumer:
    Type: AWS::Serverless::Function
    Metadata: { BuildProperties: { Binary: consumer } }
    Properties:
      Events:
        Queue:
          Type: SQS
          Properties:
            Queue: !GetAtt Q.Arn
            BatchSize: 5
            FunctionResponseTypes: [ReportBatchItemFailures]
        Plain:
          Type: SQS
          Properties: { Queue: !GetAtt Q.Arn, Enabled: false, ScalingConfig: { MaximumConcurrency: 3 } }
        Stream:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt T.StreamArn
            StartingPosition: TRIM_HORIZON
            BatchSize: 25
            MaximumRetryAttempts: 10
            BisectBatchOnFunctionError: true
            FunctionResponseTypes: [ReportBatchItemFailures]
            DestinationConfig: { OnFailure: { Type: SQS, Destination: !GetAtt DLQ.Arn } }
        Forever:
          Type: DynamoDB
          Properties: { Stream: !GetAtt T.StreamArn, StartingPosition: LATEST, MaximumRetryAttempts: -1 }
"#;

    #[test]
    fn reads_sqs_events_with_lambda_defaults() {
        let template = Template::parse(YAML).unwrap();
        let consumer = template.function("Consumer").unwrap();
        let [queue, plain] = &consumer.sqs_sources[..] else {
            panic!("two SQS events: {:?}", consumer.sqs_sources);
        };
        assert_eq!(queue.name, "Queue");
        assert_eq!(queue.batch_size, 5);
        assert!(queue.report_batch_item_failures && queue.enabled);
        assert_eq!(plain.batch_size, 10);
        assert_eq!(
            (queue.maximum_concurrency, plain.maximum_concurrency),
            (None, Some(3))
        );
        assert!(!plain.report_batch_item_failures && !plain.enabled);
        assert!(consumer.routes.is_empty());
    }

    #[test]
    fn reads_stream_events_with_retries_and_destination() {
        let template = Template::parse(YAML).unwrap();
        let consumer = template.function("Consumer").unwrap();
        let [stream, forever] = &consumer.stream_sources[..] else {
            panic!("two stream events: {:?}", consumer.stream_sources);
        };
        assert_eq!(stream.starting_position, StartingPosition::TrimHorizon);
        assert_eq!(stream.batch_size, 25);
        assert_eq!(stream.maximum_retry_attempts, Some(10));
        assert!(stream.bisect_batch_on_function_error && stream.report_batch_item_failures);
        assert!(stream.on_failure.is_some());
        assert_eq!(forever.starting_position, StartingPosition::Latest);
        assert_eq!(forever.batch_size, 100);
        assert_eq!(forever.maximum_retry_attempts, None);
        assert!(forever.on_failure.is_none() && !forever.bisect_batch_on_function_error);
    }

    #[test]
    fn missing_or_unsupported_settings_are_errors() {
        let event = |props: &str| {
            format!(
                "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Metadata: {{ BuildProperties: {{ Binary: f }} }}\n    Properties:\n      Events:\n        E: {props}\n"
            )
        };
        let no_position =
            Template::parse(&event("{ Type: DynamoDB, Properties: { Stream: arn } }")).unwrap_err();
        assert!(
            no_position.to_string().contains("F.E: StartingPosition"),
            "{no_position}"
        );
        let filtered = Template::parse(&event(
            "{ Type: SQS, Properties: { Queue: arn, FilterCriteria: { Filters: [] } } }",
        ))
        .unwrap_err();
        assert!(
            filtered.to_string().contains("FilterCriteria"),
            "{filtered}"
        );
        let no_queue = Template::parse(&event("{ Type: SQS, Properties: {} }")).unwrap_err();
        assert!(
            no_queue.to_string().contains("Queue is required"),
            "{no_queue}"
        );
    }
}
