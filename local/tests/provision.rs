//! Creating the template's tables in moto.

use aws_sdk_dynamodb::types::{IndexStatus, TimeToLiveStatus};
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
