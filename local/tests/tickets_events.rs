//! The tickets slice through the real gateway and the real template: an HTTP write reaches the
//! bus through the table stream and the publisher, and order events reach the tickets consumers
//! through EventBridge rules and SQS queues.

use aws_sdk_eventbridge::types::{PutEventsRequestEntry, Target};
use local::aws::Clients;
use local::config::GatewayConfig;
use local::startup::{self, RunningStack};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const DEADLINE: Duration = Duration::from_secs(20);

struct Stack {
    running: RunningStack,
    name: String,
    clients: Clients,
}

impl Stack {
    async fn start() -> Self {
        let gateway = PathBuf::from(env!("CARGO_BIN_EXE_local-gateway"));
        let functions = gateway.parent().unwrap().to_path_buf();
        for binary in [
            "create-ticket",
            "get-ticket",
            "update-ticket",
            "publish-ticket-events",
            "on-order-created",
            "on-order-cancelled",
            "signup",
        ] {
            assert!(
                functions.join(binary).is_file(),
                "{binary} is not built: run `cargo build --workspace` first"
            );
        }
        let name = format!(
            "tickets-{}",
            &uuid::Uuid::new_v4().simple().to_string()[..10]
        );
        let template = Path::new(env!("CARGO_MANIFEST_DIR")).join("../template.yaml");
        let vars: BTreeMap<&str, String> = BTreeMap::from([
            ("AWS_ENDPOINT_URL", local::moto::ensure()),
            ("PORT", "0".into()),
            ("TEMPLATE", template.display().to_string()),
            ("FUNCTIONS_DIR", functions.display().to_string()),
            (
                "WEB_DIST",
                std::env::temp_dir().join("no-web").display().to_string(),
            ),
            ("STACK_NAME", name.clone()),
            (
                "PARAMETER_OVERRIDES",
                "JwtSecret=test-secret-that-is-at-least-32-chars CookieSecure=false".into(),
            ),
            ("MAX_INSTANCES", "2".into()),
        ]);
        let config = GatewayConfig::from_lookup(|key| vars.get(key).cloned()).unwrap();
        let running = startup::start(&config)
            .await
            .unwrap_or_else(|e| panic!("the stack starts: {e}"));
        Stack {
            running,
            name,
            clients: local::testing::clients().await,
        }
    }

    fn bus(&self) -> String {
        format!("{}-events", self.name)
    }

