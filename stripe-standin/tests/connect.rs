//! Connect through the real async-stripe client: Express accounts, account links and the hosted
//! onboarding page, `account.updated` to Connect endpoints only, transfers and their filters,
//! Idempotency-Key on transfers.

mod common;

use common::*;
use http::{Method, StatusCode};
use stripe::{RequestStrategy, StripeError, StripeRequest};
use stripe_connect::account::{
    CreateAccount, CreateAccountCapabilities, CreateAccountCapabilitiesTransfers, CreateAccountType,
};
use stripe_connect::account_link::{CreateAccountLink, CreateAccountLinkType};
use stripe_connect::transfer::{CreateTransfer, ListTransfer};
use stripe_core::payment_intent::CreatePaymentIntent;
use stripe_types::Currency;
use stripe_webhook::{EventObject, Webhook};

async fn express_account(client: &stripe::Client) -> String {
    let mut capabilities = CreateAccountCapabilities::new();
    let mut transfers = CreateAccountCapabilitiesTransfers::new();
    transfers.requested = Some(true);
    capabilities.transfers = Some(transfers);
    let account = CreateAccount::new()
        .type_(CreateAccountType::Express)
        .capabilities(capabilities)
        .metadata([("userId".to_string(), "u-1".to_string())])
        .send(client)
        .await
        .unwrap();
    assert_eq!(account.details_submitted, Some(false));
    assert_eq!(account.payouts_enabled, Some(false));
    account.id.to_string()
}

async fn paid_charge(standin: &stripe_standin::StandIn, client: &stripe::Client) -> String {
    let intent = CreatePaymentIntent::new(2000, Currency::USD)
        .send(client)
        .await
        .unwrap();
    let paid = standin
        .pay(intent.id.as_str(), "4242424242424242")
        .await
        .unwrap();
    paid.latest_charge.unwrap().id().to_string()
}

#[tokio::test]
async fn onboarding_through_the_hosted_page_enables_transfers_and_tells_connect_endpoints() {
    let standin = start().await;
    let client = client(&standin);
    let platform = Receiver::start().await;
    let _platform_secret = standin.add_webhook_endpoint(&platform.url);
    let connect = Receiver::start().await;
    let secret = standin.add_connect_webhook_endpoint(&connect.url);
    let account = express_account(&client).await;

    let link = CreateAccountLink::new(&account, CreateAccountLinkType::AccountOnboarding)
        .return_url("http://127.0.0.1:3000/listings?onboarding=return")
        .refresh_url("http://127.0.0.1:3000/listings?onboarding=refresh")
        .send(&client)
        .await
        .unwrap();
    assert!(link.url.starts_with(&format!(
        "{}_standin/connect/onboarding/",
        standin.base_url()
    )));
    assert!(link.expires_at > link.created);

    let page = request(Method::GET, &link.url, &[], "").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = String::from_utf8_lossy(&page.body).to_string();
    assert!(
        html.contains("Finish onboarding") && html.contains("Leave for now"),
        "{html}"
    );

    let finished = request(Method::POST, &format!("{}/finish", link.url), &[], "").await;
    assert_eq!(finished.status, StatusCode::SEE_OTHER);
    assert_eq!(
        finished.header("location"),
        Some("http://127.0.0.1:3000/listings?onboarding=return")
    );
    let ready = standin.account(&account).unwrap();
    assert_eq!(ready.details_submitted, Some(true));
    assert_eq!(ready.payouts_enabled, Some(true));

    let received = connect.wait_for("account.updated", &account).await;
    let event = Webhook::construct_event(&received.body, &received.signature, &secret).unwrap();
    assert_eq!(event.account.as_deref(), Some(account.as_str()));
    let EventObject::AccountUpdated(updated) = event.data.object else {
        panic!("not an AccountUpdated")
    };
    assert_eq!(updated.payouts_enabled, Some(true));
    assert_eq!(updated.metadata.unwrap()["userId"], "u-1");
    assert!(platform
        .deliveries_of("account.updated", &account)
        .is_empty());

    // Used once: opening it again goes to the refresh URL.
    let again = request(Method::GET, &link.url, &[], "").await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(
        again.header("location"),
        Some("http://127.0.0.1:3000/listings?onboarding=refresh")
    );
}

#[tokio::test]
async fn leaving_onboarding_unfinished_submits_nothing() {
    let standin = start().await;
    let client = client(&standin);
    let account = express_account(&client).await;
    let link = CreateAccountLink::new(&account, CreateAccountLinkType::AccountOnboarding)
        .return_url("http://127.0.0.1:3000/back")
        .refresh_url("http://127.0.0.1:3000/again")
        .send(&client)
        .await
        .unwrap();
    let left = request(Method::POST, &format!("{}/leave", link.url), &[], "").await;
    assert_eq!(left.status, StatusCode::SEE_OTHER);
    assert_eq!(left.header("location"), Some("http://127.0.0.1:3000/back"));
    assert_eq!(
        standin.account(&account).unwrap().details_submitted,
        Some(false)
    );
}

#[tokio::test]
async fn transfers_need_an_onboarded_destination_and_are_listed_by_group_and_destination() {
    let standin = start().await;
    let client = client(&standin);
    let account = express_account(&client).await;
    let charge = paid_charge(&standin, &client).await;
    let transfer = || {
        CreateTransfer::new(Currency::USD, &account)
            .amount(1800)
            .transfer_group("order-1")
            .source_transaction(&charge)
    };

    let refused = transfer().send(&client).await.unwrap_err();
    let StripeError::Stripe(details, 400) = refused else {
        panic!("not a 400: {refused:?}")
    };
    assert_eq!(
        details.code.map(|c| c.to_string()).as_deref(),
        Some("insufficient_capabilities_for_transfer")
    );

    standin.finish_onboarding(&account).unwrap();
    let keyed = |key: &str| {
        transfer()
            .customize()
            .request_strategy(RequestStrategy::Idempotent(
                stripe::IdempotencyKey::new(key).unwrap(),
            ))
    };
    let first = keyed("payout-for-order-1").send(&client).await.unwrap();
    let repeat = keyed("payout-for-order-1").send(&client).await.unwrap();
    assert_eq!(first.id, repeat.id);
    assert_eq!(first.amount, 1800);
    assert_eq!(first.transfer_group.as_deref(), Some("order-1"));
    assert_eq!(
        first.source_transaction.as_ref().unwrap().id().as_str(),
        charge
    );
    assert_eq!(standin.transfers().len(), 1);

    // More than what is left of the charge: refused.
    let too_much = keyed("another").send(&client).await.unwrap_err();
    assert!(
        matches!(too_much, StripeError::Stripe(_, 400)),
        "{too_much:?}"
    );

    let by_group = ListTransfer::new()
        .transfer_group("order-1")
        .send(&client)
        .await
        .unwrap();
    assert_eq!(by_group.data.len(), 1);
    let elsewhere = ListTransfer::new()
        .transfer_group("order-2")
        .send(&client)
        .await
        .unwrap();
    assert!(elsewhere.data.is_empty());
    let by_destination = ListTransfer::new()
        .destination(&account)
        .send(&client)
        .await
        .unwrap();
    assert_eq!(by_destination.data[0].id, first.id);
}
