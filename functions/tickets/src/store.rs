//! The Tickets table. Every write that could race is conditional on the version read.

use crate::cursor::Cursor;
use crate::ticket::Ticket;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use aws_sdk_dynamodb::Client;
use std::collections::HashMap;
use ticketing::dynamo::condition_failed;
use ticketing::error::chain;
use ticketing::money::Cents;

/// The browse index: only available tickets carry its key, newest first by `listedAt`.
pub const AVAILABLE_INDEX: &str = "available-newest-first";
const AVAILABLE: &str = "AVAILABLE";

/// Why a write did not happen.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The item was not in the state the write required (version moved on, already exists, ...).
    #[error("the ticket changed or does not exist")]
    ConditionFailed,
    #[error("tickets table: {0}")]
    Storage(String),
}

fn storage<E: std::error::Error + 'static, R: std::fmt::Debug>(error: SdkError<E, R>) -> StoreError
where
    SdkError<E, R>: std::error::Error,
{
    StoreError::Storage(chain(&error))
}

/// Access to the Tickets table.
#[derive(Clone)]
pub struct Tickets {
    client: Client,
    table: String,
}

impl Tickets {
    /// The table named `table`, through `client`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// Stores a new ticket (refused if the id exists).
    pub async fn insert(&self, ticket: &Ticket) -> Result<(), StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(ticket)))
            .condition_expression("attribute_not_exists(id)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if condition_failed(&e) => Err(StoreError::ConditionFailed),
            Err(e) => Err(storage(e)),
        }
    }

    /// The ticket with this id, if any (strongly consistent).
    pub async fn get(&self, id: &str) -> Result<Option<Ticket>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("id", AttributeValue::S(id.to_string()))
            .consistent_read(true)
            .send()
            .await
            .map_err(storage)?;
        output.item.map(|item| from_item(&item)).transpose()
    }

    /// Sets title and price if the ticket is still at `expected_version` and not reserved.
    pub async fn update_details(
        &self,
        id: &str,
        title: &str,
        price: Cents,
        expected_version: u64,
        now: &str,
    ) -> Result<Ticket, StoreError> {
        self.conditional_update(
            id,
            "SET title = :title, price = :price, version = version + :one, updatedAt = :now",
            "version = :expected AND attribute_not_exists(orderId)",
            HashMap::from([
                (":title", AttributeValue::S(title.to_string())),
                (":price", AttributeValue::N(price.0.to_string())),
                (":expected", number(expected_version)),
                (":now", AttributeValue::S(now.to_string())),
            ]),
        )
        .await
    }

    /// Marks the ticket as held by `order_id`, the ticket's reservation number `reservation`
    /// (it leaves the browse list).
    pub async fn lock(
        &self,
        id: &str,
        order_id: &str,
        reservation: u64,
        expected_version: u64,
        now: &str,
    ) -> Result<Ticket, StoreError> {
        self.conditional_update(
            id,
            "SET orderId = :order, reservation = :reservation, version = version + :one, updatedAt = :now REMOVE listing",
            "version = :expected AND attribute_not_exists(orderId)",
            HashMap::from([
                (":order", AttributeValue::S(order_id.to_string())),
                (":reservation", number(reservation)),
                (":expected", number(expected_version)),
                (":now", AttributeValue::S(now.to_string())),
            ]),
        )
        .await
    }

    /// Frees the ticket held by `order_id` (it returns to the browse list) and remembers the order.
    pub async fn unlock(
        &self,
        id: &str,
        order_id: &str,
        expected_version: u64,
        now: &str,
    ) -> Result<Ticket, StoreError> {
        self.conditional_update(
            id,
            "SET listing = :available, version = version + :one, updatedAt = :now REMOVE orderId ADD releasedOrders :released",
            "version = :expected AND orderId = :order",
            HashMap::from([
                (":order", AttributeValue::S(order_id.to_string())),
                (":released", AttributeValue::Ss(vec![order_id.to_string()])),
                (":available", AttributeValue::S(AVAILABLE.to_string())),
                (":expected", number(expected_version)),
                (":now", AttributeValue::S(now.to_string())),
            ]),
        )
        .await
    }

    /// One page of available tickets, newest first, and the cursor of the next page (if any).
    pub async fn list_available(
        &self,
        limit: i32,
        after: Option<&Cursor>,
    ) -> Result<(Vec<Ticket>, Option<Cursor>), StoreError> {
        let start_key = after.map(|cursor| {
            HashMap::from([
                ("id".to_string(), AttributeValue::S(cursor.id.clone())),
                (
                    "listing".to_string(),
                    AttributeValue::S(AVAILABLE.to_string()),
                ),
                (
                    "listedAt".to_string(),
                    AttributeValue::S(cursor.listed_at.clone()),
                ),
            ])
        });
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(AVAILABLE_INDEX)
            .key_condition_expression("listing = :available")
            .expression_attribute_values(":available", AttributeValue::S(AVAILABLE.to_string()))
            .scan_index_forward(false)
            .limit(limit)
            .set_exclusive_start_key(start_key)
            .send()
            .await
            .map_err(storage)?;
        let tickets = output
            .items()
            .iter()
            .map(from_item)
            .collect::<Result<Vec<_>, _>>()?;
        let next = output.last_evaluated_key().and_then(|key| {
            Some(Cursor {
                id: key.get("id")?.as_s().ok()?.clone(),
                listed_at: key.get("listedAt")?.as_s().ok()?.clone(),
            })
        });
        Ok((tickets, next))
    }

    async fn conditional_update(
        &self,
        id: &str,
        update: &str,
        condition: &str,
        values: HashMap<&str, AttributeValue>,
    ) -> Result<Ticket, StoreError> {
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("id", AttributeValue::S(id.to_string()))
            .update_expression(update)
            .condition_expression(format!("attribute_exists(id) AND {condition}"))
            .expression_attribute_values(":one", number(1))
            .return_values(ReturnValue::AllNew);
        for (name, value) in values {
            request = request.expression_attribute_values(name, value);
        }
        match request.send().await {
            Ok(output) => from_item(
                output
                    .attributes()
                    .ok_or(StoreError::Storage("update returned no item".into()))?,
            ),
            Err(e) if condition_failed(&e) => Err(StoreError::ConditionFailed),
            Err(e) => Err(storage(e)),
        }
    }
}

