//! CreatePaymentFunction: POST /api/payments.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    ticketing::telemetry::init();
    let context = payments::CreatePaymentContext::from_env().await?;
    ticketing::http::serve(context, payments::handlers::create_payment).await
}
