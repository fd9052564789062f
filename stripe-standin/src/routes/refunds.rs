//! Refunds of a succeeded PaymentIntent's charge: create, list, retrieve.

use stripe_shared::{PaymentIntentStatus, RefundReason};

use super::payment_intents::{self, format_money};
use super::{json, limit, ApiRequest, Reply};
use crate::errors::ApiError;
use crate::ids::new_id;
use crate::objects;
use crate::state::State;

/// `POST /v1/refunds` with `payment_intent` or `charge`, and optionally `amount` (default: what
/// remains), `reason`, `metadata`.
pub fn create(state: &mut State, req: &ApiRequest) -> Reply {
    let params = &req.params;
    params.only(&[
        "payment_intent",
        "charge",
        "amount",
        "reason",
        "metadata",
        "expand",
    ])?;
    let reason = match params.get("reason") {
        None => None,
        Some("duplicate") => Some(RefundReason::Duplicate),
        Some("fraudulent") => Some(RefundReason::Fraudulent),
        Some("requested_by_customer") => Some(RefundReason::RequestedByCustomer),
        Some(other) => {
            return Err(ApiError::invalid_param(
                None,
                "reason",
                format!(
                    "Invalid reason: must be one of duplicate, fraudulent, or \
                     requested_by_customer (got {other})."
                ),
            ))
        }
    };
    let amount = params.integer("amount")?;
    if let Some(amount) = amount.filter(|a| *a < 1) {
        return Err(ApiError::invalid_param(
            Some("parameter_invalid_integer"),
            "amount",
            format!("Invalid positive integer: {amount}"),
        ));
    }
    if !req.expand().is_empty() {
        return Err(ApiError::invalid_param(
            None,
            "expand",
            "The stripe-standin does not expand refunds.",
        ));
    }

    let charge_id = match (params.get("payment_intent"), params.get("charge")) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid_param(
                None,
                "charge",
                "You can only specify one of these parameters: charge, payment_intent.",
            ))
        }
        (None, None) => {
            return Err(ApiError::invalid_param(
                Some("parameter_missing"),
                "charge",
                "One of the following params should be provided for this request: \
                 payment_intent or charge.",
            ))
        }
        (Some(intent_id), None) => {
            let intent = payment_intents::find(state, intent_id)
                .map_err(|_| ApiError::no_such("payment_intent", intent_id, "payment_intent"))?;
            let charge = intent.latest_charge.as_ref().map(|c| c.id().to_string());
            match (&intent.status, charge) {
                (PaymentIntentStatus::Succeeded, Some(charge)) => charge,
                _ => {
                    return Err(ApiError::invalid_request(
                        Some("charge_not_refundable"),
                        format!(
                            "This PaymentIntent ({intent_id}) does not have a successful charge \
                             to refund."
                        ),
                    ))
                }
            }
        }
        (None, Some(charge_id)) => charge_id.to_string(),
    };
    let charge = state
        .charges
        .get(&charge_id)
        .ok_or_else(|| ApiError::no_such("charge", &charge_id, "charge"))?;
    if !charge.paid {
        return Err(ApiError::invalid_request(
            Some("charge_not_refundable"),
            format!("Charge {charge_id} has no successful payment to refund."),
        ));
    }
    let remaining = charge.amount - charge.amount_refunded;
    if remaining == 0 {
        return Err(ApiError::invalid_request(
            Some("charge_already_refunded"),
            format!("Charge {charge_id} has already been refunded."),
        ));
    }
    let amount = amount.unwrap_or(remaining);
    if amount > remaining {
        let mut err = ApiError::invalid_request(
            None,
            format!(
                "Refund amount ({}) is greater than unrefunded amount on charge ({})",
                format_money(amount, &charge.currency),
                format_money(remaining, &charge.currency)
            ),
        );
        err.error.param = Some("amount".to_string());
        return Err(err);
    }

    let refund_id = new_id("re");
    let refund = objects::refund::succeeded(
        &refund_id,
        charge,
        amount,
        reason,
        params.hash("metadata"),
        req.now,
    );
    let charge = state.charges.get_mut(&charge_id).expect("found above");
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded == charge.amount;
    let charge = charge.clone();
    state.refunds.push(refund.clone());
    state.emit("charge.refunded", &charge_id, &charge, &req.info);
    state.emit("refund.created", &refund_id, &refund, &req.info);
    Ok(json(&refund))
}

/// `GET /v1/refunds`, newest first, optionally only those of a `payment_intent` or `charge`.
pub fn list(state: &mut State, req: &ApiRequest) -> Reply {
    req.params.only(&[
        "payment_intent",
        "charge",
        "limit",
        "starting_after",
        "ending_before",
    ])?;
    if req.params.get("starting_after").is_some() || req.params.get("ending_before").is_some() {
        return Err(ApiError::invalid_param(
            None,
            "starting_after",
            "The stripe-standin does not paginate refunds: raise `limit` instead.",
        ));
    }
    let limit = limit(req)?;
    let intent = req.params.get("payment_intent");
    let charge = req.params.get("charge");
    let matching: Vec<_> = state
        .refunds
        .iter()
        .rev()
        .filter(|refund| {
            intent.is_none_or(|id| refund.payment_intent.as_ref().is_some_and(|p| p.id() == id))
        })
        .filter(|refund| {
            charge.is_none_or(|id| refund.charge.as_ref().is_some_and(|c| c.id() == id))
        })
        .cloned()
        .collect();
    let has_more = matching.len() > limit;
    let page = matching.into_iter().take(limit).collect();
    Ok(super::list(page, has_more, "/v1/refunds"))
}

/// `GET /v1/refunds/{id}`
pub fn retrieve(state: &mut State, id: &str) -> Reply {
    state
        .refunds
        .iter()
        .find(|refund| refund.id == id)
        .map(json)
        .ok_or_else(|| ApiError::no_such("refund", id, "refund"))
}
