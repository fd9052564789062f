//! `cold-start`: starts every function's release binary, one process at a time, against a
//! minimal Runtime API on 127.0.0.1 and times exec -> first `/next` (init: runtime, config and
//! every SDK client built) and the first invocation (its sample event from events/, against
//! DynamoDB Local and moto through a recording proxy). While the process waits on its first `/next` it lists the
//! process's network sockets and the connections the AWS endpoint and the Stripe endpoint saw
//! since exec: any of them is a network call during init. Writes JSON for the report.
//!
//!     AWS_ENDPOINT_URL=http://127.0.0.1:4620 AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:8120 \
//!       cold-start FUNCTIONS_DIR ROUNDS OUT.json

use bench::aws_proxy::Recorder;
use bench::runtime_emulator::{Invocation, RuntimeCall, RuntimeEmulator};
use bench::{ms, parameter_overrides, SESSION_SIGNING_KEY};
use local::aws::LocalAws;
use local::invoker::FunctionConfig;
use local::resolver::{Resolver, ACCOUNT_ID};
use local::{provision, startup, Template};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};
use ticketing::auth::{CookieSettings, SessionKeys, SessionUser, Sessions};
use tokio::process::Command;

/// Longest wait for a process to reach `/next` or to answer its event.
const STEP_TIMEOUT: Duration = Duration::from_secs(20);
/// The origin secret the sample events carry (`x-origin-verify`).
const SAMPLE_ORIGIN_VERIFY: &str = "local-origin-verify-value";

/// The placeholder session cookie of the sample events.
const PLACEHOLDER_TOKEN: &str = "replace-with-a-token-from-signin";

