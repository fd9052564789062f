//! Faults injected by the gateway (`LOCAL_FAULTS`, local::faults) while the real functions run:
//! a consumer that fails messages, a consumer whose answers are lost after it did the work, a
//! handler that dies between its DynamoDB write and its answer, and an event publisher that
//! dies before and after publishing. Nothing is lost, nothing is applied twice, nothing out of
//! order.

mod support;

use aws_sdk_dynamodbstreams::types::{AttributeValue, ShardIteratorType};
use serde_json::{json, Value};
use support::Stack;

/// Updates of the ticket after it is created, each a new version.
const UPDATES: u64 = 6;

/// A ticket listed and then edited `UPDATES` times, as fast as the API allows: its events
/// TicketCreated (version 0) and TicketUpdated (versions 1..=UPDATES) reach the orders domain's
/// replica through the bus, SQS and the OnTicketCreated / OnTicketUpdated consumers.
async fn ticket_edited_many_times(stack: &Stack) -> String {
    let seller = stack.sign_up("seller").await;
    let ticket = stack.sell(&seller, "Concert v0", 1000).await;
    let id = ticket["id"].as_str().unwrap().to_string();
    for version in 1..=UPDATES {
        let (status, _, updated) = stack
            .http(
                "PUT",
                &format!("/api/tickets/{id}"),
                Some(&seller),
                Some(json!({
                    "title": format!("Concert v{version}"),
                    "price": 1000 + version,
                    "version": version - 1,
                })),
            )
            .await;
        assert_eq!(status, 200, "{updated}");
        assert_eq!(updated["version"], version);
    }
    id
}

/// Waits until the orders-side replica of the ticket holds the last version, and checks it
/// holds the last edit's content.
async fn replica_catches_up(stack: &Stack, ticket_id: &str) {
    let tables = local::invariants::Tables::of_stack(&stack.name);
    let replica = stack
        .eventually("the replica at the last version", || async {
            let item = stack
                .clients
                .dynamodb
                .get_item()
                .table_name(&tables.orders)
                .key(
                    "pk",
                    aws_sdk_dynamodb::types::AttributeValue::S(format!("TICKET#{ticket_id}")),
                )
                .consistent_read(true)
                .send()
                .await
                .unwrap()
                .item?;
            let version: u64 = item.get("version")?.as_n().ok()?.parse().ok()?;
            (version == UPDATES).then_some(item)
        })
        .await;
    assert_eq!(
        replica["title"].as_s().unwrap(),
        &format!("Concert v{UPDATES}")
    );
    assert_eq!(
        replica["price"].as_n().unwrap(),
        &(1000 + UPDATES).to_string()
    );
}

/// The `version` of every write to item `pk` of the Orders table, in the order the table's
/// stream recorded them. A write applied twice or out of order would show here.
async fn versions_written(stack: &Stack, pk: &str) -> Vec<u64> {
    let table = local::invariants::Tables::of_stack(&stack.name).orders;
    let described = stack
        .clients
        .dynamodb
        .describe_table()
        .table_name(&table)
        .send()
        .await
        .unwrap();
    let stream_arn = described.table.unwrap().latest_stream_arn.unwrap();
    let streams = &stack.clients.streams;
    let shards = streams
        .describe_stream()
        .stream_arn(&stream_arn)
        .send()
        .await
        .unwrap()
        .stream_description
        .unwrap()
        .shards
        .unwrap_or_default();
    let mut versions = Vec::new();
    for shard in shards {
        let mut iterator = streams
            .get_shard_iterator()
            .stream_arn(&stream_arn)
            .shard_id(shard.shard_id.unwrap())
            .shard_iterator_type(ShardIteratorType::TrimHorizon)
            .send()
            .await
            .unwrap()
            .shard_iterator;
        while let Some(current) = iterator {
            let page = streams
                .get_records()
                .shard_iterator(current)
                .send()
                .await
                .unwrap();
            let records = page.records.unwrap_or_default();
            if records.is_empty() {
                break;
            }
            for record in records {
                let Some(image) = record.dynamodb.and_then(|d| d.new_image) else {
                    continue;
                };
                if image.get("pk") != Some(&AttributeValue::S(pk.to_string())) {
                    continue;
                }
                if let Some(AttributeValue::N(version)) = image.get("version") {
                    versions.push(version.parse().unwrap());
                }
            }
            iterator = page.next_shard_iterator;
        }
    }
    versions
}

