//! `make bench`: what the benchmark programs share. `cold-start` runs each release function
//! against a minimal Runtime API ([`runtime_emulator`]); `gateway-load` drives the local gateway
//! over HTTP ([`http_client`]) with every AWS call going through a recording proxy
//! ([`aws_proxy`]) so the time spent in AWS calls can be told apart from our own. [`procfs`]
//! reads CPU time, peak memory and socket owners from /proc; [`stats`] makes percentiles.

pub mod aws_proxy;
pub mod http_client;
pub mod procfs;
pub mod runtime_emulator;
pub mod stats;

use std::time::{Duration, Instant};

/// The session signing key (an Ed25519 seed) the benchmark stacks run with (a local-only
/// value, not a secret).
pub const SESSION_SIGNING_KEY: &str = "vtzej5H6SSmR_gSUWZr2APhecgWaGUMsKdK1uhYiuCg";

/// Template parameters for a benchmark stack: Stripe points at `stripe_base`, which no
/// benchmarked path calls.
pub fn parameter_overrides(stripe_base: &str) -> String {
    format!(
        "SessionSigningKey={SESSION_SIGNING_KEY} SessionPublicKeys={} \
         CookieSecure=false StripeSecretKey={STRIPE_SECRET_KEY} \
         StripeWebhookSecret={STRIPE_WEBHOOK_SECRET} \
         StripeConnectWebhookSecret={STRIPE_WEBHOOK_SECRET} \
         StripePublishableKey={STRIPE_PUBLISHABLE_KEY} \
         StripeApiBase={stripe_base} StripeJsUrl={stripe_base}v3/",
        ticketing::auth::token::public_key_of(SESSION_SIGNING_KEY).expect("a valid seed")
    )
}

/// The Stripe keys and webhook secret the benchmark's stack and its Stripe stand-in share.
pub const STRIPE_SECRET_KEY: &str = "sk_test_bench";
pub const STRIPE_PUBLISHABLE_KEY: &str = "pk_test_bench";
pub const STRIPE_WEBHOOK_SECRET: &str = "whsec_bench_0123456789abcdef0123";

/// Milliseconds in a duration, as a float.
pub fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Polls `check` every `every` until it returns something or `deadline` passes.
pub async fn poll_until<T, F, Fut>(what: &str, deadline: Duration, every: Duration, check: F) -> T
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let until = Instant::now() + deadline;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        if Instant::now() >= until {
            panic!("{what} did not happen within {deadline:?}");
        }
        tokio::time::sleep(every).await;
    }
}
