//! How a stream event source mapping moves on after each invocation: records are handled in
//! order, so a failing record holds back the shard until it succeeds or is given up.
//!
//! As Lambda does: records before the first reported failure are done and the batch is tried
//! again from that record; a function error retries the whole batch, halved first when
//! `BisectBatchOnFunctionError` is on (halving does not count as a retry); after
//! `MaximumRetryAttempts` retries of the same first record the batch is given up (sent to the
//! `OnFailure` destination) and reading goes on after it.

use crate::batch_response::BatchOutcome;

/// A mapping's retry settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// `BatchSize`.
    pub batch_size: usize,
    /// `MaximumRetryAttempts`; `None` retries for ever.
    pub maximum_retry_attempts: Option<u32>,
    /// `BisectBatchOnFunctionError`.
    pub bisect_on_function_error: bool,
}

/// What to do with the head of the shard after an invocation; records beyond
/// `done + given_up` are tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// Leading records that succeeded: drop them.
    pub done: usize,
    /// Records after those to give up: send them to `OnFailure`, then drop them.
    pub given_up: usize,
    /// How many times the first failing record has failed (0 when nothing failed).
    pub failures: u32,
}

/// The retry state of one shard.
#[derive(Debug, Clone)]
pub struct RetryState {
    policy: RetryPolicy,
    limit: usize,
    /// The record the last failure started at, and how often it failed.
    failing: Option<(String, u32)>,
}

impl RetryState {
    /// No failures yet.
    pub fn new(policy: RetryPolicy) -> Self {
        RetryState {
            policy,
            limit: policy.batch_size.max(1),
            failing: None,
        }
    }

    /// How many records the next invocation may take (less than `BatchSize` while bisecting).
    pub fn batch_limit(&self) -> usize {
        self.limit
    }

    /// Moves on after invoking with `batch` (sequence numbers, in order).
    pub fn after(&mut self, batch: &[&str], outcome: &BatchOutcome) -> Step {
        let first_failed = match outcome {
            BatchOutcome::AllSucceeded => None,
            BatchOutcome::SomeFailed(failed) => batch.iter().position(|s| failed.contains(*s)),
            BatchOutcome::AllFailed(_) => {
                if self.policy.bisect_on_function_error && batch.len() > 1 {
                    self.limit = batch.len() / 2;
                    return Step {
                        done: 0,
                        given_up: 0,
                        failures: 0,
                    };
                }
                Some(0)
            }
        };
        let Some(first_failed) = first_failed else {
            self.reset();
            return Step {
                done: batch.len(),
                given_up: 0,
                failures: 0,
            };
        };
        if first_failed > 0 {
            // Progress: whatever follows is read afresh at full size.
            self.limit = self.policy.batch_size.max(1);
        }
        let record = batch[first_failed];
        let failures = match &self.failing {
            Some((sequence, count)) if sequence == record => count + 1,
            _ => 1,
        };
        let retries = failures - 1;
        if self
            .policy
            .maximum_retry_attempts
            .is_some_and(|max| retries >= max)
        {
            self.reset();
            return Step {
                done: first_failed,
                given_up: batch.len() - first_failed,
                failures,
            };
        }
        self.failing = Some((record.to_string(), failures));
        Step {
            done: first_failed,
            given_up: 0,
            failures,
        }
    }

    fn reset(&mut self) {
        self.failing = None;
        self.limit = self.policy.batch_size.max(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(max: Option<u32>, bisect: bool) -> RetryPolicy {
        RetryPolicy {
            batch_size: 4,
            maximum_retry_attempts: max,
            bisect_on_function_error: bisect,
        }
    }

    fn failed(ids: &[&str]) -> BatchOutcome {
        BatchOutcome::SomeFailed(ids.iter().map(|s| s.to_string()).collect())
    }

    fn error() -> BatchOutcome {
        BatchOutcome::AllFailed("boom".into())
    }

    fn step(done: usize, given_up: usize, failures: u32) -> Step {
        Step {
            done,
            given_up,
            failures,
        }
    }

    #[test]
    fn success_consumes_the_batch() {
        let mut state = RetryState::new(policy(Some(2), false));
        assert_eq!(
            state.after(&["1", "2"], &BatchOutcome::AllSucceeded),
            step(2, 0, 0)
        );
    }

    #[test]
    fn a_reported_failure_keeps_the_records_before_it_and_retries_from_it() {
        let mut state = RetryState::new(policy(Some(2), false));
        assert_eq!(
            state.after(&["1", "2", "3", "4"], &failed(&["3", "4"])),
            step(2, 0, 1)
        );
        assert_eq!(state.after(&["3", "4"], &failed(&["3"])), step(0, 0, 2));
        // The third failure of record 3 is its second retry: the batch is given up.
        assert_eq!(state.after(&["3", "4"], &failed(&["3"])), step(0, 2, 3));
        // A later failure starts counting again.
        assert_eq!(state.after(&["5"], &failed(&["5"])), step(0, 0, 1));
    }

    #[test]
    fn a_new_first_failure_restarts_the_count() {
        let mut state = RetryState::new(policy(Some(1), false));
        assert_eq!(state.after(&["1", "2"], &failed(&["1"])), step(0, 0, 1));
        assert_eq!(state.after(&["1", "2"], &failed(&["2"])), step(1, 0, 1));
        assert_eq!(state.after(&["2"], &failed(&["2"])), step(0, 1, 2));
    }

    #[test]
    fn errors_retry_the_whole_batch_and_forever_without_a_maximum() {
        let mut state = RetryState::new(policy(None, false));
        for failures in 1..50 {
            assert_eq!(state.after(&["1", "2"], &error()), step(0, 0, failures));
        }
        let mut state = RetryState::new(policy(Some(0), false));
        assert_eq!(state.after(&["1", "2"], &error()), step(0, 2, 1));
    }

    #[test]
    fn bisecting_halves_the_batch_until_the_bad_record_is_alone() {
        let mut state = RetryState::new(policy(Some(1), true));
        assert_eq!(state.after(&["1", "2", "3", "4"], &error()), step(0, 0, 0));
        assert_eq!(state.batch_limit(), 2);
        assert_eq!(state.after(&["1", "2"], &error()), step(0, 0, 0));
        assert_eq!(state.batch_limit(), 1);
        assert_eq!(
            state.after(&["1"], &BatchOutcome::AllSucceeded),
            step(1, 0, 0)
        );
        assert_eq!(state.batch_limit(), 4);
        assert_eq!(state.after(&["2", "3", "4"], &error()), step(0, 0, 0));
        assert_eq!(state.after(&["2"], &error()), step(0, 0, 1));
        assert_eq!(state.after(&["2"], &error()), step(0, 1, 2));
        assert_eq!(state.batch_limit(), 4);
    }
}
