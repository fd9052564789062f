//! One function's invocations and instances: the queue, who runs what, timeouts and crashes.
//!
//! The Runtime API (instances asking for work and answering) and the invoker (callers adding
//! work) meet here, under one lock, so every invocation ends exactly once: with the function's
//! answer, a timeout, a crash or shutdown.

use crate::instance;
use crate::invoker::{FunctionConfig, InvokeError, InvokerOptions};
use crate::runtime_api;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::process::Child;
use tokio::sync::{oneshot, Notify};
use tokio::task::AbortHandle;

/// Lambda's limit on a synchronous response.
pub(crate) const MAX_RESPONSE_BYTES: usize = 6 * 1024 * 1024;

type Reply = oneshot::Sender<Result<Value, InvokeError>>;

/// A function's invocations and the processes that serve them.
pub(crate) struct FunctionPool {
    config: FunctionConfig,
    runtime_api: SocketAddr,
    function_arn: String,
    max_instances: usize,
    state: Mutex<PoolState>,
    /// Signalled when an invocation is queued; idle instances wait on it.
    work_queued: Notify,
    /// Signalled when an instance exits; shutdown waits on it.
    instance_exited: Notify,
}

#[derive(Default)]
struct PoolState {
    queue: VecDeque<Queued>,
    instances: HashMap<u32, InstanceState>,
    in_flight: HashMap<String, InFlight>,
    next_instance: u32,
    shutting_down: bool,
}

struct Queued {
    request_id: String,
    payload: Vec<u8>,
    reply: Reply,
}

struct InFlight {
    instance: u32,
    reply: Reply,
    watchdog: AbortHandle,
}

struct InstanceState {
    phase: Phase,
    /// Whether it has asked for work at least once (it finished its init).
    polled: bool,
    /// Sending (or dropping) this kills the process.
    kill: Option<oneshot::Sender<()>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Phase {
    /// Starting, waiting for work, or about to ask for more: it will take the next invocation.
    Available,
    /// Running this request id.
    Busy(String),
    /// Being killed (after a timeout); takes no more work.
    Dying,
}

/// An invocation handed to an instance by `/next`.
pub(crate) struct Assignment {
    pub request_id: String,
    pub payload: Vec<u8>,
    pub deadline_ms: u128,
    pub function_arn: String,
}

/// What an instance posted for an invocation.
pub(crate) enum Completion {
    /// `/response` with this body.
    Response(Vec<u8>),
    /// `/response` with a body over the limit.
    ResponseTooLarge,
    /// `/error` with this body and `Lambda-Runtime-Function-Error-Type` header.
    Error {
        body: Vec<u8>,
        error_type: Option<String>,
    },
}

/// A Runtime API call that does not fit the pool's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RuntimeApiError {
    /// The instance is not (or no longer) one of ours.
    UnknownInstance,
    /// The request id is not running on this instance (answered already, timed out, ...).
    UnknownRequest,
}

impl PoolState {
    fn available(&self) -> usize {
        self.instances
            .values()
            .filter(|i| i.phase == Phase::Available)
            .count()
    }
}

impl FunctionPool {
    pub(crate) fn new(
        config: FunctionConfig,
        runtime_api: SocketAddr,
        options: &InvokerOptions,
    ) -> Arc<Self> {
        let function_arn = format!(
            "arn:aws:lambda:{}:{}:function:{}",
            options.region,
            crate::resolver::ACCOUNT_ID,
            config.function_name
        );
        Arc::new(FunctionPool {
            config,
            runtime_api,
            function_arn,
            max_instances: options.max_instances.max(1),
            state: Mutex::new(PoolState::default()),
            work_queued: Notify::new(),
            instance_exited: Notify::new(),
        })
    }

    /// Queues an invocation, starts an instance if none is free, and waits for its outcome.
    pub(crate) async fn invoke(self: &Arc<Self>, payload: &Value) -> Result<Value, InvokeError> {
        let payload = serde_json::to_vec(payload).expect("a JSON value always serialises");
        let (reply, outcome) = oneshot::channel();
        {
            let mut state = self.lock();
            if state.shutting_down {
                return Err(InvokeError::ShuttingDown);
            }
            state.queue.push_back(Queued {
                request_id: uuid::Uuid::new_v4().to_string(),
                payload,
                reply,
            });
            self.scale_up(&mut state);
        }
        self.work_queued.notify_one();
        outcome.await.unwrap_or(Err(InvokeError::ShuttingDown))
    }

