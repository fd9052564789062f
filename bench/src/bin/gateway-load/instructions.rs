//! Instructions per request, counted by callgrind: a second gateway whose browse, show and
//! create-order functions run under `valgrind --tool=callgrind` (one instance each), so the
//! count is exact and the same on a busy machine as on a quiet one, unlike CPU time. After a
//! warm-up the counters are zeroed (`callgrind_control -z`), `n` requests go through one by one,
//! and the profile is dumped (`callgrind_control -d`): its total over `n` is the function's own
//! instructions per request (user space: our code, the SDK, the runtime, the log lines; not the
//! kernel's). The dumps stay in `.local/bench/callgrind/` for `callgrind_annotate`; the report
//! groups their self cost by crate.

use crate::latency::{Endpoint, Work};
use bench::http_client::Client;
use serde::Serialize;
use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// One endpoint's count.
#[derive(Debug, Serialize)]
pub struct Instructions {
    pub endpoint: &'static str,
    pub binary: &'static str,
    pub requests: usize,
    pub statuses: BTreeMap<u16, usize>,
    /// Instructions executed by the function process per request (user space).
    pub instructions_per_request: f64,
    /// The callgrind dump of the `requests` requests.
    pub dump: String,
}

/// Makes `dir` a functions directory like `functions_dir`, in which the profiled endpoints'
/// binaries start under callgrind, writing into `out`.
pub fn wrapped_functions(functions_dir: &Path, dir: &Path, out: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    std::fs::create_dir_all(out).unwrap();
    let profiled: Vec<&str> = Endpoint::ALL.iter().map(|e| e.binary()).collect();
    for entry in std::fs::read_dir(functions_dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().to_string();
        let target = dir.join(&name);
        if profiled.contains(&name.as_str()) {
            let script = format!(
                "#!/bin/sh\nexec valgrind -q --tool=callgrind --callgrind-out-file={}/{name}.%p {} \"$@\"\n",
                out.display(),
                entry.path().display()
            );
            std::fs::write(&target, script).unwrap();
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o755)).unwrap();
        } else {
            std::os::unix::fs::symlink(entry.path(), &target).unwrap();
        }
    }
}

/// Processes whose command line runs `binary` (valgrind keeps the client's path in it).
fn pids_running(binary: &Path) -> Vec<u32> {
    let wanted = binary.to_string_lossy().to_string();
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        if cmdline
            .split(|b| *b == 0)
            .any(|arg| arg == wanted.as_bytes())
        {
            pids.push(pid);
        }
    }
    pids
}

fn callgrind_control(flag: &str, pid: u32) {
    let status = std::process::Command::new("callgrind_control")
        .arg(flag)
        .arg(pid.to_string())
        .stdout(std::process::Stdio::null())
        .status()
        .expect("callgrind_control runs");
    assert!(status.success(), "callgrind_control {flag} {pid} failed");
}

/// The `summary:` (or `totals:`) instruction count of a callgrind dump.
fn total_instructions(dump: &Path) -> u64 {
    let text = std::fs::read_to_string(dump).unwrap();
    text.lines()
        .find_map(|line| {
            line.strip_prefix("summary:")
                .or_else(|| line.strip_prefix("totals:"))
        })
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("{} has no summary line", dump.display()))
}

/// Counts `endpoint`'s instructions over `n` requests, after `warm_up` requests that start its
/// (single) instance.
pub async fn count(
    port: u16,
    real_functions_dir: &Path,
    out: &Path,
    endpoint: Endpoint,
    work: &Work,
    warm_up: usize,
    n: usize,
) -> Instructions {
    let mut client = Client::connect(port).await.unwrap();
    let mut sent = 0;
    for _ in 0..warm_up {
        let (method, path, cookie, body) = work.request(endpoint, sent).unwrap();
        sent += 1;
        client
            .send(method, &path, cookie.as_deref(), body.as_ref())
            .await
            .unwrap();
    }
    let binary: PathBuf = real_functions_dir.join(endpoint.binary());
    let pids = pids_running(&binary);
    assert_eq!(
        pids.len(),
        1,
        "one {} instance under callgrind",
        endpoint.binary()
    );
    let pid = pids[0];
    callgrind_control("-z", pid);
    let mut statuses = BTreeMap::new();
    for _ in 0..n {
        let (method, path, cookie, body) = work.request(endpoint, sent).unwrap();
        sent += 1;
        let answer = client
            .send(method, &path, cookie.as_deref(), body.as_ref())
            .await
            .unwrap();
        *statuses.entry(answer.status).or_default() += 1;
    }
    callgrind_control("-d", pid);
    let dump = out.join(format!("{}.{pid}.1", endpoint.binary()));
    bench::poll_until(
        "the callgrind dump",
        std::time::Duration::from_secs(60),
        std::time::Duration::from_millis(100),
        || {
            let dump = dump.clone();
            async move {
                std::fs::read_to_string(&dump)
                    .ok()?
                    .contains("summary:")
                    .then_some(())
            }
        },
    )
    .await;
    let total = total_instructions(&dump);
    Instructions {
        endpoint: endpoint.name(),
        binary: endpoint.binary(),
        requests: n,
        statuses,
        instructions_per_request: total as f64 / n.max(1) as f64,
        dump: dump.to_string_lossy().to_string(),
    }
}
