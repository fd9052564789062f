//! Fault test (hardening, 4c): every event delivered twice and in a shuffled order ends in the
//! same stored state as every event delivered once, in order.
//!
//! Three consumer chains, each keeping state from a sequence of versioned events:
//! - the orders-side replica of a ticket (TicketCreated, then TicketUpdated v1..v3);
//! - the tickets side locking and freeing a ticket (OrderCreated / OrderCancelled of two orders);
//! - the payments-side replica of an order (OrderCreated, then OrderCancelled or OrderCompleted);
//! - the seller's side: the listing of the ticket (payouts), its sale, and the payout, which must
//!   be one Stripe transfer per completed order (PaymentCreated names the paying PaymentIntent).
//!
//! Run A publishes the lifecycle once, each event handled before the next is sent. Run B (same
//! lifecycle, other ids) publishes every event twice, all in one fixed shuffled order. Both go
//! through the bus, so the template's rules, queues and the real consumer functions deliver them.
//! Then the items each chain wrote are compared, ids and timestamps aside.
//!
//! Why this fails when the guarantee breaks: the shuffle (checked below) delivers a late version
//! of every chain first and an early version last, and repeats every event. A replica that
//! applied whatever arrived (no "version n only on n-1") would end B on an older version or
//! price; one that applied a repeat (an unconditional put of TicketCreated or OrderCreated, a
//! lock that did not remember released orders) would reset B's replica, or lock B's ticket for
//! an order that was already cancelled; a gap applied instead of retried would skip a version.
//! Each of those leaves B different from A, and a message given up on ends in a DLQ, which fails
//! the test too.

mod support;

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use stripe_standin::StandIn;
use support::payments::stack_with_stripe;
use support::payouts::{go_through_onboarding, onboarding_link, payouts, payouts_hold};
use support::{Stack, DEADLINE};

/// Every consumer the events below reach.
const CONSUMERS: [&str; 10] = [
    "OrdersOnTicketCreated",
    "OrdersOnTicketUpdated",
    "TicketsOnOrderCreated",
    "TicketsOnOrderCancelled",
    "PaymentsOnOrderCreated",
    "PaymentsOnOrderCancelled",
    "PaymentsOnOrderCompleted",
    "PayoutsOnTicketEvent",
    "PayoutsOnOrderEvent",
    "PayoutsOnPaymentCreated",
];

/// The seed of run B's delivery order (any seed whose order passes `assert_adversarial`).
const SEED: u64 = 12;

/// Timestamps differ between the runs and are not part of the comparison.
const TIMESTAMPS: [&str; 3] = ["createdAt", "updatedAt", "listedAt"];

/// Stripe's ids differ between the runs; the transfers themselves are checked apart.
const STRIPE_IDS: [&str; 1] = ["transferId"];

/// The ids of one run of the lifecycle.
struct Run {
    /// A ticket for sale in the Tickets table, locked and freed by the order events.
    ticket: String,
    /// A ticket only the orders-side replica hears of, through the ticket events below.
    listing: String,
    /// Reserves the ticket and is cancelled.
    first_order: String,
    /// Reserves it next and is paid.
    second_order: String,
    /// The PaymentIntent that paid the second order (succeeded at the stand-in: its charge funds
    /// the seller's transfer).
    payment: String,
    /// Who sold the ticket.
    seller: String,
}

impl Run {
    fn new(ticket: &Value, payment: String) -> Self {
        let id = || uuid::Uuid::new_v4().to_string();
        Run {
            ticket: ticket["id"].as_str().unwrap().to_string(),
            listing: id(),
            first_order: id(),
            second_order: id(),
            payment,
            seller: ticket["userId"].as_str().unwrap().to_string(),
        }
    }

    /// Replaces the run's ids with names, so the runs compare.
    fn anonymous(&self, text: &str) -> String {
        text.replace(&self.ticket, "<ticket>")
            .replace(&self.listing, "<listing>")
            .replace(&self.first_order, "<first order>")
            .replace(&self.second_order, "<second order>")
            .replace(&self.payment, "<payment>")
    }
}

/// One event of the lifecycle; `chain` and `step` place it in the order its consumers need.
#[derive(Debug, Clone)]
struct Event {
    source: &'static str,
    detail_type: &'static str,
    detail: Value,
    chain: &'static str,
    step: usize,
}

