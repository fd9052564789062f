//! The events orders publish, derived from the Orders table's stream.

use crate::order::Status;
use crate::store::{order_from_item, REJECTION_PREFIX};
use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;
use ticketing::events::OutgoingEvent;
use ticketing::stream::StreamRecord;

/// The `source` of every orders event.
pub const SOURCE: &str = "ticketing.orders";

/// A new order is OrderCreated; a move to cancelled or complete is OrderCancelled or
/// OrderCompleted; a new rejected-payment record is OrderPaymentRejected. Replica and
/// idempotency items publish nothing.
pub fn order_event(record: &StreamRecord) -> Result<Option<OutgoingEvent>, String> {
    let Some(image) = &record.new_image else {
        return Ok(None);
    };
    let pk = image
        .get("pk")
        .and_then(|v| v.as_s().ok())
        .cloned()
        .unwrap_or_default();
    if pk.starts_with(REJECTION_PREFIX) {
        return rejection_event(record, image);
    }
    if !pk.starts_with("ORDER#") {
        return Ok(None);
    }
    let order = order_from_item(image).map_err(|e| e.to_string())?;
    let previous_status = record
        .old_image
        .as_ref()
        .and_then(|old| old.get("status"))
        .and_then(|v| AttributeValue::as_s(v).ok())
        .cloned();
    let detail_type = match (record.event_name.as_str(), order.status) {
        ("INSERT", Status::Created) => "OrderCreated",
        ("MODIFY", status) if previous_status.as_deref() == Some(status.as_str()) => {
            return Ok(None)
        }
        ("INSERT" | "MODIFY", Status::Cancelled) => "OrderCancelled",
        ("INSERT" | "MODIFY", Status::Complete) => "OrderCompleted",
        _ => return Ok(None),
    };
    let detail = serde_json::to_value(&order).map_err(|e| e.to_string())?;
    Ok(Some(OutgoingEvent {
        source: SOURCE,
        detail_type,
        detail,
    }))
}

fn rejection_event(
    record: &StreamRecord,
    image: &HashMap<String, AttributeValue>,
) -> Result<Option<OutgoingEvent>, String> {
    if record.event_name != "INSERT" {
        return Ok(None);
    }
    let text = |name: &str| {
        image
            .get(name)
            .and_then(|v| v.as_s().ok())
            .cloned()
            .ok_or(format!("rejection without {name}"))
    };
    let detail =
        serde_json::json!({ "paymentId": text("paymentId")?, "orderId": text("orderId")? });
    Ok(Some(OutgoingEvent {
        source: SOURCE,
        detail_type: "OrderPaymentRejected",
        detail,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::{Order, OrderedTicket};
    use crate::store::order_to_item;
    use ticketing::money::Cents;

    fn order(status: Status, version: u64) -> Order {
        Order {
            id: "o-1".into(),
            status,
            user_id: "u-1".into(),
            expires_at: "2026-11-26T12:15:00.000Z".into(),
            created_at: "2026-11-26T12:00:00.000Z".into(),
            version,
            ticket: OrderedTicket {
                id: "t-1".into(),
                title: "Concert".into(),
                price: Cents(2500),
                reservation: 1,
            },
        }
    }

    fn record(name: &str, new: &Order, old: Option<&Order>) -> StreamRecord {
        StreamRecord {
            event_name: name.into(),
            sequence_number: "1".into(),
            new_image: Some(order_to_item(new)),
            old_image: old.map(order_to_item),
        }
    }

    #[test]
    fn each_move_has_its_event() {
        let created = order(Status::Created, 0);
        assert_eq!(
            order_event(&record("INSERT", &created, None))
                .unwrap()
                .unwrap()
                .detail_type,
            "OrderCreated"
        );
        let cancelled = order(Status::Cancelled, 1);
        let event = order_event(&record("MODIFY", &cancelled, Some(&created)))
            .unwrap()
            .unwrap();
        assert_eq!(event.detail_type, "OrderCancelled");
        assert_eq!(event.detail["version"], 1);
        assert_eq!(event.detail["ticket"]["id"], "t-1");
        let complete = order(Status::Complete, 1);
        assert_eq!(
            order_event(&record("MODIFY", &complete, Some(&created)))
                .unwrap()
                .unwrap()
                .detail_type,
            "OrderCompleted"
        );
    }

    #[test]
    fn a_rejected_payment_record_is_order_payment_rejected() {
        let image = HashMap::from([
            ("pk".to_string(), AttributeValue::S("REJECTION#p-1".into())),
            ("paymentId".to_string(), AttributeValue::S("p-1".into())),
            ("orderId".to_string(), AttributeValue::S("o-1".into())),
        ]);
        let record = StreamRecord {
            event_name: "INSERT".into(),
            sequence_number: "1".into(),
            new_image: Some(image),
            old_image: None,
        };
        let event = order_event(&record).unwrap().unwrap();
        assert_eq!(event.detail_type, "OrderPaymentRejected");
        assert_eq!(
            event.detail,
            serde_json::json!({"paymentId": "p-1", "orderId": "o-1"})
        );
    }

    #[test]
    fn replicas_and_unchanged_statuses_publish_nothing() {
        let created = order(Status::Created, 0);
        assert_eq!(
            order_event(&record("MODIFY", &created, Some(&created))).unwrap(),
            None
        );
        let mut replica = record("INSERT", &created, None);
        replica
            .new_image
            .as_mut()
            .unwrap()
            .insert("pk".into(), AttributeValue::S("TICKET#t-1".into()));
        assert_eq!(order_event(&replica).unwrap(), None);
    }
}
