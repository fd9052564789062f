//! Cards: validating what a customer typed (as Stripe does when a PaymentMethod is created) and
//! what happens when one is charged, by Stripe's documented test card numbers.

use sha2::{Digest, Sha256};

use crate::errors::ApiError;

/// A validated card. The stand-in keeps the full number (Stripe would not show it to anyone) to
/// decide the outcome when a PaymentIntent is confirmed with it.
#[derive(Clone, Debug)]
pub struct Card {
    pub number: String,
    pub exp_month: i64,
    pub exp_year: i64,
}

impl Card {
    pub fn brand(&self) -> &'static str {
        brand(&self.number)
    }

    pub fn last4(&self) -> String {
        self.number[self.number.len() - 4..].to_string()
    }

    /// `debit` for Stripe's Visa debit test card, `credit` otherwise.
    pub fn funding(&self) -> &'static str {
        match self.number.as_str() {
            "4000056655665556" | "5200828282828210" => "debit",
            _ => "credit",
        }
    }

    /// The same for every use of one card number, as Stripe's card fingerprints are.
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::digest(self.number.as_bytes());
        hex::encode(digest)[..16].to_string()
    }
}

/// What the issuer says when the card is charged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Approved,
    Declined(Decline),
}

/// A declined charge, as Stripe reports it in a `card_error`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decline {
    pub code: &'static str,
    pub decline_code: &'static str,
    pub message: &'static str,
}

/// Stripe's test cards that decline; any other valid number is approved.
/// <https://docs.stripe.com/testing#declined-payments>
pub fn outcome(number: &str) -> Outcome {
    let (code, decline_code, message) = match number {
        "4000000000000002" => (
            "card_declined",
            "generic_decline",
            "Your card was declined.",
        ),
        "4000000000009995" => (
            "card_declined",
            "insufficient_funds",
            "Your card has insufficient funds.",
        ),
        "4000000000009987" => ("card_declined", "lost_card", "Your card was declined."),
        "4000000000009979" => ("card_declined", "stolen_card", "Your card was declined."),
        "4000000000000069" => ("expired_card", "expired_card", "Your card has expired."),
        "4000000000000127" => (
            "incorrect_cvc",
            "incorrect_cvc",
            "Your card's security code is incorrect.",
        ),
        "4000000000000119" => (
            "processing_error",
            "processing_error",
            "An error occurred while processing your card. Try again in a little bit.",
        ),
        _ => return Outcome::Approved,
    };
    Outcome::Declined(Decline {
        code,
        decline_code,
        message,
    })
}

/// Stripe's test PaymentMethod ids (`pm_card_visa`...), usable wherever a PaymentMethod id is:
/// each use makes a new PaymentMethod with that card.
pub fn test_payment_method(id: &str) -> Option<&'static str> {
    Some(match id {
        "pm_card_visa" => "4242424242424242",
        "pm_card_visa_debit" => "4000056655665556",
        "pm_card_mastercard" => "5555555555554444",
        "pm_card_amex" => "378282246310005",
        "pm_card_chargeDeclined" => "4000000000000002",
        "pm_card_chargeDeclinedInsufficientFunds" => "4000000000009995",
        "pm_card_chargeDeclinedLostCard" => "4000000000009987",
        "pm_card_chargeDeclinedStolenCard" => "4000000000009979",
        "pm_card_chargeDeclinedExpiredCard" => "4000000000000069",
        "pm_card_chargeDeclinedIncorrectCvc" => "4000000000000127",
        "pm_card_chargeDeclinedProcessingError" => "4000000000000119",
        _ => return None,
    })
}

/// Checks a card as Stripe does when a PaymentMethod is created: the number (digits, length,
/// Luhn), then the expiry against `today` (year, month), then the CVC.
pub fn validate(
    number: Option<&str>,
    exp_month: Option<&str>,
    exp_year: Option<&str>,
    cvc: Option<&str>,
    today: (i64, i64),
) -> Result<Card, ApiError> {
    let raw = number.ok_or_else(|| ApiError::missing_param("card[number]"))?;
    let number: String = raw.chars().filter(|c| *c != ' ' && *c != '-').collect();
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) {
        return Err(card_param_error(
            "invalid_number",
            "card[number]",
            "Your card number is not a valid credit card number.",
        ));
    }
    if !(12..=19).contains(&number.len()) || !luhn_valid(&number) {
        return Err(card_param_error(
            "incorrect_number",
            "card[number]",
            "Your card number is incorrect.",
        ));
    }

    let exp_month = exp_month.ok_or_else(|| ApiError::missing_param("card[exp_month]"))?;
    let exp_year = exp_year.ok_or_else(|| ApiError::missing_param("card[exp_year]"))?;
    let bad_month = || {
        card_param_error(
            "invalid_expiry_month",
            "card[exp_month]",
            "Your card's expiration month is invalid.",
        )
    };
    let bad_year = || {
        card_param_error(
            "invalid_expiry_year",
            "card[exp_year]",
            "Your card's expiration year is invalid.",
        )
    };
    let exp_month: i64 = exp_month.trim().parse().map_err(|_| bad_month())?;
    if !(1..=12).contains(&exp_month) {
        return Err(bad_month());
    }
    let mut exp_year: i64 = exp_year.trim().parse().map_err(|_| bad_year())?;
    if (0..100).contains(&exp_year) {
        exp_year += 2000;
    }
    let (this_year, this_month) = today;
    if exp_year < this_year || exp_year > this_year + 50 {
        return Err(bad_year());
    }
    if exp_year == this_year && exp_month < this_month {
        return Err(bad_month());
    }

    let cvc_length = if brand(&number) == "amex" { 4 } else { 3 };
    match cvc.map(str::trim) {
        None | Some("") => {
            return Err(card_param_error(
                "incomplete_cvc",
                "card[cvc]",
                "Your card's security code is incomplete.",
            ))
        }
        Some(cvc) if cvc.len() != cvc_length || !cvc.chars().all(|c| c.is_ascii_digit()) => {
            return Err(card_param_error(
                "invalid_cvc",
                "card[cvc]",
                "Your card's security code is invalid.",
            ))
        }
        Some(_) => {}
    }

    Ok(Card {
        number,
        exp_month,
        exp_year,
    })
}

