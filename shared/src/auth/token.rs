//! Session tokens: HS256 JWTs with the algorithm pinned, so a token claiming `alg: none`
//! or any other algorithm is refused.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::time::{SystemTime, UNIX_EPOCH};

/// The user a valid session token names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: String,
    pub email: String,
}

/// What a valid session token says: who, and which stored session it belongs to (`sid`), which
/// the server can end before the token expires ([`crate::auth::sessions`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionToken {
    pub user: SessionUser,
    pub sid: String,
    /// When the token stops being valid, in seconds since the epoch.
    pub expires_at: u64,
}

/// What a valid device token says: this browser signed in to `email` before; `nonce` names the
/// device (its own sign-in attempt count).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceToken {
    pub email: String,
    pub nonce: String,
}

// Each kind of token has its own audience, so neither is ever accepted as the other.
const SESSION_AUDIENCE: &str = "session";
const DEVICE_AUDIENCE: &str = "device";

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    email: String,
    sid: String,
    aud: String,
    iat: u64,
    exp: u64,
}

#[derive(Debug, Serialize, Deserialize)]
struct DeviceClaims {
    /// The normalised email the device signed in to.
    sub: String,
    nonce: String,
    aud: String,
    iat: u64,
    exp: u64,
}

/// A token could not be issued or was not accepted.
#[derive(Debug, thiserror::Error)]
#[error("token rejected: {0}")]
pub struct TokenError(#[from] jsonwebtoken::errors::Error);

/// The key and lifetime of session tokens, made once per cold start. The same key signs
/// device tokens.
#[derive(Clone)]
pub struct SessionKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    session_validation: Validation,
    device_validation: Validation,
    ttl_seconds: u64,
}

fn validation(audience: &str) -> Validation {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.algorithms = vec![Algorithm::HS256];
    validation.leeway = 0;
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "sub", "aud"]);
    validation
}

impl SessionKeys {
    /// Keys from a shared secret; session tokens live `ttl_seconds`, which is the longest a
    /// session can last: tokens are never renewed.
    pub fn new(secret: &str, ttl_seconds: u64) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            session_validation: validation(SESSION_AUDIENCE),
            device_validation: validation(DEVICE_AUDIENCE),
            ttl_seconds,
        }
    }

    /// Keys from `JWT_SECRET` (required) and `SESSION_TTL_SECONDS` (default 3600).
    pub fn from_env() -> Result<Self, crate::config::ConfigError> {
        let secret = crate::config::required("JWT_SECRET")?;
        let ttl = crate::config::parsed_or("SESSION_TTL_SECONDS", 3600u64)?;
        Ok(Self::new(&secret, ttl))
    }

    /// How long a token issued now stays valid, in seconds.
    pub fn ttl_seconds(&self) -> u64 {
        self.ttl_seconds
    }

    /// A signed token for `user`'s session `sid`, valid from now for the configured lifetime.
    pub fn issue(&self, user: &SessionUser, sid: &str) -> Result<String, TokenError> {
        self.issue_at(user, sid, now())
    }

    /// A signed token as if issued at `issued_at` (seconds since the epoch); tests use it to make expired tokens.
    pub fn issue_at(
        &self,
        user: &SessionUser,
        sid: &str,
        issued_at: u64,
    ) -> Result<String, TokenError> {
        let claims = Claims {
            sub: user.id.clone(),
            email: user.email.clone(),
            sid: sid.to_string(),
            aud: SESSION_AUDIENCE.to_string(),
            iat: issued_at,
            exp: issued_at + self.ttl_seconds,
        };
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    /// What a session token says, if it is well-formed, HS256-signed with our key and unexpired.
    /// Whether its session is still open is for [`crate::auth::sessions`] to say.
    pub fn verify(&self, token: &str) -> Result<SessionToken, TokenError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.session_validation)?;
        Ok(SessionToken {
            user: SessionUser {
                id: data.claims.sub,
                email: data.claims.email,
            },
            sid: data.claims.sid,
            expires_at: data.claims.exp,
        })
    }

    /// A signed device token: this browser signed in to `email`; valid for `lifetime_seconds`.
    pub fn issue_device(
        &self,
        email: &str,
        nonce: &str,
        lifetime_seconds: u64,
    ) -> Result<String, TokenError> {
        let issued_at = now();
        let claims = DeviceClaims {
            sub: email.to_string(),
            nonce: nonce.to_string(),
            aud: DEVICE_AUDIENCE.to_string(),
            iat: issued_at,
            exp: issued_at + lifetime_seconds,
        };
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    /// What a device token says, if it is ours, HS256, unexpired and a device token.
    pub fn verify_device(&self, token: &str) -> Result<DeviceToken, TokenError> {
        let data =
            jsonwebtoken::decode::<DeviceClaims>(token, &self.decoding, &self.device_validation)?;
        Ok(DeviceToken {
            email: data.claims.sub,
            nonce: data.claims.nonce,
        })
    }
}

