//! Reads the SAM template into plain types: functions, their HTTP routes and event sources,
//! tables, queues, event buses and rules, schedule groups and roles, parameters.
//!
//! Values that may hold CloudFormation intrinsics (environment variables, table names) are kept
//! raw (`serde_yaml::Value`) and turned into strings by [`crate::resolver::Resolver`].

use serde_yaml::{Mapping, Value};
use std::collections::BTreeMap;
use std::path::Path;

mod event_sources;
mod messaging;
mod scheduling;
mod secrets;

pub use event_sources::{SqsSource, StartingPosition, StreamSource};
pub use messaging::{EventBusDef, QueueDef, Redrive, RuleDef, RuleTarget};
pub use scheduling::{RoleDef, ScheduleGroupDef};
pub use secrets::{SecretDef, SecretValue};

/// SAM's default function timeout when neither the function nor `Globals` set one.
const DEFAULT_TIMEOUT_SECONDS: u64 = 3;
/// SAM's default memory size.
const DEFAULT_MEMORY_MB: u32 = 128;

/// Something in the template this gateway can't read or resolve.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// The file could not be read.
    #[error("cannot read template {path}: {source}")]
    Read {
        /// The template's path.
        path: String,
        /// The I/O failure.
        source: std::io::Error,
    },
    /// The file is not valid YAML.
    #[error("template is not valid YAML: {0}")]
    Yaml(#[from] serde_yaml::Error),
    /// The template is YAML but not shaped as expected.
    #[error("template: {0}")]
    Invalid(String),
    /// A parameter is used but has neither an override nor a default.
    #[error("parameter {0} has no value: give it in PARAMETER_OVERRIDES (e.g. \"{0}=...\") or a Default in the template")]
    MissingParameter(String),
    /// A parameter value breaks the parameter's constraints.
    #[error("parameter {name}: {problem}")]
    InvalidParameter {
        /// The parameter's name.
        name: String,
        /// What is wrong with its value.
        problem: String,
    },
    /// An override names a parameter the template does not declare.
    #[error("PARAMETER_OVERRIDES names {0}, which is not a parameter of the template")]
    UnknownParameter(String),
    /// `!Ref`/`!GetAtt`/`${...}` names something that does not exist.
    #[error("{0} is neither a parameter nor a resource of the template")]
    UnknownReference(String),
    /// An intrinsic, or a use of one, that the local gateway does not implement.
    #[error("{0} is not supported by the local gateway")]
    Unsupported(String),
}

/// The parts of template.yaml the local gateway acts on.
#[derive(Debug, Clone)]
pub struct Template {
    /// `Parameters`, by name.
    pub parameters: BTreeMap<String, Parameter>,
    /// Every `AWS::Serverless::Function`, in template order.
    pub functions: Vec<FunctionSpec>,
    /// Every `AWS::DynamoDB::Table`, in template order.
    pub tables: Vec<TableDef>,
    /// Every `AWS::SQS::Queue`, in template order.
    pub queues: Vec<QueueDef>,
    /// Every `AWS::Events::EventBus`, in template order.
    pub event_buses: Vec<EventBusDef>,
    /// Every `AWS::Events::Rule`, in template order.
    pub rules: Vec<RuleDef>,
    /// Every `AWS::Scheduler::ScheduleGroup`, in template order.
    pub schedule_groups: Vec<ScheduleGroupDef>,
    /// Every `AWS::IAM::Role`, in template order.
    pub roles: Vec<RoleDef>,
    /// Every `AWS::SecretsManager::Secret`, in template order.
    pub secrets: Vec<SecretDef>,
    /// Every resource's type and properties, for resolving references to it.
    pub resources: BTreeMap<String, Resource>,
}

/// A declared template parameter.
#[derive(Debug, Clone, Default)]
pub struct Parameter {
    /// `Type` (`String`, `Number`, ...).
    pub kind: String,
    /// `Default`, as a string.
    pub default: Option<String>,
    /// `AllowedValues`; empty means any.
    pub allowed_values: Vec<String>,
    /// `MinLength`.
    pub min_length: Option<usize>,
    /// `MaxLength`.
    pub max_length: Option<usize>,
    /// `AllowedPattern`: the whole value must match it, as in CloudFormation.
    pub allowed_pattern: Option<String>,
}

/// Any resource: its type and raw properties.
#[derive(Debug, Clone)]
pub struct Resource {
    /// `Type`, e.g. `AWS::DynamoDB::Table`.
    pub kind: String,
    /// `Properties`, raw.
    pub properties: Mapping,
}

