//! UpdateTicketFunction: PUT /api/tickets/{id}.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    ticketing::telemetry::init();
    let context = tickets::WriteContext::from_env().await?;
    ticketing::http::serve(context, tickets::handlers::update_ticket).await
}
