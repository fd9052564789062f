//! Brings the local stack up from the template: tables, queues, buses and rules, schedule
//! groups, functions, routes, event source mappings and the schedule firer, then serves.

use crate::aws::Clients;
use crate::config::GatewayConfig;
use crate::edge::Edge;
use crate::event_sources::{EventSourceOptions, EventSources};
use crate::faults::Faults;
use crate::gateway::{self, Gateway};
use crate::invoker::{FunctionConfig, Invoker, InvokerOptions};
use crate::provision::{self, Provisioned};
use crate::resolver::Resolver;
use crate::routes::Router;
use crate::static_site::StaticSite;
use crate::template::{Template, TemplateError};
use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How long to wait for moto when the gateway and moto start together.
const ENDPOINT_WAIT: Duration = Duration::from_secs(30);

/// The gateway could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The template could not be read or resolved.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// A resource could not be created.
    #[error(transparent)]
    Provision(#[from] provision::ProvisionError),
    /// A listener could not be opened.
    #[error("{0}")]
    Listen(String),
}

/// The invoker's view of every function in the template, with resolved environments.
/// `base_env` (endpoint, credentials, pass-through) wins over the template's values, as
/// Lambda's reserved variables do.
pub fn functions_from_template(
    template: &Template,
    resolver: &Resolver<'_>,
    functions_dir: &Path,
    base_env: &[(String, String)],
) -> Result<Vec<FunctionConfig>, TemplateError> {
    template
        .functions
        .iter()
        .map(|function| {
            let mut env = resolver.function_environment(function)?;
            env.extend(base_env.iter().cloned());
            Ok(FunctionConfig {
                logical_id: function.logical_id.clone(),
                function_name: resolver.function_name(function)?,
                executable: functions_dir.join(&function.binary),
                env,
                timeout: Duration::from_secs(function.timeout_seconds),
                memory_mb: function.memory_mb,
            })
        })
        .collect()
}

/// A running local stack: its resources exist, its functions, pollers and HTTP server run.
pub struct RunningStack {
    port: u16,
    invoker: Invoker,
    event_sources: EventSources,
    stop_server: oneshot::Sender<()>,
    server: JoinHandle<()>,
    faults: Faults,
}

impl RunningStack {
    /// The port the gateway listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The functions, to invoke one as something other than the gateway would (a test calling
    /// API Gateway's own URL, around CloudFront).
    pub fn invoker(&self) -> &Invoker {
        &self.invoker
    }

    /// The faults in force (`LOCAL_FAULTS`); a test lets held messages go through it.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Stops serving, stops the pollers, then ends every function process.
    pub async fn stop(self) {
        let _ = self.stop_server.send(());
        let _ = self.server.await;
        self.event_sources.shutdown().await;
        println!("stopping: ending function processes");
        self.invoker.shutdown().await;
    }
}

/// Provisions everything, starts the invoker, prints what runs where, and serves until
/// `shutdown`.
pub async fn run(
    config: GatewayConfig,
    shutdown: impl Future<Output = ()>,
) -> Result<(), StartError> {
    let stack = start(&config).await?;
    shutdown.await;
    stack.stop().await;
    Ok(())
}

