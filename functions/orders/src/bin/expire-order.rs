//! ExpireOrderFunction: the expiry schedule (via SQS) -> a created order past its window is cancelled.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    ticketing::telemetry::init();
    let orders = orders::Orders::from_env().await?;
    ticketing::consumer::serve(orders, orders::consumers::expire_order).await
}