    /// An extra queue on the bus that receives every tickets event, so the test can read them.
    async fn listen_to_ticket_events(&self) -> String {
        let sqs = &self.clients.sqs;
        let url = sqs
            .create_queue()
            .queue_name(format!("{}-listener", self.name))
            .send()
            .await
            .unwrap()
            .queue_url
            .unwrap();
        let arn = sqs
            .get_queue_attributes()
            .queue_url(&url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
            .send()
            .await
            .unwrap()
            .attributes
            .unwrap()[&aws_sdk_sqs::types::QueueAttributeName::QueueArn]
            .clone();
        let events = &self.clients.eventbridge;
        let rule = format!("{}-listener", self.name);
        events
            .put_rule()
            .name(&rule)
            .event_bus_name(self.bus())
            .event_pattern(json!({"source": ["ticketing.tickets"]}).to_string())
            .send()
            .await
            .unwrap();
        events
            .put_targets()
            .rule(&rule)
            .event_bus_name(self.bus())
            .targets(Target::builder().id("listener").arn(arn).build().unwrap())
            .send()
            .await
            .unwrap();
        url
    }

    /// Waits for an event on the listener queue that `wanted` accepts.
    async fn wait_for_event(&self, queue_url: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + DEADLINE;
        let mut seen = Vec::new();
        loop {
            let received = self
                .clients
                .sqs
                .receive_message()
                .queue_url(queue_url)
                .max_number_of_messages(10)
                .send()
                .await
                .unwrap();
            for message in received.messages() {
                let event: Value = serde_json::from_str(message.body().unwrap()).unwrap();
                if wanted(&event) {
                    return event;
                }
                seen.push(event);
            }
            assert!(
                Instant::now() < deadline,
                "no such event within {DEADLINE:?}; saw {seen:#?}"
            );
        }
    }

    async fn publish_order_event(&self, detail_type: &str, detail: Value) {
        let output = self
            .clients
            .eventbridge
            .put_events()
            .entries(
                PutEventsRequestEntry::builder()
                    .event_bus_name(self.bus())
                    .source("ticketing.orders")
                    .detail_type(detail_type)
                    .detail(detail.to_string())
                    .build(),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(output.failed_entry_count(), 0);
    }

    async fn http(
        &self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Vec<String>, Value) {
        http(self.running.port(), method, path, cookie, body).await
    }

    /// Polls a ticket until `done` accepts it.
    async fn wait_for_ticket(&self, id: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let (_, _, ticket) = self
                .http("GET", &format!("/api/tickets/{id}"), None, None)
                .await;
            if done(&ticket) {
                return ticket;
            }
            assert!(
                Instant::now() < deadline,
                "ticket never reached the expected state: {ticket}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// A minimal HTTP/1.1 exchange: status, Set-Cookie values and the JSON body.
async fn http(
    port: u16,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    body: Option<Value>,
) -> (u16, Vec<String>, Value) {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let cookie = cookie
        .map(|c| format!("cookie: {c}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\ncontent-type: application/json\r\n{cookie}content-length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let cookies = head
        .lines()
        .filter_map(|line| line.split_once(':'))
        .filter(|(name, _)| name.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, value)| value.trim().to_string())
        .collect();
    (
        status,
        cookies,
        serde_json::from_str(body).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn a_ticket_travels_from_http_to_the_bus_and_order_events_lock_and_free_it() {
    let stack = Stack::start().await;
    let listener = stack.listen_to_ticket_events().await;

    // GIVEN a signed-in seller who lists a ticket over HTTP
    let email = format!("{}@example.com", stack.name);
    let (status, cookies, _) = stack
        .http(
            "POST",
            "/api/users/signup",
            None,
            Some(json!({"email": email, "password": "password123"})),
        )
        .await;
    assert_eq!(status, 201);
    let cookie = cookies[0].split(';').next().unwrap().to_string();
    let (status, _, ticket) = stack
        .http(
            "POST",
            "/api/tickets",
            Some(&cookie),
            Some(json!({"title": "Concert", "price": 2500})),
        )
        .await;
    assert_eq!(status, 201, "{ticket}");
    let id = ticket["id"].as_str().unwrap().to_string();

    // THEN TicketCreated with the full ticket arrives through stream -> publisher -> bus -> rule -> SQS
    let created = stack
        .wait_for_event(&listener, |e| {
            e["detail-type"] == "TicketCreated" && e["detail"]["id"] == id.as_str()
        })
        .await;
    assert_eq!(created["source"], "ticketing.tickets");
    assert_eq!(created["detail"], ticket);

    // WHEN an order for it is created, OnOrderCreatedFunction (rule -> queue -> consumer) locks it
    let order = json!({"id": "order-1", "version": 0, "status": "created", "ticket": {"id": id, "price": 2500}});
    stack
        .publish_order_event("OrderCreated", order.clone())
        .await;
    let locked = stack
        .wait_for_ticket(&id, |t| t["orderId"] == "order-1")
        .await;
    assert_eq!(locked["version"], 1);
    let updated = stack
        .wait_for_event(&listener, |e| {
            e["detail-type"] == "TicketUpdated" && e["detail"]["version"] == 1
        })
        .await;
    assert_eq!(updated["detail"]["orderId"], "order-1");

    // AND the owner cannot edit it meanwhile
    let (status, _, body) = stack
        .http(
            "PUT",
            &format!("/api/tickets/{id}"),
            Some(&cookie),
            Some(json!({"title": "X", "price": 1})),
        )
        .await;
    assert_eq!(
        (status, body["errors"][0]["message"].as_str()),
        (409, Some("Cannot edit a reserved ticket"))
    );

    // WHEN the order is cancelled (and the creation delivered again), the ticket is free once more
    stack
        .publish_order_event("OrderCreated", order.clone())
        .await;
    let mut cancelled = order;
    cancelled["version"] = json!(1);
    cancelled["status"] = json!("cancelled");
    stack.publish_order_event("OrderCancelled", cancelled).await;
    let freed = stack
        .wait_for_ticket(&id, |t| t["orderId"].is_null() && t["version"] == 2)
        .await;
    assert_eq!(freed["title"], "Concert");
    let (status, _, _) = stack
        .http(
            "PUT",
            &format!("/api/tickets/{id}"),
            Some(&cookie),
            Some(json!({"title": "Concert", "price": 3000, "version": 2})),
        )
        .await;
    assert_eq!(status, 200);

    stack.running.stop().await;
}
