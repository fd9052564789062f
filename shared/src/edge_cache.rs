//! Answers CloudFront may keep for a moment. Only the browse list's path has a cache behaviour
//! that keeps anything (template.yaml, `TicketsListCachePolicy`: as long as the answer says, two
//! seconds at most, keyed by the query string and never by cookies), so an answer is shared
//! between viewers only when it was given to a request that carried no cookie: a signed-in
//! answer is never kept, whatever a handler puts in it later.

use lambda_http::http::{header, HeaderValue};
use lambda_http::{Body, Request, Response};

/// How long a shared answer may be kept, in seconds.
pub const SHARED_MAX_AGE_SECONDS: u32 = 1;

/// Marks `response` as one the edge may keep for [`SHARED_MAX_AGE_SECONDS`] when `request`
/// carried no cookie and no credentials; as one nobody keeps otherwise.
pub fn shared_briefly(request: &Request, mut response: Response<Body>) -> Response<Body> {
    let headers = request.headers();
    let anonymous =
        !headers.contains_key(header::COOKIE) && !headers.contains_key(header::AUTHORIZATION);
    let value = if anonymous && response.status().is_success() {
        HeaderValue::from_str(&format!("public, max-age={SHARED_MAX_AGE_SECONDS}"))
            .expect("a valid header value")
    } else {
        HeaderValue::from_static("private, no-store")
    };
    response.headers_mut().insert(header::CACHE_CONTROL, value);
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::http::StatusCode;

    fn request(headers: &[(&str, &str)]) -> Request {
        let mut builder = lambda_http::http::Request::builder().uri("/api/tickets");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(Body::Empty).unwrap()
    }

    fn cache_control(request: &Request, status: StatusCode) -> String {
        let response = Response::builder()
            .status(status)
            .body(Body::Empty)
            .unwrap();
        shared_briefly(request, response).headers()[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn an_anonymous_answer_is_shared_for_a_second() {
        assert_eq!(
            cache_control(&request(&[]), StatusCode::OK),
            "public, max-age=1"
        );
    }

    #[test]
    fn a_signed_in_or_failed_answer_is_kept_by_nobody() {
        for headers in [
            vec![("cookie", "session=abc")],
            vec![("cookie", "theme=dark")],
            vec![("authorization", "Bearer x")],
        ] {
            assert_eq!(
                cache_control(&request(&headers), StatusCode::OK),
                "private, no-store",
                "{headers:?}"
            );
        }
        assert_eq!(
            cache_control(&request(&[]), StatusCode::BAD_REQUEST),
            "private, no-store"
        );
    }
}
