//! Latency through the gateway for browse, show and create-order: a sequential pass that splits
//! each request's time into AWS calls (seen by the recording proxy, from the function's own
//! processes) and everything else, with the function's CPU time; then a closed-loop pass at a
//! fixed concurrency for requests/s and percentiles.

use bench::aws_proxy::Recorder;
use bench::http_client::Client;
use bench::stats::{summarize, Summary};
use bench::{ms, procfs};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// An endpoint under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// GET /api/tickets (first page).
    Browse,
    /// GET /api/tickets/{id}.
    Show,
    /// POST /api/orders for a ticket nobody reserved yet.
    CreateOrder,
}

impl Endpoint {
    pub const ALL: [Endpoint; 3] = [Endpoint::Browse, Endpoint::Show, Endpoint::CreateOrder];

    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Browse => "browse",
            Endpoint::Show => "show",
            Endpoint::CreateOrder => "create-order",
        }
    }

    pub fn route(self) -> &'static str {
        match self {
            Endpoint::Browse => "GET /api/tickets",
            Endpoint::Show => "GET /api/tickets/{id}",
            Endpoint::CreateOrder => "POST /api/orders",
        }
    }

    /// The function binary serving it.
    pub fn binary(self) -> &'static str {
        match self {
            Endpoint::Browse => "list-tickets",
            Endpoint::Show => "get-ticket",
            Endpoint::CreateOrder => "create-order",
        }
    }
}

/// What the requests are made of: tickets to show, and fresh tickets to order, each with its own
/// buyer (a buyer may hold only 3 orders awaiting payment).
pub struct Work {
    pub show_ids: Vec<String>,
    /// (ticket id, buyer's session cookie)
    pub fresh: Mutex<Vec<(String, String)>>,
}

