//! Creates the template's resources in the local endpoint, as `sam deploy` would in AWS: tables
//! (with their streams) here, queues in [`queues`], event buses and rules in [`event_bus`],
//! schedule groups in [`schedule_groups`], secrets in [`secrets`]. IAM roles need nothing: moto does not check
//! permissions.

use crate::resolver::Resolver;
use crate::template::{Billing, IndexSpec, TableSpec, Template};
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType,
    LocalSecondaryIndex, Projection, ProjectionType, ProvisionedThroughput, ScalarAttributeType,
    StreamSpecification, StreamViewType, TimeToLiveSpecification,
};
use aws_sdk_dynamodb::Client;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

mod event_bus;
mod queues;
mod schedule_groups;
mod secrets;

pub use event_bus::{provision_event_buses, provision_rules, ProvisionedRule};
pub use queues::{provision_queues, queue_order};
pub use schedule_groups::provision_schedule_groups;
pub use secrets::provision_secrets;

/// Whether a table was made now or was already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provisioned {
    /// Created by this call.
    Created,
    /// Already existed; left as it was.
    Existing,
}

/// A resource could not be created.
#[derive(Debug, thiserror::Error)]
#[error("{resource}: {message}")]
pub struct ProvisionError {
    /// What it is and its name, e.g. `table stack-UsersTable`.
    pub resource: String,
    /// What failed, with its cause chain.
    pub message: String,
}

impl ProvisionError {
    /// A failure of `resource` (kind and name).
    pub fn new(resource: impl Into<String>, message: impl Into<String>) -> Self {
        ProvisionError {
            resource: resource.into(),
            message: message.into(),
        }
    }
}

