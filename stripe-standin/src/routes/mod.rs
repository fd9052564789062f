//! The `/v1` API: authentication, Idempotency-Key, and which handler answers which request.

pub mod account_links;
pub mod accounts;
pub mod charges;
pub mod events;
pub mod payment_intents;
pub mod payment_methods;
pub mod refunds;
pub mod transfers;
pub mod webhook_endpoints;

use base64::Engine;
use http::{HeaderMap, Method, StatusCode};

use crate::config::Config;
use crate::errors::ApiError;
use crate::form::Form;
use crate::idempotency::{Lookup, StoredResponse};
use crate::ids::{new_id, now};
use crate::objects::event::RequestInfo;
use crate::state::State;

/// Which of the stand-in's keys a request authenticated with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    Secret,
    Publishable,
}

/// A request as the handlers see it.
pub struct ApiRequest {
    pub key: KeyKind,
    /// The form body of a POST, the query string of a GET or DELETE.
    pub params: Form,
    /// The request id and Idempotency-Key, recorded in the events it causes.
    pub info: RequestInfo,
    pub now: i64,
}

impl ApiRequest {
    /// The `expand[]` parameter.
    pub fn expand(&self) -> Vec<String> {
        self.params.array("expand")
    }
}

/// What a handler answers with.
pub type Reply = Result<serde_json::Value, ApiError>;

/// An answer of the API, ready to send.
pub struct ApiResponse {
    pub status: StatusCode,
    pub body: Vec<u8>,
    pub request_id: String,
    pub idempotency_key: Option<String>,
    /// Set when this is the saved answer to an earlier request with the same Idempotency-Key.
    pub replayed_from: Option<String>,
}

