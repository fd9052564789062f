//! Creates the template's DynamoDB tables in the local endpoint, as `sam deploy` would in AWS.

use crate::resolver::Resolver;
use crate::template::{Billing, IndexSpec, TableSpec, Template};
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType,
    LocalSecondaryIndex, Projection, ProjectionType, ProvisionedThroughput, ScalarAttributeType,
    StreamSpecification, StreamViewType, TimeToLiveSpecification,
};
use aws_sdk_dynamodb::Client;
use std::time::{Duration, Instant};

/// Whether a table was made now or was already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provisioned {
    /// Created by this call.
    Created,
    /// Already existed; left as it was.
    Existing,
}

/// A table could not be created.
#[derive(Debug, thiserror::Error)]
#[error("table {table}: {message}")]
pub struct ProvisionError {
    /// The table's physical name.
    pub table: String,
    /// What failed, with its cause chain.
    pub message: String,
}

/// Waits until the endpoint answers DynamoDB calls, so a gateway started together with moto
/// does not fail on moto's first second.
pub async fn wait_for_dynamodb(client: &Client, timeout: Duration) -> Result<(), ProvisionError> {
    let deadline = Instant::now() + timeout;
    loop {
        match client.list_tables().limit(1).send().await {
            Ok(_) => return Ok(()),
            Err(err) if Instant::now() >= deadline => {
                return Err(ProvisionError {
                    table: "(any)".into(),
                    message: format!(
                        "DynamoDB endpoint not reachable: {}",
                        DisplayErrorContext(&err)
                    ),
                })
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
        let name = resolver
            .table_name(&table.logical_id)
            .map_err(|err| ProvisionError {
                table: table.logical_id.clone(),
                message: err.to_string(),
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
    let fail = |message: String| ProvisionError {
        table: name.to_string(),
        message,
    };

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
            return Ok(Provisioned::Existing)
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
