//! A moto server for tests: the one named by `AWS_ENDPOINT_URL` (as `make test` runs it), or one
//! started on a free port and killed when its owner goes away.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// How long moto may take to answer after it was started.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);
/// How often a port is tried again when another process took it first.
const START_ATTEMPTS: usize = 3;

/// moto could not be started or did not become ready.
#[derive(Debug, Clone, thiserror::Error)]
#[error("cannot start moto: {0}")]
pub struct MotoError(String);

/// A moto server this process started; it is killed when dropped (or when this process dies).
#[derive(Debug)]
pub struct MotoServer {
    child: Child,
    endpoint: String,
}

/// The endpoint of a moto for this test process: `AWS_ENDPOINT_URL` if set, else one shared moto
/// started on first use and killed when the process exits. Panics with the reason if it can't.
pub fn ensure() -> String {
    try_ensure().unwrap_or_else(|err| panic!("{err}"))
}

/// Like [`ensure`], returning the failure instead of panicking.
pub fn try_ensure() -> Result<String, MotoError> {
    if let Some(endpoint) = std::env::var("AWS_ENDPOINT_URL")
        .ok()
        .filter(|v| !v.is_empty())
    {
        return Ok(endpoint);
    }
    static SHARED: OnceLock<Result<String, MotoError>> = OnceLock::new();
    SHARED
        .get_or_init(|| {
            // The server is owned by a thread that lives as long as the process: Linux ties the
            // parent-death signal to the spawning thread, and test threads end early.
            let (tx, rx) = std::sync::mpsc::channel();
            let spawned = std::thread::Builder::new()
                .name("moto".into())
                .spawn(move || match MotoServer::start() {
                    Ok(server) => {
                        let _ = tx.send(Ok(server.endpoint().to_string()));
                        let _keep = server;
                        loop {
                            std::thread::park();
                        }
                    }
                    Err(err) => {
                        let _ = tx.send(Err(err));
                    }
                });
            match spawned {
                Ok(_) => rx
                    .recv()
                    .unwrap_or_else(|_| Err(MotoError("the moto thread ended".into()))),
                Err(err) => Err(MotoError(format!("cannot spawn the moto thread: {err}"))),
            }
        })
        .clone()
}

impl MotoServer {
    /// Starts a moto server on a free port of 127.0.0.1 and waits until it answers.
    pub fn start() -> Result<Self, MotoError> {
        let mut last_error = MotoError("not attempted".into());
        for _ in 0..START_ATTEMPTS {
            match Self::start_once() {
                Ok(server) => return Ok(server),
                Err(err) => last_error = err,
            }
        }
        Err(last_error)
    }

    /// The URL to use as `AWS_ENDPOINT_URL`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    fn start_once() -> Result<Self, MotoError> {
        let port = free_port().map_err(|e| MotoError(format!("no free port: {e}")))?;
        let log_path = std::env::temp_dir().join(format!("moto-{port}.log"));
        let log = std::fs::File::create(&log_path)
            .map_err(|e| MotoError(format!("cannot create {}: {e}", log_path.display())))?;
        let (program, mut command) = moto_command();
        command
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        crate::process::die_with_parent(&mut command);
        let child = command.spawn().map_err(|e| {
            MotoError(format!(
                "cannot run {} ({e}); create the venv (make setup) or set MOTO_SERVER",
                program.display()
            ))
        })?;
        let mut server = MotoServer {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        server.wait_ready(SocketAddr::from(([127, 0, 0, 1], port)), &log_path)?;
        Ok(server)
    }

    fn wait_ready(
        &mut self,
        addr: SocketAddr,
        log_path: &std::path::Path,
    ) -> Result<(), MotoError> {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                let log = std::fs::read_to_string(log_path).unwrap_or_default();
                return Err(MotoError(format!(
                    "moto exited ({status}) during startup:\n{log}"
                )));
            }
            if answers_http(addr) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(MotoError(format!(
                    "moto did not answer on {addr} within {STARTUP_TIMEOUT:?}; log: {}",
                    log_path.display()
                )));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `MOTO_SERVER`, else the project's `scripts/moto-server` (moto with atomic DynamoDB writes)
/// run by the venv's Python, else `moto_server` on PATH. Returns the program, for messages.
fn moto_command() -> (PathBuf, Command) {
    if let Some(path) = std::env::var_os("MOTO_SERVER") {
        let program = PathBuf::from(path);
        return (program.clone(), Command::new(program));
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let python = root.join(".venv/bin/python");
    if python.exists() {
        let mut command = Command::new(&python);
        command.arg(root.join("scripts/moto-server"));
        return (python, command);
    }
    let program = PathBuf::from("moto_server");
    (program.clone(), Command::new(program))
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// True once something on `addr` answers an HTTP request.
fn answers_http(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(500)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream
        .write_all(b"GET /moto-api/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut head = [0u8; 5];
    stream.read_exact(&mut head).is_ok() && &head == b"HTTP/"
}