/// Answers one `/v1/...` request. The state stays locked for the whole request, so requests
/// are applied one at a time, as if Stripe handled each atomically.
pub fn handle(
    state: &mut State,
    config: &Config,
    method: &Method,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiResponse {
    let request_id = new_id("req");
    let idempotency_key = header(headers, "idempotency-key").map(str::to_string);
    let mut params = if *method == Method::POST {
        Form::parse(body)
    } else {
        Form::parse(query.unwrap_or("").as_bytes())
    };
    let respond = |status: StatusCode, body: Vec<u8>, replayed_from: Option<String>| ApiResponse {
        status,
        body,
        request_id: request_id.clone(),
        idempotency_key: idempotency_key.clone(),
        replayed_from,
    };
    let fail = |err: ApiError| respond(err.status, to_json(&err.body()), None);

    let (api_key, key) = match authenticate(headers, &mut params, config) {
        Ok(found) => found,
        Err(err) => return fail(err),
    };

    let keyed = (*method == Method::POST)
        .then_some(idempotency_key.as_deref())
        .flatten();
    let canonical = params.canonical();
    if let Some(idem_key) = keyed {
        match state
            .idempotency
            .lookup(&api_key, idem_key, method.as_str(), path, &canonical)
        {
            Ok(Lookup::New) => {}
            Ok(Lookup::Replay(saved)) => {
                return respond(saved.status, saved.body, Some(saved.request_id));
            }
            Err(err) => return fail(err),
        }
    }

    let request = ApiRequest {
        key,
        params,
        info: RequestInfo {
            id: Some(request_id.clone()),
            idempotency_key: idempotency_key.clone(),
        },
        now: now(),
    };
    // Links to the hosted pages name the host the API was reached at, as a browser reaches it.
    let base_url = format!("http://{}/", header(headers, "host").unwrap_or("127.0.0.1"));
    let (status, body, replayable) = match route(state, method, path, &request, &base_url) {
        Ok(value) => (StatusCode::OK, to_json(&value), true),
        Err(err) => (err.status, to_json(&err.body()), err.replayable),
    };
    if let (Some(idem_key), true) = (keyed, replayable) {
        let saved = StoredResponse {
            status,
            body: body.clone(),
            request_id: request_id.clone(),
        };
        state
            .idempotency
            .store(&api_key, idem_key, method.as_str(), path, canonical, saved);
    }
    respond(status, body, None)
}

fn route(
    state: &mut State,
    method: &Method,
    path: &str,
    req: &ApiRequest,
    base_url: &str,
) -> Reply {
    let segments: Vec<&str> = path
        .trim_start_matches("/v1/")
        .trim_end_matches('/')
        .split('/')
        .collect();
    let publishable_allowed = matches!(
        (method, segments.as_slice()),
        (&Method::GET, ["payment_intents", _])
            | (&Method::POST, ["payment_intents", _, "confirm"])
            | (&Method::POST, ["payment_methods"])
    );
    if req.key == KeyKind::Publishable && !publishable_allowed {
        return Err(ApiError::publishable_key_not_allowed());
    }
    match (method, segments.as_slice()) {
        (&Method::POST, ["payment_intents"]) => payment_intents::create(state, req),
        (&Method::GET, ["payment_intents", id]) => payment_intents::retrieve(state, req, id),
        (&Method::POST, ["payment_intents", id, "confirm"]) => {
            payment_intents::confirm(state, req, id)
        }
        (&Method::POST, ["payment_intents", id, "cancel"]) => {
            payment_intents::cancel(state, req, id)
        }
        (&Method::POST, ["payment_methods"]) => payment_methods::create(state, req),
        (&Method::GET, ["payment_methods", id]) => payment_methods::retrieve(state, id),
        (&Method::GET, ["charges", id]) => charges::retrieve(state, id),
        (&Method::POST, ["refunds"]) => refunds::create(state, req),
        (&Method::GET, ["refunds"]) => refunds::list(state, req),
        (&Method::GET, ["refunds", id]) => refunds::retrieve(state, id),
        (&Method::POST, ["webhook_endpoints"]) => webhook_endpoints::create(state, req),
        (&Method::GET, ["webhook_endpoints"]) => webhook_endpoints::list(state),
        (&Method::DELETE, ["webhook_endpoints", id]) => webhook_endpoints::delete(state, id),
        (&Method::GET, ["events", id]) => events::retrieve(state, id),
        (&Method::POST, ["accounts"]) => accounts::create(state, req),
        (&Method::GET, ["accounts", id]) => accounts::retrieve(state, id),
        (&Method::POST, ["account_links"]) => account_links::create(state, req, base_url),
        (&Method::POST, ["transfers"]) => transfers::create(state, req),
        (&Method::GET, ["transfers"]) => transfers::list(state, req),
        (&Method::GET, ["transfers", id]) => transfers::retrieve(state, id),
        _ => Err(ApiError::unrecognized_url(method.as_str(), path)),
    }
}

/// Finds the API key: `Authorization: Bearer <key>`, HTTP Basic with the key as user name (as
/// `curl -u sk_...:`), or a `key` parameter (as Stripe.js sends its publishable key).
/// Returns the key and which of the stand-in's keys it is.
fn authenticate(
    headers: &HeaderMap,
    params: &mut Form,
    config: &Config,
) -> Result<(String, KeyKind), ApiError> {
    let from_param = params.remove("key");
    let provided = match header(headers, "authorization") {
        Some(value) => {
            let (scheme, credentials) = value.split_once(' ').unwrap_or((value, ""));
            match scheme.to_ascii_lowercase().as_str() {
                "bearer" => credentials.trim().to_string(),
                "basic" => base64::engine::general_purpose::STANDARD
                    .decode(credentials.trim())
                    .ok()
                    .and_then(|raw| String::from_utf8(raw).ok())
                    .map(|user_pass| user_pass.split(':').next().unwrap_or("").to_string())
                    .unwrap_or_default(),
                _ => {
                    return Err(ApiError::unauthorized(
                        "Invalid API Key provided: use Bearer authentication \
                         (Authorization: Bearer YOUR_SECRET_KEY).",
                    ))
                }
            }
        }
        None => from_param.unwrap_or_default(),
    };
    if provided.is_empty() {
        return Err(ApiError::unauthorized(
            "You did not provide an API key. You need to provide your API key in the \
             Authorization header, using Bearer auth (e.g. 'Authorization: Bearer \
             YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, \
             or we can help at https://support.stripe.com/.",
        ));
    }
    if provided == config.secret_key {
        Ok((provided, KeyKind::Secret))
    } else if provided == config.publishable_key {
        Ok((provided, KeyKind::Publishable))
    } else {
        Err(ApiError::unauthorized(format!(
            "Invalid API Key provided: {}",
            redact_key(&provided)
        )))
    }
}

/// `sk_test_abcdefgh1234` -> `sk_test_********1234`, as Stripe shows a wrong key.
fn redact_key(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    let prefix = [
        "sk_test_", "sk_live_", "pk_test_", "pk_live_", "rk_test_", "rk_live_",
    ]
    .iter()
    .find(|p| key.starts_with(*p))
    .map_or(0, |p| p.len());
    if chars.len() <= prefix + 4 {
        return format!("{}{}", &key[..prefix], "*".repeat(chars.len() - prefix));
    }
    let hidden = chars.len() - prefix - 4;
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{}{}{tail}", &key[..prefix], "*".repeat(hidden))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

fn to_json(value: &serde_json::Value) -> Vec<u8> {
    serde_json::to_vec_pretty(value).expect("JSON values serialize")
}

/// Serializes an async-stripe object with its own `Serialize` impl.
pub fn json(object: &impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(object).expect("async-stripe objects serialize")
}

/// Stripe's list object: `{"object": "list", "data": [...], "has_more", "url"}`.
pub fn list<T: serde::Serialize>(data: Vec<T>, has_more: bool, url: &str) -> serde_json::Value {
    json(&stripe_types::List {
        data,
        has_more,
        url: url.to_string(),
    })
}

/// The `limit` parameter of a list: 10 by default, 1 to 100.
pub fn limit(req: &ApiRequest) -> Result<usize, ApiError> {
    match req.params.integer("limit")? {
        None => Ok(10),
        Some(n @ 1..=100) => Ok(n as usize),
        Some(n) => Err(ApiError::invalid_param(
            None,
            "limit",
            format!("Invalid integer: {n}. The limit must be between 1 and 100."),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_keys_are_shown_redacted() {
        assert_eq!(redact_key("sk_test_abcdefgh1234"), "sk_test_********1234");
        assert_eq!(redact_key("nope"), "****");
    }
}
