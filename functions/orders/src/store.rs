//! The Orders table: orders (`ORDER#id`), the replica of tickets (`TICKET#id`) and idempotency
//! keys (`IDEMPOTENCY#user#key`) in one table, so that a reservation is one transaction.

use crate::order::{Order, OrderedTicket, Status, MAX_OPEN_ORDERS};
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;
use std::collections::HashMap;
use ticketing::dynamo::condition_failed;
use ticketing::error::chain;
use ticketing::money::Cents;

/// The index of a user's orders, newest first.
pub const BY_USER_INDEX: &str = "by-user-newest-first";

/// The orders-side copy of a ticket: what a reservation needs, and who holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketReplica {
    pub id: String,
    pub title: String,
    pub price: Cents,
    pub version: u64,
    /// Who sells it (the ticket's `userId`); absent on replicas stored before sellers were
    /// replicated, until the ticket's next version arrives.
    pub seller_id: Option<String>,
    /// The live order holding the ticket, if any.
    pub order_id: Option<String>,
    /// How many times it has been reserved; the next order is reservation `reservations + 1`.
    pub reservations: u64,
}

/// Why a reservation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ReserveError {
    /// The replica changed between the read and the transaction (held, edited or gone).
    #[error("the ticket changed meanwhile")]
    TicketChanged,
    /// The idempotency key was used already; the order it made is the answer.
    #[error("idempotency key already used")]
    KeyUsed,
    /// The buyer already holds [`MAX_OPEN_ORDERS`] orders awaiting payment.
    #[error("too many orders awaiting payment")]
    TooManyOpenOrders,
    /// Another transaction on the buyer's open orders was in flight; trying again may work.
    #[error("the buyer's open orders changed meanwhile")]
    BuyerBusy,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Why a status change did not happen.
#[derive(Debug, thiserror::Error)]
pub enum TransitionError {
    /// The order was not in the expected state and version.
    #[error("the order changed meanwhile")]
    OrderChanged,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// The table could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("orders table: {0}")]
pub struct StorageError(pub String);

fn storage<E, R>(error: SdkError<E, R>) -> StorageError
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
    SdkError<E, R>: std::error::Error,
{
    StorageError(chain(&error))
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_string())
}

fn n(value: u64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// The condition for taking a ticket replica that has been reserved `previous` times so far.
fn taking_condition(previous: u64) -> &'static str {
    if previous == 0 {
        // a replica stored before reservations were counted has no count yet
        "attribute_exists(pk) AND attribute_not_exists(orderId) AND version = :version \
         AND (attribute_not_exists(reservations) OR reservations = :previous)"
    } else {
        "attribute_exists(pk) AND attribute_not_exists(orderId) AND version = :version \
         AND reservations = :previous"
    }
}

/// The key prefix of a rejected payment's record.
pub const REJECTION_PREFIX: &str = "REJECTION#";

/// The key of an order item.
pub fn order_key(id: &str) -> String {
    format!("ORDER#{id}")
}

/// The key of a ticket replica item.
pub fn ticket_key(id: &str) -> String {
    format!("TICKET#{id}")
}

fn idempotency_key(user_id: &str, key: &str) -> String {
    format!("IDEMPOTENCY#{user_id}#{key}")
}

/// How long an Idempotency-Key is remembered (as Stripe does): the table's TTL deletes the
/// claim a while after this. A retry comes within seconds; a day covers a client that retries
/// after being offline.
pub const IDEMPOTENCY_MEMORY_SECONDS: i64 = 24 * 3600;

/// When a claim made now may be forgotten, in seconds since the epoch (the TTL attribute).
fn idempotency_expiry() -> AttributeValue {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    AttributeValue::N((now + IDEMPOTENCY_MEMORY_SECONDS).to_string())
}

/// The key of the item that lists a buyer's orders awaiting payment (`openOrders`, a string
/// set of order ids): a reservation adds to it only below the limit, in its own transaction,
/// and every move out of `created` takes its order out in the same transaction as the move.
pub fn open_orders_key(user_id: &str) -> String {
    format!("OPEN-ORDERS#{user_id}")
}

