//! Transfers from the platform's balance to a connected account (separate charges and
//! transfers): create, list by `transfer_group` or `destination`, retrieve.

use serde_json::json;
use stripe_shared::{ChargeStatus, Transfer};

use super::{accounts, json, limit, ApiRequest, Reply};
use crate::errors::ApiError;
use crate::ids::new_id;
use crate::state::State;

/// `POST /v1/transfers` with `amount`, `currency`, `destination` and optionally
/// `source_transaction` (a succeeded charge of ours: the transfer is funded by it, so it may not
/// exceed it), `transfer_group`, `description`, `metadata`. The destination must be able to
/// receive transfers (its `transfers` capability active), as Stripe requires.
pub fn create(state: &mut State, req: &ApiRequest) -> Reply {
    let params = &req.params;
    params.only(&[
        "amount",
        "currency",
        "destination",
        "source_transaction",
        "transfer_group",
        "description",
        "metadata",
        "expand",
    ])?;
    let amount = params
        .integer("amount")?
        .ok_or_else(|| ApiError::missing_param("amount"))?;
    if amount < 1 {
        return Err(ApiError::invalid_param(
            Some("parameter_invalid_integer"),
            "amount",
            format!("Invalid positive integer: {amount}"),
        ));
    }
    let currency = params.required("currency")?.to_ascii_lowercase();
    let destination = params.required("destination")?;
    let account = state
        .accounts
        .get(destination)
        .ok_or_else(|| ApiError::no_such("account", destination, "destination"))?;
    if !accounts::can_receive_transfers(account) {
        return Err(ApiError::invalid_request(
            Some("insufficient_capabilities_for_transfer"),
            "Your destination account needs to have at least one of the following capabilities \
             enabled: transfers, crypto_transfers, legacy_payments",
        ));
    }
    let source = params.get("source_transaction");
    if let Some(charge_id) = source {
        let charge = state
            .charges
            .get(charge_id)
            .ok_or_else(|| ApiError::no_such("charge", charge_id, "source_transaction"))?;
        if charge.status != ChargeStatus::Succeeded {
            return Err(ApiError::invalid_param(
                None,
                "source_transaction",
                format!("The charge {charge_id} has not succeeded."),
            ));
        }
        if charge.currency.to_string() != currency {
            return Err(ApiError::invalid_param(
                None,
                "currency",
                format!(
                    "The currency of source_transaction's balance transaction ({}) must be the \
                     same as the transfer currency ({currency})",
                    charge.currency
                ),
            ));
        }
        let transferred: i64 = state
            .transfers
            .iter()
            .filter(|t| {
                t.source_transaction
                    .as_ref()
                    .is_some_and(|c| c.id() == charge_id)
            })
            .map(|t| t.amount)
            .sum();
        if transferred + amount > charge.amount {
            return Err(ApiError::invalid_param(
                Some("balance_insufficient"),
                "amount",
                format!(
                    "Insufficient funds in source_transaction {charge_id}: {} left, {amount} asked.",
                    charge.amount - transferred
                ),
            ));
        }
    }
    let id = new_id("tr");
    let value = json!({
        "id": id,
        "object": "transfer",
        "amount": amount,
        "amount_reversed": 0,
        "balance_transaction": new_id("txn"),
        "created": req.now,
        "currency": currency,
        "description": params.get("description"),
        "destination": destination,
        "destination_payment": new_id("py"),
        "livemode": false,
        "metadata": params.hash("metadata"),
        "reversals": {"object": "list", "data": [], "has_more": false,
                      "url": format!("/v1/transfers/{id}/reversals")},
        "reversed": false,
        "source_transaction": source,
        "source_type": "card",
        "transfer_group": params.get("transfer_group"),
    });
    let transfer: Transfer = serde_json::from_value(value)
        .map_err(|e| ApiError::server_error(format!("stripe-standin built a bad transfer: {e}")))?;
    state.transfers.push(transfer.clone());
    state.emit("transfer.created", &id, &transfer, &req.info);
    Ok(json(&transfer))
}

/// `GET /v1/transfers`, newest first, optionally only those with `transfer_group` or to
/// `destination`.
pub fn list(state: &mut State, req: &ApiRequest) -> Reply {
    req.params.only(&[
        "transfer_group",
        "destination",
        "limit",
        "created",
        "starting_after",
        "ending_before",
    ])?;
    if req.params.get("starting_after").is_some() || req.params.get("ending_before").is_some() {
        return Err(ApiError::invalid_param(
            None,
            "starting_after",
            "The stripe-standin does not paginate transfers: raise `limit` instead.",
        ));
    }
    let limit = limit(req)?;
    let group = req.params.get("transfer_group");
    let destination = req.params.get("destination");
    let matching: Vec<Transfer> = state
        .transfers
        .iter()
        .rev()
        .filter(|t| group.is_none_or(|g| t.transfer_group.as_deref() == Some(g)))
        .filter(|t| destination.is_none_or(|d| t.destination.as_ref().is_some_and(|a| a.id() == d)))
        .cloned()
        .collect();
    let has_more = matching.len() > limit;
    let page: Vec<Transfer> = matching.into_iter().take(limit).collect();
    Ok(super::list(page, has_more, "/v1/transfers"))
}

/// `GET /v1/transfers/{id}`
pub fn retrieve(state: &mut State, id: &str) -> Reply {
    state
        .transfers
        .iter()
        .find(|t| t.id.as_str() == id)
        .map(json)
        .ok_or_else(|| ApiError::no_such("transfer", id, "id"))
}
