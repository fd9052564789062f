//! PayoutsOnPaymentCreatedFunction: PaymentCreated (via SQS) -> which PaymentIntent paid the order.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    ticketing::telemetry::init();
    let context = payouts::PayoutsContext::from_env().await?;
    ticketing::consumer::serve(context, payouts::consumers::on_payment_created).await
}
