//! PaymentsOnOrderPaymentRejectedFunction: OrderPaymentRejected (via SQS) -> the payment is refunded.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    ticketing::telemetry::init();
    let context = payments::StripeConsumerContext::from_env().await?;
    ticketing::consumer::serve(context, payments::consumers::on_order_payment_rejected).await
}
