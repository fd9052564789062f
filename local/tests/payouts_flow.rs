//! Sellers get paid, through the real gateway, the real template and the Stripe stand-in's
//! Connect: a seller who set up payouts is paid price minus the 10 % fee, once, as soon as the
//! order completes; a seller who had not is paid once when they finish onboarding; leaving
//! onboarding unfinished pays nothing.

mod support;

use serde_json::Value;
use stripe_standin::StandIn;
use support::payments::{order_status, stack_with_stripe, start_payment};
use support::payouts::{
    go_through_onboarding, onboarding_link, payouts, payouts_hold, wait_for_listing,
};
use support::Stack;

/// A buyer reserves `ticket_id` and pays with 4242…; returns the order id once it is complete.
async fn bought(stack: &Stack, stripe: &StandIn, who: &str, ticket_id: &str) -> String {
    let buyer = stack.sign_up(&format!("{who}-buyer")).await;
    let order = stack.reserve(&buyer, ticket_id).await;
    let order_id = order["id"].as_str().unwrap().to_string();
    let intent = start_payment(stack, &buyer, &order_id).await;
    stripe.pay(&intent, "4242424242424242").await.unwrap();
    stack
        .eventually("the order complete", || async {
            (order_status(stack, &buyer, &order_id).await == "complete").then_some(())
        })
        .await;
    order_id
}

fn transfers_to(stripe: &StandIn, order_id: &str) -> Vec<stripe_shared::Transfer> {
    stripe
        .transfers()
        .into_iter()
        .filter(|t| t.transfer_group.as_deref() == Some(order_id))
        .collect()
}

async fn account_status(stack: &Stack, seller: &str) -> String {
    payouts(stack, seller).await["account"]["status"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_seller_with_payouts_set_up_is_paid_ninety_percent_once_per_order() {
    let (stack, stripe) = stack_with_stripe("").await;
    let seller = stack.sign_up("seller").await;
    assert_eq!(account_status(&stack, &seller).await, "none");

    // GIVEN a seller who lists a ticket and sets up payouts through Stripe's hosted onboarding
    let ticket = stack.sell(&seller, "Concert", 2500).await;
    let ticket_id = ticket["id"].as_str().unwrap().to_string();
    let link = onboarding_link(&stack, &seller).await;
    let back = go_through_onboarding(&link, true).await;
    assert!(back.ends_with("/listings?payouts=return"), "{back}");
    stack
        .eventually("the account ready", || async {
            (account_status(&stack, &seller).await == "ready").then_some(())
        })
        .await;
    let listing = wait_for_listing(&stack, &seller, &ticket_id, |l| l["state"] == "for_sale").await;
    assert_eq!(listing["price"], 2500);

    // WHEN a buyer pays for it
    let order_id = bought(&stack, &stripe, "ninety", &ticket_id).await;

    // THEN "My listings" shows it sold and the payout sent
    let listing = wait_for_listing(&stack, &seller, &ticket_id, |l| {
        l["sale"]["payout"] == "sent"
    })
    .await;
    assert_eq!(listing["state"], "sold");
    let sale = &listing["sale"];
    assert_eq!(
        (
            &sale["orderId"],
            &sale["price"],
            &sale["fee"],
            &sale["amount"]
        ),
        (
            &Value::from(order_id.as_str()),
            &Value::from(2500),
            &Value::from(250),
            &Value::from(2250)
        )
    );
    // AND Stripe holds exactly one transfer of 90 % to the seller's account, grouped by order,
    // funded by the order's charge
    let transfers = transfers_to(&stripe, &order_id);
    assert_eq!(transfers.len(), 1, "{transfers:#?}");
    let transfer = &transfers[0];
    assert_eq!(transfer.amount, 2250);
    assert_eq!(sale["transferId"], transfer.id.as_str());
    let account = transfer.destination.as_ref().unwrap().id().to_string();
    assert_eq!(
        stripe.account(&account).unwrap().payouts_enabled,
        Some(true)
    );
    assert!(transfer
        .source_transaction
        .as_ref()
        .unwrap()
        .id()
        .as_str()
        .starts_with("ch_"));
    payouts_hold(&stack, &stripe).await;

    stack.running.stop().await;
}

#[tokio::test]
async fn a_sale_waits_for_the_sellers_setup_and_is_paid_once_when_it_is_done() {
    let (stack, stripe) = stack_with_stripe("").await;
    let seller = stack.sign_up("late-seller").await;
    let ticket = stack.sell(&seller, "Play", 4000).await;
    let ticket_id = ticket["id"].as_str().unwrap().to_string();

    // GIVEN a sale by a seller who never set up payouts
    let order_id = bought(&stack, &stripe, "waiting", &ticket_id).await;
    let listing = wait_for_listing(&stack, &seller, &ticket_id, |l| l["state"] == "sold").await;
    assert_eq!(listing["sale"]["payout"], "waiting_for_setup");
    assert_eq!(listing["sale"]["amount"], 3600);
    payouts_hold(&stack, &stripe).await;
    assert!(transfers_to(&stripe, &order_id).is_empty());

    // WHEN they start onboarding and leave it unfinished
    let link = onboarding_link(&stack, &seller).await;
    go_through_onboarding(&link, false).await;
    assert_eq!(account_status(&stack, &seller).await, "incomplete");
    // THEN nothing is paid, and the used link now sends them to make a new one
    assert!(transfers_to(&stripe, &order_id).is_empty());

    // WHEN they finish with a new link
    let link = onboarding_link(&stack, &seller).await;
    go_through_onboarding(&link, true).await;

    // THEN the waiting payout is sent, once
    let listing = wait_for_listing(&stack, &seller, &ticket_id, |l| {
        l["sale"]["payout"] == "sent"
    })
    .await;
    assert_eq!(transfers_to(&stripe, &order_id).len(), 1);
    assert_eq!(
        listing["sale"]["transferId"],
        transfers_to(&stripe, &order_id)[0].id.as_str()
    );
    // AND Stripe sending account.updated again pays nothing twice
    let updated = stripe
        .events()
        .into_iter()
        .filter(|e| e.type_ == "account.updated")
        .map(|e| e.id)
        .collect::<Vec<_>>();
    for event in &updated {
        stripe.resend_event(event).await.unwrap();
    }
    payouts_hold(&stack, &stripe).await;
    assert_eq!(transfers_to(&stripe, &order_id).len(), 1);

    stack.running.stop().await;
}

#[tokio::test]
async fn the_sellers_api_needs_a_session_and_hides_other_sellers() {
    let (stack, _stripe) = stack_with_stripe("").await;
    let (status, _, _) = stack.http("GET", "/api/payouts", None, None).await;
    assert_eq!(status, 401);
    let (status, _, _) = stack
        .http("POST", "/api/payouts/onboarding", None, None)
        .await;
    assert_eq!(status, 401);
    let seller = stack.sign_up("owner").await;
    let ticket = stack.sell(&seller, "Opera", 3000).await;
    let ticket_id = ticket["id"].as_str().unwrap().to_string();
    wait_for_listing(&stack, &seller, &ticket_id, |_| true).await;
    let someone = stack.sign_up("someone").await;
    assert_eq!(
        payouts(&stack, &someone).await["listings"],
        Value::Array(vec![])
    );
    stack.running.stop().await;
}
