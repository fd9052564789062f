//! SignoutFunction: POST /api/users/signout.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    ticketing::telemetry::init();
    let cookies = ticketing::auth::CookieSettings::from_env()?;
    ticketing::http::serve(cookies, auth::handlers::signout).await
}
