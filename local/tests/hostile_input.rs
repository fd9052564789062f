//! Hostile input through the real gateway: oversized bodies, wrong content types, broken JSON,
//! unicode and very long titles and emails, impossible prices, malformed ids, forged cursors.
//! Each is a clear 4xx in the `{"errors":[...]}` body (naming the field when there is one), and
//! none of them leaves anything written behind.

mod support;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};
use support::Stack;

const JSON: (&str, &[u8]) = ("content-type", b"application/json");

/// One request and what it must get.
struct Case {
    why: &'static str,
    method: &'static str,
    path: String,
    /// Content-Type and any other headers; the session cookie is added when `signed_in`.
    headers: Vec<(&'static str, Vec<u8>)>,
    body: Vec<u8>,
    signed_in: bool,
    status: u16,
    /// The field the error must name, for a 4xx.
    field: Option<&'static str>,
}

fn case(why: &'static str, method: &'static str, path: impl Into<String>) -> Case {
    Case {
        why,
        method,
        path: path.into(),
        headers: vec![(JSON.0, JSON.1.to_vec())],
        body: vec![],
        signed_in: true,
        status: 400,
        field: None,
    }
}

impl Case {
    fn json(mut self, body: Value) -> Self {
        self.body = body.to_string().into_bytes();
        self
    }
    fn raw(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }
    fn content_type(mut self, value: Option<&str>) -> Self {
        self.headers.retain(|(name, _)| *name != "content-type");
        if let Some(value) = value {
            self.headers
                .push(("content-type", value.as_bytes().to_vec()));
        }
        self
    }
    fn header(mut self, name: &'static str, value: impl Into<Vec<u8>>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
    fn signed_out(mut self) -> Self {
        self.signed_in = false;
        self
    }
    fn expect(mut self, status: u16, field: Option<&'static str>) -> Self {
        self.status = status;
        self.field = field;
        self
    }
}

fn ticket(title: impl Into<Value>, price: impl Into<Value>) -> Value {
    json!({"title": title.into(), "price": price.into()})
}

fn signup(email: impl Into<Value>) -> Value {
    json!({"email": email.into(), "password": "password123"})
}

/// Every case; `t` is a ticket the signed-in user owns, `unknown` a UUID that names nothing.
fn cases(t: &str, unknown: &str) -> Vec<Case> {
    let big = "x".repeat(70 * 1024);
    let tickets = "/api/tickets";
    let this_ticket = format!("/api/tickets/{t}");
    let cursor = |raw: &str| format!("/api/tickets?cursor={}", URL_SAFE_NO_PAD.encode(raw));
    let nested = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let long_email = format!("{}@{}com", "a".repeat(64), "b".repeat(63).repeat(3) + ".");
    vec![
        // ---- bodies over 64 KiB: 413, before anything else is looked at
        case("oversized ticket", "POST", tickets)
            .json(ticket(big.clone(), 100))
            .expect(413, None),
        case("oversized edit", "PUT", &this_ticket)
            .json(ticket(big.clone(), 100))
            .expect(413, None),
        case("oversized sign-up", "POST", "/api/users/signup")
            .signed_out()
            .json(signup(big.clone()))
            .expect(413, None),
        case("oversized sign-in", "POST", "/api/users/signin")
            .signed_out()
            .json(signup(big.clone()))
            .expect(413, None),
        case("oversized order", "POST", "/api/orders")
            .json(json!({"ticketId": big}))
            .expect(413, None),
        case("oversized payment", "POST", "/api/payments")
            .json(json!({"orderId": "x".repeat(70 * 1024)}))
            .expect(413, None),
        // ---- not declared as JSON: 415
        case("text/plain ticket", "POST", tickets)
            .content_type(Some("text/plain"))
            .json(ticket("Concert", 100))
            .expect(415, None),
        case("form-encoded ticket", "POST", tickets)
            .content_type(Some("application/x-www-form-urlencoded"))
            .raw("title=Concert&price=100")
            .expect(415, None),
        case("no content type on sign-up", "POST", "/api/users/signup")
            .signed_out()
            .content_type(None)
            .json(signup("nobody@example.com"))
            .expect(415, None),
        case("multipart sign-in", "POST", "/api/users/signin")
            .signed_out()
            .content_type(Some("multipart/form-data; boundary=x"))
            .raw("--x\r\n\r\nx\r\n--x--")
            .expect(415, None),
        case("text/plain order", "POST", "/api/orders")
            .content_type(Some("text/plain"))
            .json(json!({"ticketId": t}))
            .expect(415, None),
        case("xml edit", "PUT", &this_ticket)
            .content_type(Some("application/xml"))
            .raw("<ticket/>")
            .expect(415, None),
        case("text/plain payment", "POST", "/api/payments")
            .content_type(Some("text/plain"))
            .json(json!({"orderId": unknown}))
            .expect(415, None),
        // ---- not JSON, or the wrong JSON: 400
        case("empty body", "POST", tickets).expect(400, None),
        case("truncated JSON", "POST", tickets)
            .raw(r#"{"title": "Concert", "#)
            .expect(400, None),
        case("not UTF-8", "POST", tickets)
            .raw(b"{\"title\":\"\xff\xfe\",\"price\":100}".to_vec())
            .expect(400, None),
        case("a lone surrogate", "POST", tickets)
            .raw(r#"{"title":"\ud800","price":100}"#)
            .expect(400, None),
        case("5000 levels of nesting", "POST", tickets)
            .raw(nested)
            .expect(400, None),
        case("an array, not an object", "POST", tickets)
            .json(json!([]))
            .expect(400, Some("title")),
        case("a string as credentials", "POST", "/api/users/signup")
            .signed_out()
            .json(json!("alice@example.com"))
            .expect(400, None),
        // ---- titles
        case("unicode title", "POST", tickets)
            .json(ticket("Концерт 🎸 東京 — «Zürich»", 100))
            .expect(201, None),
        case("120 emoji", "POST", tickets)
            .json(ticket("🎸".repeat(120), 100))
            .expect(201, None),
        case("121 emoji", "POST", tickets)
            .json(ticket("🎸".repeat(121), 100))
            .expect(400, Some("title")),
        case("10 000 character title", "POST", tickets)
            .json(ticket("a".repeat(10_000), 100))
            .expect(400, Some("title")),
        case("NUL in a title", "POST", tickets)
            .json(ticket("a\u{0}b", 100))
            .expect(400, Some("title")),
        case("newline in a title", "POST", tickets)
            .json(ticket("two\nlines", 100))
            .expect(400, Some("title")),
        case("right-to-left override in a title", "POST", tickets)
            .json(ticket("Concert \u{202E}4pm.exe", 100))
            .expect(400, Some("title")),
        case("directional isolate in a title", "POST", tickets)
            .json(ticket("Concert \u{2067}VIP\u{2069}", 100))
            .expect(400, Some("title")),
        case("zero-width space in a title", "POST", tickets)
            .json(ticket("Con\u{200B}cert", 100))
            .expect(400, Some("title")),
        case("byte order mark in a title", "POST", tickets)
            .json(ticket("\u{FEFF}Concert", 100))
            .expect(400, Some("title")),
        case("soft hyphen in a title", "POST", tickets)
            .json(ticket("Con\u{AD}cert", 100))
            .expect(400, Some("title")),
        case("right-to-left override on edit", "PUT", &this_ticket)
            .json(ticket("Concert \u{202E}4pm", 100))
            .expect(400, Some("title")),
        case("word joiner on edit", "PUT", &this_ticket)
            .json(ticket("Con\u{2060}cert", 100))
            .expect(400, Some("title")),
        case("blank title", "POST", tickets)
            .json(ticket(" \t ", 100))
            .expect(400, Some("title")),
        case("number as title", "POST", tickets)
            .json(ticket(42, 100))
            .expect(400, Some("title")),
        case("too long on edit", "PUT", &this_ticket)
            .json(ticket("a".repeat(121), 100))
            .expect(400, Some("title")),
        // ---- emails and passwords
        case("email over 254 bytes", "POST", "/api/users/signup")
            .signed_out()
            .json(signup(long_email.clone()))
            .expect(400, Some("email")),
        case("email over 254 bytes, sign-in", "POST", "/api/users/signin")
            .signed_out()
            .json(signup(long_email))
            .expect(400, Some("email")),
        case("NUL in an email", "POST", "/api/users/signup")
            .signed_out()
            .json(signup("al\u{0}ice@example.com"))
            .expect(400, Some("email")),
        case("number as email", "POST", "/api/users/signup")
            .signed_out()
            .json(signup(12345))
            .expect(400, None),
        case("password of 10 000 characters", "POST", "/api/users/signup")
            .signed_out()
            .json(json!({"email": "long-password@example.com", "password": "p".repeat(10_000)}))
            .expect(400, Some("password")),
        // ---- prices
        case("negative price", "POST", tickets)
            .json(ticket("Concert", -1))
            .expect(400, Some("price")),
        case("zero price", "POST", tickets)
            .json(ticket("Concert", 0))
            .expect(400, Some("price")),
        case("under the 50-cent card minimum", "POST", tickets)
            .json(ticket("Concert", 49))
            .expect(400, Some("price")),
        case("over a million dollars", "POST", tickets)
            .json(ticket("Concert", 100_000_001))
            .expect(400, Some("price")),
        case("past i64", "POST", tickets)
            .raw(r#"{"title":"Concert","price":9223372036854775808}"#)
            .expect(400, Some("price")),
        case("past u64", "POST", tickets)
            .raw(r#"{"title":"Concert","price":123456789012345678901234567890}"#)
            .expect(400, Some("price")),
        case("1e30", "POST", tickets)
            .raw(r#"{"title":"Concert","price":1e30}"#)
            .expect(400, Some("price")),
        case("fraction of a cent", "POST", tickets)
            .json(ticket("Concert", 10.5))
            .expect(400, Some("price")),
        case("price as a string", "POST", tickets)
            .json(ticket("Concert", "100"))
            .expect(400, Some("price")),
        case("price as a boolean", "POST", tickets)
            .json(ticket("Concert", true))
            .expect(400, Some("price")),
        case("the largest price", "POST", tickets)
            .json(ticket("Concert", 100_000_000))
            .expect(201, None),
        case("negative price on edit", "PUT", &this_ticket)
            .json(ticket("Concert", -5))
            .expect(400, Some("price")),
        case("negative version", "PUT", &this_ticket)
            .json(json!({"title": "Concert", "price": 100, "version": -1}))
            .expect(400, Some("version")),
        case("garbage If-Match", "PUT", &this_ticket)
            .header("if-match", "\"abc\"")
            .json(ticket("Concert", 100))
            .expect(400, Some("version")),
        // ---- malformed ids
        case("ticket id not a UUID", "GET", "/api/tickets/not-a-uuid")
            .signed_out()
            .content_type(None)
            .expect(404, None),
        case("ticket id with a NUL", "GET", "/api/tickets/%00")
            .signed_out()
            .content_type(None)
            .expect(404, None),
        case(
            "ticket id of 2000 characters",
            "GET",
            format!("/api/tickets/{}", "a".repeat(2000)),
        )
        .signed_out()
        .content_type(None)
        .expect(404, None),
        case(
            "ticket id that climbs",
            "GET",
            "/api/tickets/..%2F..%2Fetc%2Fpasswd",
        )
        .signed_out()
        .content_type(None)
        .expect(404, None),
        case(
            "ticket id with a quote",
            "GET",
            "/api/tickets/'%20OR%20'1'='1",
        )
        .signed_out()
        .content_type(None)
        .expect(404, None),
        case("edit a malformed id", "PUT", "/api/tickets/nope")
            .json(ticket("Concert", 100))
            .expect(404, None),
        case("order id not a UUID", "GET", "/api/orders/nope")
            .content_type(None)
            .expect(404, None),
        case("cancel a malformed id", "DELETE", "/api/orders/%E2%80%AE")
            .content_type(None)
            .expect(404, None),
        case("ticketId not a UUID", "POST", "/api/orders")
            .json(json!({"ticketId": "nope"}))
            .expect(400, Some("ticketId")),
        case("ticketId a number", "POST", "/api/orders")
            .json(json!({"ticketId": 5}))
            .expect(400, Some("ticketId")),
        case("ticketId names nothing", "POST", "/api/orders")
            .json(json!({"ticketId": unknown}))
            .expect(404, None),
        case("Idempotency-Key too long", "POST", "/api/orders")
            .header("idempotency-key", "k".repeat(129))
            .json(json!({"ticketId": unknown}))
            .expect(400, Some("Idempotency-Key")),
        case("Idempotency-Key not ASCII", "POST", "/api/orders")
            .header("idempotency-key", "clé".as_bytes().to_vec())
            .json(json!({"ticketId": unknown}))
            .expect(400, Some("Idempotency-Key")),
        case("orderId not a UUID", "POST", "/api/payments")
            .json(json!({"orderId": "../../v1/refunds"}))
            .expect(400, Some("orderId")),
        case("orderId names nothing", "POST", "/api/payments")
            .json(json!({"orderId": unknown}))
            .expect(404, None),
        // ---- cursors and page sizes
        case("cursor not base64", "GET", "/api/tickets?cursor=%%%")
            .content_type(None)
            .expect(400, Some("cursor")),
        case("cursor not JSON", "GET", cursor("hello"))
            .content_type(None)
            .expect(400, Some("cursor")),
        case(
            "cursor with a made-up id",
            "GET",
            cursor(r#"{"i":"x","t":"y"}"#),
        )
        .content_type(None)
        .expect(400, Some("cursor")),
        case(
            "cursor with a time the table never holds",
            "GET",
            cursor(&format!(
                r#"{{"i":"{unknown}","t":"{}"}}"#,
                "9".repeat(1500)
            )),
        )
        .content_type(None)
        .expect(400, Some("cursor")),
        case(
            "cursor of 10 000 characters",
            "GET",
            format!("/api/tickets?cursor={}", "A".repeat(10_000)),
        )
        .content_type(None)
        .expect(400, Some("cursor")),
        case(
            "a forged but well-formed cursor only moves the page",
            "GET",
            cursor(&format!(
                r#"{{"i":"{unknown}","t":"2000-01-01T00:00:00.000Z"}}"#
            )),
        )
        .content_type(None)
        .expect(200, None),
        case("limit 0", "GET", "/api/tickets?limit=0")
            .content_type(None)
            .expect(400, Some("limit")),
        case("limit 101", "GET", "/api/tickets?limit=101")
            .content_type(None)
            .expect(400, Some("limit")),
        case(
            "limit past i64",
            "GET",
            "/api/tickets?limit=99999999999999999999",
        )
        .content_type(None)
        .expect(400, Some("limit")),
        case("limit not a number", "GET", "/api/tickets?limit=ten")
            .content_type(None)
            .expect(400, Some("limit")),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hostile_input_gets_a_clear_4xx_and_writes_nothing() {
    let stack = Stack::start("").await;
    let seller = stack.sign_up("hostile").await;
    let original = stack.sell(&seller, "Original", 2500).await;
    let t = original["id"].as_str().unwrap().to_string();
    let unknown = uuid::Uuid::new_v4().to_string();

    let cases = cases(&t, &unknown);
    let mut failures = Vec::new();
    let mut created = 1;
    for case in &cases {
        let mut headers: Vec<(&str, &[u8])> = case
            .headers
            .iter()
            .map(|(name, value)| (*name, value.as_slice()))
            .collect();
        if case.signed_in {
            headers.push(("cookie", seller.as_bytes()));
        }
        let response = stack
            .raw(case.method, &case.path, &headers, &case.body)
            .await;
        if let Some(problem) = judge(case, &response) {
            failures.push(format!(
                "{} ({} {}): {problem}; got {} {}",
                case.why,
                case.method,
                truncated(&case.path),
                response.status,
                response.body
            ));
        }
        if case.status == 201 && case.path == "/api/tickets" {
            created += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );

    // Nothing refused was written: the ticket is as it was listed, and only the accepted
    // tickets exist.
    let (_, _, now) = stack
        .http("GET", &format!("/api/tickets/{t}"), None, None)
        .await;
    assert_eq!(now, original, "a refused edit changed the ticket");
    let (_, _, page) = stack
        .http("GET", "/api/tickets?limit=100", None, None)
        .await;
    let mine = page["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|ticket| ticket["userId"] == original["userId"])
        .count();
    assert_eq!(mine, created, "only accepted tickets exist: {page}");
}

/// What is wrong with the response to `case`, if anything.
fn judge(case: &Case, response: &support::raw::RawResponse) -> Option<String> {
    if response.status != case.status {
        return Some(format!("expected {}", case.status));
    }
    if case.status < 400 {
        return None;
    }
    if !response.content_type.starts_with("application/json") {
        return Some(format!("content-type {:?}", response.content_type));
    }
    let Some(errors) = response.body["errors"].as_array().filter(|e| !e.is_empty()) else {
        return Some("no errors list".into());
    };
    let well_formed = errors.iter().all(|error| {
        error["message"].as_str().is_some_and(|m| !m.is_empty())
            && (error["field"].is_null() || error["field"].is_string())
            && error.as_object().is_some_and(|o| o.len() <= 2)
    });
    if !well_formed {
        return Some("an error that is not {message, field?}".into());
    }
    match case.field {
        Some(field) if !errors.iter().any(|e| e["field"] == field) => {
            Some(format!("no error names the field {field}"))
        }
        _ => None,
    }
}

fn truncated(path: &str) -> String {
    if path.len() > 80 {
        format!("{}...", &path[..80])
    } else {
        path.to_string()
    }
}
