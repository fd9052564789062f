//! CloudFront's part, through the real gateway and functions: a request that did not come
//! through CloudFront (API Gateway's own URL: the function invoked without the origin secret)
//! is refused; every answer, the web app's and the API's, carries the security headers; the
//! browse list may be shared by the edge for a second, and only when it was asked anonymously.

mod support;

use serde_json::Value;
use support::{exchange, json_request, Stack};

/// The header lines of a whole response, lower-cased names.
fn head_of(raw: &str) -> Vec<(String, String)> {
    let (head, _) = raw.split_once("\r\n\r\n").unwrap();
    head.lines()
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
        .collect()
}

fn header<'h>(head: &'h [(String, String)], name: &str) -> Option<&'h str> {
    head.iter()
        .find(|(n, _)| n == name)
        .map(|(_, value)| value.as_str())
}

fn status_of(raw: &str) -> u16 {
    raw.split(' ').nth(1).unwrap().parse().unwrap()
}

async fn get(stack: &Stack, path: &str, cookie: Option<&str>, extra: &str) -> String {
    exchange(
        stack.running.port(),
        &json_request("GET", path, cookie, "", extra),
    )
    .await
}

/// The sample API Gateway event for GET /api/tickets, with these headers instead of the origin secret.
fn list_tickets_event(extra: &[(&str, &str)]) -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../events/list-tickets.json");
    let mut event: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    // the sample's own value is for running a function by hand (README)
    event["headers"]
        .as_object_mut()
        .unwrap()
        .remove("x-origin-verify");
    for (name, value) in extra {
        event["headers"][*name] = Value::String(value.to_string());
    }
    event
}

#[tokio::test]
async fn the_api_answers_only_requests_that_came_through_cloudfront() {
    let stack = Stack::start("").await;

    // through the edge: the gateway adds the secret, replacing one the client made up
    let through = get(
        &stack,
        "/api/tickets",
        None,
        "x-origin-verify: guessed-value-123456\r\n",
    )
    .await;
    assert_eq!(status_of(&through), 200, "{through}");

    // around it: API Gateway's own URL passes the request on without the secret
    for extra in [
        vec![],
        vec![("x-origin-verify", "guessed-value-123456")],
        vec![("x-origin-verify", "")],
    ] {
        let answer = stack
            .running
            .invoker()
            .invoke("ListTicketsFunction", list_tickets_event(&extra))
            .await
            .unwrap();
        assert_eq!(answer["statusCode"], 403, "{extra:?}: {answer}");
        let body: Value = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
        assert_eq!(
            body["errors"][0]["message"], "Requests reach the API through the site only",
            "{extra:?}"
        );
    }
    // and a state-changing one is refused before its handler runs
    let mut signup = list_tickets_event(&[]);
    signup["routeKey"] = "POST /api/users/signup".into();
    signup["requestContext"]["http"]["method"] = "POST".into();
    signup["body"] = r#"{"email":"around@example.com","password":"password123"}"#.into();
    let answer = stack
        .running
        .invoker()
        .invoke("SignupFunction", signup)
        .await
        .unwrap();
    assert_eq!(answer["statusCode"], 403, "{answer}");
    let (status, _, _) = stack
        .http(
            "POST",
            "/api/users/signin",
            None,
            Some(serde_json::json!({"email":"around@example.com","password":"password123"})),
        )
        .await;
    assert_eq!(status, 400, "nobody signed up around CloudFront");
    stack.running.stop().await;
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let stack = Stack::start("").await;
    let cookie = stack.sign_up("headers").await;
    for (what, raw) in [
        ("an API answer", get(&stack, "/api/tickets", None, "").await),
        (
            "a signed-in API answer",
            get(&stack, "/api/users/currentuser", Some(&cookie), "").await,
        ),
        (
            "an API error",
            get(&stack, "/api/tickets/nope", None, "").await,
        ),
        (
            "an unknown API path",
            get(&stack, "/api/nothing", None, "").await,
        ),
        ("the web app", get(&stack, "/tickets/new", None, "").await),
    ] {
        let head = head_of(&raw);
        assert_eq!(
            header(&head, "strict-transport-security"),
            Some("max-age=63072000; includeSubDomains"),
            "{what}"
        );
        assert_eq!(
            header(&head, "x-content-type-options"),
            Some("nosniff"),
            "{what}"
        );
        assert_eq!(header(&head, "x-frame-options"), Some("DENY"), "{what}");
        assert_eq!(
            header(&head, "referrer-policy"),
            Some("strict-origin-when-cross-origin"),
            "{what}"
        );
        let csp = header(&head, "content-security-policy").unwrap_or_else(|| panic!("{what}"));
        assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
        assert!(csp.starts_with("default-src 'self';"), "{what}: {csp}");
    }
    stack.running.stop().await;
}

#[tokio::test]
async fn only_an_anonymous_browse_list_may_be_shared_at_the_edge() {
    let stack = Stack::start("").await;
    let cookie = stack.sign_up("cache").await;
    let cache_control = |raw: &str| header(&head_of(raw), "cache-control").map(str::to_string);

    let anonymous = get(&stack, "/api/tickets?limit=5", None, "").await;
    assert_eq!(status_of(&anonymous), 200);
    assert_eq!(
        cache_control(&anonymous).as_deref(),
        Some("public, max-age=1")
    );

    let signed_in = get(&stack, "/api/tickets?limit=5", Some(&cookie), "").await;
    assert_eq!(status_of(&signed_in), 200);
    assert_eq!(
        cache_control(&signed_in).as_deref(),
        Some("private, no-store")
    );

    // an error says nothing, and nothing unmarked is kept (DefaultTTL 0, ErrorCachingMinTTL 0)
    let refused = get(&stack, "/api/tickets?limit=0", None, "").await;
    assert_eq!(status_of(&refused), 400);
    assert_eq!(cache_control(&refused), None);

    // nothing else of the API says it may be kept
    let one = get(&stack, "/api/users/currentuser", None, "").await;
    assert_eq!(cache_control(&one), None);
    stack.running.stop().await;
}
