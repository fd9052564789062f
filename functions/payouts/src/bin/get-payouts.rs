//! GetPayoutsFunction: GET /api/payouts (the seller's payout setup and listings).

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    ticketing::telemetry::init();
    let context = payouts::SellerApiContext::from_env().await?;
    ticketing::http::serve(context, payouts::handlers::get_payouts).await
}
