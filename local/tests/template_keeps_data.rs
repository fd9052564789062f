//! template.yaml keeps what a first deploy must not lose: tables survive a stack deletion or a
//! replacement, every log has a retention (and the HTTP API an access log), an event EventBridge
//! cannot deliver waits in a DLQ, and the scheduler's role only serves this account. These are
//! facts of the template that only AWS would act on, so the template is what is tested.
//! (Idempotency-Key claims expiring by the Orders table's TTL: functions/orders/tests/create.rs.)

use serde_yaml::Value;
use std::collections::BTreeSet;
use std::path::Path;

fn raw() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../template.yaml");
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The logical ids of the resources of `kind`.
fn ids_of(raw: &Value, kind: &str) -> Vec<String> {
    raw["Resources"]
        .as_mapping()
        .unwrap()
        .iter()
        .filter(|(_, resource)| resource["Type"].as_str() == Some(kind))
        .map(|(id, _)| id.as_str().unwrap().to_string())
        .collect()
}

/// A value as YAML text (intrinsics included), for "does it name X" checks.
fn text(value: &Value) -> String {
    serde_yaml::to_string(value).unwrap()
}

/// The words (logical ids, attribute names) in a value.
fn words(value: &Value) -> BTreeSet<String> {
    text(value)
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn every_table_outlives_the_stack_and_cannot_be_deleted_by_mistake() {
    let raw = raw();
    let tables = ids_of(&raw, "AWS::DynamoDB::Table");
    assert!(tables.len() >= 4, "{tables:?}");
    for id in tables {
        let table = &raw["Resources"][id.as_str()];
        assert_eq!(table["DeletionPolicy"].as_str(), Some("Retain"), "{id}");
        assert_eq!(
            table["UpdateReplacePolicy"].as_str(),
            Some("Retain"),
            "{id}"
        );
        assert_eq!(
            table["Properties"]["DeletionProtectionEnabled"].as_bool(),
            Some(true),
            "{id}"
        );
        assert_eq!(
            table["Properties"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]
                .as_bool(),
            Some(true),
            "{id}"
        );
    }
}

#[test]
fn every_function_logs_to_a_group_with_a_retention_and_the_api_writes_access_logs() {
    let raw = raw();
    let groups: Vec<&Value> = ids_of(&raw, "AWS::Logs::LogGroup")
        .into_iter()
        .map(|id| &raw["Resources"][id.as_str()])
        .collect();
    for group in &groups {
        assert!(
            !group["Properties"]["RetentionInDays"].is_null(),
            "a log group without a retention: {}",
            text(group)
        );
    }
    for function in ids_of(&raw, "AWS::Serverless::Function") {
        let own = groups.iter().any(|group| {
            let name = text(&group["Properties"]["LogGroupName"]);
            name.contains("/aws/lambda/")
                && words(&group["Properties"]["LogGroupName"]).contains(&function)
        });
        assert!(
            own,
            "{function} has no log group of its own with a retention"
        );
    }
    let access = &raw["Resources"]["HttpApi"]["Properties"]["AccessLogSettings"];
    let destination = words(&access["DestinationArn"]);
    assert!(
        destination
            .iter()
            .any(|w| ids_of(&raw, "AWS::Logs::LogGroup").contains(w)),
        "the HTTP API's access log goes to a log group of the stack: {}",
        text(access)
    );
    assert!(text(&access["Format"]).contains("$context.requestId"));
}

#[test]
fn every_rule_target_has_a_dead_letter_queue_that_eventbridge_may_write_to() {
    let raw = raw();
    let policies: Vec<&Value> = ids_of(&raw, "AWS::SQS::QueuePolicy")
        .into_iter()
        .map(|id| &raw["Resources"][id.as_str()])
        .collect();
    for rule in ids_of(&raw, "AWS::Events::Rule") {
        let targets = raw["Resources"][rule.as_str()]["Properties"]["Targets"]
            .as_sequence()
            .unwrap();
        for target in targets {
            let dlq = words(&target["DeadLetterConfig"]["Arn"]);
            let dlq = ids_of(&raw, "AWS::SQS::Queue")
                .into_iter()
                .find(|queue| dlq.contains(queue))
                .unwrap_or_else(|| {
                    panic!("{rule}: a target without a DLQ queue: {}", text(target))
                });
            let allowed = policies.iter().any(|policy| {
                let statements = policy["Properties"]["PolicyDocument"]["Statement"]
                    .as_sequence()
                    .unwrap();
                statements.iter().any(|statement| {
                    statement["Principal"]["Service"].as_str() == Some("events.amazonaws.com")
                        && words(&statement["Resource"]).contains(&dlq)
                        && words(&statement["Condition"]).contains(&rule)
                })
            });
            assert!(allowed, "{rule}: EventBridge may not send to {dlq}");
        }
    }
}

#[test]
fn the_scheduler_role_serves_only_this_account_and_only_the_scheduler_may_be_passed_it() {
    let raw = raw();
    let trust = &raw["Resources"]["SchedulerRole"]["Properties"]["AssumeRolePolicyDocument"];
    for statement in trust["Statement"].as_sequence().unwrap() {
        assert!(
            text(&statement["Condition"]["StringEquals"]["aws:SourceAccount"])
                .contains("AWS::AccountId"),
            "{}",
            text(statement)
        );
    }
    let mut passes = 0;
    for function in ids_of(&raw, "AWS::Serverless::Function") {
        let policies = &raw["Resources"][function.as_str()]["Properties"]["Policies"];
        for policy in policies.as_sequence().into_iter().flatten() {
            for statement in policy["Statement"].as_sequence().into_iter().flatten() {
                if text(&statement["Action"]).contains("iam:PassRole") {
                    passes += 1;
                    assert_eq!(
                        statement["Condition"]["StringEquals"]["iam:PassedToService"].as_str(),
                        Some("scheduler.amazonaws.com"),
                        "{function}"
                    );
                }
            }
        }
    }
    assert!(
        passes > 0,
        "the order functions pass the scheduler its role"
    );
}
