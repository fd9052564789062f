//! Logging set-up shared by every function.

/// Starts structured logging: JSON when `AWS_LAMBDA_LOG_FORMAT=JSON` (as in Lambda), text otherwise.
pub fn init() {
    lambda_http::tracing::init_default_subscriber();
}
