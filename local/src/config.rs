//! The gateway's settings, from environment variables, checked before anything starts.

use crate::aws::LocalAws;
use crate::faults::Faults;
use crate::invoker::DEFAULT_MAX_INSTANCES;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// Variables of the gateway's own environment handed on to functions when set (the AWS ones
/// always are, via [`LocalAws::env`]).
pub const PASS_THROUGH: &[&str] = &["RUST_LOG", "RUST_BACKTRACE", "AWS_SESSION_TOKEN"];

/// A setting is missing or malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(String);

/// Everything the gateway is told by its environment.
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    /// `PORT` on 127.0.0.1 (0: any free port); default 3000.
    pub port: u16,
    /// `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_DYNAMODB` (both required) with region and
    /// credentials.
    pub aws: LocalAws,
    /// `TEMPLATE`; default `template.yaml`.
    pub template: PathBuf,
    /// `WEB_DIST`; default `web/dist`.
    pub web_dist: PathBuf,
    /// `FUNCTIONS_DIR`; default the directory of the gateway's own executable.
    pub functions_dir: PathBuf,
    /// `STACK_NAME`; default `ticketing-local`.
    pub stack_name: String,
    /// `PARAMETER_OVERRIDES`, as `Key=Value Key2=Value2`.
    pub parameter_overrides: BTreeMap<String, String>,
    /// `MAX_INSTANCES` per function; default 4.
    pub max_instances: usize,
    /// `SQS_RETRY_DELAY_SECONDS`: how soon a message a function failed is delivered again; by
    /// default, as in AWS, when the queue's visibility timeout ends. Only the fault tests set it.
    pub sqs_retry_delay: Option<Duration>,
    /// The [`PASS_THROUGH`] variables that are set.
    pub pass_through: Vec<(String, String)>,
    /// `LOCAL_FAULTS`: faults to inject, for tests ([`Faults`]); none by default.
    pub faults: Faults,
}

impl GatewayConfig {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `var` (the environment, or a map in tests).
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let port = match var("PORT") {
            None => 3000,
            Some(port) => port
                .trim()
                .parse()
                .map_err(|_| ConfigError(format!("PORT must be a port number, got {port:?}")))?,
        };
        let endpoint = endpoint_url(
            var,
            "AWS_ENDPOINT_URL",
            "moto (SQS, EventBridge, Scheduler), e.g. `scripts/moto 5000`",
        )?;
        let dynamodb_endpoint = endpoint_url(
            var,
            "AWS_ENDPOINT_URL_DYNAMODB",
            "DynamoDB Local (tables and streams), e.g. `scripts/dynamodb-local 5000`",
        )?;
        let functions_dir = match var("FUNCTIONS_DIR") {
            Some(dir) => PathBuf::from(dir),
            None => std::env::current_exe()
                .ok()
                .and_then(|exe| exe.parent().map(PathBuf::from))
                .ok_or_else(|| {
                    ConfigError("cannot locate the gateway's executable; set FUNCTIONS_DIR".into())
                })?,
        };
        let max_instances = match var("MAX_INSTANCES") {
            None => DEFAULT_MAX_INSTANCES,
            Some(n) => n.trim().parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                ConfigError(format!(
                    "MAX_INSTANCES must be a positive number, got {n:?}"
                ))
            })?,
        };
        let sqs_retry_delay = match var("SQS_RETRY_DELAY_SECONDS") {
            None => None,
            // SQS takes whole seconds, up to 12 hours.
            Some(n) => n
                .trim()
                .parse()
                .ok()
                .filter(|n| *n <= 43_200)
                .map(|n| Some(Duration::from_secs(n)))
                .ok_or_else(|| {
                    ConfigError(format!(
                        "SQS_RETRY_DELAY_SECONDS must be a whole number of seconds (0 to 43200), got {n:?}"
                    ))
                })?,
        };
        let aws = LocalAws::from_lookup(endpoint, dynamodb_endpoint, |name| var(name));
        Ok(GatewayConfig {
            port,
            aws,
            template: var("TEMPLATE").map_or_else(|| "template.yaml".into(), PathBuf::from),
            web_dist: var("WEB_DIST").map_or_else(|| "web/dist".into(), PathBuf::from),
            functions_dir,
            stack_name: var("STACK_NAME").unwrap_or_else(|| "ticketing-local".into()),
            parameter_overrides: parse_parameter_overrides(
                &var("PARAMETER_OVERRIDES").unwrap_or_default(),
            )?,
            max_instances,
            sqs_retry_delay,
            pass_through: PASS_THROUGH
                .iter()
                .filter_map(|name| var(name).map(|value| (name.to_string(), value)))
                .collect(),
            faults: Faults::parse(&var("LOCAL_FAULTS").unwrap_or_default()).map_err(ConfigError)?,
        })
    }

    /// The environment every function gets on top of its template variables.
    pub fn function_env(&self) -> Vec<(String, String)> {
        let mut env = self.aws.env();
        env.extend(self.pass_through.iter().cloned());
        env
    }
}

/// The http(s) URL in `name`, which says where `what` listens.
fn endpoint_url(
    var: impl Fn(&str) -> Option<String>,
    name: &str,
    what: &str,
) -> Result<String, ConfigError> {
    let endpoint = var(name).ok_or_else(|| {
        ConfigError(format!(
            "{name} is not set: start {what}, and set {name}=http://127.0.0.1:5000"
        ))
    })?;
    if !endpoint.starts_with("http://") && !endpoint.starts_with("https://") {
        return Err(ConfigError(format!(
            "{name} must be an http(s) URL, got {endpoint:?}"
        )));
    }
    Ok(endpoint)
}

