//! JSON in, JSON out: the request/response plumbing every HTTP function shares.

pub use crate::body::{json_body, MAX_BODY_BYTES};
use crate::error::ApiError;
use crate::origin_verify::OriginVerifier;
use lambda_http::{http::StatusCode, Body, Request, RequestExt, Response};
use serde::Serialize;
use std::future::Future;

/// What an HTTP handler returns.
pub type ApiResult = Result<Response<Body>, ApiError>;

/// A JSON response with the given status.
pub fn json<T: Serialize>(status: StatusCode, value: &T) -> ApiResult {
    let body = serde_json::to_string(value).map_err(ApiError::internal)?;
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::Text(body))
        .map_err(ApiError::internal)
}

/// An empty response with the given status.
pub fn empty(status: StatusCode) -> ApiResult {
    Response::builder()
        .status(status)
        .body(Body::Empty)
        .map_err(ApiError::internal)
}

/// The response for a failed request: `{"errors":[...]}` with the error's status.
pub fn error_response(error: &ApiError) -> Response<Body> {
    let status =
        StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::json!({ "errors": error.errors() }).to_string();
    let mut response = Response::new(Body::Text(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        "content-type",
        lambda_http::http::HeaderValue::from_static("application/json"),
    );
    let retry_after = match error {
        ApiError::TooManyRequests {
            retry_after_seconds,
            ..
        } => Some(*retry_after_seconds),
        ApiError::Unavailable { .. } => Some(RETRY_UNAVAILABLE_AFTER_SECONDS),
        _ => None,
    };
    if let Some(seconds) = retry_after {
        response.headers_mut().insert("retry-after", seconds.into());
    }
    response
}

/// A handler panicked: the request fails with a 500 like any internal error.
#[derive(Debug, thiserror::Error)]
#[error("the handler panicked: {0}")]
struct Panicked(String);

/// What a 503 suggests as the wait before trying again.
const RETRY_UNAVAILABLE_AFTER_SECONDS: u64 = 5;

/// Runs an HTTP handler as the Lambda's entry point.
///
/// A request that did not come through CloudFront is refused (403) before anything else
/// ([`crate::origin_verify`]); the value it must carry is read once, here, at start-up.
/// State-changing requests sent by a browser on behalf of another site are refused (403)
/// before the handler runs ([`crate::same_origin`]).
///
/// `context` is built once per cold start (clients, keys) and lives for the whole process;
/// each request borrows it. Errors become their response here, and internal ones are logged
/// with their cause chain and the request id. A handler that panics answers 500 as well.
pub async fn serve<C, H, F>(context: C, handler: H) -> Result<(), lambda_http::Error>
where
    C: Sync + 'static,
    H: Fn(&'static C, Request) -> F + Send + Sync + 'static,
    F: Future<Output = ApiResult> + Send,
{
    let verifier: &'static OriginVerifier = Box::leak(Box::new(OriginVerifier::from_env()?));
    let context: &'static C = Box::leak(Box::new(context));
    let handler = &handler;
    lambda_http::run(lambda_http::service_fn(
        move |request: Request| async move {
            let request_id = request
                .lambda_context_ref()
                .map(|c| c.request_id.clone())
                .unwrap_or_default();
            let admitted = verifier
                .check(request.headers())
                .and_then(|()| crate::same_origin::check(request.method(), request.headers()));
            let outcome = match admitted {
                Ok(()) => crate::unwind::catching(handler(context, request))
                    .await
                    .unwrap_or_else(|panic| Err(ApiError::internal(Panicked(panic)))),
                Err(refused) => Err(refused),
            };
            let response = match outcome {
                Ok(response) => response,
                Err(error) => {
                    if error.status_code() >= 500 {
                        tracing::error!(request_id, cause = error.cause_chain(), "request failed");
                    }
                    error_response(&error)
                }
            };
            Ok::<_, std::convert::Infallible>(response)
        },
    ))
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_many_requests_says_when_to_try_again() {
        let response = error_response(&ApiError::TooManyRequests {
            message: "Too many attempts".into(),
            retry_after_seconds: 30,
        });
        assert_eq!(response.status(), 429);
        assert_eq!(response.headers()["retry-after"], "30");
    }

    #[test]
    fn an_unavailable_service_answers_503_with_a_message_and_not_the_cause() {
        let cause = std::io::Error::other("stripe timed out after 5 s");
        let response = error_response(&ApiError::unavailable("Card payments are down", cause));
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers()["retry-after"], "5");
        let Body::Text(text) = response.body() else {
            panic!("text body expected")
        };
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(text).unwrap(),
            serde_json::json!({"errors":[{"message":"Card payments are down"}]})
        );
    }

    #[test]
    fn the_error_body_lists_errors_with_fields() {
        let response = error_response(&ApiError::invalid("email", "Email must be valid"));
        assert_eq!(response.status(), 400);
        let Body::Text(text) = response.body() else {
            panic!("text body expected")
        };
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"errors":[{"message":"Email must be valid","field":"email"}]})
        );
    }
}
