//! The template's queues, event buses and rules, as plain types.
//!
//! `AWS::SQS::QueuePolicy` is not read at all: moto does not enforce queue policies, so locally
//! EventBridge may always deliver to a queue, as the policy allows in AWS.

use super::{scalar_string, TemplateError};
use serde_yaml::{Mapping, Value};
use std::collections::BTreeMap;

/// Queue properties that are SQS attributes of the same name with a scalar value.
const SCALAR_QUEUE_ATTRIBUTES: &[&str] = &[
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
];

/// An `AWS::SQS::Queue`.
#[derive(Debug, Clone)]
pub struct QueueDef {
    /// The logical id, e.g. `TicketsOnOrderCreatedQueue`.
    pub logical_id: String,
    /// `QueueName`, unresolved, if the template sets one.
    pub queue_name: Option<Value>,
    /// `FifoQueue: true`: its generated name ends in `.fifo`, as CloudFormation's does.
    pub fifo: bool,
    /// The scalar SQS attributes it sets (`VisibilityTimeout`, ...), unresolved.
    pub attributes: BTreeMap<String, Value>,
    /// `RedrivePolicy`.
    pub redrive: Option<Redrive>,
}

/// A queue's `RedrivePolicy`: where messages go after too many receives.
#[derive(Debug, Clone)]
pub struct Redrive {
    /// `deadLetterTargetArn`, unresolved (usually `!GetAtt SomeDLQ.Arn`).
    pub dead_letter_target_arn: Value,
    /// `maxReceiveCount`.
    pub max_receive_count: u32,
}

/// An `AWS::Events::EventBus`.
#[derive(Debug, Clone)]
pub struct EventBusDef {
    /// The logical id.
    pub logical_id: String,
    /// `Name`, unresolved.
    pub name: Option<Value>,
}

/// An `AWS::Events::Rule`.
#[derive(Debug, Clone)]
pub struct RuleDef {
    /// The logical id.
    pub logical_id: String,
    /// `Name`, unresolved, if the template sets one.
    pub name: Option<Value>,
    /// `EventBusName` (a name or an ARN), unresolved; `None` is the default bus.
    pub event_bus: Option<Value>,
    /// `EventPattern`, unresolved: a mapping, or JSON text.
    pub event_pattern: Option<Value>,
    /// `ScheduleExpression`, if any (moto stores it but never fires it).
    pub schedule_expression: Option<String>,
    /// `State`; CloudFormation's default is `ENABLED`.
    pub state: String,
    /// `Targets`.
    pub targets: Vec<RuleTarget>,
}

/// One entry of a rule's `Targets`.
#[derive(Debug, Clone)]
pub struct RuleTarget {
    /// `Id`.
    pub id: String,
    /// `Arn`, unresolved.
    pub arn: Value,
    /// `Input` (constant JSON text sent instead of the event), unresolved.
    pub input: Option<Value>,
    /// `InputPath` (the part of the event to send).
    pub input_path: Option<String>,
    /// `SqsParameters.MessageGroupId`, for FIFO queue targets.
    pub message_group_id: Option<String>,
}

pub(super) fn parse_queue(id: &str, props: &Mapping) -> Result<QueueDef, TemplateError> {
    let invalid = |what: &str| TemplateError::Invalid(format!("queue {id}: {what}"));
    let attributes: BTreeMap<String, Value> = SCALAR_QUEUE_ATTRIBUTES
        .iter()
        .filter_map(|name| props.get(*name).map(|v| (name.to_string(), v.clone())))
        .collect();
    let fifo = attributes
        .get("FifoQueue")
        .and_then(scalar_string)
        .is_some_and(|v| v == "true");
    let redrive = match props.get("RedrivePolicy") {
        None => None,
        Some(policy) => {
            let target = policy
                .get("deadLetterTargetArn")
                .ok_or_else(|| invalid("RedrivePolicy has no deadLetterTargetArn"))?;
            let count = policy
                .get("maxReceiveCount")
                .and_then(scalar_string)
                .and_then(|c| c.parse().ok())
                .ok_or_else(|| invalid("RedrivePolicy.maxReceiveCount must be a number"))?;
            Some(Redrive {
                dead_letter_target_arn: target.clone(),
                max_receive_count: count,
            })
        }
    };
    Ok(QueueDef {
        logical_id: id.to_string(),
        queue_name: props.get("QueueName").cloned(),
        fifo,
        attributes,
        redrive,
    })
}

pub(super) fn parse_event_bus(id: &str, props: &Mapping) -> EventBusDef {
    EventBusDef {
        logical_id: id.to_string(),
        name: props.get("Name").cloned(),
    }
}

