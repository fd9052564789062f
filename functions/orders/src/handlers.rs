//! The four order endpoints.

use crate::cancel::expire_overdue_orders;
use crate::cancel::{cancel_order as cancel_now, Cancelled};
use crate::context::{CancelContext, OrdersContext, ReserveContext};
use crate::order::{may_buy, BuyRefusal, Order, OrderedTicket, Status, MAX_OPEN_ORDERS};
use crate::store::ReserveError;
use lambda_http::http::StatusCode;
use lambda_http::{Request, RequestExt};
use serde_json::{json, Value};
use ticketing::auth::require_user;
use ticketing::http::{empty, json, json_body, ApiResult};
use ticketing::id::parse_id;
use ticketing::{ApiError, FieldError};
use time::OffsetDateTime;

const ALREADY_RESERVED: &str = "Ticket is already reserved";
const OWN_TICKET: &str = "You cannot buy your own ticket";
const BUSY: &str = "Your other reservations were changing at the same moment; please try again";

fn too_many_open_orders() -> ApiError {
    ApiError::conflict_with_code(
        "too_many_open_orders",
        format!(
            "You already have {MAX_OPEN_ORDERS} orders awaiting payment. Pay for or cancel one \
             before reserving another ticket."
        ),
    )
}

/// GET /api/orders: the caller's orders, newest first.
pub async fn list_orders(ctx: &OrdersContext, request: Request) -> ApiResult {
    let user = require_user(&request, &ctx.sessions).await?;
    let orders = ctx
        .orders
        .orders_of(&user.id)
        .await
        .map_err(ApiError::internal)?;
    json(StatusCode::OK, &json!({ "orders": orders }))
}

/// GET /api/orders/{id}: one of the caller's orders; anyone else's is 404, as if it did not exist.
pub async fn get_order(ctx: &OrdersContext, request: Request) -> ApiResult {
    let user = require_user(&request, &ctx.sessions).await?;
    let order = find_own_order(&ctx.orders, &request, &user.id).await?;
    json(StatusCode::OK, &order)
}

/// DELETE /api/orders/{id}: cancels a `created` order (204) and drops its expiry schedule;
/// again is harmless; a complete one is 409.
pub async fn cancel_order(ctx: &CancelContext, request: Request) -> ApiResult {
    let user = require_user(&request, &ctx.sessions).await?;
    let order = find_own_order(&ctx.settle.orders, &request, &user.id).await?;
    match cancel_now(&ctx.settle.orders, &order.id)
        .await
        .map_err(ApiError::internal)?
    {
        Cancelled::Now(_) => {
            tracing::info!(order_id = order.id, "order cancelled by its buyer");
            ctx.settle.expiry.delete(&order.id).await;
            empty(StatusCode::NO_CONTENT)
        }
        Cancelled::Already => empty(StatusCode::NO_CONTENT),
        Cancelled::Refused => Err(ApiError::conflict("A completed order cannot be cancelled")),
        Cancelled::Missing => Err(ApiError::NotFound),
    }
}

