//! Creating the template's tables, queues, buses and rules in moto.

use aws_sdk_dynamodb::types::{IndexStatus, TimeToLiveStatus};
use aws_sdk_sqs::types::QueueAttributeName;
use local::provision::{create_table, provision_tables, Provisioned};
use local::resolver::Resolver;
use local::Template;
use std::collections::BTreeMap;

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4())
}

#[tokio::test]
async fn creates_a_fresh_copy_of_a_template_table_once() {
    let client = local::testing::dynamodb_client().await;
    let name = local::testing::fresh_table(&client, "UsersTable").await;
    let users = &local::testing::template().table("UsersTable").unwrap().spec;
    assert_eq!(
        create_table(&client, users, &name).await.unwrap(),
        Provisioned::Existing
    );

    let table = client
        .describe_table()
        .table_name(&name)
        .send()
        .await
        .unwrap()
        .table
        .unwrap();
    let key = &table.key_schema()[0];
    assert_eq!(key.attribute_name(), "pk");
    assert_eq!(key.key_type().as_str(), "HASH");
}

#[tokio::test]
async fn creates_indexes_ttl_and_streams() {
    let client = local::testing::dynamodb_client().await;
    let template = Template::parse(
        r#"
Resources:
  OrdersTable:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - { AttributeName: pk, AttributeType: S }
        - { AttributeName: userId, AttributeType: S }
        - { AttributeName: createdAt, AttributeType: N }
      KeySchema:
        - { AttributeName: pk, KeyType: HASH }
      GlobalSecondaryIndexes:
        - IndexName: byUser
          KeySchema:
            - { AttributeName: userId, KeyType: HASH }
            - { AttributeName: createdAt, KeyType: RANGE }
          Projection: { ProjectionType: ALL }
      TimeToLiveSpecification: { AttributeName: expiresAt, Enabled: true }
      StreamSpecification: { StreamViewType: NEW_AND_OLD_IMAGES }
"#,
    )
    .unwrap();
    let stack = unique("stack");
    let resolver = Resolver::new(&template, stack.clone(), "us-east-1", BTreeMap::new()).unwrap();

    let created = provision_tables(&client, &template, &resolver)
        .await
        .unwrap();
    let name = format!("{stack}-OrdersTable");
    assert_eq!(created, vec![(name.clone(), Provisioned::Created)]);

    let table = client
        .describe_table()
        .table_name(&name)
        .send()
        .await
        .unwrap()
        .table
        .unwrap();
    let index = &table.global_secondary_indexes()[0];
    assert_eq!(index.index_name(), Some("byUser"));
    assert_ne!(index.index_status(), Some(&IndexStatus::Deleting));
    assert!(table
        .stream_specification()
        .is_some_and(|s| s.stream_enabled()));

    let ttl = client
        .describe_time_to_live()
        .table_name(&name)
        .send()
        .await
        .unwrap();
    let ttl = ttl.time_to_live_description().unwrap();
    assert_eq!(ttl.attribute_name(), Some("expiresAt"));
    assert_eq!(ttl.time_to_live_status(), Some(&TimeToLiveStatus::Enabled));
}

#[tokio::test]
async fn creates_queues_buses_and_rules_and_finds_streams() {
    let clients = local::testing::clients().await;
    let template = Template::parse(
        r#"
Resources:
  Bus:
    Type: AWS::Events::EventBus
    Properties: { Name: !Sub "${AWS::StackName}-events" }
  Work:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 45
      RedrivePolicy: { deadLetterTargetArn: !GetAtt WorkDLQ.Arn, maxReceiveCount: 3 }
  WorkDLQ:
    Type: AWS::SQS::Queue
    Properties: { MessageRetentionPeriod: 1209600 }
  Rule:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: !Ref Bus
      EventPattern: { source: [orders] }
      Targets: [{ Id: work, Arn: !GetAtt Work.Arn }]
  Changes:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]
      KeySchema: [{ AttributeName: id, KeyType: HASH }]
      StreamSpecification: { StreamViewType: NEW_IMAGE }
"#,
    )
    .unwrap();
    let stack = unique("stack");
    let resolver = Resolver::new(&template, stack.clone(), "us-east-1", BTreeMap::new()).unwrap();

    let queues = local::provision::provision_queues(&clients.sqs, &template, &resolver)
        .await
        .unwrap();
    assert_eq!(
        queues,
        vec![
            (format!("{stack}-WorkDLQ"), Provisioned::Created),
            (format!("{stack}-Work"), Provisioned::Created),
        ],
        "the dead-letter queue first"
    );
    let again = local::provision::provision_queues(&clients.sqs, &template, &resolver)
        .await
        .unwrap();
    assert!(again.iter().all(|(_, p)| *p == Provisioned::Existing));
    let url = clients
        .sqs
        .get_queue_url()
        .queue_name(format!("{stack}-Work"))
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_string();
    let attributes = clients
        .sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .unwrap();
    let attributes = attributes.attributes().unwrap();
    assert_eq!(attributes[&QueueAttributeName::VisibilityTimeout], "45");
    let redrive: serde_json::Value =
        serde_json::from_str(&attributes[&QueueAttributeName::RedrivePolicy]).unwrap();
    assert_eq!(redrive["maxReceiveCount"], 3);
    assert_eq!(
        redrive["deadLetterTargetArn"],
        format!("arn:aws:sqs:us-east-1:123456789012:{stack}-WorkDLQ")
    );
    assert_eq!(
        resolver.queue_url("Work").unwrap().rsplit('/').next(),
        url.rsplit('/').next()
    );

    let buses = local::provision::provision_event_buses(&clients.eventbridge, &template, &resolver)
        .await
        .unwrap();
    assert_eq!(
        buses,
        vec![(format!("{stack}-events"), Provisioned::Created)]
    );
    let buses = local::provision::provision_event_buses(&clients.eventbridge, &template, &resolver)
        .await
        .unwrap();
    assert_eq!(buses[0].1, Provisioned::Existing);
    for _ in 0..2 {
        let rules = local::provision::provision_rules(&clients.eventbridge, &template, &resolver)
            .await
            .unwrap();
        assert_eq!(rules[0].name, format!("{stack}-Rule"));
        assert_eq!(rules[0].bus, format!("{stack}-events"));
        assert_eq!(rules[0].targets, vec![resolver.queue_arn("Work").unwrap()]);
    }
    let described = clients
        .eventbridge
        .describe_rule()
        .name(format!("{stack}-Rule"))
        .event_bus_name(format!("{stack}-events"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.arn(),
        Some(resolver.rule_arn("Rule").unwrap().as_str())
    );
    let pattern: serde_json::Value =
        serde_json::from_str(described.event_pattern().unwrap()).unwrap();
    assert_eq!(pattern, serde_json::json!({"source": ["orders"]}));

    provision_tables(&clients.dynamodb, &template, &resolver)
        .await
        .unwrap();
    let streams = local::provision::stream_arns(&clients.dynamodb, &template, &resolver)
        .await
        .unwrap();
    // arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL (DynamoDB Local names its own
    // region and account, `ddblocal` and 000000000000, where AWS names the stack's)
    let arn = &streams["Changes"];
    assert!(arn.starts_with("arn:aws:dynamodb:"), "{arn}");
    assert!(
        arn.contains(&format!(":table/{stack}-Changes/stream/")),
        "{arn}"
    );
}
