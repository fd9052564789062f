//! Connected accounts (Connect Express): create, retrieve, and what finishing the hosted
//! onboarding does to one.

use std::collections::HashMap;

use serde_json::json;
use stripe_shared::Account;

use super::{json, ApiRequest, Reply};
use crate::errors::ApiError;
use crate::ids::new_id;
use crate::objects::event::RequestInfo;
use crate::state::State;

/// `POST /v1/accounts` with `type=express` (or `controller[...]`), `country`, `email`,
/// `capabilities[transfers][requested]`, `business_type`, `metadata`. A new Express account has
/// submitted nothing: no charges, no payouts, its capabilities inactive until onboarding.
pub fn create(state: &mut State, req: &ApiRequest) -> Reply {
    let params = &req.params;
    params.only(&[
        "type",
        "country",
        "email",
        "capabilities",
        "business_type",
        "metadata",
        "controller",
    ])?;
    match params.get("type") {
        None | Some("express") => {}
        Some(other) => {
            return Err(ApiError::invalid_param(
                None,
                "type",
                format!("The stripe-standin makes Express accounts only (got {other})."),
            ))
        }
    }
    let mut capabilities = serde_json::Map::new();
    for name in ["transfers", "card_payments"] {
        if params.boolean(&format!("capabilities[{name}][requested]"))? == Some(true) {
            capabilities.insert(name.to_string(), json!("inactive"));
        }
    }
    let country = params.get("country").unwrap_or("US").to_string();
    let id = new_id("acct");
    let value = json!({
        "id": id,
        "object": "account",
        "type": "express",
        "business_type": params.get("business_type"),
        "capabilities": capabilities,
        "charges_enabled": false,
        "payouts_enabled": false,
        "details_submitted": false,
        "country": country,
        "created": req.now,
        "default_currency": "usd",
        "email": params.get("email"),
        "metadata": params.hash("metadata"),
        "requirements": requirements(&["individual.first_name", "individual.last_name",
            "individual.dob.day", "external_account", "tos_acceptance.date"]),
    });
    let account = to_account(value)?;
    state.accounts.insert(id, account.clone());
    Ok(json(&account))
}

/// `GET /v1/accounts/{id}`
pub fn retrieve(state: &mut State, id: &str) -> Reply {
    state
        .accounts
        .get(id)
        .map(json)
        .ok_or_else(|| ApiError::no_such("account", id, "account"))
}

/// Whether Stripe would accept a transfer to the account: its transfers capability is active.
pub fn can_receive_transfers(account: &Account) -> bool {
    account
        .capabilities
        .as_ref()
        .and_then(|c| c.transfers.as_ref())
        .is_some_and(|status| status.as_str() == "active")
}

/// What finishing hosted onboarding with the test data does: details submitted, charges and
/// payouts enabled, every requested capability active, nothing left due; `account.updated` goes
/// to the Connect webhook endpoints.
pub fn finish_onboarding(state: &mut State, account_id: &str) -> Result<Account, ApiError> {
    let account = state
        .accounts
        .get(account_id)
        .ok_or_else(|| ApiError::no_such("account", account_id, "account"))?;
    let mut value = serde_json::to_value(account).expect("accounts serialize");
    let capabilities: serde_json::Map<String, serde_json::Value> = value["capabilities"]
        .as_object()
        .map(|caps| caps.keys().map(|k| (k.clone(), json!("active"))).collect())
        .unwrap_or_default();
    value["capabilities"] = serde_json::Value::Object(capabilities);
    value["details_submitted"] = json!(true);
    value["charges_enabled"] = json!(true);
    value["payouts_enabled"] = json!(true);
    value["requirements"] = requirements(&[]);
    let account = to_account(value)?;
    state
        .accounts
        .insert(account_id.to_string(), account.clone());
    let request = RequestInfo::default();
    state.emit_for_account(account_id, "account.updated", &account, &request);
    Ok(account)
}

fn requirements(currently_due: &[&str]) -> serde_json::Value {
    json!({
        "currently_due": currently_due,
        "eventually_due": currently_due,
        "past_due": [],
        "pending_verification": [],
        "errors": [],
        "alternatives": [],
        "current_deadline": null,
        "disabled_reason": if currently_due.is_empty() { None } else { Some("requirements.past_due") },
    })
}

/// Builds the account through async-stripe's own type, so what is stored is what it parses.
fn to_account(value: serde_json::Value) -> Result<Account, ApiError> {
    serde_json::from_value(value)
        .map_err(|e| ApiError::server_error(format!("stripe-standin built a bad account: {e}")))
}

/// The metadata of an account, for tests.
pub fn metadata(account: &Account) -> HashMap<String, String> {
    account.metadata.clone().unwrap_or_default()
}
