//! What browsers see: CORS, the Stripe.js stand-in, Stripe-shaped 404s.

mod common;

use common::*;
use http::{Method, StatusCode};

#[tokio::test]
async fn cors_preflight_allows_the_headers_stripe_clients_send() {
    let standin = start().await;
    let raw = request(
        Method::OPTIONS,
        &format!("{}v1/payment_methods", standin.base_url()),
        &[
            ("origin", "http://localhost:3000"),
            ("access-control-request-method", "POST"),
            (
                "access-control-request-headers",
                "authorization,content-type,idempotency-key",
            ),
        ],
        "",
    )
    .await;
    assert_eq!(raw.status, StatusCode::NO_CONTENT);
    assert_eq!(raw.header("access-control-allow-origin"), Some("*"));
    let allowed = raw
        .header("access-control-allow-headers")
        .unwrap()
        .to_ascii_lowercase();
    for header in [
        "authorization",
        "content-type",
        "idempotency-key",
        "stripe-version",
    ] {
        assert!(allowed.contains(header), "{header} in {allowed}");
    }
    assert!(raw
        .header("access-control-allow-methods")
        .unwrap()
        .contains("POST"));

    // Answers carry it too, errors included.
    let answer = get(&standin, "/v1/payment_intents/pi_x", PUBLISHABLE_KEY).await;
    assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
}

#[tokio::test]
async fn stripe_js_is_served_as_javascript() {
    let standin = start().await;
    for path in ["v3/", "v3"] {
        let raw = request(
            Method::GET,
            &format!("{}{path}", standin.base_url()),
            &[],
            "",
        )
        .await;
        assert_eq!(raw.status, StatusCode::OK);
        assert!(raw
            .header("content-type")
            .unwrap()
            .starts_with("application/javascript"));
        assert_eq!(raw.header("access-control-allow-origin"), Some("*"));
        let script = String::from_utf8(raw.body.to_vec()).unwrap();
        for needle in [
            "window.Stripe = Stripe",
            "confirmCardPayment",
            "aria-label",
            "Card number",
        ] {
            assert!(script.contains(needle), "{needle}");
        }
    }
}

#[tokio::test]
async fn unknown_routes_are_stripe_shaped_404s() {
    let standin = start().await;
    let raw = get(&standin, "/v1/customers", SECRET_KEY).await;
    assert_eq!(raw.status, StatusCode::NOT_FOUND);
    let error = &raw.json()["error"];
    assert_eq!(error["type"], "invalid_request_error");
    assert!(error["message"]
        .as_str()
        .unwrap()
        .starts_with("Unrecognized request URL (GET: /v1/customers)"));
    let raw = request(
        Method::GET,
        &format!("{}nowhere", standin.base_url()),
        &[],
        "",
    )
    .await;
    assert_eq!(raw.status, StatusCode::NOT_FOUND);
}