/// A Lambda function and everything needed to run it locally.
#[derive(Debug, Clone)]
pub struct FunctionSpec {
    /// The logical id, e.g. `SignupFunction`.
    pub logical_id: String,
    /// `Metadata.BuildProperties.Binary`: the cargo binary that implements it.
    pub binary: String,
    /// `Globals.Function.Environment.Variables` overlaid with the function's own, unresolved.
    pub environment: BTreeMap<String, Value>,
    /// `Timeout` in seconds.
    pub timeout_seconds: u64,
    /// `MemorySize` in MB.
    pub memory_mb: u32,
    /// `FunctionName`, unresolved, if the template sets one.
    pub function_name: Option<Value>,
    /// Its `HttpApi` events.
    pub routes: Vec<HttpRoute>,
    /// Its `SQS` events.
    pub sqs_sources: Vec<SqsSource>,
    /// Its `DynamoDB` (stream) events.
    pub stream_sources: Vec<StreamSource>,
}

/// One `HttpApi` event: the route that invokes a function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRoute {
    /// Upper-case method, or `ANY`.
    pub method: String,
    /// The path as written, e.g. `/api/tickets/{id}`.
    pub path: String,
}

/// A DynamoDB table resource.
#[derive(Debug, Clone)]
pub struct TableDef {
    /// The logical id, e.g. `UsersTable`.
    pub logical_id: String,
    /// `TableName`, unresolved, if the template sets one.
    pub table_name: Option<Value>,
    /// How to create it.
    pub spec: TableSpec,
}

/// Everything needed to create a table, independent of its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSpec {
    /// `AttributeDefinitions`: (name, `S`/`N`/`B`).
    pub attributes: Vec<(String, String)>,
    /// `KeySchema`: (name, `HASH`/`RANGE`).
    pub key_schema: Vec<(String, String)>,
    /// `BillingMode` and throughput.
    pub billing: Billing,
    /// `GlobalSecondaryIndexes`.
    pub global_indexes: Vec<IndexSpec>,
    /// `LocalSecondaryIndexes`.
    pub local_indexes: Vec<IndexSpec>,
    /// `TimeToLiveSpecification.AttributeName`, when enabled.
    pub ttl_attribute: Option<String>,
    /// `StreamSpecification.StreamViewType`, when set.
    pub stream_view_type: Option<String>,
}

/// How a table or index is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Billing {
    /// `PAY_PER_REQUEST`.
    PayPerRequest,
    /// `PROVISIONED` with (read, write) capacity units.
    Provisioned(i64, i64),
}

/// A secondary index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexSpec {
    /// `IndexName`.
    pub name: String,
    /// (attribute, `HASH`/`RANGE`).
    pub key_schema: Vec<(String, String)>,
    /// `Projection.ProjectionType`.
    pub projection_type: String,
    /// `Projection.NonKeyAttributes`.
    pub non_key_attributes: Vec<String>,
    /// The index's own provisioned throughput, if given.
    pub throughput: Option<(i64, i64)>,
}

