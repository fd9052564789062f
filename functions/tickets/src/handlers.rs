//! The four ticket endpoints.

use crate::context::WriteContext;
use crate::cursor::Cursor;
use crate::store::{StoreError, Tickets};
use crate::ticket::{may_edit, EditRefusal, Ticket, TicketInput};
use lambda_http::http::StatusCode;
use lambda_http::{Request, RequestExt};
use serde_json::{json, Value};
use ticketing::auth::require_user;
use ticketing::http::{json, json_body, ApiResult};
use ticketing::id::parse_id;
use ticketing::{ApiError, FieldError};

/// Tickets per page when the client does not say.
pub const DEFAULT_PAGE_SIZE: i32 = 20;
/// The most tickets one page may hold.
pub const MAX_PAGE_SIZE: i32 = 100;

const STALE: &str = "This ticket was changed by someone else. Reload to see the latest version.";
const RESERVED: &str = "Cannot edit a reserved ticket";

/// GET /api/tickets?limit=&cursor=: available tickets, newest first, one page at a time.
pub async fn list_tickets(tickets: &Tickets, request: Request) -> ApiResult {
    let query = request.query_string_parameters();
    let limit = match query.first("limit") {
        None => DEFAULT_PAGE_SIZE,
        Some(raw) => raw
            .parse::<i32>()
            .ok()
            .filter(|n| (1..=MAX_PAGE_SIZE).contains(n))
            .ok_or_else(|| {
                ApiError::invalid(
                    "limit",
                    format!("Limit must be a whole number from 1 to {MAX_PAGE_SIZE}"),
                )
            })?,
    };
    let cursor = match query.first("cursor") {
        None | Some("") => None,
        Some(raw) => Some(
            Cursor::decode(raw)
                .ok_or_else(|| ApiError::invalid("cursor", "Cursor is not valid"))?,
        ),
    };
    let (page, next) = tickets
        .list_available(limit, cursor.as_ref())
        .await
        .map_err(ApiError::internal)?;
    let response = json(
        StatusCode::OK,
        &json!({ "tickets": page, "nextCursor": next.map(|c| c.encode()) }),
    )?;
    // A flash sale's hottest read: CloudFront may share it for a second (docs/OPERATIONS.md).
    Ok(ticketing::edge_cache::shared_briefly(&request, response))
}

/// POST /api/tickets: lists a ticket for sale (201, version 0).
pub async fn create_ticket(ctx: &WriteContext, request: Request) -> ApiResult {
    let user = require_user(&request, &ctx.sessions).await?;
    let body: Value = json_body(&request)?;
    let input = TicketInput::parse(&body).map_err(ApiError::BadRequest)?;
    let now = ticketing::time::now_rfc3339();
    let ticket = Ticket {
        id: uuid::Uuid::new_v4().to_string(),
        title: input.title.into_string(),
        price: input.price,
        user_id: user.id,
        version: 0,
        order_id: None,
        created_at: now.clone(),
        updated_at: now,
        released_orders: vec![],
        reservation: 0,
    };
    ctx.tickets
        .insert(&ticket)
        .await
        .map_err(ApiError::internal)?;
    tracing::info!(ticket_id = ticket.id, "ticket created");
    json(StatusCode::CREATED, &ticket)
}

/// GET /api/tickets/{id}: one ticket (404 for an unknown or malformed id).
pub async fn get_ticket(tickets: &Tickets, request: Request) -> ApiResult {
    let ticket = find(tickets, &request).await?;
    json(StatusCode::OK, &ticket)
}

/// PUT /api/tickets/{id}: the owner edits title and price, if nobody changed the ticket meanwhile.
///
/// The expected version comes from the body's `version`, else from `If-Match`, else it is the
/// version just read. The write is conditional on it, so of two concurrent edits only one wins.
pub async fn update_ticket(ctx: &WriteContext, request: Request) -> ApiResult {
    let user = require_user(&request, &ctx.sessions).await?;
    let ticket = find(&ctx.tickets, &request).await?;
    may_edit(&ticket, &user.id).map_err(refusal)?;
    let body: Value = json_body(&request)?;
    let expected = expected_version(&request, &body)?.unwrap_or(ticket.version);
    let input = TicketInput::parse(&body).map_err(ApiError::BadRequest)?;
    if expected != ticket.version {
        return Err(ApiError::conflict(STALE));
    }
    let now = ticketing::time::now_rfc3339();
    match ctx
        .tickets
        .update_details(
            &ticket.id,
            input.title.as_str(),
            input.price,
            expected,
            &now,
        )
        .await
    {
        Ok(updated) => {
            tracing::info!(
                ticket_id = updated.id,
                version = updated.version,
                "ticket updated"
            );
            json(StatusCode::OK, &updated)
        }
        Err(StoreError::ConditionFailed) => {
            // Lost a race; say why, from what the ticket is now.
            let current = ctx
                .tickets
                .get(&ticket.id)
                .await
                .map_err(ApiError::internal)?;
            Err(match current {
                Some(current) if current.is_reserved() => ApiError::conflict(RESERVED),
                Some(_) => ApiError::conflict(STALE),
                None => ApiError::NotFound,
            })
        }
        Err(error) => Err(ApiError::internal(error)),
    }
}

async fn find(tickets: &Tickets, request: &Request) -> Result<Ticket, ApiError> {
    let params = request.path_parameters();
    let id = params
        .first("id")
        .and_then(parse_id)
        .ok_or(ApiError::NotFound)?;
    tickets
        .get(&id)
        .await
        .map_err(ApiError::internal)?
        .ok_or(ApiError::NotFound)
}

fn refusal(refusal: EditRefusal) -> ApiError {
    match refusal {
        EditRefusal::NotOwner => ApiError::Forbidden("You do not own this ticket".into()),
        EditRefusal::Reserved => ApiError::conflict(RESERVED),
    }
}

fn expected_version(request: &Request, body: &Value) -> Result<Option<u64>, ApiError> {
    let invalid = || {
        ApiError::BadRequest(vec![FieldError::new(
            "version",
            "Version must be a whole number",
        )])
    };
    if let Some(value) = body.get("version").filter(|v| !v.is_null()) {
        return value.as_u64().map(Some).ok_or_else(invalid);
    }
    match request.headers().get("if-match") {
        None => Ok(None),
        Some(header) => {
            let text = header.to_str().map_err(|_| invalid())?.trim();
            let text = text.trim_start_matches("W/").trim_matches('"');
            text.parse().map(Some).map_err(|_| invalid())
        }
    }
}
