//! What CloudFront does around the site and the API, read from template.yaml's distribution:
//! the headers it adds to each request it sends the API (`OriginCustomHeaders`: the
//! `X-Origin-Verify` secret the functions check) and the security headers of its response
//! headers policy, sent on every answer. Locally Stripe.js and Stripe's API are the stand-in's,
//! so the Content-Security-Policy names the stand-in's origin where the template names Stripe's
//! (every `Stripe...` variable of its `!Sub`); the rest of the policy is the template's.

use crate::resolver::Resolver;
use crate::template::{Template, TemplateError};
use http::{HeaderMap, HeaderName, HeaderValue};
use serde_yaml::{Mapping, Value};

const DISTRIBUTION: &str = "AWS::CloudFront::Distribution";
const HEADERS_POLICY: &str = "AWS::CloudFront::ResponseHeadersPolicy";
/// Where Stripe.js comes from in AWS; any other `StripeJsUrl` is a local stand-in.
const STRIPE_JS_ORIGIN: &str = "https://js.stripe.com";

/// CloudFront's part, as the local gateway plays it.
#[derive(Debug, Clone, Default)]
pub struct Edge {
    /// Added to (and replacing any of the same name in) every request for the API.
    pub api_request_headers: Vec<(HeaderName, HeaderValue)>,
    /// Added to (and replacing any of the same name in) every answer.
    pub response_headers: Vec<(HeaderName, HeaderValue)>,
}

impl Edge {
    /// The edge of the template's distribution; nothing to add if it has none.
    pub fn from_template(
        template: &Template,
        resolver: &Resolver<'_>,
    ) -> Result<Self, TemplateError> {
        let Some(config) = template
            .resources
            .values()
            .find(|r| r.kind == DISTRIBUTION)
            .and_then(|r| r.properties.get("DistributionConfig"))
        else {
            return Ok(Edge::default());
        };
        let api_origin = api_origin_id(config);
        let mut api_request_headers = Vec::new();
        for origin in sequence(config.get("Origins")) {
            if origin.get("Id").and_then(Value::as_str) != api_origin.as_deref() {
                continue;
            }
            for header in sequence(origin.get("OriginCustomHeaders")) {
                let name = field(header, "HeaderName")?;
                let value = resolver.resolve(header.get("HeaderValue").unwrap_or(&Value::Null))?;
                api_request_headers.push((
                    header_name(&resolver.resolve(name)?)?,
                    header_value(&value)?,
                ));
            }
        }
        let response_headers = match config
            .get("DefaultCacheBehavior")
            .and_then(|b| b.get("ResponseHeadersPolicyId"))
            .and_then(referenced)
            .and_then(|id| {
                template
                    .resources
                    .get(&id)
                    .filter(|r| r.kind == HEADERS_POLICY)
            }) {
            Some(policy) => security_headers(&policy.properties, resolver)?,
            None => Vec::new(),
        };
        Ok(Edge {
            api_request_headers,
            response_headers,
        })
    }

    /// Adds the origin's custom headers to a request for the API.
    pub fn add_api_request_headers(&self, headers: &mut HeaderMap) {
        for (name, value) in &self.api_request_headers {
            headers.insert(name.clone(), value.clone());
        }
    }

    /// Adds the security headers to an answer.
    pub fn add_response_headers(&self, headers: &mut HeaderMap) {
        for (name, value) in &self.response_headers {
            headers.insert(name.clone(), value.clone());
        }
    }
}

