//! No secret, password, password hash or session token ever appears in a log line, and no
//! secret or hash in a response. The stack runs as `make dev` runs it: the gateway binary, every
//! function's output captured through it, our crates logging at debug level. Users sign up, sign
//! in (wrongly, then rightly), list, reserve and pay with the Stripe stand-in; then every captured
//! line and every response is searched.

mod support;

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;
use stripe_standin::{Config, StandIn};
use support::{exchange, json_request, read_response};

/// A signing key of this test's own (an Ed25519 seed), which must never reach a log either.
const SESSION_SIGNING_KEY: &str = "Ki_B8MPqUdBVr2_Opw1OROrAC_nRmKOAWpKZuKrNMMI";
const STRIPE_SECRET_KEY: &str = "sk_test_7d2a9e4c-never-in-a-log";
const WEBHOOK_SECRET: &str = "whsec_3c8e1f6a-never-in-a-log-or-anywhere";
const CONNECT_WEBHOOK_SECRET: &str = "whsec_7d2a9b40-connect-never-in-a-log-anywhere";
const PASSWORD: &str = "correct horse 4f9a";
const WRONG_PASSWORD: &str = "wrong battery 8c2d";

/// The gateway binary as a child process; every line it and its functions print is kept.
struct Gateway {
    child: Child,
    port: u16,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Gateway {
    fn start(stripe_base: &str) -> Self {
        let name = format!("logs-{}", &uuid::Uuid::new_v4().simple().to_string()[..10]);
        let template = concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml");
        let mut child = Command::new(env!("CARGO_BIN_EXE_local-gateway"))
            .env("AWS_ENDPOINT_URL", local::emulators::moto())
            .env("AWS_ENDPOINT_URL_DYNAMODB", local::emulators::dynamodb())
            .env("PORT", "0")
            .env("TEMPLATE", template)
            .env("STACK_NAME", &name)
            .env("WEB_DIST", std::env::temp_dir().join("no-web"))
            .env(
                "PARAMETER_OVERRIDES",
                format!(
                    "SessionSigningKey={SESSION_SIGNING_KEY} SessionPublicKeys={} \
                     CookieSecure=false StripeSecretKey={STRIPE_SECRET_KEY} \
                     StripeWebhookSecret={WEBHOOK_SECRET} StripePublishableKey=pk_test_local \
                     StripeConnectWebhookSecret={CONNECT_WEBHOOK_SECRET} \
                     StripeApiBase={stripe_base} StripeJsUrl={stripe_base}v3/",
                    ticketing::auth::token::public_key_of(SESSION_SIGNING_KEY).unwrap()
                ),
            )
            .env(
                "RUST_LOG",
                "info,ticketing=debug,auth=debug,tickets=debug,orders=debug,payments=debug",
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the gateway starts (cargo builds it for this test)");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (port_tx, port_rx) = mpsc::channel();
        keep_lines(child.stdout.take().unwrap(), lines.clone(), Some(port_tx));
        keep_lines(child.stderr.take().unwrap(), lines.clone(), None);
        let port = port_rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("the gateway did not start: {:#?}", lines.lock().unwrap()));
        Gateway { child, port, lines }
    }

    fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Keeps every line of `stream`; reports the port from the gateway's "running on" line.
fn keep_lines(
    stream: impl Read + Send + 'static,
    lines: Arc<Mutex<Vec<String>>>,
    port: Option<mpsc::Sender<u16>>,
) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if let (Some(tx), Some(rest)) = (
                &port,
                line.strip_prefix("Ticketing is running on http://localhost:"),
            ) {
                let _ = tx.send(rest.trim().parse().unwrap());
            }
            lines.lock().unwrap().push(line);
        }
    });
}

/// Every exchange with the stack, kept whole (head and body) for the search.
struct Client {
    port: u16,
    responses: Vec<String>,
}

impl Client {
    async fn send(
        &mut self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        body: Value,
    ) -> (u16, Vec<String>, Value) {
        let body = if body.is_null() {
            String::new()
        } else {
            body.to_string()
        };
        let raw = exchange(self.port, &json_request(method, path, cookie, &body, "")).await;
        self.responses.push(raw.clone());
        let (status, cookies, answer) = read_response(&raw);
        // the `name=value` part of each cookie, to send back
        let cookies = cookies
            .iter()
            .map(|c| c.split(';').next().unwrap().to_string())
            .collect();
        (status, cookies, answer)
    }

