//! OnPaymentCreatedFunction: PaymentCreated (via SQS) -> the order completes, or the payment is rejected.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    ticketing::telemetry::init();
    let context = orders::SettleContext::from_env().await?;
    ticketing::consumer::serve(context, orders::consumers::on_payment_created).await
}
