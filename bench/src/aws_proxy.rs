//! A recording HTTP proxy on 127.0.0.1, put between the functions and the local AWS (their
//! `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_DYNAMODB` both name it): DynamoDB and DynamoDB
//! Streams calls go on to DynamoDB Local, every other call to moto. It notes when each connection arrives (and, if asked, which process made
//! it) and when each call started and ended, so a benchmark can tell time spent in AWS calls
//! from its own. Without an upstream it answers 502 and only records: a trap for calls that
//! should not happen.

use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::client::conn::http1::SendRequest;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::net::{TcpListener, TcpStream};

/// A connection the proxy accepted.
#[derive(Debug, Clone)]
pub struct Connection {
    /// When it was accepted.
    pub accepted: Instant,
    /// The client's port.
    pub client_port: u16,
    /// The process that opened it, when pids are attributed and it could be found.
    pub pid: Option<u32>,
}

/// One request through the proxy.
#[derive(Debug, Clone)]
pub struct Call {
    /// Index into [`Recorder::connections`].
    pub connection: usize,
    /// When its head arrived.
    pub start: Instant,
    /// When the upstream's whole answer was in.
    pub end: Instant,
    /// The status answered.
    pub status: u16,
}

/// Where the proxy forwards: DynamoDB's calls (told by their `X-Amz-Target`) to DynamoDB Local,
/// the rest to moto.
#[derive(Debug, Clone, Copy)]
pub struct Upstreams {
    /// moto: SQS, EventBridge, Scheduler.
    pub moto: SocketAddr,
    /// DynamoDB Local: tables and streams.
    pub dynamodb: SocketAddr,
}

impl Upstreams {
    /// Both from `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_DYNAMODB` (`http://127.0.0.1:PORT`).
    pub fn from_env() -> Self {
        let addr = |name: &str| -> SocketAddr {
            std::env::var(name)
                .unwrap_or_else(|_| panic!("{name} is not set"))
                .trim_start_matches("http://")
                .trim_end_matches('/')
                .parse()
                .unwrap_or_else(|_| panic!("{name} is not http://127.0.0.1:PORT"))
        };
        Upstreams {
            moto: addr("AWS_ENDPOINT_URL"),
            dynamodb: addr("AWS_ENDPOINT_URL_DYNAMODB"),
        }
    }

    fn for_request<B>(&self, request: &Request<B>) -> SocketAddr {
        let target = request
            .headers()
            .get("x-amz-target")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if target.starts_with("DynamoDB") {
            self.dynamodb
        } else {
            self.moto
        }
    }
}

#[derive(Default)]
struct Log {
    connections: Mutex<Vec<Connection>>,
    calls: Mutex<Vec<Call>>,
}

/// A running recording proxy; it stops when dropped.
pub struct Recorder {
    addr: SocketAddr,
    log: Arc<Log>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Recorder {
    /// Listens on a free port of 127.0.0.1 and forwards to `upstream` (or answers 502).
    /// With `attribute_pids`, each connection's owner is looked up in /proc (off the request
    /// path, on a blocking thread).
    pub async fn start(upstream: Option<Upstreams>, attribute_pids: bool) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let log = Arc::new(Log::default());
        let task = tokio::spawn(serve(listener, upstream, attribute_pids, log.clone()));
        Ok(Recorder { addr, log, task })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The connections so far.
    pub fn connections(&self) -> Vec<Connection> {
        self.log.connections.lock().unwrap().clone()
    }

    /// The calls so far.
    pub fn calls(&self) -> Vec<Call> {
        self.log.calls.lock().unwrap().clone()
    }
}

/// A client connection's own connection upstream, and where it goes.
type Upstream = Arc<tokio::sync::Mutex<Option<(SocketAddr, SendRequest<Full<Bytes>>)>>>;

async fn serve(
    listener: TcpListener,
    upstream: Option<Upstreams>,
    attribute_pids: bool,
    log: Arc<Log>,
) {
    let own_port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    loop {
        let Ok((stream, peer)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let id = {
            let mut connections = log.connections.lock().unwrap();
            connections.push(Connection {
                accepted: Instant::now(),
                client_port: peer.port(),
                pid: None,
            });
            connections.len() - 1
        };
        if attribute_pids {
            let log = log.clone();
            tokio::task::spawn_blocking(move || {
                let pid = crate::procfs::client_socket_owner(peer.port(), own_port);
                log.connections.lock().unwrap()[id].pid = pid;
            });
        }
        let log = log.clone();
        tokio::spawn(async move {
            let sender: Upstream = Arc::new(tokio::sync::Mutex::new(None));
            let service = service_fn(move |request| {
                forward(request, upstream, sender.clone(), id, log.clone())
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn forward(
    request: Request<Incoming>,
    upstream: Option<Upstreams>,
    sender: Upstream,
    connection: usize,
    log: Arc<Log>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let start = Instant::now();
    let response = match upstream {
        Some(upstreams) => relay(upstreams.for_request(&request), request, &sender)
            .await
            .unwrap_or_else(|err| text(StatusCode::BAD_GATEWAY, format!("bench proxy: {err}"))),
        None => text(StatusCode::BAD_GATEWAY, "bench proxy: no upstream".into()),
    };
    log.calls.lock().unwrap().push(Call {
        connection,
        start,
        end: Instant::now(),
        status: response.status().as_u16(),
    });
    Ok(response)
}

async fn relay(
    addr: SocketAddr,
    request: Request<Incoming>,
    sender: &Upstream,
) -> Result<Response<Full<Bytes>>, String> {
    let (mut parts, body) = request.into_parts();
    let body = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
    parts.headers.remove(http::header::TRANSFER_ENCODING);
    parts.headers.remove(http::header::CONNECTION);
    parts
        .headers
        .insert(http::header::CONTENT_LENGTH, body.len().into());
    let mut guard = sender.lock().await;
    let reusable = match guard.as_mut() {
        Some((to, existing)) if *to == addr => existing.ready().await.is_ok(),
        _ => false,
    };
    if !reusable {
        let stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
        let _ = stream.set_nodelay(true);
        let (fresh, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(connection);
        *guard = Some((addr, fresh));
    }
    let (_, upstream) = guard.as_mut().expect("connected above");
    let response = upstream
        .send_request(Request::from_parts(parts, Full::new(body)))
        .await
        .map_err(|e| e.to_string())?;
    let (mut parts, body) = response.into_parts();
    let body = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
    // moto answers every request with `Connection: close`: open a new connection next time
    // rather than race the old one's closing.
    let closing = parts
        .headers
        .get(http::header::CONNECTION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("close"));
    if closing || parts.version < http::Version::HTTP_11 {
        *guard = None;
    }
    parts.headers.remove(http::header::TRANSFER_ENCODING);
    parts.headers.remove(http::header::CONNECTION);
    parts
        .headers
        .insert(http::header::CONTENT_LENGTH, body.len().into());
    Ok(Response::from_parts(parts, Full::new(body)))
}

fn text(status: StatusCode, message: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(message)));
    *response.status_mut() = status;
    response
}
