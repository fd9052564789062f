//! The Payments table: the replica of orders (`ORDER#id`), payments (`PAYMENT#paymentIntentId`),
//! failed attempts (`FAILURE#stripeEventId`), succeeded PaymentIntents that cannot pay the order
//! they name (`UNMATCHED#paymentIntentId`) and the Stripe events already applied
//! (`STRIPE_EVENT#id`, kept 30 days by the table's TTL), in one table so that applying a Stripe
//! event and remembering it is one transaction.

use crate::model::{
    OrderReplica, OrderStatus, Payment, PaymentFailure, PaymentStatus, UnmatchedPayment,
};
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use aws_sdk_dynamodb::Client;
use ticketing::dynamo::{
    cancellation_reasons, condition_failed, count, n, optional_text, s, text, Item,
};
use ticketing::error::chain;
use ticketing::money::Cents;

/// How long a Stripe event id is remembered. Stripe retries a delivery for up to three days.
pub const EVENT_MEMORY_SECONDS: u64 = 30 * 24 * 3600;

/// The table could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("payments table: {0}")]
pub struct StorageError(pub String);

fn storage<E, R>(error: SdkError<E, R>) -> StorageError
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
    SdkError<E, R>: std::error::Error,
{
    StorageError(chain(&error))
}

/// What applying a Stripe event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Recorded now, together with the event id.
    Now,
    /// This event id was applied before: nothing changed.
    DuplicateEvent,
    /// Another event had recorded the same thing already; this event id is now remembered too.
    AlreadyRecorded,
}

/// The key of an order replica item.
pub fn order_key(id: &str) -> String {
    format!("ORDER#{id}")
}

/// The key prefix of payment items.
pub const PAYMENT_PREFIX: &str = "PAYMENT#";

/// The key of a payment item.
pub fn payment_key(id: &str) -> String {
    format!("{PAYMENT_PREFIX}{id}")
}

fn event_key(id: &str) -> String {
    format!("STRIPE_EVENT#{id}")
}

fn failure_key(event_id: &str) -> String {
    format!("FAILURE#{event_id}")
}

fn unmatched_key(payment_intent_id: &str) -> String {
    format!("UNMATCHED#{payment_intent_id}")
}

/// Access to the Payments table.
#[derive(Clone)]
pub struct Payments {
    client: Client,
    table: String,
}

impl Payments {
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