impl Template {
    /// Reads and parses a template file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, TemplateError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| TemplateError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text)
    }

    /// Parses template YAML.
    pub fn parse(yaml: &str) -> Result<Self, TemplateError> {
        let root: Value = serde_yaml::from_str(yaml)?;
        let globals = root
            .get("Globals")
            .and_then(|g| g.get("Function"))
            .cloned()
            .unwrap_or(Value::Null);

        let mut parameters = BTreeMap::new();
        if let Some(params) = root.get("Parameters").and_then(Value::as_mapping) {
            for (name, body) in params {
                let name = key_string(name)?;
                parameters.insert(name.clone(), parse_parameter(&name, body)?);
            }
        }

        let mut template = Template {
            parameters,
            functions: Vec::new(),
            tables: Vec::new(),
            queues: Vec::new(),
            event_buses: Vec::new(),
            rules: Vec::new(),
            schedule_groups: Vec::new(),
            roles: Vec::new(),
            secrets: Vec::new(),
            resources: BTreeMap::new(),
        };
        let resources = root
            .get("Resources")
            .and_then(Value::as_mapping)
            .ok_or_else(|| TemplateError::Invalid("no Resources section".into()))?;
        for (id, body) in resources {
            let id = key_string(id)?;
            let kind = body
                .get("Type")
                .and_then(Value::as_str)
                .ok_or_else(|| TemplateError::Invalid(format!("resource {id} has no Type")))?
                .to_string();
            let properties = body
                .get("Properties")
                .and_then(Value::as_mapping)
                .cloned()
                .unwrap_or_default();
            match kind.as_str() {
                "AWS::Serverless::Function" => {
                    template
                        .functions
                        .push(parse_function(&id, body, &properties, &globals)?)
                }
                "AWS::DynamoDB::Table" => template.tables.push(TableDef {
                    logical_id: id.clone(),
                    table_name: properties.get("TableName").cloned(),
                    spec: parse_table(&id, &properties)?,
                }),
                "AWS::SQS::Queue" => template
                    .queues
                    .push(messaging::parse_queue(&id, &properties)?),
                "AWS::Events::EventBus" => template
                    .event_buses
                    .push(messaging::parse_event_bus(&id, &properties)),
                "AWS::Events::Rule" => template
                    .rules
                    .push(messaging::parse_rule(&id, &properties)?),
                "AWS::Scheduler::ScheduleGroup" => template
                    .schedule_groups
                    .push(scheduling::parse_schedule_group(&id, &properties)),
                "AWS::IAM::Role" => template
                    .roles
                    .push(scheduling::parse_role(&id, &properties)?),
                "AWS::SecretsManager::Secret" => template
                    .secrets
                    .push(secrets::parse_secret(&id, &properties)?),
                // Nothing to create locally: moto does not enforce queue policies.
                "AWS::SQS::QueuePolicy" => {}
                _ => {}
            }
            template.resources.insert(id, Resource { kind, properties });
        }
        Ok(template)
    }

    /// The function with this logical id.
    pub fn function(&self, logical_id: &str) -> Option<&FunctionSpec> {
        self.functions.iter().find(|f| f.logical_id == logical_id)
    }

    /// The table with this logical id.
    pub fn table(&self, logical_id: &str) -> Option<&TableDef> {
        self.tables.iter().find(|t| t.logical_id == logical_id)
    }

    /// The queue with this logical id.
    pub fn queue(&self, logical_id: &str) -> Option<&QueueDef> {
        self.queues.iter().find(|q| q.logical_id == logical_id)
    }

    /// The event bus with this logical id.
    pub fn event_bus(&self, logical_id: &str) -> Option<&EventBusDef> {
        self.event_buses.iter().find(|b| b.logical_id == logical_id)
    }

    /// The rule with this logical id.
    pub fn rule(&self, logical_id: &str) -> Option<&RuleDef> {
        self.rules.iter().find(|r| r.logical_id == logical_id)
    }

    /// The schedule group with this logical id.
    pub fn schedule_group(&self, logical_id: &str) -> Option<&ScheduleGroupDef> {
        self.schedule_groups
            .iter()
            .find(|g| g.logical_id == logical_id)
    }

    /// The secret with this logical id.
    pub fn secret(&self, logical_id: &str) -> Option<&SecretDef> {
        self.secrets.iter().find(|s| s.logical_id == logical_id)
    }

    /// The IAM role with this logical id.
    pub fn role(&self, logical_id: &str) -> Option<&RoleDef> {
        self.roles.iter().find(|r| r.logical_id == logical_id)
    }
}

fn parse_parameter(name: &str, body: &Value) -> Result<Parameter, TemplateError> {
    let scalar = |key: &str| body.get(key).and_then(scalar_string);
    let number = |key: &str| -> Result<Option<usize>, TemplateError> {
        scalar(key)
            .map(|v| {
                v.parse().map_err(|_| {
                    TemplateError::Invalid(format!("parameter {name}: {key} is not a number"))
                })
            })
            .transpose()
    };
    Ok(Parameter {
        kind: scalar("Type").unwrap_or_else(|| "String".into()),
        default: scalar("Default"),
        allowed_values: body
            .get("AllowedValues")
            .and_then(Value::as_sequence)
            .map(|values| values.iter().filter_map(scalar_string).collect())
            .unwrap_or_default(),
        min_length: number("MinLength")?,
        max_length: number("MaxLength")?,
        allowed_pattern: scalar("AllowedPattern"),
    })
}

