//! Where the local AWS is — DynamoDB Local for DynamoDB and its streams, moto for every other
//! service (SQS, EventBridge, Scheduler, Secrets Manager) — and the credentials and region used with it.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::Credentials;
use aws_types::service_config::{LoadServiceConfig, ServiceConfigKey};

/// Region used when `AWS_REGION` is unset.
pub const DEFAULT_REGION: &str = "us-east-1";
/// The emulators accept any credentials; these are used when none are set so the SDK never
/// looks further.
const DEFAULT_KEY: &str = "test";
/// The SDK's service ids (as in `AWS_ENDPOINT_URL_<SERVICE ID>`) served by DynamoDB Local.
const DYNAMODB_SERVICES: [&str; 2] = ["DynamoDB", "DynamoDB Streams"];

/// The local AWS endpoints with the region and credentials that go with them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalAws {
    /// `AWS_ENDPOINT_URL`: moto (SQS, EventBridge, Scheduler).
    pub endpoint: String,
    /// `AWS_ENDPOINT_URL_DYNAMODB`: DynamoDB Local (tables and their streams).
    pub dynamodb_endpoint: String,
    /// `AWS_REGION`.
    pub region: String,
    /// `AWS_ACCESS_KEY_ID`.
    pub access_key_id: String,
    /// `AWS_SECRET_ACCESS_KEY`.
    pub secret_access_key: String,
}

impl LocalAws {
    /// The endpoints with region and keys from the environment, or local defaults.
    pub fn new(endpoint: impl Into<String>, dynamodb_endpoint: impl Into<String>) -> Self {
        Self::from_lookup(endpoint, dynamodb_endpoint, |name| std::env::var(name).ok())
    }

    /// The endpoints with region and keys read through `var`, or local defaults.
    pub fn from_lookup(
        endpoint: impl Into<String>,
        dynamodb_endpoint: impl Into<String>,
        var: impl Fn(&str) -> Option<String>,
    ) -> Self {
        let var = |name: &str, default: &str| {
            var(name)
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| default.to_string())
        };
        LocalAws {
            endpoint: endpoint.into(),
            dynamodb_endpoint: dynamodb_endpoint.into(),
            region: var("AWS_REGION", DEFAULT_REGION),
            access_key_id: var("AWS_ACCESS_KEY_ID", DEFAULT_KEY),
            secret_access_key: var("AWS_SECRET_ACCESS_KEY", DEFAULT_KEY),
        }
    }

    /// An SDK config that talks to the local endpoints only (no profile, IMDS or real AWS): each
    /// client built from it goes where [`LocalAws::env`] sends a function's clients. The
    /// emulators share two cores with everything else, so the local connect timeout is generous,
    /// and so is the wait for a response that has stopped coming: the SDK gives up on a body
    /// that sends nothing for 5 s, which DynamoDB Local answering 500 requests at once on a busy
    /// machine can exceed, where DynamoDB does not. (The gateway's and the tests' own clients;
    /// the functions keep the SDK's defaults.)
    pub async fn sdk_config(&self) -> SdkConfig {
        aws_config::defaults(BehaviorVersion::latest())
            .stalled_stream_protection(
                aws_config::stalled_stream_protection::StalledStreamProtectionConfig::enabled()
                    .grace_period(std::time::Duration::from_secs(60))
                    .build(),
            )
            .timeout_config(
                aws_config::timeout::TimeoutConfig::builder()
                    .connect_timeout(std::time::Duration::from_secs(30))
                    .build(),
            )
            .region(Region::new(self.region.clone()))
            .credentials_provider(Credentials::new(
                &self.access_key_id,
                &self.secret_access_key,
                None,
                None,
                "local",
            ))
            .load()
            .await
            .into_builder()
            .service_config(LocalEndpoints {
                moto: self.endpoint.clone(),
                dynamodb: self.dynamodb_endpoint.clone(),
            })
            .build()
    }

    /// Clients for every service the gateway itself uses, on the local endpoint.
    pub async fn clients(&self) -> Clients {
        Clients::new(&self.sdk_config().await)
    }

    /// The variables a function process needs to reach the same endpoints as the gateway: the
    /// SDK's own, a service's `AWS_ENDPOINT_URL_<SERVICE ID>` before the general one.
    pub fn env(&self) -> Vec<(String, String)> {
        [
            ("AWS_ENDPOINT_URL", &self.endpoint),
            ("AWS_ENDPOINT_URL_DYNAMODB", &self.dynamodb_endpoint),
            ("AWS_ENDPOINT_URL_DYNAMODB_STREAMS", &self.dynamodb_endpoint),
            ("AWS_REGION", &self.region),
            ("AWS_DEFAULT_REGION", &self.region),
            ("AWS_ACCESS_KEY_ID", &self.access_key_id),
            ("AWS_SECRET_ACCESS_KEY", &self.secret_access_key),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
    }
}