/// Seconds since the epoch.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64_url::encode_segment;

    const SECRET: &str = "a-test-secret-that-is-long-enough-for-hs256";

    fn alice() -> SessionUser {
        SessionUser {
            id: "u-1".into(),
            email: "alice@example.com".into(),
        }
    }

    #[test]
    fn a_fresh_token_names_its_user() {
        let keys = SessionKeys::new(SECRET, 3600);
        let token = keys.issue(&alice(), "sid-1").unwrap();
        let verified = keys.verify(&token).unwrap();
        assert_eq!(verified.user, alice());
        assert_eq!(verified.sid, "sid-1");
    }

    #[test]
    fn an_expired_token_is_refused() {
        // GIVEN a token issued two hours ago with a one-hour lifetime
        let keys = SessionKeys::new(SECRET, 3600);
        let token = keys.issue_at(&alice(), "sid-1", now() - 7200).unwrap();
        // THEN it no longer verifies
        assert!(keys.verify(&token).is_err());
    }

    #[test]
    fn a_token_signed_with_another_key_is_refused() {
        let other = SessionKeys::new("another-secret-that-is-also-long-enough", 3600);
        let token = other.issue(&alice(), "sid-1").unwrap();
        assert!(SessionKeys::new(SECRET, 3600).verify(&token).is_err());
    }

    #[test]
    fn an_unsigned_alg_none_token_is_refused() {
        // GIVEN a token whose header says alg none and which carries no signature
        let header = encode_segment(br#"{"alg":"none","typ":"JWT"}"#);
        let claims = format!(
            r#"{{"sub":"u-1","email":"alice@example.com","sid":"s","aud":"session","iat":{0},"exp":{1}}}"#,
            now(),
            now() + 3600
        );
        let token = format!("{header}.{}.", encode_segment(claims.as_bytes()));
        // THEN it is refused
        assert!(SessionKeys::new(SECRET, 3600).verify(&token).is_err());
    }

    #[test]
    fn a_token_with_another_algorithm_is_refused() {
        // HS512 with the right secret is still not what we issue.
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS512),
            &Claims {
                sub: "u-1".into(),
                email: "a@b.co".into(),
                sid: "s".into(),
                aud: SESSION_AUDIENCE.into(),
                iat: now(),
                exp: now() + 60,
            },
            &EncodingKey::from_secret(SECRET.as_bytes()),
        )
        .unwrap();
        assert!(SessionKeys::new(SECRET, 3600).verify(&token).is_err());
    }

    #[test]
    fn garbage_is_refused() {
        let keys = SessionKeys::new(SECRET, 3600);
        for token in ["", "abc", "a.b.c", "...."] {
            assert!(keys.verify(token).is_err(), "{token:?}");
        }
    }

    #[test]
    fn a_device_token_names_its_email_and_is_never_a_session_token() {
        let keys = SessionKeys::new(SECRET, 3600);
        let device = keys
            .issue_device("alice@example.com", "nonce-1", 60)
            .unwrap();
        assert_eq!(
            keys.verify_device(&device).unwrap(),
            DeviceToken {
                email: "alice@example.com".into(),
                nonce: "nonce-1".into()
            }
        );
        assert!(
            keys.verify(&device).is_err(),
            "a device token is no session"
        );
        let session = keys.issue(&alice(), "sid-1").unwrap();
        assert!(
            keys.verify_device(&session).is_err(),
            "a session is no device token"
        );
        let other = SessionKeys::new("another-secret-that-is-also-long-enough", 3600);
        assert!(keys
            .verify_device(&other.issue_device("alice@example.com", "n", 60).unwrap())
            .is_err());
    }

    /// Unpadded base64url, enough to forge a token by hand in a test.
    mod base64_url {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

        pub fn encode_segment(bytes: &[u8]) -> String {
            let mut out = String::new();
            for chunk in bytes.chunks(3) {
                let n = chunk
                    .iter()
                    .enumerate()
                    .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
                let sextets = chunk.len() + 1;
                for i in 0..sextets {
                    out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
                }
            }
            out
        }
    }
}
