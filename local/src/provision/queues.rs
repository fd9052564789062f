//! Creates the template's SQS queues, each after the dead-letter queue it redrives to.

use super::{ProvisionError, Provisioned};
use crate::resolver::{referenced_resource, Resolver};
use crate::template::{QueueDef, Template, TemplateError};
use aws_sdk_sqs::error::DisplayErrorContext;
use aws_sdk_sqs::types::QueueAttributeName;
use aws_sdk_sqs::Client;
use std::collections::{BTreeSet, HashMap};

/// Creates every queue of the template under its resolved name, with its attributes; an
/// existing queue gets the template's attributes again (as a stack update would).
pub async fn provision_queues(
    client: &Client,
    template: &Template,
    resolver: &Resolver<'_>,
) -> Result<Vec<(String, Provisioned)>, ProvisionError> {
    let order =
        queue_order(template).map_err(|err| ProvisionError::new("queues", err.to_string()))?;
    let mut done = Vec::new();
    for queue in order {
        let fail =
            |message: String| ProvisionError::new(format!("queue {}", queue.logical_id), message);
        let name = resolver
            .queue_name(&queue.logical_id)
            .map_err(|err| fail(err.to_string()))?;
        let attributes = queue_attributes(queue, resolver).map_err(|err| fail(err.to_string()))?;
        let outcome = create_queue(client, &name, attributes)
            .await
            .map_err(|message| ProvisionError::new(format!("queue {name}"), message))?;
        done.push((name, outcome));
    }
    Ok(done)
}

/// The template's queues with every dead-letter queue before the queues that redrive to it.
pub fn queue_order(template: &Template) -> Result<Vec<&QueueDef>, TemplateError> {
    fn visit<'t>(
        queue: &'t QueueDef,
        template: &'t Template,
        visiting: &mut BTreeSet<&'t str>,
        order: &mut Vec<&'t QueueDef>,
    ) -> Result<(), TemplateError> {
        if order.iter().any(|q| q.logical_id == queue.logical_id) {
            return Ok(());
        }
        if !visiting.insert(&queue.logical_id) {
            return Err(TemplateError::Invalid(format!(
                "queue {} redrives to itself through its dead-letter queues",
                queue.logical_id
            )));
        }
        let target = queue
            .redrive
            .as_ref()
            .and_then(|r| referenced_resource(&r.dead_letter_target_arn));
        if let Some(dlq) = target.and_then(|id| template.queue(&id)) {
            visit(dlq, template, visiting, order)?;
        }
        visiting.remove(queue.logical_id.as_str());
        order.push(queue);
        Ok(())
    }
    let mut order = Vec::with_capacity(template.queues.len());
    for queue in &template.queues {
        visit(queue, template, &mut BTreeSet::new(), &mut order)?;
    }
    Ok(order)
}

/// The SQS attributes a queue is created with.
fn queue_attributes(
    queue: &QueueDef,
    resolver: &Resolver<'_>,
) -> Result<HashMap<QueueAttributeName, String>, TemplateError> {
    let mut attributes = HashMap::new();
    for (name, value) in &queue.attributes {
        attributes.insert(
            QueueAttributeName::from(name.as_str()),
            resolver.resolve(value)?,
        );
    }
    if let Some(redrive) = &queue.redrive {
        let policy = serde_json::json!({
            "deadLetterTargetArn": resolver.resolve(&redrive.dead_letter_target_arn)?,
            "maxReceiveCount": redrive.max_receive_count,
        });
        attributes.insert(QueueAttributeName::RedrivePolicy, policy.to_string());
    }
    Ok(attributes)
}

async fn create_queue(
    client: &Client,
    name: &str,
    mut attributes: HashMap<QueueAttributeName, String>,
) -> Result<Provisioned, String> {
    if let Ok(existing) = client.get_queue_url().queue_name(name).send().await {
        let url = existing.queue_url().unwrap_or_default();
        // Whether a queue is FIFO is fixed at creation; SQS refuses to be told again.
        attributes.remove(&QueueAttributeName::FifoQueue);
        if !attributes.is_empty() {
            client
                .set_queue_attributes()
                .queue_url(url)
                .set_attributes(Some(attributes))
                .send()
                .await
                .map_err(|err| format!("updating its attributes: {}", DisplayErrorContext(&err)))?;
        }
        return Ok(Provisioned::Existing);
    }
    client
        .create_queue()
        .queue_name(name)
        .set_attributes((!attributes.is_empty()).then_some(attributes))
        .send()
        .await
        .map_err(|err| DisplayErrorContext(&err).to_string())?;
    Ok(Provisioned::Created)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dead_letter_queues_come_first() {
        let template = Template::parse(
            r#"
Resources:
  Main:
    Type: AWS::SQS::Queue
    Properties: { RedrivePolicy: { deadLetterTargetArn: !GetAtt Middle.Arn, maxReceiveCount: 2 } }
  Middle:
    Type: AWS::SQS::Queue
    Properties: { RedrivePolicy: { deadLetterTargetArn: !GetAtt Last.Arn, maxReceiveCount: 2 } }
  Last:
    Type: AWS::SQS::Queue
  Other:
    Type: AWS::SQS::Queue
    Properties: { RedrivePolicy: { deadLetterTargetArn: "arn:aws:sqs:us-east-1:123456789012:elsewhere", maxReceiveCount: 2 } }
"#,
        )
        .unwrap();
        let order: Vec<_> = queue_order(&template)
            .unwrap()
            .into_iter()
            .map(|q| q.logical_id.as_str())
            .collect();
        assert_eq!(order, ["Last", "Middle", "Main", "Other"]);
    }

    #[test]
    fn a_redrive_cycle_is_an_error() {
        let template = Template::parse(
            r#"
Resources:
  A:
    Type: AWS::SQS::Queue
    Properties: { RedrivePolicy: { deadLetterTargetArn: !GetAtt B.Arn, maxReceiveCount: 2 } }
  B:
    Type: AWS::SQS::Queue
    Properties: { RedrivePolicy: { deadLetterTargetArn: !GetAtt A.Arn, maxReceiveCount: 2 } }
"#,
        )
        .unwrap();
        let err = queue_order(&template).unwrap_err();
        assert!(err.to_string().contains("redrives to itself"), "{err}");
    }

    #[test]
    fn attributes_carry_the_resolved_redrive_policy() {
        let template = Template::parse(
            r#"
Resources:
  Main:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 60
      RedrivePolicy: { deadLetterTargetArn: !GetAtt Dlq.Arn, maxReceiveCount: 5 }
  Dlq:
    Type: AWS::SQS::Queue
"#,
        )
        .unwrap();
        let resolver = Resolver::new(&template, "s", "us-east-1", Default::default()).unwrap();
        let attributes = queue_attributes(template.queue("Main").unwrap(), &resolver).unwrap();
        assert_eq!(attributes[&QueueAttributeName::VisibilityTimeout], "60");
        let policy: serde_json::Value =
            serde_json::from_str(&attributes[&QueueAttributeName::RedrivePolicy]).unwrap();
        assert_eq!(
            policy,
            serde_json::json!({"deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:s-Dlq", "maxReceiveCount": 5})
        );
    }
}
