//! PaymentIntents through the real async-stripe client, and as Stripe.js calls them.

mod common;

use std::collections::HashMap;

use common::*;
use http::StatusCode;
use stripe::{
    ApiErrorsCode, ApiErrorsType, IdempotencyKey, RequestStrategy, StripeError, StripeRequest,
};
use stripe_core::payment_intent::{
    CancelPaymentIntent, ConfirmPaymentIntent, CreatePaymentIntent,
    CreatePaymentIntentAutomaticPaymentMethods, RetrievePaymentIntent,
};
use stripe_shared::{PaymentIntentStatus, PaymentMethodType};
use stripe_types::{Currency, Expandable};

#[tokio::test]
async fn create_and_retrieve_round_trip_through_the_real_client() {
    let standin = start().await;
    let client = client(&standin);
    let created = CreatePaymentIntent::new(1500, Currency::EUR)
        .metadata(HashMap::from([("orderId".to_string(), "o-42".to_string())]))
        .description("2 tickets")
        .automatic_payment_methods(CreatePaymentIntentAutomaticPaymentMethods::new(true))
        .send(&client)
        .await
        .unwrap();
    assert!(created.id.as_str().starts_with("pi_"));
    assert_eq!(created.status, PaymentIntentStatus::RequiresPaymentMethod);
    assert_eq!(
        (
            created.amount,
            created.amount_capturable,
            created.amount_received
        ),
        (1500, 0, 0)
    );
    assert_eq!(created.currency, Currency::EUR);
    assert_eq!(created.metadata["orderId"], "o-42");
    assert_eq!(created.description.as_deref(), Some("2 tickets"));
    assert!(!created.livemode);
    assert!(created.created > 1_700_000_000);
    let secret = created.client_secret.clone().unwrap();
    assert!(secret.starts_with(&format!("{}_secret_", created.id)));
    assert_eq!(created.payment_method_types, vec!["card"]);
    assert!(created.automatic_payment_methods.unwrap().enabled);

    let retrieved = RetrievePaymentIntent::new(created.id.clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(retrieved.id, created.id);
    assert_eq!(retrieved.client_secret.as_deref(), Some(secret.as_str()));
    assert_eq!(retrieved.metadata["orderId"], "o-42");

    // And Stripe's wire shape: `object`, nulls present.
    let raw = get(
        &standin,
        &format!("/v1/payment_intents/{}", created.id),
        SECRET_KEY,
    )
    .await;
    let json = raw.json();
    assert_eq!(json["object"], "payment_intent");
    assert_eq!(json["capture_method"], "automatic");
    assert_eq!(json["confirmation_method"], "automatic");
    assert!(json["latest_charge"].is_null());
    assert_eq!(raw.header("content-type"), Some("application/json"));
    assert!(raw.header("request-id").unwrap().starts_with("req_"));
}

#[tokio::test]
async fn missing_or_invalid_parameters_are_stripe_errors() {
    let standin = start().await;
    let client = client(&standin);
    let raw = post_form(
        &standin,
        "/v1/payment_intents",
        SECRET_KEY,
        "currency=eur",
        &[],
    )
    .await;
    assert_eq!(raw.status, StatusCode::BAD_REQUEST);
    let error = &raw.json()["error"];
    assert_eq!(error["type"], "invalid_request_error");
    assert_eq!(error["code"], "parameter_missing");
    assert_eq!(error["param"], "amount");
    assert!(
        error.get("decline_code").is_none(),
        "absent fields are left out"
    );

    let raw = post_form(
        &standin,
        "/v1/payment_intents",
        SECRET_KEY,
        "amount=100&currency=xyz",
        &[],
    )
    .await;
    assert_eq!(raw.json()["error"]["param"], "currency");

    let raw = post_form(
        &standin,
        "/v1/payment_intents",
        SECRET_KEY,
        "amount=100&currency=eur&colour=red",
        &[],
    )
    .await;
    assert_eq!(raw.json()["error"]["code"], "parameter_unknown");

    match RetrievePaymentIntent::new("pi_missing").send(&client).await {
        Err(StripeError::Stripe(error, 404)) => {
            assert_eq!(error.code, Some(ApiErrorsCode::ResourceMissing));
            assert_eq!(
                error.message.as_deref(),
                Some("No such payment_intent: 'pi_missing'")
            );
        }
        other => panic!("expected a 404, got {other:?}"),
    }
}

#[tokio::test]
async fn a_bad_api_key_is_401() {
    let standin = start().await;
    let wrong = stripe::ClientBuilder::new("sk_test_wrong")
        .url(standin.base_url())
        .build()
        .unwrap();
    match CreatePaymentIntent::new(1000, Currency::EUR)
        .send(&wrong)
        .await
    {
        Err(StripeError::Stripe(error, 401)) => {
            assert_eq!(error.type_, ApiErrorsType::InvalidRequestError);
            assert!(error
                .message
                .unwrap()
                .starts_with("Invalid API Key provided: sk_test_"));
        }
        other => panic!("expected a 401, got {other:?}"),
    }
    let raw = request(
        http::Method::GET,
        &format!("{}v1/payment_intents/pi_x", standin.base_url()),
        &[],
        "",
    )
    .await;
    assert_eq!(raw.status, StatusCode::UNAUTHORIZED);
    assert!(raw.json()["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("You did not provide an API key"));

    // The publishable key cannot create PaymentIntents.
    let raw = post_form(
        &standin,
        "/v1/payment_intents",
        PUBLISHABLE_KEY,
        "amount=1000&currency=eur",
        &[],
    )
    .await;
    assert_eq!(raw.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn idempotency_key_replays_the_first_answer_and_rejects_other_parameters() {
    let standin = start().await;
    let client = client(&standin);
    let key = IdempotencyKey::new("order-o-7-payment").unwrap();
    let create = |amount: i64| {
        CreatePaymentIntent::new(amount, Currency::EUR)
            .metadata(HashMap::from([("orderId".to_string(), "o-7".to_string())]))
            .customize()
            .request_strategy(RequestStrategy::Idempotent(key.clone()))
    };
    let first = create(2500).send(&client).await.unwrap();
    let second = create(2500).send(&client).await.unwrap();
    assert_eq!(first.id, second.id);
    assert_eq!(first.client_secret, second.client_secret);
    let created: Vec<_> = standin
        .events()
        .into_iter()
        .filter(|e| e.type_ == "payment_intent.created")
        .collect();
    assert_eq!(created.len(), 1, "the replay created nothing");

    match create(9900).send(&client).await {
        Err(StripeError::Stripe(error, 400)) => {
            assert_eq!(error.type_, ApiErrorsType::IdempotencyError);
            assert!(error.message.unwrap().starts_with(
                "Keys for idempotent requests can only be used with the same parameters they were first used with."
            ));
        }
        other => panic!("expected an idempotency error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_replay_is_byte_for_byte_with_idempotent_replayed() {
    let standin = start().await;
    let body = "amount=1200&currency=eur&metadata[orderId]=o-1";
    let headers = [("idempotency-key", "k-raw")];
    let first = post_form(&standin, "/v1/payment_intents", SECRET_KEY, body, &headers).await;
    // Same parameters in another order are the same request.
    let again = "metadata[orderId]=o-1&currency=eur&amount=1200";
    let second = post_form(&standin, "/v1/payment_intents", SECRET_KEY, again, &headers).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(first.body, second.body);
    assert_eq!(first.header("idempotent-replayed"), None);
    assert_eq!(second.header("idempotent-replayed"), Some("true"));
    assert_eq!(
        second.header("original-request"),
        first.header("request-id")
    );

    // Another endpoint with the same key is refused too.
    let other = post_form(
        &standin,
        "/v1/refunds",
        SECRET_KEY,
        "payment_intent=pi_x",
        &headers,
    )
    .await;
    assert_eq!(other.json()["error"]["type"], "idempotency_error");

    // A request that failed validation is not saved: the key can be used once it is fixed.
    let headers = [("idempotency-key", "k-fix")];
    let bad = post_form(
        &standin,
        "/v1/payment_intents",
        SECRET_KEY,
        "currency=eur",
        &headers,
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let fixed = post_form(
        &standin,
        "/v1/payment_intents",
        SECRET_KEY,
        "amount=900&currency=eur",
        &headers,
    )
    .await;
    assert_eq!(fixed.status, StatusCode::OK);
}

#[tokio::test]
async fn a_declined_confirm_is_replayed_too() {
    let standin = start().await;
    let intent = create_intent(&standin, 1500).await;
    let path = format!(
        "/v1/payment_intents/{}/confirm",
        intent["id"].as_str().unwrap()
    );
    let headers = [("idempotency-key", "confirm-1")];
    let body = "payment_method=pm_card_chargeDeclined";
    let first = post_form(&standin, &path, SECRET_KEY, body, &headers).await;
    let second = post_form(&standin, &path, SECRET_KEY, body, &headers).await;
    assert_eq!(first.status, StatusCode::PAYMENT_REQUIRED);
    assert_eq!(second.status, StatusCode::PAYMENT_REQUIRED);
    assert_eq!(first.body, second.body);
    assert_eq!(second.header("idempotent-replayed"), Some("true"));
    let failures = standin
        .events()
        .into_iter()
        .filter(|e| e.type_ == "payment_intent.payment_failed")
        .count();
    assert_eq!(failures, 1);
}

#[tokio::test]
async fn paying_with_4242_succeeds_with_a_charge() {
    let standin = start().await;
    let client = client(&standin);
    let intent = CreatePaymentIntent::new(4200, Currency::EUR)
        .send(&client)
        .await
        .unwrap();
    let paid = standin
        .pay(intent.id.as_str(), "4242424242424242")
        .await
        .unwrap();
    assert_eq!(paid.status, PaymentIntentStatus::Succeeded);
    assert_eq!(paid.amount_received, 4200);
    let charge_id = paid.latest_charge.as_ref().unwrap().id().to_string();
    assert!(charge_id.starts_with("ch_"));

    // Seen by the real client, with the charge expanded.
    let retrieved = RetrievePaymentIntent::new(intent.id.clone())
        .expand(vec![
            "latest_charge".to_string(),
            "payment_method".to_string(),
        ])
        .send(&client)
        .await
        .unwrap();
    assert_eq!(retrieved.status, PaymentIntentStatus::Succeeded);
    let Some(Expandable::Object(charge)) = retrieved.latest_charge else {
        panic!("latest_charge not expanded")
    };
    assert_eq!(charge.id.as_str(), charge_id);
    assert!(charge.paid && charge.captured);
    assert_eq!(charge.status, stripe_shared::ChargeStatus::Succeeded);
    assert_eq!(
        (
            charge.amount,
            charge.amount_captured,
            charge.amount_refunded
        ),
        (4200, 4200, 0)
    );
    let card = charge.payment_method_details.unwrap().card.unwrap();
    assert_eq!(
        (card.brand.as_deref(), card.last4.as_deref()),
        (Some("visa"), Some("4242"))
    );
    let Some(Expandable::Object(payment_method)) = retrieved.payment_method else {
        panic!("payment_method not expanded")
    };
    assert_eq!(payment_method.type_, PaymentMethodType::Card);

    let types: Vec<String> = standin.events().into_iter().map(|e| e.type_).collect();
    assert_eq!(
        types,
        [
            "payment_intent.created",
            "charge.succeeded",
            "payment_intent.succeeded"
        ]
    );

    // Confirming again is refused.
    match ConfirmPaymentIntent::new(intent.id.clone())
        .payment_method("pm_card_visa")
        .send(&client)
        .await
    {
        Err(StripeError::Stripe(error, 400)) => {
            assert_eq!(
                error.code,
                Some(ApiErrorsCode::PaymentIntentUnexpectedState)
            );
            assert_eq!(
                error.payment_intent.unwrap().status,
                PaymentIntentStatus::Succeeded
            );
        }
        other => panic!("expected payment_intent_unexpected_state, got {other:?}"),
    }
}

#[tokio::test]
async fn declining_test_cards_fail_as_stripe_documents() {
    let standin = start().await;
    let cases = [
        (
            "4000000000000002",
            "card_declined",
            "generic_decline",
            "Your card was declined.",
        ),
        (
            "4000000000009995",
            "card_declined",
            "insufficient_funds",
            "Your card has insufficient funds.",
        ),
        (
            "4000000000000069",
            "expired_card",
            "expired_card",
            "Your card has expired.",
        ),
        (
            "4000000000000127",
            "incorrect_cvc",
            "incorrect_cvc",
            "Your card's security code is incorrect.",
        ),
    ];
    for (number, code, decline_code, message) in cases {
        let intent = create_intent(&standin, 1500).await;
        let id = intent["id"].as_str().unwrap();
        let err = standin.pay(id, number).await.unwrap_err();
        assert_eq!(err.status, StatusCode::PAYMENT_REQUIRED, "{number}");
        let body = err.body();
        let error = &body["error"];
        assert_eq!(error["type"], "card_error");
        assert_eq!(error["code"], code, "{number}");
        assert_eq!(error["decline_code"], decline_code, "{number}");
        assert_eq!(error["message"], message, "{number}");
        assert_eq!(error["payment_intent"]["id"], id);
        assert_eq!(error["payment_intent"]["status"], "requires_payment_method");
        assert!(error["charge"].as_str().unwrap().starts_with("ch_"));

        let now = standin.payment_intent(id).unwrap();
        assert_eq!(now.status, PaymentIntentStatus::RequiresPaymentMethod);
        let last = now.last_payment_error.unwrap();
        assert_eq!(last.decline_code.as_deref(), Some(decline_code));
        assert_eq!(now.amount_received, 0);
    }

    // After a decline, another card can still pay.
    let intent = create_intent(&standin, 1500).await;
    let id = intent["id"].as_str().unwrap();
    standin.pay(id, "4000000000000002").await.unwrap_err();
    let paid = standin.pay(id, "5555555555554444").await.unwrap();
    assert_eq!(paid.status, PaymentIntentStatus::Succeeded);
    assert!(paid.last_payment_error.is_none());
}

#[tokio::test]
async fn the_real_client_sees_declines_as_card_errors() {
    let standin = start().await;
    let client = client(&standin);
    let intent = CreatePaymentIntent::new(1500, Currency::EUR)
        .send(&client)
        .await
        .unwrap();
    match ConfirmPaymentIntent::new(intent.id.clone())
        .payment_method("pm_card_chargeDeclinedInsufficientFunds")
        .send(&client)
        .await
    {
        Err(StripeError::Stripe(error, 402)) => {
            assert_eq!(error.type_, ApiErrorsType::CardError);
            assert_eq!(error.code, Some(ApiErrorsCode::CardDeclined));
            assert_eq!(error.decline_code.as_deref(), Some("insufficient_funds"));
            let intent = error.payment_intent.unwrap();
            assert_eq!(intent.status, PaymentIntentStatus::RequiresPaymentMethod);
            assert!(intent.last_payment_error.is_some());
        }
        other => panic!("expected a card error, got {other:?}"),
    }
    let paid = ConfirmPaymentIntent::new(intent.id.clone())
        .payment_method("pm_card_visa")
        .send(&client)
        .await
        .unwrap();
    assert_eq!(paid.status, PaymentIntentStatus::Succeeded);
}

#[tokio::test]
async fn stripe_js_flow_with_the_publishable_key_and_client_secret() {
    let standin = start().await;
    let intent = create_intent(&standin, 3000).await;
    let id = intent["id"].as_str().unwrap();
    let secret = intent["client_secret"].as_str().unwrap();

    // Stripe.js: create the PaymentMethod with the publishable key...
    let pm = post_form(
        &standin,
        "/v1/payment_methods",
        PUBLISHABLE_KEY,
        "type=card&card[number]=4242424242424242&card[exp_month]=12&card[exp_year]=2034&card[cvc]=123&billing_details[name]=Ada",
        &[],
    )
    .await;
    assert_eq!(pm.status, StatusCode::OK, "{}", pm.json());
    let pm = pm.json();
    assert_eq!(pm["object"], "payment_method");
    assert_eq!(pm["card"]["brand"], "visa");
    assert_eq!(pm["card"]["last4"], "4242");
    assert_eq!(pm["billing_details"]["name"], "Ada");
    let pm_id = pm["id"].as_str().unwrap();

    // ... a wrong client secret is refused ...
    let path = format!("/v1/payment_intents/{id}/confirm");
    let wrong = post_form(
        &standin,
        &path,
        PUBLISHABLE_KEY,
        &format!("payment_method={pm_id}&client_secret={id}_secret_nope"),
        &[],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong.json()["error"]["param"], "client_secret");

    // ... then confirm with the client secret; the key may come as a `key` parameter.
    let confirmed = request(
        http::Method::POST,
        &format!("{}{}", standin.base_url(), path.trim_start_matches('/')),
        &[("content-type", "application/x-www-form-urlencoded")],
        &format!("payment_method={pm_id}&client_secret={secret}&key={PUBLISHABLE_KEY}"),
    )
    .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.json());
    assert_eq!(confirmed.json()["status"], "succeeded");

    // Retrieve as Stripe.js does.
    let retrieved = get(
        &standin,
        &format!("/v1/payment_intents/{id}?client_secret={secret}"),
        PUBLISHABLE_KEY,
    )
    .await;
    assert_eq!(retrieved.json()["status"], "succeeded");
    let no_secret = get(
        &standin,
        &format!("/v1/payment_intents/{id}"),
        PUBLISHABLE_KEY,
    )
    .await;
    assert_eq!(no_secret.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_decline_over_http_carries_the_payment_intent() {
    let standin = start().await;
    let intent = create_intent(&standin, 3000).await;
    let id = intent["id"].as_str().unwrap();
    let secret = intent["client_secret"].as_str().unwrap();
    let pm = post_form(
        &standin,
        "/v1/payment_methods",
        PUBLISHABLE_KEY,
        "type=card&card[number]=4000000000000002&card[exp_month]=1&card[exp_year]=2040&card[cvc]=999",
        &[],
    )
    .await
    .json();
    let declined = post_form(
        &standin,
        &format!("/v1/payment_intents/{id}/confirm"),
        PUBLISHABLE_KEY,
        &format!(
            "payment_method={}&client_secret={secret}",
            pm["id"].as_str().unwrap()
        ),
        &[],
    )
    .await;
    assert_eq!(declined.status, StatusCode::PAYMENT_REQUIRED);
    let error = &declined.json()["error"];
    assert_eq!(error["type"], "card_error");
    assert_eq!(error["code"], "card_declined");
    assert_eq!(error["decline_code"], "generic_decline");
    assert_eq!(error["message"], "Your card was declined.");
    assert_eq!(error["payment_intent"]["id"], id);
    assert_eq!(
        error["payment_intent"]["last_payment_error"]["code"],
        "card_declined"
    );
    assert_eq!(error["payment_method"]["id"], pm["id"]);
}

#[tokio::test]
async fn confirm_true_on_create_and_cancel() {
    let standin = start().await;
    let client = client(&standin);
    let paid = CreatePaymentIntent::new(2000, Currency::USD)
        .payment_method("pm_card_mastercard")
        .confirm(true)
        .send(&client)
        .await
        .unwrap();
    assert_eq!(paid.status, PaymentIntentStatus::Succeeded);

    let open = CreatePaymentIntent::new(2000, Currency::USD)
        .send(&client)
        .await
        .unwrap();
    let canceled = CancelPaymentIntent::new(open.id.clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(canceled.status, PaymentIntentStatus::Canceled);
    assert!(canceled.canceled_at.is_some());
    let err = standin
        .pay(open.id.as_str(), "4242424242424242")
        .await
        .unwrap_err();
    assert_eq!(
        err.body()["error"]["code"],
        "payment_intent_unexpected_state"
    );
    match CancelPaymentIntent::new(paid.id.clone())
        .send(&client)
        .await
    {
        Err(StripeError::Stripe(error, 400)) => {
            assert_eq!(
                error.code,
                Some(ApiErrorsCode::PaymentIntentUnexpectedState)
            )
        }
        other => panic!("cannot cancel a succeeded PaymentIntent, got {other:?}"),
    }
}
