//! template.yaml and the code agree: every function in the template is a binary in the workspace
//! and every binary a function; each route is served by an HTTP handler, each queue consumer by
//! the SQS driver (its queue fed by a rule or a schedule, with a DLQ and partial batch failures),
//! each stream consumer by the stream driver on a table that has a stream.

use local::template::Template;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn template() -> Template {
    Template::load(root().join("template.yaml")).expect("template.yaml parses")
}

/// Every `functions/*/src/bin/*.rs`: binary name -> source.
fn function_binaries() -> BTreeMap<String, String> {
    let mut binaries = BTreeMap::new();
    for crate_dir in std::fs::read_dir(root().join("functions")).unwrap() {
        let bin_dir = crate_dir.unwrap().path().join("src/bin");
        let Ok(entries) = std::fs::read_dir(&bin_dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "rs") {
                let name = path.file_stem().unwrap().to_string_lossy().to_string();
                let source = std::fs::read_to_string(&path).unwrap();
                assert!(
                    binaries.insert(name.clone(), source).is_none(),
                    "two crates have a binary named {name}"
                );
            }
        }
    }
    binaries
}

/// The logical id a `!GetAtt X.Arn` / `!Ref X` value names, among `candidates`.
fn named<'a>(
    value: &serde_yaml::Value,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<String> {
    let text = serde_yaml::to_string(value).unwrap();
    let words: BTreeSet<&str> = text.split(|c: char| !(c.is_ascii_alphanumeric())).collect();
    candidates
        .filter(|id| words.contains(id))
        .map(str::to_string)
        .next()
}

#[test]
fn every_function_is_a_binary_and_every_binary_a_function() {
    let template = template();
    let in_template: BTreeSet<String> = template
        .functions
        .iter()
        .map(|f| f.binary.clone())
        .collect();
    let in_code: BTreeSet<String> = function_binaries().into_keys().collect();
    let missing_code: Vec<_> = in_template.difference(&in_code).collect();
    let missing_template: Vec<_> = in_code.difference(&in_template).collect();
    assert!(
        missing_code.is_empty(),
        "functions without a binary: {missing_code:?}"
    );
    assert!(
        missing_template.is_empty(),
        "binaries without a function: {missing_template:?}"
    );
    assert_eq!(
        in_template.len(),
        template.functions.len(),
        "two functions share a binary"
    );
    // and the names say the same thing: CreateOrderFunction -> create-order
    for function in &template.functions {
        let pascal: String = function
            .binary
            .split('-')
            .map(|word| word[..1].to_uppercase() + &word[1..])
            .collect();
        assert_eq!(function.logical_id, format!("{pascal}Function"));
    }
}

#[test]
fn every_route_is_served_by_an_http_handler_once() {
    let template = template();
    let binaries = function_binaries();
    let mut routes = BTreeSet::new();
    for function in template.functions.iter().filter(|f| !f.routes.is_empty()) {
        assert!(
            binaries[&function.binary].contains("ticketing::http::serve"),
            "{} has a route but does not serve HTTP",
            function.logical_id
        );
        for route in &function.routes {
            assert!(
                route.path.starts_with("/api/"),
                "{} {}",
                route.method,
                route.path
            );
            assert!(
                routes.insert((route.method.clone(), route.path.clone())),
                "{} {} is routed twice",
                route.method,
                route.path
            );
        }
    }
}

