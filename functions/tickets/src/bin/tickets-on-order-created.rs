//! TicketsOnOrderCreatedFunction: OrderCreated (via SQS) -> the ticket is locked.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    ticketing::telemetry::init();
    let tickets = tickets::Tickets::from_env().await?;
    ticketing::consumer::serve(tickets, tickets::consumers::on_order_created).await
}
