//! Brings the local stack up from the template: tables, functions, routes, then serves.

use crate::config::GatewayConfig;
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

/// How long to wait for moto when the gateway and moto start together.
const ENDPOINT_WAIT: Duration = Duration::from_secs(30);

/// The gateway could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The template could not be read or resolved.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// A table could not be created.
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

/// Provisions tables, starts the invoker, prints what runs where, and serves until `shutdown`.
pub async fn run(
    config: GatewayConfig,
    shutdown: impl Future<Output = ()>,
) -> Result<(), StartError> {
    let template = Template::load(&config.template)?;
    let resolver = Resolver::new(
        &template,
        config.stack_name.clone(),
        config.aws.region.clone(),
        config.parameter_overrides.clone(),
    )?;
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

    let dynamodb = aws_sdk_dynamodb::Client::new(&config.aws.sdk_config().await);
    provision::wait_for_dynamodb(&dynamodb, ENDPOINT_WAIT).await?;
    for (name, outcome) in provision::provision_tables(&dynamodb, &template, &resolver).await? {
        match outcome {
            Provisioned::Created => println!("tables: created {name}"),
            Provisioned::Existing => println!("tables: kept existing {name}"),
        }
    }

    let invoker = Invoker::start(
        functions,
        InvokerOptions {
            max_instances: config.max_instances,
            region: config.aws.region.clone(),
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
    let gateway = Arc::new(Gateway::new(router, invoker.clone(), Some(site)));
    println!("Ticketing is running on http://localhost:{port}");

    gateway::serve(listener, gateway, shutdown).await;
    println!("stopping: ending function processes");
    invoker.shutdown().await;
    Ok(())
}
