//! Parsing the credentials a user types: an email address and a password.

use serde::Deserialize;
use ticketing::FieldError;
use unicode_normalization::UnicodeNormalization;

/// A syntactically valid email address, trimmed, NFKC-normalised and lower-cased, so that
/// addresses that look the same are one account: `ＡLICE@example.com` (a fullwidth A) and
/// `alice@example.com` are the same address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Parses an address; the error says what is wrong in words a user understands.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let invalid = || FieldError::new("email", "Email must be valid");
        let email = raw.trim().nfkc().collect::<String>().to_lowercase();
        if email.is_empty()
            || email.len() > 254
            || email.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(invalid());
        }
        let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
        let domain_ok = !domain.contains('@')
            && domain.contains('.')
            && domain
                .split('.')
                .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'));
        if local.is_empty() || local.len() > 64 || !domain_ok {
            return Err(invalid());
        }
        Ok(Self(email))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password of acceptable length (8–128 characters).
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 8;
    pub const MAX_CHARS: usize = 128;

    /// Accepts a password of 8 to 128 characters (counted as characters, not bytes).
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let chars = raw.chars().count();
        if !(Self::MIN_CHARS..=Self::MAX_CHARS).contains(&chars) {
            return Err(FieldError::new(
                "password",
                "Password must be between 8 and 128 characters",
            ));
        }
        Ok(Self(raw.to_string()))
    }

    /// The password itself, to hash or verify.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// The JSON body of sign-up and sign-in; fields are optional so a missing one is a 400 naming it.
/// Its `Debug` hides the password.
#[derive(Deserialize)]
pub struct CredentialsBody {
    pub email: Option<String>,
    pub password: Option<String>,
}

/// Valid credentials.
#[derive(Debug)]
pub struct Credentials {
    pub email: Email,
    pub password: Password,
}

impl std::fmt::Debug for CredentialsBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialsBody")
            .field("email", &self.email)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .finish()
    }
}

impl CredentialsBody {
    /// Checks both fields and reports every problem at once.
    pub fn parse(self) -> Result<Credentials, Vec<FieldError>> {
        let email = match self.email.as_deref() {
            None | Some("") => Err(FieldError::new("email", "Email is required")),
            Some(raw) => Email::parse(raw),
        };
        let password = match self.password.as_deref() {
            None | Some("") => Err(FieldError::new("password", "Password is required")),
            Some(raw) => Password::parse(raw),
        };
        match (email, password) {
            (Ok(email), Ok(password)) => Ok(Credentials { email, password }),
            (email, password) => Err(email.err().into_iter().chain(password.err()).collect()),
        }
    }
}

/// The JSON body of a password change; fields are optional so a missing one is a 400 naming it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordChangeBody {
    pub current_password: Option<String>,
    pub new_password: Option<String>,
}

impl std::fmt::Debug for PasswordChangeBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordChangeBody(***)")
    }
}

/// A valid password change: the password to check, and the new one. Its `Debug` hides both.
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: Password,
}

impl std::fmt::Debug for PasswordChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordChange(***)")
    }
}

impl PasswordChangeBody {
    /// Checks both fields and reports every problem at once.
    pub fn parse(self) -> Result<PasswordChange, Vec<FieldError>> {
        let current = match self.current_password {
            None => Err(FieldError::new(
                "currentPassword",
                "Current password is required",
            )),
            Some(raw) if raw.is_empty() => Err(FieldError::new(
                "currentPassword",
                "Current password is required",
            )),
            Some(raw) => Ok(raw),
        };
        let new = match self.new_password.as_deref() {
            None | Some("") => Err(FieldError::new("newPassword", "New password is required")),
            Some(raw) => {
                Password::parse(raw).map_err(|e| FieldError::new("newPassword", e.message))
            }
        };
        match (current, new) {
            (Ok(current), Ok(new)) if current == new.expose() => Err(vec![FieldError::new(
                "newPassword",
                "New password must differ from the current one",
            )]),
            (Ok(current_password), Ok(new_password)) => Ok(PasswordChange {
                current_password,
                new_password,
            }),
            (current, new) => Err(current.err().into_iter().chain(new.err()).collect()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            Email::parse("  Alice@Example.COM ").unwrap().as_str(),
            "alice@example.com"
        );
    }

    #[test]
    fn emails_that_look_the_same_after_nfkc_are_the_same() {
        // a fullwidth a, a fullwidth capital A, and the "ﬁ" ligature
        let cases = [
            ("\u{ff41}lice@example.com", "alice@example.com"),
            ("\u{ff21}LICE@EXAMPLE.COM", "alice@example.com"),
            ("\u{fb01}@example.com", "fi@example.com"),
        ];
        for (raw, normalised) in cases {
            assert_eq!(Email::parse(raw).unwrap().as_str(), normalised, "{raw}");
        }
        // an ideographic space becomes a space, which no address has
        assert!(Email::parse("al\u{3000}ice@example.com").is_err());
    }

    #[test]
    fn invalid_emails_are_refused() {
        let cases = [
            ("", "empty"),
            ("alice", "no at sign"),
            ("@example.com", "no local part"),
            ("alice@", "no domain"),
            ("alice@example", "domain without a dot"),
            ("alice@@example.com", "two at signs"),
            ("al ice@example.com", "a space"),
            ("alice@example..com", "an empty label"),
            ("alice@-example.com", "a label starting with a hyphen"),
        ];
        for (raw, why) in cases {
            let error = Email::parse(raw).expect_err(why);
            assert_eq!(error.field.as_deref(), Some("email"), "{why}");
        }
    }

    #[test]
    fn passwords_must_be_8_to_128_characters() {
        assert!(Password::parse("1234567").is_err());
        assert!(Password::parse("12345678").is_ok());
        assert!(Password::parse(&"x".repeat(128)).is_ok());
        assert!(Password::parse(&"x".repeat(129)).is_err());
        // characters, not bytes: eight two-byte characters are a valid password
        assert!(Password::parse("éééééééé").is_ok());
    }

    #[test]
    fn a_password_never_shows_in_debug_output() {
        let password = Password::parse("super-secret-1").unwrap();
        assert!(!format!("{password:?}").contains("super-secret"));
    }

    #[test]
    fn a_password_change_names_each_bad_field() {
        let change = |current: Option<&str>, new: Option<&str>| {
            PasswordChangeBody {
                current_password: current.map(str::to_string),
                new_password: new.map(str::to_string),
            }
            .parse()
        };
        let fields = |errors: Vec<FieldError>| {
            errors
                .into_iter()
                .map(|e| e.field.unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            fields(change(None, None).unwrap_err()),
            ["currentPassword", "newPassword"]
        );
        assert_eq!(
            fields(change(Some("old-password"), Some("short")).unwrap_err()),
            ["newPassword"]
        );
        assert_eq!(
            fields(change(Some("same-password"), Some("same-password")).unwrap_err()),
            ["newPassword"]
        );
        let ok = change(Some("old-password"), Some("new-password")).unwrap();
        assert_eq!(ok.new_password.expose(), "new-password");
        assert!(!format!("{ok:?}").contains("old-password"));
    }

    #[test]
    fn missing_fields_are_each_reported() {
        let body = CredentialsBody {
            email: None,
            password: None,
        };
        let errors = body.parse().unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_deref().unwrap()).collect();
        assert_eq!(fields, ["email", "password"]);
    }
}
