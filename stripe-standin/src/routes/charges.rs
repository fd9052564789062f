//! Charges, made by confirming PaymentIntents: retrieve only.

use super::{json, Reply};
use crate::errors::ApiError;
use crate::state::State;

/// `GET /v1/charges/{id}`
pub fn retrieve(state: &mut State, id: &str) -> Reply {
    state
        .charges
        .get(id)
        .map(json)
        .ok_or_else(|| ApiError::no_such("charge", id, "id"))
}