/// Takes the order out of its buyer's open orders. Unconditional: an order stored before open
/// orders were listed is simply not in the set.
fn leave_open_orders(table: &str, order: &Order) -> Result<Update, StorageError> {
    Update::builder()
        .table_name(table)
        .key("pk", s(&open_orders_key(&order.user_id)))
        .update_expression("DELETE openOrders :order")
        .expression_attribute_values(":order", AttributeValue::Ss(vec![order.id.clone()]))
        .build()
        .map_err(|e| StorageError(e.to_string()))
}

/// Moves a `created` order at its version to `status` (cancelled or complete), one version on.
fn leave_created(
    table: &str,
    order: &Order,
    status: Status,
    now: &str,
) -> Result<Update, StorageError> {
    Update::builder()
        .table_name(table)
        .key("pk", s(&order_key(&order.id)))
        .update_expression("SET #status = :to, version = version + :one, updatedAt = :now")
        .condition_expression("#status = :created AND version = :version")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":to", s(status.as_str()))
        .expression_attribute_values(":created", s(Status::Created.as_str()))
        .expression_attribute_values(":version", n(order.version))
        .expression_attribute_values(":one", n(1))
        .expression_attribute_values(":now", s(now))
        .build()
        .map_err(|e| StorageError(e.to_string()))
}

/// A status transaction that did not go through: the order changed meanwhile (a condition
/// failed), or the table failed.
fn transition_failed<R>(error: SdkError<TransactWriteItemsError, R>) -> TransitionError
where
    R: std::fmt::Debug,
    SdkError<TransactWriteItemsError, R>: std::error::Error,
{
    if error
        .as_service_error()
        .is_some_and(|e| e.is_transaction_canceled_exception())
    {
        TransitionError::OrderChanged
    } else {
        storage(error).into()
    }
}

/// What a cancelled transaction's per-item reasons say went wrong with item `index`.
fn reason_is(reasons: &[String], index: usize, code: &str) -> bool {
    reasons.get(index).is_some_and(|c| c == code)
}

/// Access to the Orders table.
#[derive(Clone)]
pub struct Orders {
    client: Client,
    table: String,
}

impl Orders {
    /// The table named `table`, through `client`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// The physical table name.
    pub fn table_name(&self) -> &str {
        &self.table
    }

