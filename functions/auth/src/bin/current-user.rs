//! CurrentUserFunction: GET /api/users/currentuser.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    ticketing::telemetry::init();
    let sessions = ticketing::auth::Sessions::from_env().await?;
    ticketing::http::serve(sessions, auth::handlers::current_user).await
}
