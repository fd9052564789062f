//! Sign-in attempts with back-off: a few tries are free; after that each try pauses sign-in for
//! a while, twice as long each time. Tries are counted per account for clients the account does
//! not know, and per device for a browser that holds the account's device cookie
//! ([`crate::trusted_devices`]), so guesses from elsewhere never pause the owner's own browser.
//!
//! Each count lives in the Users table, in an item of its own next to the user
//! (`SIGNIN-ATTEMPTS#<email>` for an account, `SIGNIN-ATTEMPTS#DEVICE#<nonce>` for a device;
//! user items are keyed by the lower-cased email, so the two never meet). An account's count is
//! kept for unknown emails too, so the answers do not tell which accounts exist. A successful
//! sign-in deletes the count it was charged to, and DynamoDB's TTL forgets a count a day after
//! its last try.
//!
//! Claiming an attempt is a compare-and-set on the count, so a burst of concurrent guesses can't
//! all slip in before the pause is written: at most one try proceeds per count.

use crate::credentials::Email;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use std::collections::HashMap;
use std::time::Duration;
use ticketing::dynamo::condition_failed;
use ticketing::error::chain as error_chain;

/// How many tries are free and how long the pauses after them are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SigninPolicy {
    /// Tries since the last successful sign-in that never wait.
    pub free_attempts: u32,
    /// The pause armed by the first try beyond the free ones; each later try doubles it.
    pub first_pause: Duration,
    /// The pause never grows beyond this.
    pub longest_pause: Duration,
    /// How long the count is kept after the last try (the item's TTL).
    pub forget_after: Duration,
}

impl Default for SigninPolicy {
    fn default() -> Self {
        Self {
            free_attempts: 5,
            first_pause: Duration::from_secs(30),
            longest_pause: Duration::from_secs(15 * 60),
            forget_after: Duration::from_secs(24 * 60 * 60),
        }
    }
}

impl SigninPolicy {
    /// The pause that the `attempt`-th try (1-based) since the last success arms, if any.
    pub fn pause_armed_by(&self, attempt: u32) -> Option<Duration> {
        let beyond_free = attempt.checked_sub(self.free_attempts + 1)?;
        let doubled = self
            .first_pause
            .checked_mul(1u32 << beyond_free.min(20))
            .unwrap_or(self.longest_pause);
        Some(doubled.min(self.longest_pause))
    }
}

/// Whether a sign-in try may go ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// Check the password.
    Allowed,
    /// Sign-in to this account is paused; try again after this long.
    Paused { retry_after: Duration },
}