/// The origin the `/api/*` cache behaviour sends requests to.
fn api_origin_id(config: &Value) -> Option<String> {
    sequence(config.get("CacheBehaviors"))
        .find(|b| b.get("PathPattern").and_then(Value::as_str) == Some("/api/*"))
        .and_then(|b| b.get("TargetOriginId"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// The headers a `SecurityHeadersConfig` makes CloudFront send, as CloudFront writes them.
fn security_headers(
    properties: &Mapping,
    resolver: &Resolver<'_>,
) -> Result<Vec<(HeaderName, HeaderValue)>, TemplateError> {
    let config = properties
        .get("ResponseHeadersPolicyConfig")
        .and_then(|c| c.get("SecurityHeadersConfig"))
        .unwrap_or(&Value::Null);
    let mut headers = Vec::new();
    let mut add = |name: &str, value: String| -> Result<(), TemplateError> {
        headers.push((header_name(name)?, header_value(&value)?));
        Ok(())
    };
    if let Some(hsts) = config.get("StrictTransportSecurity") {
        let mut value = format!(
            "max-age={}",
            resolver.resolve(field(hsts, "AccessControlMaxAgeSec")?)?
        );
        if hsts.get("IncludeSubdomains").and_then(Value::as_bool) == Some(true) {
            value.push_str("; includeSubDomains");
        }
        if hsts.get("Preload").and_then(Value::as_bool) == Some(true) {
            value.push_str("; preload");
        }
        add("strict-transport-security", value)?;
    }
    if config.get("ContentTypeOptions").is_some() {
        add("x-content-type-options", "nosniff".into())?;
    }
    if let Some(frame) = config.get("FrameOptions") {
        add(
            "x-frame-options",
            resolver.resolve(field(frame, "FrameOption")?)?,
        )?;
    }
    if let Some(referrer) = config.get("ReferrerPolicy") {
        add(
            "referrer-policy",
            resolver.resolve(field(referrer, "ReferrerPolicy")?)?,
        )?;
    }
    if let Some(csp) = config.get("ContentSecurityPolicy") {
        let policy = local_stripe(field(csp, "ContentSecurityPolicy")?, resolver)?;
        add("content-security-policy", resolver.resolve(&policy)?)?;
    }
    Ok(headers)
}

/// The policy's `!Sub [text, variables]` with every `Stripe...` variable set to the stand-in's
/// origin when Stripe.js is not Stripe's (local development); unchanged otherwise.
fn local_stripe(policy: &Value, resolver: &Resolver<'_>) -> Result<Value, TemplateError> {
    let stripe_js = resolver.parameter("StripeJsUrl")?;
    let origin = origin_of(&stripe_js);
    if origin == STRIPE_JS_ORIGIN {
        return Ok(policy.clone());
    }
    let Some(args) = sub_arguments(policy) else {
        return Ok(policy.clone());
    };
    let [text, Value::Mapping(variables)] = args.as_slice() else {
        return Ok(policy.clone());
    };
    let variables: Mapping = variables
        .iter()
        .map(|(name, value)| {
            let is_stripe = name.as_str().is_some_and(|n| n.starts_with("Stripe"));
            let value = if is_stripe {
                Value::String(origin.clone())
            } else {
                value.clone()
            };
            (name.clone(), value)
        })
        .collect();
    let mut sub = Mapping::new();
    sub.insert(
        Value::String("Fn::Sub".into()),
        Value::Sequence(vec![text.clone(), Value::Mapping(variables)]),
    );
    Ok(Value::Mapping(sub))
}

/// The arguments of a `!Sub` or `Fn::Sub` in its list form.
fn sub_arguments(value: &Value) -> Option<Vec<Value>> {
    let argument = match value {
        Value::Tagged(tagged) if tagged.tag == "Sub" => &tagged.value,
        Value::Mapping(map) => map.get("Fn::Sub")?,
        _ => return None,
    };
    argument.as_sequence().cloned()
}

/// `http://127.0.0.1:12111` from `http://127.0.0.1:12111/v3/`.
fn origin_of(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    format!("{scheme}://{host}")
}

/// The logical id a `!Ref` names.
fn referenced(value: &Value) -> Option<String> {
    crate::resolver::referenced_resource(value)
}

fn sequence(value: Option<&Value>) -> impl Iterator<Item = &Value> {
    value.and_then(Value::as_sequence).into_iter().flatten()
}

fn field<'v>(value: &'v Value, name: &str) -> Result<&'v Value, TemplateError> {
    value
        .get(name)
        .ok_or_else(|| TemplateError::Invalid(format!("CloudFront: {name} is missing")))
}

fn header_name(name: &str) -> Result<HeaderName, TemplateError> {
    HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes())
        .map_err(|_| TemplateError::Invalid(format!("CloudFront: invalid header name {name:?}")))
}