type Request = (&'static str, String, Option<String>, Option<Value>);

impl Work {
    pub fn request(&self, endpoint: Endpoint, i: usize) -> Option<Request> {
        Some(match endpoint {
            Endpoint::Browse => ("GET", "/api/tickets".into(), None, None),
            Endpoint::Show => (
                "GET",
                format!("/api/tickets/{}", self.show_ids[i % self.show_ids.len()]),
                None,
                None,
            ),
            Endpoint::CreateOrder => {
                let (ticket, buyer) = self.fresh.lock().unwrap().pop()?;
                (
                    "POST",
                    "/api/orders".into(),
                    Some(buyer),
                    Some(json!({ "ticketId": ticket })),
                )
            }
        })
    }
}

/// One request of the sequential pass, split up.
#[derive(Debug, Serialize)]
pub struct Breakdown {
    pub endpoint: &'static str,
    pub route: &'static str,
    pub binary: &'static str,
    /// Client-observed latency through the gateway.
    pub latency: Summary,
    /// Time inside AWS calls made by the function (union of the proxy's call intervals).
    pub aws: Summary,
    /// Latency minus AWS time: gateway, Runtime API hops, the function's own code.
    pub outside_aws: Summary,
    /// The function process's CPU time (all threads) per request.
    pub function_cpu: Summary,
    /// Median share of the latency spent outside AWS calls.
    pub outside_share_p50: f64,
    pub aws_calls_per_request: f64,
    pub statuses: BTreeMap<u16, usize>,
}

/// The sequential pass: `n` requests one after another.
pub async fn sequential(
    port: u16,
    functions_dir: &Path,
    proxy: &Recorder,
    endpoint: Endpoint,
    work: &Work,
    n: usize,
) -> Breakdown {
    let binary = functions_dir.join(endpoint.binary());
    let pids = procfs::pids_with_exe(&binary);
    assert!(
        !pids.is_empty(),
        "no {} process runs (warm-up missing?)",
        endpoint.binary()
    );
    let cpu = |pids: &[u32]| pids.iter().filter_map(|p| procfs::cpu_ns(*p)).sum::<u64>();
    let mut client = Client::connect(port).await.unwrap();
    let mut windows = Vec::with_capacity(n);
    let mut cpu_ms = Vec::with_capacity(n);
    let mut statuses = BTreeMap::new();
    for i in 0..n {
        let Some((method, path, cookie, body)) = work.request(endpoint, i) else {
            break;
        };
        let before = cpu(&pids);
        let start = Instant::now();
        let answer = client
            .send(method, &path, cookie.as_deref(), body.as_ref())
            .await
            .unwrap();
        let end = Instant::now();
        let after = cpu(&pids);
        cpu_ms.push((after.saturating_sub(before)) as f64 / 1e6);
        windows.push((start, end));
        *statuses.entry(answer.status).or_default() += 1;
    }
    let pid_set: HashSet<u32> = pids.iter().copied().collect();
    let calls = function_calls(proxy, &pid_set);
    let mut latency = Vec::new();
    let mut aws = Vec::new();
    let mut outside = Vec::new();
    let mut shares = Vec::new();
    let mut call_count = 0;
    for (start, end) in &windows {
        let inside: Vec<(Instant, Instant)> = calls
            .iter()
            .filter(|(s, e)| s >= start && e <= end)
            .copied()
            .collect();
        call_count += inside.len();
        let total = ms(*end - *start);
        let in_aws = ms(union_length(inside));
        latency.push(total);
        aws.push(in_aws);
        outside.push(total - in_aws);
        shares.push((total - in_aws) / total);
    }
    Breakdown {
        endpoint: endpoint.name(),
        route: endpoint.route(),
        binary: endpoint.binary(),
        latency: summarize(&latency),
        aws: summarize(&aws),
        outside_aws: summarize(&outside),
        function_cpu: summarize(&cpu_ms),
        outside_share_p50: summarize(&shares).p50,
        aws_calls_per_request: call_count as f64 / windows.len().max(1) as f64,
        statuses,
    }
}

/// The closed-loop pass at a fixed concurrency.
#[derive(Debug, Serialize)]
pub struct Throughput {
    pub endpoint: &'static str,
    pub route: &'static str,
    pub concurrency: usize,
    pub requests: usize,
    pub seconds: f64,
    pub requests_per_second: f64,
    pub latency: Summary,
    pub statuses: BTreeMap<u16, usize>,
    /// Sum of the function's AWS call durations / sum of request latencies.
    pub aws_share: f64,
    /// The function processes' CPU time per request (ms).
    pub function_cpu_per_request_ms: f64,
}

/// `concurrency` clients send requests back to back until `duration` passed or the work ran out.
pub async fn throughput(
    port: u16,
    functions_dir: &Path,
    proxy: &Recorder,
    endpoint: Endpoint,
    work: Arc<Work>,
    concurrency: usize,
    duration: Duration,
) -> Throughput {
    let pids = procfs::pids_with_exe(&functions_dir.join(endpoint.binary()));
    let cpu = |pids: &[u32]| pids.iter().filter_map(|p| procfs::cpu_ns(*p)).sum::<u64>();
    let counter = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let cpu_before = cpu(&pids);
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let work = work.clone();
        let counter = counter.clone();
        tasks.spawn(async move {
            let mut client = Client::connect(port).await.unwrap();
            let mut seen = Vec::new();
            while Instant::now() < deadline {
                let i = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some((method, path, cookie, body)) = work.request(endpoint, i) else {
                    break;
                };
                let start = Instant::now();
                let answer = client
                    .send(method, &path, cookie.as_deref(), body.as_ref())
                    .await
                    .unwrap();
                seen.push((ms(start.elapsed()), answer.status));
            }
            seen
        });
    }
    let mut latencies = Vec::new();
    let mut statuses = BTreeMap::new();
    while let Some(seen) = tasks.join_next().await {
        for (latency, status) in seen.unwrap() {
            latencies.push(latency);
            *statuses.entry(status).or_default() += 1;
        }
    }
    let finished = Instant::now();
    let cpu_after = cpu(&procfs::pids_with_exe(
        &functions_dir.join(endpoint.binary()),
    ));
    let pid_set: HashSet<u32> = procfs::pids_with_exe(&functions_dir.join(endpoint.binary()))
        .into_iter()
        .chain(pids.iter().copied())
        .collect();
    let in_aws: f64 = function_calls(proxy, &pid_set)
        .iter()
        .filter(|(s, e)| *s >= started && *e <= finished)
        .map(|(s, e)| ms(*e - *s))
        .sum();
    let seconds = (finished - started).as_secs_f64();
    let requests = latencies.len();
    Throughput {
        endpoint: endpoint.name(),
        route: endpoint.route(),
        concurrency,
        requests,
        seconds,
        requests_per_second: requests as f64 / seconds,
        aws_share: in_aws / latencies.iter().sum::<f64>(),
        function_cpu_per_request_ms: cpu_after.saturating_sub(cpu_before) as f64
            / 1e6
            / requests.max(1) as f64,
        latency: summarize(&latencies),
        statuses,
    }
}

/// The intervals of the calls made by processes in `pids`.
fn function_calls(proxy: &Recorder, pids: &HashSet<u32>) -> Vec<(Instant, Instant)> {
    let connections = proxy.connections();
    proxy
        .calls()
        .into_iter()
        .filter(|call| {
            connections[call.connection]
                .pid
                .is_some_and(|pid| pids.contains(&pid))
        })
        .map(|call| (call.start, call.end))
        .collect()
}

/// Total time covered by possibly overlapping intervals.
fn union_length(mut intervals: Vec<(Instant, Instant)>) -> Duration {
    intervals.sort();
    let mut total = Duration::ZERO;
    let mut current: Option<(Instant, Instant)> = None;
    for (start, end) in intervals {
        current = match current {
            Some((s, e)) if start <= e => Some((s, e.max(end))),
            Some((s, e)) => {
                total += e - s;
                Some((start, end))
            }
            None => Some((start, end)),
        };
    }
    if let Some((s, e)) = current {
        total += e - s;
    }
    total
}