/// Creates the template's tables, queues, buses and rules, starts the functions' invoker, the
/// event source pollers and the HTTP server, and returns once all of them run.
pub async fn start(config: &GatewayConfig) -> Result<RunningStack, StartError> {
    let template = Template::load(&config.template)?;
    let resolver = Resolver::new(
        &template,
        config.stack_name.clone(),
        config.aws.region.clone(),
        config.parameter_overrides.clone(),
    )?
    .with_endpoint(config.aws.endpoint.clone());

    let clients = config.aws.clients().await;
    provision::wait_for_dynamodb(&clients.dynamodb, ENDPOINT_WAIT).await?;
    let resolver = provision_all(&clients, &template, resolver).await?;

    let functions = functions_from_template(
        &template,
        &resolver,
        &config.functions_dir,
        &config.function_env(),
    )?;
    for function in &functions {
        if !function.executable.is_file() {
            println!(
                "warning: {} has no binary at {} (build the workspace: cargo build --workspace)",
                function.logical_id,
                function.executable.display()
            );
        }
    }
    let invoker = Invoker::start(
        functions,
        InvokerOptions {
            max_instances: config.max_instances,
            region: config.aws.region.clone(),
            faults: config.faults.clone(),
        },
    )
    .await
    .map_err(|err| StartError::Listen(format!("cannot open the Runtime API listener: {err}")))?;
    let router = Router::from_template(&template);
    for route in router.routes() {
        println!(
            "{} -> {} ({})",
            route.route_key(),
            route.function,
            route.binary
        );
    }
    let event_sources = EventSources::start(
        &template,
        &resolver,
        &invoker,
        &clients,
        &EventSourceOptions {
            sqs_retry_delay: config.sqs_retry_delay,
            region: config.aws.region.clone(),
            faults: config.faults.clone(),
            max_instances: config.max_instances,
        },
    )?;
    for mapping in event_sources.mappings() {
        println!("{mapping}");
    }
    for fault in config.faults.describe() {
        println!("warning: LOCAL_FAULTS injects {fault}");
    }

    let listener = TcpListener::bind(("127.0.0.1", config.port))
        .await
        .map_err(|err| {
            StartError::Listen(format!("cannot listen on 127.0.0.1:{}: {err}", config.port))
        })?;
    let port = listener
        .local_addr()
        .map_err(|err| StartError::Listen(err.to_string()))?
        .port();
    if !config.web_dist.join("index.html").is_file() {
        println!(
            "warning: no web app at {} (build it, or set WEB_DIST); only /api works",
            config.web_dist.display()
        );
    }
    let site = StaticSite::new(&config.web_dist);
    let edge = Edge::from_template(&template, &resolver)?;
    let gateway = Arc::new(Gateway::new(router, invoker.clone(), Some(site), edge));
    let (stop_server, server_stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(gateway::serve(listener, gateway, async move {
        let _ = server_stopped.await;
    }));
    println!("Ticketing is running on http://localhost:{port}");
    Ok(RunningStack {
        port,
        invoker,
        event_sources,
        stop_server,
        server,
        faults: config.faults.clone(),
    })
}

/// Creates tables, queues (dead-letter queues first), buses, rules and schedule groups, printing
/// each, and returns the resolver completed with the tables' stream ARNs.
async fn provision_all<'t>(
    clients: &Clients,
    template: &'t Template,
    resolver: Resolver<'t>,
) -> Result<Resolver<'t>, StartError> {
    let report = |kind: &str, name: &str, outcome: Provisioned| match outcome {
        Provisioned::Created => println!("{kind}: created {name}"),
        Provisioned::Existing => println!("{kind}: kept existing {name}"),
    };
    for (name, outcome) in
        provision::provision_tables(&clients.dynamodb, template, &resolver).await?
    {
        report("tables", &name, outcome);
    }
    let streams = provision::stream_arns(&clients.dynamodb, template, &resolver).await?;
    let resolver = resolver.with_stream_arns(streams);
    let (secret_arns, secrets) =
        provision::provision_secrets(&clients.secretsmanager, template, &resolver).await?;
    for (name, outcome) in secrets {
        report("secrets", &name, outcome);
    }
    let resolver = resolver.with_secret_arns(secret_arns);
    for (name, outcome) in provision::provision_queues(&clients.sqs, template, &resolver).await? {
        report("queues", &name, outcome);
    }
    for (name, outcome) in
        provision::provision_event_buses(&clients.eventbridge, template, &resolver).await?
    {
        report("event buses", &name, outcome);
    }
    for rule in provision::provision_rules(&clients.eventbridge, template, &resolver).await? {
        println!(
            "rules: {} on {} -> {}",
            rule.name,
            rule.bus,
            rule.targets.join(", ")
        );
        for target in rule
            .targets
            .iter()
            .filter(|t| !t.starts_with("arn:aws:sqs:"))
        {
            // moto only delivers to SQS targets in a way the gateway can pick up.
            println!(
                "warning: rule {} target {target} is not delivered locally",
                rule.name
            );
        }
    }
    for (name, outcome) in
        provision::provision_schedule_groups(&clients.scheduler, template, &resolver).await?
    {
        report("schedule groups", &name, outcome);
    }
    Ok(resolver)
}
