//! `gateway-load`: the release local gateway under load. Starts the gateway (release functions)
//! with every AWS call going through a recording proxy to DynamoDB Local and moto, then measures browse, show and
//! create-order (a sequential pass that splits time into AWS calls and the rest; a closed-loop
//! pass for requests/s and percentiles) and runs the flash sale. Writes JSON for the report.
//!
//!     AWS_ENDPOINT_URL=http://127.0.0.1:4620 AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:8120 \
//!       gateway-load GATEWAY FUNCTIONS_DIR OUT.json
//!
//! Settings (environment): PORT (3200), STRIPE_PORT (12160; the Stripe stand-in the flash sale's
//! winners pay through),
//! BENCH_CONCURRENCY (8), BENCH_SECONDS (10, per endpoint), BENCH_SEQUENTIAL (200 requests per
//! endpoint), BENCH_ORDERS (400, create-orders of the closed-loop pass), BENCH_BUYERS (10000),
//! BENCH_FLASH_TICKETS (100), BENCH_MAX_INSTANCES (4, the gateway's MAX_INSTANCES),
//! BENCH_CALLGRIND_REQUESTS (50 per endpoint under callgrind; 0: none), BENCH_ONLY_CALLGRIND (1:
//! only the callgrind pass, to compare two builds).

mod event_lag;
mod flash_sale;
mod instructions;
mod latency;
mod stack;

use bench::aws_proxy::Recorder;
use latency::{Endpoint, Work};
use stack::Stack;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, gateway, functions_dir, out] = args.as_slice() else {
        eprintln!(
            "usage: gateway-load GATEWAY FUNCTIONS_DIR OUT.json \
             (AWS_ENDPOINT_URL: moto, AWS_ENDPOINT_URL_DYNAMODB: DynamoDB Local)"
        );
        std::process::exit(2);
    };
    let upstreams = bench::aws_proxy::Upstreams::from_env();
    let port = setting("PORT", 3200) as u16;
    let stripe_port = setting("STRIPE_PORT", 12160) as u16;
    let concurrency = setting("BENCH_CONCURRENCY", 8);
    let seconds = Duration::from_secs(setting("BENCH_SECONDS", 10) as u64);
    let sequential_n = setting("BENCH_SEQUENTIAL", 200);
    let orders_n = setting("BENCH_ORDERS", 400);
    let buyers = setting("BENCH_BUYERS", 10_000);
    let flash_tickets = setting("BENCH_FLASH_TICKETS", 100);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let functions_dir = Path::new(functions_dir).canonicalize().unwrap();

    let proxy = Recorder::start(Some(upstreams), true).await.unwrap();
    println!(
        "gateway-load: AWS calls go through the recording proxy {} to {upstreams:?}",
        proxy.url()
    );
    let dynamodb = local::aws::LocalAws::new(
        format!("http://{}", upstreams.moto),
        format!("http://{}", upstreams.dynamodb),
    )
    .clients()
    .await
    .dynamodb;
    if setting("BENCH_ONLY_CALLGRIND", 0) == 1 {
        // Only the instruction counts: to compare two builds of the profiled functions quickly.
        let instructions = count_instructions(
            Path::new(gateway),
            &functions_dir,
            &proxy,
            &dynamodb,
            port + 1,
            stripe_port,
            &root,
            setting("BENCH_CALLGRIND_REQUESTS", 50),
        )
        .await;
        let json = serde_json::json!({ "instructions": instructions });
        std::fs::write(out, serde_json::to_string_pretty(&json).unwrap()).unwrap();
        println!("gateway-load: wrote {out}");
        return;
    }
    let max_instances = setting("BENCH_MAX_INSTANCES", 4);
    let stack = Stack::start(
        Path::new(gateway),
        &functions_dir,
        port,
        &proxy.url(),
        stripe_port,
        &root,
        max_instances,
    )
    .await;
    let stripe = Arc::new(
        stripe_standin::StandIn::start(
            tokio::net::TcpListener::bind(("127.0.0.1", stripe_port))
                .await
                .expect("the Stripe stand-in's port is free"),
            stripe_standin::Config {
                secret_key: bench::STRIPE_SECRET_KEY.into(),
                publishable_key: bench::STRIPE_PUBLISHABLE_KEY.into(),
                log: false,
                ..stripe_standin::Config::default()
            },
        )
        .await,
    );
    stripe.add_webhook_endpoint_with_secret(
        &format!("http://127.0.0.1:{port}/api/webhooks/stripe"),
        bench::STRIPE_WEBHOOK_SECRET,
    );

    println!("gateway-load: setup: users and tickets");
    let seller = stack.sign_up_many("seller", 1, 1).await.remove(0);
    let warm_orders = concurrency * 2;
    let order_count = warm_orders + sequential_n / 2 + orders_n;
    let for_sale = stack.sell_many(&seller, 30 + order_count, 4).await;
    stack.wait_for_replicas(&dynamodb, &for_sale).await;
    let (show_ids, to_order) = for_sale.split_at(30);
    // one buyer per order: a buyer may hold only 3 orders awaiting payment
    let buyers_of_orders = stack
        .seed_signed_in(&dynamodb, "buyer", order_count, 16)
        .await;
    let rest: Vec<(String, String)> = to_order.iter().cloned().zip(buyers_of_orders).collect();
    let (warm, rest) = rest.split_at(warm_orders);
    let (sequential_orders, closed_loop_orders) = rest.split_at(sequential_n / 2);
    let work = Arc::new(Work {
        show_ids: show_ids.to_vec(),
        fresh: Mutex::new(warm.to_vec()),
    });

    println!("gateway-load: warm-up (starts every function instance the passes will use)");
    for endpoint in Endpoint::ALL {
        latency::throughput(
            port,
            &functions_dir,
            &proxy,
            endpoint,
            work.clone(),
            concurrency,
            Duration::from_secs(3),
        )
        .await;
    }

    let mut breakdowns = Vec::new();
    *work.fresh.lock().unwrap() = sequential_orders.to_vec();
    for endpoint in Endpoint::ALL {
        let n = if endpoint == Endpoint::CreateOrder {
            sequential_n / 2
        } else {
            sequential_n
        };
        let result = latency::sequential(port, &functions_dir, &proxy, endpoint, &work, n).await;
        println!(
            "sequential {:12} latency p50 {:6.2} p99 {:6.2} ms | AWS p50 {:6.2} | outside AWS p50 {:5.2} p99 {:5.2} ms | function CPU p50 {:5.3} p99 {:5.3} ms",
            result.endpoint,
            result.latency.p50,
            result.latency.p99,
            result.aws.p50,
            result.outside_aws.p50,
            result.outside_aws.p99,
            result.function_cpu.p50,
            result.function_cpu.p99
        );
        breakdowns.push(result);
    }

    let mut closed_loop = Vec::new();
    *work.fresh.lock().unwrap() = closed_loop_orders.to_vec();
    for endpoint in Endpoint::ALL {
        let limit = if endpoint == Endpoint::CreateOrder {
            seconds * 6
        } else {
            seconds
        };
        let result = latency::throughput(
            port,
            &functions_dir,
            &proxy,
            endpoint,
            work.clone(),
            concurrency,
            limit,
        )
        .await;
        println!(
            "concurrency {} {:12} {:7.1} req/s | p50 {:6.2} p90 {:6.2} p99 {:6.2} ms | statuses {:?}",
            result.concurrency,
            result.endpoint,
            result.requests_per_second,
            result.latency.p50,
            result.latency.p90,
            result.latency.p99,
            result.statuses
        );
        closed_loop.push(result);
    }

    let flash = flash_sale::run(&stack, &dynamodb, &stripe, buyers, flash_tickets).await;
    println!(
        "flash sale: {} buyers, {} tickets: {} orders, {} clean 409s, {} 5xx, {} oversold; wall {:.2} s, p99 {:.1} ms; invariants: {}",
        flash.buyers,
        flash.tickets,
        flash.orders_201,
        flash.clean_409,
        flash.server_errors_5xx,
        flash.oversold_tickets,
        flash.wall_seconds,
        flash.latency.p99,
        if flash.invariant_violations.is_empty() {
            "all hold".to_string()
        } else {
            format!("{:?}", flash.invariant_violations)
        }
    );

    let stack_name = stack.name.clone();
    stack.stop().await;

    let profile_requests = setting("BENCH_CALLGRIND_REQUESTS", 50);
    let instructions = if profile_requests > 0 {
        count_instructions(
            Path::new(gateway),
            &functions_dir,
            &proxy,
            &dynamodb,
            port + 1,
            stripe_port,
            &root,
            profile_requests,
        )
        .await
    } else {
        Vec::new()
    };

    let unattributed = proxy
        .connections()
        .iter()
        .filter(|c| c.pid.is_none())
        .count();
    let json = serde_json::json!({
        "stack": stack_name,
        "concurrency": concurrency,
        "max_instances": max_instances,
        "proxy_connections_without_owner": unattributed,
        "sequential": breakdowns,
        "closed_loop": closed_loop,
        "flash_sale": flash,
        "instructions": instructions,
    });
    std::fs::write(out, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    println!("gateway-load: wrote {out}");
}