    async fn get_item(
        &self,
        pk: String,
    ) -> Result<Option<HashMap<String, AttributeValue>>, StorageError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(&pk))
            .consistent_read(true)
            .send()
            .await
            .map_err(storage)?;
        Ok(output.item)
    }

    /// The order with this id, if any.
    pub async fn order(&self, id: &str) -> Result<Option<Order>, StorageError> {
        self.get_item(order_key(id))
            .await?
            .map(|item| order_from_item(&item))
            .transpose()
    }

    /// The replica of a ticket, if the orders side knows it.
    pub async fn ticket(&self, id: &str) -> Result<Option<TicketReplica>, StorageError> {
        self.get_item(ticket_key(id))
            .await?
            .map(|item| replica_from_item(&item))
            .transpose()
    }

    /// The order an idempotency key of a user made, if any.
    pub async fn order_for_key(
        &self,
        user_id: &str,
        key: &str,
    ) -> Result<Option<Order>, StorageError> {
        let Some(item) = self.get_item(idempotency_key(user_id, key)).await? else {
            return Ok(None);
        };
        let order_id = item
            .get("orderId")
            .and_then(|v| v.as_s().ok())
            .ok_or_else(|| StorageError("idempotency item without orderId".into()))?;
        self.order(order_id).await
    }

    /// The ids of a buyer's orders awaiting payment.
    pub async fn open_orders_of(&self, user_id: &str) -> Result<Vec<String>, StorageError> {
        let item = self.get_item(open_orders_key(user_id)).await?;
        Ok(item
            .and_then(|i| i.get("openOrders").and_then(|v| v.as_ss().ok()).cloned())
            .unwrap_or_default())
    }

    /// A user's orders, newest first (at most 100).
    pub async fn orders_of(&self, user_id: &str) -> Result<Vec<Order>, StorageError> {
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(BY_USER_INDEX)
            .key_condition_expression("userId = :user")
            .expression_attribute_values(":user", s(user_id))
            .scan_index_forward(false)
            .limit(100)
            .send()
            .await
            .map_err(storage)?;
        output.items().iter().map(order_from_item).collect()
    }

    /// Reserves: in one transaction, stores the order, takes the replica, which must still be
    /// at `replica_version`, held by nobody, and reserved `order.ticket.reservation - 1` times
    /// so far (so the order's reservation number is the next one), and adds the order to its
    /// buyer's open orders, which must hold fewer than [`MAX_OPEN_ORDERS`]; with a key, also
    /// claims the idempotency key.
    pub async fn reserve(
        &self,
        order: &Order,
        replica_version: u64,
        key: Option<&str>,
    ) -> Result<(), ReserveError> {
        let put_order = Put::builder()
            .table_name(&self.table)
            .set_item(Some(order_to_item(order)))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(|e| StorageError(e.to_string()))?;
        let previous = order.ticket.reservation.saturating_sub(1);
        let take_ticket = Update::builder()
            .table_name(&self.table)
            .key("pk", s(&ticket_key(&order.ticket.id)))
            .update_expression("SET orderId = :order, reservations = :reservation")
            .condition_expression(taking_condition(previous))
            .expression_attribute_values(":order", s(&order.id))
            .expression_attribute_values(":version", n(replica_version))
            .expression_attribute_values(":reservation", n(order.ticket.reservation))
            .expression_attribute_values(":previous", n(previous))
            .build()
            .map_err(|e| StorageError(e.to_string()))?;
        let join_open_orders = Update::builder()
            .table_name(&self.table)
            .key("pk", s(&open_orders_key(&order.user_id)))
            .update_expression("ADD openOrders :order")
            .condition_expression("attribute_not_exists(openOrders) OR size(openOrders) < :max")
            .expression_attribute_values(":order", AttributeValue::Ss(vec![order.id.clone()]))
            .expression_attribute_values(":max", n(MAX_OPEN_ORDERS))
            .build()
            .map_err(|e| StorageError(e.to_string()))?;
        let mut request = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put_order).build())
            .transact_items(TransactWriteItem::builder().update(take_ticket).build())
            .transact_items(
                TransactWriteItem::builder()
                    .update(join_open_orders)
                    .build(),
            );
        if let Some(key) = key {
            let claim = Put::builder()
                .table_name(&self.table)
                .item("pk", s(&idempotency_key(&order.user_id, key)))
                .item("orderId", s(&order.id))
                .item("expiresAtEpoch", idempotency_expiry())
                .condition_expression("attribute_not_exists(pk)")
                .build()
                .map_err(|e| StorageError(e.to_string()))?;
            request = request.transact_items(TransactWriteItem::builder().put(claim).build());
        }
        match request.send().await {
            Ok(_) => Ok(()),
            Err(error) => {
                let reasons: Vec<String> = error
                    .as_service_error()
                    .and_then(|e| match e {
                        TransactWriteItemsError::TransactionCanceledException(cancelled) => {
                            Some(cancelled)
                        }
                        _ => None,
                    })
                    .map(|e| {
                        e.cancellation_reasons()
                            .iter()
                            .map(|r| r.code().unwrap_or("None").to_string())
                            .collect()
                    })
                    .unwrap_or_default();
                if reasons.is_empty() {
                    return Err(storage(error).into());
                }
                const FAILED: &str = "ConditionalCheckFailed";
                // DynamoDB cancels rather than waits when another transaction on one of the
                // items is in flight: whatever it touched may have changed, so read it again.
                const CONFLICT: &str = "TransactionConflict";
                if reason_is(&reasons, 3, FAILED) {
                    Err(ReserveError::KeyUsed)
                } else if reason_is(&reasons, 1, FAILED) || reason_is(&reasons, 1, CONFLICT) {
                    Err(ReserveError::TicketChanged)
                } else if reason_is(&reasons, 2, FAILED) {
                    Err(ReserveError::TooManyOpenOrders)
                } else if reasons.iter().any(|code| code == CONFLICT) {
                    Err(ReserveError::BuyerBusy)
                } else {
                    Err(StorageError(format!("reservation cancelled: {reasons:?}")).into())
                }
            }
        }
    }

    /// Cancels a `created` order at `version`, frees its ticket and takes it out of its buyer's
    /// open orders, in one transaction.
    pub async fn cancel(&self, order: &Order, now: &str) -> Result<(), TransitionError> {
        let cancel_order = leave_created(&self.table, order, Status::Cancelled, now)?;
        let free_ticket = Update::builder()
            .table_name(&self.table)
            .key("pk", s(&ticket_key(&order.ticket.id)))
            .update_expression("REMOVE orderId")
            .condition_expression("orderId = :order")
            .expression_attribute_values(":order", s(&order.id))
            .build()
            .map_err(|e| StorageError(e.to_string()))?;
        self.client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().update(cancel_order).build())
            .transact_items(TransactWriteItem::builder().update(free_ticket).build())
            .transact_items(
                TransactWriteItem::builder()
                    .update(leave_open_orders(&self.table, order)?)
                    .build(),
            )
            .send()
            .await
            .map(|_| ())
            .map_err(transition_failed)
    }

    /// Completes a `created` order at its version (paid) and takes it out of its buyer's open
    /// orders, in one transaction; the ticket stays held: it is sold.
    pub async fn complete(&self, order: &Order, now: &str) -> Result<(), TransitionError> {
        let complete_order = leave_created(&self.table, order, Status::Complete, now)?;
        self.client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().update(complete_order).build())
            .transact_items(
                TransactWriteItem::builder()
                    .update(leave_open_orders(&self.table, order)?)
                    .build(),
            )
            .send()
            .await
            .map(|_| ())
            .map_err(transition_failed)
    }

    /// Records that a payment arrived for an order that was cancelled meanwhile; its stream
    /// record becomes OrderPaymentRejected. Once per payment: false if it was recorded before.
    pub async fn record_rejected_payment(
        &self,
        order: &Order,
        payment_id: &str,
        now: &str,
    ) -> Result<bool, StorageError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(&format!("{REJECTION_PREFIX}{payment_id}")))
            .item("paymentId", s(payment_id))
            .item("orderId", s(&order.id))
            .item("orderVersion", n(order.version))
            .item("createdAt", s(now))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(storage(e)),
        }
    }

    /// The order a payment was rejected for, if it was.
    pub async fn rejected_payment(&self, payment_id: &str) -> Result<Option<String>, StorageError> {
        let item = self
            .get_item(format!("{REJECTION_PREFIX}{payment_id}"))
            .await?;
        Ok(item.and_then(|i| i.get("orderId").and_then(|v| v.as_s().ok()).cloned()))
    }

    /// Stores the first version of a ticket's replica; false if it was there already.
    pub async fn insert_replica(&self, ticket: &TicketReplica) -> Result<bool, StorageError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(replica_to_item(ticket)))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(storage(e)),
        }
    }

    /// Applies version `ticket.version` of a ticket (and its seller, which an older replica may
    /// lack) if the replica holds the one before it. Who holds the ticket is the orders side's
    /// own business and is left as it is.
    pub async fn apply_ticket_version(&self, ticket: &TicketReplica) -> Result<bool, StorageError> {
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(&ticket_key(&ticket.id)))
            .update_expression("SET title = :title, price = :price, version = :version")
            .condition_expression("version = :previous");
        if let Some(seller_id) = &ticket.seller_id {
            update = update
                .update_expression(
                    "SET title = :title, price = :price, version = :version, sellerId = :seller",
                )
                .expression_attribute_values(":seller", s(seller_id));
        }
        let result = update
            .expression_attribute_values(":title", s(&ticket.title))
            .expression_attribute_values(":price", n(ticket.price.0))
            .expression_attribute_values(":version", n(ticket.version))
            .expression_attribute_values(":previous", n(ticket.version.saturating_sub(1)))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(storage(e)),
        }
    }
}