fn header_value(value: &str) -> Result<HeaderValue, TemplateError> {
    HeaderValue::from_str(value).map_err(|_| {
        TemplateError::Invalid(format!("CloudFront: invalid header value for {value:?}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn edge(overrides: &[(&str, &str)]) -> (Edge, String) {
        let template = crate::testing::template();
        let overrides: BTreeMap<String, String> = [
            ("SessionSigningKey", crate::testing::SESSION_SIGNING_KEY),
            (
                "SessionPublicKeys",
                "O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik",
            ),
            ("StripeSecretKey", "sk_test_unused"),
            ("StripeWebhookSecret", "whsec_unused_by_these_tests_000000"),
            ("StripePublishableKey", "pk_test_unused"),
        ]
        .iter()
        .chain(overrides)
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        // Secrets' ARNs are known once they exist (provision/secrets.rs); any will do here.
        let arns = template
            .secrets
            .iter()
            .map(|s| {
                let arn = format!(
                    "arn:aws:secretsmanager:eu-west-1:123456789012:secret:{}-AbCdEf",
                    s.logical_id
                );
                (s.logical_id.clone(), arn)
            })
            .collect();
        let resolver = Resolver::new(template, "stack", "eu-west-1", overrides)
            .unwrap()
            .with_secret_arns(arns);
        let secret = resolver.secret_value("OriginVerifySecret").unwrap();
        (Edge::from_template(template, &resolver).unwrap(), secret)
    }

    fn header<'e>(headers: &'e [(HeaderName, HeaderValue)], name: &str) -> &'e str {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name} is sent"))
            .1
            .to_str()
            .unwrap()
    }

    #[test]
    fn api_requests_carry_the_generated_origin_secret() {
        let (edge, secret) = edge(&[]);
        assert_eq!(edge.api_request_headers.len(), 1);
        assert_eq!(header(&edge.api_request_headers, "x-origin-verify"), secret);
        let mut headers = HeaderMap::new();
        headers.insert("x-origin-verify", "forged-by-the-client".parse().unwrap());
        edge.add_api_request_headers(&mut headers);
        assert_eq!(headers["x-origin-verify"], secret.as_str());
    }

    #[test]
    fn answers_carry_the_policy_s_security_headers() {
        let (edge, _) = edge(&[]);
        let sent = &edge.response_headers;
        assert_eq!(
            header(sent, "strict-transport-security"),
            "max-age=63072000; includeSubDomains"
        );
        assert_eq!(header(sent, "x-content-type-options"), "nosniff");
        assert_eq!(header(sent, "x-frame-options"), "DENY");
        assert_eq!(
            header(sent, "referrer-policy"),
            "strict-origin-when-cross-origin"
        );
        let csp = header(sent, "content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(
            csp.contains("script-src 'self' https://js.stripe.com https://*.js.stripe.com;"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert!(!csp.contains("127.0.0.1"), "{csp}");
    }

    #[test]
    fn locally_the_stripe_stand_in_takes_stripe_s_place_in_the_policy() {
        let (edge, _) = edge(&[("StripeJsUrl", "http://127.0.0.1:12111/v3/")]);
        let csp = header(&edge.response_headers, "content-security-policy");
        assert!(
            csp.contains("script-src 'self' http://127.0.0.1:12111;"),
            "{csp}"
        );
        assert!(
            csp.contains("connect-src 'self' http://127.0.0.1:12111;"),
            "{csp}"
        );
        assert!(!csp.contains("stripe.com"), "{csp}");
        assert!(csp.contains("default-src 'self'"), "{csp}");
    }

    #[test]
    fn origins_drop_the_path() {
        assert_eq!(
            origin_of("https://js.stripe.com/v3/"),
            "https://js.stripe.com"
        );
        assert_eq!(
            origin_of("http://127.0.0.1:12111/v3/"),
            "http://127.0.0.1:12111"
        );
    }
}
