//! CreatePayoutOnboardingFunction: POST /api/payouts/onboarding (a link to Stripe's hosted onboarding).

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    ticketing::telemetry::init();
    let context = payouts::SellerApiContext::from_env().await?;
    ticketing::http::serve(context, payouts::handlers::start_onboarding).await
}