/// Waits until the endpoint answers DynamoDB calls, so a gateway started together with moto
/// does not fail on moto's first second.
pub async fn wait_for_dynamodb(client: &Client, timeout: Duration) -> Result<(), ProvisionError> {
    let deadline = Instant::now() + timeout;
    loop {
        match client.list_tables().limit(1).send().await {
            Ok(_) => return Ok(()),
            Err(err) if Instant::now() >= deadline => {
                return Err(ProvisionError::new(
                    "endpoint",
                    format!(
                        "DynamoDB endpoint not reachable: {}",
                        DisplayErrorContext(&err)
                    ),
                ))
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// Creates every table of the template under its resolved name; existing tables are kept.
pub async fn provision_tables(
    client: &Client,
    template: &Template,
    resolver: &Resolver<'_>,
) -> Result<Vec<(String, Provisioned)>, ProvisionError> {
    let mut done = Vec::new();
    for table in &template.tables {
        let name = resolver.table_name(&table.logical_id).map_err(|err| {
            ProvisionError::new(format!("table {}", table.logical_id), err.to_string())
        })?;
        let outcome = create_table(client, &table.spec, &name).await?;
        done.push((name, outcome));
    }
    Ok(done)
}

/// Creates one table shaped by `spec` and named `name` (tests use this for fresh copies).
pub async fn create_table(
    client: &Client,
    spec: &TableSpec,
    name: &str,
) -> Result<Provisioned, ProvisionError> {
    let fail = |message: String| ProvisionError::new(format!("table {name}"), message);

    let attributes = spec
        .attributes
        .iter()
        .map(|(attribute, kind)| {
            AttributeDefinition::builder()
                .attribute_name(attribute)
                .attribute_type(ScalarAttributeType::from(kind.as_str()))
                .build()
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| fail(e.to_string()))?;
    let global_indexes = spec
        .global_indexes
        .iter()
        .map(|index| {
            let mut builder = GlobalSecondaryIndex::builder()
                .index_name(&index.name)
                .set_key_schema(Some(key_schema(&index.key_schema)?))
                .projection(projection(index));
            if let (Billing::Provisioned(read, write), throughput) =
                (spec.billing, index.throughput)
            {
                let (read, write) = throughput.unwrap_or((read, write));
                builder = builder.provisioned_throughput(throughput_of(read, write)?);
            }
            builder.build()
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| fail(e.to_string()))?;
    let local_indexes = spec
        .local_indexes
        .iter()
        .map(|index| {
            LocalSecondaryIndex::builder()
                .index_name(&index.name)
                .set_key_schema(Some(key_schema(&index.key_schema)?))
                .projection(projection(index))
                .build()
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| fail(e.to_string()))?;

    let mut request = client
        .create_table()
        .table_name(name)
        .set_attribute_definitions(Some(attributes))
        .set_key_schema(Some(
            key_schema(&spec.key_schema).map_err(|e| fail(e.to_string()))?,
        ));
    if !global_indexes.is_empty() {
        request = request.set_global_secondary_indexes(Some(global_indexes));
    }
    if !local_indexes.is_empty() {
        request = request.set_local_secondary_indexes(Some(local_indexes));
    }
    request = match spec.billing {
        Billing::PayPerRequest => request.billing_mode(BillingMode::PayPerRequest),
        Billing::Provisioned(read, write) => request
            .billing_mode(BillingMode::Provisioned)
            .provisioned_throughput(throughput_of(read, write).map_err(|e| fail(e.to_string()))?),
    };
    if let Some(view) = &spec.stream_view_type {
        request = request.stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::from(view.as_str()))
                .build()
                .map_err(|e| fail(e.to_string()))?,
        );
    }

    match request.send().await {
        Ok(_) => {}
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_resource_in_use_exception()) =>
        {
            enable_stream(client, spec, name).await?;
            return Ok(Provisioned::Existing);
        }
        Err(err) => return Err(fail(DisplayErrorContext(&err).to_string())),
    }

    // TTL is not part of CreateTable; CloudFormation applies it as a second call too.
    if let Some(attribute) = &spec.ttl_attribute {
        let ttl = TimeToLiveSpecification::builder()
            .enabled(true)
            .attribute_name(attribute)
            .build()
            .map_err(|e| fail(e.to_string()))?;
        client
            .update_time_to_live()
            .table_name(name)
            .time_to_live_specification(ttl)
            .send()
            .await
            .map_err(|err| fail(format!("enabling TTL: {}", DisplayErrorContext(&err))))?;
    }
    Ok(Provisioned::Created)
}

/// Turns the stream on for an existing table made before the template asked for one.
async fn enable_stream(
    client: &Client,
    spec: &TableSpec,
    name: &str,
) -> Result<(), ProvisionError> {
    let Some(view) = &spec.stream_view_type else {
        return Ok(());
    };
    let fail = |message: String| ProvisionError::new(format!("table {name}"), message);
    let table = client
        .describe_table()
        .table_name(name)
        .send()
        .await
        .map_err(|err| fail(DisplayErrorContext(&err).to_string()))?;
    if table
        .table()
        .and_then(|t| t.stream_specification())
        .is_some_and(|s| s.stream_enabled())
    {
        return Ok(());
    }
    let stream = StreamSpecification::builder()
        .stream_enabled(true)
        .stream_view_type(StreamViewType::from(view.as_str()))
        .build()
        .map_err(|e| fail(e.to_string()))?;
    client
        .update_table()
        .table_name(name)
        .stream_specification(stream)
        .send()
        .await
        .map_err(|err| {
            fail(format!(
                "enabling its stream: {}",
                DisplayErrorContext(&err)
            ))
        })?;
    Ok(())
}

/// The stream ARN of every template table that has a stream (logical id → ARN), for
/// [`Resolver::with_stream_arns`].
pub async fn stream_arns(
    client: &Client,
    template: &Template,
    resolver: &Resolver<'_>,
) -> Result<BTreeMap<String, String>, ProvisionError> {
    let mut arns = BTreeMap::new();
    for table in template
        .tables
        .iter()
        .filter(|t| t.spec.stream_view_type.is_some())
    {
        let name = resolver.table_name(&table.logical_id).map_err(|err| {
            ProvisionError::new(format!("table {}", table.logical_id), err.to_string())
        })?;
        let fail = |message: String| ProvisionError::new(format!("table {name}"), message);
        let described = client
            .describe_table()
            .table_name(&name)
            .send()
            .await
            .map_err(|err| fail(DisplayErrorContext(&err).to_string()))?;
        let arn = described
            .table()
            .and_then(|t| t.latest_stream_arn())
            .ok_or_else(|| fail("has no stream although the template enables one".into()))?;
        arns.insert(table.logical_id.clone(), arn.to_string());
    }
    Ok(arns)
}

fn key_schema(
    keys: &[(String, String)],
) -> Result<Vec<KeySchemaElement>, aws_sdk_dynamodb::error::BuildError> {
    keys.iter()
        .map(|(attribute, kind)| {
            KeySchemaElement::builder()
                .attribute_name(attribute)
                .key_type(KeyType::from(kind.as_str()))
                .build()
        })
        .collect()
}

fn projection(index: &IndexSpec) -> Projection {
    let non_key = (!index.non_key_attributes.is_empty()).then(|| index.non_key_attributes.clone());
    Projection::builder()
        .projection_type(ProjectionType::from(index.projection_type.as_str()))
        .set_non_key_attributes(non_key)
        .build()
}

fn throughput_of(
    read: i64,
    write: i64,
) -> Result<ProvisionedThroughput, aws_sdk_dynamodb::error::BuildError> {
    ProvisionedThroughput::builder()
        .read_capacity_units(read)
        .write_capacity_units(write)
        .build()
}
