//! Webhook endpoints: where events are delivered.

use stripe_shared::EventType;

use super::{json, ApiRequest, Reply};
use crate::errors::ApiError;
use crate::ids::{new_id, random_token};
use crate::state::State;
use crate::webhooks::WebhookEndpoint;

/// `POST /v1/webhook_endpoints` with `url`, `enabled_events[]` (`*` for all) and `connect`
/// (true: the events of connected accounts). The answer carries the signing secret `whsec_...`.
pub fn create(state: &mut State, req: &ApiRequest) -> Reply {
    let params = &req.params;
    params.only(&[
        "url",
        "enabled_events",
        "description",
        "metadata",
        "api_version",
        "connect",
    ])?;
    let url = params.required("url")?;
    let mut events = params.array("enabled_events");
    if events.is_empty() {
        events.push("*".to_string());
    }
    let connect = params.boolean("connect")?.unwrap_or(false);
    let endpoint = add(state, url, events, connect, req.now)?;
    Ok(json(&endpoint))
}

/// Adds an endpoint; returns it with its secret.
pub fn add(
    state: &mut State,
    url: &str,
    enabled_events: Vec<String>,
    connect: bool,
    now: i64,
) -> Result<WebhookEndpoint, ApiError> {
    match url.parse::<http::Uri>() {
        Ok(uri) if uri.scheme_str() == Some("http") && uri.host().is_some() => {}
        _ => {
            return Err(ApiError::invalid_param(
                Some("url_invalid"),
                "url",
                format!(
                    "Invalid URL: {url}. The stripe-standin delivers to plain http:// URLs \
                     (local endpoints)."
                ),
            ))
        }
    }
    for event in &enabled_events {
        let known =
            event == "*" || !matches!(event.parse::<EventType>(), Ok(EventType::Unknown(_)));
        if !known {
            return Err(ApiError::invalid_param(
                None,
                "enabled_events",
                format!("Invalid event type: {event}"),
            ));
        }
    }
    let endpoint = WebhookEndpoint {
        id: new_id("we"),
        object: "webhook_endpoint",
        api_version: None,
        application: None,
        created: now,
        description: None,
        enabled_events,
        livemode: false,
        metadata: Default::default(),
        connect,
        secret: Some(format!("whsec_{}", random_token(32))),
        status: "enabled",
        url: url.to_string(),
    };
    state.webhook_endpoints.push(endpoint.clone());
    Ok(endpoint)
}

/// `GET /v1/webhook_endpoints` (without their secrets, as Stripe shows them).
pub fn list(state: &mut State) -> Reply {
    let endpoints: Vec<WebhookEndpoint> = state
        .webhook_endpoints
        .iter()
        .rev()
        .map(WebhookEndpoint::without_secret)
        .collect();
    Ok(super::list(endpoints, false, "/v1/webhook_endpoints"))
}

/// `DELETE /v1/webhook_endpoints/{id}`
pub fn delete(state: &mut State, id: &str) -> Reply {
    let before = state.webhook_endpoints.len();
    state.webhook_endpoints.retain(|endpoint| endpoint.id != id);
    if state.webhook_endpoints.len() == before {
        return Err(ApiError::no_such("webhook_endpoint", id, "id"));
    }
    Ok(serde_json::json!({"id": id, "object": "webhook_endpoint", "deleted": true}))
}