    /// `/next`: waits until there is an invocation for this instance and hands it over.
    pub(crate) async fn next_invocation(
        self: &Arc<Self>,
        instance: u32,
    ) -> Result<Assignment, RuntimeApiError> {
        loop {
            // Registered before looking at the queue, so a push in between is not missed.
            let notified = self.work_queued.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let mut guard = self.lock();
                let PoolState {
                    queue,
                    instances,
                    in_flight,
                    ..
                } = &mut *guard;
                let me = instances
                    .get_mut(&instance)
                    .ok_or(RuntimeApiError::UnknownInstance)?;
                if me.phase == Phase::Dying {
                    return Err(RuntimeApiError::UnknownInstance);
                }
                me.polled = true;
                if let Phase::Busy(abandoned) = &me.phase {
                    // Asking for more work without answering means the invocation is lost.
                    if let Some(lost) = in_flight.remove(abandoned) {
                        lost.watchdog.abort();
                        let _ = lost.reply.send(Err(
                            self.invalid("asked for the next event without answering")
                        ));
                    }
                }
                me.phase = Phase::Available;
                while let Some(queued) = queue.pop_front() {
                    if queued.reply.is_closed() {
                        continue; // its caller gave up waiting
                    }
                    me.phase = Phase::Busy(queued.request_id.clone());
                    let deadline = SystemTime::now() + self.config.timeout;
                    let watchdog =
                        tokio::spawn(self.clone().enforce_timeout(queued.request_id.clone()));
                    in_flight.insert(
                        queued.request_id.clone(),
                        InFlight {
                            instance,
                            reply: queued.reply,
                            watchdog: watchdog.abort_handle(),
                        },
                    );
                    return Ok(Assignment {
                        request_id: queued.request_id,
                        payload: queued.payload,
                        deadline_ms: deadline
                            .duration_since(UNIX_EPOCH)
                            .unwrap_or_default()
                            .as_millis(),
                        function_arn: self.function_arn.clone(),
                    });
                }
            }
            notified.await;
        }
    }

    /// `/response` or `/error`: ends the invocation with what the function said.
    pub(crate) fn complete(
        &self,
        instance: u32,
        request_id: &str,
        completion: Completion,
    ) -> Result<(), RuntimeApiError> {
        let mut state = self.lock();
        // Only the instance running the invocation may end it.
        let finished = match state.in_flight.remove(request_id) {
            Some(running) if running.instance == instance => running,
            Some(other) => {
                state.in_flight.insert(request_id.to_string(), other);
                return Err(RuntimeApiError::UnknownRequest);
            }
            None => return Err(RuntimeApiError::UnknownRequest),
        };
        finished.watchdog.abort();
        if let Some(me) = state.instances.get_mut(&instance) {
            me.phase = Phase::Available;
        }
        drop(state);
        let _ = finished.reply.send(self.outcome(completion));
        Ok(())
    }

    /// `/init/error`: the runtime reports it cannot start; it exits next and is handled then.
    pub(crate) fn init_error(&self, instance: u32, body: &[u8]) {
        eprintln!(
            "[{}] instance {instance} init error: {}",
            self.config.logical_id,
            String::from_utf8_lossy(body)
        );
    }

    /// Stops taking work, fails what is pending and kills every instance.
    pub(crate) fn begin_shutdown(&self) {
        let mut state = self.lock();
        state.shutting_down = true;
        for queued in state.queue.drain(..) {
            let _ = queued.reply.send(Err(InvokeError::ShuttingDown));
        }
        for (_, running) in state.in_flight.drain() {
            running.watchdog.abort();
            let _ = running.reply.send(Err(InvokeError::ShuttingDown));
        }
        for instance in state.instances.values_mut() {
            instance.phase = Phase::Dying;
            if let Some(kill) = instance.kill.take() {
                let _ = kill.send(());
            }
        }
    }

    /// Resolves once no instance process is left.
    pub(crate) async fn wait_until_stopped(&self) {
        loop {
            let notified = self.instance_exited.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.lock().instances.is_empty() {
                return;
            }
            notified.await;
        }
    }

    fn lock(&self) -> MutexGuard<'_, PoolState> {
        // A panic while holding the lock leaves consistent-enough state; keep serving.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Starts instances while queued work outnumbers instances that could take it.
    fn scale_up(self: &Arc<Self>, state: &mut PoolState) {
        while !state.shutting_down
            && state.queue.len() > state.available()
            && state.instances.len() < self.max_instances
        {
            if let Err(err) = self.start_instance(state) {
                // With no instance at all nothing would ever take the queue: fail it now.
                if state.instances.is_empty() {
                    for queued in state.queue.drain(..) {
                        let _ = queued.reply.send(Err(err.clone()));
                    }
                }
                eprintln!("{err}");
                return;
            }
        }
    }

    fn start_instance(self: &Arc<Self>, state: &mut PoolState) -> Result<(), InvokeError> {
        let number = state.next_instance;
        state.next_instance += 1;
        let base_url = runtime_api::base_url(self.runtime_api, &self.config.logical_id, number);
        let child =
            instance::spawn(&self.config, number, &base_url).map_err(|err| InvokeError::Spawn {
                function: self.config.logical_id.clone(),
                executable: self.config.executable.display().to_string(),
                reason: err.to_string(),
            })?;
        let (kill, killed) = oneshot::channel();
        state.instances.insert(
            number,
            InstanceState {
                phase: Phase::Available,
                polled: false,
                kill: Some(kill),
            },
        );
        tokio::spawn(self.clone().supervise(number, child, killed));
        Ok(())
    }

    /// Waits for the process to exit (or kills it when told to) and cleans up after it.
    async fn supervise(
        self: Arc<Self>,
        instance: u32,
        mut child: Child,
        killed: oneshot::Receiver<()>,
    ) {
        let status = tokio::select! {
            status = child.wait() => status,
            // Fires on an explicit kill and also when the pool forgets the sender.
            _ = killed => {
                let _ = child.start_kill();
                child.wait().await
            }
        };
        let status = match status {
            Ok(status) => status.to_string(),
            Err(err) => format!("unknown status: {err}"),
        };
        self.on_exit(instance, status);
    }

    fn on_exit(self: &Arc<Self>, instance: u32, status: String) {
        let mut state = self.lock();
        if let Some(gone) = state.instances.remove(&instance) {
            let crashed = |during_init| InvokeError::Crashed {
                function: self.config.logical_id.clone(),
                status: status.clone(),
                during_init,
            };
            match gone.phase {
                Phase::Busy(request_id) => {
                    if let Some(running) = state.in_flight.remove(&request_id) {
                        running.watchdog.abort();
                        let _ = running.reply.send(Err(crashed(false)));
                    }
                    eprintln!(
                        "[{}] instance {instance} exited ({status}) during an invocation",
                        self.config.logical_id
                    );
                }
                Phase::Available if !state.shutting_down => {
                    if !gone.polled {
                        // A function that cannot initialise would otherwise be restarted for ever
                        // while its callers wait: answer one of them with the failure, as Lambda does.
                        if let Some(queued) = state.queue.pop_front() {
                            let _ = queued.reply.send(Err(crashed(true)));
                        }
                    }
                    eprintln!(
                        "[{}] instance {instance} exited ({status})",
                        self.config.logical_id
                    );
                }
                _ => {}
            }
        }
        if !state.shutting_down {
            self.scale_up(&mut state);
        }
        drop(state);
        self.instance_exited.notify_waiters();
    }

    /// Ends an invocation that outlives the function's timeout and kills its instance.
    async fn enforce_timeout(self: Arc<Self>, request_id: String) {
        tokio::time::sleep(self.config.timeout).await;
        let mut state = self.lock();
        let Some(expired) = state.in_flight.remove(&request_id) else {
            return;
        };
        if let Some(instance) = state.instances.get_mut(&expired.instance) {
            instance.phase = Phase::Dying;
            if let Some(kill) = instance.kill.take() {
                let _ = kill.send(());
            }
        }
        drop(state);
        eprintln!(
            "[{}] {request_id} Task timed out after {:.2} seconds",
            self.config.logical_id,
            self.config.timeout.as_secs_f64()
        );
        let _ = expired.reply.send(Err(InvokeError::Timeout {
            function: self.config.logical_id.clone(),
            timeout: self.config.timeout,
        }));
    }

    fn outcome(&self, completion: Completion) -> Result<Value, InvokeError> {
        let function = self.config.logical_id.clone();
        match completion {
            Completion::Response(body) if body.len() > MAX_RESPONSE_BYTES => {
                Err(too_large(function))
            }
            Completion::ResponseTooLarge => Err(too_large(function)),
            Completion::Response(body) => serde_json::from_slice(&body)
                .map_err(|err| self.invalid(&format!("the response is not JSON: {err}"))),
            Completion::Error { body, error_type } => {
                // The runtime posts {"errorType": ..., "errorMessage": ...}; accept anything.
                let parsed: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                let field =
                    |name: &str| parsed.get(name).and_then(Value::as_str).map(str::to_string);
                Err(InvokeError::Function {
                    function,
                    error_type: field("errorType")
                        .or(error_type)
                        .unwrap_or_else(|| "Unhandled".to_string()),
                    message: field("errorMessage")
                        .unwrap_or_else(|| String::from_utf8_lossy(&body).into_owned()),
                })
            }
        }
    }

    fn invalid(&self, reason: &str) -> InvokeError {
        InvokeError::InvalidResponse {
            function: self.config.logical_id.clone(),
            reason: reason.to_string(),
        }
    }
}

fn too_large(function: String) -> InvokeError {
    InvokeError::Function {
        function,
        error_type: "Function.ResponseSizeTooLarge".to_string(),
        message: format!("the response is larger than {MAX_RESPONSE_BYTES} bytes"),
    }
}
