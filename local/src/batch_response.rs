//! Reads a function's answer to a batch (SQS messages or stream records) the way Lambda does.

use crate::invoker::InvokeError;
use serde_json::Value;
use std::collections::BTreeSet;

/// What a function's answer means for the batch it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchOutcome {
    /// Every item succeeded.
    AllSucceeded,
    /// Exactly these items failed (`itemIdentifier`s, each one of the batch's).
    SomeFailed(BTreeSet<String>),
    /// The whole batch failed: the invocation failed, or the answer is one Lambda rejects.
    AllFailed(String),
}

/// Reads `result` for a batch whose items are `ids` (message ids, or sequence numbers).
///
/// Without `ReportBatchItemFailures` any answer is success. With it, as Lambda documents: no
/// answer, no `batchItemFailures` or an empty list is success; a list naming an item that is
/// not in the batch, or naming none, fails the whole batch.
pub fn read_batch_response(
    result: &Result<Value, InvokeError>,
    report_item_failures: bool,
    ids: &[&str],
) -> BatchOutcome {
    let answer = match result {
        Err(err) => return BatchOutcome::AllFailed(err.to_string()),
        Ok(_) if !report_item_failures => return BatchOutcome::AllSucceeded,
        Ok(answer) => answer,
    };
    let failures = match answer {
        Value::Null => return BatchOutcome::AllSucceeded,
        Value::String(s) if s.is_empty() => return BatchOutcome::AllSucceeded,
        Value::Object(fields) => match fields.get("batchItemFailures") {
            None | Some(Value::Null) => return BatchOutcome::AllSucceeded,
            Some(Value::Array(failures)) => failures,
            Some(other) => {
                return BatchOutcome::AllFailed(format!("batchItemFailures is not a list: {other}"))
            }
        },
        other => return BatchOutcome::AllFailed(format!("not a batch response: {other}")),
    };
    let mut failed = BTreeSet::new();
    for failure in failures {
        match failure.get("itemIdentifier").and_then(Value::as_str) {
            Some(id) if !id.is_empty() && ids.contains(&id) => {
                failed.insert(id.to_string());
            }
            _ => {
                return BatchOutcome::AllFailed(format!(
                    "batchItemFailures entry {failure} names no item of the batch"
                ))
            }
        }
    }
    if failed.is_empty() {
        BatchOutcome::AllSucceeded
    } else {
        BatchOutcome::SomeFailed(failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const IDS: &[&str] = &["a", "b", "c"];

    fn read(answer: Value) -> BatchOutcome {
        read_batch_response(&Ok(answer), true, IDS)
    }

    #[test]
    fn no_failures_is_success() {
        assert_eq!(read(Value::Null), BatchOutcome::AllSucceeded);
        assert_eq!(read(json!({})), BatchOutcome::AllSucceeded);
        assert_eq!(read(json!("")), BatchOutcome::AllSucceeded);
        assert_eq!(
            read(json!({"batchItemFailures": []})),
            BatchOutcome::AllSucceeded
        );
        assert_eq!(
            read(json!({"batchItemFailures": null})),
            BatchOutcome::AllSucceeded
        );
    }

    #[test]
    fn named_items_fail() {
        assert_eq!(
            read(json!({"batchItemFailures": [{"itemIdentifier": "c"}, {"itemIdentifier": "a"}]})),
            BatchOutcome::SomeFailed(["a".to_string(), "c".to_string()].into())
        );
    }

    #[test]
    fn malformed_answers_fail_the_batch() {
        for answer in [
            json!({"batchItemFailures": [{"itemIdentifier": "zzz"}]}),
            json!({"batchItemFailures": [{"itemIdentifier": ""}]}),
            json!({"batchItemFailures": [{"itemIdentifier": null}]}),
            json!({"batchItemFailures": [{"id": "a"}]}),
            json!({"batchItemFailures": "a"}),
            json!(42),
        ] {
            assert!(
                matches!(read(answer.clone()), BatchOutcome::AllFailed(_)),
                "{answer}"
            );
        }
    }

    #[test]
    fn errors_fail_everything_and_answers_only_count_when_reported() {
        let err = Err(InvokeError::ShuttingDown);
        assert!(matches!(
            read_batch_response(&err, true, IDS),
            BatchOutcome::AllFailed(_)
        ));
        assert!(matches!(
            read_batch_response(&err, false, IDS),
            BatchOutcome::AllFailed(_)
        ));
        let partial = Ok(json!({"batchItemFailures": [{"itemIdentifier": "a"}]}));
        assert_eq!(
            read_batch_response(&partial, false, IDS),
            BatchOutcome::AllSucceeded
        );
    }
}
