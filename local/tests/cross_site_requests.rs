//! A page on another site can make the browser send a state-changing request with the user's
//! cookie (SameSite=Lax already stops most; this is the second lock). Through the real gateway
//! and functions: such requests are refused with 403 and change nothing; the same request from
//! the app's own pages, or from a client that is not a browser, goes through.

mod support;

use serde_json::Value;
use support::{exchange, Stack};

/// POST /api/tickets with the seller's cookie and `extra` headers: (status, JSON body).
async fn list_ticket(stack: &Stack, cookie: &str, title: &str, extra: &str) -> (u16, Value) {
    let body = format!(r#"{{"title":"{title}","price":1200}}"#);
    let request = format!(
        "POST /api/tickets HTTP/1.1\r\nhost: localhost:{port}\r\nconnection: close\r\n\
         content-type: application/json\r\ncookie: {cookie}\r\n{extra}content-length: {}\r\n\r\n{body}",
        body.len(),
        port = stack.running.port(),
    );
    let raw = exchange(stack.running.port(), &request).await;
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
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
