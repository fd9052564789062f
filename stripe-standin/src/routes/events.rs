//! Events: retrieve one by id, as a webhook handler may do to double-check what it got.

use super::Reply;
use crate::errors::ApiError;
use crate::state::State;

/// `GET /v1/events/{id}`: the event exactly as its webhooks carry it.
pub fn retrieve(state: &mut State, id: &str) -> Reply {
    let event = state
        .event(id)
        .ok_or_else(|| ApiError::no_such("event", id, "id"))?;
    Ok(serde_json::from_str(&event.payload).expect("stored payloads are JSON"))
}
