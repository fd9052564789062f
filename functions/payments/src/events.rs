//! The events payments publish, derived from the Payments table's stream.

use crate::store::{payment_from_item, PAYMENT_PREFIX};
use ticketing::dynamo::optional_text;
use ticketing::events::OutgoingEvent;
use ticketing::stream::StreamRecord;

/// The `source` of every payments event.
pub const SOURCE: &str = "ticketing.payments";

/// A new payment item is PaymentCreated `{id, orderId, amount, currency}`. Refunds, replicas,
/// failures and remembered Stripe events publish nothing.
pub fn payment_event(record: &StreamRecord) -> Result<Option<OutgoingEvent>, String> {
    let Some(image) = &record.new_image else {
        return Ok(None);
    };
    let is_payment = optional_text(image, "pk").is_some_and(|pk| pk.starts_with(PAYMENT_PREFIX));
    if record.event_name != "INSERT" || !is_payment {
        return Ok(None);
    }
    let payment = payment_from_item(image).map_err(|e| e.to_string())?;
    Ok(Some(OutgoingEvent {
        source: SOURCE,
        detail_type: "PaymentCreated",
        detail: serde_json::json!({
            "id": payment.id,
            "orderId": payment.order_id,
            "amount": payment.amount,
            "currency": payment.currency,
        }),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Payment, PaymentStatus};
    use crate::store::payment_to_item;
    use ticketing::money::Cents;

    fn payment() -> Payment {
        Payment {
            id: "pi_1".into(),
            order_id: "o-1".into(),
            amount: Cents(2500),
            currency: "usd".into(),
            status: PaymentStatus::Succeeded,
            created_at: "2026-11-26T12:05:00.000Z".into(),
            refund_id: None,
        }
    }

    fn record(name: &str) -> StreamRecord {
        StreamRecord {
            event_name: name.into(),
            sequence_number: "1".into(),
            new_image: Some(payment_to_item(&payment())),
            old_image: None,
        }
    }

    #[test]
    fn a_new_payment_is_payment_created() {
        let event = payment_event(&record("INSERT")).unwrap().unwrap();
        assert_eq!(event.detail_type, "PaymentCreated");
        assert_eq!(
            event.detail,
            serde_json::json!({"id": "pi_1", "orderId": "o-1", "amount": 2500, "currency": "usd"})
        );
    }

    #[test]
    fn a_refund_publishes_nothing() {
        assert_eq!(payment_event(&record("MODIFY")).unwrap(), None);
    }
}
