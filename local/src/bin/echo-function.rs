//! A test-only Lambda function built on the real runtime, used to check the local Runtime API.
//!
//! It echoes its event. `{"fail": true}` returns an error, `{"crash": true}` exits the process,
//! `{"sleep_ms": n}` waits first, and `{"barrier": {"dir": d, "count": n}}` waits until n
//! invocations have reached the barrier (proving they run at the same time). With
//! `ECHO_FAIL_INIT` set it exits before starting the runtime, like a function whose init fails.

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const BARRIER_TIMEOUT: Duration = Duration::from_secs(30);

#[tokio::main]
async fn main() -> Result<(), Error> {
    if std::env::var_os("ECHO_FAIL_INIT").is_some() {
        eprintln!("echo-function: failing init on purpose");
        std::process::exit(3);
    }
    lambda_runtime::run(service_fn(echo)).await
}

async fn echo(event: LambdaEvent<Value>) -> Result<Value, Error> {
    let (payload, context) = event.into_parts();
    if payload["crash"] == true {
        std::process::exit(42);
    }
    if let Some(ms) = payload["sleep_ms"].as_u64() {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    if let (Some(dir), Some(count)) = (
        payload["barrier"]["dir"].as_str(),
        payload["barrier"]["count"].as_u64(),
    ) {
        wait_at_barrier(dir, count as usize, &context.request_id).await?;
    }
    if payload["fail"] == true {
        return Err("echo asked to fail".into());
    }
    Ok(json!({
        "echo": payload,
        "pid": std::process::id(),
        "requestId": context.request_id,
        "functionName": context.env_config.function_name,
        "deadlineMs": context.deadline,
        "echoVar": std::env::var("ECHO_VAR").ok(),
    }))
}

/// Marks this invocation as arrived and waits until `count` have.
async fn wait_at_barrier(dir: &str, count: usize, request_id: &str) -> Result<(), Error> {
    std::fs::write(std::path::Path::new(dir).join(request_id), b"")?;
    let deadline = Instant::now() + BARRIER_TIMEOUT;
    while std::fs::read_dir(dir)?.count() < count {
        if Instant::now() > deadline {
            return Err(format!("only some of {count} invocations reached the barrier").into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}
