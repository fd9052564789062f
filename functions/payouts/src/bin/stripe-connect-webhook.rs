//! StripeConnectWebhookFunction: POST /api/webhooks/stripe-connect (called by Stripe for connected accounts).

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    ticketing::telemetry::init();
    let context = payouts::ConnectWebhookContext::from_env().await?;
    ticketing::http::serve(context, payouts::webhook::stripe_connect_webhook).await
}
