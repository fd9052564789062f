//! CurrentUserFunction: GET /api/users/currentuser.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    ticketing::telemetry::init();
    let keys = ticketing::auth::SessionKeys::from_env()?;
    ticketing::http::serve(keys, auth::handlers::current_user).await
}
