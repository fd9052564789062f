//! Starts one instance of a function: its binary as a child process with a Lambda environment.

use crate::invoker::FunctionConfig;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};

/// Spawns the function's binary wired to `runtime_api` (the instance's base URL).
///
/// The environment is built from scratch, as in Lambda: nothing of the gateway's own environment
/// leaks in except what `config.env` carries.
pub(crate) fn spawn(
    config: &FunctionConfig,
    instance: u32,
    runtime_api: &str,
) -> std::io::Result<Child> {
    let mut command = Command::new(&config.executable);
    command
        .env_clear()
        .envs(&config.env)
        .envs(lambda_env(config, instance, runtime_api))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    if let Some(dir) = config.executable.parent() {
        command.current_dir(dir);
    }
    crate::process::die_with_parent(command.as_std_mut());
    let mut child = command.spawn()?;

    let prefix = format!("[{}]", config.logical_id);
    if let Some(stdout) = child.stdout.take() {
        tokio::spawn(forward_lines(stdout, prefix.clone(), false));
    }
    if let Some(stderr) = child.stderr.take() {
        tokio::spawn(forward_lines(stderr, prefix, true));
    }
    Ok(child)
}

/// The variables the Lambda service sets for every function; the runtime crate requires several.
fn lambda_env(
    config: &FunctionConfig,
    instance: u32,
    runtime_api: &str,
) -> Vec<(&'static str, String)> {
    let task_root = config
        .executable
        .parent()
        .map(|dir| dir.display().to_string())
        .unwrap_or_default();
    vec![
        ("AWS_LAMBDA_RUNTIME_API", runtime_api.to_string()),
        ("AWS_LAMBDA_FUNCTION_NAME", config.function_name.clone()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_string()),
        (
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            config.memory_mb.to_string(),
        ),
        (
            "AWS_LAMBDA_LOG_GROUP_NAME",
            format!("/aws/lambda/{}", config.function_name),
        ),
        (
            "AWS_LAMBDA_LOG_STREAM_NAME",
            format!("local/{}/{instance}", config.logical_id),
        ),
        ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand".to_string()),
        (
            "AWS_EXECUTION_ENV",
            "AWS_Lambda_provided.al2023".to_string(),
        ),
        ("LAMBDA_TASK_ROOT", task_root),
        ("_HANDLER", "bootstrap".to_string()),
    ]
}

/// Copies a function's output to the gateway's, one prefixed line at a time.
async fn forward_lines(stream: impl AsyncRead + Unpin, prefix: String, to_stderr: bool) {
    let mut reader = BufReader::new(stream);
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                let text = String::from_utf8_lossy(&line);
                let text = text.trim_end_matches(['\n', '\r']);
                if to_stderr {
                    eprintln!("{prefix} {text}");
                } else {
                    println!("{prefix} {text}");
                }
            }
        }
    }
}
