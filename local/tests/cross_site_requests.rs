//! A page on another site can make the browser send a state-changing request with the user's
//! cookie (SameSite=Lax already stops most; this is the second lock). Through the real gateway
//! and functions: such requests are refused with 403 and change nothing; the same request from
//! the app's own pages, or from a client that is not a browser, goes through.

mod support;

use serde_json::Value;
use support::{exchange, json_request, read_response, Stack};

/// POST /api/tickets with the seller's cookie and `extra` headers: (status, JSON body).
async fn list_ticket(stack: &Stack, cookie: &str, title: &str, extra: &str) -> (u16, Value) {
    let body = format!(r#"{{"title":"{title}","price":1200}}"#);
    // the host the browser asked for, with its port, as an Origin would name it
    let request = json_request("POST", "/api/tickets", Some(cookie), &body, extra).replacen(
        "host: localhost\r\n",
        &format!("host: localhost:{}\r\n", stack.running.port()),
        1,
    );
    let (status, _, answer) = read_response(&exchange(stack.running.port(), &request).await);
    (status, answer)
}

#[tokio::test]
async fn state_changing_requests_from_other_sites_are_refused_and_change_nothing() {
    let stack = Stack::start("").await;
    let seller = stack.sign_up("seller").await;
    let port = stack.running.port();

    let refused = [
        (
            "cross-site fetch",
            "sec-fetch-site: cross-site\r\n".to_string(),
        ),
        (
            "same-site fetch",
            "sec-fetch-site: same-site\r\n".to_string(),
        ),
        (
            "older browser, other origin",
            "origin: https://evil.example\r\n".to_string(),
        ),
        ("sandboxed page", "origin: null\r\n".to_string()),
    ];
    for (case, headers) in &refused {
        let (status, body) = list_ticket(&stack, &seller, &format!("Forged {case}"), headers).await;
        assert_eq!(status, 403, "{case}: {body}");
        assert_eq!(
            body["errors"][0]["message"], "Cross-site requests are not allowed",
            "{case}"
        );
    }

    let allowed = [
        (
            "the app's own page",
            "sec-fetch-site: same-origin\r\n".to_string(),
        ),
        (
            "older browser, same origin",
            format!("origin: http://localhost:{port}\r\n"),
        ),
        ("not a browser", String::new()),
    ];
    for (case, headers) in &allowed {
        let (status, body) = list_ticket(&stack, &seller, &format!("Fine {case}"), headers).await;
        assert_eq!(status, 201, "{case}: {body}");
    }

    // nothing forged was stored: the seller's tickets are exactly the allowed ones
    let (_, _, page) = stack
        .http("GET", "/api/tickets?limit=100", None, None)
        .await;
    let titles: Vec<&str> = page["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["title"].as_str())
        .collect();
    assert!(
        titles.iter().all(|t| !t.starts_with("Forged")),
        "{titles:?}"
    );
    for (case, _) in &allowed {
        assert!(
            titles.contains(&format!("Fine {case}").as_str()),
            "{titles:?}"
        );
    }
    stack.running.stop().await;
}