pub(super) fn parse_rule(id: &str, props: &Mapping) -> Result<RuleDef, TemplateError> {
    let invalid = |what: &str| TemplateError::Invalid(format!("rule {id}: {what}"));
    let targets = match props.get("Targets") {
        None => Vec::new(),
        Some(list) => list
            .as_sequence()
            .ok_or_else(|| invalid("Targets must be a list"))?
            .iter()
            .map(|target| {
                let target_id = target
                    .get("Id")
                    .and_then(scalar_string)
                    .ok_or_else(|| invalid("a target has no Id"))?;
                let arn = target
                    .get("Arn")
                    .cloned()
                    .ok_or_else(|| invalid(&format!("target {target_id} has no Arn")))?;
                if target.get("InputTransformer").is_some() {
                    return Err(TemplateError::Unsupported(format!(
                        "rule {id}: target {target_id}: InputTransformer"
                    )));
                }
                Ok(RuleTarget {
                    arn,
                    input: target.get("Input").cloned(),
                    input_path: target.get("InputPath").and_then(scalar_string),
                    message_group_id: target
                        .get("SqsParameters")
                        .and_then(|p| p.get("MessageGroupId"))
                        .and_then(scalar_string),
                    id: target_id,
                })
            })
            .collect::<Result<_, _>>()?,
    };
    if props.get("EventPattern").is_none() && props.get("ScheduleExpression").is_none() {
        return Err(invalid("needs an EventPattern or a ScheduleExpression"));
    }
    Ok(RuleDef {
        logical_id: id.to_string(),
        name: props.get("Name").cloned(),
        event_bus: props.get("EventBusName").cloned(),
        event_pattern: props.get("EventPattern").cloned(),
        schedule_expression: props.get("ScheduleExpression").and_then(scalar_string),
        state: props
            .get("State")
            .and_then(scalar_string)
            .unwrap_or_else(|| "ENABLED".into()),
        targets,
    })
}

#[cfg(test)]
mod tests {
    use crate::template::Template;
    use serde_yaml::Value;

    const YAML: &str = r#"
Resources:
  Bus:
    Type: AWS::Events::EventBus
    Properties: { Name: !Sub "${AWS::StackName}-events" }
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 60
      MessageRetentionPeriod: "1209600"
      RedrivePolicy: { deadLetterTargetArn: !GetAtt DLQ.Arn, maxReceiveCount: 5 }
  DLQ:
    Type: AWS::SQS::Queue
  Ordered:
    Type: AWS::SQS::Queue
    Properties: { FifoQueue: true }
  Rule:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: !Ref Bus
      EventPattern: { source: [ticketing.orders], detail-type: [OrderCreated] }
      Targets:
        - { Id: to-queue, Arn: !GetAtt Queue.Arn }
        - Id: to-ordered
          Arn: !GetAtt Ordered.Arn
          InputPath: $.detail
          SqsParameters: { MessageGroupId: orders }
  Nightly:
    Type: AWS::Events::Rule
    Properties: { ScheduleExpression: rate(1 day), State: DISABLED }
"#;

    #[test]
    fn reads_queues_with_attributes_and_redrive() {
        let template = Template::parse(YAML).unwrap();
        let queue = template.queue("Queue").unwrap();
        assert_eq!(queue.attributes["VisibilityTimeout"], Value::from(60));
        assert_eq!(
            queue.attributes["MessageRetentionPeriod"],
            Value::from("1209600")
        );
        let redrive = queue.redrive.as_ref().unwrap();
        assert_eq!(redrive.max_receive_count, 5);
        assert!(matches!(redrive.dead_letter_target_arn, Value::Tagged(_)));
        assert!(!queue.fifo);
        assert!(template.queue("Ordered").unwrap().fifo);
        assert!(template.queue("DLQ").unwrap().attributes.is_empty());
    }

    #[test]
    fn reads_buses_and_rules_with_targets() {
        let template = Template::parse(YAML).unwrap();
        assert_eq!(template.event_buses[0].logical_id, "Bus");
        let rule = template.rule("Rule").unwrap();
        assert_eq!(rule.state, "ENABLED");
        assert!(rule.event_pattern.as_ref().unwrap().get("source").is_some());
        assert_eq!(rule.targets.len(), 2);
        assert_eq!(rule.targets[0].id, "to-queue");
        assert_eq!(rule.targets[1].input_path.as_deref(), Some("$.detail"));
        assert_eq!(rule.targets[1].message_group_id.as_deref(), Some("orders"));

        let nightly = template.rule("Nightly").unwrap();
        assert_eq!(nightly.schedule_expression.as_deref(), Some("rate(1 day)"));
        assert_eq!(nightly.state, "DISABLED");
        assert!(nightly.event_bus.is_none() && nightly.targets.is_empty());
    }

    #[test]
    fn malformed_redrive_and_rules_are_errors() {
        let bad_redrive = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: { RedrivePolicy: { maxReceiveCount: 2 } }\n";
        let err = Template::parse(bad_redrive).unwrap_err();
        assert!(err.to_string().contains("deadLetterTargetArn"), "{err}");
        let empty_rule =
            "Resources:\n  R:\n    Type: AWS::Events::Rule\n    Properties: { Targets: [] }\n";
        let err = Template::parse(empty_rule).unwrap_err();
        assert!(err.to_string().contains("EventPattern"), "{err}");
    }
}
