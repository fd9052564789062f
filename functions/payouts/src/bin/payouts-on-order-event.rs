//! PayoutsOnOrderEventFunction: OrderCreated, OrderCancelled, OrderCompleted (via SQS) -> the listing's state; a sale pays its seller.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    ticketing::telemetry::init();
    let context = payouts::PayoutsContext::from_env().await?;
    ticketing::consumer::serve(context, payouts::consumers::on_order_event).await
}
