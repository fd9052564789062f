//! Refunds through the real async-stripe client.

mod common;

use common::*;
use stripe::{ApiErrorsCode, StripeError};
use stripe_core::payment_intent::{CreatePaymentIntent, RetrievePaymentIntent};
use stripe_core::refund::{CreateRefund, ListRefund};
use stripe_types::{Currency, Expandable};

#[tokio::test]
async fn full_and_partial_refunds_and_the_refund_list() {
    let standin = start().await;
    let client = client(&standin);
    let intent = CreatePaymentIntent::new(5000, Currency::EUR)
        .send(&client)
        .await
        .unwrap();
    let id = intent.id.to_string();
    standin.pay(&id, "4242424242424242").await.unwrap();

    let partial = CreateRefund::new()
        .payment_intent(&id)
        .amount(2000)
        .metadata([("reason".to_string(), "one ticket".to_string())])
        .send(&client)
        .await
        .unwrap();
    assert!(partial.id.as_str().starts_with("re_"));
    assert_eq!(partial.amount, 2000);
    assert_eq!(partial.status.as_deref(), Some("succeeded"));
    assert_eq!(partial.payment_intent.as_ref().unwrap().id().as_str(), id);

    // Default: what remains.
    let rest = CreateRefund::new()
        .payment_intent(&id)
        .send(&client)
        .await
        .unwrap();
    assert_eq!(rest.amount, 3000);

    let charge_id = standin
        .payment_intent(&id)
        .unwrap()
        .latest_charge
        .unwrap()
        .id()
        .to_string();
    let charge = standin.charge(&charge_id).unwrap();
    assert_eq!(charge.amount_refunded, 5000);
    assert!(charge.refunded);

    match CreateRefund::new().payment_intent(&id).send(&client).await {
        Err(StripeError::Stripe(error, 400)) => {
            assert_eq!(error.code, Some(ApiErrorsCode::ChargeAlreadyRefunded));
            assert_eq!(
                error.message.unwrap(),
                format!("Charge {charge_id} has already been refunded.")
            );
        }
        other => panic!("expected charge_already_refunded, got {other:?}"),
    }

    let listed = ListRefund::new()
        .payment_intent(&id)
        .send(&client)
        .await
        .unwrap();
    assert!(!listed.has_more);
    assert_eq!(listed.url, "/v1/refunds");
    let ids: Vec<_> = listed.data.iter().map(|r| r.id.clone()).collect();
    assert_eq!(
        ids,
        vec![rest.id.clone(), partial.id.clone()],
        "newest first"
    );
    assert_eq!(standin.refunds_for(&id).len(), 2);

    let raw = get(
        &standin,
        &format!("/v1/refunds?payment_intent={id}"),
        SECRET_KEY,
    )
    .await
    .json();
    assert_eq!(raw["object"], "list");
    assert_eq!(raw["data"][0]["object"], "refund");

    // The PaymentIntent itself stays succeeded.
    let intent = RetrievePaymentIntent::new(intent.id.clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(intent.status, stripe_shared::PaymentIntentStatus::Succeeded);
    assert!(matches!(intent.latest_charge, Some(Expandable::Id(_))));
}

#[tokio::test]
async fn refunds_need_a_succeeded_payment_and_cannot_exceed_it() {
    let standin = start().await;
    let client = client(&standin);
    let intent = CreatePaymentIntent::new(5000, Currency::EUR)
        .send(&client)
        .await
        .unwrap();
    let id = intent.id.to_string();
    match CreateRefund::new().payment_intent(&id).send(&client).await {
        Err(StripeError::Stripe(_, 400)) => {}
        other => panic!("an unpaid PaymentIntent has nothing to refund, got {other:?}"),
    }
    standin.pay(&id, "4242424242424242").await.unwrap();
    match CreateRefund::new()
        .payment_intent(&id)
        .amount(6000)
        .send(&client)
        .await
    {
        Err(StripeError::Stripe(error, 400)) => {
            assert_eq!(error.param.as_deref(), Some("amount"));
            assert_eq!(
                error.message.as_deref(),
                Some("Refund amount (€60.00) is greater than unrefunded amount on charge (€50.00)")
            );
        }
        other => panic!("expected an amount error, got {other:?}"),
    }
    match CreateRefund::new()
        .payment_intent("pi_nope")
        .send(&client)
        .await
    {
        Err(StripeError::Stripe(error, 404)) => {
            assert_eq!(error.code, Some(ApiErrorsCode::ResourceMissing))
        }
        other => panic!("expected resource_missing, got {other:?}"),
    }
    // By charge id works too.
    let charge = standin
        .payment_intent(&id)
        .unwrap()
        .latest_charge
        .unwrap()
        .id()
        .to_string();
    let refund = CreateRefund::new()
        .charge(&charge)
        .amount(100)
        .send(&client)
        .await
        .unwrap();
    assert_eq!(refund.charge.unwrap().id().as_str(), charge);
}
