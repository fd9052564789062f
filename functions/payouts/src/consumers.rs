//! What payouts consume: tickets (the seller's listings), orders (each listing's state, and the
//! sale to pay when one completes), and payments (which PaymentIntent paid an order).

use crate::context::PayoutsContext;
use crate::model::{platform_fee, state_after, Listing, ListingState, PayoutState, Sale};
use crate::settle::settle;
use crate::store::ListingChange;
use serde::Deserialize;
use ticketing::consumer::ConsumerError;
use ticketing::events::BusEvent;
use ticketing::money::Cents;

fn retry(error: impl std::fmt::Display) -> ConsumerError {
    ConsumerError::Retry(error.to_string())
}

/// What payouts keep of a ticket event.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketDetail {
    pub id: String,
    pub title: String,
    pub price: Cents,
    pub user_id: String,
    pub version: u64,
    pub created_at: String,
}

/// TicketCreated: a new listing of its seller; TicketUpdated: its title and price, when newer.
/// A duplicate changes nothing; an update before its creation waits for it.
pub async fn on_ticket_event(
    ctx: &PayoutsContext,
    event: BusEvent<TicketDetail>,
) -> Result<(), ConsumerError> {
    let ticket = event.detail;
    if event.detail_type == "TicketCreated" {
        let listing = Listing {
            seller_id: ticket.user_id.clone(),
            ticket_id: ticket.id.clone(),
            title: ticket.title,
            price: ticket.price,
            listed_at: ticket.created_at,
            ticket_version: ticket.version,
            state: ListingState::ForSale,
            reserved_until: None,
            sale: None,
            applied: (0, 0),
        };
        let new = ctx.payouts.insert_listing(&listing).await.map_err(retry)?;
        tracing::info!(
            ticket_id = ticket.id,
            seller_id = ticket.user_id,
            new,
            "listing recorded"
        );
        return Ok(());
    }
    let change = ctx
        .payouts
        .update_listing_ticket(
            &ticket.user_id,
            &ticket.id,
            &ticket.title,
            ticket.price,
            ticket.version,
        )
        .await
        .map_err(retry)?;
    if change == ListingChange::UnknownTicket {
        return Err(ConsumerError::Retry(format!(
            "ticket {} is not listed yet",
            ticket.id
        )));
    }
    tracing::info!(
        ticket_id = ticket.id,
        version = ticket.version,
        ?change,
        "listing updated"
    );
    Ok(())
}

/// The ticket inside an order event.
#[derive(Debug, Clone, Deserialize)]
pub struct OrderedTicket {
    pub id: String,
    pub price: Cents,
    #[serde(default)]
    pub reservation: u64,
}

/// What payouts keep of an order event.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderDetail {
    pub id: String,
    pub status: String,
    pub expires_at: String,
    pub version: u64,
    pub ticket: OrderedTicket,
}

/// OrderCreated, OrderCancelled, OrderCompleted: the listing moves to reserved, for sale or
/// sold, in the order of (reservation, version) whatever order the events arrive in. A
/// completed order is a sale: price, fee and the seller's share are recorded, and the seller is
/// paid now if their account is ready (otherwise when it becomes ready). A repeat changes
/// nothing and pays nothing twice.
pub async fn on_order_event(
    ctx: &PayoutsContext,
    event: BusEvent<OrderDetail>,
) -> Result<(), ConsumerError> {
    let order = event.detail;
    let Some(state) = state_after(&order.status) else {
        return Err(ConsumerError::Permanent(format!(
            "order {} has an unknown status {}",
            order.id, order.status
        )));
    };
    let Some(seller_id) = ctx
        .payouts
        .seller_of_ticket(&order.ticket.id)
        .await
        .map_err(retry)?
    else {
        return Err(ConsumerError::Retry(format!(
            "ticket {} is not listed yet",
            order.ticket.id
        )));
    };
    let sale = (state == ListingState::Sold).then(|| {
        let fee = platform_fee(order.ticket.price, ctx.fee_basis_points);
        Sale {
            order_id: order.id.clone(),
            price: order.ticket.price,
            fee,
            amount: Cents(order.ticket.price.0 - fee.0),
            payout: PayoutState::WaitingForSetup,
            transfer_id: None,
        }
    });
    let reserved_until = (state == ListingState::Reserved).then_some(order.expires_at.as_str());
    let change = ctx
        .payouts
        .apply_order_event(
            &seller_id,
            &order.ticket.id,
            order.ticket.reservation,
            order.version,
            state,
            reserved_until,
            sale.as_ref(),
        )
        .await
        .map_err(retry)?;
    if change == ListingChange::UnknownTicket {
        return Err(ConsumerError::Retry(format!(
            "ticket {} is not listed yet",
            order.ticket.id
        )));
    }
    tracing::info!(
        order_id = order.id,
        ticket_id = order.ticket.id,
        status = order.status,
        ?change,
        "listing moved"
    );
    if state == ListingState::Sold {
        let settled = settle(ctx, &seller_id, &order.ticket.id).await?;
        tracing::info!(order_id = order.id, ?settled, "sale settled");
    }
    Ok(())
}

/// What payouts keep of PaymentCreated.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentDetail {
    /// The PaymentIntent's id.
    pub id: String,
    pub order_id: String,
}

/// PaymentCreated: which PaymentIntent paid an order (its charge funds the seller's transfer).
pub async fn on_payment_created(
    ctx: &PayoutsContext,
    event: BusEvent<PaymentDetail>,
) -> Result<(), ConsumerError> {
    let payment = event.detail;
    let new = ctx
        .payouts
        .record_payment(&payment.order_id, &payment.id)
        .await
        .map_err(retry)?;
    tracing::info!(
        order_id = payment.order_id,
        payment_id = payment.id,
        new,
        "payment recorded"
    );
    Ok(())
}
