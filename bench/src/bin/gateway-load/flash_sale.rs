//! The flash sale: `buyers` signed-up users each try to reserve one of `tickets` tickets, all at
//! the same moment, through the gateway. Exactly one order per ticket may win; everyone else
//! must get a clean 409 (`{"errors":[...]}`), nobody a 5xx; then the invariant checker reads
//! every table and must find no ticket held twice.

use crate::stack::{ticket_id, Stack};
use bench::http_client::Client;
use bench::ms;
use bench::stats::{summarize, Summary};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Barrier;

#[derive(Debug, Serialize)]
pub struct FlashSale {
    pub buyers: usize,
    pub tickets: usize,
    pub setup_signup_seconds: f64,
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
    /// What the invariant checker found once the queues drained (empty: all hold).
    pub invariant_violations: Vec<String>,
    pub invariants_checked_after_seconds: f64,
}

pub async fn run(
    stack: &Stack,
    dynamodb: &aws_sdk_dynamodb::Client,
    buyers: usize,
    tickets: usize,
) -> FlashSale {
    println!("flash sale: setup: a seller lists {tickets} tickets, {buyers} buyers sign up");
    let seller = stack.sign_up_many("flash-seller", 1, 1).await.remove(0);
    let ticket_ids = stack.sell_many(&seller, tickets, 4).await;
    stack.wait_for_replicas(dynamodb, &ticket_ids).await;
    let signup_started = Instant::now();
    let cookies = stack.sign_up_many("flash-buyer", buyers, 8).await;
    let setup_signup_seconds = signup_started.elapsed().as_secs_f64();
    println!(
        "flash sale: {buyers} sign-ups took {setup_signup_seconds:.1} s (setup, not measured); \
         opening {buyers} connections"
    );

    let barrier = Arc::new(Barrier::new(buyers + 1));
    let ticket_ids = Arc::new(ticket_ids);
    let mut tasks = tokio::task::JoinSet::new();
    for (i, cookie) in cookies.into_iter().enumerate() {
        let barrier = barrier.clone();
        let ticket_ids = ticket_ids.clone();
        let port = stack.port;
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
            (ms(start.elapsed()), Instant::now(), answer)
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
        setup_signup_seconds,
        wall_seconds: 0.0,
        latency: summarize(&[]),
        latency_201: summarize(&[]),
        latency_409: summarize(&[]),
        orders_201: 0,
        clean_409: 0,
        server_errors_5xx: 0,
        other: BTreeMap::new(),
        oversold_tickets: 0,
        invariant_violations: Vec::new(),
        invariants_checked_after_seconds: 0.0,
    };
    let mut wins_per_ticket: BTreeMap<String, usize> = BTreeMap::new();
    while let Some(joined) = tasks.join_next().await {
        let (latency, done, answer) = joined.unwrap();
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
    println!(
        "flash sale: {} orders, {} clean 409s, {} 5xx in {:.2} s; checking invariants",
        outcome.orders_201, outcome.clean_409, outcome.server_errors_5xx, outcome.wall_seconds
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