/// The table item of an order.
pub fn order_to_item(order: &Order) -> HashMap<String, AttributeValue> {
    HashMap::from([
        ("pk".to_string(), s(&order_key(&order.id))),
        ("id".to_string(), s(&order.id)),
        ("status".to_string(), s(order.status.as_str())),
        ("userId".to_string(), s(&order.user_id)),
        ("expiresAt".to_string(), s(&order.expires_at)),
        ("createdAt".to_string(), s(&order.created_at)),
        ("updatedAt".to_string(), s(&order.created_at)),
        ("version".to_string(), n(order.version)),
        ("ticketId".to_string(), s(&order.ticket.id)),
        ("ticketTitle".to_string(), s(&order.ticket.title)),
        ("ticketPrice".to_string(), n(order.ticket.price.0)),
        ("ticketReservation".to_string(), n(order.ticket.reservation)),
    ])
}

fn text(item: &HashMap<String, AttributeValue>, name: &str) -> Result<String, StorageError> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .cloned()
        .ok_or_else(|| StorageError(format!("item without {name}")))
}

fn count(item: &HashMap<String, AttributeValue>, name: &str) -> Result<u64, StorageError> {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| StorageError(format!("item without {name}")))
}

/// An order from its table item (or stream image).
pub fn order_from_item(item: &HashMap<String, AttributeValue>) -> Result<Order, StorageError> {
    let status = text(item, "status")?;
    Ok(Order {
        id: text(item, "id")?,
        status: Status::parse(&status)
            .ok_or_else(|| StorageError(format!("unknown status {status}")))?,
        user_id: text(item, "userId")?,
        expires_at: text(item, "expiresAt")?,
        created_at: text(item, "createdAt")?,
        version: count(item, "version")?,
        ticket: OrderedTicket {
            id: text(item, "ticketId")?,
            title: text(item, "ticketTitle")?,
            price: Cents(count(item, "ticketPrice")?),
            // absent on orders stored before reservations were numbered
            reservation: count(item, "ticketReservation").unwrap_or(0),
        },
    })
}