/// Whose tries a count holds.
#[derive(Debug, Clone, Copy)]
pub enum Counted<'a> {
    /// Every try at this account from a client without its device cookie.
    Account(&'a Email),
    /// The tries from one browser holding a device cookie (named by the cookie's nonce).
    Device(&'a str),
}

/// The count could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("sign-in attempts: {0}")]
pub struct StorageError(String);

/// How many times a claim is retried when other tries change the count meanwhile.
const CLAIM_ROUNDS: usize = 3;

/// The sign-in attempt counts, in the Users table.
#[derive(Clone)]
pub struct SigninAttempts {
    client: Client,
    table: String,
    policy: SigninPolicy,
}

/// What the count item holds.
#[derive(Debug, Default)]
struct Count {
    attempts: u32,
    paused_until_ms: u64,
}

impl SigninAttempts {
    /// The counts in `table`, under `policy`.
    pub fn new(client: Client, table: impl Into<String>, policy: SigninPolicy) -> Self {
        Self {
            client,
            table: table.into(),
            policy,
        }
    }

    /// The policy in force.
    pub fn policy(&self) -> SigninPolicy {
        self.policy
    }

    /// Claims one try for `counted` at `now_ms`: refused while a pause runs; otherwise counted
    /// (arming the next pause when the free tries are used up) and allowed.
    pub async fn claim(&self, counted: Counted<'_>, now_ms: u64) -> Result<Attempt, StorageError> {
        for _ in 0..CLAIM_ROUNDS {
            let seen = self.read(counted).await?;
            if seen.paused_until_ms > now_ms {
                return Ok(Attempt::Paused {
                    retry_after: Duration::from_millis(seen.paused_until_ms - now_ms),
                });
            }
            let attempts = seen.attempts + 1;
            let paused_until_ms = match self.policy.pause_armed_by(attempts) {
                Some(pause) => now_ms + pause.as_millis() as u64,
                None => 0,
            };
            if self
                .write_if_unchanged(counted, &seen, attempts, paused_until_ms, now_ms)
                .await?
            {
                return Ok(Attempt::Allowed);
            }
        }
        // Others changed the count every time: a burst of tries, which is what the pause is for.
        Ok(Attempt::Paused {
            retry_after: self.policy.first_pause,
        })
    }

    /// Forgets the count after a successful sign-in.
    pub async fn succeeded(&self, counted: Counted<'_>) -> Result<(), StorageError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("pk", key(counted))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| StorageError(error_chain(&e.into_service_error())))
    }

    async fn read(&self, counted: Counted<'_>) -> Result<Count, StorageError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", key(counted))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StorageError(error_chain(&e.into_service_error())))?;
        let number = |item: &HashMap<String, AttributeValue>, name: &str| {
            item.get(name)
                .and_then(|v| v.as_n().ok())
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or_default()
        };
        Ok(output.item.map_or_else(Count::default, |item| Count {
            attempts: number(&item, "attempts") as u32,
            paused_until_ms: number(&item, "pausedUntil"),
        }))
    }

    /// Writes the new count unless another try changed it since `seen`; false if one did.
    async fn write_if_unchanged(
        &self,
        counted: Counted<'_>,
        seen: &Count,
        attempts: u32,
        paused_until_ms: u64,
        now_ms: u64,
    ) -> Result<bool, StorageError> {
        let expires_at_epoch = now_ms / 1000 + self.policy.forget_after.as_secs();
        let item = HashMap::from([
            ("pk".to_string(), key(counted)),
            ("attempts".to_string(), number(attempts)),
            ("pausedUntil".to_string(), number(paused_until_ms)),
            ("expiresAtEpoch".to_string(), number(expires_at_epoch)),
        ]);
        let mut put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item));
        put = if seen.attempts == 0 {
            put.condition_expression("attribute_not_exists(pk) OR attempts = :zero")
                .expression_attribute_values(":zero", number(0))
        } else {
            put.condition_expression("attempts = :seen")
                .expression_attribute_values(":seen", number(seen.attempts))
        };
        match put.send().await {
            Ok(_) => Ok(true),
            Err(error) if condition_failed(&error) => Ok(false),
            Err(error) => Err(StorageError(error_chain(&error.into_service_error()))),
        }
    }
}

fn key(counted: Counted<'_>) -> AttributeValue {
    AttributeValue::S(match counted {
        Counted::Account(email) => format!("SIGNIN-ATTEMPTS#{}", email.as_str()),
        Counted::Device(nonce) => format!("SIGNIN-ATTEMPTS#DEVICE#{nonce}"),
    })
}

fn number(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_free_tries_arm_no_pause_and_later_ones_double_it_up_to_the_cap() {
        let policy = SigninPolicy::default();
        for attempt in 1..=5 {
            assert_eq!(policy.pause_armed_by(attempt), None, "try {attempt}");
        }
        assert_eq!(policy.pause_armed_by(6), Some(Duration::from_secs(30)));
        assert_eq!(policy.pause_armed_by(7), Some(Duration::from_secs(60)));
        assert_eq!(policy.pause_armed_by(8), Some(Duration::from_secs(120)));
        assert_eq!(
            policy.pause_armed_by(12),
            Some(Duration::from_secs(15 * 60))
        );
        assert_eq!(
            policy.pause_armed_by(u32::MAX),
            Some(Duration::from_secs(15 * 60))
        );
    }

    #[test]
    fn the_count_key_cannot_be_a_users_key() {
        let email = Email::parse("Alice@Example.com").unwrap();
        let AttributeValue::S(key) = key(Counted::Account(&email)) else {
            panic!("string key expected")
        };
        // user items are keyed by the lower-cased address; this key has upper-case letters
        assert_eq!(key, "SIGNIN-ATTEMPTS#alice@example.com");
        assert_ne!(key.to_lowercase(), key);
    }

    #[test]
    fn a_device_count_is_never_an_accounts_count() {
        let AttributeValue::S(key) = key(Counted::Device("9f86d081884c7d65")) else {
            panic!("string key expected")
        };
        // account counts end in a lower-cased email; "DEVICE" is upper-case and has no @
        assert_eq!(key, "SIGNIN-ATTEMPTS#DEVICE#9f86d081884c7d65");
    }
}
