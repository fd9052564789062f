//! ChangePasswordFunction: POST /api/users/password.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    ticketing::telemetry::init();
    let context = auth::AuthContext::from_env().await?;
    ticketing::http::serve(context, auth::handlers::change_password).await
}