fn replica_to_item(ticket: &TicketReplica) -> HashMap<String, AttributeValue> {
    let mut item = HashMap::from([
        ("pk".to_string(), s(&ticket_key(&ticket.id))),
        ("id".to_string(), s(&ticket.id)),
        ("title".to_string(), s(&ticket.title)),
        ("price".to_string(), n(ticket.price.0)),
        ("version".to_string(), n(ticket.version)),
        ("reservations".to_string(), n(ticket.reservations)),
    ]);
    if let Some(seller_id) = &ticket.seller_id {
        item.insert("sellerId".to_string(), s(seller_id));
    }
    if let Some(order_id) = &ticket.order_id {
        item.insert("orderId".to_string(), s(order_id));
    }
    item
}

fn replica_from_item(
    item: &HashMap<String, AttributeValue>,
) -> Result<TicketReplica, StorageError> {
    Ok(TicketReplica {
        id: text(item, "id")?,
        title: text(item, "title")?,
        price: Cents(count(item, "price")?),
        version: count(item, "version")?,
        seller_id: text(item, "sellerId").ok(),
        order_id: text(item, "orderId").ok(),
        reservations: count(item, "reservations").unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_item_round_trips() {
        let order = Order {
            id: "o-1".into(),
            status: Status::Created,
            user_id: "u-1".into(),
            expires_at: "2026-11-26T12:15:00.000Z".into(),
            created_at: "2026-11-26T12:00:00.000Z".into(),
            version: 0,
            ticket: OrderedTicket {
                id: "t-1".into(),
                title: "Concert".into(),
                price: Cents(2500),
                reservation: 1,
            },
        };
        let item = order_to_item(&order);
        assert_eq!(item["pk"], AttributeValue::S("ORDER#o-1".into()));
        assert_eq!(order_from_item(&item).unwrap(), order);
    }

    #[test]
    fn a_replica_item_round_trips() {
        let replica = TicketReplica {
            id: "t-1".into(),
            title: "Concert".into(),
            price: Cents(2500),
            version: 3,
            seller_id: Some("u-1".into()),
            order_id: Some("o-1".into()),
            reservations: 2,
        };
        assert_eq!(
            replica_from_item(&replica_to_item(&replica)).unwrap(),
            replica
        );
    }
}