/// POST /api/orders `{"ticketId"}`: reserves the ticket for the payment window (201).
///
/// Who wins a race for one ticket, and whether the buyer still has a free slot among their
/// [`MAX_OPEN_ORDERS`] orders awaiting payment, is decided by the reservation transaction alone.
/// A seller's own ticket is 403. With an `Idempotency-Key`, the same key from the same user
/// returns the order it made, not a 409.
pub async fn create_order(ctx: &ReserveContext, request: Request) -> ApiResult {
    let user = require_user(&request, &ctx.sessions).await?;
    let body: Value = json_body(&request)?;
    let ticket_id = body
        .get("ticketId")
        .and_then(Value::as_str)
        .and_then(parse_id)
        .ok_or_else(|| {
            ApiError::BadRequest(vec![FieldError::new(
                "ticketId",
                "A valid ticketId is required",
            )])
        })?;
    let key = idempotency_key(&request)?;
    if let Some(key) = &key {
        if let Some(order) = ctx
            .orders
            .order_for_key(&user.id, key)
            .await
            .map_err(ApiError::internal)?
        {
            return json(StatusCode::CREATED, &order);
        }
    }

    // Overdue orders are expired (freeing their slots) at most once per request.
    let mut overdue_expired = false;
    let mut buyer_busy = false;
    for attempt in 0..5u64 {
        if buyer_busy {
            // Parallel reservations by one buyer all touch their open orders; spread them out.
            let jitter = u64::from(uuid::Uuid::new_v4().as_bytes()[0]) % 20;
            tokio::time::sleep(std::time::Duration::from_millis(10 * attempt + jitter)).await;
        }
        let replica = ctx
            .orders
            .ticket(&ticket_id)
            .await
            .map_err(ApiError::internal)?
            .ok_or(ApiError::NotFound)?;
        // The seller of a ticket never changes, so this read decides it for good.
        if let Err(BuyRefusal::OwnTicket) = may_buy(&user.id, replica.seller_id.as_deref()) {
            return Err(ApiError::Forbidden(OWN_TICKET.to_string()));
        }
        if replica.order_id.is_some() {
            return Err(ApiError::conflict(ALREADY_RESERVED));
        }
        let now = OffsetDateTime::now_utc();
        let expires = now + time::Duration::seconds(ctx.ttl_seconds as i64);
        let order = Order {
            id: uuid::Uuid::new_v4().to_string(),
            status: Status::Created,
            user_id: user.id.clone(),
            expires_at: ticketing::time::format_rfc3339(expires),
            created_at: ticketing::time::format_rfc3339(now),
            version: 0,
            ticket: OrderedTicket {
                id: replica.id.clone(),
                title: replica.title.clone(),
                price: replica.price,
                reservation: replica.reservations + 1,
            },
        };
        // The schedule comes first: an order must never exist without its expiry. A schedule
        // without an order is harmless (expire-order finds nothing) and is removed below.
        ctx.expiry
            .create(&order.id, expires, &ctx.target)
            .await
            .map_err(ApiError::internal)?;
        match ctx
            .orders
            .reserve(&order, replica.version, key.as_deref())
            .await
        {
            Ok(()) => {
                tracing::info!(
                    order_id = order.id,
                    ticket_id = order.ticket.id,
                    "ticket reserved"
                );
                return json(StatusCode::CREATED, &order);
            }
            Err(ReserveError::KeyUsed) => {
                ctx.expiry.delete(&order.id).await;
                let key = key.as_deref().unwrap_or_default();
                let earlier = ctx
                    .orders
                    .order_for_key(&user.id, key)
                    .await
                    .map_err(ApiError::internal)?;
                return earlier.map_or(Err(ApiError::conflict(ALREADY_RESERVED)), |o| {
                    json(StatusCode::CREATED, &o)
                });
            }
            Err(ReserveError::TooManyOpenOrders) => {
                ctx.expiry.delete(&order.id).await;
                // An order past its expiresAt whose schedule has not fired yet is not awaiting
                // payment any more: expire it now, as expire-order would, and try again.
                if overdue_expired {
                    return Err(too_many_open_orders());
                }
                overdue_expired = true;
                let freed = expire_overdue_orders(&ctx.orders, &ctx.expiry, &user.id)
                    .await
                    .map_err(ApiError::internal)?;
                if freed == 0 {
                    return Err(too_many_open_orders());
                }
            }
            Err(ReserveError::TicketChanged) => {
                ctx.expiry.delete(&order.id).await;
                buyer_busy = false;
            }
            Err(ReserveError::BuyerBusy) => {
                ctx.expiry.delete(&order.id).await;
                buyer_busy = true;
            }
            Err(ReserveError::Storage(error)) => {
                ctx.expiry.delete(&order.id).await;
                return Err(ApiError::internal(error));
            }
        }
    }
    // The ticket or the buyer's open orders kept changing under us; say which.
    match ctx
        .orders
        .ticket(&ticket_id)
        .await
        .map_err(ApiError::internal)?
    {
        None => Err(ApiError::NotFound),
        Some(replica) if replica.order_id.is_none() => Err(ApiError::conflict(BUSY)),
        Some(_) => Err(ApiError::conflict(ALREADY_RESERVED)),
    }
}

async fn find_own_order(
    orders: &crate::Orders,
    request: &Request,
    user_id: &str,
) -> Result<Order, ApiError> {
    let params = request.path_parameters();
    let id = params
        .first("id")
        .and_then(parse_id)
        .ok_or(ApiError::NotFound)?;
    let order = orders.order(&id).await.map_err(ApiError::internal)?;
    order
        .filter(|o| o.user_id == user_id)
        .ok_or(ApiError::NotFound)
}

fn idempotency_key(request: &Request) -> Result<Option<String>, ApiError> {
    let Some(value) = request.headers().get("idempotency-key") else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    let valid = (1..=128).contains(&text.len()) && text.chars().all(|c| c.is_ascii_graphic());
    if !valid {
        return Err(ApiError::BadRequest(vec![FieldError::new(
            "Idempotency-Key",
            "Idempotency-Key must be 1 to 128 visible characters",
        )]));
    }
    Ok(Some(text.to_string()))
}
