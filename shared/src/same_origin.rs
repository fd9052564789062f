//! Refuses state-changing requests that a browser sent on behalf of another site (cross-site
//! request forgery), in addition to the SameSite=Lax session cookie.
//!
//! Browsers say where a request comes from: `Sec-Fetch-Site` (every current browser), else
//! `Origin` (older ones). Safe methods and requests that carry neither header (curl, Stripe's
//! webhook, other servers: they hold no user's cookie) pass. `Sec-Fetch-Site` must be
//! `same-origin` (or `none`: typed by the user); an `Origin` must name the host the request was
//! sent to. Behind CloudFront, the Lambda sees API Gateway's host, so CloudFront passes the
//! viewer's host in `X-Viewer-Host` (template.yaml) and that is compared instead.

use crate::error::ApiError;
use lambda_http::http::{HeaderMap, Method};

/// The header CloudFront sets to the host the browser asked for.
pub const VIEWER_HOST_HEADER: &str = "x-viewer-host";

/// `Ok` unless the request is a state-changing one from another site (403).
pub fn check(method: &Method, headers: &HeaderMap) -> Result<(), ApiError> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        return match site {
            "same-origin" | "none" => Ok(()),
            _ => Err(refused()),
        };
    }
    let Some(origin) = header("origin") else {
        return Ok(());
    };
    let expected = header(VIEWER_HOST_HEADER).or_else(|| header("host"));
    match (host_of(origin), expected) {
        (Some(origin_host), Some(host)) if origin_host.eq_ignore_ascii_case(host) => Ok(()),
        _ => Err(refused()),
    }
}

/// `example.com:8080` from `https://example.com:8080`; None for `null` and anything unparsable.
fn host_of(origin: &str) -> Option<&str> {
    let (_scheme, rest) = origin.split_once("://")?;
    let host = rest.split('/').next()?;
    (!host.is_empty()).then_some(host)
}

fn refused() -> ApiError {
    ApiError::Forbidden("Cross-site requests are not allowed".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| (name.parse().unwrap(), value.parse().unwrap()))
            .collect()
    }

    fn allowed(method: Method, pairs: &[(&'static str, &'static str)]) -> bool {
        check(&method, &headers(pairs)).is_ok()
    }

    #[test]
    fn the_fetch_metadata_header_decides_when_present() {
        assert!(allowed(Method::POST, &[("sec-fetch-site", "same-origin")]));
        assert!(allowed(Method::DELETE, &[("sec-fetch-site", "none")]));
        for other in ["cross-site", "same-site", "bogus"] {
            let refused = check(&Method::POST, &headers(&[("sec-fetch-site", other)]));
            assert_eq!(refused.unwrap_err().status_code(), 403, "{other}");
        }
        // the header wins over a matching Origin
        assert!(!allowed(
            Method::PUT,
            &[
                ("sec-fetch-site", "cross-site"),
                ("origin", "http://localhost:3000"),
                ("host", "localhost:3000")
            ]
        ));
    }

    #[test]
    fn without_it_the_origin_must_be_the_host_asked_for() {
        let same = [
            ("origin", "http://localhost:3000"),
            ("host", "localhost:3000"),
        ];
        assert!(allowed(Method::POST, &same));
        assert!(!allowed(
            Method::POST,
            &[
                ("origin", "https://evil.example"),
                ("host", "localhost:3000")
            ]
        ));
        assert!(!allowed(
            Method::POST,
            &[("origin", "null"), ("host", "localhost:3000")]
        ));
        // behind CloudFront: the viewer's host, not API Gateway's
        assert!(allowed(
            Method::POST,
            &[
                ("origin", "https://d111.cloudfront.net"),
                ("host", "abc.execute-api.eu-west-1.amazonaws.com"),
                ("x-viewer-host", "d111.cloudfront.net")
            ]
        ));
    }

    #[test]
    fn safe_methods_and_requests_from_no_browser_pass() {
        assert!(allowed(Method::GET, &[("sec-fetch-site", "cross-site")]));
        assert!(allowed(Method::POST, &[]));
        assert!(allowed(Method::POST, &[("host", "localhost:3000")]));
    }
}