fn ticket_event(run: &Run, version: u64, title: &str, price: u64) -> Value {
    json!({
        "id": run.listing, "title": title, "price": price, "userId": "seller", "version": version,
        "orderId": null, "createdAt": "2026-11-26T12:00:00.000Z", "updatedAt": "2026-11-26T12:00:00.000Z"
    })
}

/// An order event for the run's ticket; `reservation` numbers the ticket's reservations.
fn order_event(run: &Run, order: &str, reservation: u64, status: &str, version: u64) -> Value {
    json!({
        "id": order, "status": status, "userId": "buyer", "version": version,
        "expiresAt": "2026-11-26T12:15:00.000Z", "createdAt": "2026-11-26T12:00:00.000Z",
        "ticket": {"id": run.ticket, "title": "Concert", "price": 2500, "reservation": reservation}
    })
}

/// The lifecycle in the order it happened.
fn lifecycle(run: &Run) -> Vec<Event> {
    let tickets = |detail_type, step, detail| Event {
        source: "ticketing.tickets",
        detail_type,
        detail,
        chain: "listing replica",
        step,
    };
    let orders = |detail_type, chain, step, detail| Event {
        source: "ticketing.orders",
        detail_type,
        detail,
        chain,
        step,
    };
    let (first, second) = (&run.first_order, &run.second_order);
    vec![
        tickets("TicketCreated", 0, ticket_event(run, 0, "Concert", 2500)),
        tickets("TicketUpdated", 1, ticket_event(run, 1, "Concert", 3000)),
        tickets(
            "TicketUpdated",
            2,
            ticket_event(run, 2, "Concert (moved)", 3000),
        ),
        tickets(
            "TicketUpdated",
            3,
            ticket_event(run, 3, "Concert (moved)", 2800),
        ),
        // the ticket's holds: the first order takes it and lets it go, the second takes it
        orders(
            "OrderCreated",
            "holds",
            0,
            order_event(run, first, 1, "created", 0),
        ),
        orders(
            "OrderCancelled",
            "holds",
            1,
            order_event(run, first, 1, "cancelled", 1),
        ),
        orders(
            "OrderCreated",
            "holds",
            2,
            order_event(run, second, 2, "created", 0),
        ),
        // the payment that completes the second order, as it happens: before OrderCompleted
        Event {
            source: "ticketing.payments",
            detail_type: "PaymentCreated",
            detail: json!({"id": run.payment, "orderId": second, "amount": 2500, "currency": "usd"}),
            chain: "payment",
            step: 0,
        },
        orders(
            "OrderCompleted",
            "second order",
            1,
            order_event(run, second, 2, "complete", 1),
        ),
    ]
}

/// A fixed permutation (Fisher-Yates driven by a 64-bit LCG): the same on every run.
fn shuffled<T>(mut items: Vec<T>, seed: u64) -> Vec<T> {
    let mut state = seed;
    for i in (1..items.len()).rev() {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let j = ((state >> 33) % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
    items
}

/// Checks that the delivery order really tests something: in each chain with more than one step
/// a later step arrives before an earlier one, and the last delivery is not the final step.
fn assert_adversarial(deliveries: &[Event]) {
    for chain in ["listing replica", "holds"] {
        let steps: Vec<usize> = deliveries
            .iter()
            .filter(|e| e.chain == chain)
            .map(|e| e.step)
            .collect();
        let last_step = *steps.iter().max().unwrap();
        assert!(
            steps.windows(2).any(|pair| pair[0] > pair[1]),
            "seed {SEED}: {chain} is delivered in order: {steps:?}"
        );
        assert_ne!(
            steps.last(),
            Some(&last_step),
            "seed {SEED}: {chain} ends on its final step: {steps:?}"
        );
    }
}

async fn publish(stack: &Stack, event: &Event) {
    if event.detail_type == "PaymentCreated" {
        // Straight to payouts' queue, as its rule delivers it: on the bus the orders side would
        // take it too, for an order it never made, and dead-letter it.
        let envelope = json!({
            "id": uuid::Uuid::new_v4().to_string(), "detail-type": event.detail_type,
            "source": event.source, "detail": event.detail,
        });
        stack
            .send_to_queue("PayoutsOnPaymentCreatedQueue", &envelope.to_string())
            .await;
        return;
    }
    stack
        .publish(event.source, event.detail_type, event.detail.clone())
        .await;
}

fn number(item: &HashMap<String, AttributeValue>, name: &str) -> Option<u64> {
    item.get(name)?.as_n().ok()?.parse().ok()
}

fn text<'a>(item: &'a HashMap<String, AttributeValue>, name: &str) -> Option<&'a str> {
    item.get(name)?.as_s().ok().map(String::as_str)
}

