//! ListOrdersFunction: GET /api/orders.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    ticketing::telemetry::init();
    let context = orders::OrdersContext::from_env().await?;
    ticketing::http::serve(context, orders::handlers::list_orders).await
}
