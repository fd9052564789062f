//! Card PaymentMethods: created from what the customer typed (by Stripe.js with the publishable
//! key, or server-side), then used to confirm a PaymentIntent.

use std::collections::HashMap;

use stripe_shared::{BillingDetails, PaymentMethod};

use super::{json, ApiRequest, Reply};
use crate::cards::{self, Card};
use crate::errors::ApiError;
use crate::ids::new_id;
use crate::objects;
use crate::state::{State, StoredPaymentMethod};

/// `POST /v1/payment_methods` with `type=card` and `card[number|exp_month|exp_year|cvc]`.
pub fn create(state: &mut State, req: &ApiRequest) -> Reply {
    let params = &req.params;
    params.only(&[
        "type",
        "card[number]",
        "card[exp_month]",
        "card[exp_year]",
        "card[cvc]",
        "billing_details",
        "metadata",
        "expand",
        // Sent by Stripe.js; no meaning here.
        "guid",
        "muid",
        "sid",
        "payment_user_agent",
        "time_on_page",
        "referrer",
    ])?;
    match params.required("type")? {
        "card" => {}
        other => {
            return Err(ApiError::invalid_param(
                None,
                "type",
                format!("The stripe-standin creates card PaymentMethods only, not {other}."),
            ))
        }
    }
    let card = cards::validate(
        params.get("card[number]"),
        params.get("card[exp_month]"),
        params.get("card[exp_year]"),
        params.get("card[cvc]"),
        today(),
    )?;
    let billing = objects::payment_method::billing_details(params, "billing_details");
    let payment_method = create_card(state, card, billing, params.hash("metadata"), req.now);
    Ok(json(&payment_method))
}

/// `GET /v1/payment_methods/{id}`
pub fn retrieve(state: &mut State, id: &str) -> Reply {
    let stored = state
        .payment_methods
        .get(id)
        .ok_or_else(|| ApiError::no_such("PaymentMethod", id, "payment_method"))?;
    Ok(json(&stored.object))
}

/// Stores a new card PaymentMethod.
pub fn create_card(
    state: &mut State,
    card: Card,
    billing: BillingDetails,
    metadata: HashMap<String, String>,
    now: i64,
) -> PaymentMethod {
    let id = new_id("pm");
    let object = objects::payment_method::card(&id, &card, billing, metadata, now);
    state.payment_methods.insert(
        id,
        StoredPaymentMethod {
            object: object.clone(),
            card,
        },
    );
    object
}

/// The PaymentMethod a request names: a stored `pm_...`, or one of Stripe's test ids
/// (`pm_card_visa`...), which makes a new PaymentMethod with that test card.
pub fn resolve(state: &mut State, reference: &str, now: i64) -> Result<String, ApiError> {
    if state.payment_methods.contains_key(reference) {
        return Ok(reference.to_string());
    }
    if let Some(number) = cards::test_payment_method(reference) {
        let card = test_card(number)?;
        let created = create_card(state, card, empty_billing_details(), HashMap::new(), now);
        return Ok(created.id.to_string());
    }
    Err(ApiError::no_such(
        "PaymentMethod",
        reference,
        "payment_method",
    ))
}

/// A valid card with `number`: expiring in December two years from now, CVC 123 (1234 for Amex).
pub fn test_card(number: &str) -> Result<Card, ApiError> {
    let (year, _) = today();
    let exp_year = (year + 2).to_string();
    let cvc = if cards::brand(number) == "amex" {
        "1234"
    } else {
        "123"
    };
    cards::validate(
        Some(number),
        Some("12"),
        Some(&exp_year),
        Some(cvc),
        today(),
    )
}

pub fn empty_billing_details() -> BillingDetails {
    BillingDetails {
        address: None,
        email: None,
        name: None,
        phone: None,
        tax_id: None,
    }
}

/// (year, month) now, in UTC.
fn today() -> (i64, i64) {
    let now = time::OffsetDateTime::now_utc();
    (i64::from(now.year()), i64::from(u8::from(now.month())))
}
