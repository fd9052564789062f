//! How a stand-in is set up: its API keys and how it retries webhook deliveries.

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
}

impl Default for Config {
    fn default() -> Self {
        Config {
            secret_key: "sk_test_local".to_string(),
            publishable_key: "pk_test_local".to_string(),
            webhook_retry: RetryPolicy::default(),
            log: true,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_and_are_capped() {
        let policy = RetryPolicy::default();
        let delays: Vec<u64> = (2..=8).map(|n| policy.delay_before(n).as_secs()).collect();
        assert_eq!(delays, vec![1, 2, 4, 8, 16, 30, 30]);
    }
}
