//! Test support: the real template on the real gateway, and a small HTTP client.
// Each test binary uses a different part of this module.
#![allow(dead_code)]

pub mod expiry;
pub mod payments;
pub mod payouts;

use aws_sdk_dynamodb::types::AttributeValue;
pub mod raw;

use aws_sdk_eventbridge::types::{PutEventsRequestEntry, Target};
use aws_sdk_sqs::types::QueueAttributeName;
use local::aws::Clients;
use local::config::GatewayConfig;
use local::startup::{self, RunningStack};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub const DEADLINE: Duration = Duration::from_secs(20);

/// A running local stack of the real template.
pub struct Stack {
    pub running: RunningStack,
    pub name: String,
    pub clients: Clients,
}

impl Stack {
    /// Starts the whole template as its own stack; `extra_parameters` are added to the overrides.
    pub async fn start(extra_parameters: &str) -> Self {
        Self::start_with_faults(extra_parameters, "").await
    }

    /// Like [`Stack::start`], with the `LOCAL_FAULTS` the gateway injects (local::faults).
    pub async fn start_with_faults(extra_parameters: &str, faults: &str) -> Self {
        let gateway = PathBuf::from(env!("CARGO_BIN_EXE_local-gateway"));
        let functions = gateway.parent().unwrap().to_path_buf();
        for binary in [
            "create-ticket",
            "get-ticket",
            "update-ticket",
            "publish-ticket-events",
            "tickets-on-order-created",
            "tickets-on-order-cancelled",
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
        let mut vars: BTreeMap<&str, String> = BTreeMap::from([
            ("AWS_ENDPOINT_URL", local::emulators::moto()),
            ("AWS_ENDPOINT_URL_DYNAMODB", local::emulators::dynamodb()),
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
                format!(
                    "{} CookieSecure=false StripeSecretKey=sk_test_unused \
                     StripeWebhookSecret=whsec_unused_by_these_tests_000000 \
                     StripeConnectWebhookSecret=whsec_unused_by_these_tests_000000 \
                     StripePublishableKey=pk_test_unused {extra_parameters}",
                    local::testing::session_key_parameters()
                ),
            ),
            ("MAX_INSTANCES", "2".into()),
            ("LOCAL_FAULTS", faults.into()),
        ]);
        // A message the gateway fails on purpose comes back after 1 s instead of its queue's
        // 60 s visibility timeout: the fault tests are about what happens, not how long it
        // takes. Without faults, failed messages keep AWS's timing.
        if !faults.is_empty() {
            vars.insert("SQS_RETRY_DELAY_SECONDS", "1".into());
        }
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

    /// Sends a request exactly as given (headers, body bytes); see [`raw::send`].
    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &[u8])],
        body: &[u8],
    ) -> raw::RawResponse {
        raw::send(self.running.port(), method, path, headers, body).await
    }

    pub fn bus(&self) -> String {
        format!("{}-events", self.name)
    }

    /// The physical name of a resource of the template (`<stack>-<LogicalId>`).
    pub fn physical(&self, logical_id: &str) -> String {
        format!("{}-{logical_id}", self.name)
    }

    /// An extra queue on the bus that receives every tickets event, so the test can read them.
    pub async fn listen_to_ticket_events(&self) -> String {
        self.listen_to("ticketing.tickets").await
    }

    /// An extra queue on the bus that receives every event of `source`, so the test can read them.
    pub async fn listen_to(&self, source: &str) -> String {
        let sqs = &self.clients.sqs;
        let name = format!("{}-listen-{}", self.name, source.replace('.', "-"));
        let url = sqs
            .create_queue()
            .queue_name(&name)
            .send()
            .await
            .unwrap()
            .queue_url
            .unwrap();
        let arn = sqs
            .get_queue_attributes()
            .queue_url(&url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .unwrap()
            .attributes
            .unwrap()[&QueueAttributeName::QueueArn]
            .clone();
        let events = &self.clients.eventbridge;
        events
            .put_rule()
            .name(&name)
            .event_bus_name(self.bus())
            .event_pattern(json!({"source": [source]}).to_string())
            .send()
            .await
            .unwrap();
        events
            .put_targets()
            .rule(&name)
            .event_bus_name(self.bus())
            .targets(Target::builder().id("listener").arn(arn).build().unwrap())
            .send()
            .await
            .unwrap();
        url
    }

    /// Every event on a listener queue so far (taken off it).
    pub async fn take_events(&self, queue_url: &str) -> Vec<Value> {
        let mut events = Vec::new();
        loop {
            let received = self.receive(queue_url).await;
            if received.messages().is_empty() {
                return events;
            }
            for message in received.messages() {
                events.push(serde_json::from_str(message.body().unwrap()).unwrap());
                self.clients
                    .sqs
                    .delete_message()
                    .queue_url(queue_url)
                    .receipt_handle(message.receipt_handle().unwrap())
                    .send()
                    .await
                    .unwrap();
            }
        }
    }

    /// Up to 10 messages of a queue (a short poll).
    async fn receive(
        &self,
        queue_url: &str,
    ) -> aws_sdk_sqs::operation::receive_message::ReceiveMessageOutput {
        self.clients
            .sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .send()
            .await
            .unwrap()
    }

    /// Waits for an event on the listener queue that `wanted` accepts.
    pub async fn wait_for_event(&self, queue_url: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + DEADLINE;
        let mut seen = Vec::new();
        loop {
            let received = self.receive(queue_url).await;
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

    /// Puts an event on the bus as the orders domain would.
    pub async fn publish_order_event(&self, detail_type: &str, detail: Value) {
        self.publish("ticketing.orders", detail_type, detail).await
    }

    /// Puts an event on the bus as the domain `source` would.
    pub async fn publish(&self, source: &str, detail_type: &str, detail: Value) {
        let output = self
            .clients
            .eventbridge
            .put_events()
            .entries(
                PutEventsRequestEntry::builder()
                    .event_bus_name(self.bus())
                    .source(source)
                    .detail_type(detail_type)
                    .detail(detail.to_string())
                    .build(),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(output.failed_entry_count(), 0);
    }

    /// The URL of a queue of the template.
    pub async fn queue_url(&self, logical_id: &str) -> String {
        self.clients
            .sqs
            .get_queue_url()
            .queue_name(self.physical(logical_id))
            .send()
            .await
            .unwrap()
            .queue_url
            .unwrap()
    }

    /// Sends a message to a queue of the template, as the Scheduler or a rule would.
    pub async fn send_to_queue(&self, logical_id: &str, body: &str) {
        let url = self.queue_url(logical_id).await;
        self.clients
            .sqs
            .send_message()
            .queue_url(url)
            .message_body(body)
            .send()
            .await
            .unwrap();
    }

    /// How many messages a queue of the template holds, waiting or in flight.
    pub async fn queue_length(&self, logical_id: &str) -> u64 {
        let url = self.queue_url(logical_id).await;
        let attributes = self
            .clients
            .sqs
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
            .send()
            .await
            .unwrap()
            .attributes
            .unwrap_or_default();
        [
            QueueAttributeName::ApproximateNumberOfMessages,
            QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
        ]
        .iter()
        .map(|name| {
            attributes
                .get(name)
                .map_or(0, |n| n.parse::<u64>().unwrap())
        })
        .sum()
    }

    /// Waits until each consumer's queue (`<consumer>Queue`) is empty, every message handled,
    /// and fails if any of them ended in the consumer's dead-letter queue (`<consumer>DLQ`).
    /// Only meaningful after the messages were sent: a queue is also empty before they arrive.
    pub async fn consumers_settled(&self, consumers: &[&str]) {
        for consumer in consumers {
            let queue = format!("{consumer}Queue");
            self.eventually(&format!("{queue} drained"), || async {
                (self.queue_length(&queue).await == 0).then_some(())
            })
            .await;
            let dead = self.queue_length(&format!("{consumer}DLQ")).await;
            assert_eq!(dead, 0, "{consumer} dead-lettered {dead} messages");
        }
    }

    /// An item of a table of the template, by its key (`pk`; `id` in the Tickets table).
    pub async fn item(&self, table: &str, key: &str) -> Option<HashMap<String, AttributeValue>> {
        let key_name = if table == "TicketsTable" { "id" } else { "pk" };
        self.clients
            .dynamodb
            .get_item()
            .table_name(self.physical(table))
            .key(key_name, AttributeValue::S(key.to_string()))
            .consistent_read(true)
            .send()
            .await
            .unwrap()
            .item
    }

    pub async fn http(
        &self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Vec<String>, Value) {
        http(self.running.port(), method, path, cookie, body).await
    }

    /// Signs up a new user named after `who` and this stack; returns the `session=...` cookie.
    pub async fn sign_up(&self, who: &str) -> String {
        let email = format!("{who}-{}@example.com", self.name);
        let body = json!({"email": email, "password": "password123"});
        let (status, cookies, _) = self
            .http("POST", "/api/users/signup", None, Some(body))
            .await;
        assert_eq!(status, 201);
        cookies[0].split(';').next().unwrap().to_string()
    }

    /// Lists a ticket for sale as the signed-in `seller`; returns it.
    pub async fn sell(&self, seller: &str, title: &str, price: u64) -> Value {
        let (status, _, ticket) = self
            .http(
                "POST",
                "/api/tickets",
                Some(seller),
                Some(json!({"title": title, "price": price})),
            )
            .await;
        assert_eq!(status, 201, "{ticket}");
        ticket
    }

    /// POST /api/orders for the buyer until the orders side knows the ticket: the order.
    pub async fn reserve(&self, buyer: &str, ticket_id: &str) -> Value {
        self.eventually("the ticket reservable", || async {
            let (status, _, order) = self
                .http(
                    "POST",
                    "/api/orders",
                    Some(buyer),
                    Some(json!({"ticketId": ticket_id})),
                )
                .await;
            (status == 201).then_some(order)
        })
        .await
    }

    /// Polls until every invariant holds with the queues drained (replicas caught up), or fails
    /// the test listing what is still broken.
    pub async fn invariants_hold(&self) {
        let tables = local::invariants::Tables::of_stack(&self.name);
        let deadline = Instant::now() + DEADLINE;
        loop {
            let broken = local::invariants::violations(&self.clients.dynamodb, &tables, true)
                .await
                .unwrap();
            if broken.is_empty() {
                return;
            }
            assert!(Instant::now() < deadline, "invariants broken: {broken:#?}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Polls until `check` returns something, or fails the test naming `what`.
    pub async fn eventually<T, F, Fut>(&self, what: &str, check: F) -> T
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Option<T>>,
    {
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Some(value) = check().await {
                return value;
            }
            assert!(
                Instant::now() < deadline,
                "{what} did not happen within {DEADLINE:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Polls a ticket until `done` accepts it.
    pub async fn wait_for_ticket(&self, id: &str, done: impl Fn(&Value) -> bool) -> Value {
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
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let raw = exchange(port, &json_request(method, path, cookie, &body, "")).await;
    read_response(&raw)
}

/// A whole HTTP/1.1 request with a JSON body (empty for none), `extra` header lines (each ending
/// in CRLF) and `connection: close`.
pub fn json_request(
    method: &str,
    path: &str,
    cookie: Option<&str>,
    body: &str,
    extra: &str,
) -> String {
    let cookie = cookie
        .map(|c| format!("cookie: {c}\r\n"))
        .unwrap_or_default();
    format!(
        "{method} {path} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\ncontent-type: application/json\r\n{cookie}{extra}content-length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// A whole response: status, Set-Cookie values and the JSON body (null if not JSON).
pub fn read_response(raw: &str) -> (u16, Vec<String>, Value) {
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

/// Sends `request` (a whole HTTP/1.1 request, with `connection: close`) to 127.0.0.1:`port` and
/// returns the whole response as text.
pub async fn exchange(port: u16, request: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.unwrap();
    raw
}
