//! Names, URLs and ARNs of queues, event buses, rules and table streams.

use super::{Resolver, ACCOUNT_ID};
use crate::template::TemplateError;

/// The bus a rule without `EventBusName` is on.
pub const DEFAULT_EVENT_BUS: &str = "default";

impl Resolver<'_> {
    /// The physical name of a queue: its `QueueName`, else `{stack}-{LogicalId}` (plus `.fifo`
    /// for a FIFO queue, which SQS requires).
    pub fn queue_name(&self, logical_id: &str) -> Result<String, TemplateError> {
        let queue = self
            .template
            .queue(logical_id)
            .ok_or_else(|| TemplateError::UnknownReference(logical_id.to_string()))?;
        match &queue.queue_name {
            Some(name) => self.resolve(name),
            None if queue.fifo => Ok(format!("{}.fifo", self.physical_name(logical_id))),
            None => Ok(self.physical_name(logical_id)),
        }
    }

    /// `!Ref Queue`: the queue's URL, on the local endpoint when one is set.
    pub fn queue_url(&self, logical_id: &str) -> Result<String, TemplateError> {
        let name = self.queue_name(logical_id)?;
        Ok(match &self.endpoint {
            Some(endpoint) => format!("{endpoint}/{ACCOUNT_ID}/{name}"),
            None => format!(
                "https://sqs.{}.amazonaws.com/{ACCOUNT_ID}/{name}",
                self.region
            ),
        })
    }

    /// `!GetAtt Queue.Arn`.
    pub fn queue_arn(&self, logical_id: &str) -> Result<String, TemplateError> {
        Ok(self.arn("sqs", &self.queue_name(logical_id)?))
    }

    /// `!Ref EventBus`: the bus's `Name`, else `{stack}-{LogicalId}`.
    pub fn event_bus_name(&self, logical_id: &str) -> Result<String, TemplateError> {
        let bus = self
            .template
            .event_bus(logical_id)
            .ok_or_else(|| TemplateError::UnknownReference(logical_id.to_string()))?;
        match &bus.name {
            Some(name) => self.resolve(name),
            None => Ok(self.physical_name(logical_id)),
        }
    }

    /// `!GetAtt EventBus.Arn`.
    pub fn event_bus_arn(&self, logical_id: &str) -> Result<String, TemplateError> {
        Ok(self.arn(
            "events",
            &format!("event-bus/{}", self.event_bus_name(logical_id)?),
        ))
    }

    /// A rule's name: its `Name`, else `{stack}-{LogicalId}`.
    pub fn rule_name(&self, logical_id: &str) -> Result<String, TemplateError> {
        match &self.rule(logical_id)?.name {
            Some(name) => self.resolve(name),
            None => Ok(self.physical_name(logical_id)),
        }
    }

    /// The name of the bus a rule is on; `EventBusName` may be given as a name or an ARN.
    pub fn rule_bus(&self, logical_id: &str) -> Result<String, TemplateError> {
        match &self.rule(logical_id)?.event_bus {
            None => Ok(DEFAULT_EVENT_BUS.to_string()),
            Some(bus) => {
                let bus = self.resolve(bus)?;
                Ok(match bus.rsplit_once(":event-bus/") {
                    Some((_, name)) if bus.starts_with("arn:") => name.to_string(),
                    _ => bus,
                })
            }
        }
    }

    /// `!GetAtt Rule.Arn`: `rule/{name}` on the default bus, `rule/{bus}/{name}` on others.
    pub fn rule_arn(&self, logical_id: &str) -> Result<String, TemplateError> {
        let (bus, name) = (self.rule_bus(logical_id)?, self.rule_name(logical_id)?);
        Ok(if bus == DEFAULT_EVENT_BUS {
            self.arn("events", &format!("rule/{name}"))
        } else {
            self.arn("events", &format!("rule/{bus}/{name}"))
        })
    }

    /// `!Ref Rule`: the name, as `{bus}|{name}` on a custom bus (as CloudFormation returns it).
    pub(super) fn rule_ref(&self, logical_id: &str) -> Result<String, TemplateError> {
        let (bus, name) = (self.rule_bus(logical_id)?, self.rule_name(logical_id)?);
        Ok(if bus == DEFAULT_EVENT_BUS {
            name
        } else {
            format!("{bus}|{name}")
        })
    }

    /// `!GetAtt Table.StreamArn`: the stream moto created with the table.
    pub fn stream_arn(&self, logical_id: &str) -> Result<String, TemplateError> {
        let table = self
            .template
            .table(logical_id)
            .ok_or_else(|| TemplateError::UnknownReference(logical_id.to_string()))?;
        if table.spec.stream_view_type.is_none() {
            return Err(TemplateError::Invalid(format!(
                "!GetAtt {logical_id}.StreamArn: the table has no StreamSpecification"
            )));
        }
        self.stream_arns.get(logical_id).cloned().ok_or_else(|| {
            TemplateError::Invalid(format!(
                "!GetAtt {logical_id}.StreamArn is only known once the table exists"
            ))
        })
    }

    fn rule(&self, logical_id: &str) -> Result<&crate::template::RuleDef, TemplateError> {
        self.template
            .rule(logical_id)
            .ok_or_else(|| TemplateError::UnknownReference(logical_id.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use crate::resolver::Resolver;
    use crate::template::Template;
    use serde_json::json;
    use std::collections::BTreeMap;

    const YAML: &str = r#"
Resources:
  Bus:
    Type: AWS::Events::EventBus
    Properties: { Name: !Sub "${AWS::StackName}-events" }
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy: { deadLetterTargetArn: !GetAtt DLQ.Arn, maxReceiveCount: 5 }
  DLQ:
    Type: AWS::SQS::Queue
    Properties: { QueueName: named-dlq }
  Ordered:
    Type: AWS::SQS::Queue
    Properties: { FifoQueue: true }
  Rule:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: !Ref Bus
      EventPattern: { source: [!Ref "AWS::StackName"], detail: { n: [{ numeric: [">", 1] }] } }
      Targets: [{ Id: q, Arn: !GetAtt Queue.Arn }]
  ByArn:
    Type: AWS::Events::Rule
    Properties:
      Name: by-arn
      EventBusName: !GetAtt Bus.Arn
      EventPattern: { source: [x] }
  OnDefault:
    Type: AWS::Events::Rule
    Properties: { ScheduleExpression: rate(1 day) }
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{ AttributeName: pk, AttributeType: S }]
      KeySchema: [{ AttributeName: pk, KeyType: HASH }]
      StreamSpecification: { StreamViewType: NEW_IMAGE }
  Fn:
    Type: AWS::Serverless::Function
    Metadata: { BuildProperties: { Binary: f } }
    Properties:
      Environment:
        Variables:
          QUEUE_URL: !Ref Queue
          QUEUE_ARN: !GetAtt Queue.Arn
          QUEUE_NAME: !GetAtt Queue.QueueName
          DLQ_URL: !GetAtt DLQ.QueueUrl
          ORDERED: !GetAtt Ordered.QueueName
          BUS: !Ref Bus
          BUS_ARN: !GetAtt Bus.Arn
          RULE: !Ref Rule
          RULE_ARN: !GetAtt Rule.Arn
          BY_ARN: !GetAtt ByArn.Arn
          DEFAULT_RULE: !GetAtt OnDefault.Arn
          TABLE_ARN: !GetAtt Table.Arn
"#;

    fn resolver(template: &Template) -> Resolver<'_> {
        Resolver::new(template, "stack", "eu-west-1", BTreeMap::new()).unwrap()
    }

    #[test]
    fn resolves_queues_buses_and_rules() {
        let template = Template::parse(YAML).unwrap();
        let resolver = resolver(&template).with_endpoint("http://127.0.0.1:5000/");
        let env = resolver
            .function_environment(template.function("Fn").unwrap())
            .unwrap();
        let arn = |rest: &str| format!("arn:aws:{rest}");
        assert_eq!(
            env["QUEUE_URL"],
            "http://127.0.0.1:5000/123456789012/stack-Queue"
        );
        assert_eq!(
            env["QUEUE_ARN"],
            arn("sqs:eu-west-1:123456789012:stack-Queue")
        );
        assert_eq!(env["QUEUE_NAME"], "stack-Queue");
        assert_eq!(
            env["DLQ_URL"],
            "http://127.0.0.1:5000/123456789012/named-dlq"
        );
        assert_eq!(env["ORDERED"], "stack-Ordered.fifo");
        assert_eq!(env["BUS"], "stack-events");
        assert_eq!(
            env["BUS_ARN"],
            arn("events:eu-west-1:123456789012:event-bus/stack-events")
        );
        assert_eq!(env["RULE"], "stack-events|stack-Rule");
        assert_eq!(
            env["RULE_ARN"],
            arn("events:eu-west-1:123456789012:rule/stack-events/stack-Rule")
        );
        assert_eq!(
            env["BY_ARN"],
            arn("events:eu-west-1:123456789012:rule/stack-events/by-arn")
        );
        assert_eq!(
            env["DEFAULT_RULE"],
            arn("events:eu-west-1:123456789012:rule/stack-OnDefault")
        );
        assert_eq!(
            env["TABLE_ARN"],
            arn("dynamodb:eu-west-1:123456789012:table/stack-Table")
        );
    }

    #[test]
    fn queue_urls_default_to_aws_without_a_local_endpoint() {
        let template = Template::parse(YAML).unwrap();
        assert_eq!(
            resolver(&template).queue_url("Queue").unwrap(),
            "https://sqs.eu-west-1.amazonaws.com/123456789012/stack-Queue"
        );
    }

    #[test]
    fn stream_arns_resolve_once_the_table_exists() {
        let template = Template::parse(YAML).unwrap();
        let value = serde_yaml::from_str("!GetAtt Table.StreamArn").unwrap();
        let before = resolver(&template).resolve(&value).unwrap_err();
        assert!(
            before.to_string().contains("once the table exists"),
            "{before}"
        );

        let stream = "arn:aws:dynamodb:eu-west-1:123456789012:table/stack-Table/stream/2026-01-01T00:00:00.000";
        let resolver =
            resolver(&template).with_stream_arns(BTreeMap::from([("Table".into(), stream.into())]));
        assert_eq!(resolver.resolve(&value).unwrap(), stream);
    }

    #[test]
    fn patterns_and_policies_resolve_to_json() {
        let template = Template::parse(YAML).unwrap();
        let resolver = resolver(&template);
        let pattern = resolver
            .resolve_json(
                template
                    .rule("Rule")
                    .unwrap()
                    .event_pattern
                    .as_ref()
                    .unwrap(),
            )
            .unwrap();
        assert_eq!(
            pattern,
            json!({"source": ["stack"], "detail": {"n": [{"numeric": [">", 1]}]}})
        );
        let redrive =
            serde_yaml::from_str("{ deadLetterTargetArn: !GetAtt DLQ.Arn, maxReceiveCount: 5 }")
                .unwrap();
        assert_eq!(
            resolver.resolve_json(&redrive).unwrap(),
            json!({"deadLetterTargetArn": "arn:aws:sqs:eu-west-1:123456789012:named-dlq", "maxReceiveCount": 5})
        );
    }
}
