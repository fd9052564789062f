//! PaymentsOnOrderCancelledFunction: OrderCancelled (via SQS) -> the order can no longer be paid.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    ticketing::telemetry::init();
    let payments = payments::Payments::from_env().await?;
    ticketing::consumer::serve(payments, payments::consumers::on_order_changed).await
}
