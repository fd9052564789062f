//! StripeWebhookFunction: POST /api/webhooks/stripe (called by Stripe).

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    ticketing::telemetry::init();
    let context = payments::WebhookContext::from_env().await?;
    ticketing::http::serve(context, payments::webhook::stripe_webhook).await
}
