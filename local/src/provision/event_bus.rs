//! Creates the template's EventBridge buses and rules (with their targets).
//!
//! moto itself delivers a `PutEvents` entry that matches a rule to the rule's SQS targets, with
//! the event envelope as the message body, so nothing else is needed for rule → queue.

use super::{ProvisionError, Provisioned};
use crate::resolver::Resolver;
use crate::template::{RuleDef, Template};
use aws_sdk_eventbridge::error::DisplayErrorContext;
use aws_sdk_eventbridge::types::{RuleState, SqsParameters, Target};
use aws_sdk_eventbridge::Client;
use serde_yaml::Value;

/// A rule as created: where it listens and where it sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvisionedRule {
    /// The rule's name.
    pub name: String,
    /// The bus it is on.
    pub bus: String,
    /// Its targets' ARNs.
    pub targets: Vec<String>,
}

/// Creates every event bus of the template; existing ones are kept.
pub async fn provision_event_buses(
    client: &Client,
    template: &Template,
    resolver: &Resolver<'_>,
) -> Result<Vec<(String, Provisioned)>, ProvisionError> {
    let mut done = Vec::new();
    for bus in &template.event_buses {
        let name = resolver.event_bus_name(&bus.logical_id).map_err(|err| {
            ProvisionError::new(format!("event bus {}", bus.logical_id), err.to_string())
        })?;
        let outcome = match client.create_event_bus().name(&name).send().await {
            Ok(_) => Provisioned::Created,
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_resource_already_exists_exception()) =>
            {
                Provisioned::Existing
            }
            Err(err) => {
                return Err(ProvisionError::new(
                    format!("event bus {name}"),
                    DisplayErrorContext(&err).to_string(),
                ))
            }
        };
        done.push((name, outcome));
    }
    Ok(done)
}

/// Creates (or updates: `PutRule` and `PutTargets` overwrite) every rule of the template.
pub async fn provision_rules(
    client: &Client,
    template: &Template,
    resolver: &Resolver<'_>,
) -> Result<Vec<ProvisionedRule>, ProvisionError> {
    let mut done = Vec::new();
    for rule in &template.rules {
        done.push(put_rule(client, rule, resolver).await?);
    }
    Ok(done)
}

async fn put_rule(
    client: &Client,
    rule: &RuleDef,
    resolver: &Resolver<'_>,
) -> Result<ProvisionedRule, ProvisionError> {
    let template_error = |err: crate::template::TemplateError| {
        ProvisionError::new(format!("rule {}", rule.logical_id), err.to_string())
    };
    let name = resolver
        .rule_name(&rule.logical_id)
        .map_err(template_error)?;
    let bus = resolver
        .rule_bus(&rule.logical_id)
        .map_err(template_error)?;
    let fail = |message: String| ProvisionError::new(format!("rule {name}"), message);
    let pattern = match &rule.event_pattern {
        None => None,
        // CloudFormation takes the pattern as an object or as JSON text.
        Some(Value::String(text)) => Some(text.clone()),
        Some(pattern) => Some(
            resolver
                .resolve_json(pattern)
                .map_err(template_error)?
                .to_string(),
        ),
    };
    client
        .put_rule()
        .name(&name)
        .event_bus_name(&bus)
        .set_event_pattern(pattern)
        .set_schedule_expression(rule.schedule_expression.clone())
        .state(RuleState::from(rule.state.as_str()))
        .send()
        .await
        .map_err(|err| fail(DisplayErrorContext(&err).to_string()))?;

    let mut targets = Vec::new();
    for target in &rule.targets {
        let arn = resolver.resolve(&target.arn).map_err(template_error)?;
        let input = target
            .input
            .as_ref()
            .map(|input| resolver.resolve(input))
            .transpose()
            .map_err(template_error)?;
        let sqs_parameters = target
            .message_group_id
            .as_ref()
            .map(|group| SqsParameters::builder().message_group_id(group).build());
        targets.push(
            Target::builder()
                .id(&target.id)
                .arn(arn)
                .set_input(input)
                .set_input_path(target.input_path.clone())
                .set_sqs_parameters(sqs_parameters)
                .build()
                .map_err(|err| fail(err.to_string()))?,
        );
    }
    let target_arns = targets.iter().map(|t| t.arn().to_string()).collect();
    if !targets.is_empty() {
        let put = client
            .put_targets()
            .rule(&name)
            .event_bus_name(&bus)
            .set_targets(Some(targets))
            .send()
            .await
            .map_err(|err| fail(format!("adding targets: {}", DisplayErrorContext(&err))))?;
        if put.failed_entry_count() > 0 {
            return Err(fail(format!("targets refused: {:?}", put.failed_entries())));
        }
    }
    Ok(ProvisionedRule {
        name,
        bus,
        targets: target_arns,
    })
}
