//! AWS clients, built once per cold start and borrowed by every invocation.
//!
//! The endpoint, region and credentials come from the standard AWS environment variables
//! (`AWS_ENDPOINT_URL`, `AWS_REGION`, ...), so the same code talks to AWS or to the local stack.
//!
//! The SDK's HTTPS client trusts the Amazon Trust Services roots only, compiled in. By default
//! it loads the operating system's whole trust store at cold start: on Debian that is a bundle
//! of about 150 certificates and a directory of about 300 files, read and parsed before the
//! first `/next` — more than half of a function's init (docs/BENCHMARKS.md). Every AWS service
//! endpoint's certificate chains to one of these five roots (Amazon Root CA 1 to 4, and
//! Starfield Services Root Certificate Authority - G2, which cross-signs them for older
//! clients); the functions talk to nothing else through the SDK. Stripe's client has its own
//! compiled-in roots.

pub use aws_config::SdkConfig;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
use aws_smithy_http_client::Builder;

/// The roots every AWS endpoint's certificate chains to, as the Debian `ca-certificates`
/// package ships them (Mozilla's list). They expire in 2037 and 2038.
pub const AMAZON_TRUST_SERVICES_ROOTS: &str = include_str!("../certs/amazon-trust-services.pem");

/// Loads the shared SDK configuration from the environment. Its HTTPS client is the SDK's
/// default one (rustls with aws-lc), trusting [`AMAZON_TRUST_SERVICES_ROOTS`] instead of the
/// system's store.
pub async fn sdk_config() -> SdkConfig {
    let trust_store = TrustStore::empty()
        .with_native_roots(false)
        .with_pem_certificate(AMAZON_TRUST_SERVICES_ROOTS);
    let tls_context = TlsContext::builder()
        .with_trust_store(trust_store)
        .build()
        .expect("a trust store without native roots always builds");
    let https = Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(tls_context)
        .build_https();
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(https)
        .load()
        .await
}

/// A DynamoDB client for the given configuration.
pub fn dynamodb(config: &SdkConfig) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(config)
}

/// An EventBridge client for the given configuration.
pub fn eventbridge(config: &SdkConfig) -> aws_sdk_eventbridge::Client {
    aws_sdk_eventbridge::Client::new(config)
}

/// An SQS client for the given configuration.
pub fn sqs(config: &SdkConfig) -> aws_sdk_sqs::Client {
    aws_sdk_sqs::Client::new(config)
}

/// An EventBridge Scheduler client for the given configuration.
pub fn scheduler(config: &SdkConfig) -> aws_sdk_scheduler::Client {
    aws_sdk_scheduler::Client::new(config)
}

#[cfg(test)]
mod tests {
    use super::AMAZON_TRUST_SERVICES_ROOTS;
    use rustls::pki_types::{pem::PemObject, CertificateDer};

    fn roots() -> Vec<CertificateDer<'static>> {
        CertificateDer::pem_slice_iter(AMAZON_TRUST_SERVICES_ROOTS.as_bytes())
            .collect::<Result<_, _>>()
            .expect("the roots file is PEM")
    }

    #[test]
    fn the_five_amazon_trust_services_roots_are_usable_trust_anchors() {
        let roots = roots();
        assert_eq!(roots.len(), 5);
        let mut store = rustls::RootCertStore::empty();
        for root in roots {
            store
                .add(root)
                .expect("a root rustls accepts as a trust anchor");
        }
        assert_eq!(store.len(), 5);
    }

    /// Where the machine has Debian's (Mozilla's) store, each compiled-in root is one of its
    /// certificates, byte for byte.
    #[test]
    fn each_root_is_the_one_the_system_store_ships() {
        let Ok(bundle) = std::fs::read("/etc/ssl/certs/ca-certificates.crt") else {
            return;
        };
        let system: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&bundle)
            .collect::<Result<_, _>>()
            .expect("the system bundle is PEM");
        for root in roots() {
            assert!(
                system.contains(&root),
                "a root the system store does not ship"
            );
        }
    }
}
