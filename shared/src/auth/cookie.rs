//! The session cookie: HttpOnly, SameSite=Lax, Secure outside local development.

use lambda_http::Request;

/// Name of the cookie that carries the session token.
pub const SESSION_COOKIE: &str = "session";

/// How session cookies are written; read once per cold start.
#[derive(Debug, Clone, Copy)]
pub struct CookieSettings {
    /// Add `Secure` (always in AWS; only plain-HTTP local development turns it off).
    pub secure: bool,
}

impl CookieSettings {
    /// Settings from `COOKIE_SECURE` (default true).
    pub fn from_env() -> Result<Self, crate::config::ConfigError> {
        Ok(Self {
            secure: crate::config::parsed_or("COOKIE_SECURE", true)?,
        })
    }

    /// A `Set-Cookie` value that stores `token` for `max_age_seconds`.
    pub fn session(&self, token: &str, max_age_seconds: u64) -> String {
        format!(
            "{SESSION_COOKIE}={token}; Path=/; Max-Age={max_age_seconds}; HttpOnly; SameSite=Lax{}",
            self.secure_flag()
        )
    }

    /// A `Set-Cookie` value that removes the session cookie (already expired).
    pub fn cleared(&self) -> String {
        format!(
            "{SESSION_COOKIE}=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax{}",
            self.secure_flag()
        )
    }

    fn secure_flag(&self) -> &'static str {
        if self.secure {
            "; Secure"
        } else {
            ""
        }
    }
}

/// The session token from the request's `Cookie` header(s), if there is one.
pub fn session_token(request: &Request) -> Option<String> {
    request
        .headers()
        .get_all("cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|header| header.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == SESSION_COOKIE && !value.is_empty())
        .map(|(_, value)| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::Body;

    fn request_with_cookie(cookie: &str) -> Request {
        lambda_http::http::Request::builder()
            .header("cookie", cookie)
            .body(Body::Empty)
            .unwrap()
    }

    #[test]
    fn the_session_cookie_is_http_only_and_lax() {
        let cookie = CookieSettings { secure: true }.session("tok", 3600);
        assert_eq!(
            cookie,
            "session=tok; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax; Secure"
        );
        assert!(!CookieSettings { secure: false }
            .session("tok", 60)
            .contains("Secure"));
    }

    #[test]
    fn the_cleared_cookie_is_expired() {
        let cookie = CookieSettings { secure: false }.cleared();
        assert!(cookie.starts_with("session=;"));
        assert!(cookie.contains("Max-Age=0"));
        assert!(cookie.contains("Expires=Thu, 01 Jan 1970"));
    }

    #[test]
    fn the_token_is_found_among_other_cookies() {
        let request = request_with_cookie("theme=dark; session=abc.def.ghi; lang=en");
        assert_eq!(session_token(&request).as_deref(), Some("abc.def.ghi"));
    }

    #[test]
    fn no_cookie_or_an_empty_one_is_no_token() {
        assert_eq!(session_token(&request_with_cookie("theme=dark")), None);
        assert_eq!(session_token(&request_with_cookie("session=")), None);
        let bare = lambda_http::http::Request::builder()
            .body(Body::Empty)
            .unwrap();
        assert_eq!(session_token(&bare), None);
    }
}
