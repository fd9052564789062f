//! The sample events in events/ (also used with `sam local invoke -e`) parse as API Gateway
//! HTTP API requests and drive the handlers.

mod support;

use auth::handlers::{current_user, signin, signout, signup};
use lambda_http::request::from_str;
use support::*;
use ticketing::auth::{CookieSettings, SessionKeys};

fn event(name: &str) -> lambda_http::Request {
    let path = format!("{}/../../events/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn every_auth_event_names_its_route() {
    for (name, method, path) in [
        ("signup.json", "POST", "/api/users/signup"),
        ("signin.json", "POST", "/api/users/signin"),
        ("signout.json", "POST", "/api/users/signout"),
        ("current-user.json", "GET", "/api/users/currentuser"),
    ] {
        let request = event(name);
        assert_eq!(request.method().as_str(), method, "{name}");
        assert_eq!(request.uri().path(), path, "{name}");
    }
}

#[tokio::test]
async fn the_signup_then_signin_events_work_in_order() {
    let ctx = fresh_context().await;
    assert_eq!(
        signup(&ctx, event("signup.json")).await.unwrap().status(),
        201
    );
    assert_eq!(
        signin(&ctx, event("signin.json")).await.unwrap().status(),
        200
    );
}

#[tokio::test]
async fn the_signout_and_current_user_events_work() {
    let response = signout(&CookieSettings { secure: true }, event("signout.json"))
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let response = current_user(&SessionKeys::new(SECRET, 60), event("current-user.json"))
        .await
        .unwrap();
    assert_eq!(
        body_json(&response),
        serde_json::json!({ "currentUser": null })
    );
}
