//! The Lambda Runtime API (`/2018-06-01/runtime/...`) that function processes poll.
//!
//! One listener serves every instance; each instance gets its own base path
//! (`/fn/<LogicalId>/<n>`, given as `AWS_LAMBDA_RUNTIME_API`), so a call tells us who made it.

use crate::function_pool::{Completion, FunctionPool, RuntimeApiError, MAX_RESPONSE_BYTES};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

const API_VERSION: &str = "2018-06-01";

/// A call an instance makes, parsed from its path.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Call<'p> {
    /// `GET invocation/next`
    Next,
    /// `POST invocation/{id}/response`
    Response(&'p str),
    /// `POST invocation/{id}/error`
    Error(&'p str),
    /// `POST init/error`
    InitError,
}

/// The `AWS_LAMBDA_RUNTIME_API` of one instance. The scheme is required: the runtime client
/// parses the value as a URI, and `host:port/path` without one is not a valid URI.
pub(crate) fn base_url(addr: SocketAddr, function: &str, instance: u32) -> String {
    format!("http://{addr}/fn/{function}/{instance}")
}

/// Splits `/fn/<function>/<n>/2018-06-01/runtime/<call>` into its parts.
pub(crate) fn parse_path(path: &str) -> Option<(&str, u32, Call<'_>)> {
    let rest = path.strip_prefix("/fn/")?;
    let (function, rest) = rest.split_once('/')?;
    let (instance, rest) = rest.split_once('/')?;
    let instance = instance.parse().ok()?;
    let rest = rest.strip_prefix(API_VERSION)?.strip_prefix("/runtime/")?;
    let parts: Vec<&str> = rest.split('/').collect();
    let call = match parts.as_slice() {
        ["invocation", "next"] => Call::Next,
        ["invocation", id, "response"] if !id.is_empty() => Call::Response(id),
        ["invocation", id, "error"] if !id.is_empty() => Call::Error(id),
        ["init", "error"] => Call::InitError,
        _ => return None,
    };
    Some((function, instance, call))
}

/// Serves the Runtime API until the task is aborted (which also drops every open connection).
pub(crate) async fn serve(listener: TcpListener, pools: Arc<HashMap<String, Arc<FunctionPool>>>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let pools = pools.clone();
                    connections.spawn(async move {
                        let service = service_fn(move |request| handle(pools.clone(), request));
                        let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                    });
                }
                // Out of file descriptors and the like: give the system a moment.
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn handle(
    pools: Arc<HashMap<String, Arc<FunctionPool>>>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = request.uri().path().to_string();
    let Some((function, instance, call)) = parse_path(&path) else {
        return Ok(error(
            StatusCode::NOT_FOUND,
            "UnknownPath",
            "no such Runtime API path",
        ));
    };
    let Some(pool) = pools.get(function) else {
        return Ok(error(
            StatusCode::NOT_FOUND,
            "UnknownFunction",
            "no such function",
        ));
    };
    let method = request.method().clone();
    let response = match (method, call) {
        (Method::GET, Call::Next) => match pool.next_invocation(instance).await {
            Ok(assignment) => Response::builder()
                .status(StatusCode::OK)
                .header("content-type", "application/json")
                .header("lambda-runtime-aws-request-id", &assignment.request_id)
                .header(
                    "lambda-runtime-deadline-ms",
                    assignment.deadline_ms.to_string(),
                )
                .header(
                    "lambda-runtime-invoked-function-arn",
                    &assignment.function_arn,
                )
                .header("lambda-runtime-trace-id", trace_id(&assignment.request_id))
                .body(Full::new(Bytes::from(assignment.payload)))
                .expect("valid response"),
            Err(err) => rejected(err),
        },
        (Method::POST, Call::Response(request_id)) => {
            let completion = match read_body(request).await {
                Some(body) => Completion::Response(body),
                None => Completion::ResponseTooLarge,
            };
            finish(pool.complete(instance, request_id, completion))
        }
        (Method::POST, Call::Error(request_id)) => {
            let error_type = request
                .headers()
                .get("lambda-runtime-function-error-type")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let body = read_body(request).await.unwrap_or_default();
            finish(pool.complete(instance, request_id, Completion::Error { body, error_type }))
        }
        (Method::POST, Call::InitError) => {
            let body = read_body(request).await.unwrap_or_default();
            pool.init_error(instance, &body);
            accepted()
        }
        _ => error(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "wrong method for this path",
        ),
    };
    Ok(response)
}

/// The body, or `None` if it is larger than Lambda allows.
async fn read_body(request: Request<Incoming>) -> Option<Vec<u8>> {
    Limited::new(request.into_body(), MAX_RESPONSE_BYTES + 1)
        .collect()
        .await
        .ok()
        .map(|collected| collected.to_bytes().to_vec())
}

fn finish(result: Result<(), RuntimeApiError>) -> Response<Full<Bytes>> {
    match result {
        Ok(()) => accepted(),
        Err(err) => rejected(err),
    }
}

fn accepted() -> Response<Full<Bytes>> {
    Response::builder()
        .status(StatusCode::ACCEPTED)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from_static(br#"{"status":"OK"}"#)))
        .expect("valid response")
}

fn rejected(err: RuntimeApiError) -> Response<Full<Bytes>> {
    match err {
        RuntimeApiError::UnknownInstance => error(
            StatusCode::FORBIDDEN,
            "UnknownInstance",
            "this instance is not running any more",
        ),
        RuntimeApiError::UnknownRequest => error(
            StatusCode::BAD_REQUEST,
            "InvalidRequestID",
            "this request id is not running on this instance",
        ),
    }
}

fn error(status: StatusCode, error_type: &str, message: &str) -> Response<Full<Bytes>> {
    let body = serde_json::json!({ "errorType": error_type, "errorMessage": message });
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("valid response")
}

/// An X-Ray style trace header, derived from the request id so it is unique per invocation.
fn trace_id(request_id: &str) -> String {
    let hex: String = request_id.chars().filter(char::is_ascii_hexdigit).collect();
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    format!(
        "Root=1-{seconds:08x}-{};Parent={};Sampled=0",
        &hex[..24.min(hex.len())],
        &hex[hex.len().saturating_sub(16)..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_runtime_call() {
        let base = "/fn/SignupFunction/3/2018-06-01/runtime";
        assert_eq!(
            parse_path(&format!("{base}/invocation/next")),
            Some(("SignupFunction", 3, Call::Next))
        );
        assert_eq!(
            parse_path(&format!("{base}/invocation/abc-1/response")),
            Some(("SignupFunction", 3, Call::Response("abc-1")))
        );
        assert_eq!(
            parse_path(&format!("{base}/invocation/abc-1/error")),
            Some(("SignupFunction", 3, Call::Error("abc-1")))
        );
        assert_eq!(
            parse_path(&format!("{base}/init/error")),
            Some(("SignupFunction", 3, Call::InitError))
        );
    }

    #[test]
    fn rejects_other_paths() {
        assert_eq!(parse_path("/2018-06-01/runtime/invocation/next"), None);
        assert_eq!(
            parse_path("/fn/F/x/2018-06-01/runtime/invocation/next"),
            None
        );
        assert_eq!(
            parse_path("/fn/F/1/2020-01-01/runtime/invocation/next"),
            None
        );
        assert_eq!(
            parse_path("/fn/F/1/2018-06-01/runtime/invocation//response"),
            None
        );
    }

    #[test]
    fn the_base_url_is_a_uri_the_runtime_client_accepts() {
        let url = base_url("127.0.0.1:9001".parse().unwrap(), "F", 2);
        let uri: http::Uri = url.parse().expect("valid URI");
        assert_eq!(uri.authority().unwrap().as_str(), "127.0.0.1:9001");
        assert_eq!(uri.path(), "/fn/F/2");
    }
}
