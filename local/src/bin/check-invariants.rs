//! `check-invariants`: reads every table of a local stack and reports any broken promise (a ticket
//! held twice, a complete order without exactly one payment, a refund for a live order, a replica
//! behind its source). Exit status 1 when something is broken.
//!
//!     AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:8000 check-invariants [STACK]   (default ticketing-local)

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let stack = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "ticketing-local".to_string());
    // It reads tables only: DynamoDB Local, where `make dev` runs it by default.
    let dynamodb = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
        .unwrap_or_else(|_| "http://127.0.0.1:8000".into());
    let moto = std::env::var("AWS_ENDPOINT_URL").unwrap_or_else(|_| "http://127.0.0.1:4566".into());
    let clients = local::aws::LocalAws::new(moto, dynamodb).clients().await;
    let tables = local::invariants::Tables::of_stack(&stack);
    match local::invariants::violations(&clients.dynamodb, &tables, true).await {
        Ok(broken) if broken.is_empty() => {
            println!("check-invariants: {stack}: every invariant holds");
            ExitCode::SUCCESS
        }
        Ok(broken) => {
            for problem in &broken {
                println!("check-invariants: {stack}: {problem}");
            }
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("check-invariants: {error}");
            ExitCode::FAILURE
        }
    }
}
