//! The hosted onboarding page an account link opens (Stripe's Connect Onboarding, for Express
//! accounts), filled with Stripe's test data: "Finish" submits it, which enables the account
//! and sends `account.updated` to the Connect webhook endpoints; "Leave for now" goes back to
//! the platform with nothing submitted. Either way the browser returns to the link's
//! `return_url`. A link is used once: opening it again, or after it expired, goes to its
//! `refresh_url`, where the platform makes a new one.
//!
//! - `GET /_standin/connect/onboarding/{token}`: the page.
//! - `POST /_standin/connect/onboarding/{token}/finish` and `.../leave`.

use std::sync::Arc;

use bytes::Bytes;
use http::{header, Method, Response, StatusCode};
use http_body_util::Full;

use crate::ids::now;
use crate::routes::account_links::StoredLink;
use crate::routes::accounts;
use crate::state::Shared;

pub(crate) fn respond(
    shared: &Arc<Shared>,
    method: &Method,
    token: &str,
    action: Option<&str>,
) -> Response<Full<Bytes>> {
    let mut state = shared.lock();
    let Some(link) = state.account_links.get(token).cloned() else {
        return page(
            StatusCode::NOT_FOUND,
            "Link not found",
            "<p>This onboarding link does not exist.</p>",
        );
    };
    if link.used || link.expires_at < now() {
        return redirect(&link.refresh_url);
    }
    match (method, action) {
        (&Method::GET, None) => form(token, &link),
        (&Method::POST, Some("finish")) => {
            if let Err(err) = accounts::finish_onboarding(&mut state, &link.account) {
                return page(
                    StatusCode::NOT_FOUND,
                    "Account not found",
                    &escape(&err.to_string()),
                );
            }
            mark_used(&mut state, token);
            drop(state);
            shared.start_deliveries();
            redirect(&link.return_url)
        }
        (&Method::POST, Some("leave")) => {
            mark_used(&mut state, token);
            redirect(&link.return_url)
        }
        _ => page(StatusCode::NOT_FOUND, "Not found", "<p>No such page.</p>"),
    }
}

fn mark_used(state: &mut crate::state::State, token: &str) {
    if let Some(link) = state.account_links.get_mut(token) {
        link.used = true;
    }
}

fn form(token: &str, link: &StoredLink) -> Response<Full<Bytes>> {
    let base = format!("/_standin/connect/onboarding/{}", escape(token));
    let field = |id: &str, label: &str, value: &str| {
        format!(
            "<p><label for=\"{id}\">{label}</label><br><input id=\"{id}\" name=\"{id}\" value=\"{value}\" readonly></p>"
        )
    };
    let body = format!(
        "<p>Payouts for account <code>{account}</code>. Test mode: the details are Stripe's test data.</p>\
         <form method=\"post\" action=\"{base}/finish\">\
         {name}{dob}{ssn}{routing}{bank}\
         <p><button type=\"submit\">Finish onboarding</button></p></form>\
         <form method=\"post\" action=\"{base}/leave\">\
         <p><button type=\"submit\">Leave for now</button></p></form>",
        account = escape(&link.account),
        name = field("name", "Legal name", "Jenny Rosen"),
        dob = field("dob", "Date of birth", "1901-01-01"),
        ssn = field("ssn", "Last 4 of SSN", "0000"),
        routing = field("routing", "Routing number", "110000000"),
        bank = field("account-number", "Account number", "000123456789"),
    );
    page(StatusCode::OK, "Set up payouts", &body)
}

fn page(status: StatusCode, title: &str, body: &str) -> Response<Full<Bytes>> {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Stripe stand-in</title></head>\
         <body><main><h1>{title}</h1>{body}</main></body></html>"
    );
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Full::new(Bytes::from(html)))
        .expect("valid response")
}

fn redirect(url: &str) -> Response<Full<Bytes>> {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, url)
        .header(header::CACHE_CONTROL, "no-store")
        .body(Full::default())
        .expect("valid response")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
