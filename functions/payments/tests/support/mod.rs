//! Test support: a fresh Payments table in DynamoDB Local and a Stripe stand-in per test, signed-in
//! requests, signed webhooks.
// Each test binary uses a different part of this module.
#![allow(dead_code)]

use lambda_http::{Body, Request, Response};
use payments::handlers::create_payment;
use payments::model::{OrderReplica, OrderStatus};
use payments::stripe_api::{IN_THE_BACKGROUND, WHILE_A_BUYER_WAITS};
use payments::webhook::stripe_webhook;
use payments::{CreatePaymentContext, Payments, StripeApi, StripeConsumerContext, WebhookContext};
use stripe_standin::{Config, StandIn};
use ticketing::auth::SessionUser;
use ticketing::money::Cents;
use ticketing::secrets::Secret;

pub const WEBHOOK_SECRET: &str = "whsec_payments_tests";

/// A fresh Payments table and a Stripe stand-in of its own.
pub struct World {
    pub payments: Payments,
    pub stripe: StandIn,
    /// Stripe as `POST /api/payments` uses it: a buyer waits.
    pub api: StripeApi,
    /// Stripe as the refund consumer uses it: nobody waits.
    pub background_api: StripeApi,
    /// The sessions signed-in requests belong to.
    pub sessions: ticketing::auth::Sessions,
}

/// A new copy of the template's Payments table and a new Stripe stand-in.
pub async fn world() -> World {
    let client = local::testing::dynamodb_client().await;
    let table = local::testing::fresh_table(&client, "PaymentsTable").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = Config {
        log: false,
        ..Config::default()
    };
    let secret_key = config.secret_key.clone();
    let stripe = StandIn::start(listener, config).await;
    let api = |timeout| {
        StripeApi::new(
            Secret::known("stripe secret key", secret_key.clone()),
            Some(&stripe.base_url()),
            timeout,
        )
    };
    World {
        payments: Payments::new(client, table),
        api: api(WHILE_A_BUYER_WAITS),
        background_api: api(IN_THE_BACKGROUND),
        sessions: local::testing::sessions().await,
        stripe,
    }
}

impl World {
    pub fn create_context(&self) -> CreatePaymentContext {
        CreatePaymentContext {
            payments: self.payments.clone(),
            sessions: self.sessions.clone(),
            stripe: self.api.clone(),
            publishable_key: "pk_test_local".into(),
            stripe_js_url: format!("{}v3/", self.stripe.base_url()),
        }
    }

    pub fn webhook_context(&self) -> WebhookContext {
        WebhookContext {
            payments: self.payments.clone(),
            signing_secret: Secret::known("webhook signing secret", WEBHOOK_SECRET),
            stripe: self.api.clone(),
        }
    }

    pub fn stripe_consumer_context(&self) -> StripeConsumerContext {
        StripeConsumerContext {
            payments: self.payments.clone(),
            stripe: self.background_api.clone(),
        }
    }

    /// An order payments knows (as if OrderCreated had arrived), open for `seconds` more.
    pub async fn open_order(&self, buyer: &SessionUser, price: u64, seconds: i64) -> OrderReplica {
        let expires = time::OffsetDateTime::now_utc() + time::Duration::seconds(seconds);
        let order = OrderReplica {
            id: uuid::Uuid::new_v4().to_string(),
            user_id: buyer.id.clone(),
            status: OrderStatus::Created,
            version: 0,
            price: Cents(price),
            ticket_title: "Concert, front row".into(),
            expires_at: ticketing::time::format_rfc3339(expires),
            payment_intent_id: None,
        };
        assert!(self.payments.insert_order(&order).await.unwrap());
        order
    }

    /// An order of `price` paid with 4242 by a new buyer, its payment stored by the webhook:
    /// (the order, the PaymentIntent's id).
    pub async fn paid_order(&self, price: u64) -> (OrderReplica, String) {
        let buyer = user();
        let order = self.open_order(&buyer, price, 600).await;
        let body = serde_json::json!({ "orderId": order.id }).to_string();
        let (_, started) = outcome(
            create_payment(
                &self.create_context(),
                payment_request(&body, Some(&buyer)).await,
            )
            .await,
        );
        let intent = started["id"].as_str().unwrap().to_string();
        self.stripe.pay(&intent, "4242424242424242").await.unwrap();
        let (_, payload) = self.event_payload("payment_intent.succeeded", &intent);
        let signed = signature(&payload, WEBHOOK_SECRET, None);
        let (status, _) = outcome(
            stripe_webhook(
                &self.webhook_context(),
                webhook_request(&payload, Some(&signed)),
            )
            .await,
        );
        assert_eq!(status, 200);
        (order, intent)
    }

    /// The JSON of the newest stand-in event of `type_` about `object_id`.
    pub fn event_payload(&self, type_: &str, object_id: &str) -> (String, String) {
        let record = self
            .stripe
            .events()
            .into_iter()
            .rev()
            .find(|e| e.type_ == type_ && e.object_id == object_id)
            .unwrap_or_else(|| panic!("no {type_} event for {object_id}"));
        (record.id, record.payload)
    }
}

/// A user with a unique id.
pub fn user() -> SessionUser {
    let id = uuid::Uuid::new_v4().to_string();
    SessionUser {
        email: format!("{id}@example.com"),
        id,
    }
}

/// POST /api/payments with a JSON body, signed in as `user` if given.
pub async fn payment_request(body: &str, user: Option<&SessionUser>) -> Request {
    let mut builder = lambda_http::http::Request::builder()
        .method("POST")
        .uri("/api/payments")
        .header("content-type", "application/json");
    if let Some(user) = user {
        builder = builder.header("cookie", local::testing::session_cookie(user).await);
    }
    builder.body(Body::from(body.to_string())).unwrap()
}

/// A Stripe-Signature header for `payload`, as Stripe makes it, at `timestamp` (now if None).
pub fn signature(payload: &str, secret: &str, timestamp: Option<i64>) -> String {
    stripe_webhook::Webhook::generate_test_header(payload, secret, timestamp)
}

/// POST /api/webhooks/stripe with the raw payload and, if given, a Stripe-Signature header.
pub fn webhook_request(payload: &str, signature: Option<&str>) -> Request {
    let mut builder = lambda_http::http::Request::builder()
        .method("POST")
        .uri("/api/webhooks/stripe")
        .header("content-type", "application/json; charset=utf-8");
    if let Some(signature) = signature {
        builder = builder.header("stripe-signature", signature);
    }
    builder.body(Body::from(payload.to_string())).unwrap()
}

/// What a handler answered: the status and the JSON body (errors as the response would carry).
pub fn outcome(result: ticketing::http::ApiResult) -> (u16, serde_json::Value) {
    match result {
        Ok(response) => (response.status().as_u16(), body_json(&response)),
        Err(error) => (
            error.status_code(),
            serde_json::json!({"errors": error.errors()}),
        ),
    }
}

/// The response body as JSON.
pub fn body_json(response: &Response<Body>) -> serde_json::Value {
    match response.body() {
        Body::Text(text) => serde_json::from_str(text).unwrap(),
        Body::Empty => serde_json::Value::Null,
        _ => panic!("unexpected body"),
    }
}