/// Has every chain of the run reached its final version?
async fn finished(stack: &Stack, run: &Run) -> Option<()> {
    let ticket = stack.item("TicketsTable", &run.ticket).await?;
    let listing = stack
        .item("OrdersTable", &format!("TICKET#{}", run.listing))
        .await?;
    let first = stack
        .item("PaymentsTable", &format!("ORDER#{}", run.first_order))
        .await?;
    let second = stack
        .item("PaymentsTable", &format!("ORDER#{}", run.second_order))
        .await?;
    let sale = payouts_item(stack, &run.seller, &run.ticket).await?;
    let done = number(&ticket, "version") >= Some(3)
        && text(&sale, "payout") == Some("sent")
        && text(&ticket, "orderId") == Some(run.second_order.as_str())
        && number(&listing, "version") >= Some(3)
        && number(&first, "version") >= Some(1)
        && number(&second, "version") >= Some(1);
    done.then_some(())
}

/// Polls until every chain of the run has reached its final version; else fails showing what
/// the run stored.
async fn wait_until_finished(stack: &Stack, run: &Run, name: &str) {
    let deadline = Instant::now() + DEADLINE;
    while finished(stack, run).await.is_none() {
        assert!(
            Instant::now() < deadline,
            "run {name} did not finish within {DEADLINE:?}; it stored {:#}",
            stored(stack, run).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The seller's listing of `ticket` in the Payouts table (pk + sk).
async fn payouts_item(
    stack: &Stack,
    seller: &str,
    ticket: &str,
) -> Option<HashMap<String, AttributeValue>> {
    stack
        .clients
        .dynamodb
        .get_item()
        .table_name(stack.physical("PayoutsTable"))
        .key("pk", AttributeValue::S(format!("SELLER#{seller}")))
        .key("sk", AttributeValue::S(format!("LISTING#{ticket}")))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
}

/// A PaymentIntent of 25 USD paid with 4242… at the stand-in: its id.
async fn paid_intent(stripe: &StandIn) -> String {
    let intent = stripe
        .create_payment_intent("amount=2500&currency=usd")
        .unwrap();
    let id = intent["id"].as_str().unwrap().to_string();
    stripe.pay(&id, "4242424242424242").await.unwrap();
    id
}

/// The transfers Stripe holds for an order.
fn transfers_for(stripe: &StandIn, order: &str) -> Vec<stripe_shared::Transfer> {
    stripe
        .transfers()
        .into_iter()
        .filter(|t| t.transfer_group.as_deref() == Some(order))
        .collect()
}

/// An item as JSON, with the run's ids replaced and timestamps left out.
fn anonymous(run: &Run, item: Option<HashMap<String, AttributeValue>>) -> Value {
    let Some(item) = item else {
        return Value::Null;
    };
    let mut fields = Map::new();
    for (name, value) in item {
        if TIMESTAMPS.contains(&name.as_str()) || STRIPE_IDS.contains(&name.as_str()) {
            continue;
        }
        let value = match value {
            AttributeValue::S(s) => json!(run.anonymous(&s)),
            AttributeValue::N(n) => json!(n),
            AttributeValue::Ss(set) => {
                let mut set: Vec<String> = set.iter().map(|s| run.anonymous(s)).collect();
                set.sort();
                json!(set)
            }
            other => json!(format!("{other:?}")),
        };
        fields.insert(name, value);
    }
    Value::Object(fields)
}

/// What the run's consumers stored.
async fn stored(stack: &Stack, run: &Run) -> Value {
    let orders = |pk: String| async move { stack.item("OrdersTable", &pk).await };
    let payments = |pk: String| async move { stack.item("PaymentsTable", &pk).await };
    json!({
        "ticket": anonymous(run, stack.item("TicketsTable", &run.ticket).await),
        "orders' replica of the ticket":
            anonymous(run, orders(format!("TICKET#{}", run.ticket)).await),
        "orders' replica of the listing":
            anonymous(run, orders(format!("TICKET#{}", run.listing)).await),
        "payments' replica of the first order":
            anonymous(run, payments(format!("ORDER#{}", run.first_order)).await),
        "payments' replica of the second order":
            anonymous(run, payments(format!("ORDER#{}", run.second_order)).await),
        "the seller's listing of the ticket":
            anonymous(run, payouts_item(stack, &run.seller, &run.ticket).await),
        "the listing's listing":
            anonymous(run, payouts_item(stack, "seller", &run.listing).await),
    })
}

#[tokio::test]
async fn events_delivered_twice_and_shuffled_end_as_if_delivered_once_in_order() {
    let (stack, stripe) = stack_with_stripe("").await;
    let seller = stack.sign_up("seller").await;
    // The seller has set up payouts, so each completed order pays them at once.
    go_through_onboarding(&onboarding_link(&stack, &seller).await, true).await;
    stack
        .eventually("the seller's payouts ready", || async {
            (payouts(&stack, &seller).await["account"]["status"] == "ready").then_some(())
        })
        .await;
    let in_order = Run::new(
        &stack.sell(&seller, "Concert", 2500).await,
        paid_intent(&stripe).await,
    );
    let shuffled_twice = Run::new(
        &stack.sell(&seller, "Concert", 2500).await,
        paid_intent(&stripe).await,
    );

    // WHEN run A's events are delivered once each, in order, each handled before the next
    for event in lifecycle(&in_order) {
        publish(&stack, &event).await;
        stack.consumers_settled(&CONSUMERS).await;
    }
    // AND run B's are delivered twice each, in a shuffled order
    let mut twice = lifecycle(&shuffled_twice);
    twice.extend(lifecycle(&shuffled_twice));
    let deliveries = shuffled(twice, SEED);
    assert_adversarial(&deliveries);
    for event in &deliveries {
        publish(&stack, event).await;
    }

    // THEN both runs reach their final versions, every message handled and none dead-lettered
    wait_until_finished(&stack, &in_order, "A").await;
    wait_until_finished(&stack, &shuffled_twice, "B").await;
    stack.consumers_settled(&CONSUMERS).await;
    payouts_hold(&stack, &stripe).await;

    // AND B stored exactly what A stored
    let expected = stored(&stack, &in_order).await;
    let actual = stored(&stack, &shuffled_twice).await;
    assert_eq!(
        actual,
        expected,
        "B (delivered {:?}) differs from A",
        deliveries
            .iter()
            .map(|e| format!("{}#{}", e.detail_type, e.step))
            .collect::<Vec<_>>()
    );
    // (and A is the lifecycle's end, so the comparison is not between two equally wrong states)
    assert_eq!(expected["ticket"]["version"], "3");
    assert_eq!(expected["ticket"]["orderId"], "<second order>");
    assert_eq!(
        expected["ticket"]["releasedOrders"],
        json!(["<first order>"])
    );
    assert_eq!(expected["ticket"]["reservation"], "2");
    assert_eq!(expected["orders' replica of the ticket"]["version"], "3");
    let listing = &expected["orders' replica of the listing"];
    assert_eq!(
        (&listing["version"], &listing["title"], &listing["price"]),
        (&json!("3"), &json!("Concert (moved)"), &json!("2800"))
    );
    let first = &expected["payments' replica of the first order"];
    assert_eq!(
        (&first["status"], &first["version"]),
        (&json!("cancelled"), &json!("1"))
    );
    let second = &expected["payments' replica of the second order"];
    assert_eq!(
        (&second["status"], &second["version"]),
        (&json!("complete"), &json!("1"))
    );
    let sale = &expected["the seller's listing of the ticket"];
    assert_eq!(
        (
            &sale["state"],
            &sale["orderId"],
            &sale["amount"],
            &sale["payout"]
        ),
        (
            &json!("sold"),
            &json!("<second order>"),
            &json!("2250"),
            &json!("sent")
        )
    );
    let listing = &expected["the listing's listing"];
    assert_eq!(
        (&listing["title"], &listing["price"]),
        (&json!("Concert (moved)"), &json!("2800"))
    );
    // AND each run's completed order paid its seller by exactly one transfer, the cancelled
    // order by none
    for run in [&in_order, &shuffled_twice] {
        let transfers = transfers_for(&stripe, &run.second_order);
        assert_eq!(transfers.len(), 1, "{transfers:#?}");
        assert_eq!(transfers[0].amount, 2250);
        assert!(transfers_for(&stripe, &run.first_order).is_empty());
    }

    stack.running.stop().await;
}
