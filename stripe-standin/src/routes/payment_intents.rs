//! PaymentIntents: create, retrieve, confirm (where a card is charged), cancel.

use stripe_shared::{PaymentIntent, PaymentIntentCancellationReason, PaymentIntentStatus};
use stripe_types::{Currency, Expandable};

use super::{json, payment_methods, ApiRequest, KeyKind, Reply};
use crate::cards::{self, Outcome};
use crate::errors::ApiError;
use crate::ids::{new_id, random_token};
use crate::objects;
use crate::objects::event::RequestInfo;
use crate::objects::payment_intent::NewPaymentIntent;
use crate::state::State;

/// `POST /v1/payment_intents`
pub fn create(state: &mut State, req: &ApiRequest) -> Reply {
    let params = &req.params;
    params.only(&[
        "amount",
        "currency",
        "metadata",
        "description",
        "receipt_email",
        "statement_descriptor",
        "statement_descriptor_suffix",
        "automatic_payment_methods",
        "payment_method_types",
        "capture_method",
        "confirmation_method",
        "confirm",
        "payment_method",
        "expand",
    ])?;
    let amount = params
        .integer("amount")?
        .ok_or_else(|| ApiError::missing_param("amount"))?;
    if amount < 1 {
        return Err(ApiError::invalid_param(
            Some("parameter_invalid_integer"),
            "amount",
            "This value must be greater than or equal to 1.",
        ));
    }
    let currency = currency(params.required("currency")?)?;
    if let Some(minimum) = minimum_amount(&currency) {
        if amount < minimum {
            return Err(ApiError::invalid_param(
                Some("amount_too_small"),
                "amount",
                format!(
                    "Amount must be at least {} {currency}",
                    format_money(minimum, &currency)
                ),
            ));
        }
    }
    for (param, value) in [
        ("capture_method", "automatic"),
        ("confirmation_method", "automatic"),
    ] {
        if let Some(other) = params.get(param).filter(|v| *v != value) {
            return Err(ApiError::invalid_param(
                None,
                param,
                format!("The stripe-standin supports only {param}={value}, not {other}."),
            ));
        }
    }
    let automatic = params.boolean("automatic_payment_methods[enabled]")?;
    let mut types = params.array("payment_method_types");
    if automatic == Some(true) && !types.is_empty() {
        return Err(ApiError::invalid_param(
            None,
            "payment_method_types",
            "You may only specify one of these parameters: automatic_payment_methods, \
             payment_method_types.",
        ));
    }
    if types.is_empty() {
        types.push("card".to_string());
    }
    if let Some(other) = types.iter().find(|t| *t != "card") {
        return Err(ApiError::invalid_param(
            Some("payment_intent_invalid_parameter"),
            "payment_method_types",
            format!("The stripe-standin takes card payments only, not {other}."),
        ));
    }
    let confirm = params.boolean("confirm")?.unwrap_or(false);
    if params.get("payment_method").is_some() && !confirm {
        return Err(ApiError::invalid_param(
            None,
            "payment_method",
            "The stripe-standin attaches a payment_method on create only with confirm=true.",
        ));
    }
    let expand = req.expand();
    check_expand(&expand)?;

    let id = new_id("pi");
    let intent = objects::payment_intent::new(NewPaymentIntent {
        client_secret: format!("{id}_secret_{}", random_token(25)),
        id: id.clone(),
        amount,
        currency,
        metadata: params.hash("metadata"),
        description: params.get("description").map(str::to_string),
        receipt_email: params.get("receipt_email").map(str::to_string),
        statement_descriptor: params.get("statement_descriptor").map(str::to_string),
        statement_descriptor_suffix: params
            .get("statement_descriptor_suffix")
            .map(str::to_string),
        automatic_payment_methods: automatic,
        payment_method_types: types,
        created: req.now,
    });
    state.emit("payment_intent.created", &id, &intent, &req.info);
    state.payment_intents.insert(id.clone(), intent);

    if confirm {
        let payment_method = params.required("payment_method")?;
        let confirmed = confirm_intent(state, &id, Some(payment_method), &req.info, req.now)?;
        return render(state, confirmed, &expand);
    }
    render(state, state.payment_intents[&id].clone(), &expand)
}

/// `GET /v1/payment_intents/{id}`: with the secret key, or the publishable key and the client
/// secret (as Stripe.js retrieves one).
pub fn retrieve(state: &mut State, req: &ApiRequest, id: &str) -> Reply {
    req.params.only(&["client_secret", "expand"])?;
    let intent = find(state, id)?.clone();
    check_client_secret(req, &intent)?;
    let expand = req.expand();
    check_expand(&expand)?;
    render(state, intent, &expand)
}

/// `POST /v1/payment_intents/{id}/confirm`
pub fn confirm(state: &mut State, req: &ApiRequest, id: &str) -> Reply {
    req.params.only(&[
        "payment_method",
        "client_secret",
        "expand",
        "return_url",
        "use_stripe_sdk",
    ])?;
    let intent = find(state, id)?.clone();
    check_client_secret(req, &intent)?;
    let expand = req.expand();
    check_expand(&expand)?;
    let confirmed = confirm_intent(
        state,
        id,
        req.params.get("payment_method"),
        &req.info,
        req.now,
    )?;
    render(state, confirmed, &expand)
}

