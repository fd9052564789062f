//! PublishPaymentEventsFunction: the Payments table's stream -> PaymentCreated.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    ticketing::telemetry::init();
    let bus = ticketing::config::required("EVENT_BUS_NAME")?;
    let sdk = ticketing::aws::sdk_config().await;
    let publisher = ticketing::events::EventPublisher::new(ticketing::aws::eventbridge(&sdk), bus);
    ticketing::stream::serve(publisher, payments::events::payment_event).await
}
