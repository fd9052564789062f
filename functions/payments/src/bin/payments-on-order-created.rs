//! PaymentsOnOrderCreatedFunction: OrderCreated (via SQS) -> the order can be paid for.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    ticketing::telemetry::init();
    let payments = payments::Payments::from_env().await?;
    ticketing::consumer::serve(payments, payments::consumers::on_order_created).await
}
