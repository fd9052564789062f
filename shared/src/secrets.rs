//! Secrets live in AWS Secrets Manager, never in a function's environment: the environment holds
//! only the secret's ARN (`..._ARN`), which says where to look and is no use to whoever reads
//! the function's configuration (`lambda:GetFunctionConfiguration`, part of ReadOnlyAccess).
//! Each function's IAM policy allows `secretsmanager:GetSecretValue` on the secrets it uses and
//! no others (template.yaml).
//!
//! A secret is fetched on its first use, not at init, so a cold start makes no network call for
//! it (docs/BENCHMARKS.md's init figures hold); the first request that needs it pays one
//! GetSecretValue, later ones in the same sandbox read the copy kept here. The copy is read
//! again once it is [`MAX_AGE`] old, so a rotated value reaches every sandbox within that time
//! without a redeploy (a deploy that only changes a secret's value changes no function's
//! configuration, so no sandbox would start afresh). A fetch that fails keeps nothing new: with
//! no copy yet the caller gets the error (and the next use tries again); with an old copy the
//! old value is used and the fetch is tried again after [`RETRY_AFTER`], so a Secrets Manager
//! outage does not become ours.
//!
//! Locally the same code runs against moto's Secrets Manager, where the local gateway creates
//! the template's secrets as CloudFormation would.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// How long a fetched value is used before it is read again (the AWS Parameters and Secrets
/// Lambda extension's default).
pub const MAX_AGE: Duration = Duration::from_secs(300);
/// After a failed re-read, how long the old value is used before the next try.
pub const RETRY_AFTER: Duration = Duration::from_secs(30);

/// A secret could not be read. The message names the secret and the cause, never its value.
#[derive(Debug, thiserror::Error)]
#[error("secret {id}: {reason}")]
pub struct SecretError {
    /// The secret's ARN or name.
    pub id: String,
    /// Why it could not be read.
    pub reason: String,
}

/// One secret string, read on first use and again when its copy is [`MAX_AGE`] old. Clones
/// share the copy.
#[derive(Clone)]
pub struct Secret {
    inner: Arc<Inner>,
}

struct Inner {
    id: String,
    source: Source,
    max_age: Duration,
    kept: Mutex<Option<Kept>>,
}

struct Kept {
    value: Arc<str>,
    /// When the value is to be read again.
    stale_at: Instant,
}

enum Source {
    SecretsManager(aws_sdk_secretsmanager::Client),
    /// A value given up front (unit tests, tools): never read again.
    Known,
}

impl Secret {
    /// The secret `id` (an ARN or a name) in Secrets Manager; nothing is fetched yet.
    pub fn in_secrets_manager(
        client: aws_sdk_secretsmanager::Client,
        id: impl Into<String>,
    ) -> Self {
        Self::with(id.into(), Source::SecretsManager(client), None)
    }

    /// The secret whose ARN is in the environment variable `variable`, with a client from `sdk`.
    pub fn from_env(
        variable: &'static str,
        sdk: &crate::aws::SdkConfig,
    ) -> Result<Self, crate::config::ConfigError> {
        let id = crate::config::required(variable)?;
        Ok(Self::in_secrets_manager(
            aws_sdk_secretsmanager::Client::new(sdk),
            id,
        ))
    }

    /// A secret whose value is already known (tests and tools); `name` only labels it.
    pub fn known(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self::with(name.into(), Source::Known, Some(value.into()))
    }

    /// The same secret, read again when its copy is `max_age` old (tests use a short one).
    pub fn with_max_age(self, max_age: Duration) -> Self {
        let inner = Arc::try_unwrap(self.inner)
            .unwrap_or_else(|_| panic!("with_max_age is for a secret nobody shares yet"));
        Self {
            inner: Arc::new(Inner { max_age, ..inner }),
        }
    }

    fn with(id: String, source: Source, value: Option<String>) -> Self {
        let kept = value.map(|value| Kept {
            value: value.into(),
            stale_at: far_future(),
        });
        Self {
            inner: Arc::new(Inner {
                id,
                source,
                max_age: MAX_AGE,
                kept: Mutex::new(kept),
            }),
        }
    }

    /// Where the secret is (its ARN or name).
    pub fn id(&self) -> &str {
        &self.inner.id
    }

    /// The secret's value: the kept copy while it is fresh, else read now. Concurrent callers
    /// make one read between them.
    pub async fn value(&self) -> Result<Arc<str>, SecretError> {
        let inner = &*self.inner;
        let mut kept = inner.kept.lock().await;
        let now = Instant::now();
        if let Some(fresh) = kept.as_ref().filter(|k| k.stale_at > now) {
            return Ok(fresh.value.clone());
        }
        let fetched = match &inner.source {
            Source::SecretsManager(client) => fetch(client, &inner.id).await,
            Source::Known => unreachable!("a known secret is never stale"),
        };
        match (fetched, kept.as_mut()) {
            (Ok(value), _) => {
                let value: Arc<str> = value.into();
                *kept = Some(Kept {
                    value: value.clone(),
                    stale_at: now + inner.max_age,
                });
                Ok(value)
            }
            (Err(error), Some(old)) => {
                tracing::warn!(secret = %inner.id, error = %error, "secret not re-read; the kept value is used");
                old.stale_at = now + RETRY_AFTER;
                Ok(old.value.clone())
            }
            (Err(error), None) => Err(error),
        }
    }
}

/// An instant no sandbox lives to see.
fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(100 * 365 * 24 * 3600)
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Secret")
            .field("id", &self.inner.id)
            .finish_non_exhaustive()
    }
}

async fn fetch(client: &aws_sdk_secretsmanager::Client, id: &str) -> Result<String, SecretError> {
    let failed = |reason: String| SecretError {
        id: id.to_string(),
        reason,
    };
    let output = client
        .get_secret_value()
        .secret_id(id)
        .send()
        .await
        .map_err(|e| failed(crate::error::chain(&e.into_service_error())))?;
    match output.secret_string {
        Some(value) if !value.trim().is_empty() => Ok(value.trim().to_string()),
        _ => Err(failed("it holds no secret string".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_known_secret_is_its_value_and_its_debug_form_hides_it() {
        let secret = Secret::known("stripe key", "sk_test_do_not_print");
        assert_eq!(&*secret.value().await.unwrap(), "sk_test_do_not_print");
        let debug = format!("{secret:?}");
        assert!(debug.contains("stripe key"), "{debug}");
        assert!(!debug.contains("sk_test_do_not_print"), "{debug}");
    }
}
