//! PayoutsOnTicketEventFunction: TicketCreated, TicketUpdated (via SQS) -> the seller's listing.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    ticketing::telemetry::init();
    let context = payouts::PayoutsContext::from_env().await?;
    ticketing::consumer::serve(context, payouts::consumers::on_ticket_event).await
}
