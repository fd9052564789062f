//! The invoker and the local Runtime API against a real `lambda_runtime` function (echo-function).

use local::{FunctionConfig, InvokeError, Invoker, InvokerOptions};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const ECHO: &str = "EchoFunction";

fn echo_function(
    logical_id: &str,
    timeout: Duration,
    extra_env: &[(&str, &str)],
) -> FunctionConfig {
    let mut env = BTreeMap::from([("ECHO_VAR".to_string(), "from-template".to_string())]);
    env.extend(
        extra_env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    FunctionConfig {
        logical_id: logical_id.to_string(),
        function_name: format!("test-{logical_id}"),
        executable: PathBuf::from(env!("CARGO_BIN_EXE_echo-function")),
        env,
        timeout,
        memory_mb: 128,
    }
}

async fn start(functions: Vec<FunctionConfig>, max_instances: usize) -> Invoker {
    let options = InvokerOptions {
        max_instances,
        ..InvokerOptions::default()
    };
    Invoker::start(functions, options)
        .await
        .expect("invoker starts")
}

fn pid(result: &Value) -> u64 {
    result["pid"].as_u64().expect("the echo reports its pid")
}

fn process_is_running(pid: u64) -> bool {
    PathBuf::from(format!("/proc/{pid}")).exists()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn echoes_the_event_with_a_lambda_context_on_a_warm_instance() {
    let invoker = start(vec![echo_function(ECHO, Duration::from_secs(10), &[])], 4).await;

    let first = invoker
        .invoke(ECHO, json!({"hello": "world"}))
        .await
        .unwrap();
    assert_eq!(first["echo"], json!({"hello": "world"}));
    assert_eq!(first["functionName"], "test-EchoFunction");
    assert_eq!(first["echoVar"], "from-template");
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let deadline = first["deadlineMs"].as_u64().unwrap();
    assert!(
        deadline > now_ms && deadline <= now_ms + 10_000,
        "deadline {deadline} vs now {now_ms}"
    );

    // One at a time, the same instance serves again (a warm start).
    let second = invoker.invoke(ECHO, json!(2)).await.unwrap();
    assert_eq!(second["echo"], 2);
    assert_eq!(pid(&second), pid(&first));
    assert_ne!(second["requestId"], first["requestId"]);
    invoker.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_invocations_run_on_separate_instances() {
    let invoker = start(vec![echo_function(ECHO, Duration::from_secs(60), &[])], 4).await;
    let barrier = std::env::temp_dir().join(format!("echo-barrier-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&barrier).unwrap();

    // Each invocation waits until all four have started: this only finishes if they run at once.
    let event = json!({"barrier": {"dir": barrier, "count": 4}});
    let calls = (0..4).map(|_| {
        let invoker = invoker.clone();
        let event = event.clone();
        tokio::spawn(async move { invoker.invoke(ECHO, event).await })
    });
    let mut pids = BTreeSet::new();
    for call in calls.collect::<Vec<_>>() {
        let result = call.await.unwrap().expect("every invocation succeeds");
        pids.insert(pid(&result));
    }
    assert_eq!(pids.len(), 4, "four instances served the four invocations");
    std::fs::remove_dir_all(barrier).unwrap();
    invoker.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn work_beyond_the_instance_limit_waits_its_turn() {
    let invoker = start(vec![echo_function(ECHO, Duration::from_secs(60), &[])], 2).await;
    let calls: Vec<_> = (0..8)
        .map(|n| {
            let invoker = invoker.clone();
            tokio::spawn(async move { invoker.invoke(ECHO, json!({"n": n, "sleep_ms": 20})).await })
        })
        .collect();
    let mut pids = BTreeSet::new();
    for (n, call) in calls.into_iter().enumerate() {
        let result = call.await.unwrap().expect("queued invocations succeed");
        assert_eq!(result["echo"]["n"], n);
        pids.insert(pid(&result));
    }
    assert!(pids.len() <= 2, "never more than the limit: {pids:?}");
    invoker.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_error_is_a_function_error_and_the_instance_lives_on() {
    let invoker = start(vec![echo_function(ECHO, Duration::from_secs(10), &[])], 1).await;
    let before = invoker.invoke(ECHO, json!({})).await.unwrap();

    let err = invoker
        .invoke(ECHO, json!({"fail": true}))
        .await
        .unwrap_err();
    match err {
        InvokeError::Function {
            function, message, ..
        } => {
            assert_eq!(function, ECHO);
            assert_eq!(message, "echo asked to fail");
        }
        other => panic!("expected a function error, got {other:?}"),
    }
    let after = invoker.invoke(ECHO, json!({})).await.unwrap();
    assert_eq!(pid(&after), pid(&before));
    invoker.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeout_kills_the_instance_and_the_next_call_gets_a_new_one() {
    let invoker = start(vec![echo_function(ECHO, Duration::from_secs(1), &[])], 1).await;
    let before = invoker.invoke(ECHO, json!({})).await.unwrap();

    let started = Instant::now();
    let err = invoker
        .invoke(ECHO, json!({"sleep_ms": 30_000}))
        .await
        .unwrap_err();
    assert!(matches!(err, InvokeError::Timeout { .. }), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "answered at the timeout, not the sleep's end"
    );

    let after = invoker.invoke(ECHO, json!({"again": true})).await.unwrap();
    assert_eq!(after["echo"]["again"], true);
    assert_ne!(
        pid(&after),
        pid(&before),
        "the timed-out instance was replaced"
    );
    assert!(
        !process_is_running(pid(&before)),
        "the timed-out instance was killed"
    );
    invoker.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_fails_the_invocation_and_the_instance_is_replaced() {
    let invoker = start(vec![echo_function(ECHO, Duration::from_secs(10), &[])], 1).await;
    let err = invoker
        .invoke(ECHO, json!({"crash": true}))
        .await
        .unwrap_err();
    assert!(
        matches!(err, InvokeError::Crashed { during_init: false, ref status, .. } if status.contains("42")),
        "{err:?}"
    );
    let after = invoker.invoke(ECHO, json!("fine")).await.unwrap();
    assert_eq!(after["echo"], "fine");
    invoker.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_function_that_cannot_start_answers_with_errors_instead_of_hanging() {
    let broken = echo_function(
        "BrokenFunction",
        Duration::from_secs(10),
        &[("ECHO_FAIL_INIT", "1")],
    );
    let mut missing = echo_function("MissingFunction", Duration::from_secs(10), &[]);
    missing.executable = PathBuf::from("/nonexistent/bin/missing-function");
    let invoker = start(vec![broken, missing], 2).await;

    let err = invoker
        .invoke("BrokenFunction", json!({}))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            InvokeError::Crashed {
                during_init: true,
                ..
            }
        ),
        "{err:?}"
    );
    let err = invoker
        .invoke("MissingFunction", json!({}))
        .await
        .unwrap_err();
    assert!(matches!(err, InvokeError::Spawn { .. }), "{err:?}");
    let err = invoker
        .invoke("NoSuchFunction", json!({}))
        .await
        .unwrap_err();
    assert_eq!(err, InvokeError::UnknownFunction("NoSuchFunction".into()));
    invoker.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_kills_every_instance_and_refuses_new_work() {
    let invoker = start(vec![echo_function(ECHO, Duration::from_secs(10), &[])], 2).await;
    let running = invoker.invoke(ECHO, json!({})).await.unwrap();

    invoker.shutdown().await;
    assert!(!process_is_running(pid(&running)));
    assert_eq!(
        invoker.invoke(ECHO, json!({})).await.unwrap_err(),
        InvokeError::ShuttingDown
    );
}
