//! The flash sale: `buyers` signed-in users (seeded, [`Stack::seed_signed_in`]) each try to reserve one of `tickets` tickets, all at
//! the same moment, through the gateway. Exactly one order per ticket may win; everyone else
//! must get a clean 409 (`{"errors":[...]}`), nobody a 5xx; then the invariant checker reads
//! every table and must find no ticket held twice. Each winner pays at once, and the event lag
//! is measured on the way ([`crate::event_lag`]).

use crate::event_lag::{self, Tables};
use crate::stack::{ticket_id, Stack};
use bench::http_client::Client;
use bench::ms;
use bench::stats::{summarize, Summary};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use stripe_standin::StandIn;
use tokio::sync::Barrier;

#[derive(Debug, Serialize)]
pub struct FlashSale {
    pub buyers: usize,
    pub tickets: usize,
    /// Seeding the buyers and their sessions straight into the Users table (setup).
    pub setup_seed_seconds: f64,
    pub wall_seconds: f64,
    pub latency: Summary,
    pub latency_201: Summary,
    pub latency_409: Summary,
    pub orders_201: usize,
    pub clean_409: usize,
    pub server_errors_5xx: usize,
    pub other: BTreeMap<String, usize>,
    /// Tickets that got more than one 201.
    pub oversold_tickets: usize,
    /// From a reservation's 201 to the ticket held on the tickets side (ms).
    pub reservation_to_ticket_locked: Summary,
    /// From the Stripe webhook's 2xx to the order `complete` (ms).
    pub webhook_to_order_complete: Summary,
    /// Winners whose event lag could not be measured (an effect never showed).
    pub event_lag_unmeasured: usize,
    /// What the invariant checker found once the queues drained (empty: all hold).
    pub invariant_violations: Vec<String>,
    pub invariants_checked_after_seconds: f64,
}

