//! What payments keep: its copy of each order, and each payment Stripe reported.

use serde::{Deserialize, Serialize};
use ticketing::money::Cents;

/// Where an order is in its life, as the orders side last told us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderStatus {
    Created,
    Cancelled,
    Complete,
}

impl OrderStatus {
    /// The stored / wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Created => "created",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Complete => "complete",
        }
    }

    /// Parses the stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "created" => Some(OrderStatus::Created),
            "cancelled" => Some(OrderStatus::Cancelled),
            "complete" => Some(OrderStatus::Complete),
            _ => None,
        }
    }
}

/// The payments-side replica of an order: who may pay, how much, until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderReplica {
    pub id: String,
    pub user_id: String,
    pub status: OrderStatus,
    pub version: u64,
    pub price: Cents,
    pub ticket_title: String,
    /// RFC 3339 (fixed width, so text order is time order).
    pub expires_at: String,
    /// The PaymentIntent made for this order, once the buyer has started paying: the only one
    /// that can pay it.
    pub payment_intent_id: Option<String>,
}

impl OrderReplica {
    /// Whether the payment window has closed at `now` (RFC 3339, fixed width).
    pub fn is_expired(&self, now: &str) -> bool {
        now >= self.expires_at.as_str()
    }
}

/// Where a payment is: taken, or given back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PaymentStatus {
    Succeeded,
    Refunded,
}

impl PaymentStatus {
    /// The stored / wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Succeeded => "succeeded",
            PaymentStatus::Refunded => "refunded",
        }
    }

    /// Parses the stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "succeeded" => Some(PaymentStatus::Succeeded),
            "refunded" => Some(PaymentStatus::Refunded),
            _ => None,
        }
    }
}

/// A succeeded card payment for an order. Its id is the Stripe PaymentIntent's id: one order has
/// one PaymentIntent, so one payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    pub id: String,
    pub order_id: String,
    pub amount: Cents,
    pub currency: String,
    pub status: PaymentStatus,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund_id: Option<String>,
}

/// A succeeded PaymentIntent that names one of our orders but cannot pay it: not the order's own
/// PaymentIntent, or not its price in its currency. It never completes an order; it is kept for
/// support, alarmed, and refunded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmatchedPayment {
    pub payment_intent_id: String,
    /// The order its metadata names.
    pub order_id: String,
    pub amount: Cents,
    pub currency: String,
    /// Why it does not pay the order.
    pub reason: String,
    /// The refund, when money was taken for an order we know.
    pub refund_id: Option<String>,
    pub created_at: String,
}

/// A card payment attempt Stripe reported as failed (declined, insufficient funds...). The order
/// stays open; this is kept for support and for the buyer's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentFailure {
    pub payment_intent_id: String,
    pub order_id: String,
    pub code: Option<String>,
    pub decline_code: Option<String>,
    pub message: Option<String>,
    pub created_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_expires_at_its_deadline() {
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
        assert!(!order.is_expired("2026-11-26T12:14:59.999Z"));
        assert!(order.is_expired("2026-11-26T12:15:00.000Z"));
    }

    #[test]
    fn statuses_round_trip() {
        for status in [
            OrderStatus::Created,
            OrderStatus::Cancelled,
            OrderStatus::Complete,
        ] {
            assert_eq!(OrderStatus::parse(status.as_str()), Some(status));
        }
        for status in [PaymentStatus::Succeeded, PaymentStatus::Refunded] {
            assert_eq!(PaymentStatus::parse(status.as_str()), Some(status));
        }
    }
}
