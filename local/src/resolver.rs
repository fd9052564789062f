//! Turns CloudFormation intrinsics (`!Ref`, `!GetAtt`, `!Sub`) into the values they have locally.

use crate::template::{scalar_string, FunctionSpec, Template, TemplateError};
use serde_yaml::Value;
use std::collections::BTreeMap;

mod messaging;
mod scheduling;
mod secrets;

/// The account id the local stack pretends to live in (moto's default account).
pub const ACCOUNT_ID: &str = "123456789012";

/// Resolves template values for one local stack.
#[derive(Debug, Clone)]
pub struct Resolver<'t> {
    template: &'t Template,
    stack_name: String,
    region: String,
    overrides: BTreeMap<String, String>,
    /// The local endpoint queue URLs point at; AWS's SQS endpoint when `None`.
    endpoint: Option<String>,
    /// Table logical id → its stream's ARN, known once the table exists.
    stream_arns: BTreeMap<String, String>,
    /// Secret logical id → its ARN, known once the secret exists (Secrets Manager adds a
    /// random suffix to the name).
    secret_arns: BTreeMap<String, String>,
    /// Generated secret logical id → its value, made once per stack ([`secrets`]).
    secrets: std::sync::Arc<BTreeMap<String, String>>,
}

/// An intrinsic function call found in the template, in either its short (`!Ref`) or long
/// (`{"Ref": ...}`) form.
enum Intrinsic<'v> {
    Ref(&'v Value),
    GetAtt(&'v Value),
    Sub(&'v Value),
}

impl<'t> Resolver<'t> {
    /// A resolver for `stack_name` in `region`; `overrides` must name declared parameters.
    pub fn new(
        template: &'t Template,
        stack_name: impl Into<String>,
        region: impl Into<String>,
        overrides: BTreeMap<String, String>,
    ) -> Result<Self, TemplateError> {
        if let Some(unknown) = overrides
            .keys()
            .find(|k| !template.parameters.contains_key(*k))
        {
            return Err(TemplateError::UnknownParameter(unknown.clone()));
        }
        Ok(Resolver {
            template,
            stack_name: stack_name.into(),
            region: region.into(),
            overrides,
            endpoint: None,
            stream_arns: BTreeMap::new(),
            secret_arns: BTreeMap::new(),
            secrets: std::sync::Arc::new(secrets::generate(template)),
        })
    }

    /// Queue URLs point at `endpoint` (moto serves queues under its own address).
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into().trim_end_matches('/').to_string());
        self
    }

    /// Tables' stream ARNs (logical id → ARN): only the created table knows its stream's label,
    /// so `!GetAtt Table.StreamArn` resolves once these are given.
    pub fn with_stream_arns(mut self, stream_arns: BTreeMap<String, String>) -> Self {
        self.stream_arns.extend(stream_arns);
        self
    }

    /// The stack name used for physical names.
    pub fn stack_name(&self) -> &str {
        &self.stack_name
    }

    /// The region used in ARNs and `${AWS::Region}`.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// Resolves a template value to the string it stands for.
    pub fn resolve(&self, value: &Value) -> Result<String, TemplateError> {
        if let Some(scalar) = scalar_string(value) {
            return Ok(scalar);
        }
        match intrinsic(value)? {
            Some(Intrinsic::Ref(target)) => {
                let name = target.as_str().ok_or_else(|| {
                    TemplateError::Invalid(format!("!Ref needs a name, found {target:?}"))
                })?;
                self.reference(name)
            }
            Some(Intrinsic::GetAtt(target)) => {
                let (resource, attribute) = get_att_target(target)?;
                self.attribute(&resource, &attribute)
            }
            Some(Intrinsic::Sub(args)) => self
                .substitute(args)
                .and_then(|text| self.resolve_dynamic_references(text)),
            None => Err(TemplateError::Invalid(format!(
                "expected a string value, found {value:?}"
            ))),
        }
    }

    /// The value of a parameter: its override, else its default, checked against its constraints.
    pub fn parameter(&self, name: &str) -> Result<String, TemplateError> {
        let declared = self
            .template
            .parameters
            .get(name)
            .ok_or_else(|| TemplateError::UnknownReference(name.to_string()))?;
        let value = self
            .overrides
            .get(name)
            .or(declared.default.as_ref())
            .cloned()
            .ok_or_else(|| TemplateError::MissingParameter(name.to_string()))?;
        let invalid = |problem: String| TemplateError::InvalidParameter {
            name: name.to_string(),
            problem,
        };
        if !declared.allowed_values.is_empty() && !declared.allowed_values.contains(&value) {
            return Err(invalid(format!(
                "{value:?} is not one of {:?}",
                declared.allowed_values
            )));
        }
        if declared
            .min_length
            .is_some_and(|min| value.chars().count() < min)
        {
            return Err(invalid(format!(
                "must be at least {} characters",
                declared.min_length.unwrap_or(0)
            )));
        }
        if declared
            .max_length
            .is_some_and(|max| value.chars().count() > max)
        {
            return Err(invalid(format!(
                "must be at most {} characters",
                declared.max_length.unwrap_or(0)
            )));
        }
        if let Some(pattern) = &declared.allowed_pattern {
            // CloudFormation matches the whole value against the pattern.
            let whole = regex_lite::Regex::new(&format!("^(?:{pattern})$")).map_err(|e| {
                invalid(format!(
                    "AllowedPattern {pattern:?} is not a regular expression: {e}"
                ))
            })?;
            if !whole.is_match(&value) {
                return Err(invalid(format!(
                    "does not match AllowedPattern {pattern:?}"
                )));
            }
        }
        if declared.kind == "Number" && value.parse::<f64>().is_err() {
            return Err(invalid(format!("{value:?} is not a number")));
        }
        Ok(value)
    }

    /// The physical name of a table: its `TableName`, else `{stack}-{LogicalId}`.
    pub fn table_name(&self, logical_id: &str) -> Result<String, TemplateError> {
        let table = self
            .template
            .table(logical_id)
            .ok_or_else(|| TemplateError::UnknownReference(logical_id.to_string()))?;
        match &table.table_name {
            Some(name) => self.resolve(name),
            None => Ok(self.physical_name(logical_id)),
        }
    }

    /// The deployed name of a function: its `FunctionName`, else `{stack}-{LogicalId}`.
    pub fn function_name(&self, function: &FunctionSpec) -> Result<String, TemplateError> {
        match &function.function_name {
            Some(name) => self.resolve(name),
            None => Ok(self.physical_name(&function.logical_id)),
        }
    }

    /// A function's environment with every value resolved.
    pub fn function_environment(
        &self,
        function: &FunctionSpec,
    ) -> Result<BTreeMap<String, String>, TemplateError> {
        function
            .environment
            .iter()
            .map(|(key, value)| {
                let resolved = self.resolve(value).map_err(|err| {
                    TemplateError::Invalid(format!(
                        "{}: environment variable {key}: {err}",
                        function.logical_id
                    ))
                })?;
                Ok((key.clone(), resolved))
            })
            .collect()
    }

    /// Resolves a value that may be a mapping or list (an `EventPattern`, a `RedrivePolicy`) into
    /// JSON, resolving every intrinsic inside it; scalars keep their YAML types.
    pub fn resolve_json(&self, value: &Value) -> Result<serde_json::Value, TemplateError> {
        use serde_json::Value as Json;
        if intrinsic(value)?.is_some() {
            return self.resolve(value).map(Json::String);
        }
        Ok(match value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => serde_json::to_value(n).map_err(|err| {
                TemplateError::Invalid(format!("number {n} does not fit JSON: {err}"))
            })?,
            Value::String(s) => Json::String(s.clone()),
            Value::Sequence(items) => Json::Array(
                items
                    .iter()
                    .map(|item| self.resolve_json(item))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Mapping(map) => Json::Object(
                map.iter()
                    .map(|(key, item)| {
                        let key = scalar_string(key).ok_or_else(|| {
                            TemplateError::Invalid(format!("expected a plain key, found {key:?}"))
                        })?;
                        Ok((key, self.resolve_json(item)?))
                    })
                    .collect::<Result<_, TemplateError>>()?,
            ),
            Value::Tagged(tagged) => {
                return Err(TemplateError::Unsupported(format!(
                    "the tag {}",
                    tagged.tag
                )))
            }
        })
    }

    fn physical_name(&self, logical_id: &str) -> String {
        format!("{}-{}", self.stack_name, logical_id)
    }

    fn arn(&self, service: &str, resource: &str) -> String {
        format!("arn:aws:{service}:{}:{ACCOUNT_ID}:{resource}", self.region)
    }

    /// `!Ref name`: a pseudo parameter, a parameter or a resource.
    fn reference(&self, name: &str) -> Result<String, TemplateError> {
        match name {
            "AWS::StackName" => return Ok(self.stack_name.clone()),
            "AWS::Region" => return Ok(self.region.clone()),
            "AWS::AccountId" => return Ok(ACCOUNT_ID.to_string()),
            "AWS::Partition" => return Ok("aws".to_string()),
            "AWS::URLSuffix" => return Ok("amazonaws.com".to_string()),
            _ => {}
        }
        if self.template.parameters.contains_key(name) {
            return self.parameter(name);
        }
        let resource = self
            .template
            .resources
            .get(name)
            .ok_or_else(|| TemplateError::UnknownReference(name.to_string()))?;
        // One arm per resource type the gateway runs locally.
        match resource.kind.as_str() {
            "AWS::DynamoDB::Table" => self.table_name(name),
            "AWS::Serverless::Function" => self.function_name(self.function(name)?),
            "AWS::SQS::Queue" => self.queue_url(name),
            "AWS::Events::EventBus" => self.event_bus_name(name),
            "AWS::Events::Rule" => self.rule_ref(name),
            "AWS::Scheduler::ScheduleGroup" => self.schedule_group_name(name),
            "AWS::IAM::Role" => self.role_name(name),
            "AWS::SecretsManager::Secret" => self.secret_arn(name),
            other => Err(TemplateError::Unsupported(format!(
                "!Ref {name} (a resource of type {other})"
            ))),
        }
    }

    /// `!GetAtt resource.attribute`.
    fn attribute(&self, name: &str, attribute: &str) -> Result<String, TemplateError> {
        let resource = self
            .template
            .resources
            .get(name)
            .ok_or_else(|| TemplateError::UnknownReference(name.to_string()))?;
        match (resource.kind.as_str(), attribute) {
            ("AWS::DynamoDB::Table", "Arn") => {
                Ok(self.arn("dynamodb", &format!("table/{}", self.table_name(name)?)))
            }
            ("AWS::DynamoDB::Table", "StreamArn") => self.stream_arn(name),
            ("AWS::SQS::Queue", "Arn") => self.queue_arn(name),
            ("AWS::SQS::Queue", "QueueName") => self.queue_name(name),
            ("AWS::SQS::Queue", "QueueUrl") => self.queue_url(name),
            ("AWS::Events::EventBus", "Arn") => self.event_bus_arn(name),
            ("AWS::Events::EventBus", "Name") => self.event_bus_name(name),
            ("AWS::Events::Rule", "Arn") => self.rule_arn(name),
            ("AWS::Scheduler::ScheduleGroup", "Arn") => self.schedule_group_arn(name),
            ("AWS::IAM::Role", "Arn") => self.role_arn(name),
            // The gateway prints logs and keeps no log groups; the ARN only has to resolve
            // (the HTTP API's access log destination).
            ("AWS::Logs::LogGroup", "Arn") => {
                Ok(self.arn("logs", &format!("log-group:{}-{name}:*", self.stack_name)))
            }
            ("AWS::Serverless::Function", "Arn") => Ok(self.arn(
                "lambda",
                &format!("function:{}", self.function_name(self.function(name)?)?),
            )),
            (kind, _) => Err(TemplateError::Unsupported(format!(
                "!GetAtt {name}.{attribute} (on {kind})"
            ))),
        }
    }

    fn function(&self, logical_id: &str) -> Result<&FunctionSpec, TemplateError> {
        self.template
            .function(logical_id)
            .ok_or_else(|| TemplateError::UnknownReference(logical_id.to_string()))
    }

    /// `!Sub "text ${Name} ${Res.Attr} ${!Literal}"`, or `!Sub [text, {Name: value}]`.
    fn substitute(&self, args: &Value) -> Result<String, TemplateError> {
        let (text, variables) = match args {
            Value::String(text) => (text.as_str(), None),
            Value::Sequence(items) if items.len() == 2 => (
                items[0].as_str().ok_or_else(|| {
                    TemplateError::Invalid("!Sub's first item must be a string".into())
                })?,
                Some(items[1].as_mapping().ok_or_else(|| {
                    TemplateError::Invalid("!Sub's second item must be a mapping".into())
                })?),
            ),
            other => {
                return Err(TemplateError::Invalid(format!(
                    "!Sub needs a string or [string, map], found {other:?}"
                )))
            }
        };

        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after
                .find('}')
                .ok_or_else(|| TemplateError::Invalid(format!("!Sub {text:?}: unclosed ${{")))?;
            let name = &after[..end];
            if let Some(literal) = name.strip_prefix('!') {
                // `${!Name}` is how !Sub writes a literal `${Name}`.
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else if let Some(value) = variables.and_then(|vars| vars.get(name)) {
                out.push_str(&self.resolve(value)?);
            } else if let Some((resource, attribute)) = name.split_once('.') {
                out.push_str(&self.attribute(resource, attribute)?);
            } else {
                out.push_str(&self.reference(name)?);
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// Recognises an intrinsic; `Ok(None)` for a value that is not one.
fn intrinsic(value: &Value) -> Result<Option<Intrinsic<'_>>, TemplateError> {
    let (name, argument) = match value {
        Value::Tagged(tagged) => (
            tagged.tag.to_string().trim_start_matches('!').to_string(),
            &tagged.value,
        ),
        Value::Mapping(map) if map.len() == 1 => {
            let (key, argument) = map.iter().next().expect("one entry");
            match key.as_str() {
                Some(key) if key == "Ref" || key.starts_with("Fn::") => {
                    (key.trim_start_matches("Fn::").to_string(), argument)
                }
                _ => return Ok(None),
            }
        }
        _ => return Ok(None),
    };
    match name.as_str() {
        "Ref" => Ok(Some(Intrinsic::Ref(argument))),
        "GetAtt" => Ok(Some(Intrinsic::GetAtt(argument))),
        "Sub" => Ok(Some(Intrinsic::Sub(argument))),
        other => Err(TemplateError::Unsupported(format!(
            "the intrinsic !{other}"
        ))),
    }
}

/// The logical id a `!Ref` or `!GetAtt` names, if `value` is one (for ordering resources).
pub fn referenced_resource(value: &Value) -> Option<String> {
    match intrinsic(value).ok()?? {
        Intrinsic::Ref(target) => target.as_str().map(str::to_string),
        Intrinsic::GetAtt(target) => get_att_target(target).ok().map(|(resource, _)| resource),
        Intrinsic::Sub(_) => None,
    }
}

/// `Res.Attr` or `[Res, Attr]`.
fn get_att_target(target: &Value) -> Result<(String, String), TemplateError> {
    let parts: Option<(String, String)> = match target {
        Value::String(s) => s
            .split_once('.')
            .map(|(r, a)| (r.to_string(), a.to_string())),
        Value::Sequence(items) if items.len() == 2 => items[0]
            .as_str()
            .zip(items[1].as_str())
            .map(|(r, a)| (r.to_string(), a.to_string())),
        _ => None,
    };
    parts.ok_or_else(|| {
        TemplateError::Invalid(format!(
            "!GetAtt needs Resource.Attribute, found {target:?}"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = r#"
Parameters:
  Secret: { Type: String, MinLength: 8 }
  Mode: { Type: String, Default: "on", AllowedValues: ["on", "off"] }
  Ttl: { Type: Number, Default: 60 }
Resources:
  UsersTable:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{ AttributeName: pk, AttributeType: S }]
      KeySchema: [{ AttributeName: pk, KeyType: HASH }]
  NamedTable:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "${AWS::StackName}-named"
      AttributeDefinitions: [{ AttributeName: pk, AttributeType: S }]
      KeySchema: [{ AttributeName: pk, KeyType: HASH }]
  Topic:
    Type: AWS::SNS::Topic
  Fn:
    Type: AWS::Serverless::Function
    Metadata: { BuildProperties: { Binary: f } }
    Properties:
      Environment:
        Variables:
          TABLE: !Ref UsersTable
          NAMED: !Ref NamedTable
          SECRET: !Ref Secret
          MODE: { Ref: Mode }
          TTL: !Ref Ttl
          ARN: !GetAtt UsersTable.Arn
          LONG_ARN: { "Fn::GetAtt": [UsersTable, Arn] }
          SUB: !Sub "${AWS::Region}/${AWS::AccountId}/${UsersTable}/${Mode}/${!Literal}"
          SUB_VARS: !Sub ["${Prefix}-${UsersTable.Arn}", { Prefix: !Ref Mode }]
          PLAIN: 42
"#;

    fn overrides(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn resolves_refs_getatts_and_subs() {
        let template = Template::parse(YAML).unwrap();
        let resolver = Resolver::new(
            &template,
            "stack",
            "eu-west-1",
            overrides(&[("Secret", "long-enough")]),
        )
        .unwrap();
        let env = resolver
            .function_environment(template.function("Fn").unwrap())
            .unwrap();

        assert_eq!(env["TABLE"], "stack-UsersTable");
        assert_eq!(env["NAMED"], "stack-named");
        assert_eq!(env["SECRET"], "long-enough");
        assert_eq!(env["MODE"], "on");
        assert_eq!(env["TTL"], "60");
        assert_eq!(
            env["ARN"],
            "arn:aws:dynamodb:eu-west-1:123456789012:table/stack-UsersTable"
        );
        assert_eq!(env["LONG_ARN"], env["ARN"]);
        assert_eq!(
            env["SUB"],
            "eu-west-1/123456789012/stack-UsersTable/on/${Literal}"
        );
        assert_eq!(env["SUB_VARS"], format!("on-{}", env["ARN"]));
        assert_eq!(env["PLAIN"], "42");
    }

    #[test]
    fn a_parameter_without_value_is_named_in_the_error() {
        let template = Template::parse(YAML).unwrap();
        let resolver = Resolver::new(&template, "stack", "us-east-1", BTreeMap::new()).unwrap();
        let err = resolver
            .function_environment(template.function("Fn").unwrap())
            .unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("SECRET") && message.contains("parameter Secret has no value"),
            "{message}"
        );
    }

    #[test]
    fn parameter_constraints_and_unknown_overrides_are_errors() {
        let template = Template::parse(YAML).unwrap();
        let short = Resolver::new(
            &template,
            "s",
            "us-east-1",
            overrides(&[("Secret", "short")]),
        )
        .unwrap();
        assert!(short
            .parameter("Secret")
            .unwrap_err()
            .to_string()
            .contains("at least 8"));
        let bad_mode =
            Resolver::new(&template, "s", "us-east-1", overrides(&[("Mode", "maybe")])).unwrap();
        assert!(bad_mode
            .parameter("Mode")
            .unwrap_err()
            .to_string()
            .contains("not one of"));
        let unknown =
            Resolver::new(&template, "s", "us-east-1", overrides(&[("Nope", "x")])).unwrap_err();
        assert!(unknown.to_string().contains("Nope"));
    }

    #[test]
    fn the_real_templates_patterns_keep_card_data_at_stripe_or_on_loopback() {
        // AllowedPattern matches the whole value, as in CloudFormation.
        let template = Template::parse(include_str!("../../template.yaml")).unwrap();
        let check = |name: &str, value: &str| {
            Resolver::new(&template, "s", "us-east-1", overrides(&[(name, value)]))
                .unwrap()
                .parameter(name)
        };
        for fine in ["", "https://api.stripe.com/", "http://127.0.0.1:12111/"] {
            assert!(check("StripeApiBase", fine).is_ok(), "{fine:?}");
        }
        for refused in [
            "https://api.stripe.com.evil.example/",
            "https://evil.example/",
            "http://api.stripe.com/",
            "http://10.0.0.5:80/",
            "https://api.stripe.com/ ",
        ] {
            let error = check("StripeApiBase", refused).unwrap_err();
            assert!(
                error.to_string().contains("AllowedPattern"),
                "{refused:?}: {error}"
            );
        }
        assert!(check("StripeJsUrl", "https://js.stripe.com/v3/").is_ok());
        assert!(check("StripeJsUrl", "https://js.stripe.com.evil.example/v3/").is_err());
        assert!(check("StripeWebhookSecret", "whsec_0123456789abcdefABCDEF01").is_ok());
        for refused in ["whsec_short", "sk_test_0123456789abcdefABCDEF01", ""] {
            assert!(
                check("StripeWebhookSecret", refused).is_err(),
                "{refused:?}"
            );
        }
        assert!(
            check("StripeSecretKey", "pk_test_123").is_err(),
            "a publishable key is no secret key"
        );
        assert!(check("SessionPublicKeys", "not-a-key").is_err());
    }

    #[test]
    fn unknown_intrinsics_and_references_are_clear_errors() {
        let template = Template::parse(YAML).unwrap();
        let resolver = Resolver::new(&template, "s", "us-east-1", BTreeMap::new()).unwrap();
        let value = |yaml: &str| serde_yaml::from_str::<Value>(yaml).unwrap();

        let join = resolver.resolve(&value("!Join [',', [a, b]]")).unwrap_err();
        assert_eq!(
            join.to_string(),
            "the intrinsic !Join is not supported by the local gateway"
        );
        let missing = resolver.resolve(&value("!Ref Nowhere")).unwrap_err();
        assert!(missing.to_string().contains("Nowhere"), "{missing}");
        let topic = resolver.resolve(&value("!Ref Topic")).unwrap_err();
        assert!(topic.to_string().contains("AWS::SNS::Topic"), "{topic}");
    }

    #[test]
    fn resolves_the_real_template_with_overrides() {
        let template = Template::parse(include_str!("../../template.yaml")).unwrap();
        let resolver = Resolver::new(
            &template,
            "ticketing-local",
            "us-east-1",
            overrides(&[
                (
                    "SessionSigningKey",
                    "cyC9hegEYj-VbbnxhfGh-qvINtdzBKrk_-HtZeR95f8",
                ),
                (
                    "SessionPublicKeys",
                    "Bq1bMOvDFAZaeU0Vgo3HQVqVebJs4bRXzCwY2sSexyw",
                ),
                ("CookieSecure", "false"),
                ("StripeSecretKey", "sk_test_local"),
                ("StripeWebhookSecret", "whsec_local_0123456789abcdef0123"),
                (
                    "StripeConnectWebhookSecret",
                    "whsec_connect_local_0123456789abcdef",
                ),
                ("StripePublishableKey", "pk_test_local"),
            ]),
        )
        .unwrap()
        // Known once the secrets exist (provision/secrets.rs).
        .with_secret_arns(
            template
                .secrets
                .iter()
                .map(|s| {
                    (
                        s.logical_id.clone(),
                        format!(
                            "arn:aws:secretsmanager:us-east-1:123456789012:secret:{}-AbCdEf",
                            s.logical_id
                        ),
                    )
                })
                .collect(),
        );
        for function in &template.functions {
            resolver
                .function_environment(function)
                .expect("every function's environment resolves");
        }
        let signup = resolver
            .function_environment(template.function("SignupFunction").unwrap())
            .unwrap();
        assert_eq!(signup["USERS_TABLE"], "ticketing-local-UsersTable");
        assert_eq!(signup["COOKIE_SECURE"], "false");
        assert_eq!(signup["SESSION_TTL_SECONDS"], "3600");
        assert_eq!(
            signup["SESSION_SIGNING_KEY_ARN"],
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:SessionSigningKeySecret-AbCdEf"
        );
        assert!(
            signup.values().all(|v| !v.contains("cyC9hegEYj")),
            "the signing key itself is in no function's environment"
        );
        let publisher = resolver
            .function_environment(template.function("PublishTicketEventsFunction").unwrap())
            .unwrap();
        assert_eq!(publisher["EVENT_BUS_NAME"], "ticketing-local-events");
        let create_order = resolver
            .function_environment(template.function("CreateOrderFunction").unwrap())
            .unwrap();
        assert_eq!(
            create_order["EXPIRY_SCHEDULE_GROUP"],
            "ticketing-local-order-expiry"
        );
        assert_eq!(
            create_order["EXPIRY_QUEUE_ARN"],
            "arn:aws:sqs:us-east-1:123456789012:ticketing-local-ExpireOrderQueue"
        );
        assert_eq!(
            create_order["SCHEDULER_ROLE_ARN"],
            "arn:aws:iam::123456789012:role/ticketing-local-SchedulerRole"
        );
        assert_eq!(create_order["ORDER_TTL_SECONDS"], "900");

        // Every event source and every rule target resolves once streams are known.
        let stream = |table: &str| {
            format!("arn:aws:dynamodb:us-east-1:123456789012:table/ticketing-local-{table}/stream/2026-01-01T00:00:00.000")
        };
        let resolver = resolver.with_stream_arns(
            template
                .tables
                .iter()
                .filter(|t| t.spec.stream_view_type.is_some())
                .map(|t| (t.logical_id.clone(), stream(&t.logical_id)))
                .collect(),
        );
        for function in &template.functions {
            for source in &function.sqs_sources {
                let arn = resolver.resolve(&source.queue).unwrap();
                assert!(arn.starts_with("arn:aws:sqs:us-east-1:123456789012:ticketing-local-"));
            }
            for source in &function.stream_sources {
                let arn = resolver.resolve(&source.stream).unwrap();
                assert!(arn.starts_with("arn:aws:dynamodb:us-east-1:"), "{arn}");
                let dlq = resolver
                    .resolve(source.on_failure.as_ref().unwrap())
                    .unwrap();
                assert!(
                    dlq.starts_with("arn:aws:sqs:us-east-1:123456789012:ticketing-local-")
                        && dlq.ends_with("DLQ"),
                    "{dlq}"
                );
            }
        }
        // Every property of every resource resolves (policies, roles, groups), except the HTTP
        // events, which name the API that the gateway itself stands in for, and the resources
        // only AWS has (alarms and their topic, the web hosting), which the gateway ignores.
        let aws_only = |kind: &str| {
            kind.starts_with("AWS::CloudWatch::")
                || kind.starts_with("AWS::SNS::")
                || kind.starts_with("AWS::S3::")
                || kind.starts_with("AWS::CloudFront::")
        };
        for (id, resource) in &template.resources {
            if aws_only(&resource.kind) {
                continue;
            }
            let mut properties = resource.properties.clone();
            if resource.kind == "AWS::Serverless::Function" {
                properties.remove("Events");
            }
            resolver
                .resolve_json(&Value::Mapping(properties))
                .unwrap_or_else(|err| panic!("{id}: {err}"));
        }
        for rule in &template.rules {
            assert_eq!(
                resolver.rule_bus(&rule.logical_id).unwrap(),
                "ticketing-local-events"
            );
            for target in &rule.targets {
                resolver.resolve(&target.arn).unwrap();
            }
            resolver
                .resolve_json(rule.event_pattern.as_ref().unwrap())
                .unwrap();
        }
    }
}
