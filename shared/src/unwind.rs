//! A panic in one request or one message is that request's or message's failure, not the
//! process's: the drivers run each handler through [`catching`].
//!
//! Release builds unwind on a panic as test builds do (no `panic = "abort"` in Cargo.toml), so
//! what the tests show about a panicking handler is what happens in Lambda.

use futures_util::FutureExt;
use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;

/// Runs `future` to its end; a panic inside it comes back as `Err` with the panic's message.
/// The handler's state is not looked at again after a panic, so unwind safety is not a concern.
/// The future is boxed: its state lives on the heap, which keeps the callers' future types
/// shallow enough for the compiler's layout depth limit.
pub async fn catching<F: Future>(future: F) -> Result<F::Output, String> {
    AssertUnwindSafe(Box::pin(future))
        .catch_unwind()
        .await
        .map_err(|payload| message(payload.as_ref()))
}

/// The text a `panic!` was given, when it was text.
fn message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|text| text.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_becomes_an_error_with_its_message() {
        assert_eq!(catching(async { 7 }).await, Ok(7));
        let index = std::hint::black_box(3);
        let panicked = catching(async move { [1, 2][index] }).await;
        assert!(panicked.unwrap_err().contains("index out of bounds"));
        let formatted = catching(async { panic!("order {} is {}", "o-1", "odd") }).await;
        assert_eq!(formatted, Err::<(), _>("order o-1 is odd".to_string()));
    }

    #[test]
    fn release_builds_unwind_as_test_builds_do() {
        let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
        let text = std::fs::read_to_string(manifest).unwrap();
        let aborts = text.lines().any(|line| {
            let line: String = line.split('#').next().unwrap().split_whitespace().collect();
            line == "panic=\"abort\""
        });
        assert!(
            !aborts,
            "a profile sets panic = \"abort\": release and test builds would differ on a panic"
        );
    }
}