/// Parses `sam --parameter-overrides` style text: `Key=Value` pairs separated by spaces
/// (values may be quoted), or `ParameterKey=Key,ParameterValue=Value`.
pub fn parse_parameter_overrides(text: &str) -> Result<BTreeMap<String, String>, ConfigError> {
    let mut overrides = BTreeMap::new();
    for token in split_words(text)? {
        let (key, value) = if let Some(rest) = token.strip_prefix("ParameterKey=") {
            let (key, value) = rest.split_once(",ParameterValue=").ok_or_else(|| {
                ConfigError(format!(
                    "PARAMETER_OVERRIDES: {token:?} needs ,ParameterValue=..."
                ))
            })?;
            (key.to_string(), value.to_string())
        } else {
            let (key, value) = token.split_once('=').ok_or_else(|| {
                ConfigError(format!("PARAMETER_OVERRIDES: {token:?} is not Key=Value"))
            })?;
            (key.to_string(), value.to_string())
        };
        if key.is_empty() {
            return Err(ConfigError(format!(
                "PARAMETER_OVERRIDES: {token:?} has no key"
            )));
        }
        overrides.insert(key, value);
    }
    Ok(overrides)
}

/// Splits on whitespace, keeping "double" or 'single' quoted runs (quotes removed) together.
fn split_words(text: &str) -> Result<Vec<String>, ConfigError> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            (None, c) => {
                current.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return Err(ConfigError("PARAMETER_OVERRIDES: unclosed quote".into()));
    }
    if in_word {
        words.push(current);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<GatewayConfig, ConfigError> {
        let vars: BTreeMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        GatewayConfig::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn parses_overrides_like_sam() {
        let parsed = parse_parameter_overrides(
            "JwtSecret=abc CookieSecure=false  Quoted=\"a b\" ParameterKey=Ttl,ParameterValue=60 Empty=",
        )
        .unwrap();
        assert_eq!(parsed["JwtSecret"], "abc");
        assert_eq!(parsed["CookieSecure"], "false");
        assert_eq!(parsed["Quoted"], "a b");
        assert_eq!(parsed["Ttl"], "60");
        assert_eq!(parsed["Empty"], "");
        assert!(parse_parameter_overrides("").unwrap().is_empty());
        assert!(parse_parameter_overrides("novalue").is_err());
        assert!(parse_parameter_overrides("A=\"open").is_err());
    }

    const MOTO: (&str, &str) = ("AWS_ENDPOINT_URL", "http://127.0.0.1:5000");
    const DYNAMODB: (&str, &str) = ("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000");

    #[test]
    fn defaults_apply_and_both_endpoints_are_required() {
        let err = config(&[DYNAMODB]).unwrap_err();
        assert!(err.to_string().contains("AWS_ENDPOINT_URL "), "{err}");
        let err = config(&[MOTO]).unwrap_err();
        assert!(
            err.to_string().contains("AWS_ENDPOINT_URL_DYNAMODB"),
            "{err}"
        );

        let defaults = config(&[MOTO, DYNAMODB]).unwrap();
        assert_eq!(defaults.aws.endpoint, "http://127.0.0.1:5000");
        assert_eq!(defaults.aws.dynamodb_endpoint, "http://127.0.0.1:8000");
        assert_eq!(defaults.port, 3000);
        assert_eq!(defaults.stack_name, "ticketing-local");
        assert_eq!(defaults.template, PathBuf::from("template.yaml"));
        assert_eq!(defaults.web_dist, PathBuf::from("web/dist"));
        assert_eq!(defaults.max_instances, 4);
        assert_eq!(
            defaults.sqs_retry_delay, None,
            "AWS's: the visibility timeout"
        );
        assert_eq!(defaults.aws.region, "us-east-1");
    }

    #[test]
    fn bad_values_fail_with_the_variable_named() {
        let endpoint = MOTO;
        assert!(config(&[endpoint, DYNAMODB, ("PORT", "http")])
            .unwrap_err()
            .to_string()
            .contains("PORT"));
        assert!(config(&[endpoint, DYNAMODB, ("MAX_INSTANCES", "0")])
            .unwrap_err()
            .to_string()
            .contains("MAX_INSTANCES"));
        assert!(config(&[("AWS_ENDPOINT_URL", "localhost:5000"), DYNAMODB]).is_err());
        assert!(config(&[MOTO, ("AWS_ENDPOINT_URL_DYNAMODB", "localhost:8000")]).is_err());
        assert!(
            config(&[endpoint, DYNAMODB, ("SQS_RETRY_DELAY_SECONDS", "0.5")])
                .unwrap_err()
                .to_string()
                .contains("SQS_RETRY_DELAY_SECONDS")
        );
        let zero = config(&[endpoint, DYNAMODB, ("SQS_RETRY_DELAY_SECONDS", "0")]).unwrap();
        assert_eq!(zero.sqs_retry_delay, Some(Duration::ZERO));
    }

    #[test]
    fn functions_get_the_aws_settings_and_set_pass_through_variables() {
        let config = config(&[MOTO, DYNAMODB, ("RUST_LOG", "debug")]).unwrap();
        let env: BTreeMap<_, _> = config.function_env().into_iter().collect();
        assert_eq!(env["AWS_ENDPOINT_URL"], "http://127.0.0.1:5000");
        assert_eq!(env["AWS_ENDPOINT_URL_DYNAMODB"], "http://127.0.0.1:8000");
        assert_eq!(
            env["AWS_ENDPOINT_URL_DYNAMODB_STREAMS"],
            "http://127.0.0.1:8000"
        );
        assert_eq!(env["AWS_REGION"], "us-east-1");
        assert_eq!(env["RUST_LOG"], "debug");
        assert!(!env.contains_key("RUST_BACKTRACE"));
    }
}