/// Confirms a PaymentIntent with a PaymentMethod: charges the card, by the test card's outcome.
/// The one code path for `POST .../confirm`, `confirm=true` on create, and `StandIn::pay`.
pub fn confirm_intent(
    state: &mut State,
    id: &str,
    payment_method: Option<&str>,
    request: &RequestInfo,
    now: i64,
) -> Result<PaymentIntent, ApiError> {
    let intent = find(state, id)?.clone();
    if !matches!(
        intent.status,
        PaymentIntentStatus::RequiresPaymentMethod | PaymentIntentStatus::RequiresConfirmation
    ) {
        return Err(ApiError::invalid_request(
            Some("payment_intent_unexpected_state"),
            format!(
                "You cannot confirm this PaymentIntent because it has a status of {}. Only a \
                 PaymentIntent with one of the following statuses may be confirmed: \
                 requires_confirmation, requires_payment_method, requires_action.",
                intent.status.as_str()
            ),
        )
        .with_payment_intent(intent));
    }
    let attached = intent.payment_method.as_ref().map(|pm| pm.id().to_string());
    let Some(reference) = payment_method.map(str::to_string).or(attached) else {
        return Err(ApiError::invalid_param(
            Some("payment_intent_unexpected_state"),
            "payment_method",
            "You cannot confirm this PaymentIntent because it's missing a payment method. \
             Update the PaymentIntent with a payment_method, or confirm it with one.",
        )
        .with_payment_intent(intent));
    };
    let pm_id = payment_methods::resolve(state, &reference, now)?;
    let stored = state.payment_methods[&pm_id].clone();

    let charge_id = new_id("ch");
    let decline = match cards::outcome(&stored.card.number) {
        Outcome::Approved => None,
        Outcome::Declined(decline) => Some(decline),
    };
    let charge = objects::charge::for_payment(
        &charge_id,
        &intent,
        &stored.object,
        &stored.card,
        decline.as_ref(),
        now,
    );
    state.charges.insert(charge_id.clone(), charge.clone());

    let intent = state
        .payment_intents
        .get_mut(id)
        .expect("found above, nothing removes intents");
    intent.latest_charge = Some(Expandable::Id(charge_id.as_str().into()));
    match decline {
        None => {
            intent.status = PaymentIntentStatus::Succeeded;
            intent.amount_received = intent.amount;
            intent.payment_method = Some(Expandable::Id(pm_id.as_str().into()));
            intent.last_payment_error = None;
            let intent = intent.clone();
            state.emit("charge.succeeded", &charge_id, &charge, request);
            state.emit("payment_intent.succeeded", id, &intent, request);
            Ok(intent)
        }
        Some(decline) => {
            let mut error = ApiError::card_error(
                decline.code,
                Some(decline.decline_code),
                None,
                decline.message,
            );
            error.error.charge = Some(charge_id.clone());
            error.error.payment_method = Some(stored.object.clone());
            // As Stripe: the PaymentIntent goes back to waiting for a payment method, with the
            // error kept in `last_payment_error` (without a PaymentIntent of its own).
            intent.status = PaymentIntentStatus::RequiresPaymentMethod;
            intent.payment_method = None;
            let mut last_payment_error = error.error.clone();
            last_payment_error.payment_intent = None;
            intent.last_payment_error = Some(last_payment_error);
            let intent = intent.clone();
            state.emit("charge.failed", &charge_id, &charge, request);
            state.emit("payment_intent.payment_failed", id, &intent, request);
            Err(error.with_payment_intent(intent))
        }
    }
}

/// `POST /v1/payment_intents/{id}/cancel`
pub fn cancel(state: &mut State, req: &ApiRequest, id: &str) -> Reply {
    req.params.only(&["cancellation_reason", "expand"])?;
    let reason = match req.params.get("cancellation_reason") {
        None => None,
        Some("duplicate") => Some(PaymentIntentCancellationReason::Duplicate),
        Some("fraudulent") => Some(PaymentIntentCancellationReason::Fraudulent),
        Some("requested_by_customer") => Some(PaymentIntentCancellationReason::RequestedByCustomer),
        Some("abandoned") => Some(PaymentIntentCancellationReason::Abandoned),
        Some(other) => {
            return Err(ApiError::invalid_param(
                None,
                "cancellation_reason",
                format!(
                    "Invalid cancellation_reason: must be one of duplicate, fraudulent, \
                     requested_by_customer or abandoned (got {other})."
                ),
            ))
        }
    };
    let expand = req.expand();
    check_expand(&expand)?;
    let intent = find(state, id)?.clone();
    if matches!(
        intent.status,
        PaymentIntentStatus::Succeeded | PaymentIntentStatus::Canceled
    ) {
        return Err(ApiError::invalid_request(
            Some("payment_intent_unexpected_state"),
            format!(
                "You cannot cancel this PaymentIntent because it has a status of {}. Only a \
                 PaymentIntent with one of the following statuses may be canceled: \
                 requires_payment_method, requires_capture, requires_confirmation, \
                 requires_action, processing.",
                intent.status.as_str()
            ),
        )
        .with_payment_intent(intent));
    }
    let intent = state.payment_intents.get_mut(id).expect("found above");
    intent.status = PaymentIntentStatus::Canceled;
    intent.canceled_at = Some(req.now);
    intent.cancellation_reason = reason;
    let intent = intent.clone();
    state.emit("payment_intent.canceled", id, &intent, &req.info);
    render(state, intent, &expand)
}