/// The callgrind pass ([`instructions`]): its own gateway on `port`, one instance per function,
/// browse, show and create-order under callgrind, `n` requests each after 3 of warm-up.
#[allow(clippy::too_many_arguments)]
async fn count_instructions(
    gateway: &Path,
    functions_dir: &Path,
    proxy: &Recorder,
    dynamodb: &aws_sdk_dynamodb::Client,
    port: u16,
    stripe_port: u16,
    root: &Path,
    n: usize,
) -> Vec<instructions::Instructions> {
    let warm_up = 3;
    let out = root.join(".local/bench/callgrind");
    let wrapped = root.join(".local/bench/callgrind-functions");
    let _ = std::fs::remove_dir_all(&out);
    instructions::wrapped_functions(functions_dir, &wrapped, &out);
    println!("gateway-load: instructions per request under callgrind, {n} requests per endpoint");
    let stack = Stack::start(gateway, &wrapped, port, &proxy.url(), stripe_port, root, 1).await;
    let seller = stack.sign_up_many("seller", 1, 1).await.remove(0);
    let orders = warm_up + n;
    let for_sale = stack.sell_many(&seller, 30 + orders, 4).await;
    stack.wait_for_replicas(dynamodb, &for_sale).await;
    let (show_ids, to_order) = for_sale.split_at(30);
    let buyers = stack.seed_signed_in(dynamodb, "buyer", orders, 16).await;
    let work = Work {
        show_ids: show_ids.to_vec(),
        fresh: Mutex::new(to_order.iter().cloned().zip(buyers).collect()),
    };
    let mut counts = Vec::new();
    for endpoint in Endpoint::ALL {
        let counted =
            instructions::count(port, functions_dir, &out, endpoint, &work, warm_up, n).await;
        println!(
            "callgrind {:12} {:>12.0} instructions per request over {} requests, statuses {:?}",
            counted.endpoint, counted.instructions_per_request, counted.requests, counted.statuses
        );
        counts.push(counted);
    }
    stack.stop().await;
    counts
}
