//! OnTicketCreatedFunction: TicketCreated (via SQS) -> the ticket replica is created.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    ticketing::telemetry::init();
    let orders = orders::Orders::from_env().await?;
    ticketing::consumer::serve(orders, orders::consumers::on_ticket_created).await
}
