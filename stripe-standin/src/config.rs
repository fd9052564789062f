//! How a stand-in is set up: its API keys, how it retries webhook deliveries, and how slow and
//! unreliable its API is made to be.

use std::time::Duration;

/// The stand-in's settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// The secret key every server-side request must send as `Authorization: Bearer <key>`.
    pub secret_key: String,
    /// The publishable key, accepted only where Stripe.js may call: retrieving a PaymentIntent
    /// with its client secret, creating a PaymentMethod, confirming with the client secret.
    pub publishable_key: String,
    /// How failed webhook deliveries are retried.
    pub webhook_retry: RetryPolicy,
    /// Print one line per request and per webhook delivery attempt to stderr.
    pub log: bool,
    /// Latency and errors added to every `/v1` request, as a slow or failing Stripe would.
    pub faults: Faults,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            secret_key: "sk_test_local".to_string(),
            publishable_key: "pk_test_local".to_string(),
            webhook_retry: RetryPolicy::default(),
            log: true,
            faults: Faults::default(),
        }
    }
}

/// Webhook retries: up to `attempts` deliveries in all, waiting `initial_delay` before the
/// second, then twice as long before each next one, never more than `max_delay`.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    pub attempts: u32,
    pub initial_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 8,
            initial_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt number `next_attempt` (2 for the first retry).
    pub fn delay_before(&self, next_attempt: u32) -> Duration {
        let doublings = next_attempt.saturating_sub(2).min(30);
        let delay = self.initial_delay.saturating_mul(1u32 << doublings);
        delay.min(self.max_delay)
    }
}

/// What a slow or failing Stripe does to the API: every `/v1` request waits `latency` before it
/// is answered, and a share `error_rate` (0 to 1) of them answer 500 `api_error` without doing
/// anything. Which requests fail is deterministic: with rate 0.25, every fourth one.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Faults {
    pub latency: Duration,
    pub error_rate: f64,
}

impl Faults {
    /// Whether the `n`-th request (counting from 0) fails: exactly `error_rate` of any run of
    /// requests, spread evenly.
    pub fn fails(&self, n: u64) -> bool {
        let rate = self.error_rate.clamp(0.0, 1.0);
        ((n + 1) as f64 * rate).floor() > (n as f64 * rate).floor()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_rate_fails_that_share_of_requests_evenly() {
        let failures = |rate: f64| {
            let faults = Faults {
                error_rate: rate,
                ..Faults::default()
            };
            (0..20).filter(|&n| faults.fails(n)).collect::<Vec<u64>>()
        };
        assert_eq!(failures(0.0), Vec::<u64>::new());
        assert_eq!(failures(0.25), vec![3, 7, 11, 15, 19]);
        assert_eq!(failures(1.0), (0..20).collect::<Vec<u64>>());
    }

    #[test]
    fn delays_double_and_are_capped() {
        let policy = RetryPolicy::default();
        let delays: Vec<u64> = (2..=8).map(|n| policy.delay_before(n).as_secs()).collect();
        assert_eq!(delays, vec![1, 2, 4, 8, 16, 30, 30]);
    }
}