async fn every_version_applied_once_in_order(faults: &str) {
    let stack = Stack::start_with_faults("", faults).await;
    let ticket_id = ticket_edited_many_times(&stack).await;
    replica_catches_up(&stack, &ticket_id).await;
    let versions = versions_written(&stack, &format!("TICKET#{ticket_id}")).await;
    assert_eq!(
        versions,
        (0..=UPDATES).collect::<Vec<_>>(),
        "the replica was written these versions, in this order"
    );
    stack.invariants_hold().await;
    stack.running.stop().await;
}

/// (a) Each TicketUpdated message fails on its first delivery, so later versions reach the
/// consumer before earlier ones; the replica refuses a version that skips one (the message fails
/// and comes back), so it still moves 0, 1, 2, ... exactly once each.
#[tokio::test]
async fn a_consumer_failing_every_other_message_applies_every_version_once_in_order() {
    every_version_applied_once_in_order(
        "fail-every-other-message:OnTicketUpdatedFunction \
         fail-every-other-message:OnTicketCreatedFunction",
    )
    .await;
}

/// (a) The consumer applies a batch and its answer is lost, so SQS delivers the whole batch
/// again: the second delivery must change nothing.
#[tokio::test]
async fn a_consumer_whose_answers_are_lost_applies_nothing_twice() {
    every_version_applied_once_in_order(
        "lose-every-other-answer:OnTicketUpdatedFunction \
         lose-every-other-answer:OnTicketCreatedFunction",
    )
    .await;
}

/// (b) POST /api/tickets dies after its DynamoDB write, before answering: the caller sees a 500
/// but the ticket exists, and TicketCreated still reaches the bus, because the handler never
/// publishes: the table's stream is the outbox, and the publisher reads it. The publisher itself
/// fails before publishing every other time and loses its answer after publishing the other
/// times; the stream hands it the same records again until it answers, so the event arrives
/// (at least once) and the consumers, which ignore duplicates, apply it once.
#[tokio::test]
async fn a_crash_between_the_write_and_the_publish_loses_no_event() {
    let stack = Stack::start_with_faults(
        "",
        "lose-every-other-answer:CreateTicketFunction \
         fail-every-other-invocation:PublishTicketEventsFunction \
         lose-every-other-answer:PublishTicketEventsFunction",
    )
    .await;
    let listener = stack.listen_to_ticket_events().await;
    let seller = stack.sign_up("seller").await;

    let (status, _, answer) = stack
        .http(
            "POST",
            "/api/tickets",
            Some(&seller),
            Some(json!({"title": "Lost answer", "price": 1500})),
        )
        .await;
    assert_eq!(status, 500, "the answer was lost: {answer}");

    let event = stack
        .wait_for_event(&listener, |event: &Value| {
            event["detail-type"] == "TicketCreated" && event["detail"]["title"] == "Lost answer"
        })
        .await;
    let ticket_id = event["detail"]["id"].as_str().unwrap().to_string();
    let ticket = stack
        .wait_for_ticket(&ticket_id, |t| t["id"].is_string())
        .await;
    assert_eq!(ticket["price"], 1500);
    assert_eq!(ticket["version"], 0);

    // the orders domain learned of it exactly once: a buyer can reserve it
    let buyer = stack.sign_up("buyer").await;
    stack.reserve(&buyer, &ticket_id).await;
    assert_eq!(
        versions_written(&stack, &format!("TICKET#{ticket_id}")).await[0],
        0,
        "the replica was created at version 0"
    );
    stack.invariants_hold().await;
    stack.running.stop().await;
}
