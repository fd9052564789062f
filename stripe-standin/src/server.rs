//! The HTTP server: CORS, the Stripe.js file, the stand-in's inspection routes, the `/v1` API,
//! and one log line per request.

use std::convert::Infallible;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http::request::Parts;
use http::{header, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::errors::ApiError;
use crate::state::Shared;
use crate::{inspect, routes, stripe_js};

/// The largest request body accepted.
const MAX_BODY: usize = 1 << 20;

/// Accepts connections until the task is aborted.
pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(err) => {
                shared.log(format_args!("accept failed: {err}"));
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let shared = shared.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let shared = shared.clone();
                async move { Ok::<_, Infallible>(handle(shared, request).await) }
            });
            // A client that goes away mid-request is not our problem.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn handle(shared: Arc<Shared>, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let response = match Limited::new(body, MAX_BODY).collect().await {
        Ok(body) => respond(&shared, &parts, &body.to_bytes()).await,
        Err(_) => {
            let err = ApiError::invalid_request(None, "The request body is too large.");
            json_response(StatusCode::PAYLOAD_TOO_LARGE, to_bytes(&err.body()))
        }
    };
    shared.start_deliveries();
    let mut response = response;
    if is_cors_path(parts.uri.path()) {
        add_cors(&mut response);
    }
    shared.log(format_args!(
        "{} {} -> {} ({} ms)",
        parts.method,
        parts.uri.path(),
        response.status().as_u16(),
        started.elapsed().as_millis()
    ));
    response
}

async fn respond(shared: &Arc<Shared>, parts: &Parts, body: &Bytes) -> Response<Full<Bytes>> {
    let path = parts.uri.path();
    if parts.method == Method::OPTIONS && is_cors_path(path) {
        return Response::builder()
            .status(StatusCode::NO_CONTENT)
            .body(Full::default())
            .expect("valid response");
    }
    if path == "/v3" || path == "/v3/" {
        return stripe_js::response();
    }
    if path.starts_with("/v1/") {
        return api_with_faults(shared, parts, body).await;
    }
    if path.starts_with("/_standin/") {
        return inspect::respond(shared, &parts.method, path).await;
    }
    let err = ApiError::unrecognized_url(parts.method.as_str(), path);
    json_response(err.status, to_bytes(&err.body()))
}

/// The API as slow and unreliable as the stand-in was told to be.
async fn api_with_faults(
    shared: &Arc<Shared>,
    parts: &Parts,
    body: &Bytes,
) -> Response<Full<Bytes>> {
    let faults = shared.faults();
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    let n = shared.api_requests.fetch_add(1, Ordering::Relaxed);
    if faults.fails(n) {
        let err = ApiError::server_error(
            "An unknown error occurred (the stand-in's error rate, --error-rate).",
        );
        return json_response(err.status, to_bytes(&err.body()));
    }
    api(shared, parts, body)
}

fn api(shared: &Arc<Shared>, parts: &Parts, body: &Bytes) -> Response<Full<Bytes>> {
    let answer = {
        let mut state = shared.lock();
        routes::handle(
            &mut state,
            &shared.config,
            &parts.method,
            parts.uri.path(),
            parts.uri.query(),
            &parts.headers,
            body,
        )
    };
    let mut response = json_response(answer.status, answer.body);
    let headers = response.headers_mut();
    let mut set = |name: &'static str, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set("request-id", &answer.request_id);
    set("stripe-version", stripe_shared::version::VERSION.as_str());
    if let Some(key) = &answer.idempotency_key {
        set("idempotency-key", key);
    }
    if let Some(original) = &answer.replayed_from {
        set("idempotent-replayed", "true");
        set("original-request", original);
    }
    response
}

pub(crate) fn json_response(status: StatusCode, body: Vec<u8>) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CACHE_CONTROL, "no-cache, no-store")
        .body(Full::new(Bytes::from(body)))
        .expect("valid response")
}

pub(crate) fn to_bytes(value: &serde_json::Value) -> Vec<u8> {
    serde_json::to_vec_pretty(value).expect("JSON values serialize")
}

/// The browser calls the API and loads Stripe.js from the app's origin: both allow any origin.
fn is_cors_path(path: &str) -> bool {
    path.starts_with("/v1/") || path == "/v3" || path == "/v3/" || path.starts_with("/_standin/")
}

fn add_cors(response: &mut Response<Full<Bytes>>) {
    let headers = response.headers_mut();
    for (name, value) in [
        ("access-control-allow-origin", "*"),
        ("access-control-allow-methods", "GET, POST, DELETE, OPTIONS"),
        (
            "access-control-allow-headers",
            "Authorization, Content-Type, Idempotency-Key, Stripe-Version, Stripe-Account",
        ),
        (
            "access-control-expose-headers",
            "Request-Id, Stripe-Version, Idempotency-Key, Idempotent-Replayed, Original-Request",
        ),
        ("access-control-max-age", "600"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
}
