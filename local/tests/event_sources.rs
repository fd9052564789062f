//! Event source mappings end to end against moto: EventBridge rule → SQS → function, redelivery
//! and dead-lettering, partial batch failures, and DynamoDB stream records, all through the real
//! `local::startup` with the probe-consumer function.

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use aws_sdk_sqs::types::{QueueAttributeName, SendMessageBatchRequestEntry};
use local::aws::Clients;
use local::config::GatewayConfig;
use local::resolver::Resolver;
use local::startup::{self, RunningStack};
use local::Template;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How long anything asynchronous may take before a test fails.
const DEADLINE: Duration = Duration::from_secs(20);

const TEMPLATE: &str = r#"
Resources:
  Bus:
    Type: AWS::Events::EventBus
    Properties: { Name: !Sub "${AWS::StackName}-bus" }
  ProbeRule:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: !Ref Bus
      EventPattern: { source: [probe.test] }
      Targets: [{ Id: probe-queue, Arn: !GetAtt ProbeQueue.Arn }]
  ProbeQueue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 60
      RedrivePolicy: { deadLetterTargetArn: !GetAtt ProbeDLQ.Arn, maxReceiveCount: 2 }
  ProbeDLQ:
    Type: AWS::SQS::Queue
  ChangesTable:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]
      KeySchema: [{ AttributeName: id, KeyType: HASH }]
      StreamSpecification: { StreamViewType: NEW_AND_OLD_IMAGES }
  ChangesDLQ:
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
      Events:
        Queue:
          Type: SQS
          Properties:
            Queue: !GetAtt ProbeQueue.Arn
            BatchSize: 10
            FunctionResponseTypes: [ReportBatchItemFailures]
        Changes:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt ChangesTable.StreamArn
            StartingPosition: TRIM_HORIZON
            BatchSize: 10
            MaximumRetryAttempts: 1
            FunctionResponseTypes: [ReportBatchItemFailures]
            DestinationConfig:
              OnFailure: { Type: SQS, Destination: !GetAtt ChangesDLQ.Arn }
"#;

/// One record the probe was given, as it wrote it down.
#[derive(Debug, Clone)]
struct Delivery {
    kind: String,
    body: String,
    receive_count: u32,
    sequence_number: String,
    event_name: String,
    keys: Value,
    new_image: Value,
    old_image: Value,
    request_id: String,
    batch_size: u32,
}

/// A local stack of [`TEMPLATE`] with a name of its own.
struct Probe {
    stack: RunningStack,
    name: String,
    clients: Clients,
    dir: PathBuf,
}

impl Probe {
    fn new_name() -> String {
        format!("es-{}", &uuid::Uuid::new_v4().simple().to_string()[..12])
    }

    async fn start() -> Self {
        Self::start_named(Self::new_name(), 2).await
    }

