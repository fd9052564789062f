//! One-shot EventBridge Scheduler schedules end to end against moto: the gateway provisions the
//! template's schedule group and fires due `at(...)` schedules into a queue (consumed by the
//! probe-consumer function) or straight into a function, as the Scheduler does in AWS.

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_scheduler::types::{
    ActionAfterCompletion, FlexibleTimeWindow, FlexibleTimeWindowMode, Target,
};
use local::aws::Clients;
use local::config::GatewayConfig;
use local::provision::{self, Provisioned};
use local::resolver::Resolver;
use local::startup::{self, RunningStack};
use local::Template;
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How long anything asynchronous may take before a test fails.
const DEADLINE: Duration = Duration::from_secs(20);

const TEMPLATE: &str = r#"
Resources:
  ExpiryGroup:
    Type: AWS::Scheduler::ScheduleGroup
    Properties: { Name: !Sub "${AWS::StackName}-expiry" }
  SchedulerRole:
    Type: AWS::IAM::Role
    Properties: { AssumeRolePolicyDocument: { Version: "2012-10-17", Statement: [] } }
  ExpireQueue:
    Type: AWS::SQS::Queue
  ProbeRecordsTable:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{ AttributeName: pk, AttributeType: S }]
      KeySchema: [{ AttributeName: pk, KeyType: HASH }]
  ProbeFunction:
    Type: AWS::Serverless::Function
    Metadata: { BuildProperties: { Binary: probe-consumer } }
    Properties:
      Timeout: 10
      Environment:
        Variables:
          PROBE_TABLE: !Ref ProbeRecordsTable
          GROUP: !Ref ExpiryGroup
          ROLE_ARN: !GetAtt SchedulerRole.Arn
      Events:
        Queue:
          Type: SQS
          Properties:
            Queue: !GetAtt ExpireQueue.Arn
            FunctionResponseTypes: [ReportBatchItemFailures]
"#;

/// A local stack of [`TEMPLATE`] with a name of its own.
struct Stack {
    running: RunningStack,
    name: String,
    clients: Clients,
    dir: PathBuf,
}

impl Stack {
    async fn start() -> Self {
        let name = format!("sch-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        let dir = std::env::temp_dir().join(format!("schedules-{name}"));
        std::fs::create_dir_all(&dir).unwrap();
        let template = dir.join("template.yaml");
        std::fs::write(&template, TEMPLATE).unwrap();
        let probe = PathBuf::from(env!("CARGO_BIN_EXE_probe-consumer"));
        let vars: BTreeMap<&str, String> = BTreeMap::from([
            ("AWS_ENDPOINT_URL", local::emulators::moto()),
            ("AWS_ENDPOINT_URL_DYNAMODB", local::emulators::dynamodb()),
            ("PORT", "0".into()),
            ("TEMPLATE", template.display().to_string()),
            (
                "FUNCTIONS_DIR",
                probe.parent().unwrap().display().to_string(),
            ),
            ("WEB_DIST", dir.join("no-web").display().to_string()),
            ("STACK_NAME", name.clone()),
            ("MAX_INSTANCES", "1".into()),
        ]);
        let config = GatewayConfig::from_lookup(|key| vars.get(key).cloned()).unwrap();
        let running = startup::start(&config)
            .await
            .unwrap_or_else(|err| panic!("the stack starts: {err}"));
        Stack {
            running,
            clients: local::testing::clients().await,
            name,
            dir,
        }
    }

    async fn stop(self) {
        self.running.stop().await;
        let _ = std::fs::remove_dir_all(&self.dir);
    }

    fn group(&self) -> String {
        format!("{}-expiry", self.name)
    }

    /// An ARN of this stack's resource `{stack}-{logical_id}`, e.g. `sqs:`, `queue`.
    fn arn(&self, service: &str, prefix: &str, logical_id: &str) -> String {
        let region = if service == "iam" { "" } else { "us-east-1" };
        format!(
            "arn:aws:{service}:{region}:123456789012:{prefix}{}-{logical_id}",
            self.name
        )
    }

    /// Creates a schedule in the stack's group at `at` (UTC) that sends `input` to `target`.
    async fn schedule(
        &self,
        name: &str,
        at: jiff::Timestamp,
        target: &str,
        input: &str,
        after: ActionAfterCompletion,
    ) {
        self.clients
            .scheduler
            .create_schedule()
            .group_name(self.group())
            .name(name)
            .schedule_expression(format!("at({})", at.strftime("%Y-%m-%dT%H:%M:%S")))
            .schedule_expression_timezone("UTC")
            .flexible_time_window(
                FlexibleTimeWindow::builder()
                    .mode(FlexibleTimeWindowMode::Off)
                    .build()
                    .unwrap(),
            )
            .target(
                Target::builder()
                    .arn(target)
                    .role_arn(self.arn("iam", "role/", "SchedulerRole"))
                    .input(input)
                    .build()
                    .unwrap(),
            )
            .action_after_completion(after)
            .send()
            .await
            .unwrap_or_else(|err| panic!("creating {name}: {err:?}"));
    }

    async fn schedule_exists(&self, name: &str) -> bool {
        match self
            .clients
            .scheduler
            .get_schedule()
            .group_name(self.group())
            .name(name)
            .send()
            .await
        {
            Ok(_) => true,
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_resource_not_found_exception()) =>
            {
                false
            }
            Err(err) => panic!("GetSchedule {name}: {err:?}"),
        }
    }

