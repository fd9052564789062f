//! The stand-in's own routes, not Stripe's: what happened to each event, for people debugging
//! `make dev` and for tests.
//!
//! - `GET /_standin/events`: every event, oldest first, with its deliveries.
//! - `POST /_standin/events/{id}/resend`: deliver an event once more.
//! - `/_standin/connect/onboarding/...`: the hosted onboarding page of account links.

use std::sync::Arc;

use bytes::Bytes;
use http::{Method, Response, StatusCode};
use http_body_util::Full;

use crate::server::{json_response, to_bytes};
use crate::state::Shared;
use crate::webhooks;

pub(crate) async fn respond(
    shared: &Arc<Shared>,
    method: &Method,
    path: &str,
) -> Response<Full<Bytes>> {
    let segments: Vec<&str> = path
        .trim_start_matches("/_standin/")
        .trim_end_matches('/')
        .split('/')
        .collect();
    match (method, segments.as_slice()) {
        (_, ["connect", "onboarding", token]) => {
            crate::onboarding::respond(shared, method, token, None)
        }
        (_, ["connect", "onboarding", token, action]) => {
            crate::onboarding::respond(shared, method, token, Some(action))
        }
        (&Method::GET, ["events"]) => {
            let events: Vec<serde_json::Value> = shared
                .lock()
                .events
                .iter()
                .map(|event| event.summary())
                .collect();
            json_response(StatusCode::OK, to_bytes(&serde_json::Value::from(events)))
        }
        (&Method::POST, ["events", id, "resend"]) => {
            let result = webhooks::resend(shared, id).await;
            let summary = shared.lock().event(id).map(|event| event.summary());
            match (result, summary) {
                (Ok(()), Some(summary)) => json_response(StatusCode::OK, to_bytes(&summary)),
                (Err(error), summary) => json_response(
                    if summary.is_some() {
                        StatusCode::BAD_GATEWAY
                    } else {
                        StatusCode::NOT_FOUND
                    },
                    to_bytes(&serde_json::json!({"error": error, "event": summary})),
                ),
                (Ok(()), None) => json_response(StatusCode::NOT_FOUND, Vec::new()),
            }
        }
        _ => json_response(
            StatusCode::NOT_FOUND,
            to_bytes(&serde_json::json!({
                "error": "stripe-standin: GET /_standin/events or POST /_standin/events/{id}/resend"
            })),
        ),
    }
}
