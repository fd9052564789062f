//! Reading a request's JSON body, the one way every HTTP function does it: bounded in size,
//! declared as JSON, then parsed. Each refusal is a 4xx in the usual errors body.

use crate::error::{ApiError, FieldError};
use lambda_http::http::{header::CONTENT_TYPE, HeaderMap};
use lambda_http::Request;
use serde::de::DeserializeOwned;

/// The largest body the API reads: 64 KiB, far above any valid request (the longest is a
/// sign-up: a 254-byte email and a 128-character password).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Parses the request body as JSON into `T`.
///
/// In this order: over [`MAX_BODY_BYTES`] is 413; empty is 400; a `Content-Type` other than
/// `application/json` (parameters such as `charset` allowed) is 415; malformed JSON or JSON of
/// the wrong shape is 400.
pub fn json_body<T: DeserializeOwned>(request: &Request) -> Result<T, ApiError> {
    let bytes: &[u8] = request.body().as_ref();
    if bytes.len() > MAX_BODY_BYTES {
        return Err(ApiError::PayloadTooLarge(MAX_BODY_BYTES));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::BadRequest(vec![FieldError::general(
            "A JSON body is required",
        )]));
    }
    if !declares_json(request.headers()) {
        return Err(ApiError::UnsupportedMediaType);
    }
    serde_json::from_slice(bytes).map_err(|e| {
        let message = if e.is_data() {
            format!("Invalid request body: {e}")
        } else {
            "The request body is not valid JSON".to_string()
        };
        ApiError::BadRequest(vec![FieldError::general(message)])
    })
}

/// Whether `Content-Type` is `application/json`, whatever its case and parameters.
fn declares_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media_type| media_type.trim().eq_ignore_ascii_case("application/json"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::Body;

    #[derive(serde::Deserialize, Debug)]
    struct Credentials {
        #[allow(dead_code)]
        email: String,
    }

    fn request(content_type: Option<&str>, body: &str) -> Request {
        let mut builder = lambda_http::http::Request::builder();
        if let Some(value) = content_type {
            builder = builder.header("content-type", value);
        }
        builder.body(Body::from(body)).unwrap()
    }

    fn json_request(body: &str) -> Request {
        request(Some("application/json"), body)
    }

    #[test]
    fn a_json_body_parses() {
        let parsed = json_body::<Credentials>(&json_request(r#"{"email":"a@b.co"}"#));
        assert!(parsed.is_ok());
        let with_charset = request(Some("Application/JSON; charset=utf-8"), r#"{"email":"x"}"#);
        assert!(json_body::<Credentials>(&with_charset).is_ok());
    }

    #[test]
    fn an_empty_body_is_a_bad_request() {
        let error = json_body::<Credentials>(&json_request("")).unwrap_err();
        assert_eq!(error.status_code(), 400);
        assert_eq!(error.errors()[0].message, "A JSON body is required");
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        let error = json_body::<Credentials>(&json_request("{nope")).unwrap_err();
        assert_eq!(error.status_code(), 400);
        assert_eq!(
            error.errors()[0].message,
            "The request body is not valid JSON"
        );
    }

    #[test]
    fn a_body_over_the_limit_is_too_large_whatever_it_holds() {
        let big = format!(r#"{{"email":"{}"}}"#, "a".repeat(MAX_BODY_BYTES));
        let error = json_body::<Credentials>(&json_request(&big)).unwrap_err();
        assert_eq!(error.status_code(), 413);
        let at_limit = format!(
            r#"{{"email":"{}"}}"#,
            "a".repeat(MAX_BODY_BYTES - r#"{"email":""}"#.len())
        );
        assert!(json_body::<Credentials>(&json_request(&at_limit)).is_ok());
    }

    #[test]
    fn a_body_not_declared_as_json_is_unsupported() {
        for content_type in [
            None,
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            Some("multipart/form-data; boundary=x"),
            Some("application/jsonp"),
        ] {
            let error = json_body::<Credentials>(&request(content_type, r#"{"email":"x"}"#))
                .expect_err(&format!("{content_type:?}"));
            assert_eq!(error.status_code(), 415, "{content_type:?}");
        }
    }
}
