//! POST /api/webhooks/stripe-connect: what Stripe tells us about sellers' connected accounts.
//!
//! Verified like the payment webhook (Stripe-Signature on the raw body, 300 s tolerance), with
//! the Connect endpoint's own secret. `account.updated` records where the seller's account is
//! (a later update is never overwritten by an earlier one) and, once it can be paid, pays the
//! sales that were waiting for it. Applying the same event again changes nothing and pays
//! nothing twice; if Stripe cannot take a transfer now, the answer is 503 and Stripe sends the
//! event again.

use crate::context::ConnectWebhookContext;
use crate::model::PayoutAccount;
use crate::settle::{settle_waiting, SettleError};
use crate::stripe_api::AccountState;
use lambda_http::http::StatusCode;
use lambda_http::Request;
use serde_json::json;
use stripe_webhook::{EventObject, Webhook, WebhookError};
use ticketing::http::{json, ApiResult};
use ticketing::ApiError;

const SIGNATURE_HEADER: &str = "Stripe-Signature";

/// Verifies and applies one Connect event: 400 for anything not signed with our secret within
/// 300 s; 200 otherwise, also for event types and accounts we do not know.
pub async fn stripe_connect_webhook(ctx: &ConnectWebhookContext, request: Request) -> ApiResult {
    let signature = request
        .headers()
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::invalid(SIGNATURE_HEADER, "The Stripe-Signature header is missing")
        })?;
    let payload = std::str::from_utf8(request.body().as_ref())
        .map_err(|_| ApiError::invalid("body", "The body is not UTF-8"))?;
    // Stripe resends what is not answered 2xx, so a secret that cannot be read now loses nothing.
    let secret =
        ctx.signing_secret.value().await.map_err(|e| {
            ApiError::unavailable("The webhook's signing secret cannot be read now", e)
        })?;
    let event = Webhook::construct_event(payload, signature, &secret).map_err(rejection)?;
    let event_id = event.id.to_string();
    let outcome = match event.data.object {
        EventObject::AccountUpdated(account) => {
            account_updated(ctx, &event_id, event.created, &account).await?
        }
        _ => {
            tracing::info!(event_id, event_type = %event.type_, "connect event ignored");
            "ignored"
        }
    };
    json(
        StatusCode::OK,
        &json!({ "received": true, "outcome": outcome }),
    )
}

fn rejection(error: WebhookError) -> ApiError {
    let message = match error {
        WebhookError::BadTimestamp(_) => "The signature timestamp is outside the 300 s tolerance",
        WebhookError::BadParse(_) => "The event could not be read",
        _ => "The signature does not match",
    };
    tracing::warn!(reason = %error, "stripe connect webhook rejected");
    ApiError::invalid(SIGNATURE_HEADER, message)
}

async fn account_updated(
    ctx: &ConnectWebhookContext,
    event_id: &str,
    created: i64,
    account: &stripe_shared::Account,
) -> Result<&'static str, ApiError> {
    let account_id = account.id.to_string();
    let payouts = &ctx.payouts.payouts;
    let Some(seller_id) = payouts
        .seller_of_account(&account_id)
        .await
        .map_err(ApiError::internal)?
    else {
        tracing::warn!(
            event_id,
            account_id,
            "account.updated for an account we did not make"
        );
        return Ok("ignored");
    };
    let state = AccountState::of(account);
    let applied = payouts
        .update_account(&PayoutAccount {
            seller_id: seller_id.clone(),
            account_id: account_id.clone(),
            details_submitted: state.details_submitted,
            payouts_enabled: state.payouts_enabled,
            transfers_active: state.transfers_active,
            updated_at: created,
        })
        .await
        .map_err(ApiError::internal)?;
    let ready = payouts
        .account(&seller_id)
        .await
        .map_err(ApiError::internal)?
        .is_some_and(|a| a.is_ready());
    tracing::info!(
        event_id,
        account_id,
        seller_id,
        applied,
        ready,
        "account updated"
    );
    if !ready {
        return Ok(if applied { "applied" } else { "stale" });
    }
    let sent = settle_waiting(&ctx.payouts, &seller_id)
        .await
        .map_err(|error| match error {
            SettleError::Stripe(failure) => ApiError::unavailable(
                "Payouts could not be sent now; send this event again later",
                failure,
            ),
            SettleError::NotYet(why) => ApiError::unavailable(
                "Payouts could not be sent now; send this event again later",
                std::io::Error::other(why),
            ),
        })?;
    tracing::info!(event_id, seller_id, sent, "waiting payouts sent");
    Ok("applied")
}
