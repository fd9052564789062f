//! The sample events in events/ (also used with `sam local invoke -e`) parse as API Gateway
//! HTTP API requests and drive the handlers.

mod support;

use auth::handlers::{change_password, current_user, signin, signout, signup};
use lambda_http::request::from_str;
use support::*;

fn event_text(name: &str) -> String {
    let path = format!("{}/../../events/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn event(name: &str) -> lambda_http::Request {
    from_str(&event_text(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn every_auth_event_names_its_route() {
    for (name, method, path) in [
        ("signup.json", "POST", "/api/users/signup"),
        ("signin.json", "POST", "/api/users/signin"),
        ("signout.json", "POST", "/api/users/signout"),
        ("current-user.json", "GET", "/api/users/currentuser"),
        ("change-password.json", "POST", "/api/users/password"),
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
    let ctx = fresh_context().await;
    let response = signout(&ctx.sessions, event("signout.json")).await.unwrap();
    assert_eq!(response.status(), 204);
    let response = current_user(&ctx.sessions, event("current-user.json"))
        .await
        .unwrap();
    assert_eq!(
        body_json(&response),
        serde_json::json!({ "currentUser": null })
    );
}

#[tokio::test]
async fn the_change_password_event_works_with_the_cookie_of_a_session() {
    // GIVEN the user of signup.json, signed in
    let ctx = fresh_context().await;
    let response = signup(&ctx, event("signup.json")).await.unwrap();
    let token = session_cookie(&response)
        .trim_start_matches("__Host-session=")
        .to_string();
    // the sample's plain-HTTP cookie name is what `make dev` uses; this context is AWS's
    let text = event_text("change-password.json").replace(
        "session=replace-with-a-token-from-signin",
        &format!("__Host-session={token}"),
    );
    let response = change_password(&ctx, from_str(&text).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
}
