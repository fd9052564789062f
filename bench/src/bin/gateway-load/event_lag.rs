//! How long events take to reach the other domains during the flash sale: from a reservation's
//! 201 until the tickets side holds the ticket for that order, and from the moment Stripe's
//! webhook got its 2xx until the orders side has the order `complete`. Each is watched by
//! reading the table every few milliseconds, so a figure is at most that much late.

use aws_sdk_dynamodb::types::AttributeValue;
use bench::http_client::Client;
use bench::ms;
use serde_json::json;
use std::time::{Duration, Instant, SystemTime};
use stripe_standin::StandIn;

/// How often a table is read while waiting for an event's effect: with 100 winners watched at once,
/// every 50 ms is 2,000 reads a second of DynamoDB Local beside the sale (5 ms was 20,000).
const WATCH_EVERY: Duration = Duration::from_millis(50);
/// How long an effect may take before the watch gives up (and the figure is left out).
const GIVE_UP_AFTER: Duration = Duration::from_secs(120);

/// Where the stack keeps what the watches read.
pub struct Tables {
    pub tickets: String,
    pub orders: String,
}

impl Tables {
    pub fn of_stack(stack: &str) -> Self {
        Tables {
            tickets: format!("{stack}-TicketsTable"),
            orders: format!("{stack}-OrdersTable"),
        }
    }
}

/// Milliseconds from `answered` (a reservation's 201) until the tickets table shows the ticket
/// held by the order; `None` if it never does.
pub async fn until_ticket_locked(
    dynamodb: &aws_sdk_dynamodb::Client,
    tables: &Tables,
    ticket_id: &str,
    order_id: &str,
    answered: Instant,
) -> Option<f64> {
    let key = ("id", AttributeValue::S(ticket_id.to_string()));
    watch(dynamodb, &tables.tickets, key, |item| {
        item.get("orderId")
            .and_then(|v| v.as_s().ok())
            .map(String::as_str)
            == Some(order_id)
    })
    .await?;
    Some(ms(answered.elapsed()))
}

/// Pays for an order with the test card and returns the milliseconds from the webhook's 2xx
/// until the orders table shows the order `complete`; `None` if something on the way fails.
pub async fn from_webhook_to_order_complete(
    port: u16,
    buyer: &str,
    order_id: &str,
    stripe: &StandIn,
    dynamodb: &aws_sdk_dynamodb::Client,
    tables: &Tables,
) -> Option<f64> {
    let intent = start_payment(port, buyer, order_id).await?;
    stripe.pay(&intent, "4242424242424242").await.ok()?;
    let key = ("pk", AttributeValue::S(format!("ORDER#{order_id}")));
    watch(dynamodb, &tables.orders, key, |item| {
        item.get("status")
            .and_then(|v| v.as_s().ok())
            .map(String::as_str)
            == Some("complete")
    })
    .await?;
    let completed = SystemTime::now();
    let delivered = stripe
        .events()
        .into_iter()
        .find(|event| event.type_ == "payment_intent.succeeded" && event.object_id == intent)?
        .deliveries
        .iter()
        .find_map(|delivery| delivery.delivered_at)?;
    Some(ms(completed.duration_since(delivered).unwrap_or_default()))
}

/// `POST /api/payments` until the payments side knows the order (it answers 404 until the
/// OrderCreated event reached it); the PaymentIntent's id.
async fn start_payment(port: u16, buyer: &str, order_id: &str) -> Option<String> {
    let started = Instant::now();
    while started.elapsed() < GIVE_UP_AFTER {
        let mut client = Client::connect(port).await.ok()?;
        let body = json!({ "orderId": order_id });
        let answer = client
            .send("POST", "/api/payments", Some(buyer), Some(&body))
            .await
            .ok()?;
        match answer.status {
            201 => return answer.json["id"].as_str().map(str::to_string),
            404 => tokio::time::sleep(Duration::from_millis(50)).await,
            _ => {
                eprintln!(
                    "event lag: POST /api/payments: {} {}",
                    answer.status, answer.json
                );
                return None;
            }
        }
    }
    None
}

/// Reads the item at `key` until `done` holds for it.
async fn watch(
    dynamodb: &aws_sdk_dynamodb::Client,
    table: &str,
    (name, value): (&str, AttributeValue),
    done: impl Fn(&std::collections::HashMap<String, AttributeValue>) -> bool,
) -> Option<()> {
    let started = Instant::now();
    while started.elapsed() < GIVE_UP_AFTER {
        let read = dynamodb
            .get_item()
            .table_name(table)
            .key(name, value.clone())
            .send()
            .await;
        if read
            .ok()
            .and_then(|r| r.item)
            .is_some_and(|item| done(&item))
        {
            return Some(());
        }
        tokio::time::sleep(WATCH_EVERY).await;
    }
    eprintln!("event lag: {table} {name}={value:?} did not change within {GIVE_UP_AFTER:?}");
    None
}
