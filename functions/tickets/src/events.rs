//! The events tickets publish, derived from the Tickets table's stream.

use crate::store::from_item;
use ticketing::events::OutgoingEvent;
use ticketing::stream::StreamRecord;

/// The `source` of every tickets event.
pub const SOURCE: &str = "ticketing.tickets";

/// A new ticket becomes TicketCreated; every later version TicketUpdated. Removals publish nothing.
pub fn ticket_event(record: &StreamRecord) -> Result<Option<OutgoingEvent>, String> {
    let Some(image) = &record.new_image else {
        return Ok(None);
    };
    let ticket = from_item(image).map_err(|e| e.to_string())?;
    let detail_type = match (record.event_name.as_str(), ticket.version) {
        ("INSERT", 0) => "TicketCreated",
        ("INSERT" | "MODIFY", _) => "TicketUpdated",
        _ => return Ok(None),
    };
    let detail = serde_json::to_value(&ticket).map_err(|e| e.to_string())?;
    Ok(Some(OutgoingEvent {
        source: SOURCE,
        detail_type,
        detail,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::to_item;
    use crate::ticket::Ticket;
    use ticketing::money::Cents;

    fn record(event_name: &str, version: u64) -> StreamRecord {
        let ticket = Ticket {
            id: "t-1".into(),
            title: "Concert".into(),
            price: Cents(2500),
            user_id: "u-1".into(),
            version,
            order_id: None,
            created_at: "2026-11-26T12:00:00.000Z".into(),
            updated_at: "2026-11-26T12:00:00.000Z".into(),
            released_orders: vec!["o-9".into()],
            reservation: 1,
        };
        StreamRecord {
            event_name: event_name.into(),
            sequence_number: "1".into(),
            new_image: Some(to_item(&ticket)),
            old_image: None,
        }
    }

    #[test]
    fn an_insert_is_ticket_created_with_the_full_ticket() {
        let event = ticket_event(&record("INSERT", 0)).unwrap().unwrap();
        assert_eq!((event.source, event.detail_type), (SOURCE, "TicketCreated"));
        assert_eq!(
            event.detail,
            serde_json::json!({
                "id": "t-1", "title": "Concert", "price": 2500, "userId": "u-1", "version": 0, "orderId": null,
                "createdAt": "2026-11-26T12:00:00.000Z", "updatedAt": "2026-11-26T12:00:00.000Z"
            })
        );
    }

    #[test]
    fn a_modification_is_ticket_updated_and_a_removal_nothing() {
        assert_eq!(
            ticket_event(&record("MODIFY", 1))
                .unwrap()
                .unwrap()
                .detail_type,
            "TicketUpdated"
        );
        let mut removed = record("REMOVE", 1);
        removed.new_image = None;
        assert_eq!(ticket_event(&removed).unwrap(), None);
    }
}