fn card_param_error(code: &str, param: &str, message: &str) -> ApiError {
    let mut err = ApiError::card_error(code, None, Some(param), message);
    // A typo in a card is a validation failure: not saved for idempotent replays.
    err.replayable = false;
    err
}

/// The card network, from the number's first digits.
pub fn brand(number: &str) -> &'static str {
    let prefix = |n: usize| number.get(..n).and_then(|p| p.parse::<u32>().ok());
    match (prefix(1), prefix(2), prefix(4), prefix(6)) {
        (Some(4), ..) => "visa",
        (_, Some(51..=55), ..) | (_, _, Some(2221..=2720), _) => "mastercard",
        (_, Some(34 | 37), ..) => "amex",
        (_, Some(65), ..) | (_, _, Some(6011), _) | (.., Some(644_000..=649_999)) => "discover",
        (_, Some(36 | 38 | 39 | 30), ..) => "diners",
        (_, _, Some(3528..=3589), _) => "jcb",
        (_, Some(62), ..) => "unionpay",
        _ => "unknown",
    }
}

/// The Luhn checksum every card number carries.
pub fn luhn_valid(number: &str) -> bool {
    let sum: u32 = number
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: (i64, i64) = (2026, 6);

    fn code(err: ApiError) -> String {
        err.body()["error"]["code"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    #[test]
    fn test_cards_are_valid_and_branded() {
        for (number, brand) in [
            ("4242424242424242", "visa"),
            ("4000000000000002", "visa"),
            ("4000000000009995", "visa"),
            ("5555555555554444", "mastercard"),
            ("2223003122003222", "mastercard"),
            ("378282246310005", "amex"),
            ("6011111111111117", "discover"),
        ] {
            assert!(luhn_valid(number), "{number}");
            assert_eq!(super::brand(number), brand, "{number}");
        }
    }

    #[test]
    fn bad_numbers_are_incorrect() {
        let err = validate(
            Some("4242424242424241"),
            Some("12"),
            Some("2030"),
            Some("123"),
            TODAY,
        )
        .unwrap_err();
        assert_eq!(err.status, http::StatusCode::PAYMENT_REQUIRED);
        assert_eq!(code(err), "incorrect_number");
        let err = validate(Some("4242"), Some("12"), Some("30"), Some("123"), TODAY).unwrap_err();
        assert_eq!(code(err), "incorrect_number");
        let err = validate(Some("4242abcd"), Some("12"), Some("30"), Some("123"), TODAY);
        assert_eq!(code(err.unwrap_err()), "invalid_number");
    }

    #[test]
    fn expiry_and_cvc_are_checked() {
        let card = |m: &str, y: &str, cvc: Option<&str>| {
            validate(Some("4242 4242 4242 4242"), Some(m), Some(y), cvc, TODAY)
        };
        assert_eq!(
            code(card("12", "2025", Some("123")).unwrap_err()),
            "invalid_expiry_year"
        );
        assert_eq!(
            code(card("5", "2026", Some("123")).unwrap_err()),
            "invalid_expiry_month"
        );
        assert_eq!(
            code(card("13", "2030", Some("123")).unwrap_err()),
            "invalid_expiry_month"
        );
        assert_eq!(
            code(card("12", "2030", None).unwrap_err()),
            "incomplete_cvc"
        );
        assert_eq!(
            code(card("12", "2030", Some("12")).unwrap_err()),
            "invalid_cvc"
        );
        let ok = card("6", "26", Some("123")).unwrap();
        assert_eq!(
            (ok.exp_month, ok.exp_year, ok.last4()),
            (6, 2026, "4242".into())
        );
    }

    #[test]
    fn declines_follow_the_documented_test_cards() {
        assert_eq!(outcome("4242424242424242"), Outcome::Approved);
        let Outcome::Declined(d) = outcome("4000000000009995") else {
            panic!("approved")
        };
        assert_eq!(
            (d.code, d.decline_code),
            ("card_declined", "insufficient_funds")
        );
    }
}