/// The SDK clients the gateway uses to provision and to poll event sources.
#[derive(Debug, Clone)]
pub struct Clients {
    /// DynamoDB: tables.
    pub dynamodb: aws_sdk_dynamodb::Client,
    /// DynamoDB Streams: what stream pollers read.
    pub streams: aws_sdk_dynamodbstreams::Client,
    /// SQS: queues and what SQS pollers read.
    pub sqs: aws_sdk_sqs::Client,
    /// EventBridge: buses and rules.
    pub eventbridge: aws_sdk_eventbridge::Client,
    /// EventBridge Scheduler: schedule groups, and the schedules the gateway fires.
    pub scheduler: aws_sdk_scheduler::Client,
    /// Secrets Manager: the template's secrets.
    pub secretsmanager: aws_sdk_secretsmanager::Client,
}

impl Clients {
    /// Clients that share one SDK config.
    pub fn new(config: &SdkConfig) -> Self {
        Clients {
            dynamodb: aws_sdk_dynamodb::Client::new(config),
            streams: aws_sdk_dynamodbstreams::Client::new(config),
            sqs: aws_sdk_sqs::Client::new(config),
            eventbridge: aws_sdk_eventbridge::Client::new(config),
            scheduler: aws_sdk_scheduler::Client::new(config),
            secretsmanager: aws_sdk_secretsmanager::Client::new(config),
        }
    }
}

/// Sends DynamoDB and DynamoDB Streams to DynamoDB Local and every other service to moto, as
/// the `AWS_ENDPOINT_URL_*` variables of [`LocalAws::env`] do for a function.
#[derive(Debug)]
struct LocalEndpoints {
    moto: String,
    dynamodb: String,
}

impl LoadServiceConfig for LocalEndpoints {
    fn load_config(&self, key: ServiceConfigKey<'_>) -> Option<String> {
        if key.env() != "AWS_ENDPOINT_URL" {
            return None;
        }
        Some(if DYNAMODB_SERVICES.contains(&key.service_id()) {
            self.dynamodb.clone()
        } else {
            self.moto.clone()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint_for(local: &LocalAws, service_id: &str, env: &str) -> Option<String> {
        let endpoints = LocalEndpoints {
            moto: local.endpoint.clone(),
            dynamodb: local.dynamodb_endpoint.clone(),
        };
        let key = ServiceConfigKey::builder()
            .service_id(service_id)
            .profile("default")
            .env(env)
            .build()
            .expect("a complete key");
        endpoints.load_config(key)
    }

    #[test]
    fn dynamodb_and_its_streams_go_to_dynamodb_local_and_the_rest_to_moto() {
        let local = LocalAws::from_lookup("http://127.0.0.1:1", "http://127.0.0.1:2", |_| None);
        let endpoint = |service_id| endpoint_for(&local, service_id, "AWS_ENDPOINT_URL");
        assert_eq!(endpoint("DynamoDB").as_deref(), Some("http://127.0.0.1:2"));
        assert_eq!(
            endpoint("DynamoDB Streams").as_deref(),
            Some("http://127.0.0.1:2")
        );
        assert_eq!(endpoint("SQS").as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(endpoint("Scheduler").as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(endpoint_for(&local, "SQS", "AWS_USE_FIPS_ENDPOINT"), None);
        let env: std::collections::HashMap<_, _> = local.env().into_iter().collect();
        assert_eq!(env["AWS_ENDPOINT_URL"], "http://127.0.0.1:1");
        assert_eq!(env["AWS_ENDPOINT_URL_DYNAMODB"], "http://127.0.0.1:2");
        assert_eq!(
            env["AWS_ENDPOINT_URL_DYNAMODB_STREAMS"],
            "http://127.0.0.1:2"
        );
    }
}
