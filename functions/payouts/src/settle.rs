//! Paying a seller for a sale, exactly once: the transfer of price minus fee to the seller's
//! connected account, funded by the order's charge, grouped under the order id, with an
//! idempotency key from the order; recorded on the listing. Called when an order completes and
//! again when the seller's account becomes ready; any number of calls make one transfer.

use crate::context::PayoutsContext;
use crate::model::PayoutState;
use crate::stripe_api::{StripeFailure, TransferRequest};
use ticketing::consumer::ConsumerError;

/// The metric a refused payout counts (template.yaml's PayoutsRefusedAlarm watches it).
pub const PAYOUTS_REFUSED_METRIC: &str = "PayoutsRefused";

/// What settling a sale found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settled {
    /// Transferred now, or before (the transfer id).
    Sent(String),
    /// The seller cannot be paid yet (no ready account).
    WaitingForSetup,
    /// Not sold: nothing to pay.
    NotSold,
}

/// Why settling did not finish.
#[derive(Debug, thiserror::Error)]
pub enum SettleError {
    /// Not possible yet (the payment is not known yet, the table failed): try again soon.
    #[error("{0}")]
    NotYet(String),
    /// Stripe is down, slow, or refused: try again later; in the end the DLQ.
    #[error("{0}")]
    Stripe(StripeFailure),
}

impl From<SettleError> for ConsumerError {
    fn from(error: SettleError) -> Self {
        match error {
            SettleError::NotYet(why) => ConsumerError::Retry(why),
            SettleError::Stripe(failure) => ConsumerError::Unavailable(failure.to_string()),
        }
    }
}

fn not_yet(error: impl std::fmt::Display) -> SettleError {
    SettleError::NotYet(error.to_string())
}

/// Pays the seller of `ticket_id` for its sale if it is sold, not paid yet, and the seller's
/// account is ready.
pub async fn settle(
    ctx: &PayoutsContext,
    seller_id: &str,
    ticket_id: &str,
) -> Result<Settled, SettleError> {
    let Some(listing) = ctx
        .payouts
        .listing(seller_id, ticket_id)
        .await
        .map_err(not_yet)?
    else {
        return Ok(Settled::NotSold);
    };
    let Some(sale) = listing.sale else {
        return Ok(Settled::NotSold);
    };
    if let (PayoutState::Sent, Some(transfer)) = (sale.payout, &sale.transfer_id) {
        return Ok(Settled::Sent(transfer.clone()));
    }
    let account = ctx.payouts.account(seller_id).await.map_err(not_yet)?;
    let Some(account) = account.filter(|a| a.is_ready()) else {
        tracing::info!(
            seller_id,
            ticket_id,
            order_id = sale.order_id,
            "payout waits for the seller's setup"
        );
        return Ok(Settled::WaitingForSetup);
    };
    let stripe = |failure: StripeFailure| {
        if matches!(failure, StripeFailure::Refused(_)) {
            ticketing::metrics::count(PAYOUTS_REFUSED_METRIC);
        }
        tracing::warn!(seller_id, order_id = sale.order_id, reason = %failure, "payout not sent");
        SettleError::Stripe(failure)
    };
    // A transfer made by an earlier attempt whose answer was lost (or older than Stripe's
    // 24 h idempotency window) is found by its group, never made again.
    let transfer_id = match ctx
        .stripe
        .transfer_for(&sale.order_id)
        .await
        .map_err(stripe)?
    {
        Some(found) => found,
        None => {
            let payment = ctx
                .payouts
                .payment_of(&sale.order_id)
                .await
                .map_err(not_yet)?
                .ok_or_else(|| {
                    not_yet(format!(
                        "the payment of order {} is not known yet",
                        sale.order_id
                    ))
                })?;
            let charge = ctx.stripe.charge_of(&payment).await.map_err(stripe)?;
            ctx.stripe
                .transfer(&TransferRequest {
                    order_id: &sale.order_id,
                    amount: sale.amount,
                    destination: &account.account_id,
                    source_charge: &charge,
                })
                .await
                .map_err(stripe)?
        }
    };
    let recorded = ctx
        .payouts
        .record_transfer(seller_id, ticket_id, &transfer_id)
        .await
        .map_err(not_yet)?;
    tracing::info!(
        seller_id,
        order_id = sale.order_id,
        transfer_id,
        amount = sale.amount.0,
        recorded,
        "payout sent"
    );
    Ok(Settled::Sent(transfer_id))
}

/// Pays every sale of a seller still waiting for their setup (their account just became ready).
/// Stops at the first failure, so the caller can be asked again; what was paid stays paid.
pub async fn settle_waiting(ctx: &PayoutsContext, seller_id: &str) -> Result<usize, SettleError> {
    let (_, listings) = ctx.payouts.seller(seller_id).await.map_err(not_yet)?;
    let mut sent = 0;
    for listing in listings {
        let waiting = listing
            .sale
            .as_ref()
            .is_some_and(|sale| sale.payout == PayoutState::WaitingForSetup);
        if waiting {
            if let Settled::Sent(_) = settle(ctx, seller_id, &listing.ticket_id).await? {
                sent += 1;
            }
        }
    }
    Ok(sent)
}
