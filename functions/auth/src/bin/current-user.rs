//! CurrentUserFunction: GET /api/users/currentuser.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    ticketing::telemetry::init();
    let keys = ticketing::auth::SessionKeys::from_env()?;
    ticketing::http::serve(keys, auth::handlers::current_user).await
}
