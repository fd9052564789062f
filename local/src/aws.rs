//! Where the local AWS stand-in (moto) is, and the credentials and region used with it.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::Credentials;

/// Region used when `AWS_REGION` is unset.
pub const DEFAULT_REGION: &str = "us-east-1";
/// moto accepts any credentials; these are used when none are set so the SDK never looks further.
const DEFAULT_KEY: &str = "test";

/// The local AWS endpoint with the region and credentials that go with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalAws {
    /// `AWS_ENDPOINT_URL`: the moto server.
    pub endpoint: String,
    /// `AWS_REGION`.
    pub region: String,
    /// `AWS_ACCESS_KEY_ID`.
    pub access_key_id: String,
    /// `AWS_SECRET_ACCESS_KEY`.
    pub secret_access_key: String,
}

impl LocalAws {
    /// The endpoint with region and keys from the environment, or local defaults.
    pub fn new(endpoint: impl Into<String>) -> Self {
        Self::from_lookup(endpoint, |name| std::env::var(name).ok())
    }

    /// The endpoint with region and keys read through `var`, or local defaults.
    pub fn from_lookup(endpoint: impl Into<String>, var: impl Fn(&str) -> Option<String>) -> Self {
        let var = |name: &str, default: &str| {
            var(name)
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| default.to_string())
        };
        LocalAws {
            endpoint: endpoint.into(),
            region: var("AWS_REGION", DEFAULT_REGION),
            access_key_id: var("AWS_ACCESS_KEY_ID", DEFAULT_KEY),
            secret_access_key: var("AWS_SECRET_ACCESS_KEY", DEFAULT_KEY),
        }
    }

    /// An SDK config that talks to the local endpoint only (no profile, IMDS or real AWS). moto
    /// is one Python process: on a busy 2-core machine it can take longer than the SDK's 3.1 s
    /// default to accept a connection, so the local connect timeout is generous.
    pub async fn sdk_config(&self) -> SdkConfig {
        aws_config::defaults(BehaviorVersion::latest())
            .timeout_config(
                aws_config::timeout::TimeoutConfig::builder()
                    .connect_timeout(std::time::Duration::from_secs(30))
                    .build(),
            )
            .endpoint_url(&self.endpoint)
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
    }

    /// Clients for every service the gateway itself uses, on the local endpoint.
    pub async fn clients(&self) -> Clients {
        Clients::new(&self.sdk_config().await)
    }

    /// The variables a function process needs to reach the same endpoint as the gateway.
    pub fn env(&self) -> Vec<(String, String)> {
        [
            ("AWS_ENDPOINT_URL", &self.endpoint),
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
        }
    }
}