    async fn get_item(&self, pk: String) -> Result<Option<Item>, StorageError> {
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

    /// The replica of an order, if payments knows it.
    pub async fn order(&self, id: &str) -> Result<Option<OrderReplica>, StorageError> {
        self.get_item(order_key(id))
            .await?
            .map(|item| order_from_item(&item))
            .transpose()
    }

    /// A payment by its id (the PaymentIntent's id).
    pub async fn payment(&self, id: &str) -> Result<Option<Payment>, StorageError> {
        self.get_item(payment_key(id))
            .await?
            .map(|item| payment_from_item(&item))
            .transpose()
    }

    /// A succeeded PaymentIntent kept because it could not pay the order it names.
    pub async fn unmatched(
        &self,
        payment_intent_id: &str,
    ) -> Result<Option<UnmatchedPayment>, StorageError> {
        self.get_item(unmatched_key(payment_intent_id))
            .await?
            .map(|item| unmatched_from_item(&item))
            .transpose()
    }

    /// The failed attempt a Stripe event reported, if it was recorded.
    pub async fn failure(&self, event_id: &str) -> Result<Option<PaymentFailure>, StorageError> {
        self.get_item(failure_key(event_id))
            .await?
            .map(|item| failure_from_item(&item))
            .transpose()
    }

    /// Stores the first version of an order's replica; false if it was there already.
    pub async fn insert_order(&self, order: &OrderReplica) -> Result<bool, StorageError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(order_to_item(order)))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(storage(e)),
        }
    }

    /// Records `intent` as the one PaymentIntent of an order: true if it is (now or already),
    /// false if the order has another one (or is not known).
    pub async fn record_intent(&self, order_id: &str, intent: &str) -> Result<bool, StorageError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(&order_key(order_id)))
            .update_expression("SET paymentIntentId = :intent")
            .condition_expression(
                "attribute_exists(pk) AND (attribute_not_exists(paymentIntentId) OR paymentIntentId = :intent)",
            )
            .expression_attribute_values(":intent", s(intent))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(storage(e)),
        }
    }

    /// Moves an order's replica to `status` at `version`, only if it holds the version before.
    pub async fn apply_order_version(
        &self,
        order_id: &str,
        status: OrderStatus,
        version: u64,
    ) -> Result<bool, StorageError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(&order_key(order_id)))
            .update_expression("SET #status = :status, version = :version")
            .condition_expression("version = :previous")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":status", s(status.as_str()))
            .expression_attribute_values(":version", n(version))
            .expression_attribute_values(":previous", n(version.saturating_sub(1)))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(storage(e)),
        }
    }

    /// payment_intent.succeeded: stores the payment and remembers the event, in one transaction.
    /// The payment item's stream record becomes PaymentCreated, so it is published once however
    /// often Stripe sends the event.
    pub async fn record_payment(
        &self,
        event_id: &str,
        payment: &Payment,
        now_epoch: u64,
    ) -> Result<Applied, StorageError> {
        self.apply_event(
            event_id,
            "payment_intent.succeeded",
            payment_to_item(payment),
            now_epoch,
        )
        .await
    }

    /// payment_intent.succeeded for a PaymentIntent that cannot pay the order it names: keeps it
    /// (with its refund, if one was made) and remembers the event, in one transaction. It is no
    /// payment: nothing is published, no order completes.
    pub async fn record_unmatched(
        &self,
        event_id: &str,
        unmatched: &UnmatchedPayment,
        now_epoch: u64,
    ) -> Result<Applied, StorageError> {
        self.apply_event(
            event_id,
            "payment_intent.succeeded",
            unmatched_to_item(unmatched),
            now_epoch,
        )
        .await
    }

    /// payment_intent.payment_failed: records the failed attempt and remembers the event.
    pub async fn record_failure(
        &self,
        event_id: &str,
        failure: &PaymentFailure,
        now_epoch: u64,
    ) -> Result<Applied, StorageError> {
        self.apply_event(
            event_id,
            "payment_intent.payment_failed",
            failure_to_item(event_id, failure),
            now_epoch,
        )
        .await
    }

    async fn apply_event(
        &self,
        event_id: &str,
        event_type: &str,
        item: Item,
        now_epoch: u64,
    ) -> Result<Applied, StorageError> {
        let remember = self.event_put(event_id, event_type, now_epoch)?;
        let record = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(|e| StorageError(e.to_string()))?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(remember).build())
            .transact_items(TransactWriteItem::builder().put(record).build())
            .send()
            .await;
        let Err(error) = result else {
            return Ok(Applied::Now);
        };
        let reasons = cancellation_reasons(&error);
        let failed = |i: usize| {
            reasons
                .get(i)
                .is_some_and(|c| c == "ConditionalCheckFailed")
        };
        if failed(0) {
            Ok(Applied::DuplicateEvent)
        } else if failed(1) {
            // Recorded by an earlier event (Stripe can describe one fact in several events).
            let result = self
                .client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(event_item(event_id, event_type, now_epoch)))
                .condition_expression("attribute_not_exists(pk)")
                .send()
                .await;
            match result {
                Ok(_) => Ok(Applied::AlreadyRecorded),
                Err(e) if condition_failed(&e) => Ok(Applied::DuplicateEvent),
                Err(e) => Err(storage(e)),
            }
        } else {
            Err(storage(error))
        }
    }

    fn event_put(
        &self,
        event_id: &str,
        event_type: &str,
        now_epoch: u64,
    ) -> Result<Put, StorageError> {
        Put::builder()
            .table_name(&self.table)
            .set_item(Some(event_item(event_id, event_type, now_epoch)))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(|e| StorageError(e.to_string()))
    }

    /// Records the refund of a succeeded payment; true if it is recorded now, false if this
    /// refund was recorded before.
    pub async fn record_refund(
        &self,
        payment_id: &str,
        refund_id: &str,
        now: &str,
    ) -> Result<bool, StorageError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(&payment_key(payment_id)))
            .update_expression("SET #status = :refunded, refundId = :refund, refundedAt = :now")
            .condition_expression("#status = :succeeded")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":refunded", s(PaymentStatus::Refunded.as_str()))
            .expression_attribute_values(":succeeded", s(PaymentStatus::Succeeded.as_str()))
            .expression_attribute_values(":refund", s(refund_id))
            .expression_attribute_values(":now", s(now))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(storage(e)),
        }
    }
}

