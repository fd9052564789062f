//! ListTicketsFunction: GET /api/tickets.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    ticketing::telemetry::init();
    let context = tickets::Tickets::from_env().await?;
    ticketing::http::serve(context, tickets::handlers::list_tickets).await
}
