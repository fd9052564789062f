//! Test helpers: a stand-in on a free port, the real async-stripe client pointed at it, raw HTTP
//! requests (as Stripe.js and browsers send them), a local webhook receiver, and polling with a
//! deadline.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::convert::Infallible;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use stripe_standin::{Config, RetryPolicy, StandIn};
use tokio::net::TcpListener;

pub const SECRET_KEY: &str = "sk_test_local";
pub const PUBLISHABLE_KEY: &str = "pk_test_local";

/// A stand-in on a free port, retrying webhooks quickly.
pub async fn start() -> StandIn {
    start_with_retry(RetryPolicy {
        attempts: 4,
        initial_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(200),
    })
    .await
}

pub async fn start_with_retry(webhook_retry: RetryPolicy) -> StandIn {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = Config {
        webhook_retry,
        ..Config::default()
    };
    StandIn::start(listener, config).await
}

/// The real client, as production builds it, pointed at the stand-in.
pub fn client(standin: &StandIn) -> stripe::Client {
    stripe::ClientBuilder::new(SECRET_KEY)
        .url(standin.base_url())
        .build()
        .unwrap()
}

/// A raw HTTP answer.
pub struct Raw {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Raw {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Sends one request.
pub async fn request(method: Method, url: &str, headers: &[(&str, &str)], body: &str) -> Raw {
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let mut builder = Request::builder().method(method).uri(url);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let request = builder
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap();
    let response = client.request(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Raw {
        status,
        headers,
        body,
    }
}

/// A form POST to the API with `key` as Bearer token, plus `extra` headers.
pub async fn post_form(
    standin: &StandIn,
    path: &str,
    key: &str,
    body: &str,
    extra: &[(&str, &str)],
) -> Raw {
    let auth = format!("Bearer {key}");
    let mut headers = vec![
        ("authorization", auth.as_str()),
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    headers.extend_from_slice(extra);
    let url = format!("{}{}", standin.base_url(), path.trim_start_matches('/'));
    request(Method::POST, &url, &headers, body).await
}

/// A GET of the API with `key` as Bearer token.
pub async fn get(standin: &StandIn, path_and_query: &str, key: &str) -> Raw {
    let auth = format!("Bearer {key}");
    let url = format!(
        "{}{}",
        standin.base_url(),
        path_and_query.trim_start_matches('/')
    );
    request(Method::GET, &url, &[("authorization", auth.as_str())], "").await
}

/// Creates a PaymentIntent over raw HTTP; returns its JSON.
pub async fn create_intent(standin: &StandIn, amount: i64) -> serde_json::Value {
    let raw = post_form(
        standin,
        "/v1/payment_intents",
        SECRET_KEY,
        &format!("amount={amount}&currency=eur&metadata[orderId]=o-1"),
        &[],
    )
    .await;
    assert_eq!(raw.status, StatusCode::OK, "{}", raw.json());
    raw.json()
}

/// Polls `check` every 20 ms until it gives a value; panics after 10 s.
pub async fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// One webhook delivery as received.
#[derive(Clone, Debug)]
pub struct Received {
    pub signature: String,
    pub content_type: String,
    pub body: String,
    pub answered: u16,
}

/// A webhook endpoint on 127.0.0.1: records every delivery and answers with the scripted
/// statuses, then 200.
pub struct Receiver {
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/webhooks/stripe", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(VecDeque::new()));
        let (rec, scr) = (received.clone(), script.clone());
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let (rec, scr) = (rec.clone(), scr.clone());
                tokio::spawn(async move {
                    let service = service_fn(move |request: Request<Incoming>| {
                        let (rec, scr) = (rec.clone(), scr.clone());
                        async move {
                            let header = |name: &str| {
                                request
                                    .headers()
                                    .get(name)
                                    .and_then(|v| v.to_str().ok())
                                    .unwrap_or("")
                                    .to_string()
                            };
                            let (signature, content_type) =
                                (header("stripe-signature"), header("content-type"));
                            let body = request.into_body().collect().await.unwrap().to_bytes();
                            let status = scr.lock().unwrap().pop_front().unwrap_or(200);
                            rec.lock().unwrap().push(Received {
                                signature,
                                content_type,
                                body: String::from_utf8(body.to_vec()).unwrap(),
                                answered: status,
                            });
                            let response = Response::builder()
                                .status(status)
                                .body(Full::new(Bytes::new()))
                                .unwrap();
                            Ok::<_, Infallible>(response)
                        }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Receiver {
            url,
            received,
            script,
        }
    }

    /// The next deliveries get these statuses (then 200 again).
    pub fn answer_with(&self, statuses: &[u16]) {
        self.script.lock().unwrap().extend(statuses);
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Every delivery of the event with this type about this object id.
    pub fn deliveries_of(&self, type_: &str, object_id: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| {
                let json: serde_json::Value = serde_json::from_str(&r.body).unwrap();
                json["type"] == type_ && json["data"]["object"]["id"] == object_id
            })
            .collect()
    }

    /// Waits for the first accepted delivery of that event.
    pub async fn wait_for(&self, type_: &str, object_id: &str) -> Received {
        eventually(&format!("{type_} for {object_id}"), || {
            self.deliveries_of(type_, object_id)
                .into_iter()
                .find(|r| r.answered == 200)
        })
        .await
    }
}

/// Runs a future with a deadline.
pub async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), future)
        .await
        .unwrap_or_else(|_| panic!("timed out: {what}"))
}