    /// Retries `send` until `accept` takes the answer (the stack is eventually consistent).
    async fn until(
        &mut self,
        what: &str,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        body: Value,
        accept: impl Fn(u16, &Value) -> bool,
    ) -> Value {
        let deadline = std::time::Instant::now() + support::DEADLINE;
        loop {
            let (status, _, answer) = self.send(method, path, cookie, body.clone()).await;
            if accept(status, &answer) {
                return answer;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{what}: last answer {status} {answer}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

#[tokio::test]
async fn no_secret_or_password_in_any_log_line_or_response() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let stripe = StandIn::start(
        listener,
        Config {
            secret_key: STRIPE_SECRET_KEY.to_string(),
            log: false,
            ..Config::default()
        },
    )
    .await;
    let gateway = Gateway::start(&stripe.base_url());
    stripe.add_webhook_endpoint_with_secret(
        &format!("http://127.0.0.1:{}/api/webhooks/stripe", gateway.port),
        WEBHOOK_SECRET,
    );
    let mut client = Client {
        port: gateway.port,
        responses: Vec::new(),
    };
    let seller_email = format!("seller-{}@example.com", uuid::Uuid::new_v4().simple());
    let buyer_email = format!("buyer-{}@example.com", uuid::Uuid::new_v4().simple());

    // sign-ups, a wrong and a right sign-in, the current user
    let mut tokens = Vec::new();
    for email in [&seller_email, &buyer_email] {
        let (status, cookies, _) = client
            .send(
                "POST",
                "/api/users/signup",
                None,
                json!({"email": email, "password": PASSWORD}),
            )
            .await;
        assert_eq!(status, 201);
        tokens.extend(cookies);
    }
    let (status, _, _) = client
        .send(
            "POST",
            "/api/users/signin",
            None,
            json!({"email": buyer_email, "password": WRONG_PASSWORD}),
        )
        .await;
    assert_eq!(status, 400);
    let (status, cookies, _) = client
        .send(
            "POST",
            "/api/users/signin",
            None,
            json!({"email": buyer_email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, 200);
    tokens.extend(cookies);
    let (seller, buyer) = (tokens[0].clone(), tokens[2].clone());
    let (_, _, me) = client
        .send("GET", "/api/users/currentuser", Some(&buyer), Value::Null)
        .await;
    assert_eq!(me["currentUser"]["email"], buyer_email.as_str());

    // a ticket listed, reserved and paid for
    let (status, _, ticket) = client
        .send(
            "POST",
            "/api/tickets",
            Some(&seller),
            json!({"title": "Logged show", "price": 4200}),
        )
        .await;
    assert_eq!(status, 201);
    let ticket_id = ticket["id"].as_str().unwrap().to_string();
    let order = client
        .until(
            "the ticket reservable",
            "POST",
            "/api/orders",
            Some(&buyer),
            json!({"ticketId": ticket_id}),
            |s, _| s == 201,
        )
        .await;
    let order_id = order["id"].as_str().unwrap().to_string();
    let payment = client
        .until(
            "the payment started",
            "POST",
            "/api/payments",
            Some(&buyer),
            json!({"orderId": order_id}),
            |s, _| s == 201,
        )
        .await;
    let intent = payment["id"].as_str().unwrap().to_string();
    let client_secret = payment["clientSecret"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    stripe.pay(&intent, "4242424242424242").await.unwrap();
    client
        .until(
            "the order complete",
            "GET",
            &format!("/api/orders/{order_id}"),
            Some(&buyer),
            Value::Null,
            |_, o| o["status"] == "complete",
        )
        .await;

    // THEN no log line holds a secret, a password, a hash or a token
    let lines = gateway.lines();
    for function in [
        "SignupFunction",
        "CreateTicketFunction",
        "StripeWebhookFunction",
    ] {
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&format!("[{function}]"))),
            "{function}'s output was captured: {lines:#?}"
        );
    }
    let session_tokens: Vec<String> = tokens
        .iter()
        .map(|c| c.trim_start_matches("session=").to_string())
        .collect();
    let mut never_logged = vec![
        SESSION_SIGNING_KEY.to_string(),
        STRIPE_SECRET_KEY.to_string(),
        WEBHOOK_SECRET.to_string(),
        CONNECT_WEBHOOK_SECRET.to_string(),
        PASSWORD.to_string(),
        WRONG_PASSWORD.to_string(),
        "$argon2".to_string(),
    ];
    never_logged.extend(session_tokens);
    if !client_secret.is_empty() {
        never_logged.push(client_secret);
    }
    for line in &lines {
        for secret in &never_logged {
            assert!(
                !line.contains(secret.as_str()),
                "a log line holds {secret:?}: {line}"
            );
        }
    }
    // AND no response holds a secret, a password or a hash (the session cookie is the point of
    // sign-in, and the client secret of paying, so those two are expected where they belong)
    for response in &client.responses {
        for secret in &never_logged[..6] {
            assert!(
                !response.contains(secret.as_str()),
                "a response holds {secret:?}: {response}"
            );
        }
    }
}
