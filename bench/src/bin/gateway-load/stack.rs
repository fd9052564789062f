//! The local stack under test: the release `local-gateway` as its own process (functions from
//! the release build), every AWS call of it and its functions through the recording proxy to
//! moto; and the requests that set it up (users, tickets, the orders-side replicas).

use bench::http_client::Client;
use bench::poll_until;
use serde_json::{json, Value};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use ticketing::auth::{CookieSettings, SessionKeys, SessionUser};
use tokio::process::{Child, Command};
use tokio::sync::Semaphore;

/// Every request the benchmark sends signs up with this password.
const PASSWORD: &str = "bench-password-123";

/// The gateway process and what it serves.
pub struct Stack {
    pub port: u16,
    pub name: String,
    gateway: Child,
}

impl Stack {
    /// Starts the gateway on `port`, with functions reaching AWS at `aws_endpoint`, and waits
    /// until it answers.
    pub async fn start(
        gateway: &Path,
        functions_dir: &Path,
        port: u16,
        aws_endpoint: &str,
        stripe_port: u16,
        root: &Path,
        max_instances: usize,
    ) -> Stack {
        let name = format!(
            "bench-load-{}",
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        let log_path = root.join(format!(".local/bench/gateway-{port}.log"));
        let log = std::fs::File::create(&log_path).expect("gateway log");
        let mut command = Command::new(gateway);
        command
            .env("AWS_ENDPOINT_URL", aws_endpoint)
            .env("AWS_ENDPOINT_URL_DYNAMODB", aws_endpoint)
            .env("PORT", port.to_string())
            .env("TEMPLATE", root.join("template.yaml"))
            .env("FUNCTIONS_DIR", functions_dir)
            .env("WEB_DIST", root.join(".local/bench/no-web"))
            .env("STACK_NAME", &name)
            .env("MAX_INSTANCES", max_instances.to_string())
            .env(
                "PARAMETER_OVERRIDES",
                bench::parameter_overrides(&format!("http://127.0.0.1:{stripe_port}/")),
            )
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .kill_on_drop(true);
        // The gateway gets SIGKILL if this program dies, so no stack is left behind.
        local::process::die_with_parent(command.as_std_mut());
        let gateway = command.spawn().expect("the gateway starts");
        println!(
            "gateway-load: gateway for stack {name} on 127.0.0.1:{port} (log: {})",
            log_path.display()
        );
        poll_until(
            "the gateway answering GET /api/tickets",
            Duration::from_secs(180),
            Duration::from_millis(200),
            || async move {
                let mut client = Client::connect(port).await.ok()?;
                let answer = client.send("GET", "/api/tickets", None, None).await.ok()?;
                (answer.status == 200).then_some(())
            },
        )
        .await;
        Stack {
            port,
            name,
            gateway,
        }
    }

    /// Ends the gateway (and with it every function process).
    pub async fn stop(mut self) {
        if let Some(pid) = self.gateway.id() {
            // SIGTERM lets it end its function processes.
            unsafe { libc::kill(pid as i32, libc::SIGTERM) };
        }
        if tokio::time::timeout(Duration::from_secs(10), self.gateway.wait())
            .await
            .is_err()
        {
            let _ = self.gateway.kill().await;
        }
    }

    /// Signs up `count` new users, `concurrency` at a time; returns their `session=` cookies.
    pub async fn sign_up_many(&self, label: &str, count: usize, concurrency: usize) -> Vec<String> {
        let gate = std::sync::Arc::new(Semaphore::new(concurrency));
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..count {
            let gate = gate.clone();
            let port = self.port;
            let email = format!("{label}-{i}-{}@example.com", self.name);
            tasks.spawn(async move {
                let _permit = gate.acquire().await.unwrap();
                sign_up(port, &email).await
            });
        }
        let mut cookies = Vec::with_capacity(count);
        while let Some(cookie) = tasks.join_next().await {
            cookies.push(cookie.unwrap());
        }
        cookies
    }

    /// Seeds `count` users straight into the Users table, each with an open session, `concurrency`
    /// at a time; returns their `session=` cookies. What sign-up stores, without its argon2id hash
    /// per user (all share one hash of [`PASSWORD`], made once) and without the gateway: on 2
    /// cores 10,000 sign-ups take minutes, and they are setup, not what is measured. The
    /// sessions are opened by the auth domain's own store code, so the functions see them as
    /// they see a signed-in user's.
    pub async fn seed_signed_in(
        &self,
        dynamodb: &aws_sdk_dynamodb::Client,
        label: &str,
        count: usize,
        concurrency: usize,
    ) -> Vec<String> {
        let users = auth::users::Users::new(dynamodb.clone(), format!("{}-UsersTable", self.name));
        let cookies = CookieSettings { secure: false };
        let sessions = std::sync::Arc::new(users.sessions(
            SessionKeys::for_seed(bench::SESSION_SIGNING_KEY, 3600).expect("a valid seed"),
            cookies,
        ));
        let users = std::sync::Arc::new(users);
        let password_hash = ticketing::auth::password::hash(PASSWORD).expect("argon2id hashes");
        let gate = std::sync::Arc::new(Semaphore::new(concurrency));
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..count {
            let (gate, users, sessions) = (gate.clone(), users.clone(), sessions.clone());
            let user = auth::users::User {
                id: uuid::Uuid::new_v4().to_string(),
                email: format!("{label}-{i}-{}@example.com", self.name),
                password_hash: password_hash.clone(),
                created_at_ms: now_ms(),
            };
            tasks.spawn(async move {
                let _permit = gate.acquire().await.unwrap();
                users.insert(&user).await.expect("a seeded user is stored");
                let session = SessionUser {
                    id: user.id,
                    email: user.email,
                };
                let opened = sessions.open(&session).await.expect("a session opens");
                format!("{}={}", cookies.session_name(), opened.token)
            });
        }
        let mut seeded = Vec::with_capacity(count);
        while let Some(cookie) = tasks.join_next().await {
            seeded.push(cookie.unwrap());
        }
        seeded
    }

    /// Lists `count` tickets as `seller`, `concurrency` at a time; returns their ids.
    pub async fn sell_many(&self, seller: &str, count: usize, concurrency: usize) -> Vec<String> {
        let gate = std::sync::Arc::new(Semaphore::new(concurrency));
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..count {
            let gate = gate.clone();
            let port = self.port;
            let seller = seller.to_string();
            tasks.spawn(async move {
                let _permit = gate.acquire().await.unwrap();
                let mut client = Client::connect(port).await.unwrap();
                let body = json!({"title": format!("Bench ticket {i}"), "price": 1000 + i});
                let answer = client
                    .send("POST", "/api/tickets", Some(&seller), Some(&body))
                    .await
                    .unwrap();
                assert_eq!(answer.status, 201, "create ticket: {}", answer.json);
                answer.json["id"].as_str().unwrap().to_string()
            });
        }
        let mut ids = Vec::with_capacity(count);
        while let Some(id) = tasks.join_next().await {
            ids.push(id.unwrap());
        }
        ids
    }

    /// Waits until the orders side holds a replica of every ticket in `ids` (an order can only
    /// be placed once the TicketCreated event reached it).
    pub async fn wait_for_replicas(&self, dynamodb: &aws_sdk_dynamodb::Client, ids: &[String]) {
        let table = format!("{}-OrdersTable", self.name);
        let wanted: std::collections::HashSet<String> =
            ids.iter().map(|id| format!("TICKET#{id}")).collect();
        poll_until(
            "the orders-side ticket replicas",
            Duration::from_secs(300),
            Duration::from_millis(500),
            || {
                let table = table.clone();
                let wanted = wanted.clone();
                async move {
                    let present = replica_keys(dynamodb, &table).await;
                    wanted.is_subset(&present).then_some(())
                }
            },
        )
        .await;
    }
}

async fn replica_keys(
    dynamodb: &aws_sdk_dynamodb::Client,
    table: &str,
) -> std::collections::HashSet<String> {
    let mut keys = std::collections::HashSet::new();
    let mut start = None;
    loop {
        let Ok(page) = dynamodb
            .scan()
            .table_name(table)
            .projection_expression("pk")
            .set_exclusive_start_key(start)
            .send()
            .await
        else {
            return keys;
        };
        for item in page.items() {
            if let Some(Ok(pk)) = item.get("pk").map(|v| v.as_s()) {
                if pk.starts_with("TICKET#") {
                    keys.insert(pk.clone());
                }
            }
        }
        start = page.last_evaluated_key().cloned();
        if start.is_none() {
            return keys;
        }
    }
}

async fn sign_up(port: u16, email: &str) -> String {
    let mut client = Client::connect(port).await.unwrap();
    let body = json!({"email": email, "password": PASSWORD});
    let answer = client
        .send("POST", "/api/users/signup", None, Some(&body))
        .await
        .unwrap();
    assert_eq!(answer.status, 201, "sign up: {}", answer.json);
    answer
        .cookies
        .into_iter()
        .find(|c| c.starts_with("session="))
        .expect("a session cookie")
}

/// The id of a ticket JSON.
pub fn ticket_id(order: &Value) -> Option<&str> {
    order["ticket"]["id"].as_str()
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