/// The memory of an applied Stripe event; the table's TTL forgets it after
/// [`EVENT_MEMORY_SECONDS`].
fn event_item(event_id: &str, event_type: &str, now_epoch: u64) -> Item {
    Item::from([
        ("pk".to_string(), s(&event_key(event_id))),
        ("eventId".to_string(), s(event_id)),
        ("type".to_string(), s(event_type)),
        ("receivedAt".to_string(), n(now_epoch)),
        (
            "expiresAtEpoch".to_string(),
            n(now_epoch + EVENT_MEMORY_SECONDS),
        ),
    ])
}

/// The table item of an order replica.
pub fn order_to_item(order: &OrderReplica) -> Item {
    let mut item = Item::from([
        ("pk".to_string(), s(&order_key(&order.id))),
        ("id".to_string(), s(&order.id)),
        ("userId".to_string(), s(&order.user_id)),
        ("status".to_string(), s(order.status.as_str())),
        ("version".to_string(), n(order.version)),
        ("price".to_string(), n(order.price.0)),
        ("ticketTitle".to_string(), s(&order.ticket_title)),
        ("expiresAt".to_string(), s(&order.expires_at)),
    ]);
    if let Some(intent) = &order.payment_intent_id {
        item.insert("paymentIntentId".to_string(), s(intent));
    }
    item
}

/// An order replica from its item.
pub fn order_from_item(item: &Item) -> Result<OrderReplica, StorageError> {
    let status = text(item, "status").map_err(StorageError)?;
    Ok(OrderReplica {
        id: text(item, "id").map_err(StorageError)?,
        user_id: text(item, "userId").map_err(StorageError)?,
        status: OrderStatus::parse(&status)
            .ok_or_else(|| StorageError(format!("unknown order status {status}")))?,
        version: count(item, "version").map_err(StorageError)?,
        price: Cents(count(item, "price").map_err(StorageError)?),
        ticket_title: text(item, "ticketTitle").map_err(StorageError)?,
        expires_at: text(item, "expiresAt").map_err(StorageError)?,
        payment_intent_id: optional_text(item, "paymentIntentId"),
    })
}

/// The table item of a payment.
pub fn payment_to_item(payment: &Payment) -> Item {
    let mut item = Item::from([
        ("pk".to_string(), s(&payment_key(&payment.id))),
        ("id".to_string(), s(&payment.id)),
        ("orderId".to_string(), s(&payment.order_id)),
        ("amount".to_string(), n(payment.amount.0)),
        ("currency".to_string(), s(&payment.currency)),
        ("status".to_string(), s(payment.status.as_str())),
        ("createdAt".to_string(), s(&payment.created_at)),
    ]);
    if let Some(refund_id) = &payment.refund_id {
        item.insert("refundId".to_string(), s(refund_id));
    }
    item
}

/// A payment from its item (or stream image).
pub fn payment_from_item(item: &Item) -> Result<Payment, StorageError> {
    let status = text(item, "status").map_err(StorageError)?;
    Ok(Payment {
        id: text(item, "id").map_err(StorageError)?,
        order_id: text(item, "orderId").map_err(StorageError)?,
        amount: Cents(count(item, "amount").map_err(StorageError)?),
        currency: text(item, "currency").map_err(StorageError)?,
        status: PaymentStatus::parse(&status)
            .ok_or_else(|| StorageError(format!("unknown payment status {status}")))?,
        created_at: text(item, "createdAt").map_err(StorageError)?,
        refund_id: optional_text(item, "refundId"),
    })
}