#[test]
fn every_consumer_reads_a_queue_that_is_fed_and_has_a_dead_letter_queue() {
    let template = template();
    let binaries = function_binaries();
    let queue_ids = || template.queues.iter().map(|q| q.logical_id.as_str());
    let mut consumed = BTreeSet::new();
    for function in template
        .functions
        .iter()
        .filter(|f| !f.sqs_sources.is_empty())
    {
        assert!(
            binaries[&function.binary].contains("ticketing::consumer::serve"),
            "{} reads a queue but does not use the SQS driver",
            function.logical_id
        );
        for source in &function.sqs_sources {
            let queue = named(&source.queue, queue_ids()).unwrap_or_else(|| {
                panic!("{}: its queue is not in the template", function.logical_id)
            });
            assert!(
                source.report_batch_item_failures,
                "{}: ReportBatchItemFailures",
                function.logical_id
            );
            let def = template.queue(&queue).unwrap();
            let redrive = def
                .redrive
                .as_ref()
                .unwrap_or_else(|| panic!("{queue} has no dead-letter queue"));
            // A message waiting for an earlier event is received 1 s, 2 s, 4 s, ... 30 s apart
            // (ticketing::consumer::retry_delay): ten receives span about two and a half
            // minutes before it may reach the DLQ.
            assert!(
                redrive.max_receive_count >= 10,
                "{queue}: maxReceiveCount {} would send an event that only waits for an earlier \
                 one to the DLQ",
                redrive.max_receive_count
            );
            // CloudFormation refuses an SQS event source whose queue hides a message for less
            // time than the function may run (SQS's default visibility timeout is 30 s).
            let visibility = def
                .attributes
                .get("VisibilityTimeout")
                .map(|v| v.as_u64().expect("a number of seconds"))
                .unwrap_or(30);
            assert!(
                visibility >= function.timeout_seconds,
                "{queue}: VisibilityTimeout {visibility} s is shorter than {}'s Timeout {} s",
                function.logical_id,
                function.timeout_seconds
            );
            assert!(
                may_change_visibility(&function.logical_id, &queue),
                "{}: its policies do not allow sqs:ChangeMessageVisibility on {queue}",
                function.logical_id
            );
            let fed_by_rule = template.rules.iter().any(|rule| {
                rule.targets
                    .iter()
                    .any(|t| named(&t.arn, queue_ids()).as_deref() == Some(&queue))
            });
            let fed_by_schedule = template.functions.iter().any(|f| {
                f.environment
                    .values()
                    .any(|v| named(v, queue_ids()).as_deref() == Some(&queue))
            });
            assert!(fed_by_rule || fed_by_schedule, "nothing sends to {queue}");
            assert!(consumed.insert(queue.clone()), "{queue} has two consumers");
        }
    }
    // and every rule delivers to a queue somebody reads
    for rule in &template.rules {
        for target in &rule.targets {
            let queue = named(&target.arn, queue_ids()).unwrap();
            assert!(
                consumed.contains(&queue),
                "rule {} feeds {queue}, which nobody reads",
                rule.logical_id
            );
        }
    }
}

/// Whether the function's `Policies` allow `sqs:ChangeMessageVisibility` on the queue: the
/// consumer driver shortens the wait of a message that waits for an earlier event with it.
fn may_change_visibility(function: &str, queue: &str) -> bool {
    let text = std::fs::read_to_string(root().join("template.yaml")).unwrap();
    let raw: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let policies = &raw["Resources"][function]["Properties"]["Policies"];
    let Some(policies) = policies.as_sequence() else {
        return false;
    };
    policies.iter().any(|policy| {
        let Some(statements) = policy["Statement"].as_sequence() else {
            return false;
        };
        statements.iter().any(|statement| {
            let actions = serde_yaml::to_string(&statement["Action"]).unwrap();
            statement["Effect"].as_str() == Some("Allow")
                && actions.contains("sqs:ChangeMessageVisibility")
                && named(&statement["Resource"], [queue].into_iter()).is_some()
        })
    })
}

#[test]
fn every_stream_consumer_reads_a_table_with_a_stream() {
    let template = template();
    let binaries = function_binaries();
    let table_ids = || template.tables.iter().map(|t| t.logical_id.as_str());
    for function in template
        .functions
        .iter()
        .filter(|f| !f.stream_sources.is_empty())
    {
        assert!(
            binaries[&function.binary].contains("ticketing::stream::serve"),
            "{} reads a stream but does not use the stream driver",
            function.logical_id
        );
        for source in &function.stream_sources {
            let table = named(&source.stream, table_ids()).expect("the stream's table");
            assert!(
                template
                    .table(&table)
                    .unwrap()
                    .spec
                    .stream_view_type
                    .is_some(),
                "{table} has no stream"
            );
            assert!(
                source.parallelization_factor > 1,
                "{}: one batch of a shard at a time falls behind under load",
                function.logical_id
            );
        }
        assert!(
            has_iterator_age_alarm(&function.logical_id),
            "{}: no IteratorAge alarm says when its events fall behind",
            function.logical_id
        );
    }
}

/// Whether an alarm watches the function's `IteratorAge` and tells the alarm topic.
fn has_iterator_age_alarm(function: &str) -> bool {
    let text = std::fs::read_to_string(root().join("template.yaml")).unwrap();
    let raw: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let resources = raw["Resources"].as_mapping().unwrap();
    resources.values().any(|resource| {
        let props = &resource["Properties"];
        resource["Type"].as_str() == Some("AWS::CloudWatch::Alarm")
            && props["MetricName"].as_str() == Some("IteratorAge")
            && named(&props["Dimensions"], [function].into_iter()).is_some()
            && props["AlarmActions"]
                .as_sequence()
                .is_some_and(|a| !a.is_empty())
    })
}

#[test]
fn every_function_has_a_sample_event() {
    let template = template();
    for function in &template.functions {
        let path = root()
            .join("events")
            .join(format!("{}.json", function.binary));
        assert!(path.is_file(), "no sample event {}", path.display());
    }
}