fn parse_function(
    id: &str,
    body: &Value,
    properties: &Mapping,
    globals: &Value,
) -> Result<FunctionSpec, TemplateError> {
    let binary = body
        .get("Metadata")
        .and_then(|m| m.get("BuildProperties"))
        .and_then(|b| b.get("Binary"))
        .and_then(Value::as_str)
        .ok_or_else(|| {
            TemplateError::Invalid(format!(
                "function {id} has no Metadata.BuildProperties.Binary (the cargo binary to run)"
            ))
        })?
        .to_string();

    // Function properties win over Globals, variable by variable, as in SAM.
    let mut environment = BTreeMap::new();
    for source in [globals, &Value::Mapping(properties.clone())] {
        if let Some(vars) = source
            .get("Environment")
            .and_then(|e| e.get("Variables"))
            .and_then(Value::as_mapping)
        {
            for (key, value) in vars {
                environment.insert(key_string(key)?, value.clone());
            }
        }
    }

    let integer = |key: &str| -> Result<Option<u64>, TemplateError> {
        match properties.get(key).or_else(|| globals.get(key)) {
            None => Ok(None),
            Some(value) => value.as_u64().map(Some).ok_or_else(|| {
                TemplateError::Invalid(format!(
                    "function {id}: {key} must be a plain number locally"
                ))
            }),
        }
    };
    let timeout_seconds = integer("Timeout")?.unwrap_or(DEFAULT_TIMEOUT_SECONDS);
    let memory_mb = integer("MemorySize")?.map_or(DEFAULT_MEMORY_MB, |m| m as u32);

    let mut routes = Vec::new();
    let mut sqs_sources = Vec::new();
    let mut stream_sources = Vec::new();
    if let Some(events) = properties.get("Events").and_then(Value::as_mapping) {
        for (name, event) in events {
            let name = key_string(name)?;
            // Other event types (Schedule, ...) are not delivered locally (yet).
            match event.get("Type").and_then(Value::as_str) {
                Some("HttpApi") => routes.push(parse_http_event(id, &name, event)?),
                Some("SQS") => sqs_sources.push(event_sources::parse_sqs_event(id, &name, event)?),
                Some("DynamoDB") => {
                    stream_sources.push(event_sources::parse_stream_event(id, &name, event)?)
                }
                _ => {}
            }
        }
    }

    Ok(FunctionSpec {
        logical_id: id.to_string(),
        binary,
        environment,
        timeout_seconds,
        memory_mb,
        function_name: properties.get("FunctionName").cloned(),
        routes,
        sqs_sources,
        stream_sources,
    })
}

fn parse_http_event(id: &str, name: &str, event: &Value) -> Result<HttpRoute, TemplateError> {
    let props = event.get("Properties");
    let field = |key: &str| props.and_then(|p| p.get(key)).and_then(Value::as_str);
    let (Some(method), Some(path)) = (field("Method"), field("Path")) else {
        return Err(TemplateError::Unsupported(format!(
            "HttpApi event {id}.{name} without Method and Path (the $default route)"
        )));
    };
    let method = method.to_ascii_uppercase();
    Ok(HttpRoute {
        method: if method == "*" { "ANY".into() } else { method },
        path: path.to_string(),
    })
}

