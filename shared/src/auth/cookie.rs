//! The two auth cookies, both HttpOnly:
//! - the session cookie (SameSite=Lax, lives as long as the session token);
//! - the device cookie (SameSite=Strict, one year), which tells sign-in that this browser has
//!   signed in to an account before, so failed guesses from elsewhere do not lock it out.
//!
//! In AWS (`secure`) both carry the `__Host-` prefix: the browser keeps such a cookie only if it
//! is `Secure`, has `Path=/` and no `Domain`, so a sibling subdomain cannot plant or overwrite
//! one, and only the prefixed names are read. Local development runs over plain HTTP
//! (`CookieSecure=false`), where a browser refuses `__Host-` cookies (they must be `Secure`),
//! so there the same cookies use their plain names, without `Secure`.

use lambda_http::Request;

/// One year, in seconds: how long a browser keeps its device cookie.
pub const DEVICE_COOKIE_MAX_AGE_SECONDS: u64 = 365 * 24 * 60 * 60;

/// How auth cookies are named and written; read once per cold start.
#[derive(Debug, Clone, Copy)]
pub struct CookieSettings {
    /// `Secure` and the `__Host-` prefix (always in AWS; only plain-HTTP local development turns it off).
    pub secure: bool,
}

impl CookieSettings {
    /// Settings from `COOKIE_SECURE` (default true).
    pub fn from_env() -> Result<Self, crate::config::ConfigError> {
        Ok(Self {
            secure: crate::config::parsed_or("COOKIE_SECURE", true)?,
        })
    }

    /// The session cookie's name: `__Host-session` in AWS, `session` over plain HTTP.
    pub fn session_name(&self) -> &'static str {
        if self.secure {
            "__Host-session"
        } else {
            "session"
        }
    }

    /// The device cookie's name: `__Host-device` in AWS, `device` over plain HTTP.
    pub fn device_name(&self) -> &'static str {
        if self.secure {
            "__Host-device"
        } else {
            "device"
        }
    }

    /// A `Set-Cookie` value that stores the session `token` for `max_age_seconds`.
    pub fn session(&self, token: &str, max_age_seconds: u64) -> String {
        format!(
            "{}={token}; Path=/; Max-Age={max_age_seconds}; HttpOnly; SameSite=Lax{}",
            self.session_name(),
            self.secure_flag()
        )
    }

    /// A `Set-Cookie` value that removes the session cookie (already expired).
    pub fn cleared(&self) -> String {
        format!(
            "{}=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax{}",
            self.session_name(),
            self.secure_flag()
        )
    }

    /// A `Set-Cookie` value that stores the device `token` for a year. Strict: only sign-in,
    /// a same-site request, ever needs it.
    pub fn device(&self, token: &str) -> String {
        format!(
            "{}={token}; Path=/; Max-Age={DEVICE_COOKIE_MAX_AGE_SECONDS}; HttpOnly; SameSite=Strict{}",
            self.device_name(),
            self.secure_flag()
        )
    }

    /// The session token from the request's cookies, if there is one.
    pub fn session_token(&self, request: &Request) -> Option<String> {
        cookie_value(request, self.session_name())
    }

    /// The device token from the request's cookies, if there is one.
    pub fn device_token(&self, request: &Request) -> Option<String> {
        cookie_value(request, self.device_name())
    }

    fn secure_flag(&self) -> &'static str {
        if self.secure {
            "; Secure"
        } else {
            ""
        }
    }
}

/// The non-empty value of the cookie `name` in the request's `Cookie` header(s).
fn cookie_value(request: &Request, name: &str) -> Option<String> {
    request
        .headers()
        .get_all("cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|header| header.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(found, value)| *found == name && !value.is_empty())
        .map(|(_, value)| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::Body;

    const AWS: CookieSettings = CookieSettings { secure: true };
    const LOCAL: CookieSettings = CookieSettings { secure: false };

    fn request_with_cookie(cookie: &str) -> Request {
        lambda_http::http::Request::builder()
            .header("cookie", cookie)
            .body(Body::Empty)
            .unwrap()
    }

    #[test]
    fn in_aws_the_session_cookie_is_a_host_cookie() {
        // __Host-: Secure, Path=/ and no Domain, or the browser drops it
        assert_eq!(
            AWS.session("tok", 3600),
            "__Host-session=tok; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax; Secure"
        );
    }

    #[test]
    fn over_plain_http_the_session_cookie_has_its_plain_name_and_no_secure() {
        assert_eq!(
            LOCAL.session("tok", 60),
            "session=tok; Path=/; Max-Age=60; HttpOnly; SameSite=Lax"
        );
    }

    #[test]
    fn the_device_cookie_is_strict_long_lived_and_a_host_cookie_in_aws() {
        assert_eq!(
            AWS.device("dev"),
            "__Host-device=dev; Path=/; Max-Age=31536000; HttpOnly; SameSite=Strict; Secure"
        );
        assert_eq!(
            LOCAL.device("dev"),
            "device=dev; Path=/; Max-Age=31536000; HttpOnly; SameSite=Strict"
        );
    }

    #[test]
    fn the_cleared_cookie_is_expired() {
        for (settings, name) in [(LOCAL, "session=;"), (AWS, "__Host-session=;")] {
            let cookie = settings.cleared();
            assert!(cookie.starts_with(name), "{cookie}");
            assert!(cookie.contains("Max-Age=0"));
            assert!(cookie.contains("Expires=Thu, 01 Jan 1970"));
        }
    }

    #[test]
    fn the_token_is_found_among_other_cookies() {
        let request = request_with_cookie("theme=dark; session=abc.def.ghi; lang=en");
        assert_eq!(
            LOCAL.session_token(&request).as_deref(),
            Some("abc.def.ghi")
        );
        let request = request_with_cookie("theme=dark; __Host-device=d.e.v");
        assert_eq!(AWS.device_token(&request).as_deref(), Some("d.e.v"));
    }

    #[test]
    fn in_aws_a_cookie_without_the_host_prefix_is_ignored() {
        // a sibling subdomain can set `session` for the parent domain, never `__Host-session`
        let planted = request_with_cookie("session=planted.by.sibling; device=planted");
        assert_eq!(AWS.session_token(&planted), None);
        assert_eq!(AWS.device_token(&planted), None);
    }

    #[test]
    fn no_cookie_or_an_empty_one_is_no_token() {
        assert_eq!(
            LOCAL.session_token(&request_with_cookie("theme=dark")),
            None
        );
        assert_eq!(LOCAL.session_token(&request_with_cookie("session=")), None);
        let bare = lambda_http::http::Request::builder()
            .body(Body::Empty)
            .unwrap();
        assert_eq!(LOCAL.session_token(&bare), None);
    }
}