fn failure_to_item(event_id: &str, failure: &PaymentFailure) -> Item {
    let mut item = Item::from([
        ("pk".to_string(), s(&failure_key(event_id))),
        ("paymentIntentId".to_string(), s(&failure.payment_intent_id)),
        ("orderId".to_string(), s(&failure.order_id)),
        ("createdAt".to_string(), s(&failure.created_at)),
    ]);
    for (name, value) in [
        ("code", &failure.code),
        ("declineCode", &failure.decline_code),
        ("message", &failure.message),
    ] {
        if let Some(value) = value {
            item.insert(name.to_string(), s(value));
        }
    }
    item
}

fn unmatched_to_item(unmatched: &UnmatchedPayment) -> Item {
    let mut item = Item::from([
        (
            "pk".to_string(),
            s(&unmatched_key(&unmatched.payment_intent_id)),
        ),
        (
            "paymentIntentId".to_string(),
            s(&unmatched.payment_intent_id),
        ),
        ("orderId".to_string(), s(&unmatched.order_id)),
        ("amount".to_string(), n(unmatched.amount.0)),
        ("currency".to_string(), s(&unmatched.currency)),
        ("reason".to_string(), s(&unmatched.reason)),
        ("createdAt".to_string(), s(&unmatched.created_at)),
    ]);
    if let Some(refund_id) = &unmatched.refund_id {
        item.insert("refundId".to_string(), s(refund_id));
    }
    item
}

fn unmatched_from_item(item: &Item) -> Result<UnmatchedPayment, StorageError> {
    Ok(UnmatchedPayment {
        payment_intent_id: text(item, "paymentIntentId").map_err(StorageError)?,
        order_id: text(item, "orderId").map_err(StorageError)?,
        amount: Cents(count(item, "amount").map_err(StorageError)?),
        currency: text(item, "currency").map_err(StorageError)?,
        reason: text(item, "reason").map_err(StorageError)?,
        refund_id: optional_text(item, "refundId"),
        created_at: text(item, "createdAt").map_err(StorageError)?,
    })
}

fn failure_from_item(item: &Item) -> Result<PaymentFailure, StorageError> {
    Ok(PaymentFailure {
        payment_intent_id: text(item, "paymentIntentId").map_err(StorageError)?,
        order_id: text(item, "orderId").map_err(StorageError)?,
        code: optional_text(item, "code"),
        decline_code: optional_text(item, "declineCode"),
        message: optional_text(item, "message"),
        created_at: text(item, "createdAt").map_err(StorageError)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_round_trip() {
        let order = OrderReplica {
            id: "o-1".into(),
            user_id: "u-1".into(),
            status: OrderStatus::Created,
            version: 0,
            price: Cents(2500),
            ticket_title: "Concert".into(),
            expires_at: "2026-11-26T12:15:00.000Z".into(),
            payment_intent_id: None,
        };
        assert_eq!(order_from_item(&order_to_item(&order)).unwrap(), order);
        let started = OrderReplica {
            payment_intent_id: Some("pi_1".into()),
            ..order
        };
        assert_eq!(order_from_item(&order_to_item(&started)).unwrap(), started);
        let unmatched = UnmatchedPayment {
            payment_intent_id: "pi_2".into(),
            order_id: "o-1".into(),
            amount: Cents(50),
            currency: "usd".into(),
            reason: "amount 50 usd, not the order's 2500 usd".into(),
            refund_id: Some("re_2".into()),
            created_at: "2026-11-26T12:05:00.000Z".into(),
        };
        assert_eq!(
            unmatched_from_item(&unmatched_to_item(&unmatched)).unwrap(),
            unmatched
        );
        let payment = Payment {
            id: "pi_1".into(),
            order_id: "o-1".into(),
            amount: Cents(2500),
            currency: "usd".into(),
            status: PaymentStatus::Refunded,
            created_at: "2026-11-26T12:05:00.000Z".into(),
            refund_id: Some("re_1".into()),
        };
        assert_eq!(
            payment_from_item(&payment_to_item(&payment)).unwrap(),
            payment
        );
        let failure = PaymentFailure {
            payment_intent_id: "pi_1".into(),
            order_id: "o-1".into(),
            code: Some("card_declined".into()),
            decline_code: Some("insufficient_funds".into()),
            message: None,
            created_at: "2026-11-26T12:05:00.000Z".into(),
        };
        assert_eq!(
            failure_from_item(&failure_to_item("evt_1", &failure)).unwrap(),
            failure
        );
    }
}