    /// The probe's records: body → request id of the invocation that recorded it.
    async fn deliveries(&self) -> HashMap<String, String> {
        let scanned = self
            .clients
            .dynamodb
            .scan()
            .table_name(format!("{}-ProbeRecordsTable", self.name))
            .send()
            .await
            .unwrap();
        let text = |item: &HashMap<String, AttributeValue>, key: &str| {
            item.get(key)
                .and_then(|v| v.as_s().ok())
                .cloned()
                .unwrap_or_default()
        };
        scanned
            .items()
            .iter()
            .map(|item| (text(item, "body"), text(item, "requestId")))
            .collect()
    }

    async fn wait_for_delivery(&self, body: &str) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Some(request_id) = self.deliveries().await.remove(body) {
                return request_id;
            }
            assert!(
                Instant::now() < deadline,
                "{body} delivered within {DEADLINE:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn in_seconds(seconds: i64) -> jiff::Timestamp {
    jiff::Timestamp::now() + jiff::SignedDuration::from_secs(seconds)
}

async fn poll_until<F: Future<Output = bool>>(what: &str, check: impl Fn() -> F) {
    let deadline = Instant::now() + DEADLINE;
    while !check().await {
        assert!(Instant::now() < deadline, "{what} within {DEADLINE:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_due_schedule_reaches_its_queue_once_and_is_deleted_while_a_later_one_waits() {
    let stack = Stack::start().await;
    let queue = stack.arn("sqs", "", "ExpireQueue");
    stack
        .schedule(
            "later",
            in_seconds(3600),
            &queue,
            r#"{"orderId":"o-later"}"#,
            ActionAfterCompletion::Delete,
        )
        .await;
    stack
        .schedule(
            "soon",
            in_seconds(2),
            &queue,
            r#"{"orderId":"o-1"}"#,
            ActionAfterCompletion::Delete,
        )
        .await;

    stack.wait_for_delivery(r#"{"orderId":"o-1"}"#).await;
    poll_until("the fired schedule is deleted", || async {
        !stack.schedule_exists("soon").await
    })
    .await;
    assert!(stack.schedule_exists("later").await);
    assert!(!stack
        .deliveries()
        .await
        .contains_key(r#"{"orderId":"o-later"}"#));

    // Provisioning again keeps the group and its schedules (moto's CreateScheduleGroup would
    // replace the group with an empty one).
    let template = Template::parse(TEMPLATE).unwrap();
    let resolver =
        Resolver::new(&template, stack.name.clone(), "us-east-1", BTreeMap::new()).unwrap();
    let again =
        provision::provision_schedule_groups(&stack.clients.scheduler, &template, &resolver)
            .await
            .unwrap();
    assert_eq!(again, vec![(stack.group(), Provisioned::Existing)]);
    assert!(stack.schedule_exists("later").await);
    stack.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schedule_on_a_function_invokes_it_once_and_is_kept_without_delete() {
    let stack = Stack::start().await;
    let function = stack.arn("lambda", "function:", "ProbeFunction");
    // The probe reads SQS-shaped records; the schedule hands it one directly.
    let input = json!({ "Records": [{
        "eventSource": "aws:sqs",
        "messageId": "direct-1",
        "body": "direct",
        "attributes": { "ApproximateReceiveCount": "1" }
    }]});
    stack
        .schedule(
            "direct",
            in_seconds(1),
            &function,
            &input.to_string(),
            ActionAfterCompletion::None,
        )
        .await;
    let first = stack.wait_for_delivery("direct").await;

    // A later schedule fires many ticks after the first: by then a second firing of the kept
    // schedule would have overwritten the record with another invocation's request id.
    let queue = stack.arn("sqs", "", "ExpireQueue");
    stack
        .schedule(
            "marker",
            in_seconds(2),
            &queue,
            "marker",
            ActionAfterCompletion::Delete,
        )
        .await;
    stack.wait_for_delivery("marker").await;
    assert_eq!(stack.deliveries().await["direct"], first);
    assert!(stack.schedule_exists("direct").await);
    stack.stop().await;
}
