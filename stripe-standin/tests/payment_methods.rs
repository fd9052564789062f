//! PaymentMethods: cards are checked as Stripe checks them.

mod common;

use common::*;
use http::StatusCode;

async fn create(standin: &stripe_standin::StandIn, card: &str) -> common::Raw {
    post_form(
        standin,
        "/v1/payment_methods",
        PUBLISHABLE_KEY,
        &format!("type=card&{card}"),
        &[],
    )
    .await
}

#[tokio::test]
async fn bad_cards_are_card_errors() {
    let standin = start().await;
    let cases = [
        (
            "card[number]=4242424242424241&card[exp_month]=12&card[exp_year]=2040&card[cvc]=123",
            "incorrect_number",
            "Your card number is incorrect.",
        ),
        (
            "card[number]=424242&card[exp_month]=12&card[exp_year]=2040&card[cvc]=123",
            "incorrect_number",
            "Your card number is incorrect.",
        ),
        (
            "card[number]=4242424242424242&card[exp_month]=12&card[exp_year]=2001&card[cvc]=123",
            "invalid_expiry_year",
            "Your card's expiration year is invalid.",
        ),
        (
            "card[number]=4242424242424242&card[exp_month]=13&card[exp_year]=2040&card[cvc]=123",
            "invalid_expiry_month",
            "Your card's expiration month is invalid.",
        ),
        (
            "card[number]=4242424242424242&card[exp_month]=12&card[exp_year]=2040",
            "incomplete_cvc",
            "Your card's security code is incomplete.",
        ),
        (
            "card[number]=4242424242424242&card[exp_month]=12&card[exp_year]=2040&card[cvc]=1",
            "invalid_cvc",
            "Your card's security code is invalid.",
        ),
    ];
    for (card, code, message) in cases {
        let raw = create(&standin, card).await;
        assert_eq!(raw.status, StatusCode::PAYMENT_REQUIRED, "{card}");
        let error = &raw.json()["error"];
        assert_eq!(error["type"], "card_error", "{card}");
        assert_eq!(error["code"], code, "{card}");
        assert_eq!(error["message"], message, "{card}");
    }
    let raw = create(
        &standin,
        "card[exp_month]=12&card[exp_year]=2040&card[cvc]=123",
    )
    .await;
    assert_eq!(raw.status, StatusCode::BAD_REQUEST);
    assert_eq!(raw.json()["error"]["param"], "card[number]");
}

#[tokio::test]
async fn good_cards_get_brand_last4_and_expiry() {
    let standin = start().await;
    let raw = create(
        &standin,
        "card[number]=5555+5555+5555+4444&card[exp_month]=7&card[exp_year]=39&card[cvc]=321",
    )
    .await;
    assert_eq!(raw.status, StatusCode::OK, "{}", raw.json());
    let pm = raw.json();
    assert!(pm["id"].as_str().unwrap().starts_with("pm_"));
    assert_eq!(pm["type"], "card");
    assert_eq!(pm["card"]["brand"], "mastercard");
    assert_eq!(pm["card"]["last4"], "4444");
    assert_eq!(
        (
            pm["card"]["exp_month"].as_i64(),
            pm["card"]["exp_year"].as_i64()
        ),
        (Some(7), Some(2039))
    );
    assert!(
        pm.to_string().find("5555555555554444").is_none(),
        "the full number is never shown"
    );

    let fetched = get(
        &standin,
        &format!("/v1/payment_methods/{}", pm["id"].as_str().unwrap()),
        SECRET_KEY,
    )
    .await;
    assert_eq!(fetched.json(), pm);
}
