//! CreateTicketFunction: POST /api/tickets.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    ticketing::telemetry::init();
    let context = tickets::WriteContext::from_env().await?;
    ticketing::http::serve(context, tickets::handlers::create_ticket).await
}