#[derive(Default, Serialize)]
struct FunctionResult {
    binary: String,
    logical_id: String,
    executable: String,
    memory_mb: u32,
    init_ms: Vec<f64>,
    first_invoke_ms: Vec<f64>,
    peak_rss_kib: Vec<u64>,
    /// The first invocation's outcome (`status 200`, `batch ok`, ...) and how often.
    outcomes: BTreeMap<String, u32>,
    /// AWS calls made by the first invocation (last cold start).
    first_invoke_aws_calls: usize,
    /// Anything network-ish seen before the first `/next`.
    network_during_init: Vec<String>,
    failures: Vec<String>,
    /// Instructions from exec to the first `/next`, counted by callgrind (one extra start).
    init_instructions: Option<u64>,
    /// That start's callgrind dump.
    init_dump: Option<String>,
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, functions_dir, rounds, out] = args.as_slice() else {
        eprintln!("usage: cold-start FUNCTIONS_DIR ROUNDS OUT.json (AWS_ENDPOINT_URL: moto, AWS_ENDPOINT_URL_DYNAMODB: DynamoDB Local)");
        std::process::exit(2);
    };
    let rounds: usize = rounds.parse().expect("ROUNDS is a number");
    let upstreams = bench::aws_proxy::Upstreams::from_env();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let template = Template::load(root.join("template.yaml")).expect("template.yaml loads");

    let aws = Recorder::start(Some(upstreams), false).await.unwrap();
    let stripe = Recorder::start(None, false).await.unwrap();
    let stack = format!(
        "bench-cold-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let region = local::aws::DEFAULT_REGION.to_string();
    let overrides = local::config::parse_parameter_overrides(&parameter_overrides(&format!(
        "{}/",
        stripe.url()
    )))
    .unwrap();
    let resolver = Resolver::new(&template, stack.clone(), region.clone(), overrides)
        .unwrap()
        .with_endpoint(aws.url());

    println!("cold-start: provisioning stack {stack} in {upstreams:?}");
    let clients = LocalAws::new(
        format!("http://{}", upstreams.moto),
        format!("http://{}", upstreams.dynamodb),
    )
    .clients()
    .await;
    provision::wait_for_dynamodb(&clients.dynamodb, Duration::from_secs(30))
        .await
        .unwrap();
    provision::provision_tables(&clients.dynamodb, &template, &resolver)
        .await
        .unwrap();
    let streams = provision::stream_arns(&clients.dynamodb, &template, &resolver)
        .await
        .unwrap();
    let resolver = resolver.with_stream_arns(streams);
    provision::provision_queues(&clients.sqs, &template, &resolver)
        .await
        .unwrap();
    provision::provision_event_buses(&clients.eventbridge, &template, &resolver)
        .await
        .unwrap();
    provision::provision_rules(&clients.eventbridge, &template, &resolver)
        .await
        .unwrap();
    provision::provision_schedule_groups(&clients.scheduler, &template, &resolver)
        .await
        .unwrap();
    let (secret_arns, _) =
        provision::provision_secrets(&clients.secretsmanager, &template, &resolver)
            .await
            .unwrap();
    let resolver = resolver.with_secret_arns(secret_arns);

    // Functions reach AWS only through the recording proxy, exactly as the gateway would set
    // them up (template environment, resolved).
    let mut functions = startup::functions_from_template(
        &template,
        &resolver,
        Path::new(functions_dir),
        &LocalAws::new(aws.url(), aws.url()).env(),
    )
    .unwrap();
    // The sample events carry the X-Origin-Verify value of the README's by-hand runs.
    for function in &mut functions {
        function.env.insert(
            ticketing::origin_verify::VARIABLE.to_string(),
            SAMPLE_ORIGIN_VERIFY.to_string(),
        );
    }
    // Every signed-in request checks its session in the Users table: open one there, as
    // sign-in would, so the sample events' cookie is of an open session.
    let sessions = Sessions::new(
        clients.dynamodb.clone(),
        resolver.table_name("UsersTable").unwrap(),
        SessionKeys::for_seed(SESSION_SIGNING_KEY, 3600).unwrap(),
        CookieSettings { secure: false },
    );
    let token = sessions
        .open(&SessionUser {
            id: uuid::Uuid::new_v4().to_string(),
            email: "bench@example.com".into(),
        })
        .await
        .unwrap()
        .token;
    let log_dir = root.join(".local/bench/cold-start-logs");
    std::fs::create_dir_all(&log_dir).unwrap();

    let mut emulator = RuntimeEmulator::start().await.unwrap();
    let mut results: Vec<FunctionResult> = functions
        .iter()
        .map(|f| FunctionResult {
            binary: binary_name(f),
            logical_id: f.logical_id.clone(),
            executable: f.executable.display().to_string(),
            memory_mb: f.memory_mb,
            ..Default::default()
        })
        .collect();
    let events: Vec<Vec<u8>> = results
        .iter()
        .map(|r| {
            let path = root.join("events").join(format!("{}.json", r.binary));
            std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
                .replace(PLACEHOLDER_TOKEN, &token)
                .into_bytes()
        })
        .collect();
    println!(
        "cold-start: {} functions x {rounds} cold starts each (round-robin)",
        functions.len()
    );
    let started = Instant::now();
    for round in 0..rounds {
        for (i, function) in functions.iter().enumerate() {
            let log = log_dir.join(format!("{}.log", results[i].binary));
            let payload = events[i].clone();
            cold_start(
                &mut emulator,
                function,
                payload,
                &log,
                &aws,
                &stripe,
                &mut results[i],
            )
            .await;
        }
        println!("cold-start: round {} of {rounds} done", round + 1);
    }
    if std::env::var("BENCH_CALLGRIND_INIT").map_or(true, |v| v != "0") {
        let dumps = root.join(".local/bench/callgrind-init");
        let _ = std::fs::remove_dir_all(&dumps);
        std::fs::create_dir_all(&dumps).unwrap();
        println!("cold-start: init instructions of every function under callgrind");
        for (i, function) in functions.iter().enumerate() {
            let log = log_dir.join(format!("{}.log", results[i].binary));
            match init_instructions(&mut emulator, function, &log, &dumps).await {
                Ok((count, dump)) => {
                    results[i].init_instructions = Some(count);
                    results[i].init_dump = Some(dump);
                }
                Err(problem) => results[i]
                    .failures
                    .push(format!("callgrind init: {problem}")),
            }
        }
    }
    println!(
        "cold-start: {} cold starts in {:.1} s",
        rounds * functions.len(),
        started.elapsed().as_secs_f64()
    );
    for r in &results {
        let init = bench::stats::summarize(&r.init_ms);
        let first = bench::stats::summarize(&r.first_invoke_ms);
        println!(
            "  {:36} init p50 {:6.2} ms p90 {:6.2} ms | first invoke p50 {:7.2} ms | network during init: {}",
            r.binary,
            init.p50,
            init.p90,
            first.p50,
            r.network_during_init.len()
        );
    }
    let json = serde_json::json!({ "stack": stack, "rounds": rounds, "functions": results });
    std::fs::write(out, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    println!("cold-start: wrote {out}");
}

/// One more cold start, under `valgrind --tool=callgrind`: once the process waits on its first
/// `/next` its profile is dumped (`callgrind_control -d`), so the dump holds init exactly.
async fn init_instructions(
    emulator: &mut RuntimeEmulator,
    function: &FunctionConfig,
    log: &Path,
    dumps: &Path,
) -> Result<(u64, String), String> {
    while emulator.next_call(Duration::ZERO).await.is_some() {}
    let log_file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .map_err(|e| e.to_string())?;
    let binary = binary_name(function);
    let mut command = Command::new("valgrind");
    command
        .arg("-q")
        .arg("--tool=callgrind")
        .arg(format!(
            "--callgrind-out-file={}/{binary}.%p",
            dumps.display()
        ))
        .arg(&function.executable)
        .env_clear()
        .envs(&function.env)
        .envs(lambda_env(function, &emulator.runtime_api()))
        .stdin(Stdio::null())
        .stdout(log_file.try_clone().map_err(|e| e.to_string())?)
        .stderr(log_file)
        .kill_on_drop(true);
    let mut child = command.spawn().map_err(|e| format!("valgrind: {e}"))?;
    let pid = child.id().unwrap_or(0);
    let outcome = async {
        match emulator.next_call(Duration::from_secs(120)).await {
            Some(RuntimeCall::Next { .. }) => {}
            other => return Err(format!("no /next under callgrind: {other:?}")),
        }
        let status = Command::new("callgrind_control")
            .arg("-d")
            .arg(pid.to_string())
            .stdout(Stdio::null())
            .status()
            .await
            .map_err(|e| format!("callgrind_control: {e}"))?;
        if !status.success() {
            return Err(format!("callgrind_control -d {pid} failed"));
        }
        let dump = dumps.join(format!("{binary}.{pid}.1"));
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let text = std::fs::read_to_string(&dump).unwrap_or_default();
            if let Some(count) = text
                .lines()
                .find_map(|line| line.strip_prefix("summary:"))
                .and_then(|n| n.trim().parse::<u64>().ok())
            {
                return Ok((count, dump.display().to_string()));
            }
            if Instant::now() > deadline {
                return Err(format!("no callgrind dump {}", dump.display()));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    .await;
    let _ = child.kill().await;
    outcome
}

fn binary_name(function: &FunctionConfig) -> String {
    function
        .executable
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default()
}

/// One cold start: exec, wait for `/next`, inspect, hand the event, wait for the answer, kill.
async fn cold_start(
    emulator: &mut RuntimeEmulator,
    function: &FunctionConfig,
    payload: Vec<u8>,
    log: &Path,
    aws: &Recorder,
    stripe: &Recorder,
    result: &mut FunctionResult,
) {
    // A late call from the previous process must not be taken for this one's.
    while emulator.next_call(Duration::ZERO).await.is_some() {}
    let log_file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    let mut command = Command::new(&function.executable);
    command
        .env_clear()
        .envs(&function.env)
        .envs(lambda_env(function, &emulator.runtime_api()))
        .stdin(Stdio::null())
        .stdout(log_file.try_clone().unwrap())
        .stderr(log_file)
        .kill_on_drop(true);
    let exec = Instant::now();
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(err) => {
            result.failures.push(format!("spawn: {err}"));
            return;
        }
    };
    let pid = child.id().unwrap_or(0);
    let outcome = run_one(emulator, function, payload, pid, exec, aws, stripe, result).await;
    if let Err(problem) = outcome {
        result.failures.push(problem);
    }
    let _ = child.kill().await;
}

#[allow(clippy::too_many_arguments)]
async fn run_one(
    emulator: &mut RuntimeEmulator,
    function: &FunctionConfig,
    payload: Vec<u8>,
    pid: u32,
    exec: Instant,
    aws: &Recorder,
    stripe: &Recorder,
    result: &mut FunctionResult,
) -> Result<(), String> {
    let (next_at, reply) = match emulator.next_call(STEP_TIMEOUT).await {
        Some(RuntimeCall::Next { at, reply }) => (at, reply),
        Some(RuntimeCall::Error { body, .. }) => {
            return Err(format!("init error: {}", String::from_utf8_lossy(&body)))
        }
        Some(other) => return Err(format!("unexpected call before /next: {other:?}")),
        None => return Err("no /next within the timeout".into()),
    };
    result.init_ms.push(ms(next_at - exec));

    // The process is blocked on its first /next: whatever network it used is visible now.
    for socket in bench::procfs::network_sockets(pid) {
        if socket.remote_port != emulator.port() {
            result
                .network_during_init
                .push(format!("open socket: {socket}"));
        }
    }
    for (name, recorder) in [("AWS", aws), ("Stripe", stripe)] {
        let early = recorder
            .connections()
            .iter()
            .filter(|c| c.accepted >= exec && c.accepted < next_at)
            .count();
        if early > 0 {
            result
                .network_during_init
                .push(format!("{early} connection(s) to the {name} endpoint"));
        }
    }

    let calls_before = aws.calls().len();
    let invocation = Invocation {
        request_id: uuid::Uuid::new_v4().to_string(),
        payload,
        function_arn: format!(
            "arn:aws:lambda:{}:{ACCOUNT_ID}:function:{}",
            local::aws::DEFAULT_REGION,
            function.function_name
        ),
    };
    let handed = Instant::now();
    reply
        .send(invocation)
        .map_err(|_| "the /next call went away".to_string())?;
    let outcome = match emulator.next_call(STEP_TIMEOUT).await {
        Some(RuntimeCall::Response { at, body }) => {
            result.first_invoke_ms.push(ms(at - handed));
            describe(&body)
        }
        Some(RuntimeCall::Error { at, body }) => {
            result.first_invoke_ms.push(ms(at - handed));
            format!("error {}", String::from_utf8_lossy(&body))
        }
        Some(other) => return Err(format!("unexpected call after the event: {other:?}")),
        None => return Err("no answer to the event within the timeout".into()),
    };
    *result.outcomes.entry(outcome).or_default() += 1;
    result.first_invoke_aws_calls = aws.calls().len() - calls_before;
    if let Some(rss) = bench::procfs::peak_rss_kib(pid) {
        result.peak_rss_kib.push(rss);
    }
    // It asks for the next event; it is left waiting and killed.
    let _ = emulator.next_call(Duration::from_secs(2)).await;
    Ok(())
}

/// `status 404` for an HTTP response, `batch ok` / `batch N failed` for SQS, else `ok`.
fn describe(body: &[u8]) -> String {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return "ok".into();
    };
    if let Some(status) = value.get("statusCode").and_then(Value::as_u64) {
        return format!("status {status}");
    }
    match value.get("batchItemFailures").and_then(Value::as_array) {
        Some(failed) if failed.is_empty() => "batch ok".into(),
        Some(failed) => format!("batch {} failed", failed.len()),
        None => "ok".into(),
    }
}

/// What the Lambda service sets for a function (as the local gateway does).
fn lambda_env(function: &FunctionConfig, runtime_api: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_LAMBDA_RUNTIME_API", runtime_api.to_string()),
        ("AWS_LAMBDA_FUNCTION_NAME", function.function_name.clone()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".into()),
        (
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            function.memory_mb.to_string(),
        ),
        (
            "AWS_LAMBDA_LOG_GROUP_NAME",
            format!("/aws/lambda/{}", function.function_name),
        ),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "bench/cold-start".into()),
        ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand".into()),
        ("AWS_EXECUTION_ENV", "AWS_Lambda_provided.al2023".into()),
        ("_HANDLER", "bootstrap".into()),
    ]
}
