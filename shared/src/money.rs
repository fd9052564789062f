//! Money as integer cents; never floating point.

use serde::{Deserialize, Serialize};

/// An amount of money in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cents(pub u64);

impl Cents {
    /// The smallest price accepted: fifty cents, the smallest card payment Stripe takes in US
    /// dollars. A cheaper ticket could be reserved but never paid for.
    pub const MIN_PRICE: Cents = Cents(50);
    /// The largest price accepted: one million dollars.
    pub const MAX_PRICE: Cents = Cents(100_000_000);

    /// Parses a price from JSON: a whole number of cents from [`Cents::MIN_PRICE`] to
    /// [`Cents::MAX_PRICE`]. Fractions, negatives, strings and missing values are refused with a
    /// message.
    pub fn parse_price(value: Option<&serde_json::Value>) -> Result<Self, &'static str> {
        let value = value.filter(|v| !v.is_null()).ok_or("Price is required")?;
        let cents = value
            .as_u64()
            .ok_or("Price must be a positive whole number of cents")?;
        if cents < Self::MIN_PRICE.0 {
            return Err("Price must be at least 50 cents");
        }
        if cents > Self::MAX_PRICE.0 {
            return Err("Price must be at most 100000000 cents");
        }
        Ok(Self(cents))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn whole_cents_from_fifty_cents_to_a_million_dollars_are_prices() {
        assert_eq!(Cents::parse_price(Some(&json!(50))), Ok(Cents(50)));
        assert_eq!(Cents::parse_price(Some(&json!(2550))), Ok(Cents(2550)));
        assert_eq!(
            Cents::parse_price(Some(&json!(100_000_000))),
            Ok(Cents(100_000_000))
        );
    }

    #[test]
    fn everything_else_is_refused() {
        for (value, why) in [
            (None, "missing"),
            (Some(json!(null)), "null"),
            (Some(json!(0)), "zero"),
            (Some(json!(49)), "under Stripe's card minimum"),
            (Some(json!(-5)), "negative"),
            (Some(json!(10.5)), "a fraction of a cent"),
            (Some(json!(10.0)), "a float, even a whole one"),
            (Some(json!("100")), "a string"),
            (Some(json!(100_000_001)), "too large"),
        ] {
            assert!(Cents::parse_price(value.as_ref()).is_err(), "{why}");
        }
    }
}
