//! An Event (`evt_...`): the envelope webhooks carry, as async-stripe's `Event`, with the object
//! as it was when the event happened.

use serde::Serialize;
use stripe_shared::{Event, EventType, NotificationEventData, NotificationEventRequest};

/// The request that caused an event: its id (`req_...`) and Idempotency-Key, if any.
#[derive(Clone, Debug, Default)]
pub struct RequestInfo {
    pub id: Option<String>,
    pub idempotency_key: Option<String>,
}

/// A new event of `type_` about `object`.
pub fn new(
    id: &str,
    type_: &str,
    object: &impl Serialize,
    request: &RequestInfo,
    pending_webhooks: i64,
    created: i64,
) -> Event {
    Event {
        account: None,
        api_version: Some(stripe_shared::version::VERSION.as_str().to_string()),
        context: None,
        created,
        data: NotificationEventData {
            object: to_mini_value(object),
            previous_attributes: None,
        },
        id: id.into(),
        livemode: false,
        pending_webhooks,
        request: Some(NotificationEventRequest {
            id: request.id.clone(),
            idempotency_key: request.idempotency_key.clone(),
        }),
        type_: type_
            .parse::<EventType>()
            .unwrap_or_else(|never| match never {}),
    }
}

/// async-stripe keeps `data.object` as a miniserde value: go through JSON to get one.
fn to_mini_value(object: &impl Serialize) -> miniserde::json::Value {
    let json = serde_json::to_string(object).expect("async-stripe objects serialize");
    miniserde::json::from_str(&json).expect("serde_json output is valid JSON")
}