fn parse_table(id: &str, props: &Mapping) -> Result<TableSpec, TemplateError> {
    let invalid = |what: &str| TemplateError::Invalid(format!("table {id}: {what}"));
    let attributes = pairs(
        props.get("AttributeDefinitions"),
        "AttributeName",
        "AttributeType",
    )
    .ok_or_else(|| invalid("AttributeDefinitions must list AttributeName/AttributeType"))?;
    let key_schema = pairs(props.get("KeySchema"), "AttributeName", "KeyType")
        .ok_or_else(|| invalid("KeySchema must list AttributeName/KeyType"))?;
    let table_throughput = throughput(props.get("ProvisionedThroughput"));
    let billing = match props.get("BillingMode").and_then(Value::as_str) {
        Some("PAY_PER_REQUEST") => Billing::PayPerRequest,
        // CloudFormation's default billing mode is PROVISIONED.
        Some("PROVISIONED") | None => {
            let (read, write) = table_throughput.unwrap_or((5, 5));
            Billing::Provisioned(read, write)
        }
        Some(other) => return Err(invalid(&format!("unknown BillingMode {other}"))),
    };
    let indexes = |key: &str| -> Result<Vec<IndexSpec>, TemplateError> {
        let Some(list) = props.get(key) else {
            return Ok(Vec::new());
        };
        let list = list
            .as_sequence()
            .ok_or_else(|| invalid(&format!("{key} must be a list")))?;
        list.iter()
            .map(|index| {
                let name = index
                    .get("IndexName")
                    .and_then(Value::as_str)
                    .ok_or_else(|| invalid(&format!("an entry of {key} has no IndexName")))?;
                let projection = index.get("Projection");
                Ok(IndexSpec {
                    name: name.to_string(),
                    key_schema: pairs(index.get("KeySchema"), "AttributeName", "KeyType")
                        .ok_or_else(|| invalid(&format!("index {name} has no valid KeySchema")))?,
                    projection_type: projection
                        .and_then(|p| p.get("ProjectionType"))
                        .and_then(Value::as_str)
                        .unwrap_or("ALL")
                        .to_string(),
                    non_key_attributes: projection
                        .and_then(|p| p.get("NonKeyAttributes"))
                        .and_then(Value::as_sequence)
                        .map(|attrs| attrs.iter().filter_map(scalar_string).collect())
                        .unwrap_or_default(),
                    throughput: throughput(index.get("ProvisionedThroughput")),
                })
            })
            .collect()
    };
    let ttl = props.get("TimeToLiveSpecification");
    let ttl_enabled = ttl
        .and_then(|t| t.get("Enabled"))
        .is_some_and(|e| e.as_bool() == Some(true) || e.as_str() == Some("true"));
    Ok(TableSpec {
        attributes,
        key_schema,
        billing,
        global_indexes: indexes("GlobalSecondaryIndexes")?,
        local_indexes: indexes("LocalSecondaryIndexes")?,
        ttl_attribute: ttl
            .filter(|_| ttl_enabled)
            .and_then(|t| t.get("AttributeName"))
            .and_then(Value::as_str)
            .map(str::to_string),
        stream_view_type: props
            .get("StreamSpecification")
            .and_then(|s| s.get("StreamViewType"))
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}

/// Reads a list of mappings into (first, second) string pairs, e.g. KeySchema.
fn pairs(list: Option<&Value>, first: &str, second: &str) -> Option<Vec<(String, String)>> {
    list?
        .as_sequence()?
        .iter()
        .map(|item| {
            Some((
                scalar_string(item.get(first)?)?,
                scalar_string(item.get(second)?)?,
            ))
        })
        .collect()
}

fn throughput(value: Option<&Value>) -> Option<(i64, i64)> {
    let value = value?;
    let units = |key: &str| value.get(key).and_then(scalar_string)?.parse().ok();
    Some((units("ReadCapacityUnits")?, units("WriteCapacityUnits")?))
}

fn key_string(key: &Value) -> Result<String, TemplateError> {
    scalar_string(key)
        .ok_or_else(|| TemplateError::Invalid(format!("expected a plain key, found {key:?}")))
}

/// A YAML scalar (string, number, bool) as a string; CloudFormation reads them all as strings.
pub(crate) fn scalar_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REAL_TEMPLATE: &str = include_str!("../../template.yaml");

    #[test]
    fn reads_the_real_template() {
        let template = Template::parse(REAL_TEMPLATE).expect("template.yaml parses");

        let signup = template.function("SignupFunction").expect("SignupFunction");
        assert_eq!(signup.binary, "signup");
        assert_eq!(signup.timeout_seconds, 10);
        // argon2id gets a whole vCPU; everything else the Globals' 256 MB
        assert_eq!(signup.memory_mb, 1769);
        assert_eq!(
            template
                .function("CreateOrderFunction")
                .expect("CreateOrderFunction")
                .memory_mb,
            256
        );
        assert_eq!(
            signup.routes,
            vec![HttpRoute {
                method: "POST".into(),
                path: "/api/users/signup".into()
            }]
        );
        // Globals merge under the function's own variables.
        assert_eq!(signup.environment["RUST_LOG"], Value::String("info".into()));
        assert!(signup.environment.contains_key("USERS_TABLE"));

        let users = template.table("UsersTable").expect("UsersTable");
        assert_eq!(
            users.spec.key_schema,
            vec![("pk".to_string(), "HASH".to_string())]
        );
        assert_eq!(users.spec.billing, Billing::PayPerRequest);
        assert!(template.parameters["SessionSigningKey"].default.is_none());

        let tickets = template.table("TicketsTable").expect("TicketsTable");
        assert_eq!(
            tickets.spec.stream_view_type.as_deref(),
            Some("NEW_AND_OLD_IMAGES")
        );
        assert_eq!(tickets.spec.global_indexes.len(), 1);
        assert!(template.event_bus("EventBus").is_some());
        let created = template
            .queue("TicketsOnOrderCreatedQueue")
            .expect("TicketsOnOrderCreatedQueue");
        assert_eq!(created.redrive.as_ref().unwrap().max_receive_count, 10);
        let rule = template
            .rule("TicketsOnOrderCreatedRule")
            .expect("TicketsOnOrderCreatedRule");
        assert_eq!(rule.targets[0].id, "tickets-on-order-created");
        let consumer = template.function("TicketsOnOrderCreatedFunction").unwrap();
        assert_eq!(consumer.sqs_sources.len(), 1);
        assert!(consumer.sqs_sources[0].report_batch_item_failures);
        let publisher = template.function("PublishTicketEventsFunction").unwrap();
        assert_eq!(publisher.stream_sources[0].maximum_retry_attempts, Some(10));
        assert_eq!(
            template.parameters["SessionTtlSeconds"].default.as_deref(),
            Some("3600")
        );
        assert!(template
            .schedule_group("OrderExpiryScheduleGroup")
            .is_some());
        assert!(template.role("SchedulerRole").is_some());
        assert_eq!(
            template.parameters["OrderTtlSeconds"].default.as_deref(),
            Some("900")
        );
    }

    #[test]
    fn reads_indexes_ttl_streams_and_function_overrides() {
        let template = Template::parse(
            r#"
Globals:
  Function:
    Timeout: 10
    Environment:
      Variables:
        A: global
        B: global
Resources:
  OrdersTable:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions:
        - { AttributeName: pk, AttributeType: S }
        - { AttributeName: userId, AttributeType: S }
        - { AttributeName: createdAt, AttributeType: N }
      KeySchema:
        - { AttributeName: pk, KeyType: HASH }
      ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 3 }
      GlobalSecondaryIndexes:
        - IndexName: byUser
          KeySchema:
            - { AttributeName: userId, KeyType: HASH }
            - { AttributeName: createdAt, KeyType: RANGE }
          Projection:
            ProjectionType: INCLUDE
            NonKeyAttributes: [status]
      TimeToLiveSpecification: { AttributeName: expiresAt, Enabled: true }
      StreamSpecification: { StreamViewType: NEW_IMAGE }
  ShowOrderFunction:
    Type: AWS::Serverless::Function
    Metadata: { BuildProperties: { Binary: show-order } }
    Properties:
      Timeout: 2
      MemorySize: 512
      Environment:
        Variables:
          B: own
      Events:
        Show: { Type: HttpApi, Properties: { Method: get, Path: "/api/orders/{id}" } }
        Queue: { Type: SQS, Properties: { Queue: !GetAtt Q.Arn } }
"#,
        )
        .unwrap();

        let orders = &template.table("OrdersTable").unwrap().spec;
        assert_eq!(orders.billing, Billing::Provisioned(2, 3));
        assert_eq!(orders.ttl_attribute.as_deref(), Some("expiresAt"));
        assert_eq!(orders.stream_view_type.as_deref(), Some("NEW_IMAGE"));
        let index = &orders.global_indexes[0];
        assert_eq!(index.name, "byUser");
        assert_eq!(
            index.key_schema[1],
            ("createdAt".to_string(), "RANGE".to_string())
        );
        assert_eq!(index.projection_type, "INCLUDE");
        assert_eq!(index.non_key_attributes, vec!["status".to_string()]);

        let show = template.function("ShowOrderFunction").unwrap();
        assert_eq!(show.timeout_seconds, 2);
        assert_eq!(show.memory_mb, 512);
        assert_eq!(show.environment["A"], Value::String("global".into()));
        assert_eq!(show.environment["B"], Value::String("own".into()));
        assert_eq!(
            show.routes,
            vec![HttpRoute {
                method: "GET".into(),
                path: "/api/orders/{id}".into()
            }]
        );
    }

    #[test]
    fn defaults_timeout_like_sam_and_requires_the_binary() {
        let template = Template::parse(
            "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Metadata: {BuildProperties: {Binary: f}}\n",
        )
        .unwrap();
        assert_eq!(template.function("F").unwrap().timeout_seconds, 3);

        let err =
            Template::parse("Resources:\n  F:\n    Type: AWS::Serverless::Function\n").unwrap_err();
        assert!(
            err.to_string()
                .contains("F has no Metadata.BuildProperties.Binary"),
            "{err}"
        );
    }
}