fn number(n: u64) -> AttributeValue {
    AttributeValue::N(n.to_string())
}

/// The table item of a ticket.
pub fn to_item(ticket: &Ticket) -> HashMap<String, AttributeValue> {
    let mut item = HashMap::from([
        ("id".to_string(), AttributeValue::S(ticket.id.clone())),
        ("title".to_string(), AttributeValue::S(ticket.title.clone())),
        ("price".to_string(), number(ticket.price.0)),
        (
            "userId".to_string(),
            AttributeValue::S(ticket.user_id.clone()),
        ),
        ("version".to_string(), number(ticket.version)),
        ("reservation".to_string(), number(ticket.reservation)),
        (
            "createdAt".to_string(),
            AttributeValue::S(ticket.created_at.clone()),
        ),
        (
            "updatedAt".to_string(),
            AttributeValue::S(ticket.updated_at.clone()),
        ),
        (
            "listedAt".to_string(),
            AttributeValue::S(ticket.created_at.clone()),
        ),
    ]);
    match &ticket.order_id {
        Some(order_id) => item.insert("orderId".to_string(), AttributeValue::S(order_id.clone())),
        None => item.insert(
            "listing".to_string(),
            AttributeValue::S(AVAILABLE.to_string()),
        ),
    };
    if !ticket.released_orders.is_empty() {
        item.insert(
            "releasedOrders".to_string(),
            AttributeValue::Ss(ticket.released_orders.clone()),
        );
    }
    item
}

/// A ticket from its table item (or stream image).
pub fn from_item(item: &HashMap<String, AttributeValue>) -> Result<Ticket, StoreError> {
    let text = |name: &str| {
        item.get(name)
            .and_then(|v| v.as_s().ok())
            .cloned()
            .ok_or_else(|| StoreError::Storage(format!("ticket item without {name}")))
    };
    let count = |name: &str| {
        item.get(name)
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse::<u64>().ok())
            .ok_or_else(|| StoreError::Storage(format!("ticket item without {name}")))
    };
    Ok(Ticket {
        id: text("id")?,
        title: text("title")?,
        price: Cents(count("price")?),
        user_id: text("userId")?,
        version: count("version")?,
        order_id: text("orderId").ok(),
        created_at: text("createdAt")?,
        updated_at: text("updatedAt")?,
        released_orders: item
            .get("releasedOrders")
            .and_then(|v| v.as_ss().ok())
            .cloned()
            .unwrap_or_default(),
        // absent on tickets stored before reservations were numbered
        reservation: item
            .get("reservation")
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket(order_id: Option<&str>) -> Ticket {
        Ticket {
            id: "t-1".into(),
            title: "Concert".into(),
            price: Cents(2500),
            user_id: "u-1".into(),
            version: 3,
            order_id: order_id.map(str::to_string),
            created_at: "2026-11-26T12:00:00.000Z".into(),
            updated_at: "2026-11-26T12:05:00.000Z".into(),
            released_orders: vec!["o-0".into()],
            reservation: 2,
        }
    }

    #[test]
    fn an_available_ticket_is_in_the_browse_index() {
        let item = to_item(&ticket(None));
        assert_eq!(item["listing"], AttributeValue::S("AVAILABLE".into()));
        assert_eq!(from_item(&item).unwrap(), ticket(None));
    }

    #[test]
    fn a_reserved_ticket_is_not() {
        let item = to_item(&ticket(Some("o-1")));
        assert!(!item.contains_key("listing"));
        assert_eq!(from_item(&item).unwrap(), ticket(Some("o-1")));
    }
}
