//! The order and its life: `created` → `complete` or `cancelled`, nothing else.

use serde::{Deserialize, Serialize};
use ticketing::money::Cents;

/// How many orders awaiting payment one buyer may hold at once: enough to buy for friends,
/// too few to hold a sale's tickets away from everyone else.
pub const MAX_OPEN_ORDERS: u64 = 3;

/// Where an order is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Holds the ticket, awaiting payment until `expiresAt`.
    Created,
    Cancelled,
    Complete,
}

impl Status {
    /// The stored / wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Cancelled => "cancelled",
            Status::Complete => "complete",
        }
    }

    /// Parses the stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "created" => Some(Status::Created),
            "cancelled" => Some(Status::Cancelled),
            "complete" => Some(Status::Complete),
            _ => None,
        }
    }
}

/// The ticket as the order saw it when reserving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderedTicket {
    pub id: String,
    pub title: String,
    pub price: Cents,
    /// Which of the ticket's reservations this order is (1, 2, ...): the tickets side locks and
    /// frees the ticket in this order, however the events arrive.
    #[serde(default)]
    pub reservation: u64,
}

/// An order for one ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    pub id: String,
    pub status: Status,
    pub user_id: String,
    pub expires_at: String,
    pub created_at: String,
    pub version: u64,
    pub ticket: OrderedTicket,
}

/// What cancelling an order in a given state does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancellation {
    /// Cancel it now (and free the ticket).
    Cancel,
    /// Already cancelled: nothing to do, and that is fine.
    AlreadyCancelled,
    /// A complete order can't be cancelled.
    Refused,
}

/// The cancellation rule: only a `created` order moves to `cancelled`.
pub fn cancellation(status: Status) -> Cancellation {
    match status {
        Status::Created => Cancellation::Cancel,
        Status::Cancelled => Cancellation::AlreadyCancelled,
        Status::Complete => Cancellation::Refused,
    }
}

/// Why a buyer may not reserve a ticket, whatever its state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuyRefusal {
    /// It is their own ticket.
    OwnTicket,
}

/// May `buyer_id` buy a ticket sold by `seller_id` (unknown on replicas older than the rule)?
pub fn may_buy(buyer_id: &str, seller_id: Option<&str>) -> Result<(), BuyRefusal> {
    if seller_id == Some(buyer_id) {
        return Err(BuyRefusal::OwnTicket);
    }
    Ok(())
}

/// Has the payment window of an order closed at `now`? (RFC 3339 strings of one fixed width compare as time.)
pub fn is_expired(order: &Order, now: &str) -> bool {
    now >= order.expires_at.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_created_order_is_cancelled() {
        assert_eq!(cancellation(Status::Created), Cancellation::Cancel);
        assert_eq!(
            cancellation(Status::Cancelled),
            Cancellation::AlreadyCancelled
        );
        assert_eq!(cancellation(Status::Complete), Cancellation::Refused);
    }

    #[test]
    fn a_seller_may_not_buy_their_own_ticket() {
        assert_eq!(may_buy("alice", Some("alice")), Err(BuyRefusal::OwnTicket));
        assert_eq!(may_buy("bob", Some("alice")), Ok(()));
        assert_eq!(may_buy("bob", None), Ok(()));
    }

    #[test]
    fn statuses_round_trip() {
        for status in [Status::Created, Status::Cancelled, Status::Complete] {
            assert_eq!(Status::parse(status.as_str()), Some(status));
        }
        assert_eq!(Status::parse("paid"), None);
    }

    #[test]
    fn an_order_expires_at_its_expiry_time() {
        let order = Order {
            id: "o".into(),
            status: Status::Created,
            user_id: "u".into(),
            expires_at: "2026-11-26T12:15:00.000Z".into(),
            created_at: "2026-11-26T12:00:00.000Z".into(),
            version: 0,
            ticket: OrderedTicket {
                id: "t".into(),
                title: "T".into(),
                price: Cents(1),
                reservation: 1,
            },
        };
        assert!(!is_expired(&order, "2026-11-26T12:14:59.999Z"));
        assert!(is_expired(&order, "2026-11-26T12:15:00.000Z"));
    }
}
