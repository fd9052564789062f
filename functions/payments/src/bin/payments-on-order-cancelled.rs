//! PaymentsOnOrderCancelledFunction: OrderCancelled (via SQS) -> the order can no longer be paid,
//! and its PaymentIntent is cancelled at Stripe.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    ticketing::telemetry::init();
    let ctx = payments::StripeConsumerContext::from_env().await?;
    ticketing::consumer::serve(ctx, payments::consumers::on_order_cancelled).await
}
