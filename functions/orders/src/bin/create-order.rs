//! CreateOrderFunction: POST /api/orders.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    ticketing::telemetry::init();
    let context = orders::ReserveContext::from_env().await?;
    ticketing::http::serve(context, orders::handlers::create_order).await
}
