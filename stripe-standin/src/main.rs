//! `stripe-standin`: the Stripe stand-in as a program, for `make dev` and browser tests.
//!
//! ```text
//! stripe-standin [--port 12111] [--secret-key sk_test_local] [--publishable-key pk_test_local]
//!                [--webhook URL]... [--webhook-secret whsec_...]
//!                [--latency-ms N] [--error-rate R]
//! ```
//! Each flag can also be set in the environment: STRIPE_STANDIN_PORT, STRIPE_STANDIN_SECRET_KEY,
//! STRIPE_STANDIN_PUBLISHABLE_KEY, STRIPE_STANDIN_WEBHOOK (one URL), STRIPE_STANDIN_WEBHOOK_SECRET,
//! STRIPE_STANDIN_LATENCY_MS, STRIPE_STANDIN_ERROR_RATE.
//! Listens on 127.0.0.1 only; state is in memory only.

use std::process::ExitCode;

use stripe_standin::{Config, StandIn};

const USAGE: &str = "\
usage: stripe-standin [options]

A Stripe stand-in on 127.0.0.1: the /v1 API subset, signed webhooks, Stripe.js at /v3/.

options (each also read from the environment variable in brackets):
  --port N                  port to listen on, 0 for any free one [STRIPE_STANDIN_PORT] (12111)
  --secret-key KEY          secret API key [STRIPE_STANDIN_SECRET_KEY] (sk_test_local)
  --publishable-key KEY     publishable key for Stripe.js [STRIPE_STANDIN_PUBLISHABLE_KEY] (pk_test_local)
  --webhook URL             deliver every event to URL; repeatable [STRIPE_STANDIN_WEBHOOK]
  --webhook-secret SECRET   signing secret for --webhook endpoints [STRIPE_STANDIN_WEBHOOK_SECRET]
                            (default: a random whsec_..., printed at start)
  --latency-ms N            answer every /v1 request N ms late [STRIPE_STANDIN_LATENCY_MS] (0)
  --error-rate R            answer this share (0 to 1) of /v1 requests 500 api_error, evenly
                            spread [STRIPE_STANDIN_ERROR_RATE] (0)
  -h, --help                this help

More endpoints: POST /v1/webhook_endpoints. Deliveries: GET /_standin/events.";

struct Args {
    port: u16,
    config: Config,
    webhooks: Vec<String>,
    webhook_secret: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let mut config = Config::default();
    let mut port = env("STRIPE_STANDIN_PORT").unwrap_or_else(|| "12111".to_string());
    if let Some(key) = env("STRIPE_STANDIN_SECRET_KEY") {
        config.secret_key = key;
    }
    if let Some(key) = env("STRIPE_STANDIN_PUBLISHABLE_KEY") {
        config.publishable_key = key;
    }
    let mut webhooks: Vec<String> = env("STRIPE_STANDIN_WEBHOOK").into_iter().collect();
    let mut webhook_secret = env("STRIPE_STANDIN_WEBHOOK_SECRET");
    let mut latency_ms = env("STRIPE_STANDIN_LATENCY_MS").unwrap_or_else(|| "0".to_string());
    let mut error_rate = env("STRIPE_STANDIN_ERROR_RATE").unwrap_or_else(|| "0".to_string());

    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) => (flag.to_string(), Some(value.to_string())),
            None => (arg.clone(), None),
        };
        if flag == "-h" || flag == "--help" {
            return Err(String::new());
        }
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--port" => port = value()?,
            "--secret-key" => config.secret_key = value()?,
            "--publishable-key" => config.publishable_key = value()?,
            "--webhook" => webhooks.push(value()?),
            "--webhook-secret" => webhook_secret = Some(value()?),
            "--latency-ms" => latency_ms = value()?,
            "--error-rate" => error_rate = value()?,
            other => return Err(format!("unknown option {other}")),
        }
    }
    let port = port
        .parse()
        .map_err(|_| format!("--port: not a port number: {port}"))?;
    config.faults.latency = latency_ms
        .parse()
        .map(std::time::Duration::from_millis)
        .map_err(|_| format!("--latency-ms: not a number of milliseconds: {latency_ms}"))?;
    config.faults.error_rate = error_rate
        .parse()
        .ok()
        .filter(|rate: &f64| (0.0..=1.0).contains(rate))
        .ok_or_else(|| format!("--error-rate: not a number from 0 to 1: {error_rate}"))?;
    if let Some(url) = webhooks.iter().find(|url| !url.starts_with("http://")) {
        return Err(format!("--webhook: {url} is not an http:// URL"));
    }
    if !config.secret_key.starts_with("sk_") || !config.publishable_key.starts_with("pk_") {
        return Err("the secret key must start with sk_ and the publishable key with pk_".into());
    }
    Ok(Args {
        port,
        config,
        webhooks,
        webhook_secret,
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) if message.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("stripe-standin: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!(
                "stripe-standin: cannot listen on 127.0.0.1:{}: {err}",
                args.port
            );
            return ExitCode::FAILURE;
        }
    };
    let standin = StandIn::start(listener, args.config).await;
    for url in &args.webhooks {
        match &args.webhook_secret {
            Some(secret) => standin.add_webhook_endpoint_with_secret(url, secret),
            None => {
                let secret = standin.add_webhook_endpoint(url);
                eprintln!("stripe-standin: webhooks to {url} are signed with {secret}");
            }
        }
    }
    println!("stripe-standin: listening on http://{}", standin.addr());
    let _ = tokio::signal::ctrl_c().await;
    drop(standin);
    ExitCode::SUCCESS
}