/// The crate a function binary belongs to.
fn crate_of_binary(binary: &str) -> Option<PathBuf> {
    std::fs::read_dir(root().join("functions"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|dir| dir.join(format!("src/bin/{binary}.rs")).is_file())
}

/// The `source` a crate puts on its events (`pub const SOURCE` in `src/events.rs`), and that
/// file's text.
fn event_source_of_crate(crate_dir: &Path) -> Option<(String, String)> {
    let events = std::fs::read_to_string(crate_dir.join("src/events.rs")).ok()?;
    let line = events
        .lines()
        .find(|line| line.starts_with("pub const SOURCE: &str = "))?;
    Some((line.split('"').nth(1)?.to_string(), events))
}

/// The `source` a function binary's events carry.
fn event_source_of_binary(binary: &str) -> Option<String> {
    event_source_of_crate(&crate_of_binary(binary)?).map(|(source, _)| source)
}

/// The strings of a YAML value that is one string or a list of them.
fn strings(value: &serde_yaml::Value) -> Vec<String> {
    match value {
        serde_yaml::Value::String(one) => vec![one.clone()],
        serde_yaml::Value::Sequence(many) => many
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => vec![],
    }
}

#[test]
fn each_publisher_may_put_only_its_own_source_on_the_bus() {
    let template = template();
    let text = std::fs::read_to_string(root().join("template.yaml")).unwrap();
    let raw: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let mut publishers = 0;
    for function in &template.functions {
        let policies = &raw["Resources"][function.logical_id.as_str()]["Properties"]["Policies"];
        let policies = policies.as_sequence().cloned().unwrap_or_default();
        // SAM's policy template allows any source on the bus and can't carry a condition
        assert!(
            policies
                .iter()
                .all(|p| p.get("EventBridgePutEventsPolicy").is_none()),
            "{}: EventBridgePutEventsPolicy lets it put events of any source",
            function.logical_id
        );
        let put_events: Vec<&serde_yaml::Value> = policies
            .iter()
            .filter_map(|p| p["Statement"].as_sequence())
            .flatten()
            .filter(|s| {
                strings(&s["Action"])
                    .iter()
                    .any(|a| a == "events:PutEvents" || a == "events:*" || a == "*")
            })
            .collect();
        let publishes = function.environment.contains_key("EVENT_BUS_NAME");
        assert_eq!(
            publishes,
            !put_events.is_empty(),
            "{}: EVENT_BUS_NAME and an events:PutEvents statement go together",
            function.logical_id
        );
        if !publishes {
            continue;
        }
        publishers += 1;
        let source = event_source_of_binary(&function.binary).unwrap_or_else(|| {
            panic!(
                "{}: its crate has no `pub const SOURCE` in src/events.rs",
                function.logical_id
            )
        });
        for statement in put_events {
            assert_eq!(
                statement["Effect"].as_str(),
                Some("Allow"),
                "{}",
                function.logical_id
            );
            assert_eq!(
                strings(&statement["Condition"]["StringEquals"]["events:source"]),
                vec![source.clone()],
                "{}: events:PutEvents must be limited to its own source {source} \
                 (Condition StringEquals events:source)",
                function.logical_id
            );
        }
    }
    assert_eq!(publishers, 3, "tickets, orders and payments each publish");
}

#[test]
fn every_rule_matches_a_published_source_and_detail_type() {
    let template = template();
    let text = std::fs::read_to_string(root().join("template.yaml")).unwrap();
    let raw: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let published: BTreeMap<String, String> = template
        .functions
        .iter()
        .filter(|f| f.environment.contains_key("EVENT_BUS_NAME"))
        .filter_map(|f| event_source_of_crate(&crate_of_binary(&f.binary)?))
        .collect();
    assert!(!template.rules.is_empty());
    for rule in &template.rules {
        let pattern = &raw["Resources"][rule.logical_id.as_str()]["Properties"]["EventPattern"];
        let sources = strings(&pattern["source"]);
        let detail_types = strings(&pattern["detail-type"]);
        assert!(
            !sources.is_empty() && !detail_types.is_empty(),
            "{}: the EventPattern must match both source and detail-type",
            rule.logical_id
        );
        for source in &sources {
            let code = published
                .get(source)
                .unwrap_or_else(|| panic!("{}: no publisher has source {source}", rule.logical_id));
            for detail_type in &detail_types {
                assert!(
                    code.contains(&format!("\"{detail_type}\"")),
                    "{}: {source} never publishes {detail_type}",
                    rule.logical_id
                );
            }
        }
    }
}
