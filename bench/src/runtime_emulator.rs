//! A minimal Lambda Runtime API on 127.0.0.1 for one function process at a time: it reports
//! each call the process makes, with the time it arrived, and hands out the invocation the
//! benchmark gives it. `/next` calls wait for [`RuntimeCall::Next`]'s reply; an unanswered one
//! (the process asking for a second event) simply waits until the process is killed.

use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Instant;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};

/// An event to hand to the process.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// `Lambda-Runtime-Aws-Request-Id`.
    pub request_id: String,
    /// The event (JSON).
    pub payload: Vec<u8>,
    /// `Lambda-Runtime-Invoked-Function-Arn`.
    pub function_arn: String,
}

/// A call the process made.
#[derive(Debug)]
pub enum RuntimeCall {
    /// `GET invocation/next`; answer by sending the invocation.
    Next {
        /// When it arrived.
        at: Instant,
        /// Where the invocation goes.
        reply: oneshot::Sender<Invocation>,
    },
    /// `POST invocation/{id}/response`.
    Response {
        /// When it arrived.
        at: Instant,
        /// The response body.
        body: Bytes,
    },
    /// `POST invocation/{id}/error` or `init/error`.
    Error {
        /// When it arrived.
        at: Instant,
        /// The error body.
        body: Bytes,
    },
}

/// The running Runtime API.
pub struct RuntimeEmulator {
    addr: SocketAddr,
    calls: mpsc::UnboundedReceiver<RuntimeCall>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RuntimeEmulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl RuntimeEmulator {
    /// Listens on a free port of 127.0.0.1.
    pub async fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (tx, calls) = mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let tx = tx.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request| handle(request, tx.clone()));
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(RuntimeEmulator { addr, calls, task })
    }

    /// The value for `AWS_LAMBDA_RUNTIME_API` (`host:port`, as Lambda sets it).
    pub fn runtime_api(&self) -> String {
        self.addr.to_string()
    }

    /// The port the Runtime API listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The next call, or `None` if none arrives within `timeout`.
    pub async fn next_call(&mut self, timeout: std::time::Duration) -> Option<RuntimeCall> {
        tokio::time::timeout(timeout, self.calls.recv())
            .await
            .ok()
            .flatten()
    }
}

async fn handle(
    request: Request<Incoming>,
    calls: mpsc::UnboundedSender<RuntimeCall>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let at = Instant::now();
    let path = request.uri().path().to_string();
    let Some(rest) = path.strip_prefix("/2018-06-01/runtime/") else {
        return Ok(status(StatusCode::NOT_FOUND));
    };
    let parts: Vec<&str> = rest.split('/').collect();
    match (request.method().clone(), parts.as_slice()) {
        (Method::GET, ["invocation", "next"]) => {
            let (reply, invocation) = oneshot::channel();
            let _ = calls.send(RuntimeCall::Next { at, reply });
            let Ok(invocation) = invocation.await else {
                // Nobody wants to invoke it again: keep it waiting, as an idle sandbox does.
                std::future::pending::<()>().await;
                unreachable!()
            };
            let deadline_ms = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() + 30_000)
                .unwrap_or_default();
            Ok(Response::builder()
                .status(StatusCode::OK)
                .header("content-type", "application/json")
                .header("lambda-runtime-aws-request-id", &invocation.request_id)
                .header("lambda-runtime-deadline-ms", deadline_ms.to_string())
                .header(
                    "lambda-runtime-invoked-function-arn",
                    &invocation.function_arn,
                )
                .header(
                    "lambda-runtime-trace-id",
                    "Root=1-00000000-000000000000000000000000;Sampled=0",
                )
                .body(Full::new(Bytes::from(invocation.payload)))
                .expect("valid response"))
        }
        (Method::POST, ["invocation", _, "response"]) => {
            let body = body(request).await;
            let _ = calls.send(RuntimeCall::Response { at, body });
            Ok(status(StatusCode::ACCEPTED))
        }
        (Method::POST, ["invocation", _, "error"] | ["init", "error"]) => {
            let body = body(request).await;
            let _ = calls.send(RuntimeCall::Error { at, body });
            Ok(status(StatusCode::ACCEPTED))
        }
        _ => Ok(status(StatusCode::NOT_FOUND)),
    }
}

async fn body(request: Request<Incoming>) -> Bytes {
    request
        .into_body()
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default()
}

fn status(code: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = code;
    response
}
