//! The seller's side, as plain types and pure rules: the platform fee, a listing's state, and
//! when a connected account can be paid.

use serde::Serialize;
use ticketing::money::Cents;

/// The platform's share of a sale in basis points when `PLATFORM_FEE_BASIS_POINTS` is not set:
/// 1000 = 10 %.
pub const DEFAULT_FEE_BASIS_POINTS: u64 = 1000;

/// The platform's fee on a sale of `price`: `basis_points` / 10 000 of it, rounded half up to
/// the cent, never more than the price.
pub fn platform_fee(price: Cents, basis_points: u64) -> Cents {
    let fee = (u128::from(price.0) * u128::from(basis_points) + 5000) / 10_000;
    Cents((fee as u64).min(price.0))
}

/// Where a seller's Stripe account is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutAccount {
    pub seller_id: String,
    /// The connected account (`acct_...`).
    pub account_id: String,
    pub details_submitted: bool,
    pub payouts_enabled: bool,
    /// The account's `transfers` capability is active.
    pub transfers_active: bool,
    /// `created` of the last `account.updated` applied (0: none yet); older ones are ignored.
    pub updated_at: i64,
}

impl PayoutAccount {
    /// Stripe accepts transfers to it and pays them out to the seller's bank.
    pub fn is_ready(&self) -> bool {
        self.details_submitted && self.payouts_enabled && self.transfers_active
    }

    /// What the seller sees: `ready`, or `incomplete` while onboarding is not finished.
    pub fn status(&self) -> &'static str {
        if self.is_ready() {
            "ready"
        } else {
            "incomplete"
        }
    }
}

/// Where a listed ticket is, as its order events say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ListingState {
    ForSale,
    Reserved,
    Sold,
}

/// Where the seller's money for a sale is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PayoutState {
    /// The seller has no account that can receive it yet.
    WaitingForSetup,
    /// Transferred to the seller's account.
    Sent,
}

impl PayoutState {
    pub fn as_str(self) -> &'static str {
        match self {
            PayoutState::WaitingForSetup => "waiting_for_setup",
            PayoutState::Sent => "sent",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "waiting_for_setup" => Some(PayoutState::WaitingForSetup),
            "sent" => Some(PayoutState::Sent),
            _ => None,
        }
    }
}

/// A sold ticket's money.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sale {
    pub order_id: String,
    /// What the buyer paid.
    pub price: Cents,
    pub fee: Cents,
    /// What the seller gets: price minus fee.
    pub amount: Cents,
    pub payout: PayoutState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transfer_id: Option<String>,
}

/// A ticket a seller listed, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Listing {
    pub seller_id: String,
    pub ticket_id: String,
    pub title: String,
    pub price: Cents,
    pub listed_at: String,
    /// The ticket's version the title and price are from.
    #[serde(skip)]
    pub ticket_version: u64,
    pub state: ListingState,
    /// While reserved: when the buyer's payment window ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reserved_until: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sale: Option<Sale>,
    /// The order event last applied: (reservation number, order version).
    #[serde(skip)]
    pub applied: (u64, u64),
}

/// The state an order event puts a listing in.
pub fn state_after(order_status: &str) -> Option<ListingState> {
    match order_status {
        "created" => Some(ListingState::Reserved),
        "cancelled" => Some(ListingState::ForSale),
        "complete" => Some(ListingState::Sold),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fee_is_a_share_of_the_price_rounded_to_the_cent() {
        assert_eq!(platform_fee(Cents(2500), 1000), Cents(250));
        assert_eq!(platform_fee(Cents(55), 1000), Cents(6));
        assert_eq!(platform_fee(Cents(54), 1000), Cents(5));
        assert_eq!(platform_fee(Cents(100), 0), Cents(0));
        assert_eq!(platform_fee(Cents(100), 20_000), Cents(100));
    }

    #[test]
    fn an_account_is_ready_only_when_stripe_can_transfer_and_pay_out() {
        let mut account = PayoutAccount {
            seller_id: "u-1".into(),
            account_id: "acct_1".into(),
            details_submitted: true,
            payouts_enabled: true,
            transfers_active: false,
            updated_at: 0,
        };
        assert!(!account.is_ready());
        assert_eq!(account.status(), "incomplete");
        account.transfers_active = true;
        assert!(account.is_ready());
        assert_eq!(account.status(), "ready");
    }

    #[test]
    fn order_statuses_map_to_listing_states() {
        assert_eq!(state_after("created"), Some(ListingState::Reserved));
        assert_eq!(state_after("cancelled"), Some(ListingState::ForSale));
        assert_eq!(state_after("complete"), Some(ListingState::Sold));
        assert_eq!(state_after("other"), None);
    }
}
