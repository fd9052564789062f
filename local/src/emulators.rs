//! The local AWS for tests: DynamoDB Local (DynamoDB and its streams) and moto (SQS,
//! EventBridge, Scheduler). Each is the one the environment names (`AWS_ENDPOINT_URL_DYNAMODB`,
//! `AWS_ENDPOINT_URL`, as `make test` sets them), or one started on a free port on first use and
//! killed when the test process goes away.

use crate::aws::LocalAws;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// How long an emulator may take to answer after it was started (a JVM on a busy machine).
const STARTUP_TIMEOUT: Duration = Duration::from_secs(90);
/// How often a port is tried again when another process took it first.
const START_ATTEMPTS: usize = 3;

/// An emulator could not be started or did not become ready.
#[derive(Debug, Clone, thiserror::Error)]
#[error("cannot start {0}")]
pub struct EmulatorError(String);

/// The endpoint of the DynamoDB Local of this test process. Panics with the reason if it can't.
pub fn dynamodb() -> String {
    static SHARED: OnceLock<Result<String, EmulatorError>> = OnceLock::new();
    ensure(
        &SHARED,
        "AWS_ENDPOINT_URL_DYNAMODB",
        Emulator::DynamoDbLocal,
    )
}

/// The endpoint of the moto of this test process. Panics with the reason if it can't.
pub fn moto() -> String {
    static SHARED: OnceLock<Result<String, EmulatorError>> = OnceLock::new();
    ensure(&SHARED, "AWS_ENDPOINT_URL", Emulator::Moto)
}

/// Both, with the test region and keys.
pub fn local_aws() -> LocalAws {
    LocalAws::new(moto(), dynamodb())
}

#[derive(Debug, Clone, Copy)]
enum Emulator {
    DynamoDbLocal,
    Moto,
}

impl Emulator {
    fn name(self) -> &'static str {
        match self {
            Emulator::DynamoDbLocal => "DynamoDB Local",
            Emulator::Moto => "moto",
        }
    }

    /// The command that runs it on `port` of 127.0.0.1: the project's own install of each
    /// (`make deps`).
    fn command(self, port: u16) -> Command {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        match self {
            Emulator::DynamoDbLocal => {
                let mut command = Command::new(root.join("scripts/dynamodb-local"));
                command.arg(port.to_string());
                command
            }
            Emulator::Moto => {
                let mut command = Command::new(root.join("scripts/moto"));
                command.arg(port.to_string());
                command
            }
        }
    }
}

fn ensure(
    shared: &'static OnceLock<Result<String, EmulatorError>>,
    variable: &str,
    emulator: Emulator,
) -> String {
    if let Some(endpoint) = std::env::var(variable).ok().filter(|v| !v.is_empty()) {
        return endpoint;
    }
    shared
        .get_or_init(|| start_for_process(emulator))
        .clone()
        .unwrap_or_else(|err| panic!("{err}"))
}

/// Starts the emulator on a thread that lives as long as the process: Linux ties the
/// parent-death signal to the spawning thread, and test threads end early.
fn start_for_process(emulator: Emulator) -> Result<String, EmulatorError> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name(emulator.name().into())
        .spawn(move || match Running::start(emulator) {
            Ok(running) => {
                let _ = tx.send(Ok(running.endpoint.clone()));
                let _keep = running;
                loop {
                    std::thread::park();
                }
            }
            Err(err) => {
                let _ = tx.send(Err(err));
            }
        })
        .map_err(|err| {
            EmulatorError(format!("{}: cannot spawn a thread: {err}", emulator.name()))
        })?;
    rx.recv().unwrap_or_else(|_| {
        Err(EmulatorError(format!(
            "{}: its thread ended",
            emulator.name()
        )))
    })
}

/// An emulator this process started; it is killed when dropped (or when this process dies).
struct Running {
    child: Child,
    endpoint: String,
}

impl Running {
    fn start(emulator: Emulator) -> Result<Self, EmulatorError> {
        let mut last_error = EmulatorError(format!("{}: not attempted", emulator.name()));
        for _ in 0..START_ATTEMPTS {
            match Self::start_once(emulator) {
                Ok(running) => return Ok(running),
                Err(err) => last_error = err,
            }
        }
        Err(last_error)
    }

    fn start_once(emulator: Emulator) -> Result<Self, EmulatorError> {
        let name = emulator.name();
        let port = free_port().map_err(|e| EmulatorError(format!("{name}: no free port: {e}")))?;
        let log_path: PathBuf = std::env::temp_dir().join(format!(
            "{}-{port}.log",
            name.to_lowercase().replace(' ', "-")
        ));
        let log = std::fs::File::create(&log_path).map_err(|e| {
            EmulatorError(format!("{name}: cannot create {}: {e}", log_path.display()))
        })?;
        let mut command = emulator.command(port);
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        crate::process::die_with_parent(&mut command);
        let child = command.spawn().map_err(|e| {
            EmulatorError(format!(
                "{name}: cannot run {:?} ({e}); install it with `make deps`",
                command.get_program()
            ))
        })?;
        let mut running = Running {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        running.wait_ready(name, SocketAddr::from(([127, 0, 0, 1], port)), &log_path)?;
        Ok(running)
    }

    fn wait_ready(
        &mut self,
        name: &str,
        addr: SocketAddr,
        log_path: &Path,
    ) -> Result<(), EmulatorError> {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                let log = std::fs::read_to_string(log_path).unwrap_or_default();
                return Err(EmulatorError(format!(
                    "{name}: exited ({status}) during startup:\n{log}"
                )));
            }
            if answers_http(addr) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(EmulatorError(format!(
                    "{name}: no answer on {addr} within {STARTUP_TIMEOUT:?}; log: {}",
                    log_path.display()
                )));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// True once something on `addr` answers an HTTP request, whatever its status.
fn answers_http(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(500)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream
        .write_all(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut head = [0u8; 5];
    stream.read_exact(&mut head).is_ok() && &head == b"HTTP/"
}
