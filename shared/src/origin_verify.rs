//! Only CloudFront reaches the API. CloudFront adds `X-Origin-Verify` with a random value the
//! stack generated (template.yaml, `OriginVerifySecret`) to every request it sends API Gateway,
//! and every HTTP function refuses a request without that value (403) before its handler runs:
//! API Gateway's own `execute-api` URL is then no way around CloudFront's security headers,
//! cache and web ACL. Locally the gateway plays CloudFront and adds the header the same way.
//!
//! The value is read here and nowhere else, once per sandbox ([`crate::http::serve`]).

use crate::config::{self, ConfigError};
use crate::error::ApiError;
use lambda_http::http::HeaderMap;

/// The header CloudFront adds to requests for the API.
pub const HEADER: &str = "x-origin-verify";

/// The variable that holds the value (template.yaml's Globals, resolved from the secret).
pub const VARIABLE: &str = "ORIGIN_VERIFY";

/// Checks that a request came through CloudFront.
#[derive(Clone)]
pub struct OriginVerifier {
    expected: String,
}

impl std::fmt::Debug for OriginVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OriginVerifier { expected: <redacted> }")
    }
}

impl OriginVerifier {
    /// The verifier for the value this function was given; a function without one does not start.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::new(config::required(VARIABLE)?)
    }

    /// A verifier expecting `value`, which must be long enough not to be guessed.
    pub fn new(value: String) -> Result<Self, ConfigError> {
        if value.len() < MIN_LENGTH {
            return Err(ConfigError::Invalid {
                name: VARIABLE,
                reason: format!("shorter than {MIN_LENGTH} characters"),
            });
        }
        Ok(OriginVerifier { expected: value })
    }

    /// `Ok` for a request that carries the value; 403 otherwise.
    pub fn check(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        let given = headers
            .get(HEADER)
            .map(|v| v.as_bytes())
            .unwrap_or_default();
        if constant_time_eq(given, self.expected.as_bytes()) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "Requests reach the API through the site only".to_string(),
            ))
        }
    }
}

/// The shortest value accepted (the stack generates 48 characters).
const MIN_LENGTH: usize = 16;

/// Equal bytes, compared in a time that does not depend on where they differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALUE: &str = "k3Jx9QmW2pLr8TzV5nYb";

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| (name.parse().unwrap(), value.parse().unwrap()))
            .collect()
    }

    #[test]
    fn a_request_with_the_value_passes() {
        let verifier = OriginVerifier::new(VALUE.into()).unwrap();
        assert!(verifier.check(&headers(&[(HEADER, VALUE)])).is_ok());
    }

    #[test]
    fn a_request_without_it_or_with_another_value_is_refused() {
        let verifier = OriginVerifier::new(VALUE.into()).unwrap();
        for given in [
            headers(&[]),
            headers(&[(HEADER, "")]),
            headers(&[(HEADER, "k3Jx9QmW2pLr8TzV5nYc")]),
            headers(&[(HEADER, "k3Jx9QmW2pLr8TzV5nY")]),
            headers(&[("x-origin-verifi", VALUE)]),
        ] {
            let refused = verifier.check(&given).unwrap_err();
            assert_eq!(refused.status_code(), 403, "{given:?}");
        }
    }

    #[test]
    fn a_short_value_is_a_configuration_error_and_never_printed() {
        assert!(OriginVerifier::new("short".into()).is_err());
        let verifier = OriginVerifier::new(VALUE.into()).unwrap();
        assert!(!format!("{verifier:?}").contains(VALUE));
    }
}
