//! The payments side of a test stack: the Stripe stand-in wired in, a reserved ticket, a started
//! payment, an order's status.

use super::Stack;
use serde_json::{json, Value};
use stripe_standin::{Config, StandIn};

/// The stack with the Stripe stand-in wired in as `make dev` does: API base, keys, and a
/// webhook endpoint for /api/webhooks/stripe signed with the secret the stack was given.
pub async fn stack_with_stripe(extra: &str) -> (Stack, StandIn) {
    stack_with_stripe_and_faults(extra, "").await
}

/// [`stack_with_stripe`] with the `LOCAL_FAULTS` the gateway injects (local::faults).
pub async fn stack_with_stripe_and_faults(extra: &str, faults: &str) -> (Stack, StandIn) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let stripe = StandIn::start(
        listener,
        Config {
            log: false,
            ..Config::default()
        },
    )
    .await;
    let secret = format!("whsec_{}", uuid::Uuid::new_v4().simple());
    let connect_secret = format!("whsec_{}", uuid::Uuid::new_v4().simple());
    let stack = Stack::start_with_faults(
        &format!(
            "StripeSecretKey=sk_test_local StripePublishableKey=pk_test_local \
         StripeWebhookSecret={secret} StripeConnectWebhookSecret={connect_secret} \
         StripeApiBase={base} StripeJsUrl={base}v3/ {extra}",
            base = stripe.base_url()
        ),
        faults,
    )
    .await;
    stripe.add_webhook_endpoint_with_secret(
        &format!(
            "http://127.0.0.1:{}/api/webhooks/stripe",
            stack.running.port()
        ),
        &secret,
    );
    stripe.add_connect_webhook_endpoint_with_secret(
        &format!(
            "http://127.0.0.1:{}/api/webhooks/stripe-connect",
            stack.running.port()
        ),
        &connect_secret,
    );
    (stack, stripe)
}

/// A ticket sold by a new seller and reserved by a new buyer: (buyer cookie, ticket id, order).
/// `who` tells the users of one test apart.
pub async fn reserved_ticket(stack: &Stack, who: &str, price: u64) -> (String, String, Value) {
    let seller = stack.sign_up(&format!("{who}-seller")).await;
    let ticket = stack.sell(&seller, "Concert", price).await;
    let ticket_id = ticket["id"].as_str().unwrap().to_string();
    let buyer = stack.sign_up(&format!("{who}-buyer")).await;
    let order = stack.reserve(&buyer, &ticket_id).await;
    (buyer, ticket_id, order)
}

/// POST /api/payments until the payments side knows the order: the PaymentIntent's id.
pub async fn start_payment(stack: &Stack, buyer: &str, order_id: &str) -> String {
    stack
        .eventually("the payment started", || async {
            let (status, _, started) = stack
                .http(
                    "POST",
                    "/api/payments",
                    Some(buyer),
                    Some(json!({"orderId": order_id})),
                )
                .await;
            match status {
                201 => Some(started["id"].as_str().unwrap().to_string()),
                404 => None, // OrderCreated has not reached payments yet
                other => panic!("POST /api/payments answered {other}: {started}"),
            }
        })
        .await
}

/// The order as its buyer sees it (GET /api/orders/{id}).
pub async fn order(stack: &Stack, buyer: &str, order_id: &str) -> Value {
    let (_, _, order) = stack
        .http("GET", &format!("/api/orders/{order_id}"), Some(buyer), None)
        .await;
    order
}

/// The order's status as its buyer sees it.
pub async fn order_status(stack: &Stack, buyer: &str, order_id: &str) -> String {
    order(stack, buyer, order_id).await["status"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}