pub async fn run(
    stack: &Stack,
    dynamodb: &aws_sdk_dynamodb::Client,
    stripe: &Arc<StandIn>,
    buyers: usize,
    tickets: usize,
) -> FlashSale {
    println!("flash sale: setup: a seller lists {tickets} tickets, {buyers} buyers sign up");
    let seller = stack.sign_up_many("flash-seller", 1, 1).await.remove(0);
    let ticket_ids = stack.sell_many(&seller, tickets, 4).await;
    stack.wait_for_replicas(dynamodb, &ticket_ids).await;
    let seeding_started = Instant::now();
    let cookies = stack
        .seed_signed_in(dynamodb, "flash-buyer", buyers, 32)
        .await;
    let setup_seed_seconds = seeding_started.elapsed().as_secs_f64();
    println!(
        "flash sale: {buyers} buyers seeded with open sessions in {setup_seed_seconds:.1} s \
         (setup, not measured); opening {buyers} connections"
    );

    let barrier = Arc::new(Barrier::new(buyers + 1));
    let ticket_ids = Arc::new(ticket_ids);
    let mut tasks = tokio::task::JoinSet::new();
    let tables = Arc::new(Tables::of_stack(&stack.name));
    for (i, cookie) in cookies.into_iter().enumerate() {
        let barrier = barrier.clone();
        let ticket_ids = ticket_ids.clone();
        let port = stack.port;
        let (dynamodb, stripe, tables) = (dynamodb.clone(), stripe.clone(), tables.clone());
        tasks.spawn(async move {
            let mut client = Client::connect(port).await.unwrap();
            let ticket = ticket_ids[i % ticket_ids.len()].clone();
            barrier.wait().await;
            let start = Instant::now();
            let answer = client
                .send(
                    "POST",
                    "/api/orders",
                    Some(&cookie),
                    Some(&json!({ "ticketId": ticket })),
                )
                .await;
            let (latency, done) = (ms(start.elapsed()), Instant::now());
            let mut lags = (None, None);
            if let Some(won) = answer.as_ref().ok().filter(|a| a.status == 201) {
                let order_id = won.json["id"].as_str().unwrap_or_default();
                lags.0 =
                    event_lag::until_ticket_locked(&dynamodb, &tables, &ticket, order_id, done)
                        .await;
                lags.1 = event_lag::from_webhook_to_order_complete(
                    port, &cookie, order_id, &stripe, &dynamodb, &tables,
                )
                .await;
            }
            (latency, done, answer, lags)
        });
    }
    barrier.wait().await;
    let go = Instant::now();
    println!("flash sale: go");
    let mut all = Vec::new();
    let mut won = Vec::new();
    let mut lost = Vec::new();
    let mut last = go;
    let mut outcome = FlashSale {
        buyers,
        tickets,
        setup_seed_seconds,
        wall_seconds: 0.0,
        latency: summarize(&[]),
        latency_201: summarize(&[]),
        latency_409: summarize(&[]),
        orders_201: 0,
        clean_409: 0,
        server_errors_5xx: 0,
        other: BTreeMap::new(),
        oversold_tickets: 0,
        reservation_to_ticket_locked: summarize(&[]),
        webhook_to_order_complete: summarize(&[]),
        event_lag_unmeasured: 0,
        invariant_violations: Vec::new(),
        invariants_checked_after_seconds: 0.0,
    };
    let mut wins_per_ticket: BTreeMap<String, usize> = BTreeMap::new();
    let (mut locked_lags, mut complete_lags) = (Vec::new(), Vec::new());
    while let Some(joined) = tasks.join_next().await {
        let (latency, done, answer, lags) = joined.unwrap();
        if let (Some(locked), Some(complete)) = lags {
            locked_lags.push(locked);
            complete_lags.push(complete);
        }
        last = last.max(done);
        all.push(latency);
        match answer {
            Ok(answer) if answer.status == 201 => {
                outcome.orders_201 += 1;
                won.push(latency);
                let ticket = ticket_id(&answer.json).unwrap_or("?").to_string();
                *wins_per_ticket.entry(ticket).or_default() += 1;
            }
            Ok(answer)
                if answer.status == 409 && answer.json["errors"][0]["message"].is_string() =>
            {
                outcome.clean_409 += 1;
                lost.push(latency);
            }
            Ok(answer) if answer.status >= 500 => outcome.server_errors_5xx += 1,
            Ok(answer) => {
                *outcome
                    .other
                    .entry(format!("{} {}", answer.status, answer.json))
                    .or_default() += 1
            }
            Err(error) => *outcome.other.entry(format!("error {error}")).or_default() += 1,
        }
    }
    outcome.wall_seconds = (last - go).as_secs_f64();
    outcome.latency = summarize(&all);
    outcome.latency_201 = summarize(&won);
    outcome.latency_409 = summarize(&lost);
    outcome.oversold_tickets = wins_per_ticket.values().filter(|n| **n > 1).count();
    outcome.event_lag_unmeasured = outcome.orders_201.saturating_sub(locked_lags.len());
    outcome.reservation_to_ticket_locked = summarize(&locked_lags);
    outcome.webhook_to_order_complete = summarize(&complete_lags);
    println!(
        "flash sale: {} orders, {} clean 409s, {} 5xx in {:.2} s; checking invariants",
        outcome.orders_201, outcome.clean_409, outcome.server_errors_5xx, outcome.wall_seconds
    );

    println!(
        "flash sale: event lag p50/p99: reservation 201 -> ticket locked {:.0}/{:.0} ms, \
         webhook 2xx -> order complete {:.0}/{:.0} ms ({} winners unmeasured)",
        outcome.reservation_to_ticket_locked.p50,
        outcome.reservation_to_ticket_locked.p99,
        outcome.webhook_to_order_complete.p50,
        outcome.webhook_to_order_complete.p99,
        outcome.event_lag_unmeasured
    );

    // The checker also wants every replica caught up, so give the queues time to drain.
    let tables = local::invariants::Tables::of_stack(&stack.name);
    let checked = Instant::now();
    let last_seen = loop {
        let broken = local::invariants::violations(dynamodb, &tables, true)
            .await
            .unwrap_or_else(|e| vec![e]);
        if broken.is_empty() || checked.elapsed() > Duration::from_secs(120) {
            break broken;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    outcome.invariant_violations = last_seen;
    outcome.invariants_checked_after_seconds = checked.elapsed().as_secs_f64();
    outcome
}
