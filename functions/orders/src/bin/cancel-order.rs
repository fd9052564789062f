//! CancelOrderFunction: DELETE /api/orders/{id}.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    ticketing::telemetry::init();
    let context = orders::CancelContext::from_env().await?;
    ticketing::http::serve(context, orders::handlers::cancel_order).await
}