    /// The stack named `name`, whose functions run at most `instances` at once (and each SQS
    /// mapping as many pollers).
    async fn start_named(name: String, instances: usize) -> Self {
        let dir = std::env::temp_dir().join(format!("event-sources-{name}"));
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
            ("MAX_INSTANCES", instances.to_string()),
            ("SQS_RETRY_DELAY_SECONDS", "1".into()),
        ]);
        let config = GatewayConfig::from_lookup(|key| vars.get(key).cloned()).unwrap();
        let stack = startup::start(&config)
            .await
            .unwrap_or_else(|err| panic!("the stack starts: {err}"));
        Probe {
            stack,
            clients: local::testing::clients().await,
            name,
            dir,
        }
    }

    async fn stop(self) {
        self.stack.stop().await;
        let _ = std::fs::remove_dir_all(&self.dir);
    }

    fn physical(&self, logical_id: &str) -> String {
        format!("{}-{logical_id}", self.name)
    }

    async fn queue_url(&self, logical_id: &str) -> String {
        queue_url(&self.clients, &self.physical(logical_id)).await
    }

    /// Everything the probe has recorded so far.
    async fn deliveries(&self) -> Vec<Delivery> {
        let scanned = self
            .clients
            .dynamodb
            .scan()
            .table_name(self.physical("ProbeRecordsTable"))
            .send()
            .await
            .unwrap();
        scanned.items().iter().map(delivery).collect()
    }

    /// Polls the probe's records until `done` says they are complete.
    async fn wait_for_deliveries(
        &self,
        what: &str,
        done: impl Fn(&[Delivery]) -> bool,
    ) -> Vec<Delivery> {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let deliveries = self.deliveries().await;
            if done(&deliveries) {
                return deliveries;
            }
            assert!(
                Instant::now() < deadline,
                "{what} within {DEADLINE:?}; the probe saw {deliveries:#?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Receives from a queue nobody consumes until a message satisfies `wanted`.
    async fn wait_for_message(&self, logical_id: &str, wanted: impl Fn(&str) -> bool) -> String {
        let url = self.queue_url(logical_id).await;
        let deadline = Instant::now() + DEADLINE;
        loop {
            let received = self
                .clients
                .sqs
                .receive_message()
                .queue_url(&url)
                .max_number_of_messages(10)
                .wait_time_seconds(1)
                .send()
                .await
                .unwrap();
            if let Some(body) = received
                .messages()
                .iter()
                .filter_map(|m| m.body())
                .find(|body| wanted(body))
            {
                return body.to_string();
            }
            assert!(
                Instant::now() < deadline,
                "no matching message in {logical_id} within {DEADLINE:?}"
            );
        }
    }

    /// Waits until a queue holds no message, visible or in flight.
    async fn wait_until_empty(&self, logical_id: &str) {
        let url = self.queue_url(logical_id).await;
        poll_until(&format!("{logical_id} is empty"), || async {
            let attributes = self
                .clients
                .sqs
                .get_queue_attributes()
                .queue_url(&url)
                .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
                .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
                .send()
                .await
                .unwrap();
            let count = |name: QueueAttributeName| {
                attributes
                    .attributes()
                    .and_then(|a| a.get(&name))
                    .cloned()
                    .unwrap_or_default()
            };
            count(QueueAttributeName::ApproximateNumberOfMessages) == "0"
                && count(QueueAttributeName::ApproximateNumberOfMessagesNotVisible) == "0"
        })
        .await;
    }
}

async fn queue_url(clients: &Clients, name: &str) -> String {
    clients
        .sqs
        .get_queue_url()
        .queue_name(name)
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_string()
}

async fn poll_until<F: Future<Output = bool>>(what: &str, check: impl Fn() -> F) {
    let deadline = Instant::now() + DEADLINE;
    while !check().await {
        assert!(Instant::now() < deadline, "{what} within {DEADLINE:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn delivery(item: &HashMap<String, AttributeValue>) -> Delivery {
    let text = |key: &str| {
        item.get(key)
            .and_then(|v| v.as_s().ok())
            .cloned()
            .unwrap_or_default()
    };
    let number = |key: &str| {
        item.get(key)
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    let json = |key: &str| serde_json::from_str(&text(key)).unwrap_or(Value::Null);
    Delivery {
        kind: text("kind"),
        body: text("body"),
        receive_count: number("receiveCount"),
        sequence_number: text("sequenceNumber"),
        event_name: text("eventName"),
        keys: json("keys"),
        new_image: json("newImage"),
        old_image: json("oldImage"),
        request_id: text("requestId"),
        batch_size: number("batchSize"),
    }
}

fn marker() -> String {
    // Hex only: it can never spell the probe's "fail" or "error".
    uuid::Uuid::new_v4().simple().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_on_the_bus_reaches_the_consumer_through_its_rule_and_queue() {
    let probe = Probe::start().await;
    let marker = marker();
    let put = probe
        .clients
        .eventbridge
        .put_events()
        .entries(
            PutEventsRequestEntry::builder()
                .event_bus_name(probe.physical("bus"))
                .source("probe.test")
                .detail_type("ProbeHappened")
                .detail(json!({ "marker": marker }).to_string())
                .build(),
        )
        .entries(
            // Matches no rule: never delivered.
            PutEventsRequestEntry::builder()
                .event_bus_name(probe.physical("bus"))
                .source("somebody.else")
                .detail_type("Other")
                .detail("{}")
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(put.failed_entry_count(), 0);

    let deliveries = probe
        .wait_for_deliveries("the event reaches the probe", |d| {
            d.iter().any(|d| d.body.contains(&marker))
        })
        .await;
    let delivery = deliveries
        .iter()
        .find(|d| d.body.contains(&marker))
        .unwrap();
    assert_eq!(delivery.kind, "sqs");
    assert_eq!(delivery.receive_count, 1);
    let envelope: Value = serde_json::from_str(&delivery.body).unwrap();
    assert_eq!(envelope["source"], "probe.test");
    assert_eq!(envelope["detail-type"], "ProbeHappened");
    assert_eq!(envelope["detail"]["marker"], json!(marker));

    // Handled: deleted, never delivered again.
    probe.wait_until_empty("ProbeQueue").await;
    assert_eq!(probe.deliveries().await.len(), 1, "only the matching event");
    probe.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_the_consumer_fails_is_retried_then_dead_lettered() {
    let probe = Probe::start().await;
    let body = format!("fail-{}", marker());
    probe
        .clients
        .sqs
        .send_message()
        .queue_url(probe.queue_url("ProbeQueue").await)
        .message_body(&body)
        .send()
        .await
        .unwrap();

    let dead = probe.wait_for_message("ProbeDLQ", |b| b == body).await;
    assert_eq!(dead, body);
    let mut counts: Vec<u32> = probe
        .deliveries()
        .await
        .iter()
        .filter(|d| d.body == body)
        .map(|d| d.receive_count)
        .collect();
    counts.sort();
    assert_eq!(counts, [1, 2], "delivered maxReceiveCount times");
    probe.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_failed_message_of_a_batch_comes_back() {
    // The queue gets its messages before any poller runs, so they arrive as one batch.
    let name = Probe::new_name();
    let clients = local::testing::clients().await;
    let template = Template::parse(TEMPLATE).unwrap();
    let resolver = Resolver::new(&template, name.clone(), "us-east-1", BTreeMap::new()).unwrap();
    local::provision::provision_queues(&clients.sqs, &template, &resolver)
        .await
        .unwrap();
    let marker = marker();
    let bodies = [
        format!("ok-{marker}-1"),
        format!("fail-{marker}"),
        format!("ok-{marker}-2"),
    ];
    let mut batch = clients
        .sqs
        .send_message_batch()
        .queue_url(queue_url(&clients, &format!("{name}-ProbeQueue")).await);
    for (i, body) in bodies.iter().enumerate() {
        batch = batch.entries(
            SendMessageBatchRequestEntry::builder()
                .id(i.to_string())
                .message_body(body)
                .build()
                .unwrap(),
        );
    }
    assert!(batch.send().await.unwrap().failed().is_empty());

    // One poller, so the three waiting messages arrive as one batch: with several (as Lambda
    // runs), SQS may split them between the pollers' receives.
    let probe = Probe::start_named(name, 1).await;
    probe.wait_for_message("ProbeDLQ", |b| b == bodies[1]).await;
    let deliveries = probe.deliveries().await;
    let of =
        |body: &str| -> Vec<&Delivery> { deliveries.iter().filter(|d| d.body == body).collect() };
    for ok in [&bodies[0], &bodies[2]] {
        let seen = of(ok);
        assert_eq!(seen.len(), 1, "{ok} is delivered once: {seen:?}");
        assert_eq!(seen[0].receive_count, 1);
    }
    let failed = of(&bodies[1]);
    assert_eq!(failed.len(), 2, "the failed one came back: {failed:?}");
    let first = failed.iter().find(|d| d.receive_count == 1).unwrap();
    assert_eq!(first.batch_size, 3, "all three arrived in one batch");
    assert_eq!(first.request_id, of(&bodies[0])[0].request_id);
    probe.wait_until_empty("ProbeQueue").await;
    probe.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn table_writes_reach_the_consumer_as_stream_records() {
    let probe = Probe::start().await;
    let id = format!("item-{}", marker());
    let table = probe.physical("ChangesTable");
    let dynamodb = &probe.clients.dynamodb;
    dynamodb
        .put_item()
        .table_name(&table)
        .item("id", AttributeValue::S(id.clone()))
        .item("v", AttributeValue::N("1".into()))
        .send()
        .await
        .unwrap();
    let is = |d: &Delivery, name: &str| d.event_name == name && d.keys["id"]["S"] == json!(id);
    let deliveries = probe
        .wait_for_deliveries("the INSERT reaches the probe", |d| {
            d.iter().any(|d| is(d, "INSERT"))
        })
        .await;
    let insert = deliveries.iter().find(|d| is(d, "INSERT")).unwrap();
    assert_eq!(insert.kind, "stream");
    assert_eq!(insert.new_image["v"], json!({"N": "1"}));
    assert_eq!(insert.old_image, Value::Null);

    dynamodb
        .update_item()
        .table_name(&table)
        .key("id", AttributeValue::S(id.clone()))
        .update_expression("SET v = :v")
        .expression_attribute_values(":v", AttributeValue::N("2".into()))
        .send()
        .await
        .unwrap();
    let deliveries = probe
        .wait_for_deliveries("the MODIFY reaches the probe", |d| {
            d.iter().any(|d| is(d, "MODIFY"))
        })
        .await;
    let modify = deliveries.iter().find(|d| is(d, "MODIFY")).unwrap();
    assert_eq!(modify.old_image["v"], json!({"N": "1"}));
    assert_eq!(modify.new_image["v"], json!({"N": "2"}));
    assert_ne!(modify.sequence_number, insert.sequence_number);
    assert_eq!(
        deliveries.iter().filter(|d| is(d, "INSERT")).count(),
        1,
        "the INSERT was not delivered again"
    );
    probe.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_record_that_keeps_failing_goes_to_the_on_failure_queue() {
    let probe = Probe::start().await;
    let table = probe.physical("ChangesTable");
    let bad = format!("fail-{}", marker());
    let put = |id: String| {
        probe
            .clients
            .dynamodb
            .put_item()
            .table_name(&table)
            .item("id", AttributeValue::S(id))
            .send()
    };
    put(bad.clone()).await.unwrap();

    let failure = probe
        .wait_for_message("ChangesDLQ", |b| b.contains(&bad))
        .await;
    let failure: Value = serde_json::from_str(&failure).unwrap();
    assert_eq!(
        failure["requestContext"]["condition"],
        "RetryAttemptsExhausted"
    );
    assert_eq!(failure["requestContext"]["approximateInvokeCount"], 2);
    let info = &failure["DDBStreamBatchInfo"];
    assert_eq!(info["batchSize"], 1);
    assert!(info["streamArn"]
        .as_str()
        .unwrap()
        .contains(&format!("table/{table}/stream/")));
    assert_eq!(
        failure["records"][0]["dynamodb"]["NewImage"]["id"]["S"],
        json!(bad)
    );
    let attempts: Vec<Delivery> = probe
        .deliveries()
        .await
        .into_iter()
        .filter(|d| d.keys["id"]["S"] == json!(bad))
        .collect();
    assert_eq!(
        attempts.len(),
        2,
        "invoked once and retried once: {attempts:?}"
    );
    assert_eq!(
        info["startSequenceNumber"],
        json!(attempts[0].sequence_number)
    );

    // The shard moves on past what was given up.
    let good = format!("after-{}", marker());
    put(good.clone()).await.unwrap();
    probe
        .wait_for_deliveries("the next record reaches the probe", |d| {
            d.iter().any(|d| d.keys["id"]["S"] == json!(good))
        })
        .await;
    probe.stop().await;
}
