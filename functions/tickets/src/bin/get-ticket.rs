//! GetTicketFunction: GET /api/tickets/{id}.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    ticketing::telemetry::init();
    let context = tickets::Tickets::from_env().await?;
    ticketing::http::serve(context, tickets::handlers::get_ticket).await
}
