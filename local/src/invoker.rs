//! The one way to run a function locally: `Invoker::invoke(function, event) -> response`.
//!
//! Everything that triggers functions goes through here: the HTTP API, the SQS and DynamoDB
//! stream event source mappings ([`crate::event_sources`]: a batch event in, a batch response
//! out), and fired schedules later. The invoker
//! does what the Lambda service does: it queues invocations per function, runs them on lazily
//! started instances (real processes of the function's binary, talking to our Runtime API),
//! enforces the timeout and replaces instances that crash or time out.

use crate::faults::{FaultKind, Faults};
use crate::function_pool::FunctionPool;
use crate::runtime_api;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// Instances per function when `MAX_INSTANCES` is not set.
pub const DEFAULT_MAX_INSTANCES: usize = 4;
/// How long [`Invoker::shutdown`] waits for processes to exit after killing them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// What the invoker needs to run one function.
#[derive(Debug, Clone)]
pub struct FunctionConfig {
    /// The template's logical id; the name callers invoke it by.
    pub logical_id: String,
    /// `AWS_LAMBDA_FUNCTION_NAME` (the deployed name).
    pub function_name: String,
    /// The function's compiled binary.
    pub executable: PathBuf,
    /// The process environment apart from the `AWS_LAMBDA_*` variables the invoker adds.
    pub env: BTreeMap<String, String>,
    /// Lambda's `Timeout`.
    pub timeout: Duration,
    /// Lambda's `MemorySize` (informational: the runtime requires it).
    pub memory_mb: u32,
}

/// Settings shared by all functions.
#[derive(Debug, Clone)]
pub struct InvokerOptions {
    /// Most processes run at once per function.
    pub max_instances: usize,
    /// Region used in function ARNs.
    pub region: String,
    /// Faults to inject (`LOCAL_FAULTS`).
    pub faults: Faults,
}

impl Default for InvokerOptions {
    fn default() -> Self {
        InvokerOptions {
            max_instances: DEFAULT_MAX_INSTANCES,
            region: crate::aws::DEFAULT_REGION.to_string(),
            faults: Faults::default(),
        }
    }
}

/// Why an invocation produced no response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvokeError {
    /// No function has this logical id.
    #[error("no function named {0}")]
    UnknownFunction(String),
    /// The function's process could not be started (usually: its binary is not built).
    #[error("{function}: cannot start {executable}: {reason}")]
    Spawn {
        /// Logical id.
        function: String,
        /// The binary that failed to start.
        executable: String,
        /// The OS error.
        reason: String,
    },
    /// The invocation ran longer than the function's timeout; its instance was killed.
    #[error("{function}: task timed out after {timeout:?}")]
    Timeout {
        /// Logical id.
        function: String,
        /// The timeout that was exceeded.
        timeout: Duration,
    },
    /// The handler returned an error (the runtime posted to `/error`).
    #[error("{function} failed: {error_type}: {message}")]
    Function {
        /// Logical id.
        function: String,
        /// `errorType` from the runtime.
        error_type: String,
        /// `errorMessage` from the runtime.
        message: String,
    },
    /// The process exited before answering (a panic with `panic = abort`, `exit`, a failed init).
    #[error("{function}: process exited ({status}) {}", if *during_init { "during init" } else { "while handling the invocation" })]
    Crashed {
        /// Logical id.
        function: String,
        /// How it exited.
        status: String,
        /// True if it died before it asked for its first invocation.
        during_init: bool,
    },
    /// The runtime posted something that is not a JSON response.
    #[error("{function}: invalid response: {reason}")]
    InvalidResponse {
        /// Logical id.
        function: String,
        /// What was wrong with it.
        reason: String,
    },
    /// The invoker is stopping and takes no more work.
    #[error("the invoker is shutting down")]
    ShuttingDown,
}

/// Runs functions on demand; cheap to clone. Instances are killed when the last clone is dropped.
#[derive(Clone)]
pub struct Invoker {
    inner: Arc<Inner>,
}

struct Inner {
    pools: Arc<HashMap<String, Arc<FunctionPool>>>,
    faults: Faults,
    runtime_api: SocketAddr,
    server: tokio::task::JoinHandle<()>,
}

impl Invoker {
    /// Starts the Runtime API listener (127.0.0.1, ephemeral port); no process starts until invoked.
    pub async fn start(
        functions: Vec<FunctionConfig>,
        options: InvokerOptions,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let runtime_api = listener.local_addr()?;
        let pools: HashMap<_, _> = functions
            .into_iter()
            .map(|config| {
                let id = config.logical_id.clone();
                (id, FunctionPool::new(config, runtime_api, &options))
            })
            .collect();
        let pools = Arc::new(pools);
        let server = tokio::spawn(runtime_api::serve(listener, pools.clone()));
        Ok(Invoker {
            inner: Arc::new(Inner {
                pools,
                faults: options.faults,
                runtime_api,
                server,
            }),
        })
    }

    /// Invokes a function synchronously (`RequestResponse`) with a JSON event.
    pub async fn invoke(&self, function: &str, payload: Value) -> Result<Value, InvokeError> {
        let pool = self
            .inner
            .pools
            .get(function)
            .ok_or_else(|| InvokeError::UnknownFunction(function.to_string()))?;
        if self
            .inner
            .faults
            .strikes(FaultKind::FailEveryOtherInvocation, function)
        {
            return Err(InvokeError::Crashed {
                function: function.to_string(),
                status: "LOCAL_FAULTS failed it".to_string(),
                during_init: true,
            });
        }
        let answer = pool.invoke(&payload).await?;
        if self
            .inner
            .faults
            .strikes(FaultKind::LoseEveryOtherAnswer, function)
        {
            return Err(InvokeError::Crashed {
                function: function.to_string(),
                status: "LOCAL_FAULTS lost its answer".to_string(),
                during_init: false,
            });
        }
        Ok(answer)
    }

    /// The logical ids this invoker runs.
    pub fn functions(&self) -> impl Iterator<Item = &str> {
        self.inner.pools.keys().map(String::as_str)
    }

    /// Where the Runtime API listens.
    pub fn runtime_api_addr(&self) -> SocketAddr {
        self.inner.runtime_api
    }

    /// Fails queued and running invocations, kills every instance and waits (briefly) until
    /// they have exited.
    pub async fn shutdown(&self) {
        for pool in self.inner.pools.values() {
            pool.begin_shutdown();
        }
        let all_exited = async {
            for pool in self.inner.pools.values() {
                pool.wait_until_stopped().await;
            }
        };
        let _ = tokio::time::timeout(SHUTDOWN_GRACE, all_exited).await;
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.server.abort();
        for pool in self.pools.values() {
            pool.begin_shutdown();
        }
    }
}