pub fn find<'a>(state: &'a State, id: &str) -> Result<&'a PaymentIntent, ApiError> {
    state
        .payment_intents
        .get(id)
        .ok_or_else(|| ApiError::no_such("payment_intent", id, "intent"))
}

/// With the publishable key, the PaymentIntent's client secret must come with the request.
fn check_client_secret(req: &ApiRequest, intent: &PaymentIntent) -> Result<(), ApiError> {
    let given = req.params.get("client_secret");
    match (req.key, given) {
        (KeyKind::Publishable, None) => Err(ApiError::publishable_key_not_allowed()),
        (_, Some(given)) if Some(given) != intent.client_secret.as_deref() => {
            Err(ApiError::invalid_param(
                Some("payment_intent_invalid_parameter"),
                "client_secret",
                "The client_secret provided does not match the client_secret associated with \
                 the PaymentIntent.",
            ))
        }
        _ => Ok(()),
    }
}

/// The expansions the stand-in can do on a PaymentIntent.
const EXPANDABLE: [&str; 2] = ["latest_charge", "payment_method"];

fn check_expand(expand: &[String]) -> Result<(), ApiError> {
    match expand.iter().find(|e| !EXPANDABLE.contains(&e.as_str())) {
        None => Ok(()),
        Some(other) => Err(ApiError::invalid_param(
            None,
            "expand",
            format!(
                "This property cannot be expanded ({other}). The stripe-standin expands {}.",
                EXPANDABLE.join(" and ")
            ),
        )),
    }
}

/// The PaymentIntent as JSON, with `latest_charge` / `payment_method` as objects if asked.
fn render(state: &State, mut intent: PaymentIntent, expand: &[String]) -> Reply {
    for field in expand {
        match field.as_str() {
            "latest_charge" => {
                let charge = intent
                    .latest_charge
                    .as_ref()
                    .and_then(|charge| state.charges.get(charge.id().as_str()));
                if let Some(charge) = charge {
                    intent.latest_charge = Some(Expandable::Object(Box::new(charge.clone())));
                }
            }
            "payment_method" => {
                let payment_method = intent
                    .payment_method
                    .as_ref()
                    .and_then(|pm| state.payment_methods.get(pm.id().as_str()));
                if let Some(stored) = payment_method {
                    intent.payment_method =
                        Some(Expandable::Object(Box::new(stored.object.clone())));
                }
            }
            _ => {}
        }
    }
    Ok(json(&intent))
}

/// A currency code: lowercased, and one Stripe supports (by async-stripe's list).
fn currency(raw: &str) -> Result<Currency, ApiError> {
    let lower = raw.to_ascii_lowercase();
    match lower.parse::<Currency>() {
        Ok(Currency::Unknown(_)) | Err(_) => Err(ApiError::invalid_param(
            None,
            "currency",
            format!("Invalid currency: {lower}. Stripe currently supports these currencies: usd, eur, gbp, ..."),
        )),
        Ok(currency) => Ok(currency),
    }
}

/// Stripe's minimum charge amounts, for the common currencies.
fn minimum_amount(currency: &Currency) -> Option<i64> {
    match currency.to_string().as_str() {
        "usd" | "eur" | "chf" | "cad" | "aud" | "nzd" | "sgd" => Some(50),
        "gbp" => Some(30),
        _ => None,
    }
}

/// `1500` in `eur` -> `€15.00`, as Stripe's messages show amounts.
pub fn format_money(amount: i64, currency: &Currency) -> String {
    let code = currency.to_string();
    let symbol = match code.as_str() {
        "usd" | "cad" | "aud" | "nzd" | "sgd" => "$",
        "eur" => "€",
        "gbp" => "£",
        "jpy" => "¥",
        _ => "",
    };
    let zero_decimal = matches!(code.as_str(), "jpy" | "krw" | "vnd" | "clp" | "isk" | "xof");
    let number = if zero_decimal {
        amount.to_string()
    } else {
        format!("{}.{:02}", amount / 100, amount % 100)
    };
    if symbol.is_empty() {
        format!("{number} {}", code.to_uppercase())
    } else {
        format!("{symbol}{number}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_like_stripe_messages() {
        assert_eq!(format_money(1500, &Currency::EUR), "€15.00");
        assert_eq!(format_money(50, &Currency::USD), "$0.50");
        assert_eq!(format_money(500, &Currency::JPY), "¥500");
    }

    #[test]
    fn currencies_are_checked() {
        assert_eq!(currency("EUR").unwrap(), Currency::EUR);
        assert!(currency("xyz").is_err());
    }
}
